"""Semantic contamination: nearest benchmark items by embedding, then a verification stage.

1. Candidates: every row's ``top_k`` nearest benchmark items by cosine similarity of
   sentence embeddings (faiss inner-product search over L2-normalised vectors); pairs below
   ``candidate_threshold`` are dropped.
2. Verification separates a reworded copy of an item from a different item of the same
   style (same template, same topic), which embeddings alone confuse. Features per pair:

   - ``cosine``: the embedding similarity;
   - ``number_recall`` / ``number_precision``: share of the item's numbers (digits, or
     number words up to ninety) that the row contains, and of the row's that the item
     contains, as multisets: rewordings keep the numbers, template siblings change them;
   - ``number_agreement``: recall x precision x the rarity of the agreeing numbers among
     the benchmark's items (capped): two shared small numbers are weak evidence, three
     numbers no other item has are strong;
   - ``word_recall``: share of the item's content words (lower-cased, crude plural
     folding, stop words dropped) found in the row;
   - ``identifier_recall``: for code, share of the item's identifiers found in the row.

   The verifier score is a logistic combination of these features; the weights were fitted
   with ``benchmarks/bench_contamination.py --calibrate`` on GSM8K rewordings written by
   rule against GSM8K train's nearest items (hard negatives) and are stated in
   :data:`WEIGHTS`. A pair is contaminated when the score is at least ``threshold``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import polars as pl

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
STOP_WORDS = set("""a an the and or but if of to in on at by for with from as is are was were be been
being it its this that these those he she they his her their them him i you we our your my me do does
did how what which who whom when where why will would can could should has have had not no so than then
there here each every all any some more most much many per into out up down over under about after
before""".split())
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]+")
_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_CODE_HINT = re.compile(r"\bdef |\breturn\b|[{};]|\bfunction\b|=>")
PYTHON_KEYWORDS = set("""False None True and as assert async await break class continue def del elif
else except finally for from global if import in is lambda nonlocal not or pass raise return try while
with yield int str float list dict set tuple bool len range print self""".split())

#: Logistic weights of the verifier, printed by ``benchmarks/bench_contamination.py calibrate``
#: (class-balanced, feature weights kept non-negative so each feature only adds evidence).
WEIGHTS = {
    "intercept": -25.086, "cosine": 14.492, "number_recall": 4.64, "number_precision": 1.571,
    "number_agreement": 31.662, "word_recall": 11.728, "identifier_recall": 0.0,
}
FEATURES = ("cosine", "number_recall", "number_precision", "number_agreement", "word_recall", "identifier_recall")
#: Agreeing numbers count as evidence up to this much rarity (three numbers no other item has).
NUMBER_EVIDENCE_CAP = 3.0


@dataclass(frozen=True)
class Candidates:
    """Row/item index pairs with their cosine similarity."""

    rows: np.ndarray
    items: np.ndarray
    cosine: np.ndarray


def nearest_items(row_vectors: np.ndarray, item_vectors: np.ndarray, top_k: int, min_cosine: float) -> Candidates:
    """Each row's ``top_k`` most similar items (exact inner-product search with faiss)."""
    import faiss

    index = faiss.IndexFlatIP(item_vectors.shape[1])
    index.add(np.ascontiguousarray(item_vectors, dtype=np.float32))
    k = min(top_k, item_vectors.shape[0])
    scores, items = index.search(np.ascontiguousarray(row_vectors, dtype=np.float32), k)
    rows = np.repeat(np.arange(len(row_vectors)), k)
    scores, items = scores.ravel(), items.ravel()
    keep = (items >= 0) & (scores >= min_cosine)
    return Candidates(rows[keep], items[keep], scores[keep].astype(np.float64))


def numbers(text: str) -> Counter:
    """The multiset of numbers in ``text``: digits (thousands separators dropped) and number words."""
    found = Counter()
    for token in _NUMBER.findall(text):
        word = NUMBER_WORDS.get(token.lower())
        if word is not None:
            found[str(word)] += 1
            continue
        value = re.sub(r"(?<=\d),(?=\d{3})", "", token).replace(",", ".")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        found[value] += 1
    return found


def content_words(text: str) -> Counter:
    """Lower-case words that are not stop words or number words, plurals folded crudely.
    Capitalised words are left out: names are what a rewording renames first."""
    words = (w for w in _WORD.findall(text) if not w[0].isupper())
    return Counter(
        w[:-1] if len(w) > 3 and w.endswith("s") else w
        for w in words
        if w not in STOP_WORDS and w not in NUMBER_WORDS
    )


def identifiers(text: str) -> Counter:
    if not _CODE_HINT.search(text):
        return Counter()
    return Counter(t for t in _IDENTIFIER.findall(text) if t not in PYTHON_KEYWORDS and len(t) > 1)


def _recall(item: Counter, row: Counter) -> float:
    """Share of the item's multiset found in the row's; 0.0 when the item has none (no evidence)."""
    total = sum(item.values())
    return sum((item & row).values()) / total if total else 0.0


@dataclass(frozen=True)
class Evidence:
    """What the verifier reads from one text: its numbers, content words and identifiers."""

    numbers: Counter
    words: Counter
    identifiers: Counter

    @classmethod
    def of(cls, text: str) -> Evidence:
        return cls(numbers(text), content_words(text), identifiers(text))


def number_rarity(items: list[Evidence]) -> dict[str, float]:
    """Per number, log(N / items holding it) / log(N): 1.0 for a number one item has, near 0
    for one every item has. Agreeing on rare numbers is strong evidence, on 2 or 10 weak."""
    holders = Counter(n for item in items for n in item.numbers)
    scale = math.log(max(len(items), 2))
    return {n: math.log(len(items) / count) / scale for n, count in holders.items()}


def pair_features(row_text: str, item_text: str, cosine: float, rarity: dict[str, float] | None = None) -> dict[str, float]:
    """The verifier's features for one (row, item) pair; ``rarity`` from :func:`number_rarity`
    over the benchmark (a number it does not list counts as rare)."""
    return _features(Evidence.of(row_text), Evidence.of(item_text), cosine, rarity or {})


def _features(row: Evidence, item: Evidence, cosine: float, rarity: dict[str, float]) -> dict[str, float]:
    shared = item.numbers & row.numbers
    evidence = sum(rarity.get(n, 1.0) * count for n, count in shared.items())
    recall, precision = _recall(item.numbers, row.numbers), _recall(row.numbers, item.numbers)
    return {
        "cosine": cosine,
        "number_recall": recall,
        "number_precision": precision,
        "number_agreement": recall * precision * min(evidence, NUMBER_EVIDENCE_CAP) / NUMBER_EVIDENCE_CAP,
        "word_recall": _recall(item.words, row.words),
        "identifier_recall": _recall(item.identifiers, row.identifiers),
    }


def verifier_score(features: dict[str, float], weights: dict[str, float] = WEIGHTS) -> float:
    z = weights["intercept"] + sum(weights[name] * features[name] for name in FEATURES)
    return 1.0 / (1.0 + math.exp(-z))


def verify(row_texts: list[str], item_texts: list[str], candidates: Candidates, weights: dict[str, float] = WEIGHTS) -> pl.DataFrame:
    """Features and verifier score for every candidate pair (``row``, ``item`` positions).
    Each text is parsed once, however many candidate pairs it is in."""
    items = [Evidence.of(text) for text in item_texts]
    rarity = number_rarity(items)
    rows = {r: Evidence.of(row_texts[r]) for r in np.unique(candidates.rows).tolist()}
    records = []
    for row, item, cosine in zip(candidates.rows.tolist(), candidates.items.tolist(), candidates.cosine.tolist(), strict=True):
        features = _features(rows[row], items[item], cosine, rarity)
        records.append({"row": row, "item": item, **features, "score": verifier_score(features, weights)})
    schema = {"row": pl.UInt32, "item": pl.UInt32, **{f: pl.Float64 for f in FEATURES}, "score": pl.Float64}
    return pl.DataFrame(records, schema=schema)
