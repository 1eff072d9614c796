"""Embedding diversity: Vendi score, mean pairwise cosine, cluster balance, and coverage of
a reference dataset (PRDC, Fréchet distance, MMD). Definitions: :mod:`qcaudit.geometry`.

- ``vendi_1``, ``vendi_2``, ``vendi_inf``: Vendi scores of order 1, 2 and ∞ over all rows
  (exact, cosine kernel); ``mean_pairwise_cosine`` over all pairs (exact).
- Cluster balance: faiss spherical k-means (k = ``clusters``, or round(√(n/2)) within
  2..256; faiss trains on at most 256 points per centroid, then assigns every row),
  ``cluster_entropy`` (nats) and ``cluster_entropy_normalized`` (÷ ln k); per row
  ``embedding_cluster``. With a category column (``category_column``, or a column named
  ``category``) the same balance by category.
- With ``reference``: ``prdc_precision``/``recall``/``density``/``coverage`` (k = 5) and
  ``frechet_distance`` on seeded samples of at most ``sample`` rows per side, ``mmd`` on at
  most ``mmd_sample``; the sample sizes are in the signatures.
- With ``semantic_dedup_eps`` (SemDeDup, Abbas et al. 2023): rows of one k-means cluster
  whose cosine exceeds 1 − eps are semantic duplicates; per row ``semantic_dup_cluster``
  (the smallest row_id of its duplicate component) and ``semantic_dup_kept``;
  ``semantic_duplicate_rate`` is the share that keeping one row per component removes.
- A 2-D PCA map of up to ``map_points`` rows for the report (each point's place also per
  row, ``map_x``/``map_y``, so that the topics analyzer can draw it with topic labels).
- With ``reference``, its topics: the reference's own k-means clusters labelled by c-TF-IDF,
  each with its share of the reference and of the data (``reference_topics_lacking``,
  ``reference_topic_coverage``): which topics of the real data the synthetic data lacks.

Streaming: each batch's rows with text are encoded as the batch arrives (the run's one
encoder, its cache first); the state keeps their vectors, which go to the run's scratch
directory past half the memory budget, and are read back as one memory-mapped matrix to
finalise. Every statistic reads that matrix in fixed blocks or seeded samples, so the
result is the same for any batch size and budget. k-means trains on a seeded sample of at
most 256 rows per centroid (faiss's own cap) and assigns every row block by block.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from pydantic import Field

from qcaudit.errors import QcauditError
from qcaudit.columns import CATEGORY, ROW_ID, TEXT, TEXT_STATUS
from qcaudit.registry import (
    Analyzer, AnalyzerResult, CliOption, MetricSpec, RowFlag, Section, Seed, count, first_flag, register, share,
)
from qcaudit.signatures import Metric, histogram, shannon_entropy, signature
from qcaudit.spill import Chunks
from qcaudit.text import written_in_other_scripts
from qcaudit.views import Column, Notice, Point, RankedRows, Scatter, Series, View, histogram_view

if TYPE_CHECKING:
    from qcaudit.minhash import Clusters

# qcaudit.geometry and qcaudit.minhash (scipy) are imported where they are used: the
# registry reads this module when the command line starts.

SNIPPET_CHARS = 200
#: Per-row columns: a map point's place (null for rows not on the map).
MAP_X, MAP_Y = "map_x", "map_y"
#: A reference topic is lacking when the data's share of it is under this times the reference's.
LACKING = 0.5
#: Categories listed in the report's balance by category, the largest.
CATEGORIES_SHOWN = 50
#: Terms in a reference topic's label.
TOPIC_TERMS = 5
MAX_AUTO_CLUSTERS = 256
#: faiss's cap on training points per centroid, applied here with our own seeded sample.
TRAIN_POINTS_PER_CENTROID = 256
#: Rows assigned to clusters at a time.
ASSIGN_BLOCK = 65536
#: The share of the memory budget the vectors may hold before they go to disk.
VECTOR_SHARE = 0.5
#: The prepared batch's column of each text's token ids (:meth:`Embeddings.prepare`).
TOKENS = "__embeddings_tokens"


class EmbeddingsSettings(Section):
    """Embedding diversity, cluster balance and coverage against a reference dataset."""

    reference: str | None = None
    clusters: int | None = Field(None, ge=2, le=100000)
    sample: int = Field(5000, ge=100, le=1_000_000)
    mmd_sample: int = Field(2000, ge=50, le=20000)
    prdc_k: int = Field(5, ge=1, le=100)
    category_column: str | None = None
    seed: Seed = 0
    map_points: int = Field(2000, ge=0, le=100000)
    semantic_dedup_eps: float | None = Field(None, gt=0.0, lt=1.0)


@register
class Embeddings(Analyzer):
    name = "embeddings"
    order = 40
    title = "Embedding diversity"
    page = "Embeddings"
    run_hint = "qcaudit report DATA --analyzers diversity,embeddings"
    Settings = EmbeddingsSettings
    stratum = "embedding_cluster"
    options = (
        CliOption(("--reference",), "reference", str,
                  "Real data to measure coverage against (PRDC, Frechet, MMD); switches the embeddings analyzer on."),
    )

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        vendi = [MetricSpec(f"vendi_{q}", f"Vendi score of order {q} (effective number of distinct rows)", "higher",
                            1.0, math.inf, headline=q == "1") for q in ("1", "2", "inf")]
        needs = "a reference dataset (--reference PATH or [embeddings] reference)"
        return (
            *vendi,
            MetricSpec("mean_pairwise_cosine", "mean cosine over all pairs of rows", "lower", -1.0, 1.0, headline=True),
            count("cluster_entropy", "entropy (nats) of the k-means cluster sizes", "higher"),
            share("cluster_entropy_normalized", "cluster entropy / ln k", "higher", headline=True),
            share("semantic_duplicate_rate", "share of rows SemDeDup removes", "lower"),
            share("prdc_precision", "PRDC precision against the reference", "higher", headline=True, needs=needs),
            share("prdc_recall", "PRDC recall against the reference", "higher", headline=True, needs=needs),
            count("prdc_density", "PRDC density against the reference", "higher", needs=needs),
            share("prdc_coverage", "PRDC coverage of the reference", "higher", needs=needs),
            count("frechet_distance", "Fréchet distance to the reference's embeddings", "lower", headline=True, needs=needs),
            MetricSpec("mmd", "unbiased MMD (RBF kernel) to the reference's embeddings", "lower", needs=needs),
            count("reference_topics_lacking", "reference topics whose share of the data is under half their share of "
                  "the reference", "lower", headline=True, needs=needs),
            share("reference_topic_coverage", "share of the reference's topics the data is not lacking", "higher",
                  needs=needs),
        )

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        return [RowFlag("semantic_dup_kept", ~pl.col("semantic_dup_kept"), "semantic duplicate",
                        pl.format("semantic duplicate of row {}", "semantic_dup_cluster"))]

    @classmethod
    def switched_on(cls, config) -> bool:
        return bool(config.embeddings.reference)

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        views: list[View] = [Notice(warning, "warning") for warning in tables.get("warnings", [])]
        if tables["map"] and "topics" not in config.get("analyzers", ()):  # else the topics section draws it, labelled
            points = [Point(p["x"], p["y"], p["cluster"], p[ROW_ID], p[TEXT], p.get("flag") or "") for p in tables["map"]]
            views.append(Scatter("embedding map (PCA): colour = cluster, x = flagged row", "PC 1", "PC 2", points, "cluster"))
        sizes = tables["cluster_sizes"]
        views.append(Series("cluster sizes (largest first)", "cluster rank", "rows", list(range(1, len(sizes) + 1)), {"rows": sizes}))
        views.append(histogram_view(tables["cosine_histogram"], "pairwise cosine (sample)", "cosine similarity", "pairs"))
        topics = tables.get("reference_topics")
        if topics:
            columns = [Column("topic", "topic"), Column("label", "top terms (reference)"),
                       Column("reference_share", "share of the reference", ".1%"),
                       Column("share", "share of the data", ".1%", emphasis="lacking"), Column("ratio", "data / reference", ".2f")]
            views.append(RankedRows("Reference topics, least covered first", columns, topics, "reference-topics",
                                    f"The reference's own topics (k-means of its embeddings, c-TF-IDF labels), each data row "
                                    f"counted in its nearest one; a topic is lacking (marked) when the data's share is under "
                                    f"{LACKING:g} times the reference's."))
        balance = tables.get("category_balance")
        if balance:
            views.append(Notice(f"Balance by category: entropy {balance['entropy']:.3f} nats, normalised "
                                f"{balance['entropy_normalized']:.3f} (1 = perfectly even)."))
            given = balance.get("categories", len(balance["counts"]))
            caption = f"the {len(balance['counts'])} largest of {given:,} categories" if given > len(balance["counts"]) else ""
            views.append(RankedRows("Balance by category", [Column("category", "category"), Column("rows", "rows", ",")],
                                    [{"category": name, "rows": n} for name, n in balance["counts"].items()], "category-balance",
                                    caption))
        return views

    def input_columns(self) -> tuple[str | None, tuple[str, ...]]:
        return self.settings.category_column, ()

    def check_inputs(self) -> None:
        self.reference  # noqa: B018 (read now: a bad reference fails before any row is embedded)
        schema = self.context.dataset.frame.collect_schema() if self.context.dataset is not None else {}
        if self.settings.category_column is None and CATEGORY in schema and schema[CATEGORY].is_nested():
            logging.getLogger("qcaudit").warning(f"column {CATEGORY!r} holds {schema[CATEGORY]}, not one label a row: no balance "
                                                 "by category (name a column of labels with [embeddings] category_column)")

    @cached_property
    def reference(self) -> pl.DataFrame | None:
        """``row_id`` and ``text`` of the reference's rows with text (None without one)."""
        path = self.settings.reference
        if path is None:
            return None
        try:
            reference = self.context.texts_of(path)
        except QcauditError as error:
            raise QcauditError(f"reference {path}: {error}") from None
        if reference.height < self.settings.prdc_k + 1:
            raise QcauditError(f"reference {path}: needs more than {self.settings.prdc_k} rows with text")
        return reference

    def prepare(self, batch: pl.DataFrame) -> pl.DataFrame:
        """The texts' token ids for the encoder (a row without text gets those of "")."""
        from qcaudit.embed import token_column

        texts = batch[TEXT].cast(pl.String).fill_null("").to_list()
        return batch.with_columns(token_column(TOKENS, texts, self.context.encoder.tokenize))

    def partial(self, batch: pl.DataFrame) -> EmbeddingsState:
        valid = batch.filter(pl.col(TEXT_STATUS) == "ok")
        vectors = Chunks()
        if valid.height:
            tokens = valid[TOKENS] if TOKENS in valid.columns else None
            vectors.append(self.context.encoder.encode(valid[TEXT], progress=True, tokens=tokens))
        categories = [valid[CATEGORY]] if CATEGORY in valid.columns else []
        other_scripts = int(written_in_other_scripts(valid[TEXT]).sum())
        return EmbeddingsState([valid[ROW_ID].to_numpy()], vectors, categories, other_scripts)

    def merge(self, a: EmbeddingsState, b: EmbeddingsState) -> EmbeddingsState:
        vectors = Chunks.joined(a.vectors, b.vectors, self.context.memory_budget * VECTOR_SHARE, self.context.scratch)
        return EmbeddingsState(a.row_ids + b.row_ids, vectors, a.categories + b.categories,
                               a.other_script_rows + b.other_script_rows)

    def finalize(self, state: EmbeddingsState) -> AnalyzerResult:
        row_ids = np.concatenate(state.row_ids) if state.row_ids else np.empty(0, np.uint32)
        if len(row_ids) < 2:
            raise QcauditError(f"embedding diversity needs at least 2 rows with text; found {len(row_ids)}")
        if self.reference is not None and len(row_ids) <= self.settings.prdc_k:  # as the reference (check_inputs)
            raise QcauditError(f"PRDC against the reference needs more than {self.settings.prdc_k} rows with text (prdc_k) "
                               f"in the data too; found {len(row_ids)}")
        X = _matrix(state.vectors, len(row_ids), self.context)
        categories = pl.concat(state.categories) if state.categories else None
        result = _embeddings(row_ids, X, categories, self.settings, self.context, self.reference)
        from qcaudit.embed import CROWDED_VECTORS, english_only_warning

        warning = english_only_warning(self.context.encoder, state.other_script_rows, len(row_ids), "rows", "the embeddings analyzer",
                                       CROWDED_VECTORS)
        if warning:
            logging.getLogger("qcaudit").warning(warning)
            result.tables["warnings"] = [warning]
        return result

    def annotate(self, result: AnalyzerResult, rows: pl.LazyFrame) -> None:
        """Mark each map point with the first flag any analyzer set on its row ("" if none)."""
        result.tables["map"] = _flag_points(result.tables["map"], rows)


@dataclass
class EmbeddingsState:
    """The row_ids of a run of rows with text, their vectors (in memory or spilled), when
    the input has one, their categories, and how many of the rows are written in another
    script than Latin (:func:`~qcaudit.text.written_in_other_scripts`)."""

    row_ids: list[np.ndarray]
    vectors: Chunks
    categories: list[pl.Series]
    other_script_rows: int = 0


def _matrix(vectors: Chunks, n: int, context) -> np.ndarray:
    """The vectors as one (n, d) float32 matrix: in memory when none was spilled, else a
    memory map in the scratch directory filled chunk by chunk (each chunk's file deleted
    once copied)."""
    if not vectors.spilled:
        return np.concatenate(list(vectors))
    first = next(iter(vectors))
    X = np.lib.format.open_memmap(context.scratch() / "embeddings.npy", mode="w+", dtype=np.float32, shape=(n, first.shape[1]))
    start = 0
    for chunk in vectors.drain():
        X[start : start + len(chunk)] = chunk
        start += len(chunk)
    X.flush()
    return X


def _flag_points(points: list[dict], rows: pl.LazyFrame) -> list[dict]:
    flag = first_flag(rows.collect_schema().names())
    if not points or flag is None:
        return [p | {"flag": ""} for p in points]
    shown = pl.Series([p[ROW_ID] for p in points], dtype=pl.UInt32).implode()
    flags = dict(rows.filter(pl.col(ROW_ID).is_in(shown)).select(ROW_ID, flag.alias("flag")).collect().iter_rows())
    return [p | {"flag": flags.get(p[ROW_ID], "")} for p in points]


def _embeddings(row_ids: np.ndarray, X: np.ndarray, categories: pl.Series | None, settings: EmbeddingsSettings,
                context, reference: pl.DataFrame | None) -> AnalyzerResult:
    from qcaudit.geometry import cosine_moments, mean_cosine_from_moments, vendi_from_moments

    progress = context.progress
    task = progress.add_task(f"embeddings: statistics of {len(X):,} rows", total=None)
    model_sig = context.encoder.signature
    gram, total, n = cosine_moments(X)
    metrics = {
        f"vendi_{name}": Metric(vendi_from_moments(gram, n, q), signature("vendi", f"q:{name}", "kernel:cosine", model_sig))
        for name, q in (("1", 1.0), ("2", 2.0), ("inf", math.inf))
    }
    metrics["mean_pairwise_cosine"] = Metric(mean_cosine_from_moments(gram, total, n), signature("mean_pairwise_cosine", model_sig))
    progress.update(task, description="embeddings: k-means")
    k = settings.clusters or cluster_count(n)
    labels, _ = _kmeans(X, min(k, n), settings.seed)
    sizes = np.bincount(labels, minlength=min(k, n))
    entropy = shannon_entropy(sizes)
    cluster_sig = signature("kmeans", f"k:{len(sizes)}", f"seed:{settings.seed}", "algo:faiss", model_sig)
    metrics["cluster_entropy"] = Metric(entropy, cluster_sig)
    metrics["cluster_entropy_normalized"] = Metric(entropy / math.log(len(sizes)) if len(sizes) > 1 else 0.0, cluster_sig)
    rng = np.random.default_rng(settings.seed)
    tables: dict[str, Any] = {
        "cluster_sizes": sorted(sizes.tolist(), reverse=True),
        "cosine_histogram": _cosine_histogram(X, rng, settings.sample),
        "map": _pca_map(X, row_ids, labels, rng, settings.map_points, context),
    }
    if categories is not None:
        tables["category_balance"] = _category_balance(categories)
    if reference is not None:
        progress.update(task, description="embeddings: reference coverage")
        coverage, tables["reference_topics"] = _coverage(X, reference[TEXT], settings, context, rng, model_sig)
        metrics.update(coverage)
    progress.remove_task(task)
    rows = pl.DataFrame({ROW_ID: pl.Series(row_ids, dtype=pl.UInt32), "embedding_cluster": labels.astype(np.int64)})
    if tables["map"]:  # each map point's place, for the analyzers that draw the map their way (topics)
        rows = rows.join(pl.DataFrame({ROW_ID: pl.Series([p[ROW_ID] for p in tables["map"]], dtype=pl.UInt32),
                                       MAP_X: [p["x"] for p in tables["map"]], MAP_Y: [p["y"] for p in tables["map"]]}),
                         on=ROW_ID, how="left", maintain_order="left")
    if settings.semantic_dedup_eps is not None:
        duplicates = semantic_duplicates(X, labels, settings.semantic_dedup_eps)
        rows = rows.with_columns(
            pl.Series("semantic_dup_cluster", row_ids[duplicates.cluster]),
            pl.Series("semantic_dup_kept", duplicates.cluster == np.arange(len(X))),
        )
        metrics["semantic_duplicate_rate"] = Metric(
            float((duplicates.cluster != np.arange(len(X))).mean()),
            signature("semantic_duplicate", f"eps:{settings.semantic_dedup_eps}", f"k:{len(sizes)}", f"seed:{settings.seed}", model_sig),
        )
    return AnalyzerResult(metrics, rows, tables)


def semantic_duplicates(X: np.ndarray, labels: np.ndarray, eps: float) -> Clusters:
    """SemDeDup: within each cluster, link rows whose cosine exceeds 1 - eps; components."""
    from qcaudit.minhash import components

    sources, targets = [], []
    for cluster in np.unique(labels):
        members = np.flatnonzero(labels == cluster)
        vectors = X[members]
        for start in range(0, len(members), 2048):
            cosines = vectors[start : start + 2048] @ vectors.T
            i, j = np.nonzero(cosines > 1 - eps)
            later = j > i + start  # each pair once, never a row with itself
            sources.append(members[i[later] + start])
            targets.append(members[j[later]])
    return components(len(X), np.concatenate(sources), np.concatenate(targets))


def cluster_count(n: int) -> int:
    """k for k-means when not configured: round(√(n/2)), within 2..MAX_AUTO_CLUSTERS."""
    return int(min(MAX_AUTO_CLUSTERS, max(2, round(math.sqrt(n / 2)))))


def _category_balance(categories: pl.Series) -> dict[str, Any]:
    """Rows per category, the :data:`CATEGORIES_SHOWN` largest (a column of free text as the
    category would list every row), with how many there are and the entropy of the whole
    distribution (nats and ÷ ln #categories)."""
    counts = categories.cast(pl.String).fill_null("(none)").value_counts(sort=True)
    sizes = counts["count"].to_numpy()
    entropy = shannon_entropy(sizes)
    shown = counts.head(CATEGORIES_SHOWN)
    return {
        "counts": dict(zip(shown[categories.name or CATEGORY].to_list(), shown["count"].to_list(), strict=True)),
        "categories": len(sizes),
        "entropy": entropy,
        "entropy_normalized": entropy / math.log(len(sizes)) if len(sizes) > 1 else 0.0,
    }


def _kmeans(X: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means (faiss): trained on every row up to 256 per centroid, else on a
    seeded sample of that many; then each row, block by block, to its nearest centroid.
    Returns (labels, unit-length centroids)."""
    import faiss

    cap = TRAIN_POINTS_PER_CENTROID * k
    train = X if len(X) <= cap else X[np.sort(np.random.default_rng(seed).choice(len(X), cap, replace=False))]
    kmeans = faiss.Kmeans(X.shape[1], k, niter=20, seed=seed, verbose=False, spherical=True,
                          max_points_per_centroid=TRAIN_POINTS_PER_CENTROID,
                          min_points_per_centroid=1)  # faiss only warns below its 39 a centroid; small data is fine
    kmeans.train(np.ascontiguousarray(train, dtype=np.float32))
    return _nearest(kmeans.index, X), kmeans.centroids


def _nearest(index, X: np.ndarray) -> np.ndarray:
    """Each row's nearest centroid in a faiss ``index``, block by block (X may be a memory map)."""
    labels = [index.search(np.ascontiguousarray(X[start : start + ASSIGN_BLOCK], dtype=np.float32), 1)[1].ravel()
              for start in range(0, len(X), ASSIGN_BLOCK)]
    return np.concatenate(labels)


def _cosine_histogram(X: np.ndarray, rng: np.random.Generator, limit: int) -> dict[str, list]:
    """Pairwise cosines within a seeded sample (the distribution; the mean is exact above)."""
    sample = X[rng.choice(len(X), min(len(X), min(limit, 2000)), replace=False)]
    cosines = (sample @ sample.T)[np.triu_indices(len(sample), 1)]
    return histogram(cosines, 40, (-1.0, 1.0))


def _pca_map(X: np.ndarray, row_ids: np.ndarray, labels: np.ndarray, rng: np.random.Generator, limit: int,
             context) -> list[dict]:
    if limit == 0:
        return []
    chosen = np.sort(rng.choice(len(X), min(len(X), limit), replace=False))
    points = X[chosen] - X[chosen].mean(axis=0)
    _, _, vt = np.linalg.svd(points, full_matrices=False)
    xy = points @ vt[:2].T
    ids = row_ids[chosen].tolist()
    texts = context.texts_of_rows(ids)
    return [
        {"x": float(x), "y": float(y), "cluster": int(labels[i]), ROW_ID: rid, TEXT: (texts[rid] or "")[:SNIPPET_CHARS]}
        for (x, y), i, rid in zip(xy, chosen, ids, strict=True)
    ]


def _coverage(X: np.ndarray, reference: pl.Series, settings: EmbeddingsSettings, context, rng: np.random.Generator,
              model_sig: str) -> tuple[dict[str, Metric], list[dict[str, Any]]]:
    """PRDC, Fréchet distance and MMD against the reference, and its topics by how well the
    data covers them."""
    from qcaudit.geometry import frechet_distance, mmd_rbf, prdc

    R = context.encoder.encode(reference)
    topic_metrics, topics = reference_topics(X, R, reference, settings, model_sig)
    real = R[rng.choice(len(R), min(len(R), settings.sample), replace=False)]
    fake = X[rng.choice(len(X), min(len(X), settings.sample), replace=False)]
    sample_sig = f"sample:{len(real)}x{len(fake)}"
    scores = prdc(real, fake, settings.prdc_k)
    metrics = {
        f"prdc_{name}": Metric(value, signature("prdc", f"k:{settings.prdc_k}", "dist:euclidean", sample_sig, f"seed:{settings.seed}", model_sig))
        for name, value in scores.items()
    }
    metrics["frechet_distance"] = Metric(frechet_distance(real, fake), signature("frechet", sample_sig, f"seed:{settings.seed}", model_sig))
    m = min(settings.mmd_sample, len(real), len(fake))
    metrics["mmd"] = Metric(
        mmd_rbf(real[:m], fake[:m]),
        signature("mmd_rbf", "unbiased", "bandwidth:median", f"sample:{m}x{m}", f"seed:{settings.seed}", model_sig),
    )
    return metrics | topic_metrics, topics


def reference_topics(X: np.ndarray, R: np.ndarray, reference_texts: pl.Series, settings: EmbeddingsSettings,
                     model_sig: str) -> tuple[dict[str, Metric], list[dict[str, Any]]]:
    """The reference's topics (spherical k-means of its embeddings, k by the same rule as the
    data's clusters, labelled by c-TF-IDF over its texts, English stop words left out) and
    each one's share of the reference and of the data (every data row to its nearest
    reference centroid). A topic is lacking when its data share is under :data:`LACKING`
    times its reference share."""
    import faiss

    from qcaudit.topic_terms import stop_words, term_counts, topic_labels

    k = min(settings.clusters or cluster_count(len(R)), len(R))
    ref_labels, centroids = _kmeans(R, k, settings.seed)
    index = faiss.IndexFlatIP(centroids.shape[1])
    index.add(np.ascontiguousarray(centroids, dtype=np.float32))
    ref_sizes = np.bincount(ref_labels, minlength=k)
    data_sizes = np.bincount(_nearest(index, X), minlength=k)
    texts = pl.LazyFrame({"topic": ref_labels.astype(np.int64), TEXT: reference_texts})
    counts = term_counts(texts, "topic", TEXT, stop_words("english")).collect()
    labels = dict(topic_labels(counts, "topic", TOPIC_TERMS).iter_rows())
    topics = []
    for topic in range(k):
        reference_share, data_share = ref_sizes[topic] / len(R), data_sizes[topic] / len(X)
        topics.append({"topic": topic, "label": labels.get(topic, ""), "reference_rows": int(ref_sizes[topic]),
                       "reference_share": float(reference_share), "rows": int(data_sizes[topic]), "share": float(data_share),
                       "ratio": float(data_share / reference_share) if reference_share else 0.0,
                       "lacking": bool(data_share < LACKING * reference_share)})
    topics.sort(key=lambda t: (t["ratio"], -t["reference_rows"], t["topic"]))
    present = [t for t in topics if t["reference_rows"]]
    lacking = sum(t["lacking"] for t in present)
    sig = signature("reference_topics", f"k:{k}", f"seed:{settings.seed}", f"lacking:<{LACKING}x", "algo:faiss", model_sig)
    metrics = {"reference_topics_lacking": Metric(lacking, sig),
               "reference_topic_coverage": Metric(1 - lacking / len(present) if present else 1.0, sig)}
    return metrics, topics
