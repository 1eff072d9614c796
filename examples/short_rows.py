"""An analyzer in one module: rows too short to teach a model anything.

Per row ``n_words`` and ``too_short`` (fewer than ``min_words`` words); the metric
``short_row_rate`` is the share of rows with text that are too short. The README's
"Adding an analyzer" section shows this file; the tests import it.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from pydantic import Field

from qcaudit.io import ROW_ID, TEXT, TEXT_STATUS
from qcaudit.registry import Analyzer, AnalyzerResult, CliOption, RowFlag, Section, register, share
from qcaudit.signatures import Metric, signature


class ShortRowsSettings(Section):
    """``[short_rows]`` in qcaudit.toml."""

    min_words: int = Field(5, ge=1)


@dataclass
class ShortRowsState:
    """What a batch contributes: its per-row columns and two counts. Picklable, mergeable."""

    rows: pl.DataFrame
    short: int
    with_text: int


@register
class ShortRows(Analyzer):
    name = "short_rows"
    Settings = ShortRowsSettings
    options = (CliOption(("--min-words",), "min_words", int, "Rows with fewer words are too short (default 5)."),)

    @classmethod
    def metrics(cls):
        return (share("short_row_rate", "share of rows with text that have too few words", "lower", headline=True),)

    @classmethod
    def row_flags(cls, columns):
        return [RowFlag("too_short", pl.col("too_short"), "too short", pl.format("only {} words", "n_words"))]

    def partial(self, batch: pl.DataFrame) -> ShortRowsState:
        valid = batch.filter(pl.col(TEXT_STATUS) == "ok")
        rows = valid.select(
            ROW_ID,
            pl.col(TEXT).str.count_matches(r"\S+").alias("n_words"),
        ).with_columns((pl.col("n_words") < self.settings.min_words).alias("too_short"))
        return ShortRowsState(rows, int(rows["too_short"].sum()), rows.height)

    def merge(self, a: ShortRowsState, b: ShortRowsState) -> ShortRowsState:
        return ShortRowsState(pl.concat([a.rows, b.rows]), a.short + b.short, a.with_text + b.with_text)

    def finalize(self, state: ShortRowsState) -> AnalyzerResult:
        rate = state.short / state.with_text if state.with_text else 0.0
        sig = signature("short_row_rate", f"min_words:{self.settings.min_words}", "tok:whitespace")
        return AnalyzerResult({"short_row_rate": Metric(rate, sig)}, state.rows)
