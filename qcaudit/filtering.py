"""Write a dataset back without the rows an analyzer says to drop: ``qcaudit decontaminate``
(rows that leak benchmark items) and ``qcaudit dedup`` (all but one row per near-duplicate
cluster).

The kept rows keep the input's schema and order (every column, an input ``row_id`` column
under its own name); the removed rows carry qcaudit's ``row_id``, the input's columns (an
input ``row_id`` as ``input_row_id``) and why they went. Each file is written in the format
its extension names (:func:`qcaudit.outputs.write_table`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
from rich.progress import Progress

from qcaudit.config import Config
from qcaudit.context import text_selection
from qcaudit.io import ROW_ID, Dataset, load_dataset
from qcaudit.outputs import write_table
from qcaudit.pipeline import audit
from qcaudit.report.model import Report

DROP = "_qcaudit_drop"


@dataclass(frozen=True)
class Filtered:
    report: Report
    kept: int
    removed: int


def decontaminate(data: str | Path, config: Config, clean_path: Path, removed_path: Path, progress: Progress | None = None) -> Filtered:
    """Drop the rows any contamination method flagged; say which benchmark item each leaks."""
    dataset = load_dataset(data, text_selection(config))
    report = audit(dataset, config.model_copy(update={"analyzers": ["contamination"]}), progress=progress)
    verdicts = report.rows.select(
        ROW_ID,
        pl.col("contaminated").fill_null(False).alias(DROP),
        pl.col("contamination_method").alias("removed_by"),
        pl.col("contamination_benchmark").alias("benchmark"),
        pl.col("contamination_item_id").alias("item_id"),
        pl.col("contamination_evidence").alias("evidence"),
    )
    return _write_split(dataset, report, verdicts, clean_path, removed_path)


def dedup(data: str | Path, config: Config, clean_path: Path, removed_path: Path, progress: Progress | None = None) -> Filtered:
    """Keep the first row of every near-duplicate cluster (exact copies fall in the same one).
    A removed row is an ``exact_duplicate`` of the first row with the same normalised text,
    or else a ``near_duplicate`` of its cluster's first row (``duplicate_of``)."""
    settings = config.model_copy(update={
        "analyzers": ["duplicates"], "duplicates": config.duplicates.model_copy(update={"near": True}),
    })
    dataset = load_dataset(data, text_selection(config))
    report = audit(dataset, settings, progress=progress)
    verdicts = report.rows.select(
        ROW_ID,
        (~pl.col("near_dup_kept")).fill_null(False).alias(DROP),
        pl.when(pl.col("is_exact_duplicate")).then(pl.lit("exact_duplicate")).otherwise(pl.lit("near_duplicate")).alias("removed_by"),
        pl.when(pl.col("is_exact_duplicate")).then(pl.col("exact_dup_group")).otherwise(pl.col("near_dup_cluster")).alias("duplicate_of"),
    )
    return _write_split(dataset, report, verdicts, clean_path, removed_path)


def _write_split(dataset: Dataset, report: Report, verdicts: pl.DataFrame, clean_path: Path, removed_path: Path) -> Filtered:
    """Write the rows ``verdicts`` keeps and those it drops, read once more from the input."""
    reasons = [c for c in verdicts.columns if c not in (ROW_ID, DROP)]
    frame = (
        dataset.frame
        .join(verdicts.lazy(), on=ROW_ID, how="left")
        .with_columns(pl.col(DROP).fill_null(False))
        .sort(ROW_ID)  # keep the input's row order
    )
    original_names = {new: old for old, new in dataset.renamed.items()}
    kept = frame.filter(~pl.col(DROP)).drop(ROW_ID, DROP, *reasons).rename(original_names).collect()
    removed = frame.filter(pl.col(DROP)).drop(DROP).collect()
    write_table(kept, clean_path)
    write_table(removed, removed_path)
    return Filtered(report, kept.height, removed.height)
