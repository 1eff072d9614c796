"""Run an audit: load, select text, run the chosen analyzers, judge the gate."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from rich.progress import Progress

from qcaudit.analyzers import ANALYZERS
from qcaudit.config import Config, load_config
from qcaudit.gate import evaluate
from qcaudit.io import ROW_ID, TEXT_STATUS, Dataset, TextSelection, load_dataset
from qcaudit.report.model import Report, first_flag

TEXT_STATUSES = ("ok", "null", "empty", "non_string")


def _flag_points(points: list[dict], rows: pl.DataFrame) -> list[dict]:
    """Mark each map point with the first flag another analyzer set on its row ("" if none)."""
    flag = first_flag(rows.columns)
    if not points or flag is None:
        return [p | {"flag": ""} for p in points]
    flags = dict(rows.select(ROW_ID, flag.alias("flag")).iter_rows())
    return [p | {"flag": flags.get(p[ROW_ID], "")} for p in points]


def text_selection(config: Config) -> TextSelection:
    return TextSelection(
        text_column=config.input.text_column,
        fields=tuple(config.input.fields),
        roles=tuple(config.input.role),
    )


def audit(
    data: str | Path | Dataset,
    config: Config | None = None,
    *,
    config_path: str | Path | None = None,
    progress: Progress | None = None,
) -> Report:
    """Audit ``data`` (a path, directory or glob, or a :class:`Dataset` already loaded with
    ``config``'s text selection) and return the report, rows included.

    ``config`` defaults to :func:`qcaudit.config.load_config` of ``config_path`` (or the
    ``qcaudit.toml`` / ``pyproject.toml`` found in the working directory).
    """
    config = config or load_config(config_path)
    progress = progress or Progress(disable=True)
    dataset = data if isinstance(data, Dataset) else load_dataset(data, text_selection(config))
    label = config.detectors.label_column if "detectors" in config.analyzers else None
    texts = dataset.texts(config.embeddings.category_column, keep=(label,) if label else ())
    status_counts = dict.fromkeys(TEXT_STATUSES, 0) | dict(
        texts.group_by(TEXT_STATUS).len().iter_rows()
    )
    metrics, tables, rows = {}, {}, texts
    for name in config.analyzers:
        result = ANALYZERS[name].run(texts, config, progress)
        metrics[name] = {key: metric.to_json() for key, metric in result.metrics.items()}
        tables[name] = result.tables
        rows = rows.join(result.rows, on=ROW_ID, how="left")
    if "embeddings" in tables:
        tables["embeddings"]["map"] = _flag_points(tables["embeddings"]["map"], rows)
    dataset_info = {
        "sources": dataset.sources,
        "format": dataset.format,
        "rows": texts.height,
        "text_source": dataset.text_source,
        "text_rows": status_counts,
    }
    return Report(
        dataset=dataset_info,
        config=config.model_dump(mode="json"),
        metrics=metrics,
        tables=tables,
        gate=evaluate(metrics, config.gate),
        rows=rows.sort(ROW_ID),
    )

