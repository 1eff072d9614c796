"""Public metric functions, the same code the analyzers run.

Lexical: :func:`distinct_n`, :func:`self_bleu` (texts in). Embedding sets (arrays in):
:func:`vendi_score`, :func:`mean_pairwise_cosine`, :func:`prdc`, :func:`frechet_distance`,
:func:`mmd_rbf` from :mod:`qcaudit.geometry`.

>>> from qcaudit.metrics import distinct_n, self_bleu
>>> distinct_n(["a b a", "a c"], n=1)
0.6
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from qcaudit.geometry import frechet_distance, mean_pairwise_cosine, mmd_rbf, prdc, vendi_score
from qcaudit.lexical import iter_order_stats, ngram_hashes, self_bleu_per_row
from qcaudit.text import Tokenization


__all__ = [
    "distinct_n", "self_bleu", "vendi_score", "mean_pairwise_cosine", "prdc", "frechet_distance", "mmd_rbf",
]


def _texts(texts: Sequence[str]) -> list[str]:
    """``texts`` as a list, checked to hold strings only. One string is refused (it would
    read as a sequence of one-character texts), and so is a missing text: counted as an
    empty one, it would lower Self-BLEU, where the diversity analyzer leaves such rows out."""
    if isinstance(texts, str | bytes):
        raise TypeError("texts must be a sequence of strings, not one string: give [text]")
    listed = list(texts)
    for i, text in enumerate(listed):
        if not isinstance(text, str):
            what = "missing (None)" if text is None else f"of type {type(text).__name__}"
            raise TypeError(f"texts[{i}] is {what}, not a string: give texts only (drop the missing ones)")
    return listed


def _tokens(texts: list[str], tokenizer: str, lowercase: bool, strip_punctuation: bool):
    tokenization = Tokenization(tokenizer, lowercase=lowercase, strip_punctuation=strip_punctuation)
    return tokenization.tokens(pl.Series("text", texts, dtype=pl.String))


def distinct_n(
    texts: Sequence[str],
    n: int,
    tokenizer: str = "whitespace",
    *,
    lowercase: bool = False,
    strip_punctuation: bool = False,
) -> float:
    """Corpus distinct-n: unique n-grams / all n-gram occurrences (0.0 when there are none);
    n-grams never cross texts. Only order ``n`` is hashed and counted: none of the other
    orders, nor the Self-BLEU statistics the diversity analyzer reads off the same sort."""
    if n < 1:
        raise ValueError("n must be at least 1")
    hashes, _ = ngram_hashes(_tokens(_texts(texts), tokenizer, lowercase, strip_punctuation), n)
    return pl.Series(hashes).n_unique() / len(hashes) if len(hashes) else 0.0


def self_bleu(
    texts: Sequence[str],
    n: int = 4,
    tokenizer: str = "whitespace",
    *,
    lowercase: bool = False,
    strip_punctuation: bool = False,
) -> float:
    """Exact Self-BLEU-n (Texygen's definition with nltk's method1 smoothing), in linear time.

    Equals ``mean(sentence_bleu(others, t, weights=(1/n,)*n,
    smoothing_function=SmoothingFunction().method1) for t in texts)`` with ``others`` every
    other text, tokenised with ``tokenizer``. Needs at least two texts.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    texts = _texts(texts)
    if len(texts) < 2:
        raise ValueError("Self-BLEU needs at least two texts")
    tokens = _tokens(texts, tokenizer, lowercase, strip_punctuation)
    orders = list(iter_order_stats(tokens, range(1, n + 1)))
    return float(np.mean(self_bleu_per_row(tokens.lengths, orders)))
