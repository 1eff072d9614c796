"""The semantic method run with an encoder, as the contamination analyzer and the benchmarks run it.

A benchmark's items are embedded by part and indexed once (:class:`SemanticItems`); rows are
embedded whole, by prompt and in windows (:func:`embed_rows`); :func:`semantic_pairs` finds each
row's candidate items (:func:`~qcaudit.contamination.semantic.nearest_items`, by words and by
code fingerprints too), reads long rows again at the passage that holds an item's words,
compares two-statement texts statement by statement (:func:`statement_similarities`) and
verifies every pair (:func:`~qcaudit.contamination.semantic.verify`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from qcaudit.benchmarks import ITEM_TEXT, Benchmark
from qcaudit.contamination.evidence import statements
from qcaudit.contamination.semantic import (
    ItemEvidence,
    ItemIndex,
    TextParts,
    best_verified,
    nearest_items,
    spans,
    verify,
    worded_candidates,
)
from qcaudit.embed import DEFAULT_MODEL, Encoder


def embed_rows(row_texts: list[str], encoder: Encoder, progress: bool = False, tokens: pl.Series | None = None,
               prompts: list[str | None] | None = None) -> tuple[TextParts, np.ndarray]:
    """Rows as the semantic method embeds them (:meth:`TextParts.of_rows`: whole, by
    ``prompts`` when given, long ones also in windows); ``tokens``: the token ids of those
    parts in that order, when prepared (:meth:`Contamination.prepare`). Progress counts
    texts, not rows: a long row's windows, a prompt and a code row's comments are texts of
    their own (GSM8K train's 7,473 rows, question and answer, are 16,145)."""
    row_parts = TextParts.of_rows(row_texts, prompts)
    return row_parts, encoder.encode(pl.Series(row_parts.text, dtype=pl.String), progress=progress, tokens=tokens,
                                     label="embedding rows and their parts", unit="texts")


@dataclass(frozen=True)
class SemanticItems:
    """A benchmark as the semantic method searches and verifies it: its items' parts, their
    evidence and their index (:class:`ItemIndex`), built once per benchmark (once per
    analyzer, once per Ray actor), not once per batch. Items of one text (white space aside)
    are one item to the verifier, scored once for every copy (``copies``: each item's
    position beside its first's; None without copies): a copy would be its twin's nearest
    neighbour and halve its numbers' rarity, and a rewording of either would no longer stand
    out of its neighbourhood."""

    bench: Benchmark
    copies: pl.DataFrame | None
    parts: TextParts
    evidence: ItemEvidence
    index: ItemIndex
    statements: dict[int, np.ndarray]  # (a two-statement item's statements' vectors: :func:`statement_vectors`)

    @classmethod
    def of(cls, bench: Benchmark, encoder: Encoder) -> SemanticItems:
        distinct, copies = _distinct_items(bench)
        parts = TextParts.of_items(distinct.parts)
        vectors = encoder.encode(pl.Series(parts.text, dtype=pl.String), progress=True, label=f"embedding benchmark {bench.name}",
                                 unit="texts")
        return cls(bench, copies, parts, ItemEvidence.of(parts, distinct.choices), ItemIndex.of(vectors, parts),
                   statement_vectors(dict(enumerate(distinct.items[ITEM_TEXT].to_list())), encoder))


def statement_vectors(texts: dict[int, str], encoder: Encoder) -> dict[int, np.ndarray]:
    """For each of ``texts`` (by key) that states two statements (:func:`statements`), their
    vectors (2 x dimensions), embedded in one call."""
    read = {key: found for key, text in texts.items() if text and (found := statements(text))}
    if not read:
        return {}
    vectors = encoder.encode(pl.Series([s for pair in read.values() for s in pair], dtype=pl.String))
    return {key: vectors[2 * i : 2 * i + 2] for i, key in enumerate(read)}


def statement_similarities(
    candidates: pl.DataFrame, row_texts: list[str], item_statements: dict[int, np.ndarray], encoder: Encoder,
) -> dict[tuple[int, int], float]:
    """For each candidate (row, item) pair of a two-statement item and a two-statement row,
    the cosine of their least alike statements (first to first and second to second, or
    crossed where that is higher): a rephrasing rephrases both statements; an item beside
    it asks about the same objects and states something else of them in one (the converse,
    another property), which the whole texts' cosine hardly sees."""
    if not item_statements:
        return {}
    pairs = candidates.filter(pl.col("item").is_in(list(item_statements))).select("row", "item").unique(maintain_order=True)
    rows = statement_vectors({row: row_texts[row] for row in pairs["row"].unique(maintain_order=True).to_list()}, encoder)
    found = {}
    for row, item in pairs.iter_rows():
        if row in rows:
            cosines = rows[row] @ item_statements[item].T
            found[(row, item)] = float(max(min(cosines[0, 0], cosines[1, 1]), min(cosines[0, 1], cosines[1, 0])))
    return found


def semantic_pairs(
    items: SemanticItems, row_texts: list[str], row_parts: TextParts, row_vectors: np.ndarray, encoder: Encoder,
    top_k: int, min_cosine: float,
) -> pl.DataFrame:
    """Every candidate (row, item) pair with its features, verifier score and explanation;
    ``item``: the position in ``items.bench``, every copy of an item (:class:`SemanticItems`)."""
    item_parts, evidence = items.parts, items.evidence
    candidates = nearest_items(row_vectors, row_parts, items.index, top_k, min_cosine, extra=evidence.code_candidates(row_texts))
    proposed = pl.concat([candidates.select("row", "row_part", "item_part"),
                          worded_candidates(row_parts, item_parts, evidence, row_texts, top_k)]).sort("row", maintain_order=True)
    row_spans = spans(proposed, row_parts, item_parts, evidence, row_texts)
    if row_spans.text:  # long rows read again at the passage that holds a candidate item's words
        span_vectors = encoder.encode(pl.Series(row_spans.text, dtype=pl.String), progress=True,
                                      label="embedding spans of long rows", unit="texts")
        found = nearest_items(span_vectors, row_spans, items.index, top_k, min_cosine)
        candidates = pl.concat([candidates, found.with_columns(pl.col("row_part") + len(row_parts.text))])
        row_parts += row_spans
    statements_alike = statement_similarities(candidates, row_texts, items.statements, encoder)
    scored = best_verified(verify(candidates, row_parts, item_parts, evidence, row_texts, statements_alike,
                                  other_languages_read=encoder.model != DEFAULT_MODEL))
    if items.copies is None:
        return scored
    return scored.join(items.copies, left_on="item", right_on="distinct").drop("item").rename({"copy": "item"}).select(
        scored.columns).sort(["row", "item"])


def _distinct_items(bench: Benchmark) -> tuple[Benchmark, pl.DataFrame | None]:
    """The benchmark with the first item of each text (white space collapsed), and where it
    has copies, each item's position (``copy``) beside its first's in the distinct one
    (``distinct``); None without copies."""
    key = bench.items[ITEM_TEXT].str.replace_all(r"\s+", " ").str.strip_chars()
    first = key.is_first_distinct()
    if first.all():
        return bench, None
    distinct_position = pl.DataFrame({"key": key.filter(first)}).with_row_index("distinct")
    copies = (pl.DataFrame({"key": key}).with_row_index("copy").join(distinct_position, on="key", maintain_order="left")
              .select(pl.col("distinct").cast(pl.UInt32), pl.col("copy").cast(pl.UInt32)))
    return replace(bench, items=bench.items.filter(first)), copies
