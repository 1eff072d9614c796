"""A report as the renderers see it: one section per part that produced tables or metrics
(each analyzer, and the drift command), with its heading and its views.

The console, the HTML page and the dashboard all read sections from here, and draw each
view by its kind (:mod:`qcaudit.views`): none of them names an analyzer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from qcaudit.drift import DriftSection
from qcaudit.registry import analyzers
from qcaudit.report.model import Report
from qcaudit.views import View


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
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]: ...


@dataclass(frozen=True)
class ReportSection:
    name: str
    title: str
    views: list[View]
    #: metric name -> {"value", "signature"} as report.json holds it.
    metrics: dict[str, dict[str, Any]]


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
        views = producer.views(tables, values, report.config) if producer is not None and tables else []
        out.append(ReportSection(name, producer.heading() if producer else name, views, metrics))
    return out


def pages() -> dict[str, list[type[Producer]]]:
    """Dashboard page title -> the producers drawn on it, in order."""
    out: dict[str, list[type[Producer]]] = {}
    for producer in producers().values():
        out.setdefault(producer.dashboard_page(), []).append(producer)
    return out
