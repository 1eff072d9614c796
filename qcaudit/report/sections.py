"""A report as the renderers see it: one section per part that produced tables or metrics
(each analyzer, and the drift command), with its heading and its views.

The console, the HTML page and the dashboard all read sections from here, and draw each
view by its kind (:mod:`qcaudit.views`): none of them names an analyzer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from qcaudit import __version__
from qcaudit.drift import DriftSection
from qcaudit.errors import QcauditError, first_line
from qcaudit.registry import MetricSpec, analyzers
from qcaudit.report.model import Report, report_json
from qcaudit.report.references import ReferenceValue, reference_values
from qcaudit.views import Notice, View, view_fault


class Producer(Protocol):
    """What produces a report section: an analyzer class, or the drift command's section."""

    name: str
    order: int

    @classmethod
    def heading(cls) -> str: ...

    @classmethod
    def dashboard_page(cls) -> str: ...

    @classmethod
    def how_to_run(cls) -> str: ...

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]: ...

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]: ...


@dataclass(frozen=True)
class MetricLine:
    """A metric as a reader needs it: its value and signature, what it measures, which way
    is better, and its value on public corpora (:mod:`qcaudit.report.references`)."""

    name: str
    value: Any
    signature: str
    definition: str = ""
    better: str | None = None
    references: tuple[ReferenceValue, ...] = ()
    #: One of its producer's headline metrics (the summaries show these).
    headline: bool = False

    @property
    def shown(self) -> str:
        """The value as text: a flag as yes/no, a count with separators, a number to six
        significant digits, a series (drift's generations) as a pointer to its charts."""
        value = self.value
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int):
            return f"{value:,}"
        if isinstance(value, float):
            return f"{value:.6g}"
        return "(charts above)"

    @property
    def direction(self) -> str:
        return {"higher": "↑ higher", "lower": "↓ lower"}.get(self.better or "", "")


@dataclass(frozen=True)
class ReportSection:
    name: str
    title: str
    views: list[View]
    metrics: list[MetricLine]

    @property
    def verdicts(self) -> list[Notice]:
        """The section's verdicts (the collapse alarm), which renderers show first, beside the gate's."""
        return [view for view in self.views if isinstance(view, Notice) and view.is_verdict]


def producers() -> dict[str, type[Producer]]:
    """Every producer of report sections by name, in the order sections are shown."""
    found: dict[str, Any] = {**analyzers(), DriftSection.name: DriftSection}
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


def sections(report: Report) -> list[ReportSection]:
    """The report's sections in order; a part no installed producer knows (a report from a
    plug-in that is not installed here) is shown by name with its metrics only."""
    known = producers()
    names = [n for n in known if n in report.tables or n in report.metrics]
    names += sorted(n for n in {*report.tables, *report.metrics} if n not in known)
    out = []
    for name in names:
        producer = known.get(name)
        tables = report.tables.get(name)
        metrics = report.metrics.get(name, {})
        values = {metric: entry["value"] for metric, entry in metrics.items()}
        views = _views(name, producer, tables, values, report.config) if producer is not None and tables else []
        out.append(ReportSection(name, producer.heading() if producer else name, views, _explained(name, producer, metrics)))
    return out


class UndrawableTables(Exception):
    """A producer's views failed on its tables: where they were read from a file (another
    qcaudit version's report, or one edited by hand: report.json's schema leaves each
    producer's tables to it), :func:`read_report` says so in one line; in a report being
    made, it is a bug, and ends as one."""

    def __init__(self, section: str, why: str) -> None:
        super().__init__(f"tables.{section} cannot be drawn ({why})")
        self.section, self.why = section, why


def _views(name: str, producer: type[Producer], tables: dict[str, Any], metrics: dict[str, Any],
           config: dict[str, Any]) -> list[View]:
    """The producer's views of its tables, or :class:`UndrawableTables` naming the section
    and the fault (a view's field, or the exception), not an exception from deep inside a
    renderer."""
    try:
        return producer.views(tables, metrics, config)
    except ValidationError as exc:
        raise UndrawableTables(name, view_fault(exc)) from exc
    except Exception as exc:
        why = f"{type(exc).__name__}: {first_line(exc)}" if str(exc).strip() else type(exc).__name__
        raise UndrawableTables(name, why) from exc


def read_report(path: str | Path) -> Report:
    """:meth:`Report.read`, and every section's views made once: a report whose tables cannot
    be drawn fails here, in one line naming the file, before a renderer prints half of it."""
    report = Report.read(path)
    try:
        sections(report)
    except UndrawableTables as exc:
        raise QcauditError(f"{report_json(path)}: malformed report: qcaudit {__version__} cannot draw tables.{exc.section} "
                           f"({exc.why}); 'qcaudit report' remakes the report") from None
    return report


def _explained(section: str, producer: type[Producer] | None, metrics: dict[str, dict[str, Any]]) -> list[MetricLine]:
    """Each metric with its producer's definition and direction (a per-key metric takes its
    family's: ``<family>.<key>`` such as ``detector_auroc.likelihood``, or
    ``<key>.<key>.<family>`` such as contamination's ``gsm8k.ngram.leak_rate``), and its
    public reference values. In the order the producer declares its metrics (distinct-1 to
    distinct-4 together, not each order's distinct, entropy and repetition in turn), a
    family's keys in the report's order, metrics it does not declare last."""
    specs = {spec.name: spec for spec in producer.metrics()} if producer is not None else {}
    place = {name: i for i, name in enumerate(specs)}
    placed = []
    for name, entry in metrics.items():
        spec = specs.get(name) or specs.get(name.split(".")[0]) or specs.get(name.split(".")[-1])
        line = MetricLine(name, entry["value"], entry["signature"], spec.definition if spec else "",
                          spec.better if spec else None, tuple(reference_values(f"{section}.{name}")), bool(spec and spec.headline))
        placed.append((place[spec.name] if spec else len(place), line))
    return [line for _, line in sorted(placed, key=lambda pair: pair[0])]  # (a stable sort)


def pages() -> dict[str, list[type[Producer]]]:
    """Dashboard page title -> the producers drawn on it, in order."""
    out: dict[str, list[type[Producer]]] = {}
    for producer in producers().values():
        out.setdefault(producer.dashboard_page(), []).append(producer)
    return out
