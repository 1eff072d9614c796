"""Reward-model filtering and what it would do to the data (the quality-control practice's
three risks: length bias amplified, diversity lost, difficulty shifted).

Strategies over the scored rows, ranked by a key (the reward score, or for the
length-controlled variant the length-adjusted score; ties to the lower ``row_id``):

- ``absolute``: keep rows whose key exceeds ``threshold`` (default: the key's median);
- ``top_k``: keep the best ``top_k`` percent (rounded up);
- ``stratified``: keep the best ``top_k`` percent (rounded up) of each stratum: a category,
  an embedding cluster, or an IFD quartile.

For each, :func:`effects` compares the kept rows with all scored rows: mean response length;
distinct-2 and Self-BLEU-4 of the text on seeded samples of one size from both (the two
depend on the number of rows, so only equal sizes compare); the entropy of the strata; mean
IFD.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from qcaudit.columns import ROW_ID, TEXT
from qcaudit.signatures import shannon_entropy

STRATEGIES = ("absolute", "top_k", "stratified")
STRATUM = "_stratum"


def keep_mask(frame: pl.DataFrame, strategy: str, key: str, top_k: float, threshold: float | None) -> np.ndarray:
    """Which rows of ``frame`` (``row_id``, ``key`` and, for ``stratified``, ``_stratum``) the
    strategy keeps."""
    if strategy == "absolute":
        cut = float(frame[key].median()) if threshold is None else threshold
        return (frame[key] > cut).to_numpy()
    ranked = frame.with_row_index("_position").sort([key, ROW_ID], descending=[True, False])
    group = [STRATUM] if strategy == "stratified" else []
    rank = pl.int_range(pl.len()).over(group) if group else pl.int_range(pl.len())
    size = pl.len().over(group) if group else pl.len()
    kept = ranked.with_columns((rank < (size * top_k / 100).ceil()).alias("_keep")).sort("_position")
    return kept["_keep"].to_numpy()


def strata(frame: pl.DataFrame, source: str) -> pl.Series:
    """The stratum of each row: a category or cluster as it is, IFD by quartile."""
    if source == "ifd":
        edges = np.nanquantile(frame["ifd"].to_numpy(), [0.25, 0.5, 0.75])
        return pl.Series(STRATUM, np.searchsorted(edges, frame["ifd"].fill_null(np.nan).to_numpy(), side="right").astype(str))
    return frame[source].cast(pl.String).fill_null("(none)").alias(STRATUM)


def entropy(values: pl.Series) -> float:
    """The Shannon entropy (nats) of the values' shares."""
    return shannon_entropy(values.value_counts()["count"].to_numpy())


def effects(frame: pl.DataFrame, keep: np.ndarray, sample: int, seed: int, tokenization: dict[str, Any]) -> dict[str, Any]:
    """Before (all scored rows) and after (the kept ones): see the module docstring."""
    from qcaudit.metrics import distinct_n, self_bleu

    kept = frame.filter(pl.Series(keep))
    out: dict[str, Any] = {"kept": kept.height, "kept_share": kept.height / frame.height if frame.height else 0.0,
                           "tokens_before": float(frame["response_tokens"].mean()),
                           "tokens_after": float(kept["response_tokens"].mean()) if kept.height else math.nan}
    size = min(sample, kept.height)
    if size >= 2:
        rng = np.random.default_rng(seed)
        for when, rows in (("before", frame), ("after", kept)):
            texts = rows[TEXT].gather(np.sort(rng.choice(rows.height, size, replace=False))).fill_null("").to_list()
            out[f"distinct_2_{when}"] = distinct_n(texts, 2, **tokenization)
            out[f"self_bleu_4_{when}"] = self_bleu(texts, 4, **tokenization)
        out["sample"] = size
    if STRATUM in frame.columns:
        out["entropy_before"], out["entropy_after"] = entropy(frame[STRATUM]), entropy(kept[STRATUM]) if kept.height else math.nan
    if "ifd" in frame.columns:
        out["ifd_before"], out["ifd_after"] = _mean_ifd(frame), _mean_ifd(kept)
    return out


def _mean_ifd(rows: pl.DataFrame) -> float:
    """The mean IFD of the rows that have one (NaN when none has)."""
    mean = rows["ifd"].drop_nans().drop_nulls().mean()
    return math.nan if mean is None else float(mean)
