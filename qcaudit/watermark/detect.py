"""Watermark detection (Kirchenbauer et al. 2023), scored as the reference detector scores.

Each token after the first ``context_width`` is judged green or red by the green list its
context seeds (:mod:`qcaudit.watermark.schemes`, :mod:`qcaudit.watermark.greenlist`). With
``ignore_repeated_ngrams`` (the reference's default) each distinct n-gram of a text counts
once. The z-score is ``(green - gamma*T) / sqrt(T*gamma*(1-gamma))`` over the ``T`` tokens
scored, the p-value its one-sided normal tail, and a text is watermarked when ``z`` exceeds
the threshold (4.0 by default). Windowed scoring (WinMax, Kirchenbauer et al. 2024) takes the
best z over every window of the green/red sequence of the given sizes (``"max"``: all sizes
shorter than the sequence), in float32 as the reference computes it.

Every number agrees with ``WatermarkDetector.detect`` of ``jwkirchenbauer/lm-watermarking``
(``extended_watermark_processor.py``) on a CPU; ``tests/test_watermark.py`` checks that
against numbers the reference produced. Unlike the reference, a text too short to score
gets NaN scores instead of an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import sqrt

import numpy as np
import scipy.stats
import torch

from qcaudit.watermark.greenlist import GreenLists
from qcaudit.watermark.schemes import SeedingScheme, green_list_seeds


@dataclass(frozen=True)
class WatermarkSettings:
    scheme: SeedingScheme
    gamma: float = 0.25
    ignore_repeated_ngrams: bool = True
    z_threshold: float = 4.0
    window: str | None = None  # None, "max", or comma-separated window sizes


@dataclass
class WatermarkScores:
    """Per-text results; NaN / 0 where a text has too few tokens to score."""

    z: np.ndarray
    p: np.ndarray
    green_fraction: np.ndarray
    green_tokens: np.ndarray
    tokens_scored: np.ndarray
    detected: np.ndarray


class WatermarkDetector:
    def __init__(self, settings: WatermarkSettings, vocab_size: int, cache_bytes: int = 256 * 2**20):
        if not 0.0 < settings.gamma < 1.0:
            raise ValueError(f"gamma must be in (0, 1), got {settings.gamma}")
        if settings.window is not None:
            validate_window(settings.window)
        self.settings = settings
        self.green_lists = GreenLists(vocab_size, settings.gamma, cache_bytes)

    def score(self, sequences: list[np.ndarray]) -> WatermarkScores:
        """Score token-id sequences (BOS already removed, as the reference removes it)."""
        scheme, gamma = self.settings.scheme, self.settings.gamma
        n = scheme.ngram_length
        count = len(sequences)
        lengths = np.array([len(s) for s in sequences], dtype=np.int64)
        scorable = lengths - scheme.context_width >= 1
        ngrams, owner = _ngrams(sequences, lengths, scorable, n)
        green = self._green(ngrams)
        if self.settings.ignore_repeated_ngrams:
            first = _first_occurrences(ngrams, owner)
            owner_counted, green_counted = owner[first], green[first]
        else:
            owner_counted, green_counted = owner, green
        if self.settings.window is not None:
            return self._windowed(owner_counted, green_counted, scorable)
        tokens_scored = np.bincount(owner_counted, minlength=count).astype(np.int64)
        green_tokens = np.bincount(owner_counted, weights=green_counted, minlength=count).astype(np.int64)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (green_tokens - gamma * tokens_scored) / np.sqrt(tokens_scored * gamma * (1 - gamma))
            fraction = green_tokens / tokens_scored
        z = np.where(scorable, z, np.nan)
        fraction = np.where(scorable, fraction, np.nan)
        return WatermarkScores(
            z=z, p=scipy.stats.norm.sf(z), green_fraction=fraction, green_tokens=green_tokens,
            tokens_scored=tokens_scored, detected=np.nan_to_num(z, nan=-np.inf) > self.settings.z_threshold,
        )

    def _green(self, ngrams: np.ndarray) -> np.ndarray:
        """Green flag of every n-gram's last token, each distinct n-gram judged once."""
        if ngrams.shape[0] == 0:
            return np.zeros(0, dtype=bool)
        distinct, inverse = np.unique(_row_keys(ngrams), return_inverse=True)
        rows = distinct.view(np.int64).reshape(-1, ngrams.shape[1])
        width = self.settings.scheme.context_width
        context = rows if self.settings.scheme.self_salt else rows[:, :width]
        seeds = green_list_seeds(self.settings.scheme, context[:, -width:])
        return self.green_lists.is_green(seeds, rows[:, -1])[inverse.reshape(-1)]

    def _windowed(self, owner: np.ndarray, green: np.ndarray, scorable: np.ndarray) -> WatermarkScores:
        count = scorable.size
        z = np.full(count, np.nan)
        fraction = np.full(count, np.nan)
        green_tokens = np.zeros(count, dtype=np.int64)
        tokens_scored = np.zeros(count, dtype=np.int64)
        bounds = np.searchsorted(owner, np.arange(count + 1))  # owner is sorted: n-grams in text order
        for i in np.flatnonzero(scorable):
            best = _winmax(green[bounds[i]:bounds[i + 1]], self.settings.gamma, self.settings.window)
            if best is not None:
                z[i], tokens_scored[i], green_tokens[i] = best
                fraction[i] = green_tokens[i] / tokens_scored[i]
        return WatermarkScores(
            z=z, p=scipy.stats.norm.sf(z), green_fraction=fraction, green_tokens=green_tokens,
            tokens_scored=tokens_scored, detected=np.nan_to_num(z, nan=-np.inf) > self.settings.z_threshold,
        )


def _ngrams(sequences: list[np.ndarray], lengths: np.ndarray, scorable: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """All n-grams of the scorable sequences (rows, in text order) and the text each is from."""
    per_text = np.where(scorable, np.maximum(lengths - n + 1, 0), 0)
    if per_text.sum() == 0:
        return np.zeros((0, n), dtype=np.int64), np.zeros(0, dtype=np.int64)
    flat = np.concatenate([np.asarray(s, dtype=np.int64) for s in sequences] or [np.zeros(0, np.int64)])
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    owner = np.repeat(np.arange(len(sequences)), per_text)
    position_in_text = np.arange(per_text.sum()) - np.repeat(np.cumsum(per_text) - per_text, per_text)
    starts = np.repeat(offsets, per_text) + position_in_text
    return flat[starts[:, None] + np.arange(n)], owner


def _row_keys(rows: np.ndarray) -> np.ndarray:
    """Each int64 row as one opaque value, so numpy can sort and compare rows at once."""
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    return rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).reshape(-1)


def _first_occurrences(ngrams: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Indices (ascending) of the first occurrence of each distinct n-gram within its text."""
    keyed = np.column_stack([owner, ngrams])
    _, first = np.unique(_row_keys(keyed), return_index=True)
    return np.sort(first)


def validate_window(window: str) -> None:
    """Raise ValueError unless ``window`` is ``max`` or comma-separated positive sizes."""
    _window_sizes(window, 2)


def _window_sizes(window: str, length: int) -> list[int]:
    if window == "max":
        return list(range(1, length))
    try:
        sizes = [int(part) for part in window.split(",") if part]
    except ValueError:
        raise ValueError(f"window {window!r}: use 'max' or comma-separated positive sizes") from None
    if not sizes or min(sizes) < 1:
        raise ValueError(f"window {window!r}: use 'max' or comma-separated positive sizes")
    return sizes


def _winmax(green: np.ndarray, gamma: float, window: str) -> tuple[float, int, int] | None:
    """Best window z-score (float32, as the reference), its window size and green count;
    None when no window size fits the sequence."""
    length = green.size
    sizes = _window_sizes(window, length)
    hits = torch.cumsum(torch.from_numpy(green.astype(np.int64)), dim=0)
    best_per_size = torch.zeros(len(sizes))
    fits = False
    for index, size in enumerate(sizes):
        if size > length:
            continue
        counts = torch.cat((hits[size - 1:size], hits[size:] - hits[:-size]))
        best_per_size[index] = ((counts - gamma * size) / sqrt(size * gamma * (1 - gamma))).max()
        fits = True
    if not fits:
        return None
    best_z, best_index = best_per_size.max(dim=0)
    size = sizes[int(best_index)]
    green_count = int(best_z * sqrt(size * gamma * (1 - gamma)) + gamma * size)
    return float(best_z), size, green_count
