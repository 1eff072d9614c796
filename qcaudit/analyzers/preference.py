"""Preference pairs (chosen vs rejected answers, as DPO and reward-model training read them):
is "chosen" just "longer", and are some pairs no preference at all?

Over rows whose chosen and rejected answers are both present (``[input] chosen`` /
``rejected``, or chat columns, whose last assistant turn is the answer), with whitespace
tokens as Python's ``str.split()`` counts them:

- ``chosen_longer_rate``: pairs whose chosen answer has more tokens than the rejected one,
  over all pairs; ``identical_rate``: pairs whose answers are equal once surrounding white
  space is stripped;
- ``length_diff_mean`` / ``length_diff_median``: chosen minus rejected tokens;
- ``length_sign_p``: the two-sided sign test of those differences (scipy's ``binomtest`` of
  the pairs where chosen is longer among the pairs whose lengths differ, p = 1/2): a small
  value says the data prefers length.

Per row ``chosen_tokens``, ``rejected_tokens``, ``pair_length_diff`` and ``pair_identical``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from qcaudit.errors import QcauditError
from qcaudit.io import CHOSEN, REJECTED, ROW_ID
from qcaudit.registry import Analyzer, AnalyzerResult, MetricSpec, RowFlag, count, register, share
from qcaudit.signatures import Metric, histogram, signature
from qcaudit.views import Notice, Stat, View, histogram_view

#: A run of characters that are not separators of ``str.split()`` (Unicode white space and
#: the ASCII separators 0x1C-0x1F): one whitespace token.
TOKEN = r"[^\s\x1C-\x1F]+"
HISTOGRAM_BINS = 40


@register
class Preference(Analyzer):
    name = "preference"
    order = 70
    title = "Preference pairs"
    run_hint = "qcaudit report DATA --analyzers preference --chosen-field chosen --rejected-field rejected"

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        return (
            share("chosen_longer_rate", "share of pairs whose chosen answer has more whitespace tokens than the rejected one",
                  "lower", headline=True),
            share("identical_rate", "share of pairs whose chosen and rejected answers are the same text", "lower", headline=True),
            MetricSpec("length_diff_mean", "mean of chosen minus rejected whitespace tokens"),
            MetricSpec("length_diff_median", "median of chosen minus rejected whitespace tokens"),
            share("length_sign_p", "two-sided sign-test p-value of chosen-minus-rejected lengths (small: the data prefers length)",
                  "higher"),
            count("pairs", "rows with both a chosen and a rejected answer", gateable=False, headline=True),
        )

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        return [RowFlag("pair_identical", pl.col("pair_identical"), "identical preference pair",
                        pl.lit("chosen and rejected answers are the same"))]

    @classmethod
    def switched_on(cls, config) -> bool:
        return bool(config.input.chosen and config.input.rejected)

    @classmethod
    def missing_input(cls, config) -> str | None:
        if not (config.input.chosen and config.input.rejected):
            return "the preference analyzer needs both answers: --chosen-field COLUMN --rejected-field COLUMN (or [input] chosen, rejected)"
        return None

    def input_parts(self) -> tuple[str, ...]:
        return CHOSEN, REJECTED

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        views: list[View] = [
            Stat("chosen longer", metrics["chosen_longer_rate"], ".1%"),
            Stat("identical pairs", metrics["identical_rate"], ".2%"),
            Notice(f"Sign test of the length differences: p = {metrics['length_sign_p']:.3g} over {metrics['pairs']:,} pairs "
                   f"(mean difference {metrics['length_diff_mean']:+.1f} tokens)."),
        ]
        if tables["length_diff_histogram"]["counts"]:
            views.append(histogram_view(tables["length_diff_histogram"], "chosen minus rejected length", "tokens", "pairs"))
        return views

    def partial(self, batch: pl.DataFrame) -> pl.DataFrame:
        pairs = batch.filter(pl.col(CHOSEN).is_not_null() & pl.col(REJECTED).is_not_null())
        return pairs.select(
            ROW_ID,
            pl.col(CHOSEN).str.count_matches(TOKEN).cast(pl.Int64).alias("chosen_tokens"),
            pl.col(REJECTED).str.count_matches(TOKEN).cast(pl.Int64).alias("rejected_tokens"),
            (pl.col(CHOSEN).str.strip_chars() == pl.col(REJECTED).str.strip_chars()).alias("pair_identical"),
        ).with_columns((pl.col("chosen_tokens") - pl.col("rejected_tokens")).alias("pair_length_diff"))

    def finalize(self, rows: pl.DataFrame) -> AnalyzerResult:
        from scipy.stats import binomtest

        diff = rows["pair_length_diff"].to_numpy()
        n = len(diff)
        if n == 0:
            raise QcauditError("the preference analyzer found no row with both a chosen and a rejected answer")
        longer, shorter = int((diff > 0).sum()), int((diff < 0).sum())
        sig = signature("preference", "tok:str.split", f"pairs:{n}")
        metrics = {
            "pairs": Metric(n, sig),
            "chosen_longer_rate": Metric(longer / n, sig),
            "identical_rate": Metric(float(rows["pair_identical"].mean()), sig),
            "length_diff_mean": Metric(float(diff.mean()), sig),
            "length_diff_median": Metric(float(np.median(diff)), sig),
            "length_sign_p": Metric(float(binomtest(longer, longer + shorter, 0.5).pvalue) if longer + shorter else 1.0,
                                    signature("sign_test", "two-sided", "ties:dropped", f"pairs:{n}")),
        }
        return AnalyzerResult(metrics, rows, {"length_diff_histogram": histogram(diff, HISTOGRAM_BINS)})
