"""Plain-Python reference implementations the tests compare qcaudit with."""

from __future__ import annotations

import math
from collections import Counter

from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu


def ngrams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def texygen_self_bleu(tokenised: list[list[str]], n: int) -> float:
    """Texygen's Self-BLEU: nltk sentence_bleu of each row against all the others."""
    weights = tuple(1.0 / n for _ in range(n))
    smoothing = SmoothingFunction().method1
    scores = [
        sentence_bleu(tokenised[:i] + tokenised[i + 1 :], hyp, weights, smoothing_function=smoothing)
        for i, hyp in enumerate(tokenised)
    ]
    return sum(scores) / len(scores)


def distinct(tokenised: list[list[str]], n: int) -> float:
    grams = [g for tokens in tokenised for g in ngrams(tokens, n)]
    return len(set(grams)) / len(grams) if grams else 0.0


def entropy(tokenised: list[list[str]], n: int) -> float:
    counts = Counter(g for tokens in tokenised for g in ngrams(tokens, n))
    total = sum(counts.values())
    return -sum(c / total * math.log(c / total) for c in counts.values())


def repetition(tokens: list[str], n: int) -> float:
    """Data-Juicer's word-repetition ratio: occurrences of n-grams seen more than once / all."""
    counts = Counter(ngrams(tokens, n))
    total = sum(counts.values())
    return sum(c for c in counts.values() if c > 1) / total if total else 0.0
