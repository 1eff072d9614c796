"""Exact duplicates on normalised text: whitespace runs collapsed, trimmed, lower-cased by default.

Per row: ``exact_dup_group`` (the smallest ``row_id`` of its group of identical texts),
``exact_dup_count`` (group size) and ``is_exact_duplicate`` (a later copy of an earlier row).
``exact_duplicate_rate`` is the share of rows with text that are such later copies, i.e.
the share an exact dedup would remove.
"""

from __future__ import annotations

import polars as pl
from rich.progress import Progress

from qcaudit.analyzers.base import AnalyzerResult, Metric, signature
from qcaudit.config import Config
from qcaudit.io import ROW_ID, TEXT, TEXT_STATUS

TOP_GROUPS = 20
SNIPPET_CHARS = 400


def gate_metric_names(max_order: int) -> list[str]:
    return ["exact_duplicate_rate", "exact_duplicate_groups", "largest_exact_group"]


def run(texts: pl.DataFrame, config: Config, progress: Progress) -> AnalyzerResult:
    lowercase = config.duplicates.lowercase
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
    progress.remove_task(task)
    return AnalyzerResult(metrics, rows, {"top_groups": groups.head(TOP_GROUPS).to_dicts()})
