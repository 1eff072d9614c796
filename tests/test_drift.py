"""Drift metrics against scipy and plain references; the collapse alarm's logic."""

from __future__ import annotations

import math
from collections import Counter

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp

from qcaudit.drift import Baseline, collapse_alarm, generation_metrics
from qcaudit.text import Tokenization


def tokens(texts):
    return Tokenization().tokens(pl.Series(texts, dtype=pl.String))


def test_generation_metrics_equal_plain_definitions():
    base = ["the cat sat on the mat", "a dog ran far away", "the bird sang a rare song", "zebras graze quietly"]
    gen = ["the cat sat on the mat", "the cat sat on the mat", "a dog ran far", "the cat"]
    m = generation_metrics(tokens(gen), Baseline.of(tokens(base)))
    gen_words = [w for t in gen for w in t.split()]
    base_words = [w for t in base for w in t.split()]
    assert m["vocabulary"] == len(set(gen_words))
    c = Counter(gen_words)
    assert m["unigram_entropy"] == pytest.approx(-sum(v / len(gen_words) * math.log(v / len(gen_words)) for v in c.values()))
    vocab = sorted(set(gen_words) | set(base_words))
    p = [Counter(base_words)[w] / len(base_words) for w in vocab]
    q = [c[w] / len(gen_words) for w in vocab]
    mix = [(a + b) / 2 for a, b in zip(p, q, strict=True)]
    kl = lambda x, y: sum(a * math.log2(a / b) for a, b in zip(x, y, strict=True) if a > 0)  # noqa: E731
    assert m["js_divergence"] == pytest.approx((kl(p, mix) + kl(q, mix)) / 2)
    bigrams = lambda ts: Counter(b for t in ts for b in zip(t.split(), t.split()[1:]))  # noqa: E731
    tail = {b for b, n in bigrams(base).items() if n <= 1}
    gen_bigrams = bigrams(gen)
    assert m["tail_survival"] == pytest.approx(len(tail & set(gen_bigrams)) / len(tail))
    assert m["tail_mass"] == pytest.approx(sum(n for b, n in gen_bigrams.items() if b in tail) / sum(gen_bigrams.values()))
    ks = ks_2samp([len(t.split()) for t in gen], [len(t.split()) for t in base])
    assert (m["length_ks"], m["length_ks_pvalue"]) == pytest.approx((ks.statistic, ks.pvalue))


def test_lengths_whose_exact_ks_p_value_fails_give_scipys_asymptotic_one_without_its_warning():
    """Lengths nearly all equal (a collapsed generation's): scipy cannot compute the exact
    p-value, falls back to the asymptotic one and warns; drift reports that value, and the
    warning (a scipy path in the terminal of `qcaudit drift`) is not shown."""
    import warnings

    gen, base = ["a"] * 5, ["a"] * 4 + ["a a"]
    with pytest.warns(RuntimeWarning, match="Exact calculation unsuccessful"):  # (the case is one scipy warns on)
        ks_2samp([1] * 5, [1] * 4 + [2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = generation_metrics(tokens(gen), Baseline.of(tokens(base)))
    asymptotic = ks_2samp([1] * 5, [1] * 4 + [2], method="asymp")
    assert (m["length_ks"], m["length_ks_pvalue"]) == pytest.approx((asymptotic.statistic, asymptotic.pvalue))


def test_alarm_fires_on_monotone_collapse_only():
    collapsing = [{"distinct_2": 0.8 - 0.1 * i, "tail_survival": 1.0 - 0.2 * i, "js_divergence": 0.1 * i,
                   "unigram_entropy": 5.0, "self_bleu_4": 0.3} for i in range(5)]
    alarm = collapse_alarm(collapsing)
    assert alarm.fired and set(alarm.triggered_by) == {"distinct_2", "tail_survival", "js_divergence"}
    noisy = [{"distinct_2": 0.8 + (0.01 if i % 2 else -0.01), "tail_survival": 0.9 + (0.02 if i % 2 else 0),
              "js_divergence": 0.01, "unigram_entropy": 5.0, "self_bleu_4": 0.3} for i in range(5)]
    assert not collapse_alarm(noisy).fired
    too_few = collapse_alarm(collapsing[:2])  # a fall between two generations is no trend
    assert not too_few.fired and not too_few.judged and collapse_alarm(collapsing).judged and collapse_alarm(noisy).judged
    one = [{**g, "js_divergence": 0.0, "tail_survival": 1.0} for g in collapsing]  # distinct_2 alone falls
    quiet = collapse_alarm(one)
    assert not quiet.fired and quiet.triggered_by == ["distinct_2"]


@pytest.mark.parametrize("fired, moving, shown", [
    (True, ["distinct_2", "js_divergence"], "Collapse alarm: FIRED (distinct_2, js_divergence)"),
    (False, ["fid_drift"], "Collapse alarm: quiet (fid_drift moving the collapsing way; it fires when 2 metrics do)"),
    (False, [], "Collapse alarm: quiet"),
])
def test_the_alarm_notice_says_which_metrics_moved_and_whether_enough_did(fired, moving, shown):
    from qcaudit.drift import DriftSection

    tables = {"alarm": {"fired": fired, "triggered_by": moving}, "generations": [], "warnings": []}
    notice = DriftSection.views(tables, {}, {})[0]
    assert notice.text == shown and notice.level == ("alarm" if fired else "ok")


def test_an_alarm_not_judged_is_no_verdict():
    """Too few generations for the alarm's window: no "quiet" verdict (the run's warning says why)."""
    from qcaudit.drift import DriftSection

    tables = {"alarm": {"fired": False, "triggered_by": [], "judged": False}, "generations": [], "warnings": ["too few"]}
    views = DriftSection.views(tables, {}, {})
    assert not any("Collapse alarm" in getattr(v, "text", "") for v in views) and views[0].text == "too few"


def simulate_metrics(mode, real, generations=4):
    from qcaudit.simulate import simulate

    gens = simulate(real, generations, mode, top_k=None, top_p=0.95, seed=0)
    base = Baseline.of(tokens(gens[0]))
    return [generation_metrics(tokens(g), base) for g in gens]


def test_simulated_collapse_replace_vs_accumulate_vs_resampling():
    """On real captions: replacing data collapses (alarm, monotone falls); accumulating real
    data drifts clearly less; independent resamples of the real data raise nothing."""
    import random

    from tests.conftest import shared_file

    lines = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()
    real = lines[:3000]
    replace, accumulate = simulate_metrics("replace", real), simulate_metrics("accumulate", real)
    for name in ("distinct_2", "tail_survival"):
        values = [m[name] for m in replace]
        assert all(b < a for a, b in zip(values, values[1:], strict=False)), name
    assert collapse_alarm(replace).fired
    assert not collapse_alarm(accumulate).fired
    assert accumulate[-1]["tail_survival"] > 1.5 * replace[-1]["tail_survival"]
    assert accumulate[-1]["js_divergence"] < 0.7 * replace[-1]["js_divergence"]
    rng = random.Random(1)
    resamples = [real] + [rng.sample(lines[:12000], 3000) for _ in range(4)]
    base = Baseline.of(tokens(real))
    assert not collapse_alarm([generation_metrics(tokens(g), base) for g in resamples]).fired


WORDS = st.sampled_from(["a", "b", "c", "d", "e", "the", "cat"])


@settings(max_examples=40, deadline=None)
@given(gen=st.lists(st.lists(WORDS, min_size=1, max_size=12).map(" ".join), min_size=2, max_size=30),
       base=st.lists(st.lists(WORDS, min_size=1, max_size=12).map(" ".join), min_size=2, max_size=30),
       budget=st.sampled_from([200, 2_000, 50_000]))
def test_generation_metrics_within_a_memory_budget_are_the_same_to_the_bit(gen, base, budget):
    """A generation's n-grams counted in parts by hash within a memory budget, the waiting
    parts spilled to a scratch directory (a million rows' four orders counted at once peaked
    at 6.3 GB), give every metric as counting them at once does, to the bit."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        spills = []

        def scratch():
            spills.append(1)
            return Path(folder)

        within = generation_metrics(tokens(gen), Baseline.of(tokens(base)), memory_budget=budget, scratch=scratch)
        assert within == generation_metrics(tokens(gen), Baseline.of(tokens(base)))
        assert spills or budget > 200 or sum(len(t.split()) for t in gen) < 10  # (a small budget spills)
