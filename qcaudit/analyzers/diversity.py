"""Lexical diversity: distinct-n, n-gram entropy, exact Self-BLEU, repetition, lengths.

Definitions (all over rows with text; n-grams never cross rows):

- ``distinct_n``: unique n-grams / n-gram occurrences in the corpus (Li et al. 2016).
- ``entropy_n``: Shannon entropy, natural log, of the corpus n-gram distribution (Zhang et al. 2018).
- ``self_bleu_N``: Texygen's Self-BLEU, exact, see :mod:`qcaudit.lexical`.
- ``repetition_n``: mean over rows of the share of a row's n-gram occurrences whose n-gram
  occurs more than once in that row (Data-Juicer's word-repetition ratio).
- token and character length statistics.
- ``distinct_n_sampled``, ``self_bleu_N_sampled``: the same on ``sample_size`` rows, the
  mean over ``sample_repeats`` seeded samples (``numpy.random.default_rng(sample_seed)``,
  each ``choice(rows with text, size, replace=False)``, in input order), with a 95%
  t-interval over the repeats in ``tables.sampled``. distinct-n and Self-BLEU depend on the
  number of rows; these compare across datasets of any size.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import polars as pl
from pydantic import Field

from qcaudit.errors import QcauditError
from qcaudit.columns import ROW_ID, TEXT, TEXT_STATUS
from qcaudit.lexical import (
    OrderStats, iter_ngram_hashes, iter_order_stats, order_stats_from_sums, order_stats_within, part_sums,
    self_bleu_per_row, split_by_hash,
)
from qcaudit.registry import (
    SUM_INDEX, SUM_VALUES, Analyzer, AnalyzerResult, CliOption, MetricSpec, RowFlag, Section, Seed, count, merged_sums, register,
    share,
)
from qcaudit.signatures import Metric, histogram, signature
from qcaudit.spill import Chunks
from qcaudit.text import TokenStream, unspaced_text_warning
from qcaudit.views import Column, FrequentNgrams, Notice, RankedRows, RowHistograms, Series, View, histogram_view

LENGTH_QUANTILES = {"p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
SNIPPET_CHARS = 400
MAX_ORDER = 8
#: The share of the memory budget the token hashes may hold before they go to disk.
TOKEN_SHARE = 0.25
#: The tables of the global pass's sums (:data:`qcaudit.registry.SUM_INDEX`), each grouped by
#: n-gram order: per row (key row_id; x unmatched, y repeated occurrences) and the histogram
#: of n-gram counts (key a count; x the n-grams with that count).
PER_ROW, COUNT_HISTOGRAM = 0, 1
HEADLINE = ("distinct_1", "distinct_2", "distinct_3", "distinct_4", "self_bleu_4", "entropy_2", "repetition_2",
            "tokens_mean", "chars_mean", "distinct_2_sampled", "self_bleu_4_sampled")


class DiversitySettings(Section):
    """Lexical diversity: orders of n-grams, Self-BLEU order, report sizes."""

    max_n: int = Field(4, ge=1, le=MAX_ORDER)
    self_bleu_n: int = Field(4, ge=1, le=MAX_ORDER)
    histogram_bins: int = Field(40, ge=2, le=1000)
    worst_rows: int = Field(20, ge=0, le=10000)
    #: Size-comparable metrics: rows per seeded sample, samples, and the seed.
    sample_size: int = Field(1000, ge=2, le=1_000_000)
    sample_repeats: int = Field(5, ge=1, le=100)
    sample_seed: Seed = 0


@register
class Diversity(Analyzer):
    name = "diversity"
    order = 10
    default = True
    title = "Lexical diversity"
    page = "Diversity"
    Settings = DiversitySettings
    options = (
        CliOption(("--max-n",), "max_n", int, "Largest n-gram order for distinct-n, entropy and repetition."),
        CliOption(("--self-bleu-n",), "self_bleu_n", int, "Self-BLEU order (default 4)."),
    )

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        """Every metric it can report, for any order up to MAX_ORDER."""
        orders = range(1, MAX_ORDER + 1)
        max_n = {n: f"--max-n {n} or more ([diversity] max_n)" for n in orders}
        bleu_n = {n: f"--self-bleu-n {n} ([diversity] self_bleu_n)" for n in orders}
        specs = [share(f"distinct_{n}", f"unique {n}-grams / {n}-gram occurrences", "higher", needs=max_n[n]) for n in orders]
        specs += [share(f"self_bleu_{n}", f"mean Self-BLEU-{n} of a row against all others", "lower", needs=bleu_n[n])
                  for n in orders]
        specs += [count(f"entropy_{n}", f"Shannon entropy (nats) of the {n}-gram distribution", "higher", needs=max_n[n])
                  for n in orders]
        specs += [share(f"repetition_{n}", f"mean share of a row's {n}-grams repeated within it", "lower", needs=max_n[n])
                  for n in orders]
        specs += [share(f"distinct_{n}_sampled", f"distinct-{n} of equal-size seeded samples (comparable across datasets)",
                        "higher", needs=max_n[n]) for n in orders]
        specs += [share(f"self_bleu_{n}_sampled", f"Self-BLEU-{n} of equal-size seeded samples (comparable across datasets)",
                        "lower", needs=bleu_n[n]) for n in orders]
        for unit in ("tokens", "chars"):
            for stat in ("mean", "std", "min", "max", *LENGTH_QUANTILES):
                specs.append(count(f"{unit}_{stat}", f"{stat} of the length in {unit}"))
        return tuple(MetricSpec(**{**s.__dict__, "headline": s.name in HEADLINE}) for s in specs)

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        """The least diverse 1% of rows by per-row Self-BLEU (a review reason, not a defect)."""
        bleu = next((c for c in columns if c.startswith("self_bleu_")), None)
        if bleu is None:
            return []
        return [RowFlag(bleu, pl.col(bleu) >= pl.col(bleu).quantile(0.99), "least diverse 1%",
                        pl.lit(f"least diverse 1% ({bleu})"), verdict=False)]

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        orders, histograms = tables["orders"], tables["histograms"]
        bleu = next(k for k in histograms if k.startswith("self_bleu_"))
        worst = tables.get("worst_rows") or {"score": bleu, "rows": []}
        views: list[View] = [Notice(warning, "warning") for warning in tables.get("warnings", [])]
        views += [
            Series("distinct-n", "n-gram order", "unique / total", [f"{o['n']}-gram" for o in orders],
                   {"distinct-n": [o["distinct_ratio"] for o in orders]}, y_range=(0.0, 1.1)),
            histogram_view(histograms[bleu], f"per-row {bleu.replace('_', '-')}", "BLEU vs all other rows"),
            histogram_view(histograms["n_tokens"], "length in tokens", "tokens"),
            histogram_view(histograms["n_chars"], "length in characters", "characters"),
            RowHistograms("Per-row values", [f"repetition_{o['n']}" for o in orders] + [bleu, "n_tokens", "n_chars"]),
            FrequentNgrams(lowercase=bool(config.get("text", {}).get("lowercase"))),
        ]
        sampled = tables.get("sampled")
        if sampled:
            records = [{"metric": name, **interval} for name, interval in sampled["metrics"].items()]
            columns = [Column("metric", "metric"), Column("mean", "mean", ".4f"), Column("low", "95% low", ".4f"),
                       Column("high", "95% high", ".4f")]
            views.append(RankedRows("Size-comparable diversity", columns, records, "sampled-diversity",
                                    f"Mean over {sampled['repeats']} seeded samples of {sampled['size']:,} rows: compare these "
                                    "across datasets of different sizes."))
        if worst["rows"]:
            score = worst["score"]
            columns = [Column(ROW_ID, ROW_ID), Column(score, score, ".4f"), Column("copies", "copies", ","),
                       Column("n_tokens", "tokens", ","), Column(TEXT, "text", text=True)]
            views.append(RankedRows("Least diverse rows", columns, worst["rows"], "worst-rows",
                                    "Highest per-row Self-BLEU: the rows most like the rest of the data, each text once. A score "
                                    "of 1.0 means every n-gram of the row occurs in some other row, as in any copy; such ties "
                                    "are ordered by the number of identical rows (copies), then by length."))
        return views

    def partial(self, batch: pl.DataFrame) -> LexicalState:
        valid = batch.filter(pl.col(TEXT_STATUS) == "ok")
        tokens = self.context.tokenization.tokens(valid[TEXT])
        hashes = Chunks()
        hashes.append(tokens.hashes)
        return LexicalState([valid[ROW_ID].to_numpy()], [tokens.lengths], [valid[TEXT].str.len_chars().to_numpy()], hashes,
                            [valid[TEXT].hash(seed=0).to_numpy()])

    def merge(self, a: LexicalState, b: LexicalState) -> LexicalState:
        hashes = Chunks.joined(a.hashes, b.hashes, self.context.memory_budget * TOKEN_SHARE, self.context.scratch)
        return LexicalState(a.row_ids + b.row_ids, a.lengths + b.lengths, a.chars + b.chars, hashes, a.text_hashes + b.text_hashes,
                            merged_sums(a.sums, b.sums))

    def exchange(self, state: LexicalState, partitions: int) -> tuple[LexicalState, list[tuple[int, dict[str, Any]]]]:
        """The batch's n-gram occurrences of every order, by row_id, split by hash: key
        ``(n - 1) * partitions + part``. The token hashes leave the state."""
        pieces = []
        for hashes, lengths, row_ids in zip(state.hashes, state.lengths, state.row_ids, strict=True):
            stream = TokenStream(rows=np.repeat(np.arange(len(lengths), dtype=np.uint32), lengths), hashes=np.asarray(hashes),
                                 n_rows=len(lengths))
            for n, grams, rows in iter_ngram_hashes(stream, range(1, self._top_order + 1)):
                for part, (h, r) in enumerate(split_by_hash(grams, row_ids[rows].astype(np.int64), partitions)):
                    if len(h):
                        pieces.append(((n - 1) * partitions + part, {"n": n, "hashes": h, "row_ids": r}))
        return replace(state, hashes=Chunks()), pieces

    def reduce(self, pieces: list[dict[str, Any]]) -> pl.DataFrame:
        """One part of one order counted (:func:`qcaudit.lexical.part_sums`)."""
        n = int(pieces[0]["n"])
        sums = part_sums(np.concatenate([p["hashes"] for p in pieces]), np.concatenate([p["row_ids"] for p in pieces]))
        tables = (np.full(len(sums.row_ids), PER_ROW), np.full(len(sums.count_values), COUNT_HISTOGRAM))
        columns = (np.concatenate(tables), np.full(len(tables[0]) + len(tables[1]), n),
                   np.concatenate([sums.row_ids, sums.count_values]), np.concatenate([sums.unmatched, sums.count_multiplicity]),
                   np.concatenate([sums.repeated, np.zeros(len(sums.count_values), np.int64)]))
        return pl.DataFrame({name: column.astype(np.int64) for name, column in zip((*SUM_INDEX, *SUM_VALUES), columns, strict=True)})

    def summed(self, sums: pl.DataFrame) -> LexicalState:
        return LexicalState([], [], [], Chunks(), [], sums)

    @property
    def _top_order(self) -> int:
        return max(self.settings.max_n, self.settings.self_bleu_n)

    def finalize(self, state: LexicalState) -> AnalyzerResult:
        settings, context = self.settings, self.context
        lengths = np.concatenate(state.lengths)
        if len(lengths) < 2:
            raise QcauditError(f"lexical diversity needs at least 2 rows with text; found {len(lengths)}")
        row_ids, chars = np.concatenate(state.row_ids), np.concatenate(state.chars)
        if state.sums is not None:  # counted where the n-grams met (an engine that shuffles)
            tables = state.sums.partition_by(*SUM_INDEX[:2], as_dict=True)
            orders = [_order_from_sums(tables, n, row_ids, lengths) for n in range(1, self._top_order + 1)]
        else:
            orders = self._count_here(state, lengths)
        result = _diversity(row_ids, lengths, chars, np.concatenate(state.text_hashes), orders, settings, context)
        metrics, table = _sampled(self._row_tokens(state, row_ids, lengths), lengths, settings, context.tokenization.signature_fields())
        result.metrics.update(metrics)
        result.tables["sampled"] = table
        return result

    def _count_here(self, state: LexicalState, lengths: np.ndarray) -> list[OrderStats]:
        """Every order's statistics from the token hashes in the state, in as many parts by
        hash as the memory budget needs, spilled to the run's scratch directory."""
        context = self.context
        task = context.progress.add_task("diversity: 1-grams", total=self._top_order)  # (the order being counted)
        orders = []
        for stats in order_stats_within(lambda: zip(state.hashes, state.lengths, strict=True), lengths,
                                        range(1, self._top_order + 1), context.memory_budget, context.scratch):
            orders.append(stats)
            following = f"diversity: {stats.n + 1}-grams" if stats.n < self._top_order else None
            context.progress.update(task, description=following, advance=1)
        context.progress.remove_task(task)
        return orders

    def _row_tokens(self, state: LexicalState, row_ids: np.ndarray, lengths: np.ndarray) -> Callable[[np.ndarray], dict[int, np.ndarray]]:
        """The token hashes of rows by position: read from the state, or, when they left it
        for a shuffle, the rows' text read again and tokenised (the same hashes)."""
        if state.hashes.items or not len(lengths):
            return lambda wanted: _row_tokens(state, lengths, wanted)

        def retokenised(wanted: np.ndarray) -> dict[int, np.ndarray]:
            texts = self.context.texts_of_rows(row_ids[wanted].tolist())
            tokens = self.context.tokenization.tokens(pl.Series([texts[int(row_ids[i])] for i in wanted], dtype=pl.String))
            starts = np.concatenate([[0], np.cumsum(tokens.lengths)])
            if not np.array_equal(tokens.lengths, lengths[wanted]):
                raise QcauditError("diversity: the input changed while it was being read (rows tokenise differently)")
            return {int(i): tokens.hashes[starts[k]:starts[k + 1]] for k, i in enumerate(wanted)}

        return retokenised


@dataclass
class LexicalState:
    """What diversity keeps of the batches it has seen, per batch: the row_id, token count
    and character count of each row with text, and the token hashes (spilled to disk when
    they outgrow their share of the memory budget)."""

    row_ids: list[np.ndarray]
    lengths: list[np.ndarray]
    chars: list[np.ndarray]
    hashes: Chunks
    #: A hash of each row's text, to count copies among the least diverse rows.
    text_hashes: list[np.ndarray]
    #: The global pass's summed rows when an engine counted the n-grams where they met
    #: (:meth:`Diversity.exchange`); None when the token hashes are here.
    sums: pl.DataFrame | None = None


def _diversity(row_ids: np.ndarray, lengths: np.ndarray, chars: np.ndarray, text_hashes: np.ndarray,
               orders: list[OrderStats], settings: DiversitySettings, context) -> AnalyzerResult:
    tok_sig = context.tokenization.signature_fields()
    metrics: dict[str, Metric] = {}
    rows = {ROW_ID: pl.Series(ROW_ID, row_ids, dtype=pl.UInt32), "n_tokens": lengths}
    for stats in orders[: settings.max_n]:
        n = stats.n
        metrics[f"distinct_{n}"] = Metric(stats.distinct_ratio, signature("distinct", f"n:{n}", tok_sig))
        metrics[f"entropy_{n}"] = Metric(stats.entropy, signature("ngram_entropy", f"n:{n}", "base:e", tok_sig))
        repetition = stats.repetition_per_row
        has_ngrams = stats.ngrams_per_row > 0
        mean_repetition = float(repetition[has_ngrams].mean()) if has_ngrams.any() else 0.0
        metrics[f"repetition_{n}"] = Metric(mean_repetition, signature("repetition", f"n:{n}", tok_sig))
        rows[f"repetition_{n}"] = repetition
    bleu_n = settings.self_bleu_n
    row_bleu = self_bleu_per_row(lengths, orders[:bleu_n])
    metrics[f"self_bleu_{bleu_n}"] = Metric(
        float(row_bleu.mean()),
        signature("self_bleu", f"n:{bleu_n}", "smooth:method1", "eps:0.1", "bp:closest", tok_sig),
    )
    rows[f"self_bleu_{bleu_n}"] = row_bleu
    rows["n_chars"] = chars
    metrics.update(_length_metrics("tokens", lengths, tok_sig))
    metrics.update(_length_metrics("chars", chars, ""))
    tables = {
        "orders": [
            {"n": s.n, "distinct": s.distinct, "total": s.total, "distinct_ratio": s.distinct_ratio}
            for s in orders[: settings.max_n]
        ],
        "histograms": {
            "n_tokens": histogram(lengths, settings.histogram_bins),
            "n_chars": histogram(chars, settings.histogram_bins),
            f"self_bleu_{bleu_n}": histogram(row_bleu, settings.histogram_bins, (0.0, 1.0)),
        },
        "worst_rows": _worst_rows(row_ids, row_bleu, lengths, text_hashes, f"self_bleu_{bleu_n}", settings.worst_rows, context),
    }
    warning = unspaced_text_warning(int(chars.sum()), int(lengths.sum()), context.tokenization.tokenizer)
    if warning:
        logging.getLogger("qcaudit").warning(warning)
        tables["warnings"] = [warning]
    return AnalyzerResult(metrics, pl.DataFrame(rows), tables)


def _length_metrics(unit: str, values: np.ndarray, tok_sig: str) -> dict[str, Metric]:
    fields = (tok_sig,) if tok_sig else ()
    stats: dict[str, float] = {
        "mean": float(values.mean()),
        "std": float(values.std()),
        "min": float(values.min()),
        "max": float(values.max()),
    }
    stats.update({name: float(np.quantile(values, q)) for name, q in LENGTH_QUANTILES.items()})
    return {
        f"{unit}_{stat}": Metric(value, signature(f"length_{unit}", f"stat:{stat}", *fields))
        for stat, value in stats.items()
    }


def _worst_rows(row_ids: np.ndarray, scores: np.ndarray, lengths: np.ndarray, text_hashes: np.ndarray, score: str,
                limit: int, context) -> dict[str, Any]:
    """The rows most like the rest of the corpus, each text once (its first row) with its
    number of copies: highest per-row Self-BLEU first; ties, common at exactly 1.0 (every
    n-gram of the row occurs in another row, as in any copy), go to the text with the most
    copies, then the longest, then the lowest row_id."""
    candidates = _top_rows_with_their_copies(scores, text_hashes, limit)
    _, first, copies = np.unique(text_hashes[candidates], return_index=True, return_counts=True)
    firsts = candidates[first]  # each distinct text's first row (candidates are in row order)
    order = np.lexsort((row_ids[firsts], -lengths[firsts], -copies, -scores[firsts]))[:limit]
    texts = context.texts_of_rows(row_ids[firsts[order]].tolist())
    rows = [
        {ROW_ID: int(row_ids[i]), score: float(scores[i]), "copies": int(n), "n_tokens": int(lengths[i]),
         TEXT: texts[int(row_ids[i])][:SNIPPET_CHARS]}
        for i, n in zip(firsts[order], copies[order], strict=True)
    ]
    return {"score": score, "rows": rows}


def _top_rows_with_their_copies(scores: np.ndarray, text_hashes: np.ndarray, limit: int) -> np.ndarray:
    """The positions of the rows scoring at least the score of the ``k``-th best row, with
    ``k`` grown until they hold ``limit`` distinct texts (or are every row). Identical texts
    score the same, so every copy of a chosen text is chosen too: copies counted among them
    are the corpus's, without sorting every row."""
    k = max(limit, 1)
    while True:
        cut = np.partition(scores, len(scores) - k)[len(scores) - k] if k < len(scores) else -np.inf
        chosen = np.flatnonzero(scores >= cut)
        if k >= len(scores) or len(np.unique(text_hashes[chosen])) >= limit:
            return chosen
        k *= 4


def _order_from_sums(tables: dict[tuple[int, int], pl.DataFrame], n: int, row_ids: np.ndarray, lengths: np.ndarray) -> OrderStats:
    """One order's statistics from the global pass's summed rows by (table, order): one per
    row and one per count."""
    _, _, key = SUM_INDEX
    x, y = SUM_VALUES
    nothing = pl.DataFrame(schema=dict.fromkeys((key, x, y), pl.Int64))
    per_row = tables.get((PER_ROW, n), nothing)
    at = np.searchsorted(row_ids, per_row[key].to_numpy())
    unmatched, repeated = np.zeros(len(lengths), np.int64), np.zeros(len(lengths), np.int64)
    unmatched[at], repeated[at] = per_row[x].to_numpy(), per_row[y].to_numpy()
    counts = tables.get((COUNT_HISTOGRAM, n), nothing).sort(key)
    return order_stats_from_sums(n, counts[key].to_numpy(), counts[x].to_numpy(), unmatched, repeated, lengths)


def _sampled(row_tokens: Callable[[np.ndarray], dict[int, np.ndarray]], lengths: np.ndarray, settings: DiversitySettings,
             tok_sig: str) -> tuple[dict[str, Metric], dict[str, Any]]:
    """distinct-n and Self-BLEU on ``sample_repeats`` seeded samples of ``sample_size`` rows:
    their means as metrics, with 95% t-intervals over the repeats as a table."""
    from scipy.stats import t

    size = min(settings.sample_size, len(lengths))
    rng = np.random.default_rng(settings.sample_seed)
    samples = [np.sort(rng.choice(len(lengths), size, replace=False)) for _ in range(settings.sample_repeats)]
    tokens = row_tokens(np.unique(np.concatenate(samples)))
    bleu_n = settings.self_bleu_n
    values: dict[str, list[float]] = {}
    for sample in samples:
        stream = TokenStream(np.repeat(np.arange(size), lengths[sample]), np.concatenate([tokens[i] for i in sample]), size)
        orders = list(iter_order_stats(stream, range(1, max(settings.max_n, bleu_n) + 1)))
        for stats in orders[: settings.max_n]:
            values.setdefault(f"distinct_{stats.n}_sampled", []).append(stats.distinct_ratio)
        values.setdefault(f"self_bleu_{bleu_n}_sampled", []).append(float(self_bleu_per_row(lengths[sample], orders[:bleu_n]).mean()))
    fields = (f"size:{size}", f"repeats:{settings.sample_repeats}", f"seed:{settings.sample_seed}", tok_sig)
    metrics, table = {}, {}
    for name, found in values.items():
        mean = float(np.mean(found))
        half = float(t.ppf(0.975, len(found) - 1) * np.std(found, ddof=1) / np.sqrt(len(found))) if len(found) > 1 else 0.0
        metrics[name] = Metric(mean, signature(name.rsplit("_", 2)[0] + "_sampled", *fields))
        table[name] = {"mean": mean, "low": mean - half, "high": mean + half}
    return metrics, {"size": size, "repeats": settings.sample_repeats, "metrics": table}


def _row_tokens(state: LexicalState, lengths: np.ndarray, wanted: np.ndarray) -> dict[int, np.ndarray]:
    """The token hashes of the rows at positions ``wanted`` (sorted), read chunk by chunk."""
    out: dict[int, np.ndarray] = {}
    first = 0
    for hashes, chunk_lengths in zip(state.hashes, state.lengths, strict=True):
        last = first + len(chunk_lengths)
        starts = np.concatenate([[0], np.cumsum(chunk_lengths)])
        for row in wanted[(wanted >= first) & (wanted < last)]:
            local = row - first
            out[int(row)] = np.asarray(hashes[starts[local]:starts[local + 1]])
        first = last
    return out
