"""Substring matching, as the GPT-4 technical report's contamination check.

Text is reduced to its letters and digits (spaces and symbols stripped) and lower-cased,
after Unicode's compatibility forms are folded (:func:`~qcaudit.contamination.fold_compatibility`:
full-width letters and digits read as ASCII ones).
From each benchmark item, ``k`` substrings of ``length`` characters are drawn at random
positions seeded by the item's own text (so the benchmark's name and the item's id change
nothing; the whole item when shorter); a row leaks the item when its reduced text
contains any of them. Matching is one Aho-Corasick pass (Polars ``extract_many``).
"""

from __future__ import annotations

import random

import polars as pl

from qcaudit.contamination import fold_compatibility

ROW, ITEM, PATTERN = "row", "item", "pattern"


def alnum_normalise(text: pl.Expr) -> pl.Expr:
    """Lower-case, keep only Unicode letters and digits."""
    return text.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]", "")


def alnum_text(texts: pl.Series) -> pl.Series:
    """``texts`` compatibility-folded, then reduced by :func:`alnum_normalise`."""
    return pl.DataFrame({"t": fold_compatibility(texts)}).select(alnum_normalise(pl.col("t"))).to_series()


def sample_patterns(item_texts: pl.Series, k: int = 3, length: int = 50, seed: int = 0) -> pl.DataFrame:
    """``item`` (position) and ``pattern``: k substrings per item, from an RNG seeded by
    ``seed`` and the item's reduced text."""
    items, patterns = [], []
    for position, text in enumerate(alnum_text(item_texts).to_list()):
        if not text:
            continue
        if len(text) <= length:
            chosen = {text}
        else:
            rng = random.Random(f"{seed}/{text}")
            chosen = {text[start : start + length] for start in (rng.randrange(len(text) - length + 1) for _ in range(k))}
        for pattern in sorted(chosen):
            items.append(position)
            patterns.append(pattern)
    return pl.DataFrame({ITEM: items, PATTERN: patterns}, schema={ITEM: pl.UInt32, PATTERN: pl.String})


def substring_matches(patterns: pl.DataFrame, texts: pl.Series, item_texts: pl.Series) -> pl.DataFrame:
    """Every (row, item) pair where the row contains item substrings, with ``hits`` (how many
    distinct substrings) and ``whole`` (the row contains the whole reduced item, which tells
    apart items that differ only outside the sampled substrings)."""
    schema = {ROW: pl.UInt32, ITEM: pl.UInt32, "hits": pl.UInt32, "whole": pl.Boolean}
    if patterns.height == 0:
        return pl.DataFrame(schema=schema)
    distinct = patterns[PATTERN].unique().to_list()
    rows = pl.DataFrame({"t": alnum_text(texts)}).with_row_index(ROW)
    found = (
        rows.select(ROW, pl.col("t").str.extract_many(distinct, overlapping=True).alias(PATTERN))
        .explode(PATTERN)
        .drop_nulls(PATTERN)
        .unique()
    )
    items = pl.DataFrame({"i": alnum_text(item_texts)}).with_row_index(ITEM)
    return (
        found.join(patterns, on=PATTERN, how="inner")
        .group_by([ROW, ITEM])
        .agg(pl.len().cast(pl.UInt32).alias("hits"))
        .join(rows, on=ROW)
        .join(items, on=ITEM)
        .with_columns(pl.col("t").str.contains(pl.col("i"), literal=True).alias("whole"))
        .select(list(schema))
    )
