"""Benchmark contamination: which rows leak which benchmark items, by which method.

Per row (null where nothing matched): ``<method>_benchmark``, ``<method>_item_id``,
``<method>_flagged`` and the method's scores (``ngram_shared`` item n-grams found and
``ngram_coverage``, their share of the item's n-grams; ``substring_hits`` and
``substring_whole``, whether the row holds the whole reduced item;
``semantic_cosine`` and ``semantic_score``, the verifier's), then ``contaminated`` (any
method flagged it), ``contamination_benchmark``, ``contamination_item_id`` and
``contamination_method`` (the first method, in the order ngram, substring, semantic, that
flagged the row). Each method keeps, per row, its best item: flagged first, then by score.
The semantic method reports its top candidate even when the verifier rejects it.

Metrics per benchmark and method (``<benchmark>.<method>.rows_flagged``, ``.row_rate``,
``.items_leaked``, ``.leak_rate``), per benchmark over all methods
(``contaminated_rows.<b>``, ``contamination_rate.<b>``, ``benchmark_leak_rate.<b>``), and
overall (``contaminated_rows``, ``contamination_rate``, and ``benchmark_leak_rate``, the
largest benchmark's). An item counts as leaked when any row matches it.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import numpy as np
import polars as pl
from rich.progress import Progress

from qcaudit.analyzers.base import AnalyzerResult, Metric, signature
from qcaudit.benchmarks import ITEM_ID, ITEM_TEXT, Benchmark, load_benchmark
from qcaudit.cache import cache_key, cached_dir
from qcaudit.config import Config, ContaminationConfig
from qcaudit.contamination.ngram import NgramIndex, build_ngram_index, ngram_matches
from qcaudit.contamination.semantic import nearest_items, verify
from qcaudit.embed import Encoder
from qcaudit.contamination.substring import sample_patterns, substring_matches
from qcaudit.io import ROW_ID, TEXT, TEXT_STATUS

METHOD_ORDER = ("ngram", "substring", "semantic")
SCORES = {"ngram": ["shared", "coverage"], "substring": ["hits", "whole"], "semantic": ["score", "cosine"]}
OVERALL = ("contaminated_rows", "contamination_rate", "benchmark_leak_rate")
EXAMPLE_CHARS = 3000
MIN_HIGHLIGHT_WORDS = 3


def gate_metric_names(max_order: int) -> list[str]:
    return list(OVERALL)


def run(texts: pl.DataFrame, config: Config, progress: Progress) -> AnalyzerResult:
    settings = config.contamination
    valid = texts.filter(pl.col(TEXT_STATUS) == "ok").select(ROW_ID, TEXT)
    task = progress.add_task("contamination: loading benchmarks", total=None)
    benchmarks = {
        name: load_benchmark(name, b.path, b.adapter, b.fields, b.id_field) for name, b in config.benchmarks.items()
    }
    methods = [m for m in METHOD_ORDER if m in settings.methods]
    encoder = Encoder(config.embedding.model, config.embedding.device, config.embedding.batch_size, config.embedding.cache)
    if "semantic" in methods:
        progress.update(task, description=f"contamination: embedding {valid.height:,} rows")
        row_vectors = encoder.encode(valid[TEXT], progress=not progress.disable)
    found: dict[str, pl.DataFrame] = {}
    metrics: dict[str, Metric] = {}
    for method in methods:
        per_bench = []
        for bench in benchmarks.values():
            progress.update(task, description=f"contamination: {method} vs {bench.name}")
            if method == "semantic":
                matches, sig = _semantic(bench, valid[TEXT], row_vectors, encoder, settings)
            else:
                matches, sig = _match(method, bench, valid[TEXT], settings)
            metrics.update(_method_metrics(bench, method, matches, valid.height, sig))
            per_bench.append(matches)
        found[method] = pl.concat(per_bench)
    rows = _row_columns(valid, {m: _best_per_row(m, f) for m, f in found.items()})
    metrics.update(_overall_metrics(rows, found, benchmarks, valid.height))
    progress.remove_task(task)
    tables = {
        "benchmarks": [{"name": b.name, "items": b.items.height, "content_hash": b.content_hash} for b in benchmarks.values()],
        "examples": _examples(rows, valid, benchmarks, settings.examples),
    }
    return AnalyzerResult(metrics, rows.drop("row"), tables)


def _match(method: str, bench: Benchmark, texts: pl.Series, settings: ContaminationConfig) -> tuple[pl.DataFrame, str]:
    """All (row, item) matches of one method against one benchmark, with the method's scores."""
    bench_sig = f"bench:{bench.name}@{bench.content_hash[:12]}"
    if method == "ngram":
        index = _cached_ngram_index(bench, settings.ngram_n, settings.ngram_min_tokens)
        sizes = pl.DataFrame({"item": np.arange(len(index.item_ngrams), dtype=np.uint32), "size": index.item_ngrams})
        matches = (
            ngram_matches(index, texts)
            .join(sizes, on="item")
            .with_columns((pl.col("shared") / pl.col("size")).alias("coverage"))
            .drop("size")
        )
        sig = signature(
            "contamination_ngram", f"n:{settings.ngram_n}", f"min_tokens:{settings.ngram_min_tokens}",
            "norm:janitor", bench_sig,
        )
    else:
        patterns = sample_patterns(
            bench.items[ITEM_ID].to_list(), bench.items[ITEM_TEXT], settings.substring_count,
            settings.substring_length, settings.seed,
        )
        matches = substring_matches(patterns, texts, bench.items[ITEM_TEXT])
        sig = signature(
            "contamination_substring", f"k:{settings.substring_count}", f"len:{settings.substring_length}",
            f"seed:{settings.seed}", "norm:alnum,lc", bench_sig,
        )
    return _label(matches.with_columns(pl.lit(True).alias("flagged")), bench), sig


def _label(matches: pl.DataFrame, bench: Benchmark) -> pl.DataFrame:
    """Item positions to item ids, plus the benchmark's name."""
    items = bench.items.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("item"), ITEM_ID)
    return matches.join(items, on="item").drop("item").with_columns(pl.lit(bench.name).alias("benchmark"))


def _semantic(
    bench: Benchmark, texts: pl.Series, row_vectors: np.ndarray, encoder: Encoder, settings: ContaminationConfig
) -> tuple[pl.DataFrame, str]:
    """Nearest items by embedding, each candidate pair scored by the verifier."""
    item_vectors = encoder.encode(bench.items[ITEM_TEXT])
    candidates = nearest_items(row_vectors, item_vectors, settings.semantic_top_k, settings.semantic_min_cosine)
    scored = verify(texts.to_list(), bench.items[ITEM_TEXT].to_list(), candidates)
    matches = scored.select("row", "item", "cosine", "score", (pl.col("score") >= settings.semantic_threshold).alias("flagged"))
    sig = signature(
        "contamination_semantic", f"model:{encoder.model}@{encoder.key[:12]}", f"top_k:{settings.semantic_top_k}",
        f"min_cos:{settings.semantic_min_cosine}", f"threshold:{settings.semantic_threshold}", "verifier:v2",
        f"bench:{bench.name}@{bench.content_hash[:12]}",
    )
    return _label(matches, bench), sig


def _cached_ngram_index(bench: Benchmark, n: int, min_tokens: int) -> NgramIndex:
    """The benchmark's n-gram index, built once per (content, settings) and kept on disk."""
    key = cache_key(kind="ngram", content=bench.content_hash, n=n, min_tokens=min_tokens, format=1)

    def build(directory):
        index = build_ngram_index(bench.items[ITEM_TEXT], n, min_tokens)
        index.grams.write_parquet(directory / "grams.parquet")
        pl.DataFrame({"skipped_items": [index.skipped_items]}).write_parquet(directory / "meta.parquet")

    directory = cached_dir("ngram-index", key, build)
    grams = pl.read_parquet(directory / "grams.parquet")
    skipped = int(pl.read_parquet(directory / "meta.parquet")["skipped_items"][0])
    item_ngrams = np.bincount(grams["item"].to_numpy(), minlength=bench.items.height)
    return NgramIndex(n, min_tokens, grams, item_ngrams, skipped)


def _method_metrics(bench: Benchmark, method: str, matches: pl.DataFrame, n_rows: int, sig: str) -> dict[str, Metric]:
    hits = matches.filter(pl.col("flagged"))
    flagged = hits["row"].n_unique()
    leaked = hits[ITEM_ID].n_unique()
    prefix = f"{bench.name}.{method}"
    return {
        f"{prefix}.rows_flagged": Metric(flagged, sig),
        f"{prefix}.row_rate": Metric(flagged / n_rows, sig),
        f"{prefix}.items_leaked": Metric(leaked, sig),
        f"{prefix}.leak_rate": Metric(leaked / bench.items.height, sig),
    }


def _best_per_row(method: str, matches: pl.DataFrame) -> pl.DataFrame:
    """The best-scoring (benchmark, item) per row, columns prefixed with the method name."""
    order = ["flagged", *SCORES[method]]
    best = (
        matches.sort([*order, "benchmark", ITEM_ID], descending=[True] * len(order) + [False, False])
        .unique("row", keep="first")
        .select("row", "benchmark", ITEM_ID, *order)
    )
    return best.rename({c: f"{method}_{c}" for c in best.columns if c != "row"})


def _row_columns(valid: pl.DataFrame, best: dict[str, pl.DataFrame]) -> pl.DataFrame:
    rows = valid.select(ROW_ID).with_row_index("row")
    for frame in best.values():
        rows = rows.join(frame, on="row", how="left")
    flagged = {m: pl.col(f"{m}_flagged").fill_null(False) for m in best}
    first = lambda column: pl.coalesce([pl.when(flagged[m]).then(pl.col(f"{m}_{column}")) for m in best])  # noqa: E731
    method = pl.coalesce([pl.when(flagged[m]).then(pl.lit(m)) for m in best])
    return rows.with_columns(
        pl.any_horizontal(list(flagged.values())).alias("contaminated"),
        first("benchmark").alias("contamination_benchmark"),
        first(ITEM_ID).alias("contamination_item_id"),
        method.alias("contamination_method"),
    )


def _overall_metrics(
    rows: pl.DataFrame, found: dict[str, pl.DataFrame], benchmarks: dict[str, Benchmark], n_rows: int
) -> dict[str, Metric]:
    sig = signature("contamination", "methods:" + ",".join(found), "bench:" + ",".join(
        f"{b.name}@{b.content_hash[:12]}" for b in benchmarks.values()))
    everything = pl.concat([f.filter(pl.col("flagged")).select("row", "benchmark", ITEM_ID) for f in found.values()])
    metrics = {}
    leak_rates = []
    for name, bench in benchmarks.items():
        mine = everything.filter(pl.col("benchmark") == name)
        flagged, leaked = mine["row"].n_unique(), mine[ITEM_ID].n_unique()
        leak_rates.append(leaked / bench.items.height)
        metrics[f"contaminated_rows.{name}"] = Metric(flagged, sig)
        metrics[f"contamination_rate.{name}"] = Metric(flagged / n_rows, sig)
        metrics[f"benchmark_leak_rate.{name}"] = Metric(leak_rates[-1], sig)
    contaminated = int(rows["contaminated"].sum())
    metrics["contaminated_rows"] = Metric(contaminated, sig)
    metrics["contamination_rate"] = Metric(contaminated / n_rows, sig)
    metrics["benchmark_leak_rate"] = Metric(max(leak_rates, default=0.0), sig)
    return metrics


def _examples(rows: pl.DataFrame, valid: pl.DataFrame, benchmarks: dict[str, Benchmark], limit: int) -> list[dict[str, Any]]:
    """Flagged rows beside their benchmark item, with the shared word runs marked."""
    flagged = (
        rows.filter(pl.col("contaminated"))
        .join(valid, on=ROW_ID)
        .sort(ROW_ID)
        .head(limit)
    )
    examples = []
    for r in flagged.iter_rows(named=True):
        items = benchmarks[r["contamination_benchmark"]].items
        item_text = items.filter(pl.col(ITEM_ID) == r["contamination_item_id"])[ITEM_TEXT][0]
        row_segments, item_segments = highlight_overlap(r[TEXT][:EXAMPLE_CHARS], item_text[:EXAMPLE_CHARS])
        examples.append({
            ROW_ID: r[ROW_ID], "benchmark": r["contamination_benchmark"], ITEM_ID: r["contamination_item_id"],
            "method": r["contamination_method"], "row_segments": row_segments, "item_segments": item_segments,
        })
    return examples


def highlight_overlap(row_text: str, item_text: str) -> tuple[list[list], list[list]]:
    """Split both texts into ``[text, shared]`` segments; shared = runs of at least
    ``MIN_HIGHLIGHT_WORDS`` words common to both (compared lower-cased, letters and digits only)."""
    row_parts, item_parts = re.findall(r"\S+|\s+", row_text), re.findall(r"\S+|\s+", item_text)
    row_words = [i for i, p in enumerate(row_parts) if not p.isspace()]
    item_words = [i for i, p in enumerate(item_parts) if not p.isspace()]
    key = lambda part: re.sub(r"\W", "", part.lower())  # noqa: E731
    matcher = difflib.SequenceMatcher(
        None, [key(row_parts[i]) for i in row_words], [key(item_parts[i]) for i in item_words], autojunk=False
    )
    row_marked, item_marked = set(), set()
    for a, b, size in matcher.get_matching_blocks():
        if size >= MIN_HIGHLIGHT_WORDS:
            row_marked.update(range(row_words[a], row_words[a + size - 1] + 1))
            item_marked.update(range(item_words[b], item_words[b + size - 1] + 1))
    return _segments(row_parts, row_marked), _segments(item_parts, item_marked)


def _segments(parts: list[str], marked: set[int]) -> list[list]:
    segments: list[list] = []
    for i, part in enumerate(parts):
        shared = i in marked
        if segments and segments[-1][1] == shared:
            segments[-1][0] += part
        else:
            segments.append([part, shared])
    return segments
