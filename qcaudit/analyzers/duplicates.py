"""Duplicates on normalised text (whitespace runs collapsed, trimmed, lower-cased by default).

Exact: per row ``exact_dup_group`` (the smallest ``row_id`` of its group of identical
texts), ``exact_dup_count`` (group size) and ``is_exact_duplicate`` (a later copy of an
earlier row). ``exact_duplicate_rate`` is the share of rows with text that exact dedup
would remove.

Near (MinHash-LSH over word shingles, :mod:`qcaudit.minhash`; with ``near_verify`` each
candidate link is kept only when the exact Jaccard of the two shingle sets reaches the
threshold, checked against the first row of the shared bucket): per row ``near_dup_cluster``
(the smallest ``row_id`` of its cluster), ``near_dup_size`` and ``near_dup_kept`` (the
cluster's representative, its first row). ``near_duplicate_rate`` is the share of rows with
text that keeping one row per cluster removes.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from pydantic import Field

from qcaudit.io import ROW_ID, TEXT, TEXT_STATUS
from qcaudit.lexical import shingles
from qcaudit.registry import Analyzer, AnalyzerResult, MetricSpec, RowFlag, Section, count, register, share
from qcaudit.signatures import Metric, signature
from qcaudit.text import Tokenization

TOP_GROUPS = 20
SNIPPET_CHARS = 400


class DuplicatesSettings(Section):
    """Exact duplicates on normalised text (whitespace collapsed, optionally lower-cased), and
    near duplicates by MinHash-LSH over word shingles of that text."""

    lowercase: bool = True
    near: bool = True
    near_threshold: float = Field(0.8, gt=0.0, lt=1.0)
    num_perm: int = Field(128, ge=2, le=1024)
    shingle: int = Field(5, ge=1, le=32)
    seed: int = 1
    near_verify: bool = False


@register
class Duplicates(Analyzer):
    name = "duplicates"
    order = 20
    default = True
    Settings = DuplicatesSettings

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        return (
            share("exact_duplicate_rate", "share of rows with text that exact dedup removes", "lower", headline=True),
            share("near_duplicate_rate", "share of rows with text that keeping one per near-duplicate cluster removes",
                  "lower", headline=True),
            count("exact_duplicate_groups", "groups of two or more identical rows", "lower", headline=True),
            count("largest_exact_group", "rows in the largest group of identical rows", "lower", headline=True),
            count("near_duplicate_clusters", "near-duplicate clusters of two or more rows", "lower"),
            count("largest_near_cluster", "rows in the largest near-duplicate cluster", "lower"),
        )

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        return [
            RowFlag("is_exact_duplicate", pl.col("is_exact_duplicate"), "exact duplicate",
                    pl.format("exact duplicate of row {}", "exact_dup_group")),
            RowFlag("near_dup_kept", ~pl.col("near_dup_kept"), "near duplicate",
                    pl.format("near duplicate of row {}", "near_dup_cluster")),
        ]

    def finalize(self, texts: pl.DataFrame) -> AnalyzerResult:
        return _duplicates(texts, self.settings, self.context.progress)


def _duplicates(texts: pl.DataFrame, settings: DuplicatesSettings, progress) -> AnalyzerResult:
    lowercase = settings.lowercase
    task = progress.add_task("duplicates: exact", total=None)
    key = pl.col(TEXT).str.replace_all(r"\s+", " ").str.strip_chars()
    if lowercase:
        key = key.str.to_lowercase()
    valid = texts.filter(pl.col(TEXT_STATUS) == "ok").with_columns(key.alias("_key"))
    grouped = valid.with_columns(
        pl.col(ROW_ID).min().over("_key").alias("exact_dup_group"),
        pl.len().over("_key").cast(pl.Int64).alias("exact_dup_count"),
    ).with_columns((pl.col(ROW_ID) != pl.col("exact_dup_group")).alias("is_exact_duplicate"))
    rows = grouped.select(ROW_ID, "exact_dup_group", "exact_dup_count", "is_exact_duplicate")
    groups = (
        grouped.filter(pl.col("exact_dup_count") > 1)
        .group_by("exact_dup_group")
        .agg(pl.len().alias("size"), pl.col(TEXT).first().str.slice(0, SNIPPET_CHARS).alias(TEXT))
        .sort(["size", "exact_dup_group"], descending=[True, False])
    )
    sig = signature("exact_duplicate", f"norm:ws{',lc' if lowercase else ''}")
    duplicates = int(rows["is_exact_duplicate"].sum())
    metrics = {
        "exact_duplicate_rate": Metric(duplicates / valid.height if valid.height else 0.0, sig),
        "exact_duplicate_groups": Metric(groups.height, sig),
        "largest_exact_group": Metric(int(groups["size"].max() or 1) if groups.height else 1, sig),
    }
    tables = {"top_groups": groups.head(TOP_GROUPS).to_dicts()}
    if settings.near:
        progress.update(task, description="duplicates: MinHash-LSH")
        near_rows, near_metrics, tables["top_near_clusters"] = _near_duplicates(valid, settings)
        rows = rows.join(near_rows, on=ROW_ID)
        metrics.update(near_metrics)
    progress.remove_task(task)
    return AnalyzerResult(metrics, rows, tables)


def _near_duplicates(valid: pl.DataFrame, settings: DuplicatesSettings) -> tuple[pl.DataFrame, dict[str, Metric], list]:
    from qcaudit.minhash import candidate_edges, components, jaccard_of_edges, optimal_bands, signatures

    tokens = Tokenization().tokens(valid["_key"])  # the key is already normalised
    hashes, positions = shingles(tokens, settings.shingle)
    sigs = signatures(hashes, positions, valid.height, settings.num_perm, settings.seed)
    bands, per_band = optimal_bands(settings.near_threshold, settings.num_perm)
    src, dst = candidate_edges(sigs, bands, per_band, tokens.lengths > 0)
    if settings.near_verify:  # keep only candidates whose exact shingle Jaccard clears the threshold
        keep = jaccard_of_edges(src, dst, hashes, positions) >= settings.near_threshold
        src, dst = src[keep], dst[keep]
    clusters = components(valid.height, src, dst)
    row_ids = valid[ROW_ID].to_numpy()
    rows = pl.DataFrame({
        ROW_ID: valid[ROW_ID],
        "near_dup_cluster": row_ids[clusters.cluster],
        "near_dup_size": clusters.size.astype(np.int64),
        "near_dup_kept": clusters.cluster == np.arange(valid.height),
    })
    sig = signature(
        "near_duplicate", f"norm:ws{',lc' if settings.lowercase else ''}", f"shingle:{settings.shingle}",
        f"num_perm:{settings.num_perm}", f"threshold:{settings.near_threshold}", f"bands:{bands}x{per_band}",
        f"seed:{settings.seed}", f"verify:{'jaccard' if settings.near_verify else 'none'}",
    )
    multi = rows.filter(pl.col("near_dup_size") > 1)
    top = (
        multi.join(valid.select(ROW_ID, TEXT), on=ROW_ID)
        .group_by("near_dup_cluster")
        .agg(pl.len().alias("size"), pl.col(TEXT).sort_by(ROW_ID).head(3).str.slice(0, SNIPPET_CHARS).alias("examples"))
        .sort(["size", "near_dup_cluster"], descending=[True, False])
        .head(TOP_GROUPS)
    )
    metrics = {
        "near_duplicate_rate": Metric(float((~rows["near_dup_kept"]).sum()) / max(valid.height, 1), sig),
        "near_duplicate_clusters": Metric(multi["near_dup_cluster"].n_unique(), sig),
        "largest_near_cluster": Metric(int(rows["near_dup_size"].max() or 1), sig),
    }
    return rows, metrics, top.to_dicts()
