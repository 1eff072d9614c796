"""The qcaudit dashboard: ``qcaudit dashboard DIR ...`` (Streamlit).

Reads only the report directories it was started with (report.json + rows.parquet). Charts
come from :mod:`qcaudit.report.figures`, the builders of the static HTML report. Dataset text
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
from qcaudit.signatures import histogram
from qcaudit.gate import FAIL, NO_THRESHOLDS, PASS
from qcaudit.report import figures
from qcaudit.report.model import ROWS_PARQUET
from qcaudit.untrusted import html_text, markdown as md, visible

PAGE_SIZE = 50


def main() -> None:
    st.set_page_config(page_title="qcaudit", layout="wide")
    reports = _reports()
    if not reports:
        st.error("No report to show: start the dashboard with `qcaudit dashboard DIR` (a directory from `qcaudit report`).")
        return
    by_name = {r.name: r for r in reports}
    chosen = by_name[st.sidebar.selectbox("Report", list(by_name))]
    page = st.sidebar.radio("Page", list(PAGES), key="page")
    st.sidebar.caption(md(chosen.path))
    PAGES[page](chosen, reports)


@st.cache_resource
def _load(dirs: tuple[str, ...]):
    return load_reports([Path(d) for d in dirs])


def _reports():
    return _load(tuple(str(d) for d in report_dirs()))


def _not_run(what: str, how: str) -> None:
    st.info(f"{what} did not run for this report. To include it: `{how}`.")


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
    if gate.checks:
        st.dataframe(pl.DataFrame([{"check": c.metric, "value": c.value, "threshold": f"{'>=' if c.threshold_key.startswith('min_') else '<='} {c.threshold:g}",
                                    "result": "pass" if c.passed else "FAIL"} for c in gate.checks]), hide_index=True)
    data = report.dataset
    cols = st.columns(3)
    cols[0].metric("rows", f"{data['rows']:,}")
    cols[1].metric("rows with text", f"{data['text_rows'].get('ok', 0):,}")
    cols[2].metric("analyzers", len(report.metrics))
    st.caption(md(f"{', '.join(data['sources'][:3])} ({data['format']}); text from {data['text_source']}"))
    st.subheader("Rows that need attention")
    flagged = flagged_rows(loaded, 12) if loaded.has_rows else pl.DataFrame()
    for row in flagged.iter_rows(named=True):
        st.text(visible(f"row {row['row_id']} · {row['flag']}: {(row['text'] or '')[:240]}", keep="\n\t"))
    if not flagged.height:
        st.write("No row was flagged.")
    else:
        st.caption("The first flagged rows; the Rows page filters them all.")
    st.subheader("Metrics")
    metrics = [{"analyzer": a, "metric": m, "value": float(value), "signature": v["signature"]}
               for (a, m), (value, v) in _scalar_metrics(report).items()]
    st.dataframe(pl.DataFrame(metrics, schema={"analyzer": pl.String, "metric": pl.String, "value": pl.Float64, "signature": pl.String}),
                 hide_index=True, width="stretch")


def _verdict(verdict: object) -> str:
    """A gate verdict in capitals; anything but the three a report can hold is shown as data."""
    return str(verdict).upper() if verdict in (PASS, FAIL, NO_THRESHOLDS) else md(verdict)


def _scalar_metrics(report) -> dict[tuple[str, str], tuple[float, dict]]:
    """(analyzer, metric) -> (number, the metric's entry), leaving out structured values
    (drift's per-generation list is drawn on the Drift page)."""
    return {(a, m): (v["value"], v) for a, ms in report.metrics.items() for m, v in ms.items()
            if isinstance(v, dict) and isinstance(v.get("value"), int | float)}


def diversity(loaded, _all) -> None:
    st.title("Diversity")
    if "diversity" not in loaded.report.tables:
        return _not_run("Lexical diversity", "qcaudit report DATA --analyzers diversity")
    _charts(figures.diversity_figures(loaded.report))
    if loaded.has_rows:
        columns = [c for c in loaded.row_columns() if c.startswith("repetition_")]
        if columns:
            rep = st.selectbox("Repetition per row", columns)
            values = loaded.rows().select(rep).drop_nulls().collect()[rep].to_numpy()
            st.plotly_chart(figures.histogram_figure(histogram(values, 40), f"per-row {rep}", "repeated n-gram share"), width="stretch")
        n = st.radio("Most frequent n-grams", [1, 2, 3], horizontal=True, format_func=lambda k: f"{k}-grams")
        lowercase = bool(loaded.report.config.get("text", {}).get("lowercase"))
        st.dataframe(_top_ngrams(str(loaded.path / ROWS_PARQUET), n, lowercase), hide_index=True)
        st.caption("Over every k-th row (at most 50,000 rows), whitespace tokens.")


@st.cache_data(show_spinner="Counting n-grams...")
def _top_ngrams(rows_path: str, n: int, lowercase: bool) -> pl.DataFrame:
    return top_ngrams(Path(rows_path), n, lowercase)


def contamination(loaded, _all) -> None:
    st.title("Contamination")
    tables = loaded.report.tables.get("contamination")
    if not tables:
        return _not_run("Contamination", "qcaudit report DATA --benchmark gsm8k=test.jsonl")
    st.caption(md("Checked against " + ", ".join(f"{b['name']} ({b['items']:,} items)" for b in tables["benchmarks"])))
    examples = tables["examples"]
    benchmarks = sorted({e["benchmark"] for e in examples})
    methods = sorted({e["method"] for e in examples})
    keep_b = st.multiselect("Benchmarks", benchmarks, default=benchmarks)
    keep_m = st.multiselect("Methods", methods, default=methods)
    shown = [e for e in examples if e["benchmark"] in keep_b and e["method"] in keep_m]
    st.write(f"{len(shown)} of {len(examples)} flagged rows shown (shared runs of 3+ words marked).")
    for e in shown:
        st.html(
            f"<div style='display:grid;grid-template-columns:8rem 1fr 1fr;gap:.8rem;border-bottom:1px solid #ddd;padding:.4rem 0'>"
            f"<div>row {int(e['row_id'])}<br><small>{html_text(e['method'])} · {html_text(e['benchmark'])}<br>{html_text(e['item_id'])}"
            f"<br>{html_text(e.get('evidence') or '')}</small></div>"
            f"<div style='white-space:pre-wrap'>{highlighted(e['row_segments'])}</div>"
            f"<div style='white-space:pre-wrap'>{highlighted(e['item_segments'])}</div></div>"
        )


def duplicates(loaded, _all) -> None:
    st.title("Duplicates")
    tables = loaded.report.tables.get("duplicates")
    if not tables:
        return _not_run("Duplicate detection", "qcaudit report DATA --analyzers duplicates")
    kind = st.radio("Clusters", ["near duplicates", "exact duplicates"], horizontal=True)
    listed, column = ((tables.get("top_near_clusters") or [], "near_dup_cluster") if kind == "near duplicates"
                      else (tables.get("top_groups") or [], "exact_dup_group"))
    if not listed:
        st.write(f"No {kind}.")
        return
    st.dataframe(pl.DataFrame([{column: c[column], "size": c["size"]} for c in listed]), hide_index=True)
    cluster = st.selectbox("Cluster (largest first)", [c[column] for c in listed],
                           format_func=lambda k: f"{k} ({next(c['size'] for c in listed if c[column] == k)} rows)")
    members = loaded.rows().filter(pl.col(column) == cluster).select("row_id", "text").sort("row_id").head(6).collect()
    for slot, row in zip(st.columns(max(1, min(3, members.height))), members.head(3).iter_rows(named=True)):
        slot.caption(f"row {row['row_id']}")
        slot.text(visible(row["text"], keep="\n\t"))


def embeddings(loaded, _all) -> None:
    st.title("Embeddings")
    tables = loaded.report.tables.get("embeddings")
    if not tables:
        return _not_run("The embeddings analyzer", "qcaudit report DATA --analyzers diversity,embeddings")
    _charts(figures.embedding_figures(loaded.report))
    balance = tables.get("category_balance")
    if balance:
        st.subheader("Balance by category")
        st.dataframe(pl.DataFrame({"category": list(balance["counts"]), "rows": list(balance["counts"].values())}), hide_index=True)


def drift(loaded, _all) -> None:
    st.title("Drift")
    tables = loaded.report.tables.get("drift")
    if not tables:
        return _not_run("Drift", "qcaudit drift GEN0 GEN1 GEN2 --out DIR, then open DIR")
    alarm = tables["alarm"]
    (st.error if alarm["fired"] else st.success)(
        f"Collapse alarm: {'FIRED' if alarm['fired'] else 'quiet'}" + (f" ({md(', '.join(alarm['triggered_by']))})" if alarm["triggered_by"] else ""))
    for warning in tables.get("warnings", []):
        st.warning(md(warning))
    _charts(figures.drift_figures(loaded.report))


def detectors(loaded, _all) -> None:
    st.title("Detectors")
    report = loaded.report
    if "watermark" not in report.tables and "detectors" not in report.tables:
        return _not_run("Watermark and machine-text detection",
                        "qcaudit report DATA --watermark-tokenizer PATH --detectors fast_detect_gpt --scoring-model PATH")
    if "watermark" in report.tables:
        st.subheader("Watermark")
        st.metric("rows watermarked", f"{100 * report.metrics['watermark']['watermarked_rate']['value']:.2f}%")
        _charts(figures.watermark_figures(report))
    if "detectors" in report.tables:
        st.subheader("Machine-generated text")
        st.dataframe(pl.DataFrame(report.tables["detectors"]["summary"], strict=False), hide_index=True)
        _charts(figures.detector_figures(report))


def rows(loaded, _all) -> None:
    st.title("Rows")
    if not loaded.has_rows:
        return _not_run("A per-row table", "qcaudit report DATA --out DIR (writes rows.parquet)")
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
    a, b = st.columns(2)
    first = a.selectbox("Report A", names, index=0)
    second = b.selectbox("Report B", names, index=1)
    pick = {r.name: r.report for r in reports}

    left = {key: float(value) for key, (value, _) in _scalar_metrics(pick[first]).items()}
    right = {key: float(value) for key, (value, _) in _scalar_metrics(pick[second]).items()}
    table = []
    for key in sorted(set(left) | set(right)):
        x, y = left.get(key), right.get(key)
        table.append({"analyzer": key[0], "metric": key[1], "A": x, "B": y, "B - A": None if x is None or y is None else y - x})
    schema = {"analyzer": pl.String, "metric": pl.String, "A": pl.Float64, "B": pl.Float64, "B - A": pl.Float64}
    st.dataframe(pl.DataFrame(table, schema=schema), hide_index=True, width="stretch")
    verdicts = st.columns(2)
    verdicts[0].write(f"A gate: {_verdict(pick[first].gate.verdict)}")
    verdicts[1].write(f"B gate: {_verdict(pick[second].gate.verdict)}")


PAGES = {
    "Overview": overview, "Diversity": diversity, "Contamination": contamination, "Duplicates": duplicates,
    "Embeddings": embeddings, "Drift": drift, "Detectors": detectors, "Rows": rows, "Compare": compare,
}

main()
