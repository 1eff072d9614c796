"""N-gram overlap, as lm-evaluation-harness's decontamination (the GPT-3 paper's method).

Normalisation follows lm-evaluation-harness ``janitor.py``: ASCII letters lower-cased,
ASCII punctuation (``string.punctuation``) deleted, then whitespace tokens; before it,
Unicode's compatibility forms are folded and invisible format characters deleted
(:func:`~qcaudit.contamination.fold_compatibility`, the identity on ASCII text). One
addition: every CJK ideograph is a token of its own, as the ``cjk`` tokenizer
(:mod:`qcaudit.text`) splits them, so that Chinese, written without spaces, is read in
characters, not as one token a sentence (the janitor's own tokens, on which a Chinese item
can never be matched). On text without CJK ideographs the tokens are the janitor's. An item
is represented by its distinct n-grams (n = 13 by default); an item shorter than n by its
whole token sequence; an item with fewer than ``min_tokens`` tokens is not checked. A row
leaks an item when they share at least one such n-gram. (The janitor normalises each raw
n-gram of the training text; we normalise the whole text first, so a token made only of
punctuation is dropped on both sides rather than kept as an empty slot.)
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np
import polars as pl

from qcaudit.contamination import fold_compatibility
from qcaudit.lexical import iter_ngram_hashes, shingles
from qcaudit.text import Tokenization, TokenStream

# A regex class of ASCII punctuation; only class syntax characters are escaped (Rust regex).
_ASCII_PUNCTUATION = "[" + "".join("\\" + c if c in "\\[]^-&~|" else c for c in string.punctuation) + "]"
ROW, ITEM = "row", "item"


def janitor_normalise(text: pl.Expr) -> pl.Expr:
    """ASCII lower-case and delete ASCII punctuation, as the lm-evaluation-harness janitor."""
    lowered = text.str.replace_many(list(string.ascii_uppercase), list(string.ascii_lowercase))
    return lowered.str.replace_all(_ASCII_PUNCTUATION, "")


def janitor_text(texts: pl.Series) -> pl.Series:
    """``texts`` compatibility-folded, then janitor-normalised: what both sides' tokens come from."""
    return pl.DataFrame({"t": fold_compatibility(texts)}).select(janitor_normalise(pl.col("t"))).to_series()


def ngram_tokens(texts: pl.Series) -> TokenStream:
    """The tokens the n-gram method reads: janitor-normalised, whitespace-split, each CJK
    ideograph apart."""
    return Tokenization("cjk").tokens(janitor_text(texts))


@dataclass(frozen=True)
class NgramIndex:
    """Benchmark n-grams: ``grams`` has ``order``, ``gram`` (hash) and ``item`` (position)."""

    n: int
    min_tokens: int
    grams: pl.DataFrame
    item_ngrams: np.ndarray
    skipped_items: int


def build_ngram_index(item_texts: pl.Series, n: int = 13, min_tokens: int = 8) -> NgramIndex:
    tokens = ngram_tokens(item_texts)
    lengths = tokens.lengths
    hashes, items = shingles(tokens, n, min_tokens)
    order = np.minimum(lengths, n)[items].astype(np.uint8)
    grams = pl.DataFrame({"order": order, "gram": hashes, ITEM: items.astype(np.uint32)}).unique()
    item_ngrams = np.bincount(grams[ITEM].to_numpy(), minlength=len(item_texts))
    skipped = int((lengths < min_tokens).sum())
    return NgramIndex(n, min_tokens, grams.sort(["order", "gram", ITEM]), item_ngrams, skipped)


def ngram_matches(index: NgramIndex, texts: pl.Series) -> pl.DataFrame:
    """Every (row, item) pair sharing n-grams, with ``shared``: how many distinct item n-grams."""
    tokens = ngram_tokens(texts)
    orders = set(index.grams["order"].unique().to_list())
    hits = []
    for k, hashes, rows in iter_ngram_hashes(tokens, range(1, max(orders, default=0) + 1)):
        if k not in orders:
            continue
        wanted = index.grams.filter(pl.col("order") == k).drop("order")
        found = pl.DataFrame({"gram": hashes, ROW: rows}).join(wanted, on="gram", how="inner")
        hits.append(found)
    if not hits:
        return pl.DataFrame(schema={ROW: pl.UInt32, ITEM: pl.UInt32, "shared": pl.UInt32})
    return (
        pl.concat(hits)
        .unique([ROW, ITEM, "gram"])
        .group_by([ROW, ITEM])
        .agg(pl.len().cast(pl.UInt32).alias("shared"))
    )
