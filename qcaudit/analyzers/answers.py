"""Final answers: does each row's response reach the answer the data says is right?

Math data made by distillation or rejection sampling (OpenMathInstruct's
``generated_solution`` beside its ``expected_answer``, NuminaMath's and LIMO's solutions
beside a final ``answer``, a teacher's GSM8K solutions beside the reference's ``#### N``)
keeps a generation only where its final answer is the reference's; a set that skipped or
botched that check trains on wrong answers. With ``--reference-answer COLUMN``, each row's
response and reference are parsed and compared by Math-Verify (Hugging Face's ``math-verify``,
the check behind OpenR1-Math's ``correctness_math_verify``): the last ``\\boxed{}`` answer
of a LaTeX solution, else the expression after an answer's words ("The answer is 72."), else
the last, compared as numbers, sets, intervals and expressions (``1/2`` equals ``0.5`` and
``\\frac{1}{2}``). A text that marks its answer as GSM8K does (``#### 72``) is read after its
last mark alone, as lm-evaluation-harness's strict match reads it: Math-Verify knows no such
mark, and takes a number after the word "answered" in the working for the answer.
A reasoning model's response is read with its reasoning unless ``--no-reasoning``; either
way the last answer is the one after it.

Over the rows with a response and a reference (``checked``): ``answer_found_rate``, the share
whose response holds an answer Math-Verify parses, and ``answer_match_rate``, the share whose
answer it verifies as the reference's. Per row ``final_answer`` (as parsed, its text) and
``answer_match``; a row whose answer differs, or holds none, is flagged, and the first
:data:`SHOWN` such rows are listed beside their reference.
"""

from __future__ import annotations

import threading
from typing import Any

import polars as pl

from qcaudit.columns import RESPONSE, ROW_ID
from qcaudit.registry import (
    Analyzer,
    AnalyzerResult,
    CliOption,
    MetricSpec,
    RowFilter,
    RowFlag,
    Section,
    count,
    register,
    share,
)
from qcaudit.signatures import Metric, signature
from qcaudit.text import ending
from qcaudit.views import Column, RankedRows, Stat, View

#: Seconds Math-Verify may spend parsing or comparing one answer (a pathological expression
#: can hang SymPy); its timer is a signal, which only the main thread may set, so elsewhere
#: (an engine's worker thread) there is none.
TIMEOUT_SECONDS = 5
#: GSM8K's mark before a solution's final answer (:func:`_answer_part`).
GSM8K_MARK = "####"
#: Rows whose final answer is not the reference's listed on the page, the first of them.
SHOWN = 20
#: Characters of such a row's reference shown: its end, where a worked solution's final answer is.
REFERENCE_CHARS = 300
#: The batch column of a listed row's reference, kept for that list alone (of a batch's first
#: :data:`SHOWN` rows not matched: a reference may be a whole solution, on every row).
_REFERENCE = "__answers_reference"
#: Columns of reference answers found by name beside a response, which turn the analyzer on
#: (OpenMathInstruct's ``expected_answer``); not ``answer``, which is GSM8K's whole solution.
FOUND_REFERENCES = ("expected_answer", "gold_answer", "reference_answer", "ground_truth")


class AnswersSettings(Section):
    """Final-answer checks, switched on by ``reference``: the input's column of each row's
    reference answer (a final answer, or a solution that ends in one)."""

    reference: str | None = None


@register
class Answers(Analyzer):
    name = "answers"
    order = 72
    title = "Final answers"
    run_hint = "qcaudit report DATA --reference-answer expected_answer"
    Settings = AnswersSettings
    # rejection sampling's own step: keep the solutions whose final answer is the reference's;
    # a row without a response or a reference is not checked, and kept
    filters = (RowFilter(
        "verify", "Write DATA with the rows whose final answer Math-Verify verifies as the reference's (--reference-answer), "
                  "and the others with their answer.",
        drop=~pl.col("answer_match").fill_null(True),
        reasons={"removed_by": pl.when(pl.col("final_answer").is_null()).then(pl.lit("no final answer"))
                               .otherwise(pl.lit("final answer not the reference's")),
                 "final_answer": pl.col("final_answer")},
    ),)
    options = (CliOption(("--reference-answer",), "reference", str,
                         "Column of each row's reference answer (expected_answer, answer); switches the answers analyzer on: "
                         "does each response's final answer equal it, as Math-Verify parses and compares them."),)

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        return (
            count("checked", "rows with a response and a reference answer", gateable=False),
            share("answer_found_rate", "share of checked rows whose response holds a final answer Math-Verify parses", "higher"),
            share("answer_match_rate", "share of checked rows whose final answer Math-Verify verifies as the reference's", "higher",
                  headline=True),
        )

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        return [RowFlag("answer_match", ~pl.col("answer_match"), "final answer not the reference's",
                        pl.when(pl.col("final_answer").is_null()).then(pl.lit("no final answer found in the response"))
                        .otherwise(pl.format("final answer {} is not the reference's", pl.col("final_answer"))))]

    @classmethod
    def switched_on(cls, config) -> bool:
        return bool(config.answers.reference)

    @classmethod
    def found_in(cls, dataset, config) -> dict[str, Any] | None:
        """On beside a column of :data:`FOUND_REFERENCES` of text or numbers, where the rows
        have a response to check against it."""
        schema = dataset.frame.collect_schema()
        found = next((name for name in schema.names() if name.casefold() in FOUND_REFERENCES
                      and (schema[name] == pl.String or schema[name].is_numeric())), None)
        return {"answers.reference": found} if found and dataset.has_part(RESPONSE) else None

    @classmethod
    def missing_input(cls, config) -> str | None:
        if not config.answers.reference:
            return "the answers analyzer needs each row's reference answer: --reference-answer COLUMN or [answers] reference"
        return None

    def input_columns(self) -> tuple[str | None, tuple[str, ...]]:
        return None, (self.settings.reference,)

    def input_parts(self) -> tuple[str, ...]:
        return (RESPONSE,)

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        if not metrics["checked"]:
            return []
        views: list[View] = [Stat("final answer is the reference's", metrics["answer_match_rate"], ".1%"),
                             Stat("no final answer found", 1 - metrics["answer_found_rate"], ".1%")]
        if tables["mismatched"]:
            columns = [Column("row_id", "row"), Column("final_answer", "final answer", text=True),
                       Column("reference", "reference", text=True)]
            views.append(RankedRows("Final answers not the reference's", columns, tables["mismatched"], "answers-mismatched",
                                    f"the first {SHOWN}, in input order"))
        return views

    def partial(self, batch: pl.DataFrame) -> pl.DataFrame:
        from math_verify import parse, verify

        timeout = TIMEOUT_SECONDS if threading.current_thread() is threading.main_thread() else None
        reference = f"_{self.settings.reference}"
        rows = batch.filter(pl.col(RESPONSE).is_not_null() & pl.col(reference).is_not_null())
        references = rows[reference].cast(pl.String)
        found, matched = [], []
        for response, gold in zip(rows[RESPONSE].to_list(), references.to_list(), strict=True):
            answer = parse(_answer_part(response), parsing_timeout=timeout)
            found.append(str(answer[-1]) if answer else None)  # (its text as written, after the parsed value)
            # (the reference is parsed only where there is an answer to compare it with)
            matched.append(bool(answer) and verify(parse(_answer_part(gold), parsing_timeout=timeout), answer, timeout_seconds=timeout))
        checked = pl.DataFrame({ROW_ID: rows[ROW_ID], "final_answer": pl.Series(found, dtype=pl.String),
                                "answer_match": pl.Series(matched, dtype=pl.Boolean), _REFERENCE: references})
        listed = ~pl.col("answer_match") & ((~pl.col("answer_match")).cum_sum() <= SHOWN)
        return checked.with_columns(pl.when(listed).then(ending(pl.col(_REFERENCE), REFERENCE_CHARS)).alias(_REFERENCE))

    def finalize(self, rows: pl.DataFrame) -> AnalyzerResult:
        from importlib.metadata import version

        n = rows.height
        sig = signature("answers", "math-verify:" + version("math-verify"), f"reference:{self.settings.reference}", f"checked:{n}")
        metrics = {"checked": Metric(n, sig)}
        if n:
            metrics["answer_found_rate"] = Metric(float(rows["final_answer"].is_not_null().mean()), sig)
            metrics["answer_match_rate"] = Metric(float(rows["answer_match"].mean()), sig)
        mismatched = rows.filter(~pl.col("answer_match")).sort(ROW_ID).head(SHOWN)
        records = mismatched.select(ROW_ID, "final_answer", pl.col(_REFERENCE).alias("reference")).to_dicts()
        return AnalyzerResult(metrics, rows.drop(_REFERENCE), {"mismatched": records})


def _answer_part(text: str) -> str:
    """The part of a solution that Math-Verify parses: after its last :data:`GSM8K_MARK`
    where it has one (GSM8K's ``#### 72``), else all of it."""
    return text.rsplit(GSM8K_MARK, 1)[1] if GSM8K_MARK in text else text
