"""``qcaudit sample``: the rows a person should review, and why each was chosen.

Size by dataset size, as data-auditing practice recommends (configurable ``[sample]
rates``): under 10K rows 30%, to 100K 5%, to 1M 1%, above 0.1%, at least ``min_rows``.
Up to ``flagged_share`` of the sample goes to rows an analyzer flagged (each analyzer's
row flags: contaminated, duplicates that dedup would drop, watermarked, machine-generated,
the least diverse 1% by Self-BLEU, ...) and to rows whose
per-row score lies within ``near_threshold_band`` (relative) of a gate threshold on the same
metric; the rest is a seeded sample stratified over an analyzer's clusters (its declared
``stratum``: the embedding clusters when the embeddings analyzer ran; else a plain seeded
sample), allocated in proportion to cluster size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import polars as pl
from rich.progress import Progress

from qcaudit.columns import CHOSEN, REJECTED, ROW_ID, TEXT, TEXT_STATUS
from qcaudit.config import Config, with_overrides
from qcaudit.context import load_input
from qcaudit.errors import QcauditError
from qcaudit.io import Dataset
from qcaudit.outputs import DELIMITED_FORMATS, table_format, write_table
from qcaudit.pipeline import audit, flag_settings, keyword_settings, python_flags
from qcaudit.progress import api_progress
from qcaudit.registry import all_row_flags, stratum_column
from qcaudit.report.model import Report
from qcaudit.untrusted import spreadsheet_cells

REASON = "reason"


def sample_size(n_rows: int, config: Config) -> int:
    """Rows to review: ``[sample] size`` when set, else the share ``rate`` (or the rate for
    this many rows, by ``rates``) of the rows, at least ``min_rows``; never more than all."""
    settings = config.sample
    if settings.size is not None:
        return min(n_rows, settings.size)
    rate = settings.rate if settings.rate is not None else next(share for limit, share in sorted(settings.rates) if n_rows <= limit)
    return min(n_rows, max(settings.min_rows, int(round(n_rows * rate))))


def flagged_reasons(rows: pl.DataFrame, config: Config) -> pl.DataFrame:
    """``row_id`` and ``reason`` for every row some analyzer flags (first reason wins)."""
    columns = set(rows.columns)
    flags = list(all_row_flags(columns))
    # findings about a row first (in analyzer order), then mere reasons to look at it
    reasons = [pl.when(f.when).then(f.reason) for f in sorted(flags, key=lambda f: not f.verdict)]
    band = config.sample.near_threshold_band
    for key, threshold in config.gate.items():
        name = key.split("_", 1)[1]
        if isinstance(threshold, dict) or name not in columns or threshold == 0:  # (no share of 0 makes a band)
            continue
        lo, hi = threshold * (1 - band), threshold * (1 + band)
        reasons.append(pl.when(pl.col(name).is_between(lo, hi)).then(pl.lit(f"{name} near the gate threshold {threshold:g}")))
    if not reasons:
        return pl.DataFrame(schema={ROW_ID: rows.schema[ROW_ID], REASON: pl.String})
    return rows.select(ROW_ID, pl.coalesce(reasons).alias(REASON)).drop_nulls(REASON)


def choose(rows: pl.DataFrame, config: Config) -> pl.DataFrame:
    """The review sample: ``row_id``, ``reason``, ``text`` and the per-row scores."""
    candidates = rows.filter(pl.col(TEXT_STATUS) == "ok")
    if candidates.height == 0:
        raise QcauditError("no row has text to review")
    size = sample_size(candidates.height, config)
    rng = np.random.default_rng(config.sample.seed)
    flagged = flagged_reasons(candidates, config)
    budget = int(size * config.sample.flagged_share)
    if flagged.height > budget:
        flagged = flagged.gather(np.sort(rng.choice(flagged.height, budget, replace=False)))
    rest = candidates.join(flagged, on=ROW_ID, how="anti")
    stratum = stratum_column(rest.columns)
    chosen = _stratified(rest, size - flagged.height, stratum, rng)
    picked = pl.concat([flagged, chosen.select(ROW_ID, REASON)])
    return picked.join(rows, on=ROW_ID).sort(ROW_ID).select(ROW_ID, REASON, TEXT, pl.exclude(ROW_ID, REASON, TEXT))


def _stratified(rows: pl.DataFrame, count: int, stratum: str | None, rng: np.random.Generator) -> pl.DataFrame:
    if count <= 0 or rows.height == 0:
        return rows.head(0).with_columns(pl.lit("").alias(REASON))
    count = min(count, rows.height)
    if stratum is None:
        picked = rows.gather(np.sort(rng.choice(rows.height, count, replace=False)))
        return picked.with_columns(pl.lit("random").alias(REASON))
    # Proportional allocation with largest remainders; then a seeded draw inside each cluster.
    sizes = rows.group_by(stratum).len().sort(stratum)
    quota = sizes["len"].to_numpy() * count / rows.height
    take = np.floor(quota).astype(int)
    ties_broken = -(quota - take) + rng.random(len(quota)) * 1e-9  # equal remainders: a seeded draw
    take[np.argsort(ties_broken)[: count - take.sum()]] += 1
    parts = []
    for key, n in zip(sizes[stratum].to_list(), take.tolist(), strict=True):
        if n:
            members = rows.filter(pl.col(stratum) == key)
            parts.append(members.gather(np.sort(rng.choice(members.height, n, replace=False))))
    return pl.concat(parts).with_columns(pl.format("stratified over {} ({})", pl.lit(stratum), pl.col(stratum)).alias(REASON))


def _with_pair_answers(sample: pl.DataFrame, dataset: Dataset) -> pl.DataFrame:
    """The sample with each preference pair's rejected answer beside its text (which holds the
    chosen one), so that a reviewer judges the pair; a pair judged by a column, or ranked in a
    list (``--preferred-by``), whose text holds all the answers, its chosen one too; other data as it is."""
    if not (dataset.selection.rejected or dataset.selection.preferred_by):
        return sample
    answers = (CHOSEN, REJECTED) if dataset.selection.preferred_by else (REJECTED,)
    pairs = dataset.parts_of(sample[ROW_ID], answers).with_columns(pl.col(ROW_ID).cast(sample.schema[ROW_ID]))
    return sample.join(pairs, on=ROW_ID, how="left", maintain_order="left").select(
        ROW_ID, REASON, TEXT, *answers, pl.exclude(ROW_ID, REASON, TEXT, *answers))


class Sampled(NamedTuple):
    """What :func:`write_sample` wrote: the rows chosen, and what the audit read (report.json's ``dataset``)."""

    rows: int
    dataset: dict[str, Any]


def write_sample(data: str | Path, config: Config, output: Path, progress: Progress | None = None) -> Sampled:
    """Audit ``data``, choose the rows a person should review and write them to ``output``."""
    dataset = load_input(data, config)
    sample, report = _review_rows(dataset, config, progress)
    if table_format(output) in DELIMITED_FORMATS:  # a reviewer opens it in a spreadsheet
        sample = spreadsheet_cells(sample)
    write_table(sample, output, csv_separator=dataset.csv_separator)
    return Sampled(sample.height, report.dataset)


def sample(data: Any, config: Any = None, *, size: int | None = None, rate: float | None = None, seed: int | None = None,
           text_column: str | None = None, fields: Any = None, role: Any = None, analyzers: Any = None,
           limit: int | None = None, benchmarks: Any = None, gate: Any = None, settings: Any = None,
           progress: Any = None, **flags: Any) -> pl.DataFrame:
    """``qcaudit sample`` from Python: the rows a person should review, each with the reason
    it was chosen and an empty ``review_label``, as the command writes them (a CSV's cells
    apart: the command guards them for spreadsheets). ``size``, ``rate`` and ``seed`` as
    the command's flags; ``data``, ``config``, the other keywords and the analyzer flags as
    keywords (``reward_model=``) as :func:`qcaudit.audit` takes them.

    >>> review = qcaudit.sample(frame, rate=0.05, analyzers="diversity,duplicates")  # doctest: +SKIP
    """
    keywords = {"text_column": text_column, "fields": fields, "role": role, "analyzers": analyzers, "limit": limit,
                "benchmarks": benchmarks, "gate": gate, "settings": settings, "progress": progress}
    config = with_overrides(keyword_settings("sample", config, keywords), {"sample.size": size, "sample.rate": rate, "sample.seed": seed}
                            | flag_settings("sample", python_flags(), flags))
    dataset = load_input(data, config)
    with api_progress(progress) as shown:
        return _review_rows(dataset, config, shown)[0]


def _review_rows(dataset: Dataset, config: Config, progress: Progress | None) -> tuple[pl.DataFrame, Report]:
    """The audit of ``dataset``, and the rows it chose to review, with an empty label each."""
    report = audit(dataset, config, progress=progress)
    return _with_pair_answers(choose(report.rows, config), dataset).with_columns(pl.lit("").alias("review_label")), report
