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
- A 2-D PCA map of up to ``map_points`` rows for the report.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
from rich.progress import Progress

from qcaudit.analyzers.base import AnalyzerResult, Metric, histogram, signature
from qcaudit.config import Config
from qcaudit.embed import Encoder
from qcaudit.errors import QcauditError
from qcaudit.geometry import (
    cosine_moments, frechet_distance, mean_cosine_from_moments, mmd_rbf, prdc, vendi_from_moments,
)
from qcaudit.io import CATEGORY, ROW_ID, TEXT, TEXT_STATUS, load_dataset
from qcaudit.minhash import Clusters, components

SNIPPET_CHARS = 200
MAX_AUTO_CLUSTERS = 256
REFERENCE_METRICS = ("prdc_precision", "prdc_recall", "prdc_density", "prdc_coverage", "frechet_distance", "mmd")


def gate_metric_names(max_order: int) -> list[str]:
    return ["vendi_1", "vendi_2", "vendi_inf", "mean_pairwise_cosine", "cluster_entropy",
            "cluster_entropy_normalized", "semantic_duplicate_rate", *REFERENCE_METRICS]


def run(texts: pl.DataFrame, config: Config, progress: Progress) -> AnalyzerResult:
    settings = config.embeddings
    valid = texts.filter(pl.col(TEXT_STATUS) == "ok").select(ROW_ID, TEXT)
    if valid.height < 2:
        raise QcauditError(f"embedding diversity needs at least 2 rows with text; found {valid.height}")
    encoder = Encoder.from_settings(config.embedding)
    task = progress.add_task(f"embeddings: encoding {valid.height:,} rows", total=None)
    X = encoder.encode(valid[TEXT], progress=True)
    model_sig = encoder.signature
    gram, total, n = cosine_moments(X)
    metrics = {
        f"vendi_{name}": Metric(vendi_from_moments(gram, n, q), signature("vendi", f"q:{name}", "kernel:cosine", model_sig))
        for name, q in (("1", 1.0), ("2", 2.0), ("inf", math.inf))
    }
    metrics["mean_pairwise_cosine"] = Metric(mean_cosine_from_moments(gram, total, n), signature("mean_pairwise_cosine", model_sig))
    progress.update(task, description="embeddings: k-means")
    k = settings.clusters or cluster_count(n)
    labels = _kmeans(X, min(k, n), settings.seed)
    sizes = np.bincount(labels, minlength=min(k, n))
    entropy = _entropy(sizes)
    cluster_sig = signature("kmeans", f"k:{len(sizes)}", f"seed:{settings.seed}", "algo:faiss", model_sig)
    metrics["cluster_entropy"] = Metric(entropy, cluster_sig)
    metrics["cluster_entropy_normalized"] = Metric(entropy / math.log(len(sizes)) if len(sizes) > 1 else 0.0, cluster_sig)
    rng = np.random.default_rng(settings.seed)
    tables: dict[str, Any] = {
        "cluster_sizes": sorted(sizes.tolist(), reverse=True),
        "cosine_histogram": _cosine_histogram(X, rng, settings.sample),
        "map": _pca_map(X, valid, labels, rng, settings.map_points),
    }
    if CATEGORY in texts.columns:
        tables["category_balance"] = _category_balance(texts.filter(pl.col(TEXT_STATUS) == "ok")[CATEGORY])
    if settings.reference:
        progress.update(task, description="embeddings: reference coverage")
        metrics.update(_coverage(X, config, encoder, rng, model_sig))
    progress.remove_task(task)
    rows = pl.DataFrame({ROW_ID: valid[ROW_ID], "embedding_cluster": labels.astype(np.int64)})
    if settings.semantic_dedup_eps is not None:
        duplicates = semantic_duplicates(X, labels, settings.semantic_dedup_eps)
        row_ids = valid[ROW_ID].to_numpy()
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
    """Rows per category, with the entropy of that distribution (nats and ÷ ln #categories)."""
    counts = categories.cast(pl.String).fill_null("(none)").value_counts(sort=True)
    sizes = counts["count"].to_numpy()
    entropy = _entropy(sizes)
    return {
        "counts": dict(zip(counts[categories.name or CATEGORY].to_list(), sizes.tolist(), strict=True)),
        "entropy": entropy,
        "entropy_normalized": entropy / math.log(len(sizes)) if len(sizes) > 1 else 0.0,
    }


def _kmeans(X: np.ndarray, k: int, seed: int) -> np.ndarray:
    import faiss

    kmeans = faiss.Kmeans(X.shape[1], k, niter=20, seed=seed, verbose=False, spherical=True)
    kmeans.train(np.ascontiguousarray(X, dtype=np.float32))
    _, labels = kmeans.index.search(np.ascontiguousarray(X, dtype=np.float32), 1)
    return labels.ravel()


def _entropy(sizes: np.ndarray) -> float:
    p = sizes[sizes > 0] / sizes.sum()
    return float(-np.sum(p * np.log(p)))


def _cosine_histogram(X: np.ndarray, rng: np.random.Generator, limit: int) -> dict[str, list]:
    """Pairwise cosines within a seeded sample (the distribution; the mean is exact above)."""
    sample = X[rng.choice(len(X), min(len(X), min(limit, 2000)), replace=False)]
    cosines = (sample @ sample.T)[np.triu_indices(len(sample), 1)]
    return histogram(cosines, 40, (-1.0, 1.0))


def _pca_map(X: np.ndarray, valid: pl.DataFrame, labels: np.ndarray, rng: np.random.Generator, limit: int) -> list[dict]:
    if limit == 0:
        return []
    chosen = np.sort(rng.choice(len(X), min(len(X), limit), replace=False))
    points = X[chosen] - X[chosen].mean(axis=0)
    _, _, vt = np.linalg.svd(points, full_matrices=False)
    xy = points @ vt[:2].T
    texts = valid[TEXT].gather(chosen).str.slice(0, SNIPPET_CHARS).to_list()
    ids = valid[ROW_ID].gather(chosen).to_list()
    return [
        {"x": float(x), "y": float(y), "cluster": int(labels[i]), ROW_ID: rid, TEXT: t}
        for (x, y), i, rid, t in zip(xy, chosen, ids, texts, strict=True)
    ]


def _coverage(X: np.ndarray, config: Config, encoder: Encoder, rng: np.random.Generator, model_sig: str) -> dict[str, Metric]:
    from qcaudit.pipeline import text_selection

    settings = config.embeddings
    reference = load_dataset(settings.reference, text_selection(config)).texts().filter(pl.col(TEXT_STATUS) == "ok")
    if reference.height < settings.prdc_k + 1:
        raise QcauditError(f"reference {settings.reference}: needs more than {settings.prdc_k} rows with text")
    R = encoder.encode(reference[TEXT])
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
    return metrics
