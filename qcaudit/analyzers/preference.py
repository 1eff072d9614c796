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
Where no row holds a pair (pairs found by name whose verdicts all tie), ``pairs`` is 0, the
only metric, and the report says why.

With a reward model (``--reward-model``, :mod:`qcaudit.reward_model`), both answers are
scored after the prompt: per row ``chosen_reward``, ``rejected_reward`` and ``reward_margin``
(chosen minus rejected); ``rm_agreement`` is the share of pairs the model scores chosen
above rejected, ``rm_margin_mean``/``_median`` the margin, and ``rm_agreement_length_matched``
the agreement over pairs whose answers are within 10% of the longer one's tokens (at least
one token apart allowed): whether the model agrees only by preferring the longer answer.
A pair the model scores the other way round is flagged for review.

Where the data rates each pair's answers itself (UltraFeedback binarized's ``score_chosen``
and ``score_rejected``; ``--pair-ratings``), over the pairs with both ratings:
``rating_tie_rate`` (rated alike: no preference to learn) and ``rating_inverted_rate`` (the
chosen answer rated below the rejected one: labels at odds with their own ratings), each such
pair flagged, and ``rating_margin_mean``/``_median``, chosen minus rejected (per row
``rating_margin``): a DPO recipe that keeps pairs above a margin keeps what is above it.

Unpaired preference data labels each row's response desirable or not instead (TRL's KTO
layout: ``prompt``, ``completion`` and a true/false ``label``; ``--label-field``). Over the
labelled rows:

- ``labelled`` and ``desirable_rate``, the share labelled desirable (KTO's authors weight the
  two kinds so that desirable to undesirable is between 1:1 and 4:3 of their weighted counts);
- ``desirable_longer_rate``: the chance that a desirable response has more whitespace tokens
  than an undesirable one, ties counting half (the Mann-Whitney U statistic over the product
  of the two counts; 0.5 where the labels say nothing of length), and ``length_mwu_p``, the
  two-sided Mann-Whitney U test of the two lengths (scipy's ``mannwhitneyu``): whether the
  labels prefer a length, the unpaired form of the sign test above;
- ``conflicting_rate``: the share of labelled rows whose text (prompt and response) is also
  labelled the other way, each such row flagged.

Per row ``labelled_tokens``, ``desirable`` and ``label_conflict``. Where the reward analyzer
scores the responses (``--reward-model``), ``rm_label_auc`` is the chance that it scores a
desirable response above an undesirable one, ties half (the ROC AUC of its scores against
the labels), read from its scores rather than scoring them again.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from qcaudit.columns import (
    CHOSEN,
    CHOSEN_RATING,
    DESIRABLE,
    PROMPT,
    REJECTED,
    REJECTED_RATING,
    RESPONSE,
    ROW_ID,
    TEXT,
)
from qcaudit.io import WHITESPACE_TOKEN, strip_like_python
from qcaudit.registry import (
    Analyzer,
    AnalyzerResult,
    MetricSpec,
    RowFlag,
    count,
    register,
    share,
)
from qcaudit.reward_model import (
    RewardModel,
    load_reward_model,
    reward_signature,
    score_pairs,
)
from qcaudit.signatures import Metric, histogram, signature
from qcaudit.views import Notice, Stat, View, histogram_view

HISTOGRAM_BINS = 40
#: What the rating metrics need, as a gate on one says where the report lacks it.
RATINGS = "the pairs' own ratings of both answers (--pair-ratings, or score_chosen and score_rejected found by name)"
#: What the unpaired metrics need, as a gate on one says where the report lacks it.
LABELS = "labels of each response (--label-field, or a true/false label column beside a prompt and its completion)"
#: What the report says where no row holds a pair.
NO_PAIRS = ("No row holds both a chosen and a rejected answer (every verdict a tie or missing, every list's answers "
            "ranked alike, or the answers empty): no pair is measured.")
#: What the report says where no row's response is labelled, and where all are labelled alike.
NO_LABELS = "No row's response is labelled desirable or not: no label is measured."
ONE_LABEL = "Every labelled response is labelled {}: the two kinds' lengths cannot be compared."
#: Answers within this share of the longer one's tokens are length-matched.
LENGTH_MATCH = 0.10
#: The batch column of each labelled row's text hashed, by which rows of the same text meet.
_TEXT_HASH = "__preference_text_hash"


@register
class Preference(Analyzer):
    name = "preference"
    order = 70
    title = "Preferences"  # (pairs, or each response labelled)
    reads = ("reward", "input")
    run_hint = "qcaudit report DATA --analyzers preference --chosen-field chosen --rejected-field rejected"

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        reward_model = "a reward model (--reward-model PATH or [reward] model)"
        return (
            share("chosen_longer_rate", "share of pairs whose chosen answer has more whitespace tokens than the rejected one",
                  "lower", headline=True),
            share("identical_rate", "share of pairs whose chosen and rejected answers are the same text", "lower", headline=True),
            MetricSpec("length_diff_mean", "mean of chosen minus rejected whitespace tokens"),
            MetricSpec("length_diff_median", "median of chosen minus rejected whitespace tokens"),
            share("length_sign_p", "two-sided sign-test p-value of chosen-minus-rejected lengths (small: the data prefers length)",
                  "higher"),
            count("pairs", "rows with both a chosen and a rejected answer", gateable=False, headline=True),
            share("rm_agreement", "share of pairs the reward model scores chosen above rejected", "higher", headline=True,
                  needs=reward_model),
            MetricSpec("rm_margin_mean", "mean reward margin, chosen minus rejected", "higher", needs=reward_model),
            MetricSpec("rm_margin_median", "median reward margin, chosen minus rejected", "higher", needs=reward_model),
            share("rm_agreement_length_matched", "rm_agreement over pairs whose answers have about the same length", "higher",
                  headline=True, needs=f"{reward_model} and pairs of about the same length"),
            count("length_matched_pairs", "pairs whose answers are within 10% of the longer one's tokens", gateable=False),
            count("rated_pairs", "pairs whose data rates both answers", gateable=False, needs=RATINGS),
            share("rating_tie_rate", "share of rated pairs whose answers are rated alike", "lower", headline=True, needs=RATINGS),
            share("rating_inverted_rate", "share of rated pairs whose chosen answer is rated below the rejected one", "lower",
                  headline=True, needs=RATINGS),
            MetricSpec("rating_margin_mean", "mean rating margin, chosen minus rejected", needs=RATINGS),
            MetricSpec("rating_margin_median", "median rating margin, chosen minus rejected", needs=RATINGS),
            count("labelled", "rows whose response is labelled desirable or not", gateable=False, headline=True, needs=LABELS),
            share("desirable_rate", "share of labelled responses labelled desirable", headline=True, needs=LABELS),
            share("desirable_longer_rate", "chance that a desirable response has more whitespace tokens than an undesirable one "
                  "(ties half: Mann-Whitney U over both counts)", "lower", headline=True, needs=f"{LABELS} of both kinds"),
            share("length_mwu_p", "two-sided Mann-Whitney U p-value of desirable against undesirable response lengths "
                  "(small: the labels prefer a length)", "higher", needs=f"{LABELS} of both kinds"),
            share("conflicting_rate", "share of labelled rows whose text is also labelled the other way", "lower", headline=True,
                  needs=LABELS),
            share("rm_label_auc", "chance that the reward model scores a desirable response above an undesirable one "
                  "(ties half: the ROC AUC of its scores against the labels)", "higher", headline=True,
                  needs=f"{LABELS} of both kinds and {reward_model}"),
        )

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        return [RowFlag("pair_identical", pl.col("pair_identical"), "identical preference pair",
                        pl.lit("chosen and rejected answers are the same")),
                RowFlag("reward_margin", pl.col("reward_margin") < 0, "reward model prefers the rejected answer",
                        pl.format("the reward model scores rejected above chosen (margin {})", pl.col("reward_margin").round(3)),
                        verdict=False),
                RowFlag("rating_margin", pl.col("rating_margin") <= 0, "pair rated a tie or the other way",
                        pl.format("the data rates the chosen answer {} the rejected one (margin {})",
                                  pl.when(pl.col("rating_margin") == 0).then(pl.lit("alike with")).otherwise(pl.lit("below")),
                                  pl.col("rating_margin").round(3))),
                RowFlag("label_conflict", pl.col("label_conflict"), "labelled both desirable and not",
                        pl.lit("the same text is labelled desirable in one row and undesirable in another"))]

    @classmethod
    def switched_on(cls, config) -> bool:
        return config.input.preferences()

    def input_parts(self) -> tuple[str, ...]:
        if self._labelled:
            return (RESPONSE, DESIRABLE)
        rated = (CHOSEN_RATING, REJECTED_RATING) if self.sections["input"].ratings else ()
        return ((PROMPT,) if self._reward_settings.model else ()) + (CHOSEN, REJECTED) + rated

    @property
    def _labelled(self) -> bool:
        """Whether the input is read as responses labelled desirable or not, not as pairs."""
        return bool(self.sections["input"].label)

    @property
    def _reward_settings(self):
        return self.sections["reward"]

    @cached_property
    def _scorer(self) -> RewardModel:
        s = self._reward_settings
        return load_reward_model(s.model, s.device or self.context.device, s.dtype, s.max_tokens, s.batch_size)

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        if "labelled" in metrics:
            return cls._label_views(tables, metrics)
        if not metrics["pairs"]:
            return [Notice(warning, "warning") for warning in tables["warnings"]]
        views: list[View] = [
            Stat("chosen longer", metrics["chosen_longer_rate"], ".1%"),
            Stat("identical pairs", metrics["identical_rate"], ".2%"),
            Notice(f"Sign test of the length differences: p = {metrics['length_sign_p']:.3g} over {metrics['pairs']:,} pairs "
                   f"(mean difference {metrics['length_diff_mean']:+.1f} tokens)."),
        ]
        if "rm_agreement" in metrics:
            matched = metrics.get("rm_agreement_length_matched")
            views.append(Stat("reward model agrees", metrics["rm_agreement"], ".1%"))
            views.append(Notice(f"Over {metrics['length_matched_pairs']:,} length-matched pairs the reward model agrees on "
                                + (f"{matched:.1%}." if matched is not None else "none (there are none).")))
        if "rating_tie_rate" in metrics:
            views.append(Stat("rated a tie", metrics["rating_tie_rate"], ".1%"))
            views.append(Stat("rated the other way", metrics["rating_inverted_rate"], ".1%"))
        if tables["length_diff_histogram"]["counts"]:
            views.append(histogram_view(tables["length_diff_histogram"], "chosen minus rejected length", "tokens", "pairs"))
        if tables.get("rating_margin_histogram", {}).get("counts"):
            views.append(histogram_view(tables["rating_margin_histogram"], "the data's rating margin, chosen minus rejected",
                                        "margin", "pairs"))
        if tables.get("margin_histogram", {}).get("counts"):
            views.append(histogram_view(tables["margin_histogram"], "reward margin, chosen minus rejected", "margin", "pairs"))
        return views

    @staticmethod
    def _label_views(tables: dict[str, Any], metrics: dict[str, Any]) -> list[View]:
        views: list[View] = [Notice(warning, "warning") for warning in tables["warnings"]]
        if not metrics["labelled"]:
            return views
        views += [Stat("labelled desirable", metrics["desirable_rate"], ".1%"),
                  Stat("text labelled both ways", metrics["conflicting_rate"], ".2%")]
        if "desirable_longer_rate" in metrics:
            views.append(Stat("desirable longer", metrics["desirable_longer_rate"], ".1%"))
            views.append(Notice(f"Mann-Whitney U test of desirable against undesirable response lengths: p = "
                                f"{metrics['length_mwu_p']:.3g} over {metrics['labelled']:,} labelled responses."))
        if "rm_label_auc" in metrics:
            views.append(Stat("reward model tells them apart (AUC)", metrics["rm_label_auc"], ".3f"))
        return views

    def partial(self, batch: pl.DataFrame) -> pl.DataFrame:
        if self._labelled:
            return batch.filter(pl.col(DESIRABLE).is_not_null() & pl.col(RESPONSE).is_not_null()).select(
                ROW_ID, pl.col(RESPONSE).str.count_matches(WHITESPACE_TOKEN).cast(pl.Int64).alias("labelled_tokens"),
                pl.col(DESIRABLE).alias("desirable"), pl.col(TEXT).hash(seed=0).alias(_TEXT_HASH))
        pairs = batch.filter(pl.col(CHOSEN).is_not_null() & pl.col(REJECTED).is_not_null())
        rows = pairs.select(
            ROW_ID,
            pl.col(CHOSEN).str.count_matches(WHITESPACE_TOKEN).cast(pl.Int64).alias("chosen_tokens"),
            pl.col(REJECTED).str.count_matches(WHITESPACE_TOKEN).cast(pl.Int64).alias("rejected_tokens"),
            (strip_like_python(pl.col(CHOSEN)) == strip_like_python(pl.col(REJECTED))).alias("pair_identical"),
        ).with_columns((pl.col("chosen_tokens") - pl.col("rejected_tokens")).alias("pair_length_diff"))
        if CHOSEN_RATING in pairs.columns:
            rows = rows.with_columns((pairs[CHOSEN_RATING] - pairs[REJECTED_RATING]).fill_nan(None).alias("rating_margin"))
        if not self._reward_settings.model:
            return rows
        prompts = pairs[PROMPT].fill_null("").to_list()
        return rows.with_columns(
            pl.Series("chosen_reward", score_pairs(self._scorer, prompts, pairs[CHOSEN].to_list(), "preference: scoring the chosen answers"), dtype=pl.Float64),
            pl.Series("rejected_reward", score_pairs(self._scorer, prompts, pairs[REJECTED].to_list(), "preference: scoring the rejected answers"), dtype=pl.Float64),
        ).with_columns((pl.col("chosen_reward") - pl.col("rejected_reward")).alias("reward_margin"))

    def finalize(self, rows: pl.DataFrame) -> AnalyzerResult:
        if self._labelled:
            return self._labels(rows)
        from scipy.stats import binomtest

        diff = rows["pair_length_diff"].to_numpy()
        n = len(diff)
        sig = signature("preference", "tok:str.split", f"pairs:{n}")
        if n == 0:  # (pairs found by name may all tie: the report says so; a gate on their metrics fails, as on any missing)
            return AnalyzerResult({"pairs": Metric(0, sig)}, rows, {"warnings": [NO_PAIRS], "length_diff_histogram": histogram(diff, HISTOGRAM_BINS)})
        longer, shorter = int((diff > 0).sum()), int((diff < 0).sum())
        metrics = {
            "pairs": Metric(n, sig),
            "chosen_longer_rate": Metric(longer / n, sig),
            "identical_rate": Metric(float(rows["pair_identical"].mean()), sig),
            "length_diff_mean": Metric(float(diff.mean()), sig),
            "length_diff_median": Metric(float(np.median(diff)), sig),
            "length_sign_p": Metric(float(binomtest(longer, longer + shorter, 0.5).pvalue) if longer + shorter else 1.0,
                                    signature("sign_test", "two-sided", "ties:dropped", f"pairs:{n}")),
        }
        tables = {"length_diff_histogram": histogram(diff, HISTOGRAM_BINS)}
        if "rating_margin" in rows.columns:
            rated = rows["rating_margin"].drop_nulls().to_numpy()
            metrics |= self._ratings(rated)
            tables["rating_margin_histogram"] = histogram(rated, HISTOGRAM_BINS)
        if "reward_margin" in rows.columns:
            metrics |= self._agreement(rows)
            tables["margin_histogram"] = histogram(rows["reward_margin"].to_numpy(), HISTOGRAM_BINS)
        return AnalyzerResult(metrics, rows, tables)

    def _ratings(self, margin: np.ndarray) -> dict[str, Metric]:
        """The metrics of the pairs' own ratings, from their margins (chosen minus rejected)."""
        sig = signature("pair_ratings", *self.sections["input"].ratings, f"rated:{len(margin)}")
        metrics = {"rated_pairs": Metric(len(margin), sig)}
        if len(margin):
            metrics |= {"rating_tie_rate": Metric(float((margin == 0).mean()), sig),
                        "rating_inverted_rate": Metric(float((margin < 0).mean()), sig),
                        "rating_margin_mean": Metric(float(margin.mean()), sig),
                        "rating_margin_median": Metric(float(np.median(margin)), sig)}
        return metrics

    def _labels(self, rows: pl.DataFrame) -> AnalyzerResult:
        """The unpaired metrics of responses labelled desirable or not."""
        rows = rows.with_columns((pl.col("desirable").n_unique().over(_TEXT_HASH) > 1).alias("label_conflict")).drop(_TEXT_HASH)
        n = rows.height
        sig = signature("preference_labels", "tok:str.split", f"labelled:{n}")
        if n == 0:
            return AnalyzerResult({"labelled": Metric(0, sig)}, rows, {"warnings": [NO_LABELS]})
        desirable, undesirable = _by_label(rows, "labelled_tokens")
        metrics = {"labelled": Metric(n, sig), "desirable_rate": Metric(len(desirable) / n, sig),
                   "conflicting_rate": Metric(float(rows["label_conflict"].mean()), sig + "|same:text")}
        warnings = []
        if len(desirable) and len(undesirable):
            longer, p = _mann_whitney(desirable, undesirable)
            test_sig = signature("mann_whitney_u", "two-sided", "ties:half", f"labelled:{n}")
            metrics["desirable_longer_rate"] = Metric(longer, test_sig)
            metrics["length_mwu_p"] = Metric(p, test_sig)
        else:
            warnings.append(ONE_LABEL.format("desirable" if len(desirable) else "undesirable"))
        return AnalyzerResult(metrics, rows, {"warnings": warnings})

    def annotate(self, result: AnalyzerResult, rows: pl.LazyFrame) -> None:
        """Labelled responses of both kinds that the reward analyzer scored: ``rm_label_auc``."""
        if not self._labelled or "desirable_longer_rate" not in result.metrics or "reward_score" not in rows.collect_schema().names():
            return
        desirable, undesirable = _by_label(rows.select("desirable", "reward_score").drop_nulls().collect(), "reward_score")
        if len(desirable) and len(undesirable):
            auc, _ = _mann_whitney(desirable, undesirable)
            result.metrics["rm_label_auc"] = Metric(auc, signature("rm_label_auc", "ties:half", self._reward_signature()))

    def _reward_signature(self) -> str:
        s = self._reward_settings
        return reward_signature(s.model, s.device or self.context.device, s.dtype, s.max_tokens)

    def _agreement(self, rows: pl.DataFrame) -> dict[str, Metric]:
        sig = signature("rm_agreement", self._reward_signature())
        margin = rows["reward_margin"].to_numpy()
        longer = np.maximum(rows["chosen_tokens"].to_numpy(), rows["rejected_tokens"].to_numpy())
        matched = np.abs(rows["pair_length_diff"].to_numpy()) <= np.maximum(1, LENGTH_MATCH * longer)
        metrics = {
            "rm_agreement": Metric(float((margin > 0).mean()), sig),
            "rm_margin_mean": Metric(float(margin.mean()), sig),
            "rm_margin_median": Metric(float(np.median(margin)), sig),
            "length_matched_pairs": Metric(int(matched.sum()), signature("length_matched", f"within:{LENGTH_MATCH}", "min:1")),
        }
        if matched.any():
            metrics["rm_agreement_length_matched"] = Metric(float((margin[matched] > 0).mean()), sig + f"|within:{LENGTH_MATCH}")
        return metrics


def _by_label(rows: pl.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """``column`` of the rows labelled desirable, and of those labelled not."""
    return rows.filter(pl.col("desirable"))[column].to_numpy(), rows.filter(~pl.col("desirable"))[column].to_numpy()


def _mann_whitney(higher: np.ndarray, lower: np.ndarray) -> tuple[float, float]:
    """The chance that a value of ``higher`` exceeds one of ``lower``, ties half (the Mann-Whitney
    U statistic over the product of the two counts: the ROC AUC of the values as scores of the
    first kind), and the two-sided test's p-value (scipy's ``mannwhitneyu``)."""
    from scipy.stats import mannwhitneyu

    test = mannwhitneyu(higher, lower, alternative="two-sided")
    return float(test.statistic) / (len(higher) * len(lower)), float(test.pvalue)
