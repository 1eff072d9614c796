"""The rich console summary of a report and of a gate result, and every section's views as
text (``qcaudit show``): tables as tables, histograms as one-line sparklines, maps by their
size. Every string from a report goes through :func:`qcaudit.untrusted.console`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from qcaudit.benchmarks import ITEM_ID, ITEM_TEXT
from qcaudit.gate import FAIL, PASS, GateResult
from qcaudit.inspection import Inspection
from qcaudit.report.model import Report, audited_rows
from qcaudit.report.sections import ReportSection, sections
from qcaudit.untrusted import console as safe
from qcaudit.views import Column, Groups, Histogram, Notice, Pairs, RankedRows, Scatter, Series, Stat, one_line, shown_sources

SNIPPET = 120
SPARKS = "▁▂▃▄▅▆▇█"
#: How a series value is shown.
_NUMBER = Column("value", "value", ".4g")
_NOTICE_STYLE = {"ok": "green", "alarm": "bold red", "warning": "yellow", "info": "white"}
#: A series table's point labels (generation names) wrap beyond this many characters.
_SERIES_HEADER = 12


def print_summary(console: Console, report: Report, written: dict[str, Path] | None = None) -> None:
    """The dataset line, the headline metrics, the sections' verdicts (the collapse alarm),
    the gate. Every dataset-derived string (file and column names, metric keys such as
    benchmark names) is escaped."""
    data = report.dataset
    statuses = ", ".join(f"{count:,} {status}" for status, count in data["text_rows"].items() if count)
    console.print(f"[bold]{safe(shown_sources(data['sources']))}[/] ({data['format']}): "
                  f"{audited_rows(data)}; text from {safe(data['text_source'])}{f' ({statuses})' if statuses else ''}",
                  highlight=False)
    table = Table(title="metrics", title_justify="left")
    table.add_column("metric", overflow="fold")  # (a narrow terminal cut per-benchmark names alike: contamination.contaminat…)
    table.add_column("value", justify="right", no_wrap=True)
    for section in sections(report):
        for line in section.metrics:
            if line.headline and isinstance(line.value, int | float):
                table.add_row(safe(f"{section.name}.{line.name}"), f"{line.value:.4g}")
    if table.row_count:
        console.print(table)
    for section in sections(report):
        for verdict in section.verdicts:
            _notice(console, verdict, 0)
    print_gate(console, report.gate)
    print_written(console, written or {})


#: Characters of a row's text or part that ``qcaudit inspect`` shows, on one line.
SHOWN_CHARS = 240


def print_inspection(console: Console, inspection: Inspection) -> None:
    """How a dataset is read (:mod:`qcaudit.inspection`): the dataset line a report starts
    with, the columns behind the text and each part, then the first rows' text and parts,
    each on one line, cut to :data:`SHOWN_CHARS`. Every dataset-derived string is escaped."""
    data = {"rows": inspection.rows, "input_rows": inspection.input_rows}
    console.print(f"[bold]{safe(shown_sources(inspection.sources))}[/] ({inspection.format}): "
                  f"{audited_rows(data)}; text from {safe(inspection.text_source)}", highlight=False)
    table = Table(title="read from", title_justify="left")
    table.add_column("part")
    table.add_column("columns", overflow="fold")
    for part, columns in inspection.read_from.items():
        table.add_row(safe(part), safe(", ".join(columns)))
    console.print(table)
    if not inspection.parts:
        console.print("no prompt, response or preference pair found: the analyzers of prompts and responses need "
                      "--prompt-fields and --response-field (or --chosen-field and --rejected-field)", highlight=False)
    for row in inspection.first_rows.iter_rows(named=True):
        console.print(f"[bold]row {row['row_id']}[/] ({safe(row['text_status'])})", highlight=False)
        _print_values(console, row, ("text", *inspection.parts))
    for bench in inspection.benchmarks:
        console.print(f"[bold]benchmark {safe(bench.name)}[/]: {bench.items:,} items from {safe(shown_sources(list(bench.sources)))}, "
                      f"read as {safe(bench.read_as)}", highlight=False, soft_wrap=True)
        for item in bench.first_items.iter_rows(named=True):
            console.print(f"[bold]item {safe(item[ITEM_ID])}[/]", highlight=False)
            given = tuple(part for part in bench.parts if item[part] is not None)  # (a question of one line has no stem)
            _print_values(console, {"text": item[ITEM_TEXT]} | {part: item[part] for part in given}, ("text", *given))


def _print_values(console: Console, values: dict[str, Any], names: tuple[str, ...]) -> None:
    """A row's or an item's values, ``name: value`` a line each, cut to :data:`SHOWN_CHARS`;
    a list (an item's answer options) its values joined by `` | ``."""
    for name in names:
        value = values[name]
        if isinstance(value, list):
            value = " | ".join(str(v) for v in value)
        shown = "null" if value is None else safe(one_line(value, SHOWN_CHARS)) if isinstance(value, str) else safe(value)
        console.print(f"  {name}: {shown}", highlight=False, soft_wrap=True)


def print_series(console: Console, report: Report) -> None:
    """Every section's series as tables of metric by point: the drift command shows each
    metric's course over the generations this way before its summary."""
    for section in sections(report):
        for view in section.views:
            if isinstance(view, Series):
                _series(console, view, len(view.x))


def print_written(console: Console, written: dict[str, Path]) -> None:
    for kind, path in written.items():
        console.print(f"wrote {kind:5s} {safe(path)}", highlight=False)


def print_gate(console: Console, gate: GateResult) -> None:
    if not gate.checks:
        console.print("gate: no thresholds configured (add a \\[gate] table to qcaudit.toml)")
        return
    table = Table(title="gate", title_justify="left")
    for column in ("check", "value", "threshold", "result"):
        table.add_column(column, justify="right" if column in ("value", "threshold") else "left",
                         overflow="fold" if column == "check" else "ellipsis", no_wrap=column != "check")
    for check in gate.checks:
        value = "missing" if check.value is None else f"{check.value:.6g}"
        op = ">=" if check.threshold_key.startswith("min_") else "<="
        result = "[green]pass[/]" if check.passed else "[bold red]FAIL[/]"
        table.add_row(safe(check.metric), value, f"{op} {check.threshold:g}", result)
    console.print(table)
    for check in gate.checks:
        if check.value is None or check.finding:  # (what would report it; what lies behind a failed value)
            console.print(safe(check.message))
    colour = {PASS: "green", FAIL: "red"}.get(gate.verdict, "white")
    console.print(f"gate verdict: [bold {colour}]{gate.verdict.upper()}[/]")


def print_sections(console: Console, report: Report, limit: int = 5, only: str | None = None) -> None:
    """Each section of ``report`` (or only the one named), its views as text, at most
    ``limit`` records per table."""
    for section in sections(report):
        if only is None or section.name == only:
            print_section(console, section, limit)


def print_section(console: Console, section: ReportSection, limit: int) -> None:
    """The section's views but its verdicts, which :func:`print_summary` shows."""
    console.rule(f"[bold]{safe(section.title)}[/]", align="left")
    verdicts = section.verdicts
    for view in section.views:
        printer = _PRINTERS.get(type(view))
        if printer is not None and view not in verdicts:
            printer(console, view, limit)
    _metrics(console, section)


def _metrics(console: Console, section: ReportSection) -> None:
    """The section's metrics, each with which way is better, its public values and meaning."""
    if not section.metrics:
        return
    table = Table(title="metrics", title_justify="left")
    for column in ("metric", "value", "better", "on public data", "what it measures"):
        table.add_column(column, justify="right" if column == "value" else "left", overflow="fold")
    for line in section.metrics:
        table.add_row(safe(line.name), line.shown, line.direction, safe(" · ".join(r.shown for r in line.references)),
                      safe(line.definition))
    console.print(table)


def _snippet(text: object) -> str:
    return safe(one_line(text, SNIPPET))


def _sparkline(counts: Sequence[float]) -> str:
    top = max(counts, default=0) or 1
    return "".join(SPARKS[min(len(SPARKS) - 1, int(c / top * (len(SPARKS) - 1) + 0.5))] if c else " " for c in counts)


def _notice(console: Console, view: Notice, _limit: int) -> None:
    console.print(f"[{_NOTICE_STYLE[view.level]}]{safe(view.text)}[/]", highlight=False)


def _stat(console: Console, view: Stat, _limit: int) -> None:
    console.print(f"{safe(view.label)}: [bold]{view.shown}[/]", highlight=False)


def _histogram(console: Console, view: Histogram, _limit: int) -> None:
    edges = view.edges
    span = f"{edges[0]:.4g} … {edges[-1]:.4g}" if len(edges) > 1 else "no values"
    marks = "".join(f"; {safe(m.label or 'marker')} at {m.x:g}" for m in view.markers)
    console.print(f"{safe(view.title)} ({safe(view.x_title)}: {span}{marks})", highlight=False)
    for name, counts in view.counts.items():
        label = f"{safe(name):>8s} " if len(view.counts) > 1 else "  "
        console.print(f"{label}[cyan]{_sparkline(counts)}[/]", highlight=False)


def _series(console: Console, view: Series, limit: int) -> None:
    """A table of metric by point (generation); as many tables, one after another, as the
    points need to fit the console's width, each led by the metric names whole: a cell cut
    or wrapped would read "distinc…" for every distinct_n, or 0.6 for 0.63."""
    shown = list(view.x)[:max(limit, 12)]
    names = [safe(name) for name in view.y]
    rows = [[_snippet(_NUMBER.shown(v)) for v in list(values)[: len(shown)]] for values in view.y.values()]
    lead = max(map(len, [*names, safe(view.x_title)]))
    widths = [max([min(len(_snippet(x)), _SERIES_HEADER), *(len(row[i]) for row in rows)]) for i, x in enumerate(shown)]
    chunks, room = [[]], console.width - lead - 4  # the lead column's borders and padding
    for i, width in enumerate(widths):
        if chunks[-1] and sum(widths[j] + 3 for j in chunks[-1]) + width + 3 > room:
            chunks.append([])
        chunks[-1].append(i)
    for n, chunk in enumerate(chunks):
        table = Table(title=safe(view.title) if n == 0 else None, title_justify="left")
        table.add_column(safe(view.x_title), min_width=lead, no_wrap=True)
        for i in chunk:
            table.add_column(_snippet(shown[i]), justify="right", overflow="fold", min_width=widths[i])
        for name, row in zip(names, rows, strict=True):
            table.add_row(name, *(row[i] for i in chunk))
        console.print(table)


def _scatter(console: Console, view: Scatter, _limit: int) -> None:
    flagged = sum(1 for p in view.points if p.flag)
    console.print(f"{safe(view.title)}: {len(view.points):,} points, {flagged:,} flagged (drawn in report.html)", highlight=False)


def _ranked_rows(console: Console, view: RankedRows, limit: int) -> None:
    table = Table(title=safe(view.title), title_justify="left", caption=safe(view.caption) or None)
    for column in view.columns:
        table.add_column(safe(column.label), justify="left" if column.text or not column.format else "right",
                         overflow="fold")
    for record in view.records[:limit]:
        table.add_row(*(_snippet(c.shown(record.get(c.key))) for c in view.columns))
    _print_table(console, table, len(view.records), limit)


def _groups(console: Console, view: Groups, limit: int) -> None:
    table = Table(title=safe(view.title), title_justify="left")
    table.add_column(safe(view.key_label), justify="right")
    table.add_column("rows", justify="right")
    table.add_column("first member", overflow="fold")
    for group in view.groups[:limit]:
        table.add_row(str(group.key), f"{group.size:,}", _snippet(group.examples[0]) if group.examples else "")
    _print_table(console, table, len(view.groups), limit)


def _pairs(console: Console, view: Pairs, limit: int) -> None:
    table = Table(title=safe(view.title), title_justify="left")
    for column in ("row_id", "found by", view.left_title, view.right_title):
        table.add_column(safe(column), overflow="fold")
    for pair in view.pairs[:limit]:
        table.add_row(str(pair.row_id), f"{safe(pair.heading)}\n{safe(pair.subheading)}",
                      _snippet("".join(t for t, _ in pair.left)), _snippet("".join(t for t, _ in pair.right)))
    _print_table(console, table, len(view.pairs), limit)


def _print_table(console: Console, table: Table, total: int, limit: int) -> None:
    console.print(table)
    if total > limit:
        console.print(f"[dim]… {total - limit:,} more (report.html, the dashboard)[/]", highlight=False)


_PRINTERS: dict[type, object] = {
    Notice: _notice, Stat: _stat, Histogram: _histogram, Series: _series, Scatter: _scatter,
    RankedRows: _ranked_rows, Groups: _groups, Pairs: _pairs,
}
