"""Benchmark contamination detectors: n-gram overlap, substring, semantic (+ verification).

Each method maps training rows to the benchmark items they leak; the analyzer
(:mod:`qcaudit.analyzers.contamination`) combines them into per-row verdicts and metrics.
"""

from __future__ import annotations

import polars as pl


def fold_compatibility(texts: pl.Series) -> pl.Series:
    """Unicode's compatibility forms folded (NFKC: full-width ``ａｂｃ１２`` as ``abc12``,
    ligatures, non-breaking spaces) and format characters deleted (zero-width spaces and
    joiners, soft hyphens, direction marks): a benchmark item copied in other code points, or
    with invisible characters between its letters, reads as the item. The identity on ASCII
    text, so the lexical methods stay equal to their references there; only the texts that
    hold another character are folded, as NFKC is the costly part."""
    wide = texts.str.contains(r"[^\x00-\x7F]").fill_null(False).arg_true()
    if wide.len() == 0:
        return texts
    folded = texts.gather(wide).str.normalize("NFKC").str.replace_all(r"\p{Cf}", "")
    return texts.scatter(wide, folded)
