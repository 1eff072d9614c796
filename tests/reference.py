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


def watermark_score(ids: list[int], vocab: int, gamma: float, scheme: str, ignore_repeated: bool) -> tuple[int, int] | None:
    """(green tokens, tokens scored) of one text under the Kirchenbauer detector, one n-gram
    at a time with torch tensors, as the paper's reference detector walks a text; schemes
    ``lefthash`` (additive PRF over 1 token) and ``selfhash`` (anchored min-hash over 4 tokens,
    the token salting its own context). None when the text is too short to score."""
    import torch

    key = 15485863
    width, self_salt = (1, False) if scheme == "lefthash" else (4, True)
    if len(ids) - width < 1:
        return None
    table_rng = torch.Generator().manual_seed(2971215073)
    table = torch.randperm(1_000_003, generator=table_rng)

    def seed(context: list[int]) -> int:
        t = torch.tensor(context, dtype=torch.long)
        if scheme == "lefthash":
            value = key * int(t.sum())
        else:
            hashed = table[t % 1_000_003] + 1
            value = int((key * hashed * hashed[-1]).min())
        return value % (2**64 - 1)

    n = width + 1 - int(self_salt)
    grams = [tuple(ids[i:i + n]) for i in range(len(ids) - n + 1)]
    verdict = {}
    for gram in dict.fromkeys(grams):
        context = list(gram if self_salt else gram[:-1])[-width:]
        generator = torch.Generator().manual_seed(seed(context))
        green = torch.randperm(vocab, generator=generator)[: int(vocab * gamma)]
        verdict[gram] = bool((green == gram[-1]).any())
    counted = list(verdict) if ignore_repeated else grams
    return sum(verdict[g] for g in counted), len(counted)
