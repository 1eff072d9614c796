"""Diversity and coverage of embedding sets: Vendi score, mean pairwise cosine, PRDC,
Fréchet distance, MMD. Inputs are ``(n, d)`` float arrays, one row per text.

- :func:`vendi_score` (Friedman & Dieng 2023): exp of the order-q Rényi entropy of the
  eigenvalues of K/n, K the cosine kernel of the L2-normalised rows. K/n = X Xᵀ/n has the
  same non-zero eigenvalues as the d×d matrix XᵀX/n, so it is exact for any n in O(n d²).
  Equals ``vendi_score.vendi.score_K(X @ X.T, q)``.
- :func:`mean_pairwise_cosine`: the mean cosine over all pairs i ≠ j, exact from the sum
  of the normalised rows: (‖Σx‖² − n) / (n(n − 1)).
- :func:`prdc` (Naeem et al. 2020): precision, recall, density, coverage with Euclidean
  k-NN radii (k = 5) and strict ``<``, as ``clovaai/generative-evaluation-prdc``.
- :func:`frechet_distance`: ‖μx − μy‖² + Tr(Σx + Σy − 2(ΣxΣy)^½), unbiased covariances,
  as pytorch-fid's ``calculate_frechet_distance``.
- :func:`mmd_rbf`: unbiased MMD² with a Gaussian kernel, bandwidth by the median heuristic
  over the pooled sample unless given.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

#: Rows compared per block in the brute-force distance passes (memory ~ block x n floats).
BLOCK = 2048


def _checked(X: np.ndarray, name: str, at_least: int, what: str, dtype: type | None = np.float64) -> np.ndarray:
    """``X`` as a 2-D array of at least ``at_least`` rows (``what`` needs them), else a
    ValueError that says so; finite values checked where ``dtype`` converts it (the caller
    checks a summary instead where a float64 copy of a large set would not fit)."""
    X = np.asarray(X, dtype=dtype)
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, one row a text; got shape {X.shape}")
    if len(X) < at_least:
        raise ValueError(f"{what} needs at least {at_least} row{'s' * (at_least != 1)} in {name}; got {len(X)}")
    if dtype is not None and not np.isfinite(X).all():
        raise ValueError(f"{name} holds NaN or infinite values")
    return X


def _same_width(X: np.ndarray, Y: np.ndarray) -> None:
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"the two sets' rows differ in dimension: {X.shape[1]} and {Y.shape[1]} (embedded by different models?)")


def _normalised(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms == 0, 1.0, norms)


def cosine_moments(X: np.ndarray, normalize: bool = True) -> tuple[np.ndarray, np.ndarray, int]:
    """(XᵀX, ΣX, n) of the L2-normalised rows, accumulated in float64 over row blocks, so a
    million float32 rows never need a float64 copy. Vendi and mean cosine both read these."""
    X = np.asarray(X)
    d = X.shape[1]
    gram, total = np.zeros((d, d)), np.zeros(d)
    for start in range(0, len(X), 65536):
        block = np.asarray(X[start : start + 65536], dtype=np.float64)
        block = _normalised(block) if normalize else block
        gram += block.T @ block
        total += block.sum(axis=0)
    return gram, total, len(X)


def vendi_score(X: np.ndarray, q: float = 1.0, normalize: bool = True) -> float:
    """Vendi score of order ``q`` (1: Shannon; ``np.inf``: min-entropy) with the cosine kernel."""
    gram, _, n = cosine_moments(_checked(X, "X", 1, "the Vendi score", dtype=None), normalize)
    if not np.isfinite(gram).all():
        raise ValueError("X holds NaN or infinite values")
    return vendi_from_moments(gram, n, q)


def vendi_from_moments(gram: np.ndarray, n: int, q: float = 1.0) -> float:
    eigenvalues = linalg.eigvalsh(gram / n)
    p = eigenvalues[eigenvalues > 0]
    if q == 1:
        entropy = -np.sum(p * np.log(p))
    elif np.isinf(q):
        entropy = -np.log(p.max())
    else:
        entropy = np.log(np.sum(p**q)) / (1 - q)
    return float(np.exp(entropy))


def mean_pairwise_cosine(X: np.ndarray) -> float:
    """Mean cosine similarity over all ordered pairs of distinct rows."""
    gram, total, n = cosine_moments(_checked(X, "X", 2, "mean pairwise cosine", dtype=None))
    if not np.isfinite(total).all():
        raise ValueError("X holds NaN or infinite values")
    return mean_cosine_from_moments(gram, total, n)


def mean_cosine_from_moments(gram: np.ndarray, total: np.ndarray, n: int) -> float:
    if n < 2:
        raise ValueError("mean pairwise cosine needs at least two rows")
    return float((total @ total - np.trace(gram)) / (n * (n - 1)))


def _distances(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Euclidean distances between the rows of A and B (the dot-product form, clipped at 0)."""
    squared = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2 * A @ B.T
    return np.sqrt(np.maximum(squared, 0))


def _kth_neighbour_radii(X: np.ndarray, k: int) -> np.ndarray:
    """Distance from each row to its k-th nearest other row."""
    radii = np.empty(len(X))
    for start in range(0, len(X), BLOCK):
        block = _distances(X[start : start + BLOCK], X)
        radii[start : start + BLOCK] = np.partition(block, k, axis=1)[:, k]  # index 0 is the row itself
    return radii


def prdc(real: np.ndarray, fake: np.ndarray, k: int = 5) -> dict[str, float]:
    """Precision, recall, density and coverage of ``fake`` against ``real`` (each set needs
    more than ``k`` rows: a row's k-th nearest other row)."""
    if k < 1:
        raise ValueError(f"k must be at least 1; got {k}")
    real, fake = _checked(real, "real", k + 1, f"PRDC with k={k}"), _checked(fake, "fake", k + 1, f"PRDC with k={k}")
    _same_width(real, fake)
    real_radii, fake_radii = _kth_neighbour_radii(real, k), _kth_neighbour_radii(fake, k)
    inside_real = np.zeros(len(fake), dtype=np.int64)  # real balls containing each fake point
    fake_ball_hit = np.zeros(len(real), dtype=bool)  # real point inside some fake ball
    nearest_fake = np.full(len(real), np.inf)
    for start in range(0, len(real), BLOCK):
        d = _distances(real[start : start + BLOCK], fake)
        inside_real += (d < real_radii[start : start + BLOCK, None]).sum(axis=0)
        fake_ball_hit[start : start + BLOCK] = (d < fake_radii[None, :]).any(axis=1)
        nearest_fake[start : start + BLOCK] = d.min(axis=1)
    return {
        "precision": float((inside_real > 0).mean()),
        "recall": float(fake_ball_hit.mean()),
        "density": float(inside_real.mean() / k),
        "coverage": float((nearest_fake < real_radii).mean()),
    }


def frechet_distance(X: np.ndarray, Y: np.ndarray, eps: float = 1e-6) -> float:
    """Fréchet distance between Gaussians fitted to X and Y (two rows each at least: a covariance)."""
    X, Y = _checked(X, "X", 2, "the Fréchet distance"), _checked(Y, "Y", 2, "the Fréchet distance")
    _same_width(X, Y)
    mu_x, mu_y = X.mean(0), Y.mean(0)
    cov_x, cov_y = np.atleast_2d(np.cov(X, rowvar=False)), np.atleast_2d(np.cov(Y, rowvar=False))
    root = linalg.sqrtm(cov_x @ cov_y)
    if not np.isfinite(root).all():  # singular product: nudge the diagonals, as pytorch-fid does
        offset = np.eye(len(cov_x)) * eps
        root = linalg.sqrtm((cov_x + offset) @ (cov_y + offset))
    root = np.real(root)
    diff = mu_x - mu_y
    return float(diff @ diff + np.trace(cov_x) + np.trace(cov_y) - 2 * np.trace(root))


def mmd_rbf(X: np.ndarray, Y: np.ndarray, bandwidth: float | None = None) -> float:
    """Unbiased squared MMD with k(a, b) = exp(-‖a − b‖² / (2 bandwidth²)) (two rows each at least)."""
    X, Y = _checked(X, "X", 2, "the unbiased MMD"), _checked(Y, "Y", 2, "the unbiased MMD")
    _same_width(X, Y)
    if bandwidth is None:
        pooled = np.vstack([X, Y])
        d = _distances(pooled, pooled)
        bandwidth = float(np.median(d[np.triu_indices(len(pooled), 1)]))
    gamma = 1.0 / (2 * bandwidth**2)
    kxx = np.exp(-gamma * _distances(X, X) ** 2)
    kyy = np.exp(-gamma * _distances(Y, Y) ** 2)
    kxy = np.exp(-gamma * _distances(X, Y) ** 2)
    n, m = len(X), len(Y)
    return float(
        (kxx.sum() - np.trace(kxx)) / (n * (n - 1))
        + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        - 2 * kxy.mean()
    )
