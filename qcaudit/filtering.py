"""Write a dataset back without the rows an analyzer says to drop: the filter commands its
:class:`qcaudit.registry.RowFilter` declares (``qcaudit decontaminate``: rows that leak
benchmark items; ``qcaudit dedup``: all but one row per near-duplicate cluster).

The kept rows keep the input's schema and order (every column, an input ``row_id`` column
under its own name); the removed rows carry qcaudit's ``row_id``, the input's columns (an
input ``row_id`` as ``input_row_id``) and why they went. Each file is written in the format
its extension names (:func:`qcaudit.outputs.write_rows`), streamed; JSON Lines from a JSON input as
the input's own records (:mod:`qcaudit.json_records`).
"""

from __future__ import annotations

import inspect
import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple, Self

import polars as pl
from rich.progress import Progress

from qcaudit.atomic import write_atomic
from qcaudit.columns import ROW_ID, TEXT
from qcaudit.compression import open_compressed
from qcaudit.config import Config, with_overrides
from qcaudit.context import load_input
from qcaudit.errors import QcauditError
from qcaudit.io import Dataset, free_name
from qcaudit.json_records import JSON_FORMATS, json_records
from qcaudit.outputs import check_table_output, row_bytes_of, table_format, write_rows
from qcaudit.pipeline import (
    audit_as_configured,
    flag_settings,
    keyword_settings,
    python_flags,
    speaks_keywords,
    with_flag_keywords,
    with_parts_found,
)
from qcaudit.progress import api_progress
from qcaudit.registry import RowFilter, analyzers, filter_flags, row_filters
from qcaudit.report.model import Report

DROP = "_qcaudit_drop"


@dataclass(frozen=True)
class Filtered:
    report: Report
    kept: int
    removed: int


class Split(NamedTuple):
    """The rows a filter keeps and those it removes, in memory (:func:`python_filter`): as
    the input's own kind of table where it is a Polars or pandas DataFrame or a Hugging Face
    Dataset (its rows, by position: a pandas frame keeps its index), else Polars DataFrames;
    the removed rows with why they went, as the removed file's last columns."""

    kept: Any
    removed: Any
    report: Report


def check_filter_settings(command: str, config: Config) -> None:
    """Refuse settings that leave the filter ``command`` nothing to judge by (decontaminate
    without benchmarks, the reward-model filter without a model), before the pass over the data."""
    name, _ = row_filters()[command]
    if missing := analyzers()[name].missing_input(config):
        raise QcauditError(f"{command}: {missing}")


def filter_rows(data: str | Path, config: Config, command: str, clean_path: Path, removed_path: Path,
                progress: Progress | None = None) -> Filtered:
    """Run the analyzer that declares the filter ``command`` alone (with the filter's settings)
    and write the rows it keeps and those it drops, with why."""
    dataset, run_config, row_filter = _filter_run(data, config, command)
    schema = dataset.input_columns(dataset.frame).collect_schema()
    for path in (clean_path, removed_path):  # both hold the input's columns
        check_table_output(path, schema)
    report = audit_as_configured(dataset, run_config, progress)
    task = progress.add_task("writing the kept and the removed rows", total=None) if progress else None
    try:  # (the input read once more: on a large input, a phase of its own)
        return _write_split(dataset, report, _verdicts(report, row_filter), clean_path, removed_path, config.input.header)
    finally:
        if task is not None:
            progress.remove_task(task)


def split_rows(data: Any, config: Config, command: str, progress: Progress | None = None) -> Split:
    """:func:`filter_rows` in memory: the kept and removed rows returned (:class:`Split`)."""
    dataset, run_config, row_filter = _filter_run(data, config, command)
    report = audit_as_configured(dataset, run_config, progress)
    verdicts = _verdicts(report, row_filter)
    clashes = _reason_clashes(dataset, verdicts)
    kept, removed = _kept_and_removed(dataset, verdicts, clashes)
    kept, removed = kept.collect(), removed.collect()
    positions = verdicts.filter(~pl.col(DROP))[ROW_ID], verdicts.filter(pl.col(DROP))[ROW_ID]
    return Split(*_as_given(data, kept, removed, positions, _reasons(verdicts), clashes), report)


def python_filter(command: str) -> Callable[..., Split]:
    """The Python function of the filter ``command`` (``qcaudit.dedup``; ``qcaudit.drop_truncated``
    for ``drop-truncated``, ...): the command's
    keywords as :func:`qcaudit.pipeline.audit` takes them, and its own flags as keywords named
    as the flags (:func:`qcaudit.registry.filter_flags`: ``qcaudit.dedup(data,
    threshold=0.7)`` is ``qcaudit dedup DATA --threshold 0.7``); the rows returned
    (:class:`Split`)."""
    flags = python_flags(filter_flags(command))

    def filtered(data: Any, config: Any = None, *, text_column: str | None = None, fields: Any = None, role: Any = None,
                 limit: int | None = None, benchmarks: Any = None, settings: Any = None, progress: Any = None,
                 **flag_values: Any) -> Split:
        keywords = {"text_column": text_column, "fields": fields, "role": role, "limit": limit, "benchmarks": benchmarks,
                    "settings": settings, "progress": progress}
        run_config = with_overrides(keyword_settings(command, config, keywords), flag_settings(command, flags, flag_values))
        with api_progress(progress) as shown:
            return split_rows(data, run_config, command, shown)

    _, row_filter = row_filters()[command]
    filtered = speaks_keywords(filtered)
    filtered.__name__ = filtered.__qualname__ = command.replace("-", "_")
    filtered.__signature__ = with_flag_keywords(inspect.signature(filtered), flags)
    filtered.__doc__ = (f"``qcaudit {command}`` in memory: {row_filter.help}\n\n"
                        "``data`` and the keywords as :func:`qcaudit.audit` takes them, and the command's flags as keywords "
                        f"({', '.join(sorted(flags))}); returns ``(kept, removed, report)``: the "
                        "kept rows and the removed ones, with why, as the input's kind of table (a Polars or pandas DataFrame, "
                        "a Hugging Face Dataset; else Polars DataFrames).")
    return filtered


def _filter_run(data: Any, config: Config, command: str) -> tuple[Dataset, Config, RowFilter]:
    """The input loaded, the settings of the filter's run (its analyzer alone, with the
    filter's settings, and its companions), and the filter; refused where they leave it
    nothing to judge by (:func:`check_filter_settings`) once what the data holds is found
    (:meth:`~qcaudit.registry.Analyzer.found_in`: a reference answer found by name)."""
    name, row_filter = row_filters()[command]
    dataset = load_input(data, config)
    config = with_parts_found(config, dataset.selection)
    if analyzers()[name].missing_input(config) and (found := analyzers()[name].found_in(dataset, config)) is not None:
        config = with_overrides(config, found)
    check_filter_settings(command, config)
    section = getattr(config, name).model_copy(update=row_filter.settings)
    chosen = [name, *(other for other, cls in analyzers().items()
                      if row_filter.companions and other != name and cls.switched_on(config))]
    return dataset, config.model_copy(update={"analyzers": chosen, name: section}), row_filter


def _verdicts(report: Report, row_filter: RowFilter) -> pl.DataFrame:
    """Per row: whether it goes, and the filter's reasons, in row order."""
    verdicts = report.rows.select(
        ROW_ID, row_filter.drop.fill_null(False).alias(DROP), *(reason.alias(column) for column, reason in row_filter.reasons.items()),
    )
    return verdicts.with_columns(pl.col(DROP).fill_null(False)).sort(ROW_ID)


def _reasons(verdicts: pl.DataFrame) -> list[str]:
    """The columns of ``verdicts`` that say why a row went (``removed_by``, ``duplicate_of``)."""
    return [name for name in verdicts.columns if name not in (ROW_ID, DROP)]


def _reason_clashes(dataset: Dataset, verdicts: pl.DataFrame) -> dict[str, str]:
    """The input's columns named as a reason the removed rows get (a file a filter removed,
    filtered again, has its own ``removed_by``), by the name each has in the removed rows:
    ``input_<name>``, as an input ``row_id`` is ``input_row_id``; the reason keeps the name."""
    names = set(dataset.frame.collect_schema().names())
    clashes: dict[str, str] = {}
    for name in (reason for reason in _reasons(verdicts) if reason in names):
        clashes[name] = free_name(f"input_{name}", names | set(verdicts.columns) | set(clashes.values()))
    return clashes


def _kept_and_removed(dataset: Dataset, verdicts: pl.DataFrame,
                      clashes: dict[str, str]) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The rows ``verdicts`` keeps, with the input's columns as read (an input ``row_id`` under
    its own name), and those it drops, with qcaudit's ``row_id``, the input's columns (those
    named as a reason renamed as ``clashes``, :func:`_reason_clashes`, says) and the reasons.

    Rows are picked by a filter on their ``row_id``, not by a join with ``verdicts``: while a
    file of them was written, Polars' streaming join held a wide input's rows by the
    gigabyte more (``python benchmarks/bench_scale.py --filter``). The reasons are set beside
    the removed rows by position, both in row order; Polars refuses frames of two heights,
    as where the input lost a row since the audit."""
    gone = verdicts.filter(pl.col(DROP))
    dropped = pl.col(ROW_ID).is_in(gone[ROW_ID].implode())
    frame = dataset.frame.rename(clashes)
    original_names = {new: old for old, new in (dataset.renamed | clashes).items()}
    kept = dataset.input_columns(frame.filter(~dropped)).drop(ROW_ID).rename(original_names)
    removed = pl.concat([dataset.input_columns(frame.filter(dropped)), gone.drop(ROW_ID, DROP).lazy()], how="horizontal")
    return kept, removed


def _as_given(data: Any, kept: pl.DataFrame, removed: pl.DataFrame, positions: tuple[pl.Series, pl.Series],
              reasons: list[str], clashes: dict[str, str]) -> tuple[Any, Any]:
    """Kept and removed rows as the input's kind of table: a pandas DataFrame's or a Hugging
    Face Dataset's own rows at those positions (each value as given, a pandas frame's index
    kept), the removed with the ``reasons`` columns after them, its own columns of a
    reason's name renamed as ``clashes`` says; else as read."""
    kept_at, removed_at = (p.to_list() for p in positions)
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(data, pandas.DataFrame):
        gone = data.iloc[removed_at].rename(columns=clashes)
        for name in reasons:
            gone[name] = removed[name].to_pandas().to_numpy()  # (as pandas converts the Polars column)
        return data.iloc[kept_at], gone
    if type(data).__module__.startswith("datasets.") and hasattr(data, "select") and hasattr(data, "add_column"):
        with _no_datasets_bars():
            gone = data.select(removed_at).rename_columns(clashes)
            for name in reasons:
                gone = gone.add_column(name, removed[name].to_list())
        return data.select(kept_at), gone
    return kept, removed


@contextmanager
def _no_datasets_bars() -> Iterator[None]:
    """Without the bar ``datasets`` shows as it flattens the rows a selection picked (adding
    a column to the removed rows did: "Flattening the indices", from a quiet function)."""
    import datasets

    shown = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if shown:
            datasets.enable_progress_bars()


def _write_split(dataset: Dataset, report: Report, verdicts: pl.DataFrame, clean_path: Path, removed_path: Path,
                 header: bool = True) -> Filtered:
    """Write the rows ``verdicts`` keeps and those it drops, read once more from the input
    and streamed into the files (not collected first): as JSON Lines or JSON from a JSON
    input, its own records (:mod:`qcaudit.json_records`); as a CSV from a CSV without a
    header line (``header`` false), the kept rows without one too. Both files are written,
    or neither: not where the input changed since the audit."""
    clashes = _reason_clashes(dataset, verdicts)
    kept, removed = _kept_and_removed(dataset, verdicts, clashes)
    records = {path: dataset.format in JSON_FORMATS and table_format(path) in JSON_FORMATS for path in (clean_path, removed_path)}
    parquet = any(table_format(path) == "parquet" for path in (clean_path, removed_path))
    row_bytes = row_bytes_of(dataset.input_columns(dataset.frame)) if parquet else None  # (the first removed rows may lie anywhere)

    def write(temporary: dict[Path, Path]) -> None:
        dataset.check_unchanged()  # (since the audit; and again once read, or where reading it failed)
        try:
            if any(records.values()):  # both in one pass over the input
                _write_records(dataset, verdicts, clashes, {path: temporary[path] for path, as_records in records.items() if as_records},
                               clean_path, removed_path)
            for rows, path, csv_header in ((kept, clean_path, header), (removed, removed_path, True)):
                if not records[path]:
                    check_table_output(path, rows.collect_schema())
                    write_rows(rows, temporary[path], path, csv_header, dataset.csv_separator, row_bytes)
        finally:
            dataset.check_unchanged()

    _atomically([clean_path, removed_path], write)
    gone = int(verdicts[DROP].sum())
    return Filtered(report, verdicts.height - gone, gone)


def _write_records(dataset: Dataset, verdicts: pl.DataFrame, clashes: dict[str, str], temporary: dict[Path, Path],
                   kept_path: Path, removed_path: Path) -> None:
    """In one pass over the input, into the ``temporary`` file of each path it has one for:
    for ``kept_path``, the input's records that ``verdicts`` keeps, as written; for
    ``removed_path``, those it drops, each with qcaudit's ``row_id`` first (an input
    ``row_id`` renamed, as on reading, and keys named as a reason, as ``clashes``,
    :func:`_reason_clashes`, says) and why it went last, as the other formats' removed rows.
    Refused where the input holds other rows than were audited."""
    drop = verdicts[DROP].to_numpy()
    why = {row[ROW_ID]: row for row in verdicts.filter(pl.col(DROP)).drop(DROP).to_dicts()} if removed_path in temporary else {}

    def named(key: str) -> str:  # (a record's key as the removed rows name it)
        read = dataset.renamed.get(key, key)
        return clashes.get(read, read)

    records, rows = json_records(dataset.sources), 0
    with ExitStack() as files:
        kept, removed = (files.enter_context(_RecordWriter(temporary[path], path)) if path in temporary else None
                         for path in (kept_path, removed_path))
        for row_id, record in enumerate(islice(records, len(drop))):
            rows += 1
            if kept and not drop[row_id]:
                kept.write(record)
            elif removed and drop[row_id]:
                value = json.loads(record)  # (an object, or a text: a file of texts' row is its text column)
                fields = {named(key): v for key, v in value.items()} if isinstance(value, dict) else {TEXT: value}
                reasons = why[row_id]
                removed.write(json.dumps({ROW_ID: reasons.pop(ROW_ID), **fields, **reasons}, ensure_ascii=False))
    more = dataset.input_rows is None and next(records, None) is not None  # (beyond a limit, rows were not read)
    found = f"{rows:,}" if rows < len(drop) else f"more than {rows:,}" if more else None
    if found:
        raise QcauditError(f"{', '.join(dataset.sources)} changed while it was read: {len(drop):,} rows audited, {found} to "
                           "write; run again")


class _RecordWriter:
    """JSON records written to ``tmp`` as ``target`` names them: one a line (JSON Lines), or
    as the elements of one array (.json), each on a line of its own; compressed as named."""

    def __init__(self, tmp: Path, target: Path) -> None:
        self._file = io.TextIOWrapper(open_compressed(tmp, target), encoding="utf-8")
        self._array, self._written = table_format(target) == "json", 0

    def write(self, record: str) -> None:
        if self._array:
            self._file.write(",\n" if self._written else "[\n")
        self._file.write(record if self._array else record + "\n")
        self._written += 1

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *failure) -> None:
        try:
            if self._array and failure[0] is None:
                self._file.write("\n]\n" if self._written else "[]\n")
        finally:
            self._file.close()


def _atomically(paths: list[Path], write: Callable[[dict[Path, Path]], None], temporary: dict[Path, Path] | None = None) -> None:
    """``write`` given a temporary file for each of ``paths``; once it returns, each is moved
    onto its path (:func:`qcaudit.atomic.write_atomic`); where it raises, none is."""
    temporary = temporary or {}
    if not paths:
        write(temporary)
        return
    write_atomic(paths[0], lambda tmp: _atomically(paths[1:], write, {**temporary, paths[0]: tmp}))
