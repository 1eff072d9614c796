"""Topic balance: the embedding clusters as topics, each labelled by its top terms.

A topic is a k-means cluster of the embeddings analyzer (``embedding_cluster``); this
analyzer names and weighs them once the clusters are joined. A topic's label is its
``top_terms`` terms by class-based TF-IDF (:mod:`qcaudit.topic_terms`), English stop words
left out unless ``stop_words = "none"``. Each row gets its
topic's label (``topic``), which the embedding map shows on hover.

Metrics: ``topic_entropy`` (nats) and ``topic_entropy_normalized`` (÷ ln topics) of the
topic sizes, ``largest_topic_share`` and ``smallest_topic_share``. The table lists every
topic with its size, share and label.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import polars as pl
from pydantic import Field

from qcaudit.errors import QcauditError
from qcaudit.analyzers.embeddings import MAP_X, MAP_Y, SNIPPET_CHARS
from qcaudit.columns import ROW_ID, TEXT
from qcaudit.registry import Analyzer, AnalyzerResult, MetricSpec, Section, count, first_flag, register, share
from qcaudit.signatures import Metric, shannon_entropy, signature
from qcaudit.topic_terms import stop_words, term_counts, topic_labels
from qcaudit.views import Column, Point, RankedRows, Scatter, Series, View

CLUSTER = "embedding_cluster"


class TopicsSettings(Section):
    """Topic labels and balance over the embedding clusters."""

    top_terms: int = Field(5, ge=1, le=50)
    #: Words left out of the labels: scikit-learn's English list, or none (BERTopic's default).
    stop_words: Literal["english", "none"] = "english"


@register
class Topics(Analyzer):
    name = "topics"
    order = 45  # after embeddings, whose clusters it names
    run_hint = "qcaudit report DATA --analyzers embeddings,topics"
    Settings = TopicsSettings

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        return (
            count("topic_entropy", "entropy (nats) of the topic sizes", "higher"),
            share("topic_entropy_normalized", "topic entropy / ln topics (1: perfectly even)", "higher", headline=True),
            share("largest_topic_share", "share of rows in the largest topic", "lower", headline=True),
            share("smallest_topic_share", "share of rows in the smallest topic", "higher"),
        )

    @classmethod
    def missing_input(cls, config) -> str | None:
        if "embeddings" not in config.analyzers:
            return "the topics analyzer names the embedding clusters: run it with the embeddings analyzer (--analyzers embeddings,topics)"
        return None

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        topics = tables["topics"]
        columns = [Column("topic", "topic"), Column("rows", "rows", ","), Column("share", "share", ".1%"), Column("label", "top terms")]
        views: list[View] = []
        if tables.get("map"):
            points = [Point(p["x"], p["y"], p["topic"], p[ROW_ID], p[TEXT], p["flag"], p["label"]) for p in tables["map"]]
            views.append(Scatter("topic map (PCA of the embeddings): colour = topic, its top terms on hover, x = flagged row",
                                 "PC 1", "PC 2", points, "topic"))
        return views + [
            Series("topic sizes (largest first)", "topic", "rows", [t["label"] for t in topics], {"rows": [t["rows"] for t in topics]}),
            RankedRows("Topics", columns, topics, "topics", "Each embedding cluster, labelled by its c-TF-IDF top terms."),
        ]

    def partial(self, batch: pl.DataFrame) -> None:
        return None  # the topics are the embeddings analyzer's clusters: everything happens in annotate

    def merge(self, a: None, b: None) -> None:
        return None

    def finalize(self, state: None) -> AnalyzerResult:
        return AnalyzerResult({}, pl.DataFrame({"row_id": pl.Series([], dtype=pl.UInt32)}))

    def annotate(self, result: AnalyzerResult, rows: pl.LazyFrame) -> None:
        columns = rows.collect_schema().names()
        if CLUSTER not in columns:
            raise QcauditError("the topics analyzer found no embedding clusters")
        queries = [term_counts(rows, CLUSTER, TEXT, stop_words(self.settings.stop_words)),
                   rows.filter(pl.col(CLUSTER).is_not_null()).group_by(CLUSTER).len("rows")]
        if MAP_X in columns:
            queries.append(_map_points(rows, columns))
        counts, sizes, *points = pl.collect_all(queries)  # one pass over the input: the queries share its scan
        labels = topic_labels(counts, CLUSTER, self.settings.top_terms)
        topics = (sizes.join(labels, on=CLUSTER, how="left").with_columns(pl.col("label").fill_null(""))
                  .sort(["rows", CLUSTER], descending=[True, False]))
        total = int(topics["rows"].sum())
        shares = topics["rows"].to_numpy() / total
        entropy = shannon_entropy(shares)
        sig = signature("topics", f"k:{topics.height}", "terms:c-tf-idf", f"top:{self.settings.top_terms}", "token:sklearn-default",
                        f"stop:{self.settings.stop_words}")
        result.metrics |= {
            "topic_entropy": Metric(entropy, sig),
            "topic_entropy_normalized": Metric(entropy / math.log(topics.height) if topics.height > 1 else 0.0, sig),
            "largest_topic_share": Metric(float(shares.max()), sig),
            "smallest_topic_share": Metric(float(shares.min()), sig),
        }
        result.tables["topics"] = [{"topic": int(t[CLUSTER]), "rows": int(t["rows"]), "share": t["rows"] / total, "label": t["label"]}
                                   for t in topics.iter_rows(named=True)]
        result.tables["map"] = _labelled(points[0], labels) if points else []


def _map_points(rows: pl.LazyFrame, columns: list[str]) -> pl.LazyFrame:
    """The embedding map's points (the rows with ``map_x``) with the first flag any analyzer
    set on them."""
    flag = first_flag(columns)
    return (rows.filter(pl.col(MAP_X).is_not_null())
            .select(ROW_ID, MAP_X, MAP_Y, CLUSTER, pl.col(TEXT).str.slice(0, SNIPPET_CHARS),
                    (flag if flag is not None else pl.lit("")).alias("flag")))


def _labelled(points: pl.DataFrame, labels: pl.DataFrame) -> list[dict[str, Any]]:
    """The map's points with their topic's label, as the table holds them."""
    points = points.join(labels, on=CLUSTER, how="left", maintain_order="left")
    return [{"x": p[MAP_X], "y": p[MAP_Y], "topic": p[CLUSTER], "label": p["label"] or "", ROW_ID: p[ROW_ID],
             TEXT: p[TEXT] or "", "flag": p["flag"]} for p in points.iter_rows(named=True)]
