"""What the dashboard reads: saved reports (report.json + rows.parquet), nothing else.

``QCAUDIT_DASHBOARD_REPORTS`` lists the report directories: a JSON list (what ``qcaudit
dashboard DIR ...`` sets, so that any directory name works), or ``os.pathsep``-separated.
rows.parquet is scanned lazily with Polars, so a filter or a page of a million-row report
reads only what it needs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from qcaudit.columns import ROW_ID, TEXT
from qcaudit.errors import QcauditError, first_line
from qcaudit.registry import first_flag
from qcaudit.report.model import ROWS_PARQUET, Report
from qcaudit.report.sections import read_report
from qcaudit.untrusted import html_text, visible

ENV = "QCAUDIT_DASHBOARD_REPORTS"

@dataclass(frozen=True)
class LoadedReport:
    name: str
    path: Path
    report: Report

    @property
    def has_rows(self) -> bool:
        return (self.path / ROWS_PARQUET).is_file()

    def rows(self) -> pl.LazyFrame:
        return pl.scan_parquet(self.path / ROWS_PARQUET, glob=False)

    def row_columns(self) -> dict[str, pl.DataType]:
        return dict(self.rows().collect_schema()) if self.has_rows else {}


def report_dirs() -> list[Path]:
    value = os.environ.get(ENV, "")
    listed = json.loads(value) if value.startswith("[") else value.split(os.pathsep)
    return [Path(p) for p in listed if p]


def load_reports(dirs: list[Path]) -> list[LoadedReport]:
    """Each directory's report, named by the directory (made unique)."""
    loaded, names = [], set()
    for directory in dirs:
        path = directory if directory.is_dir() else directory.parent
        name = path.resolve().name or str(path)
        while name in names:
            name += "'"
        names.add(name)
        report = LoadedReport(name, path, read_report(directory))
        why = _rows_fault(report)
        if why is not None:
            raise QcauditError(f"{path / ROWS_PARQUET}: {why}; 'qcaudit report' remakes the report")
        loaded.append(report)
    return loaded


def _rows_fault(loaded: LoadedReport) -> str | None:
    """Why the pages cannot draw the report's rows.parquet, or None (also when it has none):
    a file that is no parquet (cut short), one of another run (its row count is not the
    report's), one without the row ids and text every page reads, or per-row verdicts of
    other types than the flags read (a column of "true" strings). Read from the file's
    footer and schema alone; the checks run the flags' own expression on no rows."""
    if not loaded.has_rows:
        return None
    rows = loaded.rows()  # (not read_parquet_schema, which takes "[x]" in a path for a glob)
    try:
        schema, count = rows.collect_schema(), rows.select(pl.len()).collect().item()
    except (pl.exceptions.PolarsError, OSError) as exc:
        return f"not a readable parquet file ({first_line(exc)})"
    audited = loaded.report.dataset["rows"]
    if not loaded.report.is_drift and count != audited:
        return f"holds {count:,} rows and report.json audited {audited:,}: the two files are of different runs"
    for column, kind, fits in ((ROW_ID, "integers", lambda t: t.is_integer()), (TEXT, "text", lambda t: t == pl.String)):
        if column not in schema:
            return f"it has no column {column!r}"
        if not fits(schema[column]):
            return f"its column {column!r} is {schema[column]}, not {kind}"
    flag = first_flag(schema)
    try:
        if flag is not None:
            pl.LazyFrame(schema=schema).select(flag).collect()
    except pl.exceptions.PolarsError as exc:
        return f"its per-row verdicts are not of the types qcaudit reads ({first_line(exc)})"
    return None


def flagged_rows(loaded: LoadedReport, limit: int) -> pl.DataFrame:
    reason = first_flag(loaded.row_columns())
    if reason is None:
        return pl.DataFrame()
    return (loaded.rows().with_columns(reason.alias("flag")).filter(pl.col("flag") != "")
            .select("row_id", "flag", "text").sort("row_id").head(limit).collect())


def filtered(frame: pl.LazyFrame, filters: dict[str, tuple]) -> pl.LazyFrame:
    """``filters``: column -> ("range", lo, hi) | ("equals", value) | ("contains", text)."""
    for column, spec in filters.items():
        kind = spec[0]
        if kind == "range":
            frame = frame.filter(pl.col(column).is_between(spec[1], spec[2]))
        elif kind == "equals":
            frame = frame.filter(pl.col(column) == spec[1])
        elif kind == "contains" and spec[1]:
            frame = frame.filter(pl.col(column).cast(pl.String).str.contains(spec[1], literal=True))
    return frame


def page_of(frame: pl.LazyFrame, page: int, size: int) -> tuple[pl.DataFrame, int]:
    """One page of rows and the total count after filtering."""
    total = frame.select(pl.len()).collect().item()
    return frame.slice(page * size, size).collect(), total


def top_ngrams(rows_path: Path, n: int, lowercase: bool, limit: int = 25, sample: int = 50_000) -> pl.DataFrame:
    """Most frequent word n-grams (whitespace tokens) over every k-th row, at most ``sample``
    rows, so that a million-row report reads a twentieth of its text."""
    frame = pl.scan_parquet(rows_path, glob=False)
    total = frame.select(pl.len()).collect().item()
    step = max(1, -(-total // sample))
    text = frame.select("text", "text_status").gather_every(step).filter(pl.col("text_status") == "ok").collect()
    tokens = pl.col("text").str.to_lowercase() if lowercase else pl.col("text")
    words = text.select(tokens.str.extract_all(r"\S+").alias("w")).with_row_index("r").explode("w").drop_nulls()
    grams = words.with_columns([pl.col("w").shift(-k).over("r").alias(f"w{k}") for k in range(1, n)])
    grams = grams.drop_nulls().select(pl.concat_str(["w", *[f"w{k}" for k in range(1, n)]], separator=" ").alias("ngram"))
    return grams.group_by("ngram").len("count").sort(["count", "ngram"], descending=[True, False]).head(limit)


def highlighted(segments: list[list]) -> str:
    """Escaped HTML of (text, shared) segments, shared runs in <mark>."""
    return "".join(f"<mark>{html_text(t)}</mark>" if shared else html_text(t) for t, shared in segments)


def shown_visibly(page: pl.DataFrame) -> pl.DataFrame:
    """A page of rows with the invisible characters of its text columns made visible."""
    return page.with_columns(
        pl.Series(name, [None if v is None else visible(v, keep="\n\t") for v in page[name]], dtype=pl.String)
        for name, dtype in page.schema.items() if dtype == pl.String
    )
