"""Plotly figures of the chart views (:mod:`qcaudit.views`). The static HTML report and the
dashboard both use them, so a chart looks the same wherever it is shown. Only the trace
types of plotly.js's basic bundle (:data:`TRACE_TYPES`), which the HTML report inlines.

Plotly renders a subset of HTML (links, styles) in titles, labels and hover text, so every
string a view carries is escaped here, its invisible characters shown."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from qcaudit.untrusted import visible
from qcaudit.views import Histogram, Scatter, Series, View

#: The trace types plotly.js's basic bundle draws (the HTML report carries only that bundle).
TRACE_TYPES = frozenset({"bar", "scatter", "pie"})
#: Every figure's layout to start from: made once, as plotly copies a template named by a
#: string out of its registry each time (a figure made in 16 ms instead of 24, 2026-12-05).
_LAYOUT = go.Layout(template="plotly_white", height=320, margin=dict(l=50, r=20, t=50, b=45))
_PALETTE = ("#4c78a8", "#e45756", "#72b7b2", "#f58518", "#54a24b", "#b279a2", "#9d755d", "#eeca3b")


def plotly_text(text: object) -> str:
    """Dataset text for a plotly label or hover: escaped, invisible characters shown."""
    return html.escape(visible(text, keep="\n"))


def figure(view: View) -> go.Figure | None:
    """The figure of a chart view; None for a view that is not a chart."""
    if isinstance(view, Histogram):
        return _histogram(view)
    if isinstance(view, Series):
        return _series(view)
    if isinstance(view, Scatter):
        return _scatter(view)
    return None


def _layout(fig: go.Figure, title: str, x_title: str, y_title: str, **extra) -> go.Figure:
    fig.update_layout(title=plotly_text(title), xaxis_title=plotly_text(x_title), yaxis_title=plotly_text(y_title), **extra)
    return fig


def _histogram(view: Histogram) -> go.Figure:
    """Bars spanning their bins; several count series overlay."""
    edges = view.edges
    centres = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=True)]
    widths = [b - a for a, b in zip(edges[:-1], edges[1:], strict=True)]
    several = len(view.counts) > 1
    fig = go.Figure(layout=_LAYOUT, data=[
        go.Bar(x=centres, y=list(counts), width=widths, name=plotly_text(name), marker_color=_PALETTE[i % len(_PALETTE)],
               opacity=0.7 if several else 1.0)
        for i, (name, counts) in enumerate(view.counts.items())
    ])
    for marker in view.markers:
        fig.add_vline(x=marker.x, line_dash="dash", line_color="#a40e26", annotation_text=plotly_text(marker.label))
    whole = len(centres) <= 20 and all(float(c).is_integer() and w == 1 for c, w in zip(centres, widths, strict=True))
    ticks = {"xaxis_dtick": 1} if whole else {}  # (a bin a whole number: no ticks between them)
    return _layout(fig, view.title, view.x_title, view.y_title, bargap=0.02, barmode="overlay", showlegend=several, **ticks)


def _series(view: Series) -> go.Figure:
    x = [plotly_text(v) if isinstance(v, str) else v for v in view.x]
    fig = go.Figure(layout=_LAYOUT)
    for i, (name, values) in enumerate(view.y.items()):
        colour = _PALETTE[(i + 2) % len(_PALETTE)] if view.style == "bars" else None
        if view.style == "bars":
            labels = [f"{v:.3f}" if isinstance(v, float) else "" for v in values]
            fig.add_trace(go.Bar(x=x, y=list(values), name=plotly_text(name), marker_color=colour, text=labels,
                                 textposition="outside" if len(values) <= 12 else "none"))
        else:
            fig.add_trace(go.Scatter(x=x, y=list(values), mode="lines+markers", name=plotly_text(name)))
    extra = {"yaxis_range": list(view.y_range)} if view.y_range else {}
    return _layout(fig, view.title, view.x_title, view.y_title, showlegend=len(view.y) > 1, **extra)


def _scatter(view: Scatter) -> go.Figure:
    points = view.points
    hover = [f"row {p.row_id} · {plotly_text(view.colour_title)} {p.colour}{' (' + plotly_text(p.label) + ')' if p.label else ''}"
             f"{' · ' + plotly_text(p.flag) if p.flag else ''}<br>{plotly_text(p.text)}" for p in points]
    fig = go.Figure(layout=_LAYOUT, data=go.Scatter(  # SVG: the HTML report's plotly.js bundle has no WebGL traces
        x=[p.x for p in points], y=[p.y for p in points], mode="markers",
        marker=dict(color=[p.colour for p in points], colorscale="Turbo", opacity=0.75,
                    size=[9 if p.flag else 5 for p in points], symbol=["x" if p.flag else "circle" for p in points]),
        hovertext=hover, hoverinfo="text",
    ))
    return _layout(fig, view.title, view.x_title, view.y_title)
