"""Semantic contamination: nearest benchmark items by embedding, then a verification score.

1. **Granularity.** A rephrasing often copies one part of an item (an MMLU question without
   its passage or options, a HumanEval task's description or its code), or sits inside a
   long row. So items are embedded whole and by part (:attr:`Benchmark.parts`), rows whole,
   by their prompt (when the text also holds the answer) and by their comments (code that
   keeps its task's docstring as a comment: :data:`COMMENT_MIN_WORDS`), and long texts of
   both also in overlapping windows of :data:`WINDOW_WORDS` words. Each
   part kind has its own exact inner-product index (faiss, L2-normalised vectors). A row
   much longer than a candidate item (a nearest one, or one whose words it holds:
   :func:`worded_candidates`) is then also read at its span (:func:`spans`): the sentences
   that hold most of the item's words, where a rewording inside a document is not diluted
   by the rest. A (row, item) pair keeps its best pair of parts.
2. **Margin.** Cosine alone confuses a rewording with a different item from a dense
   neighbourhood (the same template, the same subject). The ratio margin of bitext mining
   (Artetxe & Schwenk 2019) divides the cosine by the mean similarity of both sides'
   neighbourhoods: the row's :data:`NEIGHBOURS` nearest items, and the item's nearest other
   items of the benchmark. A true match stands out of both (margin well above 1); a
   sibling in a dense template does not.
3. **Evidence** (:mod:`qcaudit.contamination.evidence`; a text's numbers are read by
   :mod:`~qcaudit.contamination.number_reading`, its code by
   :mod:`~qcaudit.contamination.code_reading`): numbers, content words, answer options,
   identifiers and code fingerprints that the pair shares. Code fingerprints also
   propose candidates of their own (renamed or translated code that the encoder places
   far from its original). A two-statement row and item ("Statement 1 | ... Statement 2 |
   ...") are also compared statement by statement (``statement_similarity``, embedded for
   their candidate pairs only: :mod:`~qcaudit.contamination.semantic_search`): a
   rephrasing rephrases both statements (in a translation, whose words are not compared,
   their likeness is evidence of its own: :func:`statement_agreement`).
4. **Score**: a logistic combination of cosine, margin and evidence with the non-negative
   weights in :data:`WEIGHTS`, fitted across four domains (math, multiple choice, code,
   prose) by ``benchmarks/bench_contamination.py calibrate`` and checked leave one domain
   out. A pair is contaminated when its score is at least the configured threshold. A pair
   whose words cannot be compared (a translation into another language or script), read by
   an encoder given by path, is scored by :data:`WEIGHTS_WITHOUT_WORDS`, fitted the same way
   without word evidence.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from qcaudit.contamination.code_reading import code_comments, looks_like_code
from qcaudit.contamination.evidence import (
    AnswerOption, Evidence, Rarity, RowOptions, code_candidates, content_words, example_evidence, number_agreement,
    number_consistency, options_found, pair_evidence, read_as_english, recall, word_keys,
)
from qcaudit.contamination.number_reading import (
    WrittenNumbers, held_by_digits, numbers, numbers_written, unpunctuated_numbers,
)
from qcaudit.text import written_in_other_scripts

#: Texts longer than WINDOW_WORDS * 1.25 words are also embedded in windows of this many
#: words, half overlapping (the default encoder reads about 180 words at most).
WINDOW_WORDS = 128
#: Neighbourhood size of the ratio margin, and the floor of its denominator (a neighbourhood
#: of unrelated texts can average near zero or below, where a ratio means nothing).
NEIGHBOURS = 4
MIN_DENSITY = 0.05
#: Rows whose code holds this rarity-weighted share of an item's code fingerprints are
#: candidates for that item even when embedding search does not find it.
CODE_CANDIDATE_OVERLAP = 0.3
#: Kinds of text parts: a text whole, a window of a long one, a row's prompt (the
#: instruction of a row whose text also holds its answer), a row's span (the passage of a
#: long row that holds most of a candidate item's words: :func:`spans`) and a code row's
#: comments (:func:`~qcaudit.contamination.code_reading.code_comments`).
WHOLE, WINDOW, PROMPT_PART, SPAN, COMMENTS = "whole", "window", "prompt", "span", "comments"
#: A code row's comments and docstrings are a part of their own (kind ``comments``) from this
#: many words: a port or rewrite that keeps its task's docstring as a comment; and while
#: they are at most COMMENT_MAX_SHARE of the row's words (else the row reads as them whole).
COMMENT_MIN_WORDS, COMMENT_MAX_SHARE = 5, 0.8
#: A row at least this many words longer than a candidate item's part, and holding at least
#: SPAN_MIN_RECALL of its content words, is also read at its span: the passage of
#: SPAN_LENGTH x the part's words (plus SPAN_SLACK) that holds the most of them. A rewording
#: inside a long document (a web page, a question after paragraphs of context) is diluted
#: in the row's whole and in its windows of WINDOW_WORDS words; in its span it is not.
SPAN_EXTRA_WORDS, SPAN_MIN_RECALL, SPAN_LENGTH, SPAN_SLACK = 16, 0.5, 1.25, 4
#: ... and where the span holds at least this many of the part's distinct content words: a
#: sentence that shares two words with a four-word instruction ("Rank the following
#: universities.") is about the same thing, not a rewording of it.
SPAN_MIN_WORDS = 3
#: Rows of this many words or more also look for spans of the items whose words they hold,
#: beside those embedding search proposed (:func:`worded_candidates`).
WORDED_MIN_WORDS = 64
#: Long rows whose words are counted against the items' at once (a news document shares a word
#: or two with most items of GSM8K: a chunk's counts are about this many times the items).
WORDED_CHUNK_ROWS = 1024
#: A span reaches out this share of its length at most, either side, to where a sentence
#: begins or ends.
SPAN_REACH = 0.25
_SENTENCE_END = (".", "?", "!", ":", '."', '?"', '!"')
PAIR_SCHEMA = {"row": pl.UInt32, "item": pl.UInt32, "cosine": pl.Float64, "margin": pl.Float64,
               "row_part": pl.UInt32, "item_part": pl.UInt32}

#: Logistic weights of the verifier, printed by ``benchmarks/bench_contamination.py calibrate``.
WEIGHTS = {"intercept": -55.202, "similarity": 4.649, "word_recall": 6.237, "specific_evidence": 17.469, "number_consistency": 47.719}
#: The pair's features; the score reads the first four: ``similarity`` (cosine x margin),
#: ``word_recall``, ``specific_evidence`` (the strongest of the domain evidence: numbers,
#: options, code, a code item's docstring examples) and ``number_consistency``. One feature per kind of evidence for every
#: domain, so that a weight fitted on some domains carries over to another (checked leave
#: one domain out).
FEATURES = ("similarity", "word_recall", "specific_evidence", "number_consistency", "cosine", "margin", "number_agreement",
            "identifier_recall", "option_recall", "code_overlap", "literal_consistency", "example_agreement",
            "formula_consistency", "operation_consistency", "statement_similarity", "statement_agreement", "words_compared")
SCORED = FEATURES[:4]
#: The weights of a pair whose words cannot be compared: the row's or the item's text is
#: written in another script than Latin (:func:`~qcaudit.text.written_in_other_scripts`: a
#: translation into Chinese shares no word with its English item, and content words are read
#: in Latin script only) or in another language (:func:`_words_comparable`), read by an
#: encoder given by path (one that reads other languages).
#: Fitted by ``calibrate`` on the evaluation suite without ``word_recall`` and checked leave
#: one domain out, the intercept moved so that the cut chosen for them falls at the shipped
#: threshold (their own was 0.99).
WEIGHTS_WITHOUT_WORDS = {"intercept": -52.046, "similarity": 7.993, "specific_evidence": 19.618, "number_consistency": 43.571}
#: A two-statement row and item (MMLU's "Statement 1 | ... Statement 2 | ...") whose least
#: alike statements are less alike than this are not a rephrasing: its number consistency
#: is 0. On the free paraphrases of abstract algebra (2026-12-04), rephrased statements
#: were at 0.74 or more to their item's, statements of an item beside it at 0.60 or less.
STATEMENT_MIN_SIMILARITY = 0.65
#: Numbers and answer options are evidence of a rewording only in a row about the item's
#: subject: below this similarity (cosine x margin) they count as none. A list [2, 4, 6, 8,
#: 10] in a Python exercise is not the group {2, 4, 6, 8} of an algebra question. Code
#: fingerprints count at any similarity: code ported to C is far from its Python item by
#: cosine. On the evaluation suite every rewording found on numbers or options is at 0.47
#: or more (``bench_contamination.py cross`` measures the rows it keeps clean).
EVIDENCE_MIN_SIMILARITY = 0.35
#: A feature counts as evidence that fired (in the verdict's explanation) from this value.
FIRED = {"margin": 1.15, "number_agreement": 0.3, "example_agreement": 0.3, "word_recall": 0.5, "identifier_recall": 0.5,
         "option_recall": 0.5, "code_overlap": 0.3}


@dataclass(frozen=True)
class TextParts:
    """Texts cut into the pieces that are embedded: ``owner`` (which text), ``kind`` and ``text``."""

    owner: np.ndarray
    kind: list[str]
    text: list[str]

    @classmethod
    def of(cls, owners: list[int], kinds: list[str], texts: list[str]) -> TextParts:
        """Each text, plus its windows when it is long (kind ``window``)."""
        out_owner, out_kind, out_text = [], [], []
        for owner, kind, text in zip(owners, kinds, texts, strict=True):
            out_owner.append(owner)
            out_kind.append(kind)
            out_text.append(text)
            for window in windows(text):
                out_owner.append(owner)
                out_kind.append(WINDOW)
                out_text.append(window)
        return cls(np.asarray(out_owner, dtype=np.int64), out_kind, out_text)

    def __add__(self, other: TextParts) -> TextParts:
        """These parts, then ``other``'s (their positions offset by ``len(self.text)``)."""
        return TextParts(np.concatenate([self.owner, other.owner]), self.kind + other.kind, self.text + other.text)

    @classmethod
    def of_items(cls, parts: pl.DataFrame) -> TextParts:
        """A benchmark's items as they are embedded: each of its
        :attr:`~qcaudit.benchmarks.Benchmark.parts`, long ones also in windows."""
        return cls.of(parts["item"].to_list(), parts["part"].to_list(), parts["text"].to_list())

    @classmethod
    def of_rows(cls, texts: list[str], prompts: list[str | None] | None = None) -> TextParts:
        """Rows as they are embedded: each whole, its prompt where it has one that is not
        its whole text (a benchmark question asked as an instruction reads as itself, not
        diluted by the answer beside it), a code row's comments and docstrings (a port that
        keeps its task's description as a comment reads as that description, not diluted by
        code in another language); long ones also in windows."""
        pieces = []
        for row, text in enumerate(texts):
            pieces.append((row, WHOLE, text))
            prompt = prompts[row] if prompts is not None else None
            if prompt and not prompt.isspace() and prompt != text:
                pieces.append((row, PROMPT_PART, prompt))
            comments = code_comments(text)
            if COMMENT_MIN_WORDS <= len(comments.split()) <= COMMENT_MAX_SHARE * len(text.split()):
                pieces.append((row, COMMENTS, comments))
        owners, kinds, parts = zip(*pieces, strict=True) if pieces else ((), (), ())
        return cls.of(list(owners), list(kinds), list(parts))


def windows(text: str, size: int = WINDOW_WORDS) -> list[str]:
    """Overlapping windows of ``size`` words (stride size/2) of a text longer than 1.25 x size."""
    words = text.split()
    if len(words) <= size * 1.25:
        return []
    stride = size // 2
    starts = range(0, len(words) - size + stride, stride)
    return [" ".join(words[s : s + size]) for s in starts]


def spans(candidates: pl.DataFrame, rows: TextParts, items: TextParts, evidence: ItemEvidence, row_texts: list[str]) -> TextParts:
    """The spans (kind :data:`SPAN`) of the rows in ``candidates`` (pairs of parts, sorted by
    row) that are long beside their candidate item's part: per pair, the passage of the row
    (of its prompt, where the pair is the prompt's) of :data:`SPAN_LENGTH` x the part's words
    that holds the most of the part's content words, found by those words alone, so that a
    span depends on the row and the item only. Each distinct span once."""
    found: dict[tuple[int, str, int, int], str] = {}  # (row, source kind, first word, end): the span
    read: dict[tuple[int, str], tuple[list[str], list[str], Counter]] = {}
    for row, row_part, item_part in candidates.select("row", "row_part", "item_part").unique(maintain_order=True).iter_rows():
        item_words = evidence.parts[item_part].words
        if items.kind[item_part] == WINDOW or not item_words or evidence.parts[item_part].fingerprints:
            continue  # (code is not read in sentences: its evidence is its fingerprints, read from the whole row)
        source = PROMPT_PART if rows.kind[row_part] == PROMPT_PART else WHOLE
        if read and next(iter(read))[0] != row:
            read.clear()  # (rows come in order: only this row's words are held)
        if (row, source) not in read:
            text = rows.text[row_part] if source == PROMPT_PART else row_texts[row]
            read[(row, source)] = ([], [], Counter()) if looks_like_code(text) else word_keys(text)
        tokens, keys, words = read[(row, source)]
        length = round(len(items.text[item_part].split()) * SPAN_LENGTH) + SPAN_SLACK
        if len(tokens) < length + SPAN_EXTRA_WORDS or recall(item_words, words) < SPAN_MIN_RECALL:
            continue
        held = np.fromiter((key in item_words for key in keys), dtype=np.int32, count=len(keys))
        start = int(np.argmax(np.convolve(held, np.ones(length, dtype=np.int32), "valid")))  # (the first best)
        if len({key for key in keys[start : start + length] if key in item_words}) < SPAN_MIN_WORDS:
            continue
        start, end = _sentences_around(tokens, held, start, start + length)
        found.setdefault((row, source, start, end), " ".join(tokens[start:end]))
    return TextParts(np.asarray([row for row, *_ in found], dtype=np.int64), [SPAN] * len(found), list(found.values()))


def _sentences_around(tokens: list[str], held: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """The words ``start:end`` cut to the first and last that hold an item word, then
    widened to the sentences they are in (up to :data:`SPAN_REACH` of the length either
    side): a rewording inserted in a document is a sentence or a few, and the words around it
    dilute its embedding."""
    hits = np.flatnonzero(held[start:end])
    if not len(hits):
        return start, end
    reach = max(3, round((end - start) * SPAN_REACH))
    first, last = start + int(hits[0]), start + int(hits[-1]) + 1
    left = next((i for i in range(first, max(first - reach, 0) - 1, -1) if i == 0 or tokens[i - 1].endswith(_SENTENCE_END)), first)
    right = next((i for i in range(last, min(last + reach, len(tokens)) + 1) if tokens[i - 1].endswith(_SENTENCE_END)), last)
    return left, right


@dataclass(frozen=True)
class ItemIndex:
    """A benchmark's item parts, searchable by kind: per kind, the parts' positions in
    ``items``, their vectors in an exact inner-product index (faiss) and each part's
    neighbourhood density (:func:`_item_density`). Built once per benchmark and searched for
    the rows, then again for their spans."""

    items: TextParts
    by_kind: dict[str, tuple[np.ndarray, np.ndarray, object, np.ndarray]]  # (parts, vectors, index, density)

    @classmethod
    def of(cls, item_vectors: np.ndarray, items: TextParts) -> ItemIndex:
        import faiss

        item_kinds = np.asarray(items.kind)
        by_kind = {}
        for kind in sorted(set(items.kind)):
            chosen = np.flatnonzero(item_kinds == kind)
            vectors = np.ascontiguousarray(item_vectors[chosen], dtype=np.float32)
            index = faiss.IndexFlatIP(vectors.shape[1])
            index.add(vectors)
            by_kind[kind] = (chosen, vectors, index, _item_density(index, vectors, items.owner[chosen]))
        return cls(items, by_kind)


def nearest_items(
    row_vectors: np.ndarray, rows: TextParts, item_index: ItemIndex, top_k: int, min_cosine: float,
    extra: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Each row's ``top_k`` best items by margin, plus the (``row``, ``item``) pairs in
    ``extra`` (found by other evidence): ``row``, ``item``, ``cosine``, ``margin``,
    ``row_part`` and ``item_part`` (positions in ``rows`` / the index's items of the best pair)."""
    found, extra_found = [], []
    items = item_index.items
    row_vectors = np.ascontiguousarray(row_vectors, dtype=np.float32)
    for chosen, vectors, index, item_density in item_index.by_kind.values():
        k = min(max(top_k, NEIGHBOURS), len(chosen))
        sims, hits = index.search(row_vectors, k)
        row_density = sims[:, : min(NEIGHBOURS, k)].mean(axis=1)
        for j in range(min(top_k, k)):
            keep = np.flatnonzero((hits[:, j] >= 0) & (sims[:, j] >= min_cosine))
            found.append(_pairs(rows, items, keep, chosen[hits[keep, j]], sims[keep, j], row_density[keep],
                                item_density[hits[keep, j]]))
        if extra is not None and extra.height:
            # every row part against every part of this kind of each extra pair's item
            position = {int(p): i for i, p in enumerate(chosen)}
            by_row = pl.DataFrame({"row": rows.owner, "row_part": np.arange(len(rows.owner))})
            by_item = pl.DataFrame({"item": items.owner[chosen], "item_part": chosen})
            pairs = extra.join(by_row, on="row").join(by_item, on="item")
            row_part, item_part = pairs["row_part"].to_numpy(), pairs["item_part"].to_numpy()
            local = np.array([position[int(p)] for p in item_part], dtype=np.int64)
            cosine = np.einsum("ij,ij->i", row_vectors[row_part], vectors[local]) if len(local) else np.zeros(0)
            extra_found.append(_pairs(rows, items, row_part, item_part, cosine, row_density[row_part], item_density[local]))
    apart = pl.Series(np.where(np.isin(np.asarray(rows.kind), [PROMPT_PART, COMMENTS]), np.asarray(rows.kind), ""))
    best = _best_pair(pl.concat(found), apart).sort(["row", "margin", "item"], descending=[False, True, False])
    top = best.unique(["row", "item"], keep="first", maintain_order=True).group_by("row", maintain_order=True).head(top_k)
    best = best.join(top.select("row", "item"), on=["row", "item"], how="semi", maintain_order="left")
    if extra_found:
        best = _best_pair(pl.concat([best, *extra_found]), apart).sort(["row", "margin", "item"], descending=[False, True, False])
    return best


def _pairs(rows: TextParts, items: TextParts, row_part, item_part, cosine, row_density, item_density) -> pl.DataFrame:
    row_density, item_density = np.asarray(row_density), np.asarray(item_density)
    density = np.where(np.isnan(item_density), row_density, (row_density + item_density) / 2)
    return pl.DataFrame({
        "row": rows.owner[row_part].astype(np.uint32),
        "item": items.owner[item_part].astype(np.uint32),
        "cosine": np.asarray(cosine, dtype=np.float64),
        "margin": (np.asarray(cosine) / np.maximum(density, MIN_DENSITY)).astype(np.float64),
        "row_part": np.asarray(row_part).astype(np.uint32),
        "item_part": np.asarray(item_part).astype(np.uint32),
    }, schema=PAIR_SCHEMA)


def _best_pair(found: pl.DataFrame, apart: pl.Series) -> pl.DataFrame:
    """Per (row, item), the pair of parts with the highest margin, and apart from it the best
    pair of the row's prompt and of a code row's comments (``apart``, by row part: the kind
    of a part read apart, else ""): the verifier scores each and the highest score stands
    (:func:`best_verified`), as the answer beside a question changes its evidence (numbers)
    more than its similarity, and code beside a docstring brings evidence of its own."""
    group = apart.gather(found["row_part"]).alias("apart") if (apart != "").any() else pl.lit("").alias("apart")
    return (
        found.with_columns(group)
        .sort(["margin", "cosine", "row_part", "item_part"], descending=[True, True, False, False])
        .unique(["row", "item", "apart"], keep="first")
        .drop("apart")
    )


def best_verified(scored: pl.DataFrame) -> pl.DataFrame:
    """Per (row, item), the verified pair of parts with the highest score; of pairs that
    score alike (a row's prompt and the window that holds the same text), the one of the
    higher cosine, then the first part kind by name, so that a run gives the same verdict
    and explanation every time."""
    order = ["row", "item", "score", "cosine", "row_part", "item_part"]
    return scored.sort(order, descending=[False, False, True, True, False, False]).unique(["row", "item"], keep="first", maintain_order=True)


def _item_density(index, vectors: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """Per item part, the mean similarity of its NEIGHBOURS nearest parts of other items
    (the row side's density alone when the benchmark has no other item)."""
    k = min(len(vectors), NEIGHBOURS * 3 + 1)
    sims, hits = index.search(vectors, k)
    density = np.full(len(vectors), np.nan, dtype=np.float32)
    for i in range(len(vectors)):
        others = [s for s, h in zip(sims[i], hits[i], strict=True) if h >= 0 and owners[h] != owners[i]]
        if others:
            density[i] = np.mean(others[:NEIGHBOURS])
    return density


@dataclass(frozen=True)
class ItemEvidence:
    """What the verifier reads from a benchmark's items, parsed once: each part's evidence
    (and by item, its whole text's), each item's code (its ``code`` part, or its whole text
    when that is code), its key part
    (``stem``) and answer options, the numbers of a multiple-choice question (its whole's,
    less its options'), the example evidence of a code item's whole text (its docstring
    examples' numbers and strings, which its ``code`` and ``description`` parts leave out),
    the rarity of numbers, strings, fingerprints and options, and ``read_in_language``: the
    numbers of each whole text and key part in another language than English, read in it
    (:func:`_numbers_in_its_language`), by which a number's rarity and a lexical match's
    numbers are counted."""

    parts: dict[int, Evidence]
    wholes: dict[int, Evidence]
    code: dict[int, Evidence]
    key: dict[int, Evidence]
    options: list[list[AnswerOption]]
    question_numbers: dict[int, Counter]
    rarity: Rarity
    examples: dict[int, Counter]
    read_in_language: dict[tuple[int, str], Counter]

    @classmethod
    def of(cls, items: TextParts, choices: list[list[str]]) -> ItemEvidence:
        parts = {p: Evidence.of(text) for p, text in enumerate(items.text)}
        by_kind = {(int(items.owner[p]), items.kind[p]): e for p, e in parts.items() if items.kind[p] != WINDOW}
        wholes = {item: e for (item, kind), e in by_kind.items() if kind == WHOLE}
        code = {item: by_kind.get((item, "code"), e) for item, e in wholes.items()}
        code = {item: e for item, e in code.items() if e.fingerprints}
        key = {item: e for (item, kind), e in by_kind.items() if kind == "stem"}
        options = [[AnswerOption.of(option) for option in item_options] for item_options in choices]
        question_numbers = {item: wholes[item].numbers - sum((o.numbers for o in item_options), Counter())
                            for item, item_options in enumerate(options) if item_options and item in wholes}
        question_numbers = {item: n for item, n in question_numbers.items() if n}  # (else weighed whole, as any item)
        examples = {item: example_evidence(wholes[item]) for item in code}
        read = [p for p in range(len(items.text)) if items.kind[p] in (WHOLE, "stem")]
        read_in_language = {(int(items.owner[p]), items.kind[p]): _numbers_in_its_language(items.text[p])
                            for p, english in zip(read, _words_comparable([items.text[p] for p in read]), strict=True) if not english}
        counted = [replace(e, numbers=read_in_language.get((item, WHOLE), e.numbers)) for item, e in wholes.items()]
        return cls(parts, wholes, code, key, options, question_numbers, Rarity.of(counted, choices),
                   {item: found for item, found in examples.items() if found}, read_in_language)

    def _numbers(self, item: int, kind: str) -> Counter:
        """An item's whole text's or key part's numbers (``kind``), read in its language."""
        read = self.read_in_language.get((item, kind))
        return read if read is not None else (self.wholes if kind == WHOLE else self.key)[item].numbers

    def numbers_consistent(self, pairs: list[tuple[int, int]], row_texts: Mapping[int, str]) -> list[bool]:
        """For each (row, item) pair that shares text (a lexical match), whether the row's
        numbers are the item's: it has none of its own, or it holds the item's as the verifier
        weighs them (``number_consistency`` of 1.0: see :mod:`qcaudit.contamination.evidence`).
        A template sibling shares the template's words and brings numbers of its own: "A plane
        travels 1200 miles in 3 hours. At the same rate, how many additional hours would it
        take to travel an additional 2000 miles?" and "A train travels 270 miles in 3 hours.
        At the same rate, ..." share 13-grams (GSM8K test and train). A multiple-choice item's
        numbers are its question's (its options' are not asked of a row that copies the question
        alone, "Question 12: ..."). The lexical methods read text without punctuation, so an
        item's number is also held where the row's runs of digits hold its digits ("7:11" and
        "$19.50" in a copy without punctuation: "711", "1950"). A text in another language than
        English is read in it (:func:`_numbers_in_its_language`: "三十五", "drei"), and a row
        so where its item is (a copy reads as its item). Each row is read once (each way it is
        read), however many items it matches."""
        matched = list(dict.fromkeys(row for row, _ in pairs))
        english = dict(zip(matched, _words_comparable([row_texts[row] for row in matched]), strict=True))
        row_numbers: dict[tuple[int, bool], Counter] = {}  # (by row and whether read in its language)
        row_digits: dict[int, list[str]] = {}  # (its numbers as the lexical methods read them)
        row_options: dict[int, RowOptions] = {}
        consistent = []
        for row, item in pairs:
            question_numbers = self.question_numbers.get(item)
            if item in self.code or (self.options[item] and not question_numbers and item not in self.key):
                consistent.append(True)  # (a code item's numbers are examples; a question's without numbers asks none)
                continue
            # (read in its language where it or the item is in another: a copy reads as its item)
            read = (row, not english[row] or (item, WHOLE) in self.read_in_language)
            if read not in row_numbers:
                row_numbers[read] = _numbers_in_its_language(row_texts[row]) if read[1] else numbers(row_texts[row])
            if all(number in self._numbers(item, WHOLE) for number in row_numbers[read]):
                consistent.append(True)  # (the row brings no numbers of its own)
                continue
            if row not in row_digits:
                row_digits[row] = unpunctuated_numbers(row_texts[row])
            found = None
            if question_numbers:  # (weighed against the row's numbers outside the options found in it)
                if row not in row_options:
                    row_options[row] = RowOptions(row_texts[row])
                found = options_found(self.options[item], row_options[row], self.rarity)
            asked = self._numbers(item, "stem" if item in self.key else WHOLE)
            held = row_numbers[read].copy()
            for number in asked:
                held[number] = max(held[number], held_by_digits(number, row_digits[row]))
            consistent.append(number_consistency(held, asked, found, question_numbers, item in self.key) >= 1.0)
        return consistent

    def code_candidates(self, row_texts: list[str]) -> pl.DataFrame:
        pairs = code_candidates(row_texts, self.code, self.rarity, CODE_CANDIDATE_OVERLAP)
        return pl.DataFrame(pairs, schema={"row": pl.UInt32, "item": pl.UInt32}, orient="row")


def worded_candidates(rows: TextParts, items: TextParts, evidence: ItemEvidence, row_texts: list[str], top_k: int) -> pl.DataFrame:
    """(``row``, ``row_part``, ``item_part``): for each row of :data:`WORDED_MIN_WORDS` words
    or more, its ``top_k`` items (whole, not code) whose distinct content words it holds
    the largest share of, at least :data:`SPAN_MIN_RECALL` and :data:`SPAN_MIN_WORDS`:
    where to look for a span (:func:`spans`) when embedding search did not propose the item,
    as a short item inside a long document is diluted in the document's whole and windows."""
    from scipy import sparse

    wholes = [p for p in range(len(items.text)) if items.kind[p] == WHOLE and not evidence.parts[p].fingerprints
              and len(evidence.parts[p].words) >= SPAN_MIN_WORDS]
    long_rows = [row for row, text in enumerate(row_texts) if len(text.split()) >= WORDED_MIN_WORDS]
    schema = {"row": pl.UInt32, "row_part": pl.UInt32, "item_part": pl.UInt32}
    if not wholes or not long_rows:
        return pl.DataFrame(schema=schema)
    vocabulary: dict[str, int] = {}
    item_columns = [[vocabulary.setdefault(word, len(vocabulary)) for word in evidence.parts[p].words] for p in wholes]

    def matrix(columns: list[list[int]]) -> sparse.csr_matrix:
        pointers = np.cumsum([0, *map(len, columns)])
        values = np.ones(pointers[-1], dtype=np.float32)
        return sparse.csr_matrix((values, np.fromiter((c for cs in columns for c in cs), dtype=np.int64, count=pointers[-1]), pointers),
                                 shape=(len(columns), len(vocabulary)))

    by_item = matrix(item_columns).T.tocsr()
    sizes = np.array([len(columns) for columns in item_columns], dtype=np.float32)
    frames = []
    for start in range(0, len(long_rows), WORDED_CHUNK_ROWS):  # (the shared counts of a chunk of rows at a time)
        chunk = long_rows[start : start + WORDED_CHUNK_ROWS]
        row_columns = [[vocabulary[word] for word in content_words(row_texts[row]) if word in vocabulary] for row in chunk]
        shared = (matrix(row_columns) @ by_item).tocoo()
        share = shared.data / sizes[shared.col]
        keep = (share >= SPAN_MIN_RECALL) & (shared.data >= SPAN_MIN_WORDS)
        frames.append(pl.DataFrame({"row": np.asarray(chunk, dtype=np.int64)[shared.row[keep]], "share": share[keep],
                                    "item_part": np.asarray(wholes, dtype=np.int64)[shared.col[keep]]}))
    whole_part = {int(owner): p for p, (owner, kind) in enumerate(zip(rows.owner, rows.kind, strict=True)) if kind == WHOLE}
    found = pl.concat(frames).sort(["row", "share", "item_part"], descending=[False, True, False]).group_by("row", maintain_order=True).head(top_k)
    return found.select(pl.col("row").cast(pl.UInt32), pl.col("row").replace_strict(whole_part).cast(pl.UInt32).alias("row_part"),
                        pl.col("item_part").cast(pl.UInt32))


def verify(
    candidates: pl.DataFrame, rows: TextParts, items: TextParts, evidence: ItemEvidence, row_texts: list[str],
    statements_alike: Mapping[tuple[int, int], float] | None = None, other_languages_read: bool = False,
) -> pl.DataFrame:
    """Evidence, score and explanation for every candidate pair. Each text is parsed once,
    however many candidate pairs it is in; evidence is read from the best pair of parts
    (options, code and the numbers' consistency also from the whole row).
    ``statements_alike``: per (row, item) pair of two-statement texts, the cosine of their
    least alike statements (``statement_similarity``; 1.0 for other pairs); below
    :data:`STATEMENT_MIN_SIMILARITY` it speaks against the pair as a contradicted formula does.
    ``other_languages_read``: the encoder reads other languages and scripts (a model given
    by path), so a pair whose row or item part is written in one (:func:`_words_comparable`)
    is scored by :data:`WEIGHTS_WITHOUT_WORDS` (``words_compared`` 0), its numbers read in
    digits and in the words of its languages (:func:`_numbers_compared`: a translation
    writes "three" as "drei" or "三"); the default English encoder's pairs are all scored
    with their words (the languages are not read)."""
    statements_alike = statements_alike or {}
    if other_languages_read:
        row_words, item_words = _words_comparable(rows.text), _words_comparable(items.text)
    row_evidence: dict[int, Evidence] = {}
    whole_rows: dict[int, Evidence] = {}
    written: dict[tuple[str, int], WrittenNumbers] = {}  # (a translated pair's sides)

    def numbers_of(side: str, index: int, text: str, english: bool) -> WrittenNumbers:
        if (side, index) not in written:
            written[side, index] = numbers_written(text, other_languages=not english)
        return written[side, index]

    records = []
    options_row, row_options = -1, None  # (the last row options were looked for in: a row's candidates come together)
    for row, item, cosine, margin, row_part, item_part in candidates.iter_rows():
        if row_part not in row_evidence:
            row_evidence[row_part] = Evidence.of(rows.text[row_part])
        if row not in whole_rows and rows.kind[row_part] in (WINDOW, SPAN, COMMENTS):
            whole_rows[row] = Evidence.of(row_texts[row])
        translated = other_languages_read and not (row_words[row_part] and item_words[item_part])
        row_side, item_side = row_evidence[row_part], evidence.parts[item_part]
        if translated:
            item_written = numbers_of("item", item_part, items.text[item_part], item_words[item_part])
            row_numbers, asked = _numbers_compared(numbers_of("row", row_part, rows.text[row_part], row_words[row_part]), item_written)
            row_side, item_side = replace(row_side, numbers=row_numbers), replace(item_side, numbers=asked)
        options = evidence.options[item]
        about_the_item = cosine * margin >= EVIDENCE_MIN_SIMILARITY  # (else numbers and options count as none)
        found = None
        if options and about_the_item:
            if row != options_row:
                options_row, row_options = row, RowOptions(row_texts[row])
            found = options_found(options, row_options, evidence.rarity)
        key, question_numbers = evidence.key.get(item), evidence.question_numbers.get(item)
        if translated:  # (the numbers of the item's key part and question, of those asked)
            key = key and replace(key, numbers=key.numbers & item_side.numbers)
            question_numbers = question_numbers and question_numbers & item_side.numbers
        known = (evidence.rarity, evidence.code.get(item), found, key, question_numbers)
        features = {"cosine": cosine, "margin": margin, **pair_evidence(row_side, item_side, *known)}
        features["example_agreement"] = (  # (a rewrite keeps its examples, which its code and description parts leave out)
            number_agreement(evidence.examples[item], example_evidence(row_side), evidence.rarity)
            if item in evidence.examples and about_the_item else 0.0)
        if rows.kind[row_part] in (WINDOW, SPAN, COMMENTS):  # code and numbers may sit outside the matched part
            whole_row = whole_rows[row]
            if translated:
                whole_numbers = numbers_of("whole", row, row_texts[row], row_words[row_part])
                whole_row = replace(whole_row, numbers=_numbers_compared(whole_numbers, item_written)[0])
            whole = pair_evidence(whole_row, item_side, *known)
            for name in ("code_overlap", "literal_consistency", "number_consistency", "formula_consistency", "operation_consistency"):
                features[name] = max(features[name], whole[name])
        alike = statements_alike.get((row, item))  # (None: not two two-statement texts)
        features["statement_similarity"] = 1.0 if alike is None else alike
        if features["statement_similarity"] < STATEMENT_MIN_SIMILARITY:
            features["number_consistency"] = 0.0
        features["statement_agreement"] = statement_agreement(alike)
        features["similarity"] = cosine * margin
        if not about_the_item:
            features["number_agreement"] = 0.0
        features["specific_evidence"] = max(features["number_agreement"], features["example_agreement"], features["option_recall"],
                                            features["code_overlap"], features["statement_agreement"] if translated else 0.0)
        features["words_compared"] = float(not translated)
        records.append({
            "row": row, "item": item, **features, "score": verifier_score(features, WEIGHTS_WITHOUT_WORDS if translated else WEIGHTS),
            "row_part": rows.kind[row_part], "item_part": items.kind[item_part],
            "evidence": explain(features, rows.kind[row_part], items.kind[item_part], len(options), found.count if found is not None else 0),
        })
    schema = {"row": pl.UInt32, "item": pl.UInt32, **{f: pl.Float64 for f in FEATURES}, "score": pl.Float64,
              "row_part": pl.String, "item_part": pl.String, "evidence": pl.String}
    return pl.DataFrame(records, schema=schema)


def _numbers_in_its_language(text: str) -> Counter:
    """The numbers of a text in another language than English, read in it (digits, and number
    words: :func:`~qcaudit.contamination.number_reading.numbers_written`): "三", "drei". A
    Chinese benchmark writes the numbers its items share in numerals, which English reading
    leaves out: each of them would weigh as a number no item holds, and a template sibling
    that writes other numerals would bring no number of its own."""
    return numbers_written(text, other_languages=True).every


def statement_agreement(similarity: float | None) -> float:
    """How alike a two-statement row's statements are to the item's, as domain evidence: their
    least alike pair's cosine (``statement_similarity``) from :data:`STATEMENT_MIN_SIMILARITY`
    (0) to 1; 0 where the row or the item is no two-statement text (``None``). Weighed only
    for a pair whose words are not compared (a translation): there the rephrasing of both
    statements is what word recall shows in an English pair, and abstract algebra's
    two-statement items are one dense template, where the whole text's cosine and margin
    alone do not single out an item (2026-12-05)."""
    if similarity is None:
        return 0.0
    return max(0.0, (similarity - STATEMENT_MIN_SIMILARITY) / (1.0 - STATEMENT_MIN_SIMILARITY))


def _numbers_compared(row: WrittenNumbers, item: WrittenNumbers) -> tuple[Counter, Counter]:
    """The numbers a translation's pair weighs, of the row and of the item
    (:func:`~qcaudit.contamination.number_reading.numbers_written`). Where both sides' number words
    are read (a side in English, or one that writes "drei" or "三"), all of them, in digits
    and in words, as an English pair's. Else a side's numbers in words are no evidence where
    the other side does not hold them: the words of a language that is not read ("세") are
    no number there, so "three" is asked of its translation only where it holds a 3."""
    if row.read and item.read:
        return row.every, item.every
    return row.digits + (row.words & item.every), item.digits + (item.words & row.every)


def _words_comparable(texts: list[str]) -> np.ndarray:
    """Per text, whether its words can be compared with an English text's: written in Latin
    script, and read as English (:func:`~qcaudit.contamination.evidence.read_as_english`)."""
    latin = ~written_in_other_scripts(pl.Series(texts, dtype=pl.String)).to_numpy()
    return np.array([bool(script) and read_as_english(text) for script, text in zip(latin, texts, strict=True)], dtype=bool)


def verifier_score(features: dict[str, float], weights: dict[str, float] = WEIGHTS) -> float:
    z = sum(weight * (features[name] if name != "intercept" else 1.0) for name, weight in weights.items())
    return 1.0 / (1.0 + math.exp(-min(max(z, -700.0), 700.0)))


def explain(features: dict[str, float], row_part: str, item_part: str, options: int, found_options: int) -> str:
    """One line a reviewer can check: where the match is, its similarity and the evidence that fired."""
    where = f"row {row_part} ~ item {item_part}"
    said = [where, f"cosine {features['cosine']:.3f}", f"margin {features['margin']:.2f}"]
    labels = {"number_agreement": "numbers agree", "example_agreement": "docstring examples' values in row",
              "word_recall": "item words in row", "identifier_recall": "identifiers in row",
              "code_overlap": "code fingerprints in row"}
    for name, label in labels.items():
        if features[name] >= FIRED[name]:
            said.append(f"{label} {features[name]:.2f}")
    if features["formula_consistency"] < 1.0:
        said.append("item's formula written with other operators or terms in row")
    if features["operation_consistency"] < 1.0:
        said.append("row names another operation than the item's (sum, product, difference, quotient)")
    if features["statement_similarity"] < STATEMENT_MIN_SIMILARITY:
        said.append(f"a statement of the item's unlike the row's (cosine {features['statement_similarity']:.2f})")
    if not features["words_compared"]:
        said.append("words not compared (a side in another language or script)")
        if features["statement_agreement"] > 0:
            said.append(f"both statements alike (cosine {features['statement_similarity']:.2f})")
    contradicted = min(features["formula_consistency"], features["operation_consistency"]) < 1.0 or (
        features["statement_similarity"] < STATEMENT_MIN_SIMILARITY)
    if features["number_consistency"] < 1.0 and not contradicted:
        said.append(f"item numbers missing from row (consistency {features['number_consistency']:.2f})")
    if features["literal_consistency"] < 1.0:
        said.append(f"item code's strings and constants missing from row's code (consistency {features['literal_consistency']:.2f})")
    if options and features["option_recall"] >= FIRED["option_recall"]:
        said.append(f"options in row {found_options}/{options} (rarity-weighted {features['option_recall']:.2f})")
    return "; ".join(said)
