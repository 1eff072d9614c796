"""The local engine: run the chosen analyzers over one dataset and gather what they found.

Each analyzer is built from its config section and the run's shared context, reads the
columns it declares, and returns metrics, per-row columns and tables; the per-row columns
are joined on ``row_id``; then each analyzer may annotate its tables with the others'
verdicts. The engine knows no analyzer by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from qcaudit.context import RunContext
from qcaudit.io import ROW_ID, TEXT_STATUS, Dataset
from qcaudit.registry import get

TEXT_STATUSES = ("ok", "null", "empty", "non_string")


@dataclass
class EngineResult:
    """``metrics[analyzer][name] = {"value", "signature"}``; ``rows`` has one row per input row."""

    dataset: dict[str, Any]
    metrics: dict[str, dict[str, dict[str, Any]]]
    tables: dict[str, dict[str, Any]]
    rows: pl.DataFrame


def run_analyzers(dataset: Dataset, config: Any, context: RunContext) -> EngineResult:
    chosen = [get(name).from_config(config, context) for name in config.analyzers]
    category, kept = None, []
    for analyzer in chosen:
        own_category, own_columns = analyzer.input_columns()
        category = category or own_category
        kept += [column for column in own_columns if column not in kept]
    texts = dataset.texts(category, keep=tuple(kept))
    status_counts = dict.fromkeys(TEXT_STATUSES, 0) | dict(texts.group_by(TEXT_STATUS).len().iter_rows())
    results = {analyzer.name: analyzer.run(texts) for analyzer in chosen}
    rows = texts
    for result in results.values():
        rows = rows.join(result.rows, on=ROW_ID, how="left")
    for analyzer in chosen:
        analyzer.annotate(results[analyzer.name], rows)
    return EngineResult(
        dataset={
            "sources": dataset.sources,
            "format": dataset.format,
            "rows": texts.height,
            "text_source": dataset.text_source,
            "text_rows": status_counts,
        },
        metrics={name: {key: m.to_json() for key, m in result.metrics.items() if m.computed} for name, result in results.items()},
        tables={name: result.tables for name, result in results.items()},
        rows=rows.sort(ROW_ID),
    )
