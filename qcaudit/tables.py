"""A table given in memory, from Python, as a lazy Polars table: Polars and pandas
frames, pyarrow tables, streams and datasets, Hugging Face ``datasets`` objects, lists and
iterators of rows, Series and arrays of texts. Each library is known by its objects' module,
so that none is imported here that the caller has not imported."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

import polars as pl

from qcaudit.columns import TEXT
from qcaudit.errors import QcauditError, first_line

log = logging.getLogger("qcaudit")


def input_name(data: Any) -> str:
    """How reports and messages name an input: a path or URI as given, a table in memory by
    its type (``<DataFrame>``), never by its printout."""
    return str(data) if isinstance(data, str | os.PathLike) else f"<{type(data).__name__}>"


def table_frame(table: Any, limit: int | None = None) -> pl.LazyFrame:
    """A table in memory as a LazyFrame: a Polars DataFrame or LazyFrame, a pandas
    DataFrame (:func:`_from_pandas`), what ``pl.DataFrame`` takes as a whole table (a pyarrow
    Table, a dict of columns), a Hugging Face ``datasets`` Dataset, a list of rows as dicts (records:
    ``json.load``'s) or an iterator of them (a generator: read once, only the first
    ``limit`` rows where one is given), pyarrow's streams and datasets (:func:`_from_pyarrow`),
    or a Polars or pandas Series or a one-dimensional numpy array, whose values are the
    texts. A list of strings is refused: a list of paths and a list of texts look alike.
    ``limit``: the rows wanted (``[input] limit``), all that is read of a stream."""
    if isinstance(table, pl.LazyFrame):
        return table
    if isinstance(table, pl.DataFrame):
        return table.lazy()
    if type(table).__module__.startswith("datasets."):
        return _hugging_face_dataset(table, limit)
    if type(table).__module__.startswith("pyarrow") and (frame := _from_pyarrow(table, limit)) is not None:
        return frame
    if isinstance(table, bytes | bytearray | memoryview):
        raise QcauditError(f"cannot read {type(table).__name__} as a dataset: write them to a file and give its path")
    if isinstance(table, list | tuple) and not table:
        raise QcauditError(f"cannot read {_a(table)} as a dataset: it is empty, and a dataset needs rows")
    if isinstance(table, list | tuple) and all(isinstance(value, str | os.PathLike) for value in table):
        raise QcauditError(f"cannot read {_a(table)} of strings as a dataset: texts and paths look alike; "
                           "give texts as pl.Series(texts), files as their directory or a glob")
    if isinstance(table, Iterator):
        rows = _streamed(table, limit, type(table).__name__)
        if not rows:
            raise QcauditError(f"the {type(table).__name__} yielded no rows")
        if not all(isinstance(row, Mapping) for row in rows):
            raise QcauditError(f"cannot read {_a(table)} as a dataset: an iterator must yield rows as dicts "
                               "(texts as pl.Series(list(texts)))")
        table = rows
    if isinstance(table, list | tuple) and all(isinstance(row, Mapping) for row in table):
        try:
            return pl.DataFrame(table, infer_schema_length=None).lazy()
        except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
            raise QcauditError(f"cannot read the list of rows as a table: {first_line(exc)}") from None
    pandas = sys.modules.get("pandas")  # (a pandas Series or DataFrame exists only where pandas is imported)
    if pandas is not None and isinstance(table, pandas.Series | pandas.DataFrame):
        frame = _from_pandas(table.to_frame(TEXT) if isinstance(table, pandas.Series) else table, pandas)
        return (frame.rename({frame.columns[0]: TEXT}) if isinstance(table, pandas.Series) else frame).lazy()
    if isinstance(table, pl.Series):
        return table.alias(TEXT).to_frame().lazy()
    if type(table).__module__ == "numpy" and getattr(table, "ndim", None) == 1:
        return pl.Series(TEXT, table).to_frame().lazy()
    if table is not None and not isinstance(table, list | tuple):
        try:
            return pl.DataFrame(table).lazy()
        except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
            if isinstance(table, Mapping) or hasattr(table, "__arrow_c_stream__"):  # (a kind it takes, that makes no table)
                kind = "dict of columns" if isinstance(table, Mapping) else type(table).__name__
                raise QcauditError(f"cannot read the {kind} as a table: {first_line(exc)}") from None
    raise QcauditError(f"cannot read {_a(table)} as a dataset: give a path, a Polars or pandas DataFrame, "
                       "a pyarrow Table, a dict of columns, a list or iterator of rows as dicts or a Series of texts "
                       "(a list of texts as pl.Series(texts))")


def _a(value: Any) -> str:
    """The kind of ``value`` with its article, as a message names it: "an int", "a list";
    None as itself."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _from_pyarrow(table: Any, limit: int | None) -> pl.LazyFrame | None:
    """A pyarrow object that is no Table, or None for a Table (which ``pl.DataFrame``
    takes): a RecordBatchReader (a stream, as DuckDB's and Arrow Flight's results come:
    read once, only its first ``limit`` rows where one is given), a pyarrow ``dataset``
    (read whole, or its first ``limit`` rows: Polars' lazy scan of one counts no rows where
    a query reads no column; given the files, qcaudit scans them lazily), an Array or
    ChunkedArray of texts, or of rows as structs (records, as ``pa.array(rows)`` makes them)."""
    pyarrow = sys.modules["pyarrow"]  # (imported where its objects exist)
    name = type(table).__name__
    try:
        if isinstance(table, pyarrow.RecordBatchReader):
            batches = _batches_up_to(table, limit)
            if not batches:
                raise QcauditError(f"the {name} yielded no rows")
            return pl.concat([pl.from_arrow(batch) for batch in batches], how="vertical").lazy()
        if (datasets := sys.modules.get("pyarrow.dataset")) is not None and isinstance(table, datasets.Dataset):
            return pl.from_arrow(table.to_table() if limit is None else table.head(limit)).lazy()
        if isinstance(table, pyarrow.Array | pyarrow.ChunkedArray):
            values = pl.Series(TEXT, table)
            return (values.struct.unnest() if values.dtype == pl.Struct else values.to_frame()).lazy()
    except (TypeError, ValueError, pl.exceptions.PolarsError, pyarrow.ArrowException) as exc:
        raise QcauditError(f"cannot read the {name} as a table: {first_line(exc)}") from None
    return None


def _batches_up_to(reader: Any, limit: int | None) -> list[Any]:
    """A RecordBatchReader's batches until ``limit`` rows are read (all without one), the
    last cut to fit, with a warning when it stopped there."""
    batches, rows = [], 0
    for batch in reader:
        if limit is not None and rows + batch.num_rows >= limit:
            batches.append(batch.slice(0, limit - rows))
            _warn_cut_stream(type(reader).__name__, limit)
            break
        batches.append(batch)
        rows += batch.num_rows
    return batches


def _from_pandas(table: Any, pandas: Any) -> pl.DataFrame:
    """A pandas DataFrame as Polars converts it; but a column of Python objects that mixes
    text with other values (a number among strings, as pandas keeps a CSV's or a JSON
    file's mixed column) holds them as their text, as Polars reads such a field of a JSON
    or CSV file, a dict or a list as its JSON; a missing value (None, NaN) is null."""
    if table.columns.has_duplicates:
        twice = table.columns[table.columns.duplicated()].unique().tolist()
        raise QcauditError(f"cannot read the pandas DataFrame: it names more than one column {', '.join(map(repr, twice))}; "
                           "give each column a name of its own")
    try:
        return pl.from_pandas(table)
    except _NOT_CONVERTED as exc:
        unconverted = [name for name in table.columns if not _converts(table[[name]])]
        mixed = [name for name in unconverted if table[name].dtype == object]
        if other := [name for name in unconverted if name not in mixed]:  # (complex numbers, say)
            raise QcauditError(f"cannot read the pandas DataFrame: column {other[0]!r} holds {table[other[0]].dtype}, "
                               "which Arrow cannot hold; convert it or drop it") from None
        if not mixed:
            raise QcauditError(f"cannot read the pandas DataFrame: {first_line(exc)}") from None
    table = table.copy(deep=False)
    for name in mixed:
        table[name] = pandas.Series([None if _missing(value, pandas) else value if isinstance(value, str) else _as_text(value)
                                     for value in table[name]], index=table.index, dtype=object)
    return pl.from_pandas(table)


#: What converting a pandas column that Arrow cannot hold raises (pyarrow's ArrowTypeError is
#: a TypeError; its ArrowNotImplementedError, as for complex numbers, a NotImplementedError).
_NOT_CONVERTED = (TypeError, ValueError, ArithmeticError, NotImplementedError)


def _converts(column: Any) -> bool:
    try:
        pl.from_pandas(column)
    except _NOT_CONVERTED:
        return False
    return True


def _missing(value: Any, pandas: Any) -> bool:
    return value is None or (not isinstance(value, list | dict | tuple) and bool(pandas.isna(value)))


def _as_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, list | dict | tuple) else str(value)


def _hugging_face_dataset(table: Any, limit: int | None) -> pl.LazyFrame:
    """A Hugging Face ``datasets`` object's rows, known by its class's module so that
    ``datasets`` is never imported here. A Dataset's rows are read through its Arrow format,
    which follows the indices a ``select``, ``shuffle`` or ``filter`` leaves (its ``data``
    table does not); an IterableDataset's rows as it yields them, only the first ``limit``
    where one is given (a stream from the Hub may never end; its length is unknown, and the
    report counts what was read); a DatasetDict, which holds a dataset's splits, is refused,
    as reading it whole would mix them."""
    if isinstance(table, Mapping):
        splits = [str(split) for split in table] or ["train"]
        raise QcauditError(f"a {type(table).__name__} holds a dataset's splits ({', '.join(splits)}); "
                           f"give one split, e.g. data[{splits[0]!r}]")
    try:
        if hasattr(table, "__len__"):
            frame = pl.from_arrow(table.with_format("arrow")[:])
        else:
            frame = pl.DataFrame(_streamed(table, limit, type(table).__name__), infer_schema_length=None)
    except (TypeError, ValueError, AttributeError, pl.exceptions.PolarsError) as exc:
        raise QcauditError(f"cannot read the {type(table).__name__} as a table: {first_line(exc)}") from None
    return frame.lazy()


def _streamed(rows: Iterable[Any], limit: int | None, name: str) -> list[Any]:
    """A stream's rows, the first ``limit`` alone where one is given, with a warning when it
    stopped there: the stream's length is unknown and the report counts what was read."""
    read = list(islice(rows, limit))
    if limit is not None and len(read) == limit:
        _warn_cut_stream(name, limit)
    return read


def _warn_cut_stream(name: str, limit: int) -> None:
    log.warning(f"the {name} is a stream: its first {limit:,} rows were read (--limit), its length is unknown")
