"""Write a dataset back without the rows an analyzer says to drop: ``qcaudit decontaminate``
(rows that leak benchmark items) and ``qcaudit dedup`` (all but one row per near-duplicate
cluster).

The kept rows keep the input's schema and order (every column, no ``row_id``); the removed
rows carry their ``row_id`` and why they went.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
from rich.progress import Progress

from qcaudit.atomic import write_atomic
from qcaudit.config import Config
from qcaudit.io import ROW_ID, load_dataset
from qcaudit.pipeline import audit, text_selection
from qcaudit.report.model import Report

DROP = "_qcaudit_drop"


@dataclass(frozen=True)
class Filtered:
    report: Report
    kept: int
    removed: int


def decontaminate(data: str | Path, config: Config, clean_path: Path, removed_path: Path, progress: Progress | None = None) -> Filtered:
    """Drop the rows any contamination method flagged; say which benchmark item each leaks."""
    report = audit(data, config.model_copy(update={"analyzers": ["contamination"]}), progress=progress)
    verdicts = report.rows.select(
        ROW_ID,
        pl.col("contaminated").fill_null(False).alias(DROP),
        pl.col("contamination_method").alias("removed_by"),
        pl.col("contamination_benchmark").alias("benchmark"),
        pl.col("contamination_item_id").alias("item_id"),
    )
    return _write_split(data, config, report, verdicts, clean_path, removed_path)


def dedup(data: str | Path, config: Config, clean_path: Path, removed_path: Path, progress: Progress | None = None) -> Filtered:
    """Keep the first row of every near-duplicate cluster (exact copies fall in the same one)."""
    settings = config.model_copy(update={
        "analyzers": ["duplicates"], "duplicates": config.duplicates.model_copy(update={"near": True}),
    })
    report = audit(data, settings, progress=progress)
    verdicts = report.rows.select(
        ROW_ID,
        (~pl.col("near_dup_kept")).fill_null(False).alias(DROP),
        pl.lit("near_duplicate").alias("removed_by"),
        pl.col("near_dup_cluster").alias("duplicate_of"),
    )
    return _write_split(data, config, report, verdicts, clean_path, removed_path)


def _write_split(
    data: str | Path, config: Config, report: Report, verdicts: pl.DataFrame, clean_path: Path, removed_path: Path
) -> Filtered:
    reasons = [c for c in verdicts.columns if c not in (ROW_ID, DROP)]
    frame = (
        load_dataset(data, text_selection(config)).frame
        .join(verdicts.lazy(), on=ROW_ID, how="left")
        .with_columns(pl.col(DROP).fill_null(False))
        .sort(ROW_ID)  # keep the input's row order
    )
    kept = frame.filter(~pl.col(DROP)).drop(ROW_ID, DROP, *reasons).collect()
    removed = frame.filter(pl.col(DROP)).drop(DROP).collect()
    write_atomic(clean_path, lambda tmp: kept.write_parquet(tmp))
    write_atomic(removed_path, lambda tmp: removed.write_parquet(tmp))
    return Filtered(report, kept.height, removed.height)
