"""What qcaudit reads of a dataset, before auditing it (``qcaudit inspect``).

Which part of a row is its text, and where each part the analyzers read comes from (the
prompt and response of the reward, IFD and contamination analyzers, a preference pair's
answers, a chat's system turns), is found by column name across many layouts
(:mod:`qcaudit.io`). A long run on an input read otherwise than meant is a run lost; this
reads the input as an audit does (the same ``[input]`` settings and flags) and says what it
read: the files, their format and rows, the text's source (the line every report starts
with), the columns behind each part, and the first rows' text and parts; and, for the
benchmarks given, how each is read (its files, the adapter and columns that make its items,
found by name and columns as a decontamination run finds them) and its first items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from qcaudit.benchmarks import (
    ITEM_ID,
    ITEM_TEXT,
    PART_PREFIX,
    Benchmark,
    load_benchmarks,
)
from qcaudit.columns import (
    CHOSEN,
    CHOSEN_RATING,
    DESIRABLE,
    PROMPT,
    REJECTED,
    REJECTED_RATING,
    RESPONSE,
    ROW_ID,
    SETUP,
    TEXT,
    TEXT_STATUS,
)
from qcaudit.context import load_input

#: The parts shown, where the input gives them, in this order (:data:`qcaudit.io.PARTS`; a
#: response without its reasoning is the response's column too, and not shown apart).
SHOWN_PARTS = (PROMPT, RESPONSE, CHOSEN, REJECTED, SETUP, DESIRABLE, CHOSEN_RATING, REJECTED_RATING)


@dataclass(frozen=True)
class BenchmarkInspection:
    """How a benchmark is read: its files, ``read_as`` (the adapter and the columns it was
    given or guessed), how many items, and the first items: ``item_id``, ``item_text``, each
    part of an item that a rephrasing may copy alone (``stem``, ``code``, ...) and
    ``choices`` where it has answer options."""

    name: str
    sources: tuple[str, ...]
    read_as: str
    items: int
    first_items: pl.DataFrame

    @classmethod
    def of(cls, benchmark: Benchmark, items: int) -> BenchmarkInspection:
        first = benchmark.items.head(items)
        first = first.rename({c: c.removeprefix(PART_PREFIX) for c in first.columns if c.startswith(PART_PREFIX)})
        return cls(benchmark.name, benchmark.sources, benchmark.read_as, benchmark.items.height, first)

    @property
    def parts(self) -> list[str]:
        """The items' parts and options, beside their id and text."""
        return [name for name in self.first_items.columns if name not in (ITEM_ID, ITEM_TEXT)]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "sources": list(self.sources), "read_as": self.read_as, "items": self.items,
                "parts": self.parts, "first_items": self.first_items.to_dicts()}


@dataclass(frozen=True)
class Inspection:
    """How a dataset is read: ``read_from`` names the columns behind the text and each part
    a flag can name (the text's, the prompt's, a pair's verdict or ranked list, ...);
    ``first_rows`` holds the first rows' ``row_id``, text, ``text_status`` and the parts the
    input gives."""

    sources: list[str]
    format: str
    rows: int
    input_rows: int | None
    text_source: str
    read_from: dict[str, list[str]]
    first_rows: pl.DataFrame
    benchmarks: list[BenchmarkInspection]

    @property
    def parts(self) -> list[str]:
        """The parts the input gives, beside the text."""
        return [name for name in self.first_rows.columns if name in SHOWN_PARTS]

    def to_json(self) -> dict[str, Any]:
        return {"sources": self.sources, "format": self.format, "rows": self.rows, "input_rows": self.input_rows,
                "text_source": self.text_source, "read_from": self.read_from, "parts": self.parts,
                "first_rows": self.first_rows.to_dicts(), "benchmarks": [b.to_json() for b in self.benchmarks]}


def inspect_input(data: Any, config: Any, rows: int) -> Inspection:
    """How ``data`` is read under ``config``'s ``[input]`` settings, with its first ``rows`` rows,
    and how each of ``config``'s benchmarks is, with its first ``rows`` items."""
    dataset = load_input(data, config)
    parts = tuple(part for part in SHOWN_PARTS if part == SETUP or dataset.has_part(part))  # (system turns: every input has the part)
    first = dataset.first_rows(parts, rows).select(ROW_ID, TEXT, TEXT_STATUS, *parts)
    if first[SETUP].null_count() == first.height:  # (no chat, or none of these rows has a system turn)
        first = first.drop(SETUP)
    selection = dataset.selection
    read_from = selection.sources()
    if selection.preferred_by:
        read_from["pairs judged by"] = [selection.preferred_by]
    if selection.label:
        read_from[DESIRABLE] = [selection.label]
    if selection.ratings:
        read_from["pair ratings"] = list(selection.ratings)
    benchmarks = [BenchmarkInspection.of(benchmark, rows) for benchmark in load_benchmarks(config.benchmarks).values()]
    return Inspection(dataset.sources, dataset.format, dataset.rows, dataset.input_rows, dataset.text_source, read_from, first,
                      benchmarks)
