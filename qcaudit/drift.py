"""Model-collapse drift: how a generation of data differs from the baseline (generation 0 or
real data), per Shumailov et al. (Nature 2024): the tails vanish and outputs converge.

Per generation against the baseline (all on whitespace tokens unless configured):

- lexical: distinct-1..4 and exact Self-BLEU-4 (:mod:`qcaudit.lexical`), vocabulary size,
  unigram entropy (nats), and the Jensen-Shannon divergence (base 2, in [0, 1]) between the
  generation's and the baseline's unigram distributions;
- tail survival: of the baseline's rare n-grams (at most ``tail_k`` occurrences), the share
  that still occurs in the generation, and the share of the generation's n-gram occurrences
  that fall in that baseline tail (``tail_mass``);
- lengths: mean and std of tokens per row, and the two-sample Kolmogorov-Smirnov statistic
  and p-value against the baseline's lengths (scipy ``ks_2samp``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from qcaudit.lexical import ngram_hashes, order_stats_within, row_chunks, self_bleu_per_row
from qcaudit.registry import MetricSpec, count, share
from qcaudit.signatures import shannon_entropy
from qcaudit.text import TokenStream
from qcaudit.views import Column, Notice, RankedRows, Series, View


@dataclass(frozen=True)
class DriftSettings:
    tail_k: int = 1
    tail_n: int = 2
    max_n: int = 4


def _counts(hashes: np.ndarray) -> pl.DataFrame:
    """Occurrences of each hash, in hash order: sums over them (entropy, divergence) then
    add in one order every run, so a run's figures repeat to the last digit (a group-by
    gives its groups in any order)."""
    return pl.DataFrame({"h": hashes}).group_by("h").len().sort("h")


@dataclass(frozen=True)
class Baseline:
    """What each generation is measured against, taken from the baseline's tokens once (its
    unigram counts, its rare ``tail_n``-grams, its row lengths), so that neither its texts
    nor its tokens are held while the generations are measured."""

    unigrams: pl.DataFrame
    tail: pl.DataFrame
    lengths: np.ndarray

    @classmethod
    def of(cls, tokens: TokenStream, settings: DriftSettings = DriftSettings()) -> Baseline:
        tail = _counts(ngram_hashes(tokens, settings.tail_n)[0]).filter(pl.col("len") <= settings.tail_k).select("h")
        return cls(_counts(tokens.hashes), tail, tokens.lengths)


def generation_metrics(tokens: TokenStream, baseline: Baseline, settings: DriftSettings = DriftSettings(),
                       memory_budget: int = 2**62, scratch: Callable[[], Path] | None = None) -> dict[str, float]:
    """Every drift metric of one generation against the baseline (see the module docstring;
    ``baseline`` taken with the same ``settings``). Its n-grams are counted in parts by hash
    within ``memory_budget``, the parts that wait spilled to ``scratch()`` beyond half of it
    (kept in memory without one), as the diversity analyzer counts them (the same figures to
    the bit): one count of a million rows' four orders at once peaked at 6.3 GB."""
    # here, not at import: every gate check reads GATE_METRICS
    from scipy.spatial.distance import jensenshannon

    metrics: dict[str, float] = {}
    chunks = row_chunks(tokens)
    orders = list(order_stats_within(lambda: chunks, tokens.lengths, range(1, settings.max_n + 1), memory_budget, scratch))
    for stats in orders:
        metrics[f"distinct_{stats.n}"] = stats.distinct_ratio
    lengths = tokens.lengths
    if len(lengths) >= 2 and settings.max_n >= 4:
        metrics["self_bleu_4"] = float(self_bleu_per_row(lengths, orders[:4]).mean())
    unigrams = _counts(tokens.hashes)
    metrics["vocabulary"] = float(unigrams.height)
    metrics["unigram_entropy"] = shannon_entropy(unigrams["len"].to_numpy())
    joint = baseline.unigrams.join(unigrams, on="h", how="full", coalesce=True).fill_null(0).sort("h")
    metrics["js_divergence"] = float(jensenshannon(joint["len"].to_numpy(), joint["len_right"].to_numpy(), base=2) ** 2)
    tail = baseline.tail
    generated = _counts(ngram_hashes(tokens, settings.tail_n)[0])
    surviving = tail.join(generated, on="h", how="semi").height
    metrics["tail_survival"] = surviving / tail.height if tail.height else 1.0
    in_tail = generated.join(tail, on="h", how="semi")["len"].sum()
    metrics["tail_mass"] = in_tail / generated["len"].sum() if generated.height else 0.0
    metrics["length_mean"] = float(lengths.mean())
    metrics["length_std"] = float(lengths.std())
    ks = _length_ks(lengths, baseline.lengths)
    metrics["length_ks"] = float(ks.statistic)
    metrics["length_ks_pvalue"] = float(ks.pvalue)
    return metrics


def _length_ks(lengths: np.ndarray, baseline: np.ndarray) -> Any:
    """scipy's two-sample Kolmogorov-Smirnov test of the lengths, as Evidently runs it (the
    method scipy chooses). Where its exact p-value cannot be computed (lengths nearly all
    equal, as a collapsed generation's are: [1, 1, 1, 1, 1] against [1, 1, 1, 1, 2]) scipy
    gives the asymptotic one and warns; that warning, a scipy file's path and line, reached
    the terminal of ``qcaudit drift`` and says nothing the report does not."""
    import warnings

    from scipy.stats import ks_2samp

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ks_2samp: Exact calculation unsuccessful", category=RuntimeWarning)
        return ks_2samp(lengths, baseline)


#: Metrics that fall as a distribution collapses, and those that grow.
FALLING = ("distinct_2", "tail_survival", "unigram_entropy", "recall_vs_baseline")
GROWING = ("js_divergence", "self_bleu_4", "fid_drift")


@dataclass(frozen=True)
class Alarm:
    fired: bool
    triggered_by: list[str]
    #: False when there were fewer generations than the alarm's window: no trend to judge.
    judged: bool = True


#: How many watched metrics must move the collapsing way together for the alarm to fire,
#: over how many of the last generations.
ALARM_QUORUM, ALARM_WINDOW = 2, 3


def collapse_alarm(generations: list[dict[str, float]], window: int = ALARM_WINDOW, tolerance: float = 0.10,
                   quorum: int = ALARM_QUORUM) -> Alarm:
    """Fires when, over the last ``window`` generations, at least ``quorum`` of the watched
    metrics move monotonically the collapsing way and by more than ``tolerance`` (relative
    to the baseline's value, or absolute for metrics that start at 0) in total. Fewer
    generations than ``window`` are not judged (a fall between two is no trend)."""
    if len(generations) < window:
        return Alarm(False, [], judged=False)
    recent = generations[-window:]
    base = generations[0]
    triggered = []
    for name in (*FALLING, *GROWING):
        if name not in base:
            continue
        values = np.array([g[name] for g in recent])
        steps = np.diff(values)
        direction = -1 if name in FALLING else 1
        scale = abs(base[name]) or 1.0
        monotone = np.all(direction * steps > 0)
        large = direction * (values[-1] - values[0]) / scale > tolerance
        if monotone and large:
            triggered.append(name)
    return Alarm(len(triggered) >= quorum, triggered)


#: Drift thresholds judge the last generation, whose values are the section's headline metrics
#: (each spec's ``needs`` says which option a metric needs); ``max_alarm_fired = 0`` fails a run
#: whose collapse alarm fired.
GATE_METRICS = (
    share("tail_survival", "share of the baseline's rare n-grams that still occur", "higher", headline=True),
    share("real_share", "share of rows that come from real data", "higher", headline=True, needs="--source-column"),
    count("fid_drift", "Fréchet distance of the embeddings from the baseline's", "lower", headline=True, needs="--embeddings"),
    share("recall_vs_baseline", "PRDC recall against the baseline's embeddings", "higher", headline=True, needs="--embeddings"),
    share("js_divergence", "Jensen-Shannon divergence (base 2) of the unigram distribution from the baseline's", "lower", headline=True),
    count("perplexity_median", "median per-row perplexity under the reference LM", headline=True, needs="--lm PATH"),
    share("alarm_fired", "1 when the collapse alarm fired, else 0", "lower", headline=True),
)
#: Every metric a drift report holds, for the renderers' explanations. distinct_2 and
#: self_bleu_4 share their names with the diversity analyzer's, whose gate thresholds they are.
METRICS = (
    share("distinct_2", "distinct-2 of the last generation: unique bigrams / bigram occurrences", "higher", gateable=False, headline=True),
    share("self_bleu_4", "exact Self-BLEU-4 of the last generation", "lower", gateable=False, headline=True),
    *GATE_METRICS,
    MetricSpec("collapse_alarm", "whether the collapse alarm fired (and which metrics fired it)", gateable=False),
    MetricSpec("generations", "every metric of every generation, drawn as the charts above", gateable=False),
)


#: The per-generation table's metrics (those a run computed), the charts have them all.
TABLE_COLUMNS = ("distinct_2", "self_bleu_4", "tail_survival", "js_divergence", "length_ks", "real_share", "fid_drift",
                 "recall_vs_baseline", "perplexity_median")

#: The drift timelines, one chart per family of metrics.
FAMILIES = {
    "lexical diversity": ("distinct_1", "distinct_2", "distinct_3", "distinct_4", "self_bleu_4"),
    "tails": ("tail_survival", "tail_mass"),
    "distribution shift": ("js_divergence", "length_ks"),
    "embeddings": ("fid_drift", "mmd", "recall_vs_baseline", "coverage_vs_baseline", "mean_pairwise_cosine"),
    "data mix": ("real_share",),
    "perplexity under the reference LM": ("perplexity_p10", "perplexity_median", "perplexity_p90"),
}


class DriftSection:
    """The drift command's part of a report (``tables.drift``: per-generation metrics, the
    collapse alarm, warnings), shown like an analyzer's section."""

    name = "drift"
    order = 45

    @classmethod
    def heading(cls) -> str:
        return "Drift across generations"

    @classmethod
    def dashboard_page(cls) -> str:
        return "Drift"

    @classmethod
    def how_to_run(cls) -> str:
        return "qcaudit drift GEN0 GEN1 GEN2 --out DIR, then open DIR"

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        return METRICS

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        alarm = tables["alarm"]
        moving = ", ".join(alarm["triggered_by"] or [])
        because = f" ({moving})" if alarm["fired"] else (
            f" ({moving} moving the collapsing way; it fires when {ALARM_QUORUM} metrics do)" if moving else "")
        views: list[View] = []
        if alarm.get("judged", True):  # (not judged: too few generations, which its warning says; older reports were judged)
            views.append(Notice(f"Collapse alarm: {'FIRED' if alarm['fired'] else 'quiet'}{because}",
                                "alarm" if alarm["fired"] else "ok", anchor="collapse-alarm"))
        views += [Notice(warning, "warning") for warning in tables.get("warnings", [])]
        generations = tables["generations"]
        names = [str(g["generation"]) for g in generations]
        shown = [m for m in TABLE_COLUMNS if generations and m in generations[0]]
        views.append(RankedRows("generations", [Column("generation", "generation"), Column("rows", "rows with text", ","),
                                                *(Column(m, m, ".4g") for m in shown)], generations, "generations"))
        for family, metrics in FAMILIES.items():
            present = {m: [g.get(m) for g in generations] for m in metrics if generations and m in generations[0]}
            if present:
                views.append(Series(family, "generation", "value", names, present, style="lines"))
        return views
