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


def _reference_labels(rows: pl.DataFrame, top: int, stop_words: str | None = "english") -> dict[int, str]:
    """BERTopic's ClassTfidfTransformer over one document per cluster, tf L1-normalised."""
    clusters = sorted(rows["embedding_cluster"].unique().to_list())
    documents = [" ".join(rows.filter(pl.col("embedding_cluster") == c)["text"].to_list()) for c in clusters]
    vectorizer = CountVectorizer(stop_words=stop_words)
    X = vectorizer.fit_transform(documents).toarray().astype(float)
    terms = vectorizer.get_feature_names_out()
    idf = np.log(int(X.sum(axis=1).mean()) / X.sum(axis=0) + 1)
    weights = X / X.sum(axis=1, keepdims=True) * idf
    labels = {}
    for c, w in zip(clusters, weights, strict=True):
        order = sorted((i for i in range(len(terms)) if X[clusters.index(c), i] > 0), key=lambda i: (-w[i], terms[i]))
        labels[c] = ", ".join(terms[i] for i in order[:top])
    return labels


def _themed(themes: list[str], per_theme: int = 20, seed: int = 0) -> list[str]:
    """Rows that vary each theme's sentence (a fifth of its words dropped at random)."""
    rng = np.random.default_rng(seed)
    texts = []
    for theme in themes:
        words = THEMES[theme].split()
        for i in range(per_theme):
            keep = rng.random(len(words)) < 0.8
            texts.append(" ".join(w for w, k in zip(words, keep, strict=True) if k) + f" note {i}")
    return texts


def test_topic_labels_are_bertopics_c_tf_idf(tmp_path):
    """BERTopic's labels as its documentation advises (English stop words left out), and
    with every word kept (``stop_words = "none"``, its default): then "the" labels topics."""
    texts = _themed(list(THEMES))
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts}).write_parquet(data)
    report = audit(data, load_config(None, {"analyzers": ["embeddings", "topics"], "embeddings.clusters": 3}))
    topics = report.tables["topics"]["topics"]
    reference = _reference_labels(report.rows, 5)
    assert {t["topic"]: t["label"] for t in topics} == reference
    every_word = audit(data, load_config(None, {"analyzers": ["embeddings", "topics"], "embeddings.clusters": 3,
                                                "topics.stop_words": "none"}))
    labels = {t["topic"]: t["label"] for t in every_word.tables["topics"]["topics"]}
    assert labels == _reference_labels(every_word.rows, 5, stop_words=None) != reference
    assert any("the" in label.split(", ") for label in labels.values())
    assert not any("the" in t["label"].split(", ") for t in topics)
    assert every_word.metrics["topics"]["topic_entropy"]["signature"] != report.metrics["topics"]["topic_entropy"]["signature"]
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


def test_the_reference_topics_the_data_lacks(tmp_path):
    """A reference of three themes against data with only two: the third is the one lacking,
    labelled by its own words; against itself no topic is lacking and the shares agree."""
    reference, data = tmp_path / "reference.parquet", tmp_path / "data.parquet"
    pl.DataFrame({"text": _themed(list(THEMES), 30, seed=1)}).write_parquet(reference)
    pl.DataFrame({"text": _themed(["cooking", "space"], 45, seed=2)}).write_parquet(data)
    settings = {"analyzers": ["embeddings"], "embeddings.reference": str(reference), "embeddings.clusters": 3}
    report = audit(data, load_config(None, settings))
    topics = report.tables["embeddings"]["reference_topics"]
    assert report.value("embeddings.reference_topics_lacking") == 1
    assert report.value("embeddings.reference_topic_coverage") == pytest.approx(2 / 3)
    lacking = topics[0]  # least covered first
    assert lacking["lacking"] and lacking["rows"] == 0 and set(lacking["label"].split(", ")) <= set(THEMES["law"].lower().split())
    assert sum(t["rows"] for t in topics) == 90 and sum(t["reference_rows"] for t in topics) == 90
    assert [t["share"] for t in topics] == pytest.approx([t["rows"] / 90 for t in topics])
    itself = audit(reference, load_config(None, settings)).tables["embeddings"]["reference_topics"]
    assert all(t["rows"] == t["reference_rows"] and not t["lacking"] for t in itself)


def test_the_topic_map_labels_the_embedding_map(tmp_path):
    from qcaudit.report.sections import sections
    from qcaudit.views import Scatter

    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": _themed(list(THEMES))}).write_parquet(data)
    report = audit(data, load_config(None, {"analyzers": ["embeddings", "topics"], "embeddings.clusters": 3,
                                            "embeddings.map_points": 25}))
    points = report.tables["topics"]["map"]
    labels = {t["topic"]: t["label"] for t in report.tables["topics"]["topics"]}
    assert len(points) == 25 and all(p["label"] == labels[p["topic"]] for p in points)
    on_map = report.rows.filter(pl.col("map_x").is_not_null())
    assert sorted(on_map["row_id"].to_list()) == sorted(p["row_id"] for p in points)
    clusters = dict(report.rows.select("row_id", "embedding_cluster").iter_rows())
    assert all(p["topic"] == clusters[p["row_id"]] for p in points)
    drawn = {s.name: [v for v in s.views if isinstance(v, Scatter)] for s in sections(report)}
    assert drawn["embeddings"] == [] and len(drawn["topics"]) == 1  # one map, the labelled one
    assert {p.label for p in drawn["topics"][0].points} <= set(labels.values())

