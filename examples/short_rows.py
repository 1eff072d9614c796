"""An analyzer in one module: rows too short to teach a model anything.

Per row ``n_words`` and ``too_short`` (fewer than ``min_words`` words); the metric
``short_row_rate`` is the share of rows with text that are too short; its tables, a
histogram of words per row and the shortest rows, are drawn by every renderer from the
views it declares. The README's "Adding an analyzer" section shows this file; the tests
import it.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from pydantic import Field

from qcaudit.columns import ROW_ID, TEXT, TEXT_STATUS
from qcaudit.registry import Analyzer, AnalyzerResult, CliOption, RowFlag, Section, register, share
from qcaudit.signatures import Metric, histogram, signature
from qcaudit.views import Column, RankedRows, histogram_view

SHORTEST = 10


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

    @classmethod
    def views(cls, tables, metrics, config):
        columns = [Column(ROW_ID, ROW_ID), Column("n_words", "words", "d"), Column(TEXT, "text", text=True)]
        return [histogram_view(tables["words"], "words per row", "words"),
                RankedRows("Shortest rows", columns, tables["shortest"], "shortest-rows")]

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
        shortest = state.rows.sort("n_words", ROW_ID).head(SHORTEST)
        texts = self.context.texts_of_rows(shortest[ROW_ID].to_list())
        tables = {
            "words": histogram(state.rows["n_words"].to_numpy(), 20),
            "shortest": shortest.with_columns(pl.col(ROW_ID).replace_strict(texts, return_dtype=pl.String).alias(TEXT))
                                .select(ROW_ID, "n_words", TEXT).to_dicts(),
        }
        return AnalyzerResult({"short_row_rate": Metric(rate, sig)}, state.rows, tables)
