"""The qcaudit dashboard: ``qcaudit dashboard DIR ...`` (Streamlit).

Reads only the report directories it was started with (report.json + rows.parquet). A page
per report section (:mod:`qcaudit.report.sections`; analyzers may share one) draws the
section's views by kind; charts come from :mod:`qcaudit.report.figures`, the builders of the
static HTML report. Dataset text
is shown as plain text (``st.text``, ``st.dataframe``, selectbox options) with its invisible
characters made visible, or, where overlap is highlighted, as HTML escaped by
:func:`qcaudit.dashboards.data.highlighted`. Every other dataset-derived string (report and
file names, column, benchmark and generation names, warnings) that reaches an element
rendering Markdown (titles, captions, alerts, widget labels) goes through
:func:`qcaudit.untrusted.markdown` first, so it is shown as written, never interpreted.
"""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import streamlit as st

from qcaudit.dashboards.data import (
    flagged_rows, filtered, highlighted, load_reports, page_of, report_dirs, shown_visibly, top_ngrams,
)
from qcaudit.errors import QcauditError
from qcaudit.gate import FAIL, NO_THRESHOLDS, PASS
from qcaudit.report import figures
from qcaudit.report.model import ROWS_PARQUET, audited_rows
from qcaudit.report.references import reference_corpora
from qcaudit.report.sections import MetricLine, pages, sections
from qcaudit.signatures import histogram
from qcaudit.untrusted import html_text, markdown as md, prose, visible
from qcaudit.views import (
    CHARTS, FrequentNgrams, Group, Groups, Notice, Pairs, RankedRows, RowHistograms, Stat, histogram_view, one_line, shown_sources,
)

PAGE_SIZE = 50
METRIC_COLUMNS = ("section", "metric", "value", "better", "on public data", "what it measures", "signature")
#: Compare marks a metric whose value moved by at least this share of the larger value.
LARGE_CHANGE = 0.10
#: Dataset text beside its highlights: as written (code keeps its indentation and alignment).
TEXT_STYLE = "white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:.85rem"
#: An opened group lists at most this many members.
GROUP_MEMBERS = 200
#: Characters of a group's first member shown beside it before it is opened.
FIRST_MEMBER = 120


def main() -> None:
    st.set_page_config(page_title="qcaudit", layout="wide")
    try:
        reports = _reports()
    except QcauditError as exc:  # a report changed on disk since `qcaudit dashboard` checked it
        st.error(prose(str(exc)))
        return
    if not reports:
        st.error("No report to show: start the dashboard with `qcaudit dashboard DIR` (a directory from `qcaudit report`).")
        return
    by_name = {r.name: r for r in reports}
    chosen = by_name[st.sidebar.selectbox("Report", list(by_name), index=_linked(list(by_name), "report"), key="report")]
    page = st.sidebar.radio("Page", list(PAGES), index=_linked(list(PAGES), "page"), key="page", format_func=prose)
    st.query_params.update(report=chosen.name, page=page)  # the address links to this page of this report
    st.sidebar.caption(md(chosen.path))
    PAGES[page](chosen, reports)


def _linked(choices: list[str], parameter: str) -> int:
    """The choice the address's query parameter names (``?page=Duplicates``), else the first."""
    wanted = st.query_params.get(parameter)
    return choices.index(wanted) if wanted in choices else 0


@st.cache_resource
def _load(dirs: tuple[str, ...]):
    return load_reports([Path(d) for d in dirs])


def _reports():
    return _load(tuple(str(d) for d in report_dirs()))


def _not_run(what: str, how: str, elsewhere: list[str] | None = None) -> None:
    """Say what did not run and how to run it; when other open reports hold it (a drift
    report beside an audit), offer to switch to one of them instead."""
    if elsewhere:
        st.info(f"{what} did not run for this report; it is in {', '.join(md(name) for name in elsewhere)}.")
        for name in elsewhere:
            st.button(f"Open {md(name)}", on_click=_choose_report, args=(name,), key=f"open-{name}")
        return
    st.info(f"{what} did not run for this report. To include it: `{how}`.")


def _choose_report(name: str) -> None:
    st.session_state["report"] = name


def _charts(figs) -> None:
    for left, right in zip(figs[::2], figs[1::2] + [None]):
        columns = st.columns(2)
        columns[0].plotly_chart(left, width="stretch")
        if right is not None:
            columns[1].plotly_chart(right, width="stretch")


def overview(loaded, _all) -> None:
    report = loaded.report
    st.title(f"qcaudit · {md(loaded.name)}")
    gate = report.gate
    verdict = f"Gate: {_verdict(gate.verdict)}"
    {"pass": st.success, "fail": st.error}.get(gate.verdict, st.info)(verdict)
    for section in sections(report):  # beside the gate's, the sections' own verdicts (the collapse alarm)
        for verdict in section.verdicts:
            _notice(verdict, loaded, section.name)
    if gate.checks:
        st.dataframe(pl.DataFrame([{"check": c.metric, "value": c.value, "threshold": f"{'>=' if c.threshold_key.startswith('min_') else '<='} {c.threshold:g}",
                                    "result": "pass" if c.passed else "FAIL"} for c in gate.checks]), hide_index=True)
        for check in gate.checks:
            if check.value is None or check.finding:  # (what would report it; what lies behind a failed value)
                st.caption(md(check.message))
    data = report.dataset
    cols = st.columns(3)
    cols[0].metric("rows", f"{data['rows']:,}")
    if data["text_rows"]:
        cols[1].metric("rows with text", f"{data['text_rows'].get('ok', 0):,}")
        cols[2].metric("analyzers", len(report.metrics))
    else:  # a drift report: its rows are the generations', measured against the first
        generations = report.tables.get("drift", {}).get("generations", [])
        cols[1].metric("generations", len(generations))
        if generations:
            cols[2].metric("baseline", prose(generations[0]["generation"]))  # a name from the command line
    st.caption(md(f"{shown_sources(data['sources'])} ({data['format']}); text from {data['text_source']}"))
    if data.get("input_rows"):
        st.warning(f"A quick look: {audited_rows(data)}; every figure here describes those rows alone.")  # numbers alone
    if loaded.has_rows:  # a drift report has no per-row table to flag rows in
        st.subheader("Rows that need attention")
        flagged = flagged_rows(loaded, 12)
        for row in flagged.iter_rows(named=True):
            st.text(visible(f"row {row['row_id']} · {row['flag']}: {(row['text'] or '')[:240]}", keep="\n\t"))
        if not flagged.height:
            st.write("No row was flagged.")
        else:
            st.caption("The first flagged rows; the Rows page filters them all.")
    st.subheader("Metrics")
    metrics = [{"section": section.name, "metric": line.name, "value": float(line.value), "better": line.direction,
                "on public data": " · ".join(r.shown for r in line.references), "what it measures": line.definition,
                "signature": line.signature}
               for section in sections(report) for line in section.metrics if _scalar(line.value)]
    st.dataframe(pl.DataFrame(metrics, schema=dict.fromkeys(METRIC_COLUMNS, pl.String) | {"value": pl.Float64}),
                 hide_index=True, width="stretch")
    corpora = reference_corpora()
    st.caption("On public data: " + "; ".join(f"{c['label']} ({c['rows']:,} rows, {c['text']})" for c in corpora.values())
               + ". Whole-dataset Self-BLEU, distinct-n and duplicate counts change with the number of rows; compare the "
               "_sampled metrics across datasets.")


def _verdict(verdict: object) -> str:
    """A gate verdict in capitals; anything but the three a report can hold is shown as data."""
    return str(verdict).upper() if verdict in (PASS, FAIL, NO_THRESHOLDS) else md(verdict)


def _scalar(value: object) -> bool:
    """A metric value a table can show as a number (drift's per-generation list is drawn on
    the Drift page)."""
    return isinstance(value, int | float)


def _section_page(title: str, producers):
    """The page drawing these producers' sections (one analyzer's, or several sharing a page)."""

    def page(loaded, everything) -> None:
        st.title(prose(title))
        report = loaded.report
        shown = [p for p in producers if p.name in report.tables]
        if not shown:
            names = " and ".join(p.heading() for p in producers)
            holding = [other.name for other in everything if any(p.name in other.report.tables for p in producers)]
            return _not_run(names, "; ".join(p.how_to_run() for p in producers), holding)
        by_name = {section.name: section for section in sections(report)}
        for producer in shown:
            if len(producers) > 1:
                st.subheader(prose(producer.heading()))
            _draw(by_name[producer.name].views, loaded, producer.name)

    return page


def _draw(views, loaded, key: str) -> None:
    """Each view by its kind, runs of charts two to a row."""
    charts: list = []
    for i, view in enumerate(views):
        if isinstance(view, CHARTS):
            charts.append(figures.figure(view))
            continue
        _charts(charts)
        charts = []
        DRAWERS[type(view)](view, loaded, f"{key}-{i}")
    _charts(charts)


def _notice(view: Notice, _loaded, _key) -> None:
    {"ok": st.success, "alarm": st.error, "warning": st.warning}.get(view.level, st.caption)(prose(view.text))


def _stat(view: Stat, _loaded, _key) -> None:
    st.metric(prose(view.label), view.shown)


def _ranked_rows(view: RankedRows, _loaded, _key) -> None:
    st.subheader(prose(view.title))
    if view.caption:
        st.caption(prose(view.caption))
    table = pl.DataFrame([{c.label: r.get(c.key) for c in view.columns} for r in view.records], strict=False)
    st.dataframe(shown_visibly(table), hide_index=True, width="stretch")


def _groups(view: Groups, loaded, key: str) -> None:
    """The groups by size; the chosen one opened: its members (from rows.parquet when the
    report has it, else the examples report.json holds), differences marked when the view
    asks for it."""
    st.subheader(prose(view.title))
    if view.caption:
        st.caption(prose(view.caption))
    firsts = {g.key: one_line(g.examples[0], FIRST_MEMBER) if g.examples else "" for g in view.groups}  # what it is, unopened
    st.dataframe(shown_visibly(pl.DataFrame({view.key_label: [g.key for g in view.groups], "rows": [g.size for g in view.groups],
                                             "first member": list(firsts.values())})), hide_index=True, width="stretch")
    sizes = {g.key: g.size for g in view.groups}
    chosen = st.selectbox("Open group (largest first)", list(sizes), key=key,
                          format_func=lambda k: visible(f"{k} ({sizes[k]} rows): {firsts[k]}"))
    if loaded.has_rows and view.member_column in loaded.row_columns():
        members = (loaded.rows().filter(pl.col(view.member_column) == chosen).select("row_id", "text")
                   .sort("row_id").head(GROUP_MEMBERS).collect())
        labels, texts = [f"row {r}" for r in members["row_id"]], [t or "" for t in members["text"]]
    else:
        texts = list(next(g for g in view.groups if g.key == chosen).examples)
        labels = [f"member {i + 1}" for i in range(len(texts))]
    runs = view.marked(Group(chosen, sizes[chosen], texts))
    st.html("".join(f"<div style='border-bottom:1px solid #ddd;padding:.3rem 0'><small>{html_text(label)}</small>"
                    f"<div style='{TEXT_STYLE}'>{highlighted(text)}</div></div>"
                    for label, text in zip(labels, runs, strict=True)))
    st.caption(f"{len(texts):,} of {sizes[chosen]:,} members shown.")


def _pairs(view: Pairs, _loaded, key: str) -> None:
    st.subheader(prose(view.title))
    pairs = list(view.pairs)
    for facet in sorted({f for pair in pairs for f in pair.facets}):
        values = sorted({pair.facets[facet] for pair in pairs if facet in pair.facets})
        keep = st.multiselect(prose(facet.capitalize()), values, default=values, key=f"{key}-{facet}")
        pairs = [pair for pair in pairs if pair.facets.get(facet) in keep]
    st.write(f"{len(pairs)} of {len(view.pairs)} shown.")
    if view.footnote:
        st.caption(prose(view.footnote))
    for pair in pairs:
        st.html(
            f"<div style='display:grid;grid-template-columns:8rem 1fr 1fr;gap:.8rem;border-bottom:1px solid #ddd;padding:.4rem 0'>"
            f"<div>row {int(pair.row_id)}<br><small>{html_text(pair.heading)}<br>{html_text(pair.subheading)}"
            f"<br>{html_text(pair.evidence)}</small></div>"
            f"<div style='{TEXT_STYLE}'>{highlighted(pair.left)}</div>"
            f"<div style='{TEXT_STYLE}'>{highlighted(pair.right)}</div></div>"
        )


def _row_histograms(view: RowHistograms, loaded, key: str) -> None:
    if not loaded.has_rows:
        return
    present = [c for c in view.columns if c in loaded.row_columns()]
    if not present:
        return
    column = st.selectbox(prose(view.title), present, key=key)
    values = loaded.rows().select(pl.col(column).cast(pl.Float64)).drop_nulls().drop_nans().collect()[column].to_numpy()
    st.plotly_chart(figures.figure(histogram_view(histogram(values, 40), f"per-row {column}", view.x_title)), width="stretch")


def _frequent_ngrams(view: FrequentNgrams, loaded, key: str) -> None:
    if not loaded.has_rows:
        return
    st.subheader(prose(view.title))
    n = st.radio("n", [1, 2, 3], horizontal=True, format_func=lambda k: f"{k}-grams", key=key)
    st.dataframe(_top_ngrams(str(loaded.path / ROWS_PARQUET), n, view.lowercase), hide_index=True)
    st.caption("Over every k-th row (at most 50,000 rows), whitespace tokens.")


@st.cache_data(show_spinner="Counting n-grams...")
def _top_ngrams(rows_path: str, n: int, lowercase: bool) -> pl.DataFrame:
    return top_ngrams(Path(rows_path), n, lowercase)


DRAWERS = {
    Notice: _notice, Stat: _stat, RankedRows: _ranked_rows, Groups: _groups, Pairs: _pairs,
    RowHistograms: _row_histograms, FrequentNgrams: _frequent_ngrams,
}


def rows(loaded, everything) -> None:
    st.title("Rows")
    if not loaded.has_rows:
        return _not_run("A per-row table", "qcaudit report DATA --out DIR (writes rows.parquet)",
                        [other.name for other in everything if other.has_rows])
    schema = loaded.row_columns()
    chosen = st.multiselect("Filter on columns", [c for c in schema if c != "text"])
    filters = {}
    for column in chosen:
        dtype = schema[column]
        if dtype == pl.Boolean:
            filters[column] = ("equals", st.selectbox(md(column), [True, False], key=f"f_{column}"))
        elif dtype.is_numeric():
            bounds = loaded.rows().select(pl.col(column).min().alias("lo"), pl.col(column).max().alias("hi")).collect().row(0)
            lo, hi = (float(b) if b is not None and math.isfinite(b) else 0.0 for b in bounds)
            a, b = st.columns(2)
            filters[column] = ("range", a.number_input(f"{md(column)} from", value=lo, key=f"lo_{column}"),
                               b.number_input(f"{md(column)} to", value=hi, key=f"hi_{column}"))
        else:
            filters[column] = ("contains", st.text_input(f"{md(column)} contains", key=f"f_{column}"))
    search = st.text_input("Text contains")
    if search:
        filters["text"] = ("contains", search)
    frame = filtered(loaded.rows(), filters)
    page = st.number_input("Page", min_value=1, value=1, step=1) - 1
    shown, total = page_of(frame, int(page), PAGE_SIZE)
    st.caption(f"{total:,} rows match; page {page + 1} of {max(1, -(-total // PAGE_SIZE)):,}")
    st.dataframe(shown_visibly(shown), hide_index=True, width="stretch")


def compare(loaded, reports) -> None:
    st.title("Compare")
    if len(reports) < 2:
        return _not_run("A comparison", "qcaudit dashboard DIR_A DIR_B (start with two reports)")
    names = [r.name for r in reports]
    pick = {r.name: r.report for r in reports}
    a, b = st.columns(2)
    first = a.selectbox("Report A", names, index=names.index(loaded.name))
    others = [name for name in names if name != first]
    alike = [name for name in others if _kind(pick[name]) == _kind(pick[first])]
    second = b.selectbox("Report B", names, index=names.index((alike or others)[0]))
    left, right = _numbers(pick[first]), _numbers(pick[second])
    table = [_change(key, left[key], right[key]) for key in left if key in right]
    if not table:
        st.info(f"These reports share no metric: A is {_kind(pick[first])}, B {_kind(pick[second])}.")
        return None
    read = [pick[name].dataset.get("text_source") for name in (first, second)]
    if read[0] != read[1]:  # a whole row against its answer alone: the numbers move for that too
        st.warning(f"The reports read different text: A {md(read[0])}, B {md(read[1])}. Their metrics differ for that too.")
    table.sort(key=lambda row: -abs(row["change"]) if row["large change"] else 1.0)  # large changes first, then in order
    st.caption(f"A change of {LARGE_CHANGE:.0%} or more of the larger value is marked: better or worse by the metric's "
               "direction, else changed.")
    columns = {"section": pl.String, "metric": pl.String, "A": pl.Float64, "B": pl.Float64, "B - A": pl.Float64,
               "change": pl.Float64, "large change": pl.String}
    frame = pl.DataFrame(table, schema=columns)
    st.dataframe(frame.to_pandas().style.apply(_change_colour, axis=1).format({"change": "{:+.1%}"}), hide_index=True,
                 width="stretch")
    only = [(key, name) for key in sorted(set(left) ^ set(right)) for name, side in (("A", left), ("B", right)) if key in side]
    if only and st.checkbox(f"Show the {len(only)} metrics only one report has", key="compare-only"):
        st.dataframe(pl.DataFrame([{"section": k[0], "metric": k[1], "only in": name} for k, name in only]), hide_index=True)
    verdicts = st.columns(2)
    verdicts[0].write(f"A gate: {_verdict(pick[first].gate.verdict)}")
    verdicts[1].write(f"B gate: {_verdict(pick[second].gate.verdict)}")


def _kind(report) -> str:
    """What a report is, as Compare names it: an audit's and a drift run's share no metric."""
    return "a drift report" if report.is_drift else "an audit"


def _numbers(report) -> dict[tuple[str, str], MetricLine]:
    """(section, metric) -> the metric, for every metric with a number."""
    return {(section.name, line.name): line for section in sections(report) for line in section.metrics if _scalar(line.value)}


def _change(key: tuple[str, str], a: MetricLine, b: MetricLine) -> dict[str, object]:
    """A metric's row of the comparison: both values, the difference, the change as a share
    of the larger value, and whether that is large and which way is better."""
    x, y = float(a.value), float(b.value)
    scale = max(abs(x), abs(y))
    change = (y - x) / scale if scale else 0.0
    large = ""
    if abs(change) >= LARGE_CHANGE:
        large = {"higher": "better" if y > x else "worse", "lower": "better" if y < x else "worse"}.get(a.better or "", "changed")
    return {"section": key[0], "metric": key[1], "A": x, "B": y, "B - A": y - x, "change": change, "large change": large}


def _change_colour(row) -> list[str]:
    colour = {"worse": "#ffebe9", "better": "#dafbe1", "changed": "#fff8c5"}.get(row["large change"], "")
    return [f"background-color: {colour}" if colour else ""] * len(row)


PAGES = {
    "Overview": overview,
    **{title: _section_page(title, producers) for title, producers in pages().items()},
    "Rows": rows, "Compare": compare,
}

main()
