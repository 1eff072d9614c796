"""Where outputs may go and in which format.

- :func:`check_outputs` refuses, before any work, output paths that collide: two outputs on
  one path, an output on an input file, an output inside an input directory (the next run
  would read it as a shard), an output directory that holds an input (the swap would drop it);
  and a saved report given where a dataset is due.
- :func:`write_table` writes a table in the format its extension names (``.parquet``,
  ``.jsonl``/``.ndjson``, ``.json``: an array of objects, ``.csv``, ``.tsv``; the text
  formats also compressed, ``.jsonl.zst``, ``.csv.gz``), atomically, streaming a lazy
  table's rows; any other extension is refused, and so is a column CSV or TSV cannot hold
  (lists, structs).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import polars as pl

from qcaudit.atomic import check_directory_target, check_writable, write_atomic
from qcaudit.compression import compression, open_compressed, without_compression
from qcaudit.errors import QcauditError
from qcaudit.readers import input_files, is_dataset_file, shown_name, utf8_name
from qcaudit.remote import local_path
from qcaudit.report.model import REPORT_FILES, REPORT_JSON

TABLE_FORMATS = {".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv"}
#: The formats of delimited text (a spreadsheet opens them; they hold no lists or structs).
DELIMITED_FORMATS = frozenset({"csv", "tsv"})


def table_format(path: Path) -> str:
    """The format ``path``'s extension names, its compression's looked past."""
    fmt = TABLE_FORMATS.get(without_compression(path).suffix.lower())
    if fmt is None:
        raise QcauditError(f"{path}: name the output .parquet, .jsonl, .json, .csv or .tsv (the extension picks the format; the text "
                           "formats may be compressed, .jsonl.gz, .csv.zst)")
    if fmt == "parquet" and compression(path):
        raise QcauditError(f"{path}: parquet compresses its own columns; name the output .parquet")
    return fmt


def removed_beside(output: Path) -> Path:
    """The default file of the rows a filter removes: ``output``'s name with ``.removed``
    before its extensions (``kept.removed.jsonl.zst`` beside ``kept.jsonl.zst``)."""
    base = without_compression(output)
    return output.with_name(f"{base.stem}.removed{base.suffix}{output.name[len(base.name):]}")


def check_table_output(path: Path, schema: pl.Schema) -> str:
    """The format ``path`` names, once it can hold columns of ``schema``
    (:func:`_cannot_hold`): a command checks this before its work, and again as it writes."""
    fmt = table_format(path)
    if unwritable := [name for name, dtype in schema.items() if _cannot_hold(fmt, dtype)]:
        kind = {"jsonl": "JSON Lines", "json": "JSON"}.get(fmt, fmt.upper())
        dtype = schema[unwritable[0]]
        instead = ".parquet" if _cannot_hold("jsonl", dtype) else ".jsonl or .parquet"
        raise QcauditError(f"{path}: {kind} cannot hold column {unwritable[0]!r} ({dtype}); write {instead}")
    return fmt


def _cannot_hold(fmt: str, dtype: pl.DataType) -> bool:
    """Whether Polars cannot write a column of ``dtype`` as ``fmt``: CSV and TSV hold no
    lists, structs, bytes or durations; JSON no bytes (Polars panics, "not yet implemented")."""
    if fmt in DELIMITED_FORMATS:
        return dtype.is_nested() or isinstance(dtype, (pl.Binary, pl.Duration, pl.Object))
    return fmt != "parquet" and isinstance(dtype, (pl.Binary, pl.Object))


#: The bytes of rows in one parquet row group written, about (:func:`write_rows`). Polars'
#: streaming writer holds a few groups at a time; its default, 262,144 rows whatever their
#: size, held 7.5 GB writing 3 GB of 50 KB rows, groups of about this size 0.7 GB (2026-12-03).
ROW_GROUP_BYTES = 64 * 2**20


#: The compressions Polars' CSV and JSON Lines sinks write themselves, by file suffix: rows
#: into ``.csv.gz`` in a fifth of the time Python's ``gzip`` took, fed by the sink (2 GB of
#: rows in 2.0 s against 8.7-11.2 s, a scratch script; ``qcaudit dedup`` of 2.8 GB in
#: 4.1-4.4 s against 13.3-14.5 s; by hand, 2026-12-05), its bytes the same from run to run
#: (no time stamp). bzip2 and xz, and a JSON array, whose commas :class:`_JsonArrayOfLines`
#: writes between Polars' lines, go through Python's.
SINK_COMPRESSION = {".gz": "gzip", ".zst": "zstd"}


def write_table(rows: pl.DataFrame | pl.LazyFrame, path: Path, csv_header: bool = True, csv_separator: str = ",",
                row_bytes: float | None = None) -> None:
    """Write ``rows`` in the format ``path`` names, whole or not at all (:func:`write_rows`)."""
    check_table_output(path, rows.collect_schema())
    write_atomic(path, lambda tmp: write_rows(rows, tmp, path, csv_header, csv_separator, row_bytes))


def write_rows(rows: pl.DataFrame | pl.LazyFrame, tmp: Path, path: Path, csv_header: bool = True, csv_separator: str = ",",
               row_bytes: float | None = None) -> None:
    """Write ``rows`` into the file ``tmp`` in the format ``path`` names (``tmp`` becomes
    ``path`` once written): a CSV or TSV file without a header line where ``csv_header`` is
    false (rows read from a file without one), a CSV file's fields separated by
    ``csv_separator`` (the input's), a TSV file's by tabs (fields that hold a tab, a line
    break or a quote quoted, as CSV quotes them). The rows of a LazyFrame stream from their
    source as they are written (a filter's kept rows are not collected first), into a JSON
    array too (:class:`_JsonArrayOfLines`). Parquet row groups hold about
    :data:`ROW_GROUP_BYTES` of rows of ``row_bytes`` bytes each (measured on the first rows
    where not given: give it where finding those rows costs a pass of their own, as the
    first of a filter's few removed rows do). CSV, TSV and JSON Lines named ``.gz`` or
    ``.zst`` are compressed by Polars' sink itself (:data:`SINK_COMPRESSION`)."""
    fmt, lazy = table_format(path), rows.lazy()
    if fmt == "parquet":
        lazy.sink_parquet(tmp, row_group_size=_rows_a_group(lazy, row_bytes))
        return
    sink_compression = SINK_COMPRESSION.get(compression(path) or "") if fmt != "json" else None
    with open(tmp, "wb") if sink_compression else open_compressed(tmp, path) as file:
        compressed = {"compression": sink_compression} if sink_compression else {}
        if fmt in DELIMITED_FORMATS:
            lazy.sink_csv(file, include_header=csv_header, separator="\t" if fmt == "tsv" else csv_separator, **compressed)
        elif fmt == "jsonl":
            lazy.sink_ndjson(file, **compressed)
        else:
            array = _JsonArrayOfLines(file)
            lazy.sink_ndjson(array)
            array.close_array()


class _JsonArrayOfLines:
    """A binary file that Polars' JSON Lines sink writes into as one JSON array: each line
    an element on a line of its own, the commas between them, as a filter writes a JSON
    input's records (``[]`` where there are none). Polars writes an array only whole; its
    JSON Lines stream, a line break inside a value escaped."""

    def __init__(self, file: BinaryIO) -> None:
        self._file, self._started, self._line_ended = file, False, False
        file.write(b"[")

    def write(self, data: bytes) -> int:
        if not data:
            return 0
        self._file.write(b",\n" if self._line_ended else b"" if self._started else b"\n")
        self._started, self._line_ended = True, data.endswith(b"\n")
        elements = bytes(data).replace(b"\n", b",\n")  # (a line's own break waits for the next line, or the end)
        self._file.write(memoryview(elements)[:-2] if self._line_ended else elements)
        return len(data)

    def flush(self) -> None:
        self._file.flush()

    def close_array(self) -> None:
        self._file.write(b"\n]\n" if self._started else b"]\n")


def row_bytes_of(rows: pl.LazyFrame, sample: int = 1_000) -> float:
    """The bytes a row of ``rows`` takes in memory, about, judged by its first ``sample`` rows."""
    head = rows.head(sample).collect()
    return head.estimated_size() / max(1, head.height)


def _rows_a_group(rows: pl.LazyFrame, row_bytes: float | None) -> int:
    row_bytes = row_bytes_of(rows) if row_bytes is None else row_bytes
    return max(1, min(512**2, int(ROW_GROUP_BYTES / max(1.0, row_bytes))))


#: Suffixes of files, not directories: a report directory that does not exist yet named so
#: (``--out report.html``), or as a dataset file (``--out kept.tsv``, ``kept.jsonl.gz``:
#: :func:`~qcaudit.readers.is_dataset_file`), is a file the user meant, which would become a
#: folder of that name.
FILE_SUFFIXES = frozenset({".html", ".htm", ".json", ".jsonl", ".parquet", ".csv", ".md", ".txt", ".xml", ".pdf"})


def check_outputs(inputs: list[str | Path], outputs: dict[str, Path | None], report_dirs: frozenset[str] = frozenset(),
                  inputs_are_data: bool = True) -> None:
    """Refuse colliding outputs, and outputs that cannot be written where they are (a
    directory for a file, a report directory the swap would break), before any work; and a
    report directory given as data (``inputs_are_data``: the inputs are datasets, not saved
    reports). ``outputs``: option name -> path (None: not given); ``report_dirs``: the
    option names whose path is a report directory."""
    local = [(source, local_path(source)) for source in inputs]  # a remote input cannot be a local output
    for source, path in local:
        if inputs_are_data and path is not None and os.path.isfile(path / REPORT_JSON):  # (False where the name is too long)
            raise QcauditError(f"{source} is a report 'qcaudit report --out' wrote, not a dataset; give the data it audited")
    files = [_resolved(p) for source, _ in local for f in input_files(source) if (p := local_path(f)) is not None]
    given = {name: _resolved(Path(path)) for name, path in outputs.items() if path is not None}
    sources = [(source, _resolved(path)) for source, path in local if path is not None]
    seen: dict[Path, str] = {}
    for name, path in given.items():
        if str(outputs[name]) == "-":
            raise QcauditError(f"{name} -: standard output cannot hold {'a report' if name in report_dirs else 'this output'}; "
                               f"give a {'directory' if name in report_dirs else 'file name'}")
        if not utf8_name(outputs[name]):
            raise QcauditError(f"{name} {shown_name(outputs[name])}: the name is not UTF-8; give one that is")
        check_writable(Path(outputs[name]))
        if path in seen:
            raise QcauditError(f"{name} and {seen[path]} name the same path {outputs[name]}; give each output its own")
        seen[path] = name
        if path in files or any(path == source for _, source in sources):
            raise QcauditError(f"{name} {outputs[name]} is an input; write the output elsewhere")
        for original, source in sources:
            if source.is_dir() and source in path.parents and inputs_are_data:
                raise QcauditError(f"{name} {outputs[name]} lies inside the input directory {original}; a later run would read it as input")
            if not inputs_are_data and path.name in REPORT_FILES and path.parent == (source if source.is_dir() else source.parent):
                # (a saved report's: a gate's --junit beside the report it judges is read by nothing, but not over its files)
                raise QcauditError(f"{name} {outputs[name]} is one of the report's own files; name it otherwise")
        if name in report_dirs:
            if any(path in f.parents for f in files):
                raise QcauditError(f"{name} {outputs[name]} holds an input file; write the report to another directory")
            for other, other_path in given.items():
                if other != name and other_path.parent == path and other_path.name in REPORT_FILES:
                    raise QcauditError(f"{other} {outputs[other]} is one of the report's own files; name it otherwise")
            if not path.exists() and (path.suffix.lower() in FILE_SUFFIXES or is_dataset_file(path)):
                meant = without_compression(Path(outputs[name])).with_suffix("")
                raise QcauditError(f"{name} {outputs[name]} is named as a file, but it is the directory the report's files "
                                   f"go in (report.json, ...); give a directory, e.g. {name} {meant}")
            check_directory_target(Path(outputs[name]), REPORT_FILES)
        elif path.is_dir():
            raise QcauditError(f"{name} {outputs[name]} is a directory; give the name of a file")


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except RuntimeError:  # Python 3.11 raises it for a symbolic link loop
        raise QcauditError(f"{path} is a looping symbolic link") from None
