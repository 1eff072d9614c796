"""Benchmark contamination: which rows leak which benchmark items, by which method.

Per row (null where nothing matched): ``<method>_benchmark``, ``<method>_item_id``,
``<method>_flagged`` and the method's scores (``ngram_shared`` item n-grams found and
``ngram_coverage``, their share of the item's n-grams; ``substring_hits`` and
``substring_whole``, whether the row holds the whole reduced item; with a lexical check,
``<method>_numbers_consistent`` and ``<method>_holds_question``; and
``<method>_in_system_turns``, whether a flagged match of a chat needed the system turns its
text leaves out, which the lexical methods read before it);
``semantic_cosine`` and ``semantic_score``, the verifier's), then ``contaminated`` (any
method flagged it), ``contamination_benchmark``, ``contamination_item_id``,
``contamination_method`` (the first method, in the order ngram, substring, semantic, that
flagged the row) and ``contamination_evidence`` (that method's reasons, in one line). The
semantic method adds ``semantic_margin``, ``semantic_row_part`` and ``semantic_item_part``
(which parts matched: whole, a window, the row's prompt, span or comments, an item part
such as ``stem`` or ``code``),
``semantic_evidence`` (what fired) and, with a judge model, ``semantic_judge_probability``.
Each method keeps, per row, its best item: flagged first, then by score. The semantic
method reports its top candidate even when the verifier rejects it.

Metrics per benchmark and method (``<benchmark>.<method>.rows_flagged``, ``.row_rate``,
``.items_leaked``, ``.leak_rate``), per benchmark over all methods
(``contaminated_rows.<b>``, ``contamination_rate.<b>``, ``benchmark_leak_rate.<b>``), and
overall (``contaminated_rows``, ``contamination_rate``, and ``benchmark_leak_rate``, the
largest benchmark's). An item counts as leaked when any row matches it.

The report's ``leaked_items`` table lists every leaked item: its benchmark, ``item_id``, how
many rows match it, by which methods, the first such row and (for those the report shows)
the start of its text, so that
a model trained on the data can be evaluated on the benchmark's other items, as
lm-evaluation-harness evaluates a task's decontaminated documents apart.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePath
from typing import Any, Literal

import numpy as np
import polars as pl
from pydantic import Field

from qcaudit.benchmarks import ITEM_ID, ITEM_TEXT, Benchmark, benchmark_name, load_benchmarks
from qcaudit.cache import cache_key, cached_dir
from qcaudit.contamination.ngram import NgramIndex, build_ngram_index, ngram_matches, ngram_tokens
from qcaudit.contamination.judge import Judge, judged_pairs
from qcaudit.contamination.semantic import ItemEvidence, TextParts
from qcaudit.contamination.semantic_search import SemanticItems, embed_rows, semantic_pairs
from qcaudit.embed import Encoder, english_only_warning, token_column
from qcaudit.contamination.substring import ITEM, PATTERN, alnum_text, sample_patterns, substring_matches
from qcaudit.errors import QcauditError
from qcaudit.columns import PROMPT, ROW_ID, SETUP, TEXT, TEXT_STATUS
from qcaudit.registry import (
    Analyzer, AnalyzerResult, CliOption, MetricSpec, RowFilter, RowFlag, Section, Seed, count, register, share,
)
from qcaudit.signatures import Metric, signature
from qcaudit.untrusted import console as for_rich
from qcaudit.text import UNSPACED_CHARS_PER_TOKEN, written_in_other_scripts
from qcaudit.views import Column, Notice, Pair, Pairs, RankedRows, View, shown_sources

METHOD_ORDER = ("ngram", "substring", "semantic")
SCORES = {"ngram": ["shared", "coverage"], "substring": ["hits", "whole"], "semantic": ["score", "cosine", "margin"]}
#: Per-method columns kept for the reader but not used to rank a row's matches.
DETAILS = {"semantic": ["judge_probability", "row_part", "item_part", "evidence"],
           "ngram": ["numbers_consistent", "holds_question", "in_system_turns"],
           "substring": ["numbers_consistent", "holds_question", "in_system_turns"]}
#: The report's notices of the rows whose lexical match a check set aside, by the table that
#: counts them: the words for one row, for several, and why.
SET_ASIDE = {
    "siblings": ("row that shares text with a benchmark item but brings numbers of its own",
                 "rows that share text with a benchmark item but bring numbers of their own",
                 (", as a template's sibling does (lexical_number_check; the match is in rows.parquet, "
                  "ngram_numbers_consistent and substring_numbers_consistent false).")),
    "passage_only": ("row that shares a passage a benchmark item asks about but does not hold its question",
                     "rows that share a passage a benchmark item asks about but do not hold its question",
                     (", as a text that quotes the passage does (lexical_question_check; the semantic method reads the "
                      "question; the match is in rows.parquet, ngram_holds_question and substring_holds_question false).")),
}
EXAMPLE_CHARS = 3000
#: How much of a leaked item's text ``leaked_items`` keeps (its id names the item whole).
LEAKED_ITEM_CHARS = 200
#: How many of a benchmark's leaked items the report's table shows (the most rows first),
#: and ``leaked_items`` holds the text of.
LEAKED_SHOWN = 30
MIN_HIGHLIGHT_WORDS = 3
#: The prepared batch's column of each row's parts' token ids (:meth:`Contamination.prepare`).
TOKENS = "__contamination_tokens"


class BenchmarkSettings(Section):
    """One benchmark test set: where it is and how its items' text is made."""

    path: str
    adapter: str = "auto"
    fields: list[str] = Field(default_factory=list)
    id_field: str | None = None


class ContaminationSettings(Section):
    """Benchmark contamination: which methods run and their published defaults."""

    methods: list[Literal["ngram", "substring", "semantic"]] = Field(
        default_factory=lambda: ["ngram", "substring", "semantic"], min_length=1
    )
    ngram_n: int = Field(13, ge=1, le=64)
    ngram_min_tokens: int = Field(8, ge=1)
    substring_count: int = Field(3, ge=1, le=100)
    substring_length: int = Field(50, ge=5, le=10000)
    seed: Seed = 0
    #: A lexical (ngram, substring) match flags a row only when the row holds the item's
    #: numbers: a template sibling shares the words and brings numbers of its own. False:
    #: flagged on the shared text alone, as lm-evaluation-harness and the GPT-4 report flag.
    lexical_number_check: bool = True
    #: A lexical match with an item that asks a question about a passage (its ``stem``: an MMLU
    #: history item's source, a SQuAD context) flags a row only when the row also holds the
    #: question: a passage is text several items share and corpora quote (the GPT-3 paper's
    #: reading-comprehension overlaps), and a row that quotes it with another question or
    #: none is left to the semantic method. False: flagged on the passage alone.
    lexical_question_check: bool = True
    semantic_top_k: int = Field(5, ge=1, le=100)
    semantic_min_cosine: float = Field(0.2, ge=-1.0, le=1.0)
    semantic_threshold: float = Field(0.9749, gt=0.0, lt=1.0)
    #: A local instruct model (folder or cached name) that judges each row's best candidates.
    judge_model: str | None = None
    judge_min_cosine: float = Field(0.3, ge=-1.0, le=1.0)
    judge_top_k: int = Field(2, ge=1, le=100)
    judge_threshold: float = Field(0.5, gt=0.0, lt=1.0)
    judge_batch_size: int = Field(8, ge=1, le=4096)
    #: What runs the judge: vLLM on CUDA when it is installed (``auto``), or always one of the two.
    judge_engine: Literal["auto", "transformers", "vllm"] = "auto"
    examples: int = Field(50, ge=0, le=10000)


def benchmark_overrides(specs: list[str] | None) -> dict[str, str]:
    """``--benchmark NAME=PATH`` values as config overrides (NAME defaults to the file's stem,
    or its folder's where the stem names only a split: :func:`~qcaudit.benchmarks.benchmark_name`;
    also where the path itself holds a ``=``, as Hive's folders do: ``data/split=test/x.jsonl``)."""
    overrides = {}
    for spec in specs or []:
        name, sep, path = spec.partition("=")
        if not sep or _is_path_with_equals(spec, name):
            name, path = benchmark_name(spec), spec
        if not name or not path:
            raise QcauditError(f"--benchmark {spec!r}: give NAME=PATH")
        if "." in name:  # (a dotted override would split it into nested settings)
            raise QcauditError(f"--benchmark {spec!r}: a name on the command line cannot hold '.'; give "
                               f"{name.replace('.', '_')}=PATH, or name it in a config file ([benchmarks.\"{name}\"])")
        key = f"benchmarks.{name}.path"
        if key in overrides:  # the later would silently replace the earlier
            raise QcauditError(f"--benchmark: two benchmarks named {name!r} ({overrides[key]}, {path}); "
                               "give each its own name: -b NAME=PATH")
        overrides[key] = path
    return overrides


def _is_path_with_equals(spec: str, before: str) -> bool:
    """Whether ``-b`` ``spec`` is a path whose folders hold ``=`` rather than NAME=PATH: a
    URI, or an existing path whose part before the first ``=`` holds a separator (a name
    may hold any character, markup and slashes too)."""
    return "://" in before or (any(c in before for c in "/\\") and os.path.lexists(os.path.expanduser(spec)))


def _items_removed(tables: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """What ``qcaudit decontaminate`` says after its counts: per benchmark, how many of its
    items the removed rows match and how many it has (``--json``'s ``benchmark_items_found``),
    and a line for each benchmark with some ("the removed rows match 20 of gsm8k's 1,319
    items"): what the kept data no longer holds of it."""
    leaked = tables.get("leaked_items") or []
    found = {b["name"]: {"found": len(_leaked_ids(b["name"], leaked)), "items": b["items"]} for b in tables.get("benchmarks") or []}
    lines = [f"the removed rows match {c['found']:,} of {name}'s {c['items']:,} items" for name, c in found.items() if c["found"]]
    return {"benchmark_items_found": found}, lines


@register
class Contamination(Analyzer):
    name = "contamination"
    order = 15  # its flag names a row first: a leaked benchmark item outweighs a duplicate
    run_hint = "qcaudit report DATA --benchmark gsm8k=test.jsonl"
    Settings = ContaminationSettings
    filters = (RowFilter(
        "decontaminate", "Write DATA without the rows that leak benchmark items, and the removed rows with why.",
        drop=pl.col("contaminated"),
        reasons={"removed_by": pl.col("contamination_method"), "benchmark": pl.col("contamination_benchmark"),
                 "item_id": pl.col("contamination_item_id"), "evidence": pl.col("contamination_evidence")},
        summary=_items_removed,
    ),)
    extra_sections = {"benchmarks": (dict[str, BenchmarkSettings], dict)}
    options = (
        CliOption(("--benchmark", "-b"), "benchmarks", list[str],
                  "NAME=PATH of a benchmark test set to check against (repeatable); switches the contamination analyzer on.",
                  parse=benchmark_overrides, metavar="NAME=PATH"),
        CliOption(("--methods",), "methods", str, "Contamination methods: ngram,substring,semantic.", comma_list=True,
                  metavar="METHOD,..."),
        CliOption(("--judge-model",), "judge_model", str, "Local instruct model that judges each row's best semantic candidates.",
                  metavar="MODEL"),
    )

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        return (
            count("contaminated_rows", "rows that any method matched to a benchmark item", "lower", headline=True),
            share("contamination_rate", "share of rows with text matched to a benchmark item", "lower", headline=True),
            share("benchmark_leak_rate", "share of a benchmark's items some row matches (the largest benchmark's)",
                  "lower", headline=True),
            # per benchmark and method, reported as <benchmark>.<method>.<name>
            count("rows_flagged", "rows this method matched to this benchmark", "lower", gateable=False),
            share("row_rate", "share of rows with text this method matched to this benchmark", "lower", gateable=False),
            count("items_leaked", "this benchmark's items this method found in some row", "lower", gateable=False),
            share("leak_rate", "share of this benchmark's items this method found in some row", "lower", gateable=False),
        )

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        return [RowFlag("contaminated", pl.col("contaminated"), "benchmark contamination", pl.format(
            "leaks {} item {} ({})", "contamination_benchmark", "contamination_item_id", "contamination_method"))]

    @classmethod
    def switched_on(cls, config) -> bool:
        return bool(config.benchmarks)

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        leaked = tables.get("leaked_items") or []
        checked = ", ".join(_checked(bench, leaked) for bench in tables["benchmarks"])
        examples = tables["examples"]
        views: list[View] = [Notice(warning, "warning") for warning in tables.get("warnings", [])]
        views.append(Notice(f"Checked against {checked}." + ("" if examples else " No row matched a benchmark item.")))
        for key, (one, many, why) in SET_ASIDE.items():
            if count := tables.get(key, 0):
                views.append(Notice(f"Not counted: {count:,} {one if count == 1 else many}{why}"))
        if examples:
            pairs = [Pair(e[ROW_ID], e["method"], f"{e['benchmark']} · {e[ITEM_ID]}", e["row_segments"], e["item_segments"],
                          e.get("evidence") or "", {"benchmark": e["benchmark"], "method": e["method"]}) for e in examples]
            views.append(Pairs("Rows that match a benchmark item", "training row", "benchmark item", pairs, "contamination-examples",
                               footnote=f"Marked: runs of {MIN_HIGHLIGHT_WORDS} or more words the row shares with the item."))
        views += _leaked_items_views(leaked, tables["benchmarks"])
        return views

    @classmethod
    def findings(cls, tables: dict[str, Any]) -> dict[str, str]:
        """Behind each benchmark's contamination metrics, and the overall ones: its items found
        in the data ("20 of gsm8k's 1,319 items found in the data: gsm8k/1, ...")."""
        leaked = tables.get("leaked_items") or []
        said = {b["name"]: found for b in tables.get("benchmarks") or []
                if (found := _found(b["name"], leaked, f"of {b['name']}'s {b['items']:,} items "))}
        if not said:
            return {}
        per_benchmark = {f"{metric}.{name}": text for name, text in said.items() for metric in _FINDING_METRICS}
        return per_benchmark | dict.fromkeys(_FINDING_METRICS, "; ".join(said.values()))

    @classmethod
    def missing_input(cls, config) -> str | None:
        if not config.benchmarks:
            return "the contamination analyzer needs benchmarks: --benchmark NAME=PATH or [benchmarks.NAME]"
        return None

    @cached_property
    def benchmarks(self) -> dict[str, Benchmark]:
        """The benchmarks, loaded once per analyzer (once per Ray actor)."""
        return load_benchmarks(self.sections["benchmarks"])

    def check_inputs(self) -> None:
        self.benchmarks  # noqa: B018 (read now: a bad benchmark fails before any row is read)

    @cached_property
    def ngram_indexes(self) -> dict[str, NgramIndex]:
        """Each benchmark's n-gram index (with the n-gram method), read from the cache once per
        analyzer (once per Ray actor), not once per batch."""
        s = self.settings
        return {name: _cached_ngram_index(bench, s.ngram_n, s.ngram_min_tokens)
                for name, bench in self.benchmarks.items() if "ngram" in s.methods}

    @cached_property
    def substring_patterns(self) -> dict[str, pl.DataFrame]:
        """Each benchmark's sampled substrings (with the substring method), drawn once per analyzer."""
        s = self.settings
        return {name: sample_patterns(bench.items[ITEM_TEXT], s.substring_count, s.substring_length, s.seed)
                for name, bench in self.benchmarks.items() if "substring" in s.methods}

    @cached_property
    def item_evidence(self) -> dict[str, ItemEvidence]:
        """Each benchmark's items as the verifier reads them, for the lexical methods' check of
        a match's numbers (``lexical_number_check``), read once per analyzer."""
        if not self.settings.lexical_number_check:
            return {}
        return {name: ItemEvidence.of(TextParts.of_items(bench.parts), bench.choices) for name, bench in self.benchmarks.items()
                if {"ngram", "substring"} & set(self.settings.methods)}

    @cached_property
    def item_questions(self) -> dict[str, pl.DataFrame]:
        """Each benchmark's questions asked about a passage, for the lexical methods' check
        that a match holds its item's question (``lexical_question_check``)."""
        if not self.settings.lexical_question_check:
            return {}
        return {name: asked_questions(bench) for name, bench in self.benchmarks.items()
                if {"ngram", "substring"} & set(self.settings.methods)}

    @cached_property
    def semantic_items(self) -> dict[str, SemanticItems]:
        """Each benchmark as the semantic method reads it (with the semantic method), built on
        first use, once per analyzer (once per Ray actor), not once per batch."""
        if "semantic" not in self.settings.methods:
            return {}
        return {name: SemanticItems.of(bench, self.context.encoder) for name, bench in self.benchmarks.items()}

    @cached_property
    def judge(self) -> Judge | None:
        """The judge model, when one is set: loaded once, on first use."""
        s = self.settings
        return Judge(s.judge_model, self.context.encoder.device, s.judge_batch_size, engine=s.judge_engine) if s.judge_model else None

    def input_parts(self) -> tuple[str, ...]:
        """The semantic method also embeds each row's prompt when the text holds more than it
        (an instruction with its answer): a question copied into the prompt stays close to
        its benchmark item however long the answer beside it. The lexical methods also read a
        chat's system turns, which its text leaves out: a benchmark item copied into a
        system prompt (a few-shot example) is seen in training as much as one in a turn."""
        dataset = self.context.dataset
        wanted = "semantic" in self.settings.methods and dataset is not None and dataset.prompt_within_text()
        lexical = any(method in self.settings.methods for method in ("ngram", "substring"))
        return tuple(part for part, read in ((PROMPT, wanted), (SETUP, lexical)) if read)

    def prepare(self, batch: pl.DataFrame) -> pl.DataFrame:
        """With the semantic method, the token ids of each part of a row that it embeds (the
        row, its prompt, a long row's windows), in :func:`embed_rows`' order, for the encoder."""
        if "semantic" not in self.settings.methods:
            return batch
        texts = batch[TEXT].cast(pl.String).fill_null("").to_list()
        parts = TextParts.of_rows(texts, batch[PROMPT].to_list() if PROMPT in batch.columns else None)
        ids = token_column(TOKENS, parts.text, self.context.encoder.tokenize)
        per_row = pl.DataFrame({"owner": parts.owner, TOKENS: ids}).group_by("owner", maintain_order=True).agg(TOKENS)
        return batch.with_columns(per_row[TOKENS])

    def partial(self, batch: pl.DataFrame) -> ContaminationState:
        """Map-only: this batch's rows against every benchmark, by every method. Keeps each
        method's best match per row and every flagged (row, item) pair, keyed by row_id."""
        settings = self.settings
        prepared = [c for c in (TOKENS, PROMPT, SETUP) if c in batch.columns]
        valid = batch.filter(pl.col(TEXT_STATUS) == "ok").select(ROW_ID, TEXT, *prepared)
        state = ContaminationState([valid[ROW_ID].to_numpy()], {}, {}, {})
        if not valid.height:
            return state
        positions = valid.select(pl.col(ROW_ID), pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"))

        def keyed(frame: pl.DataFrame) -> pl.DataFrame:  # the batch's row positions as row_ids
            return frame.with_columns(pl.col("row").cast(pl.UInt32)).join(positions, on="row").drop("row")

        methods = [m for m in METHOD_ORDER if m in settings.methods]
        encoder = self.context.encoder
        row_texts = valid[TEXT].to_list()
        lexical_texts = valid[TEXT]  # (after the system turns the text leaves out, where a row has them)
        if SETUP in valid.columns and valid[SETUP].is_not_null().any():
            lexical_texts = valid.select(pl.concat_str([SETUP, TEXT], separator="\n", ignore_nulls=True)).to_series()
        if "semantic" in methods:
            state.other_script_rows = int(written_in_other_scripts(valid[TEXT]).sum())
            if self.judge is not None:
                self.judge.check()  # a judge that cannot run fails before any row is embedded
            tokens = valid[TOKENS].explode() if TOKENS in valid.columns else None
            prompts = valid[PROMPT].to_list() if PROMPT in valid.columns else None
            row_parts, row_vectors = embed_rows(row_texts, encoder, progress=True, tokens=tokens, prompts=prompts)
        for method in methods:
            per_bench = []
            for bench in self.benchmarks.values():
                if method == "semantic":
                    items = self.semantic_items[bench.name]  # (embedded on first use, with a progress line of their own)
                    task = self.context.progress.add_task(
                        f"contamination: the semantic method's candidate pairs against {for_rich(bench.name)}", total=None)
                    matches, sig = _semantic(items, row_texts, row_parts, row_vectors, encoder, settings, self.judge)
                    self.context.progress.remove_task(task)
                else:
                    matches, sig = self._lexical(method, bench, lexical_texts, valid)
                state.signatures[(bench.name, method)] = sig
                state.flagged[(bench.name, method)] = [keyed(matches.filter(pl.col("flagged")).select("row", ITEM_ID))]
                per_bench.append(matches)
            state.best[method] = [keyed(_best_per_row(method, pl.concat(per_bench)))]
        return state

    def _lexical(self, method: str, bench: Benchmark, texts: pl.Series, valid: pl.DataFrame) -> tuple[pl.DataFrame, str]:
        """One lexical method's matches of the ``texts`` (the ``valid`` rows' text, after
        their system turns where they have some) against one benchmark, and its signature;
        with the system turns read, whether a match needed them (:func:`_with_system_turns_told`)."""
        lookup = (self.ngram_indexes if method == "ngram" else self.substring_patterns)[bench.name]
        checks = {"evidence": self.item_evidence.get(bench.name), "questions": self.item_questions.get(bench.name)}
        matches, sig = lexical_matches(method, bench, texts, self.settings, lookup, **checks)
        if SETUP in valid.columns:  # (every batch: a batch's matches have one set of columns)
            matches = _with_system_turns_told(matches, valid[SETUP].is_not_null(), lambda rows: (
                lexical_matches(method, bench, valid[TEXT].gather(rows), self.settings, lookup, **checks)[0]))
        return matches, sig

    def merge(self, a: ContaminationState, b: ContaminationState) -> ContaminationState:
        def joined(x: dict, y: dict) -> dict:
            return {key: x.get(key, []) + y.get(key, []) for key in {*x, *y}}

        return ContaminationState(a.row_ids + b.row_ids, joined(a.best, b.best), joined(a.flagged, b.flagged),
                                  a.signatures | b.signatures, a.other_script_rows + b.other_script_rows)

    def finalize(self, state: ContaminationState) -> AnalyzerResult:
        if not sum(len(ids) for ids in state.row_ids):
            raise QcauditError("benchmark contamination needs rows with text; found none")
        warnings = [w for name, index in self.ngram_indexes.items()
                    if (w := _unchecked_by_ngrams(self.benchmarks[name], index.skipped_items, self.settings))]
        warnings += [w for name, patterns in self.substring_patterns.items()
                     if (w := _matched_inside_words(self.benchmarks[name], patterns))]
        warnings += [w for bench in self.benchmarks.values() if (w := _few_items_to_weigh_against(bench, self.settings))]
        if "semantic" in self.settings.methods:
            written = [(state.other_script_rows, sum(len(ids) for ids in state.row_ids), "rows")] + [
                (int(written_in_other_scripts(b.items[ITEM_TEXT]).sum()), b.items.height, f"items of benchmark {b.name!r}")
                for b in self.benchmarks.values()]
            warnings += [w for counts in written
                         if (w := english_only_warning(self.context.encoder, *counts, "the semantic method", _UNREAD_TRANSLATIONS))]
        return _contamination(state, self.benchmarks, self.settings, self.context, warnings)


@dataclass
class ContaminationState:
    """Per batch: the row_ids of the rows with text, each method's best match per row
    (``_best_per_row``'s columns, keyed by row_id), every flagged (row_id, item_id) by
    (benchmark, method) with that pair's signature, and (with the semantic method) how many
    of the rows are written in another script than Latin (:func:`written_in_other_scripts`)."""

    row_ids: list[np.ndarray]
    best: dict[str, list[pl.DataFrame]]
    flagged: dict[tuple[str, str], list[pl.DataFrame]]
    signatures: dict[tuple[str, str], str]
    other_script_rows: int = 0


#: The metrics whose failed gate check names the items found (:meth:`Contamination.findings`).
_FINDING_METRICS = ("contaminated_rows", "contamination_rate", "benchmark_leak_rate")


def _checked(benchmark: dict[str, Any], leaked: list[dict[str, Any]]) -> str:
    """A benchmark as the contamination notice names it: "gsm8k (1,319 items from test.jsonl,
    read as gsm8k; 20 found in the data: gsm8k/1, gsm8k/3, gsm8k/5 and 17 more)"."""
    found = _found(benchmark["name"], leaked)
    return f"{benchmark['name']} ({benchmark['items']:,} items{_read_from(benchmark)}{'; ' + found if found else ''})"


def _leaked_ids(benchmark: str, leaked: list[dict[str, Any]]) -> list[str]:
    """The ids of a benchmark's items among ``leaked`` (the report's ``leaked_items``), the
    most rows first."""
    return [r[ITEM_ID] for r in leaked if r["benchmark"] == benchmark]


def _found(benchmark: str, leaked: list[dict[str, Any]], of: str = "") -> str:
    """How many of a benchmark's items the data holds, and the first of them by rows, as the
    contamination notice (and a dataset card, which quotes it) and a failed gate check say
    it: "20 found in the data: gsm8k/1, gsm8k/3, gsm8k/5 and 17 more", ``of`` after the count
    ("of gsm8k's 1,319 items "); nothing where none is."""
    ids = _leaked_ids(benchmark, leaked)
    return f"{len(ids):,} {of}found in the data: {shown_sources(ids)}" if ids else ""


def _leaked_items_views(leaked: list[dict[str, Any]], benchmarks: list[dict[str, Any]]) -> list[View]:
    """A table per benchmark of the items found in the data (:data:`LEAKED_SHOWN` of them, the
    most rows first). Nothing for a report written before 2026-12-08, which did not list them."""
    columns = [Column(ITEM_ID, "item", text=True), Column("rows", "rows", ","), Column("methods", "found by"),
               Column("first_row_id", "first row"), Column("item_start", "its text", text=True)]
    views: list[View] = []
    for number, bench in enumerate(benchmarks):
        mine = [r for r in leaked if r["benchmark"] == bench["name"]]
        if not mine:
            continue
        shown = f"the {LEAKED_SHOWN} with the most rows; " if len(mine) > LEAKED_SHOWN else ""
        caption = (f"{len(mine):,} of its {bench['items']:,} items match some row ({shown}all of them in report.json's "
                   "tables.contamination.leaked_items); the others are those these methods found in no row")
        views.append(RankedRows(f"Items of {bench['name']} found in the data", columns, mine[:LEAKED_SHOWN],
                                f"leaked-items-{number}", caption))
    return views


def _read_from(benchmark: dict[str, Any]) -> str:
    """Where a benchmark's items were read from and how, as the report says it: "from
    test.jsonl, read as gsm8k", the file by its name alone, as a published dataset card
    (:mod:`qcaudit.report.card`, which quotes this) names its files; the whole paths are the
    report's ``sources``. Nothing for a report written before 2026-12-07, which did not
    record them."""
    sources = benchmark.get("sources") or []
    if not sources:
        return ""
    return f" from {shown_sources(sources, lambda source: PurePath(source).name, shown=1)}, read as {benchmark['read_as']}"


def _contamination(state: ContaminationState, benchmarks: dict[str, Benchmark], settings: ContaminationSettings,
                   context, warnings: list[str]) -> AnalyzerResult:
    row_ids = pl.Series(ROW_ID, np.concatenate(state.row_ids), dtype=pl.UInt32)
    methods = [m for m in METHOD_ORDER if m in settings.methods]
    metrics: dict[str, Metric] = {}
    flagged: dict[str, list[pl.DataFrame]] = {}
    for method in methods:
        for bench in benchmarks.values():
            hits = pl.concat(state.flagged.get((bench.name, method), []) or [_NO_HITS])
            metrics.update(_method_metrics(bench, method, hits, len(row_ids), state.signatures.get((bench.name, method), "")))
            flagged.setdefault(method, []).append(hits.with_columns(pl.lit(bench.name).alias("benchmark")))
    best = {m: pl.concat(state.best[m]) for m in methods if state.best.get(m)}
    rows = _row_columns(row_ids, best, methods)
    metrics.update(_overall_metrics(rows, flagged, benchmarks, len(row_ids)))
    tables = {
        "benchmarks": [{"name": b.name, "items": b.items.height, "content_hash": b.content_hash, "sources": list(b.sources),
                        "read_as": b.read_as} for b in benchmarks.values()],
        "examples": _examples(rows, benchmarks, settings.examples, context),
        "siblings": _set_aside(rows, "numbers_consistent"),
        "passage_only": _set_aside(rows, "holds_question"),
        "leaked_items": _leaked_items(flagged, benchmarks),
    }
    for warning in warnings:
        logging.getLogger("qcaudit").warning(warning)
    if warnings:
        tables["warnings"] = warnings
    return AnalyzerResult(metrics, rows, tables)


def _leaked_items(flagged: dict[str, list[pl.DataFrame]], benchmarks: dict[str, Benchmark]) -> list[dict[str, Any]]:
    """Every benchmark item that some method matched to a row (``flagged``: each method's
    (row_id, item_id, benchmark) pairs): ``rows`` matching it, the ``methods`` that did (in
    :data:`METHOD_ORDER`), the ``first_row_id`` and, for the :data:`LEAKED_SHOWN` the report
    shows, the start of its text (its id names it: a benchmark may have many thousands); each
    benchmark's in turn, the most rows first, then in the benchmark's order."""
    hits = pl.concat([frame.select(ROW_ID, ITEM_ID, "benchmark", pl.lit(method).alias("method"))
                      for method, frames in flagged.items() for frame in frames])
    records: list[dict[str, Any]] = []
    for name, bench in benchmarks.items():
        items = bench.items.select(ITEM_ID, pl.col(ITEM_TEXT).str.slice(0, LEAKED_ITEM_CHARS).alias("item_start"),
                                   pl.int_range(pl.len()).alias("position"))
        leaked = (hits.filter(pl.col("benchmark") == name)
                  .group_by(ITEM_ID)
                  .agg(pl.col(ROW_ID).n_unique().alias("rows"), pl.col("method").unique().alias("methods"),
                       pl.col(ROW_ID).min().alias("first_row_id"))
                  .join(items, on=ITEM_ID)
                  .sort(["rows", "position"], descending=[True, False]))
        records += [{"benchmark": name, ITEM_ID: r[ITEM_ID], "rows": r["rows"],
                     "methods": ", ".join(m for m in METHOD_ORDER if m in r["methods"]), "first_row_id": r["first_row_id"],
                     "item_start": r["item_start"] if shown < LEAKED_SHOWN else None}
                    for shown, r in enumerate(leaked.iter_rows(named=True))]
    return records


def _set_aside(rows: pl.DataFrame, check: str) -> int:
    """Rows no method flags whose lexical match was set aside by ``check``: by its numbers
    (``numbers_consistent``, ``lexical_number_check``) or by its question (``holds_question``,
    ``lexical_question_check``)."""
    checked = [pl.col(f"{m}_{check}").eq(False).fill_null(False) for m in ("ngram", "substring")
               if f"{m}_{check}" in rows.columns]
    return int(rows.filter(~pl.col("contaminated") & pl.any_horizontal(checked)).height) if checked else 0


def _unchecked_by_ngrams(bench: Benchmark, skipped: int, settings: ContaminationSettings) -> str | None:
    """A warning when ``skipped`` of the benchmark's items are too short for the n-gram method
    to check (fewer than ``ngram_min_tokens`` words), so that its count of 0 is not read as
    clean: which other method checks them, and why text without spaces is short."""
    if not skipped:
        return None
    texts = bench.items[ITEM_TEXT]
    words = ngram_tokens(texts).lengths
    short = words < settings.ngram_min_tokens
    unspaced = texts.filter(short).str.len_chars().sum() >= UNSPACED_CHARS_PER_TOKEN * max(words[short].sum(), 1)
    others = [m for m in METHOD_ORDER if m in settings.methods and m != "ngram"]
    return (f"{skipped:,} of {bench.items.height:,} items of benchmark {bench.name!r} have fewer than "
            f"{settings.ngram_min_tokens} words, and the n-gram method does not check them"
            + (" (text without spaces between words, such as Thai, is a word a sentence to it)"
               if unspaced else "")
            + (f"; {' and '.join(others)} do" if others else "; add the substring or semantic method (--methods)"))


#: An item of fewer letters and digits than this is the substring method's whole pattern,
#: found wherever a row holds those characters, inside other words too ("1" in "Q1").
SHORT_SUBSTRING_CHARS = 8


def _matched_inside_words(bench: Benchmark, patterns: pl.DataFrame) -> str | None:
    """A warning when some of the benchmark's items are shorter than
    :data:`SHORT_SUBSTRING_CHARS` letters and digits, as the items of a column of numbers or
    one-word answers are: the substring method, as the GPT-4 report's check, looks for such an
    item whole and finds it inside rows that hold nothing of the benchmark."""
    short = patterns.filter(pl.col(PATTERN).str.len_chars() < SHORT_SUBSTRING_CHARS)[ITEM].n_unique()
    if not short:
        return None
    return (f"{short:,} of {bench.items.height:,} items of benchmark {bench.name!r} have fewer than "
            f"{SHORT_SUBSTRING_CHARS} letters and digits, and the substring method finds them wherever a row holds "
            "those characters, inside other words too; if the items should be longer, check which column the "
            "benchmark is read from (adapter, fields)")


#: The verifier weighs a pair against the benchmark's other items (the margin's
#: neighbourhood); below this many, ``bench_contamination.py small`` measured more rows
#: flagged wrongly: rewordings of related questions the benchmark does not hold.
FEW_ITEMS = 20


def _few_items_to_weigh_against(bench: Benchmark, settings: ContaminationSettings) -> str | None:
    """A warning when the verifier (not a judge model) judges against a benchmark of fewer
    than :data:`FEW_ITEMS` items."""
    if "semantic" not in settings.methods or settings.judge_model or bench.items.height >= FEW_ITEMS:
        return None
    return (f"benchmark {bench.name!r} has {bench.items.height:,} {'item' if bench.items.height == 1 else 'items'}: "
            f"the semantic method weighs each pair against the benchmark's other items, and with fewer than {FEW_ITEMS} "
            "it flags more rows wrongly (rewordings of related questions it does not hold); read the evidence of its "
            "flags, audit against the whole test set, or let a judge model decide (--judge-model)")


#: What the semantic method loses on texts the default encoder does not read (hand
#: translations of GSM8K test items into Chinese and Russian: none found, tested).
_UNREAD_TRANSLATIONS = "a translation of a benchmark item is not found by it (numbers and code still count)"


#: A benchmark and method that flagged nothing.
_NO_HITS = pl.DataFrame(schema={ROW_ID: pl.UInt32, ITEM_ID: pl.String})


def lexical_matches(method: str, bench: Benchmark, texts: pl.Series, settings: ContaminationSettings,
                    lookup: NgramIndex | pl.DataFrame, evidence: ItemEvidence | None = None,
                    questions: pl.DataFrame | None = None) -> tuple[pl.DataFrame, str]:
    """All (row, item) matches of one lexical method against one benchmark, with the method's
    scores; ``lookup``: the benchmark's n-gram index, or its sampled substrings. With the
    items' ``evidence`` (``lexical_number_check``), a match flags its row only when
    ``numbers_consistent``: the row holds the item's numbers; with the items' ``questions``
    (:func:`asked_questions`, ``lexical_question_check``), only when ``holds_question``
    (null for an item that asks nothing about a passage)."""
    bench_sig = f"bench:{bench.name}@{bench.content_hash[:12]}"
    checked = (["numbers:v5"] if evidence is not None else []) + (["question:v1"] if questions is not None else [])
    if method == "ngram":
        index = lookup
        sizes = pl.DataFrame({"item": np.arange(len(index.item_ngrams), dtype=np.uint32), "size": index.item_ngrams})
        matches = (
            ngram_matches(index, texts)
            .join(sizes, on="item")
            .with_columns((pl.col("shared") / pl.col("size")).alias("coverage"))
            .drop("size")
        )
        sig = signature(
            "contamination_ngram", f"n:{settings.ngram_n}", f"min_tokens:{settings.ngram_min_tokens}",
            "norm:nfkc,janitor,cjk", *checked, bench_sig,
        )
    else:
        matches = substring_matches(lookup, texts, bench.items[ITEM_TEXT])
        sig = signature(
            "contamination_substring", f"k:{settings.substring_count}", f"len:{settings.substring_length}",
            f"seed:{settings.seed}+item", "norm:nfkc,alnum,lc", *checked, bench_sig,
        )
    checks = [pl.lit(True)]
    matched = matches["row"].unique()
    matched_texts = texts.gather(matched)  # (the rows a check reads: those with a match)
    if evidence is not None:
        row_texts = dict(zip(matched.to_list(), matched_texts.to_list(), strict=True))
        consistent = evidence.numbers_consistent(list(matches.select("row", "item").iter_rows()), row_texts)
        matches = matches.with_columns(pl.Series("numbers_consistent", consistent, dtype=pl.Boolean))
        checks.append(pl.col("numbers_consistent"))
    if questions is not None:
        matches = _with_questions_held(matches, matched, matched_texts, questions)
        checks.append(pl.col("holds_question").fill_null(True))
    return _label(matches.with_columns(pl.all_horizontal(checks).alias("flagged")), bench), sig


def _with_system_turns_told(matches: pl.DataFrame, with_setup: pl.Series,
                            on_text_alone: Callable[[pl.Series], pl.DataFrame]) -> pl.DataFrame:
    """``matches`` (of rows read with their system turns before their text) with
    ``in_system_turns``: for a flagged match on a row that has system turns (``with_setup``,
    by position), whether it needed them, as the same match of the text alone
    (``on_text_alone``: the matches of the rows at those positions, by their place among them)
    does not flag; null for other matches. A reviewer is told to look in the system prompt,
    which the row's text leaves out."""
    asked = matches.filter(pl.col("flagged") & pl.col("row").is_in(pl.Series(with_setup.arg_true(), dtype=pl.UInt32).implode()))
    if asked.is_empty():
        return matches.with_columns(pl.lit(None, dtype=pl.Boolean).alias("in_system_turns"))
    rows = asked["row"].unique().sort()
    alone = on_text_alone(rows).filter(pl.col("flagged"))
    alone = alone.select(rows.gather(alone["row"]).alias("row"), "benchmark", ITEM_ID, pl.lit(False).alias("in_system_turns"))
    needed = asked.select("row", "benchmark", ITEM_ID).join(alone, on=["row", "benchmark", ITEM_ID], how="left").with_columns(
        pl.col("in_system_turns").fill_null(True))
    return matches.join(needed, on=["row", "benchmark", ITEM_ID], how="left", maintain_order="left")


def asked_questions(bench: Benchmark) -> pl.DataFrame:
    """``item`` (position) and ``question``: the question of each item that asks one about a
    passage (its ``stem`` part), reduced to letters and digits as the substring method reads
    text."""
    stems = bench.parts.filter(pl.col("part") == "stem")
    return pl.DataFrame({"item": stems["item"], "question": alnum_text(stems["text"])},
                        schema={"item": pl.UInt32, "question": pl.String})


def _with_questions_held(matches: pl.DataFrame, rows: pl.Series, row_texts: pl.Series, questions: pl.DataFrame) -> pl.DataFrame:
    """``matches`` with ``holds_question``: whether the row holds its item's question (letters
    and digits, in order), null for an item that asks none about a passage; ``rows``: the
    matched rows, ``row_texts`` their texts."""
    asking = matches.select("row", "item").join(questions, on="item")
    texts = pl.DataFrame({"row": rows, "text": row_texts}).filter(pl.col("row").is_in(asking["row"].implode()))
    reduced = pl.DataFrame({"row": texts["row"], "reduced": alnum_text(texts["text"])})  # (only rows matched with such an item)
    held = (asking.join(reduced, on="row")
            .select("row", "item", pl.col("reduced").str.contains(pl.col("question"), literal=True).alias("holds_question")))
    return matches.join(held, on=["row", "item"], how="left")


def _label(matches: pl.DataFrame, bench: Benchmark) -> pl.DataFrame:
    """Item positions to item ids, plus the benchmark's name."""
    items = bench.items.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("item"), ITEM_ID)
    return matches.join(items, on="item").drop("item").with_columns(pl.lit(bench.name).alias("benchmark"))


def _semantic(
    items: SemanticItems, row_texts: list[str], row_parts: TextParts, row_vectors: np.ndarray, encoder: Encoder,
    settings: ContaminationSettings, judge: Judge | None,
) -> tuple[pl.DataFrame, str]:
    """Nearest items by embedding (whole, by part, in windows), each candidate pair scored by
    the verifier, or by the judge model when one is set."""
    bench = items.bench
    scored = semantic_pairs(items, row_texts, row_parts, row_vectors, encoder, settings.semantic_top_k, settings.semantic_min_cosine)
    verdict = [f"threshold:{settings.semantic_threshold}", "verifier:v23", "spans:v2", "comments:v1"]
    if judge is not None:
        scored = judge_candidates(scored, row_texts, bench, settings, judge)
        flagged = pl.col("judge_probability").fill_null(0.0) >= settings.judge_threshold
        verdict = [judge.signature, f"judge_min_cos:{settings.judge_min_cosine}",
                   f"judge_top_k:{settings.judge_top_k}", f"judge_threshold:{settings.judge_threshold}"]
    else:
        flagged = pl.col("score") >= settings.semantic_threshold
    details = [c for c in DETAILS["semantic"] if c in scored.columns]
    matches = scored.select("row", "item", "cosine", "margin", "score", flagged.alias("flagged"), *details)
    sig = signature(
        "contamination_semantic", encoder.signature, f"top_k:{settings.semantic_top_k}",
        f"min_cos:{settings.semantic_min_cosine}", *verdict, f"bench:{bench.name}@{bench.content_hash[:12]}",
    )
    return _label(matches, bench), sig


def judge_candidates(scored: pl.DataFrame, row_texts: list[str], bench: Benchmark, settings: ContaminationSettings, judge: Judge) -> pl.DataFrame:
    """``judge_probability`` for each row's ``judge_top_k`` best candidates at or above
    ``judge_min_cosine`` (null for the others), and the judge's word in the explanation."""
    chosen = judged_pairs(scored, settings.judge_min_cosine, settings.judge_top_k)
    items = bench.items[ITEM_TEXT]
    probability = judge.probabilities([row_texts[r] for r in chosen["row"]], [items[i] for i in chosen["item"]])
    judged = chosen.with_columns(pl.Series("judge_probability", probability, dtype=pl.Float64))
    return scored.join(judged, on=["row", "item"], how="left").with_columns(
        pl.when(pl.col("judge_probability").is_not_null())
        .then(pl.format("{}; judge {}", "evidence", pl.col("judge_probability").round(3)))
        .otherwise(pl.col("evidence"))
        .alias("evidence")
    )


def _cached_ngram_index(bench: Benchmark, n: int, min_tokens: int) -> NgramIndex:
    """The benchmark's n-gram index, built once per (content, settings) and kept on disk."""
    key = cache_key(kind="ngram", content=bench.content_hash, n=n, min_tokens=min_tokens, format=3)

    def build(directory):
        index = build_ngram_index(bench.items[ITEM_TEXT], n, min_tokens)
        index.grams.write_parquet(directory / "grams.parquet")
        pl.DataFrame({"skipped_items": [index.skipped_items]}).write_parquet(directory / "meta.parquet")

    directory = cached_dir("ngram-index", key, build)
    grams = pl.read_parquet(directory / "grams.parquet")
    skipped = int(pl.read_parquet(directory / "meta.parquet")["skipped_items"][0])
    item_ngrams = np.bincount(grams["item"].to_numpy(), minlength=bench.items.height)
    return NgramIndex(n, min_tokens, grams, item_ngrams, skipped)


def _method_metrics(bench: Benchmark, method: str, hits: pl.DataFrame, n_rows: int, sig: str) -> dict[str, Metric]:
    """One method's flagged (row_id, item_id) pairs against one benchmark, counted."""
    flagged = hits[ROW_ID].n_unique()
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
        .select("row", "benchmark", ITEM_ID, *order, *[c for c in DETAILS.get(method, []) if c in matches.columns])
    )
    return best.rename({c: f"{method}_{c}" for c in best.columns if c != "row"})


def _row_columns(row_ids: pl.Series, best: dict[str, pl.DataFrame], methods: list[str]) -> pl.DataFrame:
    """Per row with text: each method's best match and the verdict over all methods."""
    rows = row_ids.to_frame()
    for frame in best.values():
        rows = rows.join(frame, on=ROW_ID, how="left", maintain_order="left")
    present = [m for m in methods if m in best]
    flagged = {m: pl.col(f"{m}_flagged").fill_null(False) for m in present}
    first = lambda column: pl.coalesce([pl.when(flagged[m]).then(pl.col(f"{m}_{column}")) for m in present])  # noqa: E731
    method = pl.coalesce([pl.when(flagged[m]).then(pl.lit(m)) for m in present])
    evidence = pl.coalesce([pl.when(flagged[m]).then(_evidence(m)) for m in present])
    return rows.with_columns(
        pl.any_horizontal(list(flagged.values())).alias("contaminated"),
        first("benchmark").alias("contamination_benchmark"),
        first(ITEM_ID).alias("contamination_item_id"),
        method.alias("contamination_method"),
        evidence.alias("contamination_evidence"),
    )


def _evidence(method: str) -> pl.Expr:
    """Why ``method`` flagged a row, in one line."""
    where = pl.when(pl.col(f"{method}_in_system_turns")).then(pl.lit("'s system turns")).otherwise(pl.lit(""))
    if method == "ngram":
        return pl.format("{} of the item's n-grams in the row{} ({}%)", "ngram_shared", where,
                         (pl.col("ngram_coverage") * 100).round(1))
    if method == "substring":
        whole = pl.when(pl.col("substring_whole")).then(pl.lit("; the whole item (letters and digits)")).otherwise(pl.lit(""))
        return pl.format("{} sampled substrings of the item in the row{}{}", "substring_hits", where, whole)
    return pl.format("score {}; {}", pl.col("semantic_score").round(4), "semantic_evidence")


def _overall_metrics(
    rows: pl.DataFrame, flagged: dict[str, list[pl.DataFrame]], benchmarks: dict[str, Benchmark], n_rows: int
) -> dict[str, Metric]:
    sig = signature("contamination", "methods:" + ",".join(flagged), "bench:" + ",".join(
        f"{b.name}@{b.content_hash[:12]}" for b in benchmarks.values()))
    everything = pl.concat([frame for frames in flagged.values() for frame in frames])
    metrics = {}
    leak_rates = []
    for name, bench in benchmarks.items():
        mine = everything.filter(pl.col("benchmark") == name)
        rows_flagged, leaked = mine[ROW_ID].n_unique(), mine[ITEM_ID].n_unique()
        leak_rates.append(leaked / bench.items.height)
        metrics[f"contaminated_rows.{name}"] = Metric(rows_flagged, sig)
        metrics[f"contamination_rate.{name}"] = Metric(rows_flagged / n_rows, sig)
        metrics[f"benchmark_leak_rate.{name}"] = Metric(leak_rates[-1], sig)
    contaminated = int(rows["contaminated"].sum())
    metrics["contaminated_rows"] = Metric(contaminated, sig)
    metrics["contamination_rate"] = Metric(contaminated / n_rows, sig)
    metrics["benchmark_leak_rate"] = Metric(max(leak_rates, default=0.0), sig)
    return metrics


def _examples(rows: pl.DataFrame, benchmarks: dict[str, Benchmark], limit: int, context) -> list[dict[str, Any]]:
    """Flagged rows beside their benchmark item, with the shared word runs marked (the rows'
    text read again from the input; a row whose match lies in its system turns, quoted with
    them)."""
    flagged = rows.filter(pl.col("contaminated")).sort(ROW_ID).head(limit)
    in_setup = pl.coalesce([pl.when(pl.col("contamination_method") == m).then(pl.col(f"{m}_in_system_turns"))
                            for m in ("ngram", "substring") if f"{m}_in_system_turns" in rows.columns] or [pl.lit(None)])
    flagged = flagged.with_columns(in_setup.fill_null(False).alias("in_system_turns"))
    texts = context.parts_of_rows(flagged[ROW_ID].to_list(), (TEXT, SETUP) if flagged["in_system_turns"].any() else (TEXT,))
    examples = []
    for r in flagged.iter_rows(named=True):
        items = benchmarks[r["contamination_benchmark"]].items
        item_text = items.filter(pl.col(ITEM_ID) == r["contamination_item_id"])[ITEM_TEXT][0]
        read = texts[r[ROW_ID]]  # (a match in the system turns is quoted as the lexical methods read it: they, then the text)
        row_text = "\n".join(filter(None, [read.get(SETUP), read[TEXT]])) if r["in_system_turns"] else read[TEXT]
        row_segments, item_segments = highlight_overlap(row_text[:EXAMPLE_CHARS], item_text[:EXAMPLE_CHARS])
        examples.append({
            ROW_ID: r[ROW_ID], "benchmark": r["contamination_benchmark"], ITEM_ID: r["contamination_item_id"],
            "method": r["contamination_method"], "evidence": r["contamination_evidence"],
            "row_segments": row_segments, "item_segments": item_segments,
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
