"""Plotly figure builders over a report's tables. The static HTML report and the dashboard
both use them, so a chart looks the same wherever it is shown."""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go

from qcaudit.report.model import Report
from qcaudit.untrusted import visible


def plotly_text(text: object) -> str:
    """Dataset text for a plotly label or hover: plotly renders a subset of HTML (links,
    styles) in them, so it is escaped, and its invisible characters shown."""
    return html.escape(visible(text, keep="\n"))

_LAYOUT = dict(template="plotly_white", height=320, margin=dict(l=50, r=20, t=50, b=45))


def histogram_figure(hist: dict[str, list], title: str, x_title: str, y_title: str = "rows") -> go.Figure:
    """A precomputed histogram ({"edges", "counts"}) as bars spanning their bins."""
    edges, counts = hist["edges"], hist["counts"]
    centres = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=True)]
    widths = [b - a for a, b in zip(edges[:-1], edges[1:], strict=True)]
    fig = go.Figure(go.Bar(x=centres, y=counts, width=widths, marker_color="#4c78a8"))
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title, bargap=0.02, **_LAYOUT)
    return fig


def distinct_figure(orders: list[dict[str, Any]]) -> go.Figure:
    """distinct-n for each n."""
    fig = go.Figure(
        go.Bar(
            x=[f"{o['n']}-gram" for o in orders],
            y=[o["distinct_ratio"] for o in orders],
            text=[f"{o['distinct_ratio']:.3f}" for o in orders],
            textposition="outside",
            marker_color="#72b7b2",
        )
    )
    fig.update_layout(title="distinct-n", yaxis_title="unique / total", yaxis_range=[0, 1.1], **_LAYOUT)
    return fig


def diversity_figures(report: Report) -> list[go.Figure]:
    """The lexical-diversity charts of a report, empty when the analyzer did not run."""
    tables = report.tables.get("diversity")
    if not tables:
        return []
    histograms = tables["histograms"]
    bleu_key = next(k for k in histograms if k.startswith("self_bleu_"))
    return [
        distinct_figure(tables["orders"]),
        histogram_figure(histograms[bleu_key], f"per-row {bleu_key.replace('_', '-')}", "BLEU vs all other rows"),
        histogram_figure(histograms["n_tokens"], "length in tokens", "tokens"),
        histogram_figure(histograms["n_chars"], "length in characters", "characters"),
    ]


def embedding_figures(report: Report) -> list[go.Figure]:
    """The embedding-diversity charts: the 2-D map, cluster sizes, pairwise cosines."""
    tables = report.tables.get("embeddings")
    if not tables:
        return []
    figures = []
    points = tables["map"]
    if points:
        # plotly renders a subset of HTML in hover text: escape the dataset text first.
        hover = [
            f"row {p['row_id']} · cluster {p['cluster']}{' · ' + p['flag'] if p.get('flag') else ''}<br>{plotly_text(p['text'])}"
            for p in points
        ]
        flagged = [bool(p.get("flag")) for p in points]
        fig = go.Figure(go.Scattergl(
            x=[p["x"] for p in points], y=[p["y"] for p in points], mode="markers",
            marker=dict(
                color=[p["cluster"] for p in points], colorscale="Turbo", opacity=0.75,
                size=[9 if f else 5 for f in flagged], symbol=["x" if f else "circle" for f in flagged],
            ),
            hovertext=hover, hoverinfo="text",
        ))
        fig.update_layout(title="embedding map (PCA): colour = cluster, x = flagged row", xaxis_title="PC 1",
                          yaxis_title="PC 2", **_LAYOUT)
        figures.append(fig)
    sizes = tables["cluster_sizes"]
    bars = go.Figure(go.Bar(x=list(range(1, len(sizes) + 1)), y=sizes, marker_color="#72b7b2"))
    bars.update_layout(title="cluster sizes (largest first)", xaxis_title="cluster rank", yaxis_title="rows", **_LAYOUT)
    figures.append(bars)
    figures.append(histogram_figure(tables["cosine_histogram"], "pairwise cosine (sample)", "cosine similarity", "pairs"))
    return figures


DRIFT_FAMILIES = {
    "lexical diversity": ("distinct_1", "distinct_2", "distinct_3", "distinct_4", "self_bleu_4"),
    "tails": ("tail_survival", "tail_mass"),
    "distribution shift": ("js_divergence", "length_ks"),
    "embeddings": ("fid_drift", "mmd", "recall_vs_baseline", "coverage_vs_baseline", "mean_pairwise_cosine"),
    "data mix": ("real_share",),
    "perplexity under the reference LM": ("perplexity_p10", "perplexity_median", "perplexity_p90"),
}


def drift_figures(report: Report) -> list[go.Figure]:
    """One timeline per metric family across generations."""
    tables = report.tables.get("drift")
    if not tables:
        return []
    generations = tables["generations"]
    names = [plotly_text(g["generation"]) for g in generations]
    figures = []
    for family, metrics in DRIFT_FAMILIES.items():
        fig = go.Figure()
        for metric in metrics:
            if metric in generations[0]:
                fig.add_trace(go.Scatter(x=names, y=[g[metric] for g in generations], mode="lines+markers", name=metric))
        if fig.data:
            fig.update_layout(title=family, xaxis_title="generation", **_LAYOUT)
            figures.append(fig)
    return figures


def watermark_figures(report: Report) -> list[go.Figure]:
    """The distribution of per-row watermark z-scores."""
    tables = report.tables.get("watermark")
    if not tables or not tables["z_histogram"]["counts"]:
        return []
    threshold = report.config["watermark"]["z_threshold"]
    fig = histogram_figure(tables["z_histogram"], "watermark z-score per row", "z")
    fig.add_vline(x=threshold, line_dash="dash", line_color="#a40e26", annotation_text=f"z = {threshold:g}")
    return [fig]


def detector_figures(report: Report) -> list[go.Figure]:
    """Per detector, its score distribution (machine vs human rows when labels were given)."""
    tables = report.tables.get("detectors")
    if not tables:
        return []
    colours = {"all": "#4c78a8", "machine": "#e45756", "human": "#4c78a8"}
    thresholds = {row["method"]: row["threshold"] for row in tables["summary"]}
    figures = []
    for method, hist in tables["histograms"].items():
        edges = hist["edges"]
        centres = [(a + b) / 2 for a, b in zip(edges[:-1], edges[1:], strict=True)]
        fig = go.Figure([go.Bar(x=centres, y=hist[group], name=group, marker_color=colours[group], opacity=0.7)
                         for group in ("all", "machine", "human") if group in hist])
        fig.update_layout(title=f"{method} score", xaxis_title="score", yaxis_title="rows", barmode="overlay", bargap=0.02, **_LAYOUT)
        if thresholds.get(method) is not None:
            fig.add_vline(x=thresholds[method], line_dash="dash", line_color="#a40e26")
        figures.append(fig)
    return figures
