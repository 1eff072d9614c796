"""Topic labels by class-based TF-IDF, for the topics analyzer's clusters and the reference
topics the embeddings analyzer compares against.

Terms are lower-cased words of two or more letters or digits (scikit-learn's default token
pattern), without English stop words by default (scikit-learn's list, as BERTopic's
documentation advises: ``CountVectorizer(stop_words="english")``; else "the" and "are"
label many topics); a topic's label is its ``top`` terms by c-TF-IDF, as BERTopic's
``ClassTfidfTransformer`` computes it: the term's share of the topic's terms times
ln(1 + A / f), A the integer part of the mean number of terms per topic and f the term's
count over all topics; ties go to the alphabetically first term.
"""

from __future__ import annotations

import polars as pl

#: scikit-learn CountVectorizer's default token pattern.
TERM = r"\b\w\w+\b"


def stop_words(name: str) -> frozenset[str]:
    """The words left out of topic labels: ``english`` is scikit-learn's English list (the
    one ``CountVectorizer(stop_words="english")`` drops), ``none`` keeps every word."""
    if name == "none":
        return frozenset()
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def term_counts(frame: pl.LazyFrame, topic: str, text: str, stop: frozenset[str] = frozenset()) -> pl.LazyFrame:
    """(topic, term, count) over the ``text`` of the rows with a ``topic``, the ``stop``
    words left out, as a query (to collect alone, or with other queries over the same rows
    in one pass)."""
    return (frame.filter(pl.col(topic).is_not_null())
            .select(topic, pl.col(text).str.to_lowercase().str.extract_all(TERM).alias("term"))
            .explode("term").drop_nulls("term")
            .filter(~pl.col("term").is_in(sorted(stop)))
            .group_by(topic, "term").len("count"))


def topic_labels(counts: pl.DataFrame, topic: str, top: int) -> pl.DataFrame:
    """Each topic's ``top`` terms by c-TF-IDF, joined by ", " (column ``label``)."""
    per_topic = counts.group_by(topic).agg(pl.col("count").sum().alias("_terms"))
    average = int(per_topic["_terms"].mean()) if per_topic.height else 0
    frequency = counts.group_by("term").agg(pl.col("count").sum().alias("_f"))
    weighted = counts.join(frequency, on="term").join(per_topic, on=topic).with_columns(
        (pl.col("count") / pl.col("_terms") * (1 + average / pl.col("_f")).log()).alias("weight"))
    return (weighted.sort(["weight", "term"], descending=[True, False])
            .group_by(topic, maintain_order=True).agg(pl.col("term").head(top).str.join(", ").alias("label")))
