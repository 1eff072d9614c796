"""``qcaudit decontaminate``: keep the rows no contamination method flagged.

The kept rows keep the input's schema (every column, no ``row_id``); the removed rows
carry their ``row_id`` and why they went: method, benchmark and matched item.
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

REASON_COLUMNS = {
    "contamination_method": "removed_by",
    "contamination_benchmark": "benchmark",
    "contamination_item_id": "item_id",
}


@dataclass(frozen=True)
class Decontaminated:
    report: Report
    kept: int
    removed: int


def decontaminate(data: str | Path, config: Config, clean_path: Path, removed_path: Path, progress: Progress | None = None) -> Decontaminated:
    """Audit ``data`` for contamination only, then write the kept and the removed rows."""
    config = config.model_copy(update={"analyzers": ["contamination"]})
    report = audit(data, config, progress=progress)
    verdicts = report.rows.select(ROW_ID, "contaminated", *REASON_COLUMNS).with_columns(
        pl.col("contaminated").fill_null(False)
    )
    frame = (
        load_dataset(data, text_selection(config)).frame
        .join(verdicts.lazy(), on=ROW_ID, how="left")
        .sort(ROW_ID)  # keep the input's row order
    )
    kept = frame.filter(~pl.col("contaminated")).drop(ROW_ID, "contaminated", *REASON_COLUMNS).collect()
    removed = (
        frame.filter(pl.col("contaminated")).drop("contaminated").rename(REASON_COLUMNS).collect()
    )
    write_atomic(clean_path, lambda tmp: kept.write_parquet(tmp))
    write_atomic(removed_path, lambda tmp: removed.write_parquet(tmp))
    return Decontaminated(report, kept.height, removed.height)
