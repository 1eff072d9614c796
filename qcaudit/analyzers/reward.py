"""Reward-model scores of (prompt, response) rows, and how much of them is length.

The reward model is a local sequence classifier with one logit (``--reward-model PATH``);
how a row becomes its input and how rows are batched: :mod:`qcaudit.reward_model` (every
score is the one the row gets scored alone).

Per row ``reward_score``, ``response_tokens`` (whitespace tokens of the response, as
``str.split()``) and ``reward_score_length_adjusted``: the residual of the least-squares
line of score on ln(1 + response tokens). Metrics: the score's mean and quantiles, and
``length_spearman`` (scipy's Spearman ρ of score and response tokens) with its p-value: how
far the reward model is a length meter (the bias RM filtering amplifies).

Scoring runs in ``partial``, batch by batch: with the Ray engine, on the actors (one model
each, on the GPUs they declare).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

import numpy as np
import polars as pl
from pydantic import Field

from qcaudit.errors import QcauditError
from qcaudit.io import PROMPT, RESPONSE, ROW_ID
from qcaudit.registry import Analyzer, AnalyzerResult, CliOption, MetricSpec, Section, count, register
from qcaudit.reward_model import RewardModel, load_reward_model, reward_signature, score_pairs
from qcaudit.signatures import Metric, histogram, signature
from qcaudit.views import Notice, Stat, View, histogram_view

TOKEN = r"[^\s\x1C-\x1F]+"  # a whitespace token, as str.split() splits
QUANTILES = {"p10": 0.1, "median": 0.5, "p90": 0.9}
HISTOGRAM_BINS = 40


class RewardSettings(Section):
    """A reward model (local sequence classifier with one logit), switched on by ``model``."""

    model: str | None = None
    batch_size: int = Field(16, ge=1, le=4096)
    max_tokens: int = Field(1024, ge=2, le=1_000_000)
    #: None: the run's device (``--device``, ``[embedding] device``).
    device: Literal["auto", "cpu", "cuda"] | None = None
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"


@register
class Reward(Analyzer):
    name = "reward"
    order = 65
    title = "Reward-model scores"
    run_hint = "qcaudit report DATA --reward-model PATH --prompt-fields instruction,input --response-field output"
    Settings = RewardSettings
    options = (CliOption(("--reward-model",), "model", str,
                         "Local reward model (sequence classifier, one logit); switches the reward analyzer on."),)

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        quantiles = [MetricSpec(f"reward_{name}", f"{name} of the per-row reward score", "higher") for name in QUANTILES]
        return (
            MetricSpec("reward_mean", "mean per-row reward score", "higher", headline=True),
            *quantiles,
            MetricSpec("length_spearman", "Spearman rho of reward score and response length (near 0: not a length meter)",
                       None, -1.0, 1.0, headline=True),
            MetricSpec("length_spearman_p", "p-value of length_spearman", None, 0.0, 1.0, gateable=False),
            count("rows_scored", "rows with a response the reward model scored", gateable=False),
        )

    @classmethod
    def switched_on(cls, config) -> bool:
        """A reward model turns it on, except on preference pairs without a response column,
        where the model serves the preference analyzer's agreement."""
        pairs_only = config.input.chosen and config.input.rejected and not config.input.response
        return bool(config.reward.model) and not pairs_only

    @classmethod
    def missing_input(cls, config) -> str | None:
        if not config.reward.model:
            return "the reward analyzer needs a reward model: --reward-model PATH or [reward] model"
        return None

    def input_parts(self) -> tuple[str, ...]:
        return PROMPT, RESPONSE

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        views: list[View] = [Stat("mean reward", metrics["reward_mean"], ".4g")]
        if "length_spearman" in metrics:
            views.append(Notice(f"Spearman rho of score and response length: {metrics['length_spearman']:+.3f} "
                                f"(p = {metrics['length_spearman_p']:.3g}); near 0, the model is not a length meter."))
        views.append(histogram_view(tables["score_histogram"], "reward score per row", "score"))
        return views

    @cached_property
    def _scorer(self) -> RewardModel:
        """The reward model, loaded on the first batch (once per run, or per Ray actor)."""
        s = self.settings
        return load_reward_model(s.model, s.device or self.context.device, s.dtype, s.max_tokens, s.batch_size)

    def partial(self, batch: pl.DataFrame) -> pl.DataFrame:
        rows = batch.filter(pl.col(RESPONSE).is_not_null()).select(ROW_ID, PROMPT, RESPONSE)
        scores = score_pairs(self._scorer, rows[PROMPT].fill_null("").to_list(), rows[RESPONSE].to_list())
        return rows.select(
            ROW_ID,
            pl.Series("reward_score", scores, dtype=pl.Float64),
            pl.col(RESPONSE).str.count_matches(TOKEN).cast(pl.Int64).alias("response_tokens"),
        )

    def finalize(self, rows: pl.DataFrame) -> AnalyzerResult:
        from scipy.stats import spearmanr

        if rows.height == 0:
            raise QcauditError("the reward analyzer found no row with a response to score")
        score, tokens = rows["reward_score"].to_numpy(), rows["response_tokens"].to_numpy()
        s = self.settings
        sig = reward_signature(s.model, s.device or self.context.device, s.dtype, s.max_tokens)
        metrics = {"reward_mean": Metric(float(score.mean()), sig), "rows_scored": Metric(len(score), sig)}
        metrics |= {f"reward_{name}": Metric(float(np.quantile(score, q)), sig) for name, q in QUANTILES.items()}
        rho, p = spearmanr(score, tokens)
        length_sig = signature("spearman", "x:response_tokens", "tok:str.split", sig)
        metrics["length_spearman"] = Metric(float(rho), length_sig)
        metrics["length_spearman_p"] = Metric(float(p), length_sig)
        rows = rows.with_columns(pl.Series("reward_score_length_adjusted", length_residuals(score, tokens)))
        return AnalyzerResult(metrics, rows, {"score_histogram": histogram(score, HISTOGRAM_BINS)})


def length_residuals(score: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    """The residuals of the least-squares line of ``score`` on ln(1 + ``tokens``)."""
    x = np.log1p(tokens.astype(np.float64))
    design = np.column_stack([np.ones_like(x), x])
    coefficients, *_ = np.linalg.lstsq(design, score, rcond=None)
    return score - design @ coefficients
