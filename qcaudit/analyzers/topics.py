"""Topic balance: the embedding clusters as topics, each labelled by its top terms.

A topic is a k-means cluster of the embeddings analyzer (``embedding_cluster``); this
analyzer names and weighs them once the clusters are joined. Terms are lower-cased words of
two or more letters or digits (scikit-learn's default token pattern); a topic's label is its
``top_terms`` terms by class-based TF-IDF (c-TF-IDF, as BERTopic's ``ClassTfidfTransformer``
computes it): the term's share of the topic's terms times ln(1 + A / f), A the integer
part of the mean number of terms per topic and f the term's count over all topics; ties go
to the alphabetically first term.

Metrics: ``topic_entropy`` (nats) and ``topic_entropy_normalized`` (÷ ln topics) of the
topic sizes, ``largest_topic_share`` and ``smallest_topic_share``. The table lists every
topic with its size, share and label.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
from pydantic import Field

from qcaudit.errors import QcauditError
from qcaudit.io import TEXT
from qcaudit.registry import Analyzer, AnalyzerResult, MetricSpec, Section, count, register, share
from qcaudit.signatures import Metric, signature
from qcaudit.views import Column, RankedRows, Series, View

CLUSTER = "embedding_cluster"
#: scikit-learn CountVectorizer's default token pattern.
TERM = r"\b\w\w+\b"


class TopicsSettings(Section):
    """Topic labels and balance over the embedding clusters."""

    top_terms: int = Field(5, ge=1, le=50)


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
        return [Series("topic sizes (largest first)", "topic", "rows", [t["label"] for t in topics], {"rows": [t["rows"] for t in topics]}),
                RankedRows("Topics", columns, topics, "topics", "Each embedding cluster, labelled by its c-TF-IDF top terms.")]

    def partial(self, batch: pl.DataFrame) -> None:
        return None  # the topics are the embeddings analyzer's clusters: everything happens in annotate

    def merge(self, a: None, b: None) -> None:
        return None

    def finalize(self, state: None) -> AnalyzerResult:
        return AnalyzerResult({}, pl.DataFrame({"row_id": pl.Series([], dtype=pl.UInt32)}))

    def annotate(self, result: AnalyzerResult, rows: pl.LazyFrame) -> None:
        if CLUSTER not in rows.collect_schema().names():
            raise QcauditError("the topics analyzer found no embedding clusters")
        counts = term_counts(rows)
        sizes = rows.filter(pl.col(CLUSTER).is_not_null()).group_by(CLUSTER).len("rows").collect()
        labels = topic_labels(counts, self.settings.top_terms)
        topics = (sizes.join(labels, on=CLUSTER, how="left").with_columns(pl.col("label").fill_null(""))
                  .sort(["rows", CLUSTER], descending=[True, False]))
        total = int(topics["rows"].sum())
        shares = topics["rows"].to_numpy() / total
        entropy = float(-(shares * np.log(shares)).sum())
        sig = signature("topics", f"k:{topics.height}", "terms:c-tf-idf", f"top:{self.settings.top_terms}", "token:sklearn-default")
        result.metrics |= {
            "topic_entropy": Metric(entropy, sig),
            "topic_entropy_normalized": Metric(entropy / math.log(topics.height) if topics.height > 1 else 0.0, sig),
            "largest_topic_share": Metric(float(shares.max()), sig),
            "smallest_topic_share": Metric(float(shares.min()), sig),
        }
        result.tables["topics"] = [{"topic": int(t[CLUSTER]), "rows": int(t["rows"]), "share": t["rows"] / total, "label": t["label"]}
                                   for t in topics.iter_rows(named=True)]


def term_counts(rows: pl.LazyFrame) -> pl.DataFrame:
    """(cluster, term, count) over the rows' text."""
    return (rows.filter(pl.col(CLUSTER).is_not_null())
            .select(CLUSTER, pl.col(TEXT).str.to_lowercase().str.extract_all(TERM).alias("term"))
            .explode("term").drop_nulls("term")
            .group_by(CLUSTER, "term").len("count").collect())


def topic_labels(counts: pl.DataFrame, top: int) -> pl.DataFrame:
    """Each cluster's ``top`` terms by c-TF-IDF, joined by ", " (ties: alphabetical)."""
    per_topic = counts.group_by(CLUSTER).agg(pl.col("count").sum().alias("_terms"))
    average = int(per_topic["_terms"].mean()) if per_topic.height else 0
    frequency = counts.group_by("term").agg(pl.col("count").sum().alias("_f"))
    weighted = counts.join(frequency, on="term").join(per_topic, on=CLUSTER).with_columns(
        (pl.col("count") / pl.col("_terms") * (1 + average / pl.col("_f")).log()).alias("weight"))
    return (weighted.sort(["weight", "term"], descending=[True, False])
            .group_by(CLUSTER, maintain_order=True).agg(pl.col("term").head(top).str.join(", ").alias("label")))
