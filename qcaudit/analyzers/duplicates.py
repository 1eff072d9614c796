"""Duplicates on normalised text (whitespace runs collapsed, trimmed, lower-cased by default).

Exact: per row ``exact_dup_group`` (the smallest ``row_id`` of its group of identical
texts), ``exact_dup_count`` (group size) and ``is_exact_duplicate`` (a later copy of an
earlier row). ``exact_duplicate_rate`` is the share of rows with text that exact dedup
would remove.

Near (MinHash-LSH over shingles of the ``[text]`` tokenizer's tokens: whitespace words by
default, CJK ideographs one by one with ``cjk``; :mod:`qcaudit.minhash`; with ``near_verify`` each
candidate link is kept only when the exact Jaccard of the two shingle sets reaches the
threshold, checked against the first row of the shared bucket): per row ``near_dup_cluster``
(the smallest ``row_id`` of its cluster), ``near_dup_size`` and ``near_dup_kept`` (the
cluster's representative, its first row). ``near_duplicate_rate`` is the share of rows with
text that keeping one row per cluster removes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl
from pydantic import Field

from qcaudit.columns import ROW_ID, TEXT, TEXT_STATUS
from qcaudit.lexical import shingles, split_by_hash
from qcaudit.registry import (
    SUM_INDEX, SUM_VALUES, Analyzer, AnalyzerResult, CliOption, MetricSpec, RowFilter, RowFlag, Section, Seed, count, merged_sums,
    register, share,
)
from qcaudit.signatures import Metric, signature
from qcaudit.spill import Chunks
from qcaudit.text import Tokenization
from qcaudit.views import Group, Groups, View, one_line

TOP_GROUPS = 20
#: Share of the memory budget the band keys may hold before they go to the scratch directory.
BAND_KEY_SHARE = 0.125
SNIPPET_CHARS = 400
#: How many of the largest groups a failed gate check names, and how much of each one's text.
FINDING_GROUPS, FINDING_CHARS = 3, 60
#: The one table of the global pass's rows (:data:`qcaudit.registry.SUM_INDEX`): LSH edges,
#: grouped by band.
EDGES = 0
#: Exact duplicates are rows whose normalised texts hash alike (64 bits: two different texts
#: of 10 million rows share a hash with probability about 3e-6).
EXACT_KEY_SEED = 0xD0B1E


class DuplicatesSettings(Section):
    """Exact duplicates on normalised text (whitespace collapsed, optionally lower-cased), and
    near duplicates by MinHash-LSH over shingles of that text's tokens (``[text]`` tokenizer)."""

    lowercase: bool = True
    near: bool = True
    near_threshold: float = Field(0.8, gt=0.0, lt=1.0)
    num_perm: int = Field(128, ge=2, le=1024)
    shingle: int = Field(5, ge=1, le=32)
    seed: Seed = 1
    near_verify: bool = False


@register
class Duplicates(Analyzer):
    name = "duplicates"
    order = 20
    default = True
    Settings = DuplicatesSettings
    filters = (RowFilter(
        "dedup", "Write DATA with one row per near-duplicate cluster (MinHash-LSH), and the removed rows.",
        drop=~pl.col("near_dup_kept"),
        # a removed row is an exact duplicate of the first row with its normalised text, or
        # else a near duplicate of its cluster's first row
        reasons={
            "removed_by": pl.when(pl.col("is_exact_duplicate")).then(pl.lit("exact_duplicate")).otherwise(pl.lit("near_duplicate")),
            "duplicate_of": pl.when(pl.col("is_exact_duplicate")).then(pl.col("exact_dup_group")).otherwise(pl.col("near_dup_cluster")),
        },
        settings={"near": True},
        options=(CliOption(("--threshold",), "near_threshold", float,
                           "Jaccard similarity of token shingles (words, or the --tokenizer's tokens) from which two rows are near "
                           "duplicates (default 0.8).",
                           metavar="JACCARD"),),
    ),)

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        views: list[View] = []
        if tables["top_groups"]:
            groups = [Group(g["exact_dup_group"], g["size"], [g[TEXT]]) for g in tables["top_groups"]]
            views.append(Groups("Largest exact-duplicate groups", "first row_id", groups, "duplicate-groups", "exact_dup_group"))
        if tables.get("top_near_clusters"):
            clusters = [Group(c["near_dup_cluster"], c["size"], c["examples"]) for c in tables["top_near_clusters"]]
            views.append(Groups("Largest near-duplicate clusters", "first row_id", clusters, "near-duplicate-clusters",
                                "near_dup_cluster", "Each member after the first with what differs from the first marked.",
                                marks_differences=True))
        return views

    @classmethod
    def findings(cls, tables: dict[str, Any]) -> dict[str, str]:
        """Behind the exact and the near-duplicate metrics, the largest groups: 'the largest:
        row 27 and 15 copies ("Write a short poem about rabbits. Here is a…"); row 24 and 12
        copies (...)'."""
        said = {}
        for table, key, text, copies, metrics in (
                ("top_groups", "exact_dup_group", lambda g: g[TEXT], "copies",
                 ("exact_duplicate_rate", "exact_duplicate_groups", "largest_exact_group")),
                ("top_near_clusters", "near_dup_cluster", lambda g: (g["examples"] or [""])[0], "near copies",
                 ("near_duplicate_rate", "near_duplicate_clusters", "largest_near_cluster"))):
            if groups := (tables.get(table) or [])[:FINDING_GROUPS]:
                largest = "; ".join(f'row {g[key]} and {g["size"] - 1:,} {copies} ("{one_line(text(g), FINDING_CHARS)}")' for g in groups)
                said |= dict.fromkeys(metrics, f"the largest: {largest}")
        return said

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        return (
            share("exact_duplicate_rate", "share of rows with text that exact dedup removes", "lower", headline=True),
            share("near_duplicate_rate", "share of rows with text that keeping one per near-duplicate cluster removes",
                  "lower", headline=True),
            count("exact_duplicate_groups", "groups of two or more identical rows", "lower", headline=True),
            count("largest_exact_group", "rows in the largest group of identical rows", "lower", headline=True),
            count("near_duplicate_clusters", "near-duplicate clusters of two or more rows", "lower"),
            count("largest_near_cluster", "rows in the largest near-duplicate cluster", "lower"),
        )

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        return [
            RowFlag("is_exact_duplicate", pl.col("is_exact_duplicate"), "exact duplicate",
                    pl.format("exact duplicate of row {}", "exact_dup_group")),
            RowFlag("near_dup_kept", ~pl.col("near_dup_kept"), "near duplicate",
                    pl.format("near duplicate of row {}", "near_dup_cluster")),
        ]

    def partial(self, batch: pl.DataFrame) -> DuplicateState:
        """Per row with text: a hash of its normalised text and, for near duplicates, one
        key per LSH band of its MinHash signature (and its shingles, to verify with)."""
        from qcaudit.minhash import band_keys, optimal_bands, signatures

        settings = self.settings
        key = pl.col(TEXT).str.replace_all(r"\s+", " ").str.strip_chars()
        if settings.lowercase:
            key = key.str.to_lowercase()
        valid = batch.filter(pl.col(TEXT_STATUS) == "ok").select(ROW_ID, key.alias("_key"))
        state = DuplicateState([valid[ROW_ID].to_numpy()], [valid["_key"].hash(EXACT_KEY_SEED).to_numpy()])
        if settings.near:
            tokens = _shingle_tokens(self.context.tokenization).tokens(valid["_key"])
            hashes, positions = shingles(tokens, settings.shingle)
            sigs = signatures(hashes, positions, valid.height, settings.num_perm, settings.seed)
            state.band_keys.append(band_keys(sigs, *optimal_bands(settings.near_threshold, settings.num_perm)))
            state.has_shingles.append(tokens.lengths > 0)
            if settings.near_verify:
                state.shingles.append((hashes, positions))
        return state

    def merge(self, a: DuplicateState, b: DuplicateState) -> DuplicateState:
        keys = Chunks.joined(a.band_keys, b.band_keys, self.context.memory_budget * BAND_KEY_SHARE, self.context.scratch)
        return DuplicateState(a.row_ids + b.row_ids, a.exact_keys + b.exact_keys, keys,
                              a.has_shingles + b.has_shingles, a.shingles + b.shingles, merged_sums(a.edges, b.edges))

    def exchange(self, state: DuplicateState, partitions: int) -> tuple[DuplicateState, list[tuple[int, dict[str, Any]]]]:
        """The batch's LSH band keys, by row_id, split by key: key ``band * partitions + part``
        (rows without shingles left out). With ``near_verify`` they stay: the check needs
        both rows' shingles, which only the state has."""
        if not self.settings.near or self.settings.near_verify:
            return state, []
        pieces = []
        for keys, row_ids, has_shingles in zip(state.band_keys, state.row_ids, state.has_shingles, strict=True):
            keys, row_ids = np.asarray(keys)[has_shingles], row_ids[has_shingles].astype(np.int64)
            for band in range(keys.shape[1]):
                for part, (k, r) in enumerate(split_by_hash(keys[:, band], row_ids, partitions)):
                    if len(k):
                        pieces.append((band * partitions + part, {"band": band, "keys": k, "row_ids": r}))
        return replace(state, band_keys=Chunks()), pieces

    def reduce(self, pieces: list[dict[str, Any]]) -> pl.DataFrame:
        """One band's buckets of one part: the edge from each row to its bucket's first row
        (:func:`qcaudit.minhash.edges_of_band`), one per (band, row)."""
        from qcaudit.minhash import edges_of_band

        src, dst = edges_of_band(np.concatenate([p["keys"] for p in pieces]), np.concatenate([p["row_ids"] for p in pieces]))
        columns = (np.full(len(src), EDGES), np.full(len(src), pieces[0]["band"]), src, dst, np.zeros(len(src)))
        return pl.DataFrame({name: np.asarray(c, dtype=np.int64) for name, c in zip((*SUM_INDEX, *SUM_VALUES), columns, strict=True)})

    def summed(self, sums: pl.DataFrame) -> DuplicateState:
        return DuplicateState([], [], edges=sums)

    def finalize(self, state: DuplicateState) -> AnalyzerResult:
        return _duplicates(state, self.settings, self.context)


@dataclass
class DuplicateState:
    """Per batch, for each row with text: its row_id, the hash of its normalised text, its
    band keys and whether it has shingles (near duplicates), and its shingles (verification)."""

    row_ids: list[np.ndarray]
    exact_keys: list[np.ndarray]
    #: (rows, bands) per batch; spilled past :data:`BAND_KEY_SHARE` of the budget and read
    #: back one band at a time.
    band_keys: Chunks = field(default_factory=Chunks)
    has_shingles: list[np.ndarray] = field(default_factory=list)
    shingles: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    #: The LSH edges when an engine linked the buckets where their keys met
    #: (:meth:`Duplicates.exchange`): ``key`` a row_id, ``x`` the first row_id of its bucket.
    edges: pl.DataFrame | None = None


def _duplicates(state: DuplicateState, settings: DuplicatesSettings, context) -> AnalyzerResult:
    lowercase = settings.lowercase
    task = context.progress.add_task("duplicates: exact", total=None)
    row_ids = np.concatenate(state.row_ids)
    grouped = pl.DataFrame({ROW_ID: pl.Series(row_ids, dtype=pl.UInt32), "_key": np.concatenate(state.exact_keys)}).with_columns(
        pl.col(ROW_ID).min().over("_key").alias("exact_dup_group"),
        pl.len().over("_key").cast(pl.Int64).alias("exact_dup_count"),
    ).with_columns((pl.col(ROW_ID) != pl.col("exact_dup_group")).alias("is_exact_duplicate"))
    rows = grouped.select(ROW_ID, "exact_dup_group", "exact_dup_count", "is_exact_duplicate")
    groups = (
        grouped.filter(pl.col("exact_dup_count") > 1)
        .group_by("exact_dup_group")
        .agg(pl.len().alias("size"))
        .sort(["size", "exact_dup_group"], descending=[True, False])
    )
    top = groups.head(TOP_GROUPS)
    sig = signature("exact_duplicate", f"norm:ws{',lc' if lowercase else ''}")
    duplicates = int(rows["is_exact_duplicate"].sum())
    metrics = {
        "exact_duplicate_rate": Metric(duplicates / len(row_ids) if len(row_ids) else 0.0, sig),
        "exact_duplicate_groups": Metric(groups.height, sig),
        "largest_exact_group": Metric(int(groups["size"].max() or 1) if groups.height else 1, sig),
    }
    near_top = None
    if settings.near:
        context.progress.update(task, description="duplicates: MinHash-LSH")
        near_rows, near_metrics, near_top = _near_duplicates(state, row_ids, settings, _shingle_tokens(context.tokenization))
        rows = rows.join(near_rows, on=ROW_ID)
        metrics.update(near_metrics)
        near_top = _distinct_examples(near_top, rows)
    # the quoted rows' texts, in one read of the input
    quoted = top["exact_dup_group"].to_list() + ([] if near_top is None else near_top["examples"].explode().to_list())
    texts = context.texts_of_rows(quoted)
    top = top.with_columns(pl.Series(TEXT, [texts[group][:SNIPPET_CHARS] for group in top["exact_dup_group"]], dtype=pl.String))
    tables = {"top_groups": top.to_dicts()}
    if near_top is not None:
        examples = [[texts[row][:SNIPPET_CHARS] for row in cluster] for cluster in near_top["examples"].to_list()]
        tables["top_near_clusters"] = near_top.with_columns(pl.Series("examples", examples, dtype=pl.List(pl.String))).to_dicts()
    context.progress.remove_task(task)
    return AnalyzerResult(metrics, rows, tables)


def _distinct_examples(near_top: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Each of the largest near-duplicate clusters with the row_ids of its first three
    members that differ from one another (one per exact-duplicate group), so that the
    report shows what varies inside a cluster rather than three copies of one text."""
    firsts = (rows.filter(pl.col("near_dup_cluster").is_in(near_top["near_dup_cluster"].implode())
                          & (pl.col(ROW_ID) == pl.col("exact_dup_group")))
              .group_by("near_dup_cluster").agg(pl.col(ROW_ID).sort().head(3).alias("examples")))
    return near_top.drop("examples").join(firsts, on="near_dup_cluster", how="left", maintain_order="left")


def _shingle_tokens(tokenization: Tokenization) -> Tokenization:
    """The ``[text]`` tokenizer without its normalisation: the duplicate key is normalised by
    this analyzer's own settings."""
    return replace(tokenization, lowercase=False, strip_punctuation=False)


def _near_duplicates(state: DuplicateState, row_ids: np.ndarray, settings: DuplicatesSettings,
                     tokenization: Tokenization) -> tuple[pl.DataFrame, dict[str, Metric], pl.DataFrame]:
    """Per-row cluster columns, the metrics, and the largest clusters with the row_ids of
    their first three rows as ``examples`` (:func:`_distinct_examples` picks distinct ones)."""
    from qcaudit.minhash import components, edges_of_band, jaccard_of_edges, optimal_bands

    n = len(row_ids)
    bands, per_band = optimal_bands(settings.near_threshold, settings.num_perm)
    if state.edges is not None:  # linked where the band keys met (an engine that shuffles)
        (_, _, row), (first, _) = SUM_INDEX, SUM_VALUES
        src = np.searchsorted(row_ids, state.edges[row].to_numpy())
        dst = np.searchsorted(row_ids, state.edges[first].to_numpy())
    else:
        candidates = np.flatnonzero(np.concatenate(state.has_shingles)) if n else np.empty(0, np.int64)
        edges = [edges_of_band(np.concatenate([chunk[:, band] for chunk in state.band_keys])[candidates], candidates)
                 for band in range(bands)] if n else []  # one band's keys in memory at a time
        src = np.concatenate([s for s, _ in edges]) if edges else np.empty(0, np.int64)
        dst = np.concatenate([d for _, d in edges]) if edges else np.empty(0, np.int64)
    if settings.near_verify:  # keep only candidates whose exact shingle Jaccard clears the threshold
        offsets = np.cumsum([0] + [len(ids) for ids in state.row_ids[:-1]])
        hashes = np.concatenate([h for h, _ in state.shingles])
        positions = np.concatenate([p + offset for (_, p), offset in zip(state.shingles, offsets, strict=True)])
        keep = jaccard_of_edges(src, dst, hashes, positions) >= settings.near_threshold
        src, dst = src[keep], dst[keep]
    clusters = components(n, src, dst)
    rows = pl.DataFrame({
        ROW_ID: pl.Series(row_ids, dtype=pl.UInt32),
        "near_dup_cluster": row_ids[clusters.cluster],
        "near_dup_size": clusters.size.astype(np.int64),
        "near_dup_kept": clusters.cluster == np.arange(n),
    })
    sig = signature(
        "near_duplicate", f"norm:ws{',lc' if settings.lowercase else ''}", f"shingle:{settings.shingle}",
        *([] if tokenization.tokenizer == "whitespace" else [f"tok:{tokenization.name}"]),  # whitespace: word shingles
        f"num_perm:{settings.num_perm}", f"threshold:{settings.near_threshold}", f"bands:{bands}x{per_band}",
        f"seed:{settings.seed}", f"verify:{'jaccard' if settings.near_verify else 'none'}",
    )
    multi = rows.filter(pl.col("near_dup_size") > 1)
    top = (
        multi.group_by("near_dup_cluster")
        .agg(pl.len().alias("size"), pl.col(ROW_ID).sort().head(3).alias("examples"))
        .sort(["size", "near_dup_cluster"], descending=[True, False])
        .head(TOP_GROUPS)
    )
    metrics = {
        "near_duplicate_rate": Metric(float((~rows["near_dup_kept"]).sum()) / max(n, 1), sig),
        "near_duplicate_clusters": Metric(multi["near_dup_cluster"].n_unique(), sig),
        "largest_near_cluster": Metric(int(rows["near_dup_size"].max() or 1), sig),
    }
    return rows, metrics, top
