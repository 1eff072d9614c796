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
        loaded.append(LoadedReport(name, path, read_report(path)))
    return loaded


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
