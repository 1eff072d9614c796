"""Preference pairs judged by a column: two answers, and a verdict that says per row which
one is preferred, as human-preference data is published (no ``chosen`` and ``rejected``
columns). The loader reads such a pair as chosen and rejected answers where the verdict
prefers one; a row it prefers neither in (a tie, both bad) holds no pair.

Layouts found by column name (:data:`LAYOUTS`): Chatbot Arena's conversations
(lmsys/chatbot_arena_conversations and lmarena-ai's arena-human-preference sets: two chats
and the ``winner``), NVIDIA's HelpSteer3 preference set (a ``context`` chat, ``response1``,
``response2`` and ``overall_preference``), PKU-SafeRLHF (``response_0``, ``response_1`` and
``better_response_id``; ``safer_response_id`` by ``--preferred-by``), Stanford's SHP
(``history``, ``human_ref_A``, ``human_ref_B`` and ``labels``), and the Chatbot Arena Kaggle
set (lmarena-ai/arena-human-preference-55k: ``prompt``, ``response_a``, ``response_b``, and
the verdict one-hot in ``winner_model_a``, ``winner_model_b`` and ``winner_tie``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import polars as pl

from qcaudit.columns import PROMPT
from qcaudit.text_columns import is_plain_text


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
    "better_response_id": Verdict(False, lambda v: (v == 0, v == 1), "0 the first, 1 the second"),
    "safer_response_id": Verdict(False, lambda v: (v == 0, v == 1), "0 the first, 1 the second"),
    "labels": Verdict(False, lambda v: (v == 1, v == 0), "1 the first, 0 the second"),
    "winner_model_a": Verdict(False, lambda v: (v == 1, pl.col("winner_model_b") == 1),
                              "1 the first; winner_model_b 1 the second", "winner_model_b"),
}
#: (prompt, first answer, second answer, verdict) of the layouts found by column name; the
#: prompt None where each answer is a whole chat, which holds it.
LAYOUTS = (
    (None, "conversation_a", "conversation_b", "winner"),
    ("context", "response1", "response2", "overall_preference"),
    (PROMPT, "response_0", "response_1", "better_response_id"),
    ("history", "human_ref_A", "human_ref_B", "labels"),
    (PROMPT, "response_a", "response_b", "winner_model_a"),
)


def verdict_of(name: str) -> Verdict | None:
    """The verdict a column of this name gives, None where qcaudit reads none so named."""
    return VERDICTS.get(name.casefold())


def fits(name: str, schema: pl.Schema) -> bool:
    """Whether the input's column ``name`` is a verdict qcaudit reads: of a known name, text or
    numbers as that verdict is, beside the column of numbers it reads with it, if any."""
    return why_unread(name, schema) is None


def why_unread(name: str, schema: pl.Schema) -> str | None:
    """Why the input's column ``name`` (``--preferred-by``) cannot be read as a verdict; None where it can."""
    verdict = verdict_of(name)
    if verdict is None:
        known = "; ".join(f"{key} ({verdict.said})" for key, verdict in VERDICTS.items())
        return (f"--preferred-by {name!r}: qcaudit reads these verdicts: {known}; for another, "
                "write chosen and rejected columns and give --chosen-field and --rejected-field")
    if not (is_plain_text(schema[name]) if verdict.text else schema[name].is_numeric()):
        return f"--preferred-by {name!r} holds {schema[name]}, not {'text' if verdict.text else 'numbers'}"
    if verdict.beside and not (verdict.beside in schema and schema[verdict.beside].is_numeric()):
        return f"--preferred-by {name!r} is read with a column of numbers {verdict.beside!r}, which the input lacks"
    return None


def judged(first: pl.Expr, second: pl.Expr, verdict_column: str) -> tuple[pl.Expr, pl.Expr]:
    """The (chosen, rejected) answers of pairs whose ``first`` and ``second`` answers the
    verdict column judges; null where it prefers neither."""
    verdict = verdict_of(verdict_column)
    first_preferred, second_preferred = verdict.prefers(pl.col(verdict_column).cast(pl.String) if verdict.text else pl.col(verdict_column))
    chosen = pl.when(first_preferred).then(first).when(second_preferred).then(second)
    rejected = pl.when(first_preferred).then(second).when(second_preferred).then(first)
    return chosen, rejected
