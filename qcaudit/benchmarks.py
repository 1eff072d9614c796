"""Benchmark test sets to check training data against: load, pick each item's text, give it an id.

Adapters for the common shapes (``auto`` picks one by the benchmark's name, then by its
columns):

- ``gsm8k``: jsonl with ``question``; id ``<name>/<line index>``.
- ``humaneval``: ``prompt`` + ``canonical_solution``; id ``task_id``.
- ``mmlu``: csv without header (question, four choices, answer letter), a file per subject;
  text = question + choices; id ``<subject file>/<row index>``.
- ``fields``: the configured ``fields`` joined by newlines; id from ``id_field`` or the index.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from qcaudit.errors import QcauditError
from qcaudit.io import read_files

ITEM_ID, ITEM_TEXT = "item_id", "item_text"
ADAPTERS = ("auto", "gsm8k", "humaneval", "mmlu", "fields")


@dataclass(frozen=True)
class Benchmark:
    """A benchmark's items: ``item_id`` and ``item_text``, one row per test item."""

    name: str
    items: pl.DataFrame

    @property
    def content_hash(self) -> str:
        """SHA-256 of the ids and texts: what caches of this benchmark are keyed by."""
        digest = hashlib.sha256()
        for item_id, text in self.items.iter_rows():
            digest.update(f"{len(item_id)}:{item_id}{len(text)}:{text}".encode())
        return digest.hexdigest()


def load_benchmark(
    name: str, path: str | Path, adapter: str = "auto", fields: list[str] | None = None, id_field: str | None = None
) -> Benchmark:
    """Read a benchmark file (or directory, or glob) and shape it with an adapter."""
    if adapter not in ADAPTERS:
        raise QcauditError(f"benchmark {name!r}: unknown adapter {adapter!r}; use one of {', '.join(ADAPTERS)}")
    if adapter == "auto":
        adapter = _guess_adapter(name, path, fields)
    tables = read_files(path, csv_header=adapter != "mmlu")
    frames = [_shape(name, file, table, adapter, fields or [], id_field) for file, table in tables]
    items = pl.concat(frames).filter(pl.col(ITEM_TEXT).str.strip_chars() != "")
    if items.height == 0:
        raise QcauditError(f"benchmark {name!r}: {path} holds no items with text")
    if items[ITEM_ID].n_unique() != items.height:
        raise QcauditError(f"benchmark {name!r}: item ids are not unique; set id_field to a unique column")
    return Benchmark(name, items)


def _guess_adapter(name: str, path: str | Path, fields: list[str] | None) -> str:
    if fields:
        return "fields"
    lowered = f"{name} {path}".lower()
    for adapter in ("gsm8k", "humaneval", "mmlu"):
        if adapter in lowered:
            return adapter
    columns = set(read_files(path)[0][1].columns)
    if {"prompt", "canonical_solution"} <= columns:
        return "humaneval"
    if "question" in columns:
        return "gsm8k"
    raise QcauditError(
        f"benchmark {name!r}: cannot tell its shape from columns {', '.join(sorted(columns))}; "
        "set adapter (gsm8k, humaneval, mmlu) or fields"
    )


def _shape(name: str, file: Path, table: pl.DataFrame, adapter: str, fields: list[str], id_field: str | None) -> pl.DataFrame:
    index = pl.int_range(pl.len()).cast(pl.String)
    if adapter == "mmlu":
        if table.width < 6:
            raise QcauditError(f"benchmark {name!r}: {file} has {table.width} columns; MMLU csv has question, 4 choices, answer")
        question, *choices = table.columns[:5]
        subject = file.name.split(".")[0]
        return table.select(
            (pl.lit(f"{subject}/") + index).alias(ITEM_ID),
            pl.concat_str([pl.col(question), *map(pl.col, choices)], separator="\n", ignore_nulls=True).alias(ITEM_TEXT),
        )
    if adapter == "gsm8k":
        fields, id_expr = ["question"], pl.lit(f"{name}/") + index
    elif adapter == "humaneval":
        fields, id_expr = ["prompt", "canonical_solution"], pl.col("task_id")
        _require(name, file, table, ["task_id"])
    else:
        if not fields:
            raise QcauditError(f"benchmark {name!r}: the 'fields' adapter needs fields = [...]")
        id_expr = pl.col(id_field).cast(pl.String) if id_field else pl.lit(f"{name}/") + index
        if id_field:
            _require(name, file, table, [id_field])
    _require(name, file, table, fields)
    text = pl.concat_str([pl.col(f).cast(pl.String) for f in fields], separator="\n", ignore_nulls=True)
    return table.select(id_expr.cast(pl.String).alias(ITEM_ID), text.fill_null("").alias(ITEM_TEXT))


def _require(name: str, file: Path, table: pl.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise QcauditError(
            f"benchmark {name!r}: {file} has no column {missing[0]!r}; available: {', '.join(table.columns)}"
        )
