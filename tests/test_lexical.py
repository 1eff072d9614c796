"""Self-BLEU, distinct-n, entropy and repetition against plain references (nltk for BLEU)."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcaudit.lexical import _order_stats, closest_other_length, iter_order_stats
from qcaudit.metrics import distinct_n, self_bleu
from qcaudit.text import Tokenization
from tests.conftest import shared_file
from tests.reference import distinct, entropy, repetition, texygen_self_bleu

# Separators str.split() knows, including Unicode spaces and the 0x1C-0x1F separators.
SEPARATORS = [" ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\x1c", "\x1f", "\x85"]
# A tiny vocabulary forces shared n-grams, repeats inside rows and ties in counts.
TOKENS = st.sampled_from(["a", "b", "c", "d", "é", "x.y"])


@st.composite
def corpora(draw, min_rows: int = 2, max_rows: int = 12):
    rows = draw(st.lists(st.lists(TOKENS, max_size=10), min_size=min_rows, max_size=max_rows))
    texts = []
    for tokens in rows:
        seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(tokens) + 1, max_size=len(tokens) + 1))
        texts.append(seps[0] * draw(st.booleans()) + "".join(t + s for t, s in zip(tokens, seps[1:], strict=True)))
    return texts


@settings(max_examples=150, deadline=None)
@given(texts=corpora(), n=st.integers(1, 5))
def test_self_bleu_equals_nltk_on_random_corpora(texts, n):
    expected = texygen_self_bleu([t.split() for t in texts], n)
    assert self_bleu(texts, n=n) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(texts=corpora(min_rows=1), n=st.integers(1, 4))
def test_distinct_n_equals_plain_python(texts, n):
    assert distinct_n(texts, n) == pytest.approx(distinct([t.split() for t in texts], n), abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(texts=corpora(min_rows=1))
def test_entropy_and_repetition_equal_plain_python(texts):
    tokenised = [t.split() for t in texts]
    tokens = Tokenization().tokens(pl.Series(texts, dtype=pl.String))
    for stats in iter_order_stats(tokens, range(1, 4)):
        assert stats.entropy == pytest.approx(entropy(tokenised, stats.n), abs=1e-9)
        assert math.copysign(1.0, stats.entropy) == 1.0  # one n-gram repeated is 0.0, which a report printed "-0"
        expected = [repetition(t, stats.n) for t in tokenised]
        np.testing.assert_allclose(stats.repetition_per_row, expected, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(texts=corpora(min_rows=2, max_rows=30), row_bits=st.sampled_from([40, 58, 62]))
def test_hash_prefix_clashes_take_the_exact_path(texts, row_bits):
    """Forcing the fast path's hash prefixes to clash must not change any statistic."""
    tokens = Tokenization().tokens(pl.Series(texts, dtype=pl.String))
    rows = tokens.rows[1:][tokens.rows[1:] == tokens.rows[:-1]]  # bigram rows
    inside = tokens.rows[1:] == tokens.rows[:-1]
    hashes = (tokens.hashes[:-1] * np.uint64(31) + tokens.hashes[1:])[inside]
    for n, (h, r) in {1: (tokens.hashes, tokens.rows), 2: (hashes, rows)}.items():
        fast = _order_stats(n, h, r, tokens.lengths)
        forced = _order_stats(n, h, r, tokens.lengths, row_bits=row_bits)
        assert (fast.distinct, fast.total) == (forced.distinct, forced.total)
        assert fast.entropy == pytest.approx(forced.entropy, abs=1e-12)
        np.testing.assert_array_equal(fast.matches_per_row, forced.matches_per_row)
        np.testing.assert_array_equal(fast.repeated_per_row, forced.repeated_per_row)


@given(st.lists(st.integers(0, 30), min_size=2, max_size=40))
def test_closest_other_length_matches_nltk_rule(lengths):
    got = closest_other_length(np.array(lengths))
    for i, hyp in enumerate(lengths):
        others = lengths[:i] + lengths[i + 1 :]
        assert got[i] == min(others, key=lambda ref: (abs(ref - hyp), ref))


def test_self_bleu_of_copies_is_one_and_of_disjoint_rows_is_zero():
    assert self_bleu(["the cat sat on the mat"] * 3) == pytest.approx(1.0)
    assert self_bleu(["a b c d", "e f g h", "i j k l"]) == 0.0


def test_self_bleu_needs_two_texts():
    with pytest.raises(ValueError, match="at least two"):
        self_bleu(["only one"])


@pytest.mark.parametrize("metric", [distinct_n, self_bleu])
def test_the_metric_functions_take_texts_only(metric):
    """One string would read as texts of one character each (distinct-2 0.0, Self-BLEU
    0.0), and a missing text as an empty one, which lowers Self-BLEU; both are refused, as
    is any other value. A sequence of strings of any kind is read (a tuple, a Series)."""
    for bad, needle in (("a b c d", "not one string"), (["a b c", None], r"texts\[1\] is missing \(None\)"),
                        (["a b c", 5], r"texts\[1\] is of type int, not a string"), ([b"a b", "c d"], r"texts\[0\] is of type bytes")):
        with pytest.raises(TypeError, match=needle):
            metric(bad, n=2)
    texts = ["a b c d", "a b c e", "f g h"]
    assert metric(tuple(texts), n=2) == metric(pl.Series(texts), n=2) == metric(texts, n=2)


@pytest.mark.parametrize(
    "relative, rows, n",
    [("corpora/coco_captions.txt", 300, 4), ("corpora/emnlp2017_news.txt", 150, 4),
     ("corpora/coco_captions.txt", 300, 2)],
)
def test_self_bleu_equals_nltk_on_real_corpora(relative, rows, n):
    lines = shared_file(relative).read_text(encoding="utf-8").splitlines()[:rows]
    expected = texygen_self_bleu([line.split() for line in lines], n)
    assert self_bleu(lines, n=n) == pytest.approx(expected, abs=1e-9)
    assert distinct_n(lines, n) == pytest.approx(distinct([line.split() for line in lines], n), abs=1e-12)


@pytest.mark.slow
def test_self_bleu_equals_nltk_on_a_large_real_sample():
    """1,000 captions: nltk needs about half a minute; qcaudit well under a second."""
    lines = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()[:1000]
    expected = texygen_self_bleu([line.split() for line in lines], 4)
    assert self_bleu(lines, n=4) == pytest.approx(expected, abs=1e-9)


def test_distinct_n_on_real_corpus_at_scale():
    """Thousands of distinct n-grams: the 64-bit hashes must not merge any."""
    lines = shared_file("corpora/emnlp2017_news.txt").read_text(encoding="utf-8").splitlines()
    tokenised = [line.split() for line in lines]
    for n in (1, 3):
        assert distinct_n(lines, n) == pytest.approx(distinct(tokenised, n), abs=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(["a b c d", "a b c d", "a b c d e", "b c d e", "x y z w v", "a b c", "x y z w", "q r s t u v"]),
                min_size=3, max_size=30))
def test_least_diverse_rows_are_each_text_once_ties_by_copies_then_length(texts):
    """The diversity analyzer's "least diverse rows" against the ordering written out here:
    score, copies, length (all descending), then row_id, over each text's first row."""
    from qcaudit import audit

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.parquet"
        pl.DataFrame({"text": texts}).write_parquet(path)
        report = audit(path, analyzers=["diversity"], settings={"diversity.worst_rows": 4})
    scores = report.rows["self_bleu_4"].to_list()
    firsts = {}
    for row, text in enumerate(texts):
        firsts.setdefault(text, row)
    expected = sorted(firsts.values(), key=lambda r: (-scores[r], -texts.count(texts[r]), -len(texts[r].split()), r))[:4]
    shown = report.tables["diversity"]["worst_rows"]["rows"]
    assert [r["row_id"] for r in shown] == expected
    assert [r["copies"] for r in shown] == [texts.count(texts[r]) for r in expected]


def test_text_without_spaces_is_warned_about_and_read_by_the_cjk_tokenizer():
    """Chinese rows are one token each to the whitespace tokenizer: the audit says so (console
    and report) and names the cjk tokenizer, under which the metrics and the near-duplicate
    check see the characters (a pair differing in one character of a hundred is found)."""
    import logging
    import random

    from qcaudit import audit

    rng = random.Random(0)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 400)]
    rows = ["".join(rng.choice(alphabet) for _ in range(100)) + "。" for _ in range(60)]
    rows.append(rows[0][:50] + alphabet[-1] + rows[0][51:])  # one character changed
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logging.getLogger("qcaudit").addHandler(handler)
    try:
        plain = audit({"text": rows}, analyzers=["diversity", "duplicates"])
        cjk = audit({"text": rows}, analyzers=["diversity", "duplicates"], settings={"text.tokenizer": "cjk"})
    finally:
        logging.getLogger("qcaudit").removeHandler(handler)
    warning = plain.tables["diversity"]["warnings"][0]
    assert warning.startswith("the rows average 101 characters a token") and "--tokenizer cjk" in warning
    assert records == [warning] and "warnings" not in cjk.tables["diversity"]
    assert plain.value("diversity.tokens_mean") == 1 and cjk.value("diversity.tokens_mean") == 101  # 100 ideographs and the full stop
    assert plain.value("duplicates.near_duplicate_clusters") == 0 and cjk.value("duplicates.near_duplicate_clusters") == 1
    english = audit({"text": ["a row of plain English words", "another row of plain words here"]}, analyzers=["diversity"])
    assert "warnings" not in english.tables["diversity"]
