"""The engine: stream the input through the chosen analyzers and gather what they found.

The input is read in batches of at most ``[engine] batch_rows`` rows, fewer where rows are
long (:meth:`qcaudit.io.Dataset.batches`; ``row_id`` is the position in the input, whatever
the batch). Each analyzer, built from its config section and the run's
shared context, turns every batch into a state (``partial``), folds the states together in
input order (``merge``) and turns the last into metrics, per-row columns and tables
(``finalize``); an analyzer whose state outgrows the context's memory budget spills it to
the run's scratch directory, removed when the run ends. The per-row columns are joined on
``row_id``; then each analyzer may annotate its tables with the others' verdicts. The
engine knows no analyzer by name.

Where the partial states are computed is the ``partials`` argument: here by default, or on
a pool of Ray actors (:func:`qcaudit.ray_engine.ray_partials`); merging, finalising and
gathering stay here, so both engines give the same report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl

from qcaudit.columns import ROW_ID, TEXT_STATUS
from qcaudit.context import RunContext
from qcaudit.errors import QcauditError
from qcaudit.io import Dataset
from qcaudit.progress import row_progress
from qcaudit.registry import Analyzer, get

TEXT_STATUSES = ("ok", "null", "empty", "non_string")


@dataclass
class EngineResult:
    """``metrics[analyzer][name] = {"value", "signature"}``; ``rows`` has one row per input row,
    in input order: the input's text and every analyzer's per-row columns, read on demand."""

    dataset: dict[str, Any]
    metrics: dict[str, dict[str, dict[str, Any]]]
    tables: dict[str, dict[str, Any]]
    rows: pl.LazyFrame


@dataclass(frozen=True)
class Inputs:
    """What the analyzers read of each row besides ``row_id`` and the text: the category
    column, other input columns (as ``_<name>``), and the parts (:data:`qcaudit.io.PARTS`)."""

    category: str | None = None
    kept: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()


#: Computes every batch's :class:`Partials`, in input order, showing its progress:
#: (dataset, config, analyzers, their inputs) -> partials.
PartialsSource = Callable[[Dataset, Any, list[Analyzer], Inputs], Iterator["Partials"]]


def run_analyzers(dataset: Dataset, config: Any, context: RunContext, partials: PartialsSource | None = None) -> EngineResult:
    context.dataset = dataset  # (analyzers may ask for parts of rows the dataset has)
    chosen = [get(name).from_config(config, context) for name in config.analyzers]
    inputs = analyzer_inputs(chosen)
    statuses: Counter[str] = Counter()
    try:
        for analyzer in chosen:
            analyzer.check_inputs()
        states = fold(chosen, (partials or local_partials)(dataset, config, chosen, inputs), statuses)
        try:
            results = {analyzer.name: analyzer.finalize(state) for analyzer, state in zip(chosen, states, strict=True)}
        except QcauditError as error:
            why = why_no_text(dataset.text_source, statuses, dataset.turn_roles() if dataset.selection.roles else [])
            if not why:
                raise
            raise QcauditError(f"{error}; {why}") from error
    finally:
        context.close()
    # read again when the rows are written (never all in memory), without the input columns the analyzers read: their
    # results are the rows' columns (an API's saved answer, a truncation analyzer's record, would be its text again)
    rows = dataset.selected(inputs.category)
    for result in results.values():
        rows = rows.join(result.rows.lazy(), on=ROW_ID, how="left", maintain_order="left")
    for analyzer in chosen:
        added = analyzer.annotate(results[analyzer.name], rows)
        if added is not None:  # per-row columns worked out from the others' (the RM filter's verdict)
            rows = rows.join(added.lazy(), on=ROW_ID, how="left", maintain_order="left")
    return EngineResult(
        dataset={
            "sources": dataset.sources,
            "format": dataset.format,
            "rows": sum(statuses.values()),
            "text_source": dataset.text_source,
            "text_rows": dict.fromkeys(TEXT_STATUSES, 0) | dict(statuses),
            **({"input_rows": dataset.input_rows} if dataset.input_rows is not None else {}),
        },
        metrics={name: {key: m.to_json() for key, m in result.metrics.items() if m.computed} for name, result in results.items()},
        tables={name: result.tables for name, result in results.items()},
        rows=rows,
    )


#: Why a row has no text, by its text status.
NO_TEXT_REASONS = {"non_string": "not text (numbers, structs, lists of numbers, bytes that are not UTF-8)", "null": "missing", "empty": "empty or blank"}


def why_no_text(text_source: str, statuses: Counter[str], roles: list[str]) -> str:
    """What the rows of ``text_source`` held instead of text, for an analyzer's refusal
    when too few had any: "in column 'n': 3 rows not text (numbers, ...); choose ..."; with
    --role, the roles the chat turns have; "" when every row held text."""
    reasons = [f"{statuses[status]:,} {'row' if statuses[status] == 1 else 'rows'} {reason}"
               for status, reason in NO_TEXT_REASONS.items() if statuses[status]]
    if not reasons:
        return ""
    if roles:
        return f"in {text_source}: " + ", ".join(reasons) + f"; its turns' roles are {', '.join(roles)}: choose them with --role"
    return f"in {text_source}: " + ", ".join(reasons) + "; choose the text with --text-column or --fields"


def analyzer_inputs(analyzers: list[Analyzer]) -> Inputs:
    """What the analyzers together read besides the text."""
    category, kept, parts = None, [], []
    for analyzer in analyzers:
        own_category, own_columns = analyzer.input_columns()
        category = category or own_category
        kept += [column for column in own_columns if column not in kept]
        parts += [part for part in analyzer.input_parts() if part not in parts]
    return Inputs(category, tuple(kept), tuple(parts))


@dataclass
class Partials:
    """What one batch contributes: its rows by text status, and each analyzer's state."""

    statuses: dict[str, int]
    states: list[Any]


def prepared(analyzers: list[Analyzer], batch: pl.DataFrame) -> pl.DataFrame:
    """``batch`` with every analyzer's :meth:`~qcaudit.registry.Analyzer.prepare` columns."""
    for analyzer in analyzers:
        batch = analyzer.prepare(batch)
    return batch


def batch_partials(analyzers: list[Analyzer], batch: pl.DataFrame) -> Partials:
    """A batch's partials (the batch as read, or :func:`prepared` by an engine that
    prepares apart)."""
    return Partials(dict(batch.group_by(TEXT_STATUS).len().iter_rows()), [a.partial(batch) for a in analyzers])


def local_partials(dataset: Dataset, config: Any, analyzers: list[Analyzer], inputs: Inputs) -> Iterator[Partials]:
    """This process reads the input in batches and computes each batch's partials, with
    rows done, rate and time left shown (plain lines when stderr is not a terminal)."""
    with row_progress(f"audit ({', '.join(a.name for a in analyzers)})", dataset.row_count()) as report:
        for batch in dataset.batches(config.engine.batch_rows, inputs.category, inputs.kept, inputs.parts):
            yield batch_partials(analyzers, batch)
            report.advance(batch.height)


def fold(analyzers: list[Analyzer], parts: Iterator[Partials], statuses: Counter[str]) -> list[Any]:
    """Every analyzer's state over all batches' partials, merged in input order (a state of
    None adds nothing: an engine's last partials carry only the global passes' sums)."""
    states: list[Any] = [None] * len(analyzers)
    for part in parts:
        statuses.update(part.statuses)
        for i, analyzer in enumerate(analyzers):
            if part.states[i] is not None:
                states[i] = part.states[i] if states[i] is None else analyzer.merge(states[i], part.states[i])
    return states
