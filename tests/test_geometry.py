"""Embedding-set metrics against their reference implementations and published formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcaudit.metrics import frechet_distance, mean_pairwise_cosine, mmd_rbf, prdc, vendi_score


def sample(seed: int, n: int, d: int, shift: float = 0.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(shift, 1.0, size=(n, d))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # inside vendi_score's own scipy use
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60), d=st.integers(1, 12), q=st.sampled_from([0.5, 1.0, 2.0, np.inf]))
def test_vendi_equals_the_reference_kernel_form(seed, n, d, q):
    from sklearn.preprocessing import normalize
    from vendi_score import vendi

    X = sample(seed, n, d)
    Xn = normalize(X, axis=1)
    expected = vendi.score_K(Xn @ Xn.T, q="inf" if np.isinf(q) else q)
    # The reference diagonalises the n x n kernel; its round-off eigenvalues move it by ~1e-7.
    assert vendi_score(X, q=q) == pytest.approx(expected, rel=1e-6)


def test_vendi_of_identical_rows_is_one_and_of_orthogonal_rows_is_n():
    assert vendi_score(np.ones((50, 8))) == pytest.approx(1.0)
    assert vendi_score(np.eye(7)) == pytest.approx(7.0)


@given(seed=st.integers(0, 10_000), n=st.integers(2, 40), d=st.integers(1, 10))
def test_mean_pairwise_cosine_equals_the_pair_loop(seed, n, d):
    X = sample(seed, n, d)
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    pairs = [Xn[i] @ Xn[j] for i in range(n) for j in range(n) if i != j]
    assert mean_pairwise_cosine(X) == pytest.approx(np.mean(pairs), abs=1e-12)


@pytest.mark.parametrize("seed, n_real, n_fake, d, shift, k", [(0, 300, 200, 8, 0.0, 5), (1, 150, 400, 16, 0.7, 3), (2, 2500, 300, 4, 0.3, 5)])
def test_prdc_equals_clovaai_reference(seed, n_real, n_fake, d, shift, k, capsys):
    from prdc import compute_prdc

    real, fake = sample(seed, n_real, d), sample(seed + 100, n_fake, d, shift)
    expected = compute_prdc(real, fake, k)
    got = prdc(real, fake, k)
    for key in ("precision", "recall", "density", "coverage"):
        assert got[key] == pytest.approx(expected[key], abs=1e-12), key


def reference_frechet(X: np.ndarray, Y: np.ndarray) -> float:
    """The published formula via symmetric square roots: Tr((Σx^½ Σy Σx^½)^½)."""
    def sqrt_psd(M):
        w, V = np.linalg.eigh(M)
        return (V * np.sqrt(np.clip(w, 0, None))) @ V.T

    cx, cy = np.cov(X, rowvar=False), np.cov(Y, rowvar=False)
    root_x = sqrt_psd(cx)
    cross = np.trace(sqrt_psd(root_x @ cy @ root_x))
    diff = X.mean(0) - Y.mean(0)
    return diff @ diff + np.trace(cx) + np.trace(cy) - 2 * cross


@pytest.mark.parametrize("seed, d, shift", [(0, 4, 0.0), (1, 16, 0.5), (2, 32, 2.0)])
def test_frechet_distance_equals_the_published_formula(seed, d, shift):
    X, Y = sample(seed, 500, d), sample(seed + 1, 400, d, shift) * 1.3
    assert frechet_distance(X, Y) == pytest.approx(reference_frechet(X, Y), rel=1e-6, abs=1e-8)
    assert frechet_distance(X, X) == pytest.approx(0.0, abs=1e-6)


def test_mmd_equals_the_double_sum():
    X, Y = sample(0, 40, 3), sample(1, 30, 3, 0.5)
    h = 1.7
    k = lambda a, b: np.exp(-np.sum((a - b) ** 2) / (2 * h * h))  # noqa: E731
    xx = sum(k(a, b) for i, a in enumerate(X) for j, b in enumerate(X) if i != j) / (40 * 39)
    yy = sum(k(a, b) for i, a in enumerate(Y) for j, b in enumerate(Y) if i != j) / (30 * 29)
    xy = sum(k(a, b) for a in X for b in Y) / (40 * 30)
    assert mmd_rbf(X, Y, bandwidth=h) == pytest.approx(xx + yy - 2 * xy, abs=1e-12)
    assert mmd_rbf(X, Y) > mmd_rbf(X, sample(2, 30, 3))  # a shifted set is farther than a fresh one


def test_the_set_functions_refuse_sets_they_cannot_measure_in_one_line():
    """Too few rows (PRDC's k-th neighbour, a covariance, an unbiased mean over pairs), a
    1-D array, sets of two dimensions (two encoders) and NaN: a ValueError naming the cause,
    not numpy's or scipy's (an index out of bounds, an internal error in sqrtm, NaN)."""
    good, one_row, wide = sample(0, 10, 4), sample(1, 1, 4), sample(2, 10, 5)
    with_nan = good.copy()
    with_nan[3, 1] = np.nan
    cases = [
        (lambda: prdc(good, sample(3, 5, 4), k=5), r"PRDC with k=5 needs at least 6 rows in fake; got 5"),
        (lambda: prdc(good, good, k=0), "k must be at least 1"),
        (lambda: frechet_distance(one_row, good), r"the Fréchet distance needs at least 2 rows in X; got 1"),
        (lambda: mmd_rbf(good, one_row), r"the unbiased MMD needs at least 2 rows in Y; got 1"),
        (lambda: mean_pairwise_cosine(one_row), r"mean pairwise cosine needs at least 2 rows in X; got 1"),
        (lambda: vendi_score(np.zeros((0, 4))), r"the Vendi score needs at least 1 row in X; got 0"),
        (lambda: vendi_score(good[0]), r"X must be a 2-D array, one row a text; got shape \(4,\)"),
        (lambda: frechet_distance(good, wide), r"the two sets' rows differ in dimension: 4 and 5"),
        (lambda: mmd_rbf(good, wide), r"differ in dimension: 4 and 5"),
        (lambda: prdc(good, wide, k=3), r"differ in dimension: 4 and 5"),
        (lambda: vendi_score(with_nan), "X holds NaN or infinite values"),
        (lambda: mean_pairwise_cosine(with_nan), "X holds NaN or infinite values"),
        (lambda: frechet_distance(good, with_nan), "Y holds NaN or infinite values"),
    ]
    for call, needle in cases:
        with pytest.raises(ValueError, match=needle):
            call()


@settings(deadline=None)  # (the first example imports scipy.stats)
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=30).filter(any))
def test_shannon_entropy_is_scipys_and_never_negative_zero(counts):
    """The entropy cluster, topic, unigram and stratum metrics report: scipy.stats.entropy's
    value, and +0.0 where all the mass is in one category (a report printed "-0")."""
    from scipy.stats import entropy

    from qcaudit.signatures import shannon_entropy
    got = shannon_entropy(np.array(counts))
    assert got == pytest.approx(entropy(counts), abs=1e-12)
    assert math.copysign(1.0, got) == 1.0


@given(st.lists(st.integers(-5, 60), min_size=1, max_size=200), st.integers(1, 40))
def test_a_histogram_of_whole_numbers_gives_each_value_a_bin_where_they_fit(values, bins):
    """Report histograms (lengths, length differences): whole numbers spanning at most
    ``bins`` values get one unit-wide bin each, centred on the value, with its count;
    otherwise ``bins`` bins as numpy.histogram draws them. Either way every value is counted."""
    from collections import Counter

    from qcaudit.signatures import histogram

    table = histogram(np.array(values), bins)
    assert sum(table["counts"]) == len(values)
    if max(values) - min(values) < bins:
        assert [round(a + 0.5) for a in table["edges"][:-1]] == list(range(min(values), max(values) + 1))
        assert all(b - a == 1 for a, b in zip(table["edges"][:-1], table["edges"][1:]))
        assert table["counts"] == [Counter(values)[v] for v in range(min(values), max(values) + 1)]
    else:
        counts, edges = np.histogram(values, bins=bins)
        assert table == {"edges": edges.tolist(), "counts": counts.tolist()}
    floats = histogram(np.array(values, dtype=float), bins)
    assert len(floats["counts"]) == bins and floats["counts"] == np.histogram(np.array(values, dtype=float), bins=bins)[0].tolist()
