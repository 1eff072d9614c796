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

The RM-filter audit (:mod:`qcaudit.rm_filter`) runs once every analyzer's columns are
joined: each strategy (absolute, top-k, stratified), ranked by the score and by the
length-adjusted score, with what it keeps and what that does to length, diversity, strata
balance and IFD (``tables.filter_audit``; per-strategy metrics ``rm_filter_*.<strategy>``).
Per row ``rm_filter_keep`` says what the configured strategy keeps: ``qcaudit filter``
writes those rows.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any, Literal

import numpy as np
import polars as pl
from pydantic import Field

from qcaudit.errors import QcauditError
from qcaudit.columns import CATEGORY, PROMPT, RESPONSE, ROW_ID, TEXT
from qcaudit.io import WHITESPACE_TOKEN
from qcaudit.registry import Analyzer, AnalyzerResult, CliOption, Device, MetricSpec, RowFilter, Section, Seed, count, register
from qcaudit.reward_model import RewardModel, load_reward_model, reward_signature, score_pairs
from qcaudit.signatures import Metric, histogram, signature
from qcaudit.views import Column, Notice, RankedRows, Stat, View, histogram_view

QUANTILES = {"p10": 0.1, "median": 0.5, "p90": 0.9}
HISTOGRAM_BINS = 40


class RewardSettings(Section):
    """A reward model (local sequence classifier with one logit), switched on by ``model``."""

    model: str | None = None
    batch_size: int = Field(16, ge=1, le=4096)
    max_tokens: int = Field(1024, ge=2, le=1_000_000)
    #: None: the run's device (``--device``, ``[embedding] device``).
    device: Device | None = None
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    #: The filter ``qcaudit filter`` applies (and ``rm_filter_keep`` marks).
    filter_strategy: Literal["absolute", "top_k", "stratified"] = "top_k"
    #: Percent kept by top_k and, within each stratum, by stratified.
    top_k: float = Field(30.0, gt=0.0, le=100.0)
    #: absolute keeps scores above this (None: the median score).
    threshold: float | None = None
    #: Rank by the length-adjusted score instead of the score.
    length_controlled: bool = False
    #: Strata of the stratified filter: auto takes the category column, else the embedding
    #: clusters, else IFD quartiles, whichever the run has.
    stratify_by: Literal["auto", "category", "cluster", "ifd"] = "auto"
    #: Rows per seeded sample when diversity before and after a filter is compared.
    audit_sample: int = Field(1000, ge=10, le=100_000)
    seed: Seed = 0


#: Where each ``stratify_by`` finds its strata among the joined per-row columns.
STRATA_COLUMNS = {"category": CATEGORY, "cluster": "embedding_cluster", "ifd": "ifd"}


@register
class Reward(Analyzer):
    name = "reward"
    order = 65
    title = "Reward-model scores"
    run_hint = "qcaudit report DATA --reward-model PATH --prompt-fields instruction,input --response-field output"
    Settings = RewardSettings
    options = (
        CliOption(("--reward-model",), "model", str,
                  "Local reward model (sequence classifier, one logit); switches the reward analyzer on."),
        CliOption(("--strategy",), "filter_strategy", str, "RM filter: absolute | top_k | stratified (default top_k)."),
        CliOption(("--top-k",), "top_k", float, "Percent the top_k and stratified RM filters keep (default 30)."),
        CliOption(("--reward-threshold",), "threshold", float, "Score the absolute RM filter keeps rows above (default: the median)."),
        CliOption(("--length-controlled/--no-length-controlled",), "length_controlled", bool,
                  "Rank the RM filter by the length-adjusted score."),
    )
    filters = (RowFilter(
        "filter", "Write DATA without the rows a reward-model filter drops (--strategy, --top-k), and the removed rows with their scores.",
        drop=~pl.col("rm_filter_keep"),
        reasons={"reward_score": pl.col("reward_score"), "reward_score_length_adjusted": pl.col("reward_score_length_adjusted"),
                 "removed_by": pl.lit("reward-model filter")},
        companions=True,
    ),)

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
            count("rm_filter_length_ratio", "mean response length kept by an RM filter / before (per strategy)", "lower"),
            MetricSpec("rm_filter_distinct_2_change", "distinct-2 after an RM filter minus before, equal samples (per strategy)",
                       "higher", -1.0, 1.0),
            MetricSpec("rm_filter_self_bleu_4_change", "Self-BLEU-4 after an RM filter minus before, equal samples (per strategy)",
                       "lower", -1.0, 1.0),
            MetricSpec("rm_filter_entropy_change", "strata entropy after an RM filter minus before (per strategy)", "higher",
                       needs="strata: a category column, or the embeddings or ifd analyzer"),
            MetricSpec("rm_filter_ifd_change", "mean IFD after an RM filter minus before (per strategy)",
                       needs="the ifd analyzer (--ifd-model PATH)"),
        )

    @classmethod
    def switched_on(cls, config) -> bool:
        """A reward model turns it on, except on preference pairs without a response column,
        where the model serves the preference analyzer's agreement."""
        pairs_only = config.input.pairs() and not config.input.response
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
        audit = tables.get("filter_audit") or []
        if audit:
            columns = [Column("strategy", "filter"), Column("ranked_by", "ranked by"), Column("kept", "kept", ","),
                       Column("tokens_before", "length before", ".1f"), Column("tokens_after", "after", ".1f"),
                       Column("distinct_2_before", "distinct-2 before", ".3f"), Column("distinct_2_after", "after", ".3f"),
                       Column("self_bleu_4_before", "Self-BLEU-4 before", ".3f"), Column("self_bleu_4_after", "after", ".3f"),
                       Column("entropy_before", "strata entropy before", ".3f"), Column("entropy_after", "after", ".3f"),
                       Column("ifd_before", "IFD before", ".3f"), Column("ifd_after", "after", ".3f")]
            strata = tables.get("filter_strata") or "none"
            views.append(RankedRows("What a reward-model filter would do", columns, audit, "rm-filter-audit",
                                    f"Strata: {strata}. Diversity on seeded samples of equal size before and after."))
        return views

    @cached_property
    def _scorer(self) -> RewardModel:
        """The reward model, loaded on the first batch (once per run, or per Ray actor)."""
        s = self.settings
        return load_reward_model(s.model, s.device or self.context.device, s.dtype, s.max_tokens, s.batch_size)

    def partial(self, batch: pl.DataFrame) -> pl.DataFrame:
        rows = batch.filter(pl.col(RESPONSE).is_not_null()).select(ROW_ID, PROMPT, RESPONSE)
        scores = score_pairs(self._scorer, rows[PROMPT].fill_null("").to_list(), rows[RESPONSE].to_list(), "reward: scoring rows")
        return rows.select(
            ROW_ID,
            pl.Series("reward_score", scores, dtype=pl.Float64),
            pl.col(RESPONSE).str.count_matches(WHITESPACE_TOKEN).cast(pl.Int64).alias("response_tokens"),
        )

    def annotate(self, result: AnalyzerResult, rows: pl.LazyFrame) -> pl.DataFrame:
        """The RM-filter audit, over every analyzer's joined columns (strata from the category,
        the embedding clusters or IFD), and ``rm_filter_keep`` for the configured filter."""
        from qcaudit import rm_filter

        s, columns = self.settings, rows.collect_schema().names()
        sources = [s.stratify_by] if s.stratify_by != "auto" else ["category", "cluster", "ifd"]
        source = next((name for name in sources if STRATA_COLUMNS[name] in columns), None)
        wanted = [c for c in (CATEGORY, "embedding_cluster", "ifd") if c in columns]
        own = ["reward_score", "reward_score_length_adjusted", "response_tokens"]
        frame = rows.select(ROW_ID, TEXT, *own, *wanted).filter(pl.col("reward_score").is_not_null()).collect()
        if source is not None:
            frame = frame.with_columns(rm_filter.strata(frame, STRATA_COLUMNS[source]))
        tokenization = {"tokenizer": self.context.tokenization.tokenizer, "lowercase": self.context.tokenization.lowercase,
                        "strip_punctuation": self.context.tokenization.strip_punctuation}
        audit, chosen_keep = [], None
        for strategy in rm_filter.STRATEGIES:
            if strategy == "stratified" and source is None:
                continue
            for key, ranked_by in (("reward_score", "score"), ("reward_score_length_adjusted", "length-adjusted score")):
                keep = rm_filter.keep_mask(frame, strategy, key, s.top_k, s.threshold)
                audit.append({"strategy": strategy, "ranked_by": ranked_by, **rm_filter.effects(frame, keep, s.audit_sample, s.seed, tokenization)})
                if strategy == s.filter_strategy and (key == "reward_score_length_adjusted") == s.length_controlled:
                    chosen_keep = keep
        if chosen_keep is None:
            raise QcauditError("the stratified reward-model filter needs strata: a category column, or the embeddings or ifd analyzer")
        result.tables["filter_audit"] = audit
        result.tables["filter_strata"] = source
        sig = signature("rm_filter", f"top_k:{s.top_k}", f"threshold:{s.threshold if s.threshold is not None else 'median'}",
                        f"strata:{source}", f"sample:{s.audit_sample}", f"seed:{s.seed}")
        for record in audit:
            key = record["strategy"] + ("_length_controlled" if record["ranked_by"] != "score" else "")
            changes = {"rm_filter_length_ratio": record["tokens_after"] / record["tokens_before"] if record["tokens_before"] else math.nan}
            for name in ("distinct_2", "self_bleu_4", "entropy", "ifd"):
                if f"{name}_before" in record:
                    changes[f"rm_filter_{name}_change"] = record[f"{name}_after"] - record[f"{name}_before"]
            result.metrics |= {f"{name}.{key}": Metric(value, sig) for name, value in changes.items()}
        return pl.DataFrame({ROW_ID: frame[ROW_ID], "rm_filter_keep": chosen_keep})

    def finalize(self, rows: pl.DataFrame) -> AnalyzerResult:
        from scipy.stats import spearmanr

        if rows.height == 0:
            raise QcauditError("the reward analyzer found no row with a response to score")
        score, tokens = rows["reward_score"].to_numpy(), rows["response_tokens"].to_numpy()
        s = self.settings
        sig = reward_signature(s.model, s.device or self.context.device, s.dtype, s.max_tokens)
        metrics = {"reward_mean": Metric(float(score.mean()), sig), "rows_scored": Metric(len(score), sig)}
        metrics |= {f"reward_{name}": Metric(float(np.quantile(score, q)), sig) for name, q in QUANTILES.items()}
        # (a constant side has no rank correlation: NaN, left out of the report, without scipy's warning line)
        rho, p = spearmanr(score, tokens) if np.ptp(score) > 0 and np.ptp(tokens) > 0 else (np.nan, np.nan)
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
