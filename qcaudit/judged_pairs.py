"""Preference pairs judged by a column: two answers, and a verdict that says per row which
one is preferred, as human-preference data is published (no ``chosen`` and ``rejected``
columns). The loader reads such a pair as chosen and rejected answers where the verdict
prefers one; a row it prefers neither in (a tie, both bad) holds no pair.

Layouts found by column name (:data:`LAYOUTS`): Chatbot Arena's conversations
(lmsys/chatbot_arena_conversations and lmarena-ai's arena-human-preference sets: two chats
and the ``winner``), NVIDIA's HelpSteer3 preference set (a ``context`` chat, ``response1``,
``response2`` and ``overall_preference``) and HelpSteer2's (a ``prompt``, ``response_1``,
``response_2`` and ``preference_strength``, on the same scale), PKU-SafeRLHF (``response_0``, ``response_1`` and
``better_response_id``; ``safer_response_id`` by ``--preferred-by``), Stanford's SHP
(``history``, ``human_ref_A``, ``human_ref_B`` and ``labels``), and the Chatbot Arena Kaggle
set (lmarena-ai/arena-human-preference-55k: ``prompt``, ``response_a``, ``response_b``, and
the verdict one-hot in ``winner_model_a``, ``winner_model_b`` and ``winner_tie``), and OpenAI's
WebGPT comparisons (the ``question``'s ``full_text``, ``answer_0``, ``answer_1``, and a score
each, ``score_0`` and ``score_1``: the higher preferred).

Lists of answers ranked by a field of each, or by a column of numbers beside them
(:data:`RANKINGS`: UltraFeedback's ``completions`` and their ``fine-grained_score``,
Nectar's ``answers`` and their ``rank``, distilabel's ``generations`` and ``ratings``) are
read as the pair of each row's best answer and its worst, the widest margin the list holds,
as distilabel's ``FormatTextGenerationDPO`` pairs them; a row whose answers rank alike holds
no pair. A list with the preferred answer's place beside it (OpenAI's summarize_from_feedback
comparisons: ``summaries`` and ``choice``) is read as that answer and the other.
``--preferred-by completions.overall_score`` names the list and what ranks it. (The
binarized sets published from UltraFeedback pair the best with a random lower one, as Zephyr
did; best and worst is the reading that needs no seed.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import polars as pl

from qcaudit.columns import PROMPT
from qcaudit.text_columns import answer_field, is_answer_list, is_plain_text


class Verdict(NamedTuple):
    """How a verdict column names the preferred answer: whether its values are text (else
    numbers), where they prefer the first answer and where the second, those words, and the
    column of numbers beside it that a verdict given one-hot reads for the second."""

    text: bool
    prefers: Callable[[pl.Expr], tuple[pl.Expr, pl.Expr]]
    said: str
    beside: str | None = None


#: The verdict columns read, by name (in any case).
VERDICTS = {
    "winner": Verdict(True, lambda v: (v == "model_a", v == "model_b"), "model_a or model_b; a tie prefers neither"),
    "overall_preference": Verdict(False, lambda v: (v < 0, v > 0), "below 0 the first, above 0 the second"),
    "preference_strength": Verdict(False, lambda v: (v < 0, v > 0), "below 0 the first, above 0 the second"),
    "better_response_id": Verdict(False, lambda v: (v == 0, v == 1), "0 the first, 1 the second"),
    "safer_response_id": Verdict(False, lambda v: (v == 0, v == 1), "0 the first, 1 the second"),
    "labels": Verdict(False, lambda v: (v == 1, v == 0), "1 the first, 0 the second"),
    "winner_model_a": Verdict(False, lambda v: (v == 1, pl.col("winner_model_b") == 1),
                              "1 the first; winner_model_b 1 the second", "winner_model_b"),
    "score_0": Verdict(False, lambda v: (v > pl.col("score_1"), v < pl.col("score_1")),
                       "above score_1 the first, below it the second", "score_1"),
}
#: (prompt, first answer, second answer, verdict) of the layouts found by column name; the
#: prompt None where each answer is a whole chat, which holds it, and a field inside a struct
#: column by its dotted path.
LAYOUTS = (
    (None, "conversation_a", "conversation_b", "winner"),
    ("context", "response1", "response2", "overall_preference"),
    (PROMPT, "response_1", "response_2", "preference_strength"),
    (PROMPT, "response_0", "response_1", "better_response_id"),
    ("history", "human_ref_A", "human_ref_B", "labels"),
    (PROMPT, "response_a", "response_b", "winner_model_a"),
    ("question.full_text", "answer_0", "answer_1", "score_0"),
)


class Ranking(NamedTuple):
    """How numbers rank a list of answers: whether the highest is the best (else the lowest),
    and those words; ``index``: a column beside the list, one whole number a row, that names
    the preferred answer by its place (0 the first), ranking it above all the others."""

    highest_best: bool
    said: str
    index: bool = False


#: What ranks the answers of a list, by name (in any case), in the order that one is found
#: where several are: a field of each answer, or a column of lists of numbers beside the
#: list, one number per answer (distilabel's ``ratings`` of its ``generations``), or a column
#: of the preferred answer's place (OpenAI's summarize_from_feedback comparisons: two
#: ``summaries`` and the ``choice`` between them).
RANKINGS = {
    "fine-grained_score": Ranking(True, "the highest best (UltraFeedback's mean of its aspect ratings)"),
    "overall_score": Ranking(True, "the highest best (UltraFeedback's critique score)"),
    "rank": Ranking(False, "the lowest best (Nectar's: 1 the best)"),
    "ratings": Ranking(True, "the highest best (distilabel's, one per generation)"),
    "rewards": Ranking(True, "the highest best (a reward model's, one per sampled answer, as best-of-n data holds them)"),
    "scores": Ranking(True, "the highest best"),
    "score": Ranking(True, "the highest best"),
    "rating": Ranking(True, "the highest best"),
    "correctness_math_verify": Ranking(True, "true the best (OpenR1-Math's Math-Verify verdict on each generation)"),
    "choice": Ranking(True, "the preferred answer's place, 0 the first (OpenAI's summarize_from_feedback)", index=True),
}


def ranked_list(name: str) -> tuple[str, str] | None:
    """The (list of answers, what ranks them) that ``--preferred-by`` names as ``list.field``;
    None for a verdict column (their names hold no dot)."""
    column, dot, ranking = name.partition(".")
    return (column, ranking) if dot else None


def by_place(ranking: str) -> bool:
    """Whether numbers of this name rank a list of answers by the preferred one's place
    (:attr:`Ranking.index`)."""
    how = RANKINGS.get(ranking.casefold())
    return how is not None and how.index


def judging_column(name: str) -> str:
    """The input's column that ``--preferred-by`` reads: the verdict, or the list of answers."""
    return name.partition(".")[0]


def ranking_of(column: str, schema: pl.Schema) -> str | None:
    """What ranks the answers of the input's ``column`` (:data:`RANKINGS`, first in its order;
    of one name, a field of the answers before a column beside them); None where it is no list
    of answers, or nothing ranks them."""
    if not is_answer_list(schema[column]):
        return None
    numbers: dict[str, str] = {}
    for name in _numbers_of(column, schema):
        numbers.setdefault(name.casefold(), name)
    return next((numbers[key] for key in RANKINGS if key in numbers), None)


def _numbers_of(column: str, schema: pl.Schema) -> list[str]:
    """What may rank the answers of the input's list ``column``: the fields of numbers of each
    answer, then the input's columns of lists of numbers (one per answer, on a row that
    matches), and its columns of whole numbers named as an answer's place (:attr:`Ranking.index`)."""
    dtype = schema[column]
    fields = [f.name for f in dtype.inner.fields if f.dtype.is_numeric()] if isinstance(dtype.inner, pl.Struct) else []
    return fields + [name for name in schema.names() if numbers_listed(schema[name]) or (
        schema[name].is_integer() and by_place(name))]


def numbers_listed(dtype: pl.DataType) -> bool:
    """Whether a column of ``dtype`` holds lists of numbers (a ranking of answers beside them),
    or of true and false (a verdict on each, true above false: OpenR1-Math's ``correctness_math_verify``)."""
    return isinstance(dtype, pl.List) and (dtype.inner.is_numeric() or dtype.inner == pl.Boolean)


def best_and_worst(column: str, ranking: str, schema: pl.Schema,
                   text: Callable[[pl.Expr], pl.Expr] = lambda answer: answer) -> tuple[pl.Expr, pl.Expr]:
    """The (chosen, rejected) pairs of the input's list of answers ``column`` ranked by
    ``ranking`` (a field of each, else a column of lists of numbers beside it): each row's best
    answer and its worst, the first listed among equals, as distilabel's
    ``FormatTextGenerationDPO`` pairs its ratings; answers without text, or without a number,
    left out; null where they rank alike, fewer than two are ranked, or a row's numbers are
    not one per answer. Ranked by a preferred answer's place (:attr:`Ranking.index`), the pair
    is that answer and the first other (of two answers, the other one); null where the place
    is missing or past the list's end. ``text``: what is read of an answer's text
    (``--no-reasoning``: the answer alone)."""
    field = answer_field(schema[column])
    answer = pl.element().struct.field(field) if field else pl.element()
    with_text = pl.col(column).list.eval(pl.when(answer.str.len_bytes() > 0).then(pl.lit(0.0)))  # (0, null for no text)
    if by_place(ranking):  # (1 at the preferred answer's place, 0 at the others')
        places = pl.int_ranges(0, pl.col(column).list.len()) - pl.col(ranking)
        merit = places.list.eval((pl.element() == 0).cast(pl.Float64)) + with_text
    elif field and ranking in {f.name for f in schema[column].inner.fields}:
        merit = pl.col(column).list.eval(pl.element().struct.field(ranking).cast(pl.Float64)) + with_text
    else:  # (lists added element by element: of the rows whose lists match alone)
        matched = pl.col(column).list.len() == pl.col(ranking).list.len()
        merit = pl.when(matched).then(pl.col(ranking).cast(pl.List(pl.Float64))) + pl.when(matched).then(with_text)
    sign = 1.0 if RANKINGS[ranking.casefold()].highest_best else -1.0
    merit = merit.list.eval(pl.element().fill_nan(None) * sign)
    apart = merit.list.max() > merit.list.min()

    def answer_at(index: pl.Expr) -> pl.Expr:
        picked = pl.col(column).list.get(index)
        return pl.when(apart).then(text(picked.struct.field(field) if field else picked))

    return answer_at(merit.list.arg_max()), answer_at(merit.list.arg_min())


def verdict_of(name: str) -> Verdict | None:
    """The verdict a column of this name gives, None where qcaudit reads none so named."""
    return VERDICTS.get(name.casefold())


def fits(name: str, schema: pl.Schema) -> bool:
    """Whether the input's column ``name`` is a verdict qcaudit reads: of a known name, text or
    numbers as that verdict is, beside the column of numbers it reads with it, if any."""
    return why_unread(name, schema) is None


def why_unread(name: str, schema: pl.Schema) -> str | None:
    """Why the input's column ``name`` (``--preferred-by``) cannot be read as a verdict; None where it can."""
    if ranked := ranked_list(name):
        return _why_unranked(name, *ranked, schema)
    verdict = verdict_of(name)
    if verdict is None:
        known = "; ".join(f"{key} ({verdict.said})" for key, verdict in VERDICTS.items())
        return (f"--preferred-by {name!r}: qcaudit reads these verdicts: {known}; "
                "or a list of answers and what ranks them, named as list.field; for another, "
                "write chosen and rejected columns and give --chosen-field and --rejected-field")
    if not (is_plain_text(schema[name]) if verdict.text else schema[name].is_numeric()):
        return f"--preferred-by {name!r} holds {schema[name]}, not {'text' if verdict.text else 'numbers'}"
    if verdict.beside and not (verdict.beside in schema and schema[verdict.beside].is_numeric()):
        return f"--preferred-by {name!r} is read with a column of numbers {verdict.beside!r}, which the input lacks"
    return None


def _why_unranked(name: str, column: str, ranking: str, schema: pl.Schema) -> str | None:
    """Why ``--preferred-by list.field`` cannot be read as a ranked list of answers; None where it can."""
    if column not in schema:
        return None  # (an unknown column: the selection's checks say so)
    dtype = schema[column]
    if not is_answer_list(dtype):
        return (f"--preferred-by {name!r}: {column!r} holds {dtype}, not a list of answers "
                f"(texts, or objects with one text field, as UltraFeedback's completions)")
    if ranking not in (numbers := _numbers_of(column, schema)):
        return (f"--preferred-by {name!r}: neither the answers in {column!r} nor the input hold numbers {ranking!r} "
                f"(a field of each answer, a column of lists of numbers, one per answer, or of the preferred answer's place); those they hold: {numbers or 'none'}")
    if ranking.casefold() not in RANKINGS:
        known = "; ".join(f"{key} ({ranked.said})" for key, ranked in RANKINGS.items())
        return f"--preferred-by {name!r}: qcaudit ranks answers by these: {known}"
    return None


def judged(first: pl.Expr, second: pl.Expr, verdict_column: str) -> tuple[pl.Expr, pl.Expr]:
    """The (chosen, rejected) answers of pairs whose ``first`` and ``second`` answers the
    verdict column judges; null where it prefers neither."""
    verdict = verdict_of(verdict_column)
    first_preferred, second_preferred = verdict.prefers(pl.col(verdict_column).cast(pl.String) if verdict.text else pl.col(verdict_column))
    chosen = pl.when(first_preferred).then(first).when(second_preferred).then(second)
    rejected = pl.when(first_preferred).then(second).when(second_preferred).then(first)
    return chosen, rejected
