"""The rich console summary of a report and of a gate result."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from qcaudit.gate import FAIL, PASS, GateResult
from qcaudit.registry import analyzers
from qcaudit.report.model import Report
from qcaudit.untrusted import console as safe


def print_summary(console: Console, report: Report, written: dict[str, Path] | None = None) -> None:
    """The dataset line, the headline metrics, the gate. Every dataset-derived string (file
    and column names, metric keys such as benchmark names) is escaped."""
    data = report.dataset
    statuses = ", ".join(f"{count:,} {status}" for status, count in data["text_rows"].items() if count)
    console.print(f"[bold]{safe(', '.join(data['sources'][:3]))}[/] ({data['format']}): "
                  f"{data['rows']:,} rows; text from {safe(data['text_source'])} ({statuses})", highlight=False)
    table = Table(title="metrics", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for analyzer, metrics in report.metrics.items():
        cls = analyzers().get(analyzer)
        headlines = [spec.name for spec in cls.metrics() if spec.headline] if cls else []
        for headline in headlines:  # a headline also names its per-key metrics, <name>.<key>
            for name in (n for n in metrics if n == headline or n.startswith(headline + ".")):
                table.add_row(safe(f"{analyzer}.{name}"), f"{metrics[name]['value']:.4g}")
    console.print(table)
    print_gate(console, report.gate)
    print_written(console, written or {})


def print_written(console: Console, written: dict[str, Path]) -> None:
    for kind, path in written.items():
        console.print(f"wrote {kind:5s} {safe(path)}", highlight=False)


def print_gate(console: Console, gate: GateResult) -> None:
    if not gate.checks:
        console.print("gate: no thresholds configured (add a \\[gate] table to qcaudit.toml)")
        return
    table = Table(title="gate", title_justify="left")
    for column in ("check", "value", "threshold", "result"):
        table.add_column(column, justify="right" if column in ("value", "threshold") else "left")
    for check in gate.checks:
        value = "missing" if check.value is None else f"{check.value:.6g}"
        op = ">=" if check.threshold_key.startswith("min_") else "<="
        result = "[green]pass[/]" if check.passed else "[bold red]FAIL[/]"
        table.add_row(safe(check.metric), value, f"{op} {check.threshold:g}", result)
    console.print(table)
    colour = {PASS: "green", FAIL: "red"}.get(gate.verdict, "white")
    console.print(f"gate verdict: [bold {colour}]{gate.verdict.upper()}[/]")
