"""The topics analyzer: topic labels equal BERTopic's c-TF-IDF computed from scikit-learn's
CountVectorizer on the same clusters, the balance metrics follow the topic sizes, and it
says so in one line when the embeddings analyzer does not run."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from qcaudit import audit
from qcaudit.config import load_config
from tests.test_hostile_inputs import one_line_error, qc  # noqa: F401  (a fixture)

THEMES = {
    "cooking": "Bake the bread with flour, yeast and butter in a hot oven until golden",
    "space": "The rocket reached orbit and the probe photographed the moon and distant planets",
    "law": "The court ruled that the contract breached the statute and awarded damages to the plaintiff",
}


def _reference_labels(rows: pl.DataFrame, top: int) -> dict[int, str]:
    """BERTopic's ClassTfidfTransformer over one document per cluster, tf L1-normalised."""
    clusters = sorted(rows["embedding_cluster"].unique().to_list())
    documents = [" ".join(rows.filter(pl.col("embedding_cluster") == c)["text"].to_list()) for c in clusters]
    vectorizer = CountVectorizer()
    X = vectorizer.fit_transform(documents).toarray().astype(float)
    terms = vectorizer.get_feature_names_out()
    idf = np.log(int(X.sum(axis=1).mean()) / X.sum(axis=0) + 1)
    weights = X / X.sum(axis=1, keepdims=True) * idf
    labels = {}
    for c, w in zip(clusters, weights, strict=True):
        order = sorted((i for i in range(len(terms)) if X[clusters.index(c), i] > 0), key=lambda i: (-w[i], terms[i]))
        labels[c] = ", ".join(terms[i] for i in order[:top])
    return labels


def test_topic_labels_are_bertopics_c_tf_idf(tmp_path):
    rng = np.random.default_rng(0)
    texts = []
    for sentence in THEMES.values():
        words = sentence.split()
        for i in range(20):
            keep = rng.random(len(words)) < 0.8
            texts.append(" ".join(w for w, k in zip(words, keep, strict=True) if k) + f" note {i}")
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts}).write_parquet(data)
    report = audit(data, load_config(None, {"analyzers": ["embeddings", "topics"], "embeddings.clusters": 3}))
    topics = report.tables["topics"]["topics"]
    reference = _reference_labels(report.rows, 5)
    assert {t["topic"]: t["label"] for t in topics} == reference
    sizes = report.rows["embedding_cluster"].value_counts()["count"].to_numpy()
    shares = sizes / sizes.sum()
    assert report.value("topics.topic_entropy") == pytest.approx(float(-(shares * np.log(shares)).sum()))
    assert report.value("topics.topic_entropy_normalized") == pytest.approx(report.value("topics.topic_entropy") / math.log(3))
    assert report.value("topics.largest_topic_share") == pytest.approx(shares.max())
    assert [t["rows"] for t in topics] == sorted(sizes.tolist(), reverse=True)


def test_topics_without_embeddings_is_one_line(qc, tmp_path):  # noqa: F811
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": ["a b c", "d e f"]}).write_parquet(data)
    one_line_error(qc("report", data, "--analyzers", "topics", "--out", tmp_path / "o"), "--analyzers embeddings,topics")
