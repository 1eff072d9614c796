"""An audit as users call it: settings, the data, the engine's findings, the gate's verdict,
one :class:`~qcaudit.report.model.Report`."""

from __future__ import annotations

from pathlib import Path

from rich.progress import Progress

from qcaudit.config import CoreConfig, load_config
from qcaudit.context import RunContext
from qcaudit.engine import PartialsSource, run_analyzers
from qcaudit.gate import evaluate
from qcaudit.io import Dataset, load_dataset
from qcaudit.report.model import Report


def _partials_source(config: CoreConfig) -> PartialsSource | None:
    """Where the analyzers' partial states are computed: this process, or Ray actors."""
    if config.engine.kind == "ray":
        from qcaudit.ray_engine import ray_partials  # ray loads only when it is asked for

        return ray_partials
    return None


def audit(
    data: str | Path | Dataset,
    config: CoreConfig | None = None,
    *,
    config_path: str | Path | None = None,
    progress: Progress | None = None,
    lazy_rows: bool = False,
) -> Report:
    """Audit ``data`` (a path, directory or glob, or a :class:`Dataset` already loaded with
    ``config``'s text selection) and return the report, rows included: a DataFrame, or with
    ``lazy_rows`` a LazyFrame that reads the input again as it is written (what
    ``qcaudit report`` does, so that no copy of the corpus is held in memory).

    ``config`` defaults to :func:`qcaudit.config.load_config` of ``config_path`` (or the
    ``qcaudit.toml`` / ``pyproject.toml`` found in the working directory).
    """
    config = config or load_config(config_path)
    context = RunContext.from_config(config, progress)
    dataset = data if isinstance(data, Dataset) else load_dataset(data, context.selection)
    found = run_analyzers(dataset, config, context, _partials_source(config))
    return Report(
        dataset=found.dataset,
        config=config.model_dump(mode="json"),
        metrics=found.metrics,
        tables=found.tables,
        gate=evaluate(found.metrics, config.gate),
        rows=found.rows if lazy_rows else found.rows.collect(),
    )
