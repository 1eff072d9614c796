"""The static HTML report: one self-contained file that works offline.

Charts are the same plotly figures the dashboard shows (:mod:`qcaudit.report.figures`),
drawn by plotly.js's *basic* partial bundle (bar, scatter, pie: 1.2 MB), inlined from
``reports/vendor/`` (``scripts/vendor_plotly_basic.py`` fetches it) instead of the full
4.8 MB plotly.js, so the quick start's page stays small and keeps its hover text.

Dataset text is untrusted: every value the template prints goes through
:func:`qcaudit.untrusted.html_text` (escaped, with control, bidirectional and invisible
characters shown as boxed code points, ``U+202E``), and figure JSON is embedded with ``<``,
``>`` and ``&`` written as JSON unicode escapes, so no dataset string can close a tag or a
script, reorder the text around it or hide in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import plotly.graph_objects as go
from markupsafe import Markup

from qcaudit import __version__
from qcaudit.report.figures import figure
from qcaudit.report.model import SCHEMA_VERSION, Report, audited_rows
from qcaudit.report.references import reference_corpora
from qcaudit.report.sections import ReportSection, sections
from qcaudit.untrusted import html_text
from qcaudit.views import CHARTS, FrequentNgrams, Notice, RowHistograms, shown_sources

TEMPLATE = "report.html.j2"
PLOTLY_BUNDLE = "vendor/plotly-basic.min.js"
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def figure_html(fig: go.Figure, div_id: str) -> Markup:
    """A div plus the script that draws ``fig`` in it once the page is laid out, so the
    figure takes its grid cell's final width (plotly.js must already be loaded)."""
    spec = fig.to_json().translate(_SCRIPT_SAFE)
    return Markup(
        f'<div id="{div_id}" class="figure"></div>'
        f'<script>document.addEventListener("DOMContentLoaded",function(){{var f={spec};'
        f'Plotly.newPlot("{div_id}",f.data,f.layout,{{displaylogo:false,responsive:true}});}});</script>'
    )


def _shown(value: object) -> object:
    """Every printed string, escaped with its invisible characters made visible; markup
    the renderer made itself (figures, plotly.js) passes as it is."""
    return html_text(value) if isinstance(value, str) and not isinstance(value, Markup) else value


@dataclass(frozen=True)
class Figures:
    """Consecutive charts of a section, drawn side by side."""

    figures: list[Markup]
    kind: str = "figures"


@dataclass(frozen=True)
class PageSection:
    section: ReportSection
    blocks: list[Any]


@dataclass(frozen=True)
class Verdict:
    """A section's verdict notice (ok or alarm: the collapse alarm), shown at the top of the
    page beside the gate's, with a link to its section."""

    section: ReportSection
    notice: Notice


def _page_sections(report: Report) -> tuple[list[PageSection], list[Verdict]]:
    """Each section's views in order, runs of charts gathered into one grid, and the
    sections' verdicts, which go to the top; the views that read rows.parquet are for the
    dashboard."""
    out, verdicts, drawn = [], [], 0
    for section in sections(report):
        blocks: list[Any] = []
        for view in section.views:
            if isinstance(view, RowHistograms | FrequentNgrams):
                continue
            if isinstance(view, Notice) and view.is_verdict:
                verdicts.append(Verdict(section, view))
            elif isinstance(view, CHARTS):
                chart = figure_html(figure(view), f"figure-{drawn}")
                drawn += 1
                if blocks and isinstance(blocks[-1], Figures):
                    blocks[-1].figures.append(chart)
                else:
                    blocks.append(Figures([chart]))
            else:
                blocks.append(view)
        out.append(PageSection(section, blocks))
    return out, verdicts


def render_html(report: Report) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             finalize=_shown)
    template = env.from_string(resources.files("qcaudit.templates").joinpath(TEMPLATE).read_text("utf-8"))
    pages, verdicts = _page_sections(report)
    return template.render(
        report=report,
        sections=pages,
        verdicts=verdicts,
        corpora=reference_corpora() if any(m.references for p in pages for m in p.section.metrics) else {},
        plotly_js=Markup(resources.files("qcaudit.templates").joinpath(PLOTLY_BUNDLE).read_text("utf-8")),
        version=__version__,
        schema_version=SCHEMA_VERSION,
        audited_rows=audited_rows,
        shown_sources=shown_sources,
    )


def write_report(report: Report, out_dir: str | Path, html: bool = True) -> dict[str, Path]:
    """Write the report's files to ``out_dir``, report.html too unless ``html`` is false."""
    if not isinstance(report, Report):  # (a report.json loaded as a dict, say: 'dict' object has no attribute 'write')
        raise TypeError("write_report takes the Report that qcaudit.audit returns (qcaudit.report.model.Report.read "
                        f"loads a saved one), not a {type(report).__name__}")
    return report.write(out_dir, render_html(report) if html else None)
