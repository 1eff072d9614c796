"""Write a dataset back without the rows an analyzer says to drop: the filter commands its
:class:`qcaudit.registry.RowFilter` declares (``qcaudit decontaminate``: rows that leak
benchmark items; ``qcaudit dedup``: all but one row per near-duplicate cluster).

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
from qcaudit.outputs import check_table_output, write_table
from qcaudit.pipeline import audit, with_parts_found
from qcaudit.registry import analyzers, row_filters
from qcaudit.report.model import Report

DROP = "_qcaudit_drop"


@dataclass(frozen=True)
class Filtered:
    report: Report
    kept: int
    removed: int


def filter_rows(data: str | Path, config: Config, command: str, clean_path: Path, removed_path: Path,
                progress: Progress | None = None) -> Filtered:
    """Run the analyzer that declares the filter ``command`` alone (with the filter's settings)
    and write the rows it keeps and those it drops, with why."""
    name, row_filter = row_filters()[command]
    dataset = load_dataset(data, text_selection(config))
    config = with_parts_found(config, dataset.selection)
    section = getattr(config, name).model_copy(update=row_filter.settings)
    chosen = [name, *(other for other, cls in analyzers().items()
                      if row_filter.companions and other != name and cls.switched_on(config))]
    schema = dataset.frame.collect_schema()
    for path in (clean_path, removed_path):  # both hold the input's columns
        check_table_output(path, schema)
    report = audit(dataset, config.model_copy(update={"analyzers": chosen, name: section}), progress=progress)
    verdicts = report.rows.select(
        ROW_ID, row_filter.drop.fill_null(False).alias(DROP), *(reason.alias(column) for column, reason in row_filter.reasons.items()),
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
