"""Reasoning: does each reasoning model's response end in an answer, and how long does it think?

Data distilled from a reasoning model (DeepSeek-R1's ``<think>...</think>`` before its answer,
OpenThoughts' ``<|begin_of_thought|>`` marks, GRPO's ``<reasoning>`` before its ``<answer>``
(:data:`~qcaudit.text_columns.REASONING_MARKS`), a chat turn's ``reasoning_content``, s1K's
thinking trajectories beside their attempt) holds, besides each answer, the reasoning
written before it. A generation cut at its token limit leaves reasoning that never closes
and no answer after it: a model fine-tuned on such rows learns to think without ending.
DeepSeek-R1's authors kept for its distillation data only reasoning that reached a correct
answer, and OpenR1-Math marks each generation's completeness (``is_reasoning_complete``).

Each response is read twice, as the audit reads it (with its reasoning) and as
``--no-reasoning`` reads it (its answer alone; :data:`qcaudit.columns.RESPONSE_ANSWER`); the
whitespace tokens (Python's ``str.split()``) of the first, its reasoning marks left out, less
those of the second are its reasoning's. A response holds reasoning where that is more than
none (an empty ``<think></think>``, Qwen3's answer without thinking, holds none). Over the
rows with a response (``responses``):

- ``reasoning_rate``: the share holding reasoning;
- ``unfinished_rate``: of those, the share with no answer after the reasoning, either because
  the reasoning never closes (more opening marks than closing ones) or because nothing follows
  it; each such row flagged, and the first :data:`SHOWN` listed with how the response ends;
- ``reasoning_tokens_mean``, ``_median``, ``_p90``, ``_max`` and ``answer_tokens_median``: the
  reasoning's and the answer's length, over the responses holding reasoning;
- ``mixed_script_rate``: of those, the share whose reasoning holds a line in another script
  (:func:`qcaudit.text.in_other_scripts`: at least 8 letters, most of them not Latin) where its
  prompt is written in Latin script (or, without a prompt of 8 letters, the reasoning itself):
  the language mixing DeepSeek-R1's authors saw in its reasoning (an English chain of thought
  that goes on in Chinese), which they filtered out of its distillation data and rewarded
  away. Each such row is a reason to review, not a verdict (a reasoning may quote Chinese).
  Reasoning after a prompt in another script is not judged: its formulas and variables are
  lines of Latin letters.

Per row ``reasoning_tokens``, ``answer_tokens``, ``reasoning_unfinished``,
``reasoning_unclosed`` and ``reasoning_mixed_scripts`` (null where the response holds no
reasoning). The reasoning's text is the response less its answer at its end.

Where a chat template writes the opening mark into the prompt (DeepSeek-R1's distilled
models' and QwQ's end in ``<think>``), responses close reasoning they never open, and one cut
before its closing mark holds no mark at all. So where most responses holding reasoning close
it without opening it, a response with no mark is read as reasoning that never closed (the
page says so, and the signature names ``opened:template``); elsewhere it is an answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from qcaudit.columns import PROMPT, RESPONSE, RESPONSE_ANSWER, ROW_ID
from qcaudit.io import WHITESPACE_TOKEN
from qcaudit.registry import (
    Analyzer,
    AnalyzerResult,
    MetricSpec,
    RowFilter,
    RowFlag,
    count,
    register,
    share,
)
from qcaudit.signatures import Metric, histogram, signature
from qcaudit.text import OTHER_SCRIPT_MIN_LETTERS, ending, in_other_scripts
from qcaudit.text_columns import REASONING_MARKS
from qcaudit.views import Column, Notice, RankedRows, Stat, View, histogram_view

#: Marks that open and close reasoning written inline (:data:`~qcaudit.text_columns.REASONING_MARKS`:
#: DeepSeek-R1's and Qwen's, OpenThoughts', GRPO's format's, Magistral's, ...).
OPENING_MARKS = tuple(opening for opening, _ in REASONING_MARKS)
CLOSING_MARKS = tuple(closing for _, closing in REASONING_MARKS)
#: Marks around the answer after such reasoning (OpenThoughts', GRPO's format's): no words of it either.
ANSWER_MARKS = ("<|begin_of_solution|>", "<|end_of_solution|>", "<answer>", "</answer>")
#: Rows whose reasoning ends in no answer listed on the page, the first of them.
SHOWN = 20
#: Characters of such a row's response shown: its end, where the generation stopped.
TAIL_CHARS = 300
HISTOGRAM_BINS = 40
#: The first responses read to find reasoning in, which turns the analyzer on (:meth:`Reasoning.found_in`).
FIRST_ROWS = 100
QUANTILES = {"median": 0.5, "p90": 0.9}
#: What the report says where no response holds reasoning.
NO_REASONING = ("No response holds reasoning before its answer (no <think>, <|begin_of_thought|> or <reasoning> marks, no "
                "reasoning field of a chat turn, no reasoning column beside the answer): nothing to measure.")
#: What the report says where a chat template opened the reasoning (:func:`_read_as_the_template_opened_it`).
OPENED_BY_TEMPLATE = ("Most responses close reasoning they never open: a chat template opened it in the prompt. A response "
                      "with no reasoning mark at all is counted as reasoning that never closed.")
#: The batch column of an unfinished row's response's end, kept for the page's list alone.
_TAIL = "__reasoning_tail"
#: The batch columns of whether a response closes reasoning it never opens, and holds no mark
#: at all and no reasoning read otherwise (:func:`_read_as_the_template_opened_it`).
_CLOSES_UNOPENED = "__reasoning_closes_unopened"
_UNMARKED = "__reasoning_unmarked"
#: Why a row's reasoning is unfinished (the review sample's reason, the removed rows' ``removed_by``).
_UNFINISHED = (pl.when(pl.col("reasoning_unclosed")).then(pl.lit("reasoning never closed: no answer after it"))
               .otherwise(pl.lit("no answer after the reasoning")))


@register
class Reasoning(Analyzer):
    name = "reasoning"
    order = 74
    run_hint = "qcaudit report DATA --analyzers diversity,duplicates,reasoning"
    # what DeepSeek-R1's authors did to its distillation data: keep the reasoning that reached an answer
    filters = (RowFilter(
        "drop-unfinished", "Write DATA without the responses whose reasoning ends in no answer (it never closes: a generation "
                           "cut in its reasoning; or nothing follows it), and the removed rows with why.",
        drop=pl.col("reasoning_unfinished").fill_null(False), reasons={"removed_by": _UNFINISHED},
    ),)

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        return (
            count("responses", "rows with a response", gateable=False),
            share("reasoning_rate", "share of responses that hold reasoning before their answer"),
            share("unfinished_rate", "share of responses with reasoning that have no answer after it (never closed, or nothing after it)",
                  "lower", headline=True),
            count("reasoning_tokens_mean", "mean whitespace tokens of the reasoning, over responses with reasoning"),
            *(count(f"reasoning_tokens_{name}", f"{name} of the reasoning's whitespace tokens") for name in QUANTILES),
            count("reasoning_tokens_max", "the longest reasoning's whitespace tokens"),
            count("answer_tokens_median", "median whitespace tokens of the answer after the reasoning"),
            share("mixed_script_rate", "share of responses with reasoning that holds a line in another script than Latin, after a "
                  "prompt in Latin script", "lower"),
        )

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        return [RowFlag("reasoning_unfinished", pl.col("reasoning_unfinished"), "reasoning unfinished", _UNFINISHED),
                RowFlag("reasoning_mixed_scripts", pl.col("reasoning_mixed_scripts"), "reasoning mixes scripts",
                        pl.lit("a line of the reasoning is in another script than Latin"), verdict=False)]

    @classmethod
    def missing_input(cls, config) -> str | None:
        if not config.input.reasoning:
            return "the reasoning analyzer measures the reasoning, which --no-reasoning leaves out"
        return None

    @classmethod
    def found_in(cls, dataset, config) -> dict[str, Any] | None:
        """On where one of the first :data:`FIRST_ROWS` responses holds reasoning (read unless
        ``--no-reasoning``)."""
        first = dataset.first_parts((RESPONSE, RESPONSE_ANSWER), FIRST_ROWS) if config.input.reasoning else None
        reasoned = (_tokens(pl.col(RESPONSE)) > _tokens(pl.col(RESPONSE_ANSWER))).any()
        return {} if first is not None and first.select(reasoned).item() else None

    def input_parts(self) -> tuple[str, ...]:
        return (RESPONSE, RESPONSE_ANSWER) + ((PROMPT,) if self.context.has_part(PROMPT) else ())

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        if not metrics.get("reasoning_rate"):
            return [Notice(NO_REASONING, "warning")] if metrics.get("responses") else []
        views: list[View] = [Stat("responses with reasoning", metrics["reasoning_rate"], ".1%"),
                             Stat("no answer after the reasoning", metrics["unfinished_rate"], ".1%"),
                             Stat("median reasoning tokens", metrics["reasoning_tokens_median"], ",.0f"),
                             Stat("reasoning with a line in another script", metrics["mixed_script_rate"], ".1%"),
                             histogram_view(tables["reasoning_tokens"], "Reasoning length", "whitespace tokens of the reasoning")]
        if tables.get("opened_by_template"):
            views.append(Notice(OPENED_BY_TEMPLATE))
        if tables["unfinished"]:
            columns = [Column("row_id", "row"), Column("reason", "reason", text=True),
                       Column("ending", "how the response ends", text=True)]
            views.append(RankedRows("Reasoning without an answer", columns, tables["unfinished"], "reasoning-unfinished",
                                    f"the first {SHOWN}, in input order"))
        return views

    def partial(self, batch: pl.DataFrame) -> pl.DataFrame:
        response = pl.col(RESPONSE)
        rows = batch.filter(response.is_not_null()).with_columns(
            _tokens(response).alias("response_tokens"), _tokens(pl.col(RESPONSE_ANSWER)).alias("answer_tokens"))
        # a response holding no mark and no reasoning read: all reasoning, where a template opened it
        unmarked = ~_holds_a_mark(response) & (pl.col("response_tokens") == pl.col("answer_tokens"))
        reasoning = pl.when(unmarked).then(response).otherwise(_reasoning_text())
        rows = rows.select(
            ROW_ID, "response_tokens", "answer_tokens",
            _opened_more_than_closed(response).alias("unclosed"), _closed_more_than_opened(response).alias(_CLOSES_UNOPENED),
            unmarked.alias(_UNMARKED),
            _mixes_scripts(_unmarked(reasoning), pl.col(PROMPT) if PROMPT in batch.columns else None).alias("mixed"),
            ending(response, TAIL_CHARS).alias(_TAIL))
        reasoned = pl.col("response_tokens") > pl.col("answer_tokens")
        # the end kept only where it may be shown: of the first rows unfinished, or holding no mark, in this batch
        shown = pl.when(reasoned & (pl.col("unclosed") | (pl.col("answer_tokens") == 0))).then(0).when(pl.col(_UNMARKED)).then(1)
        return rows.with_columns(pl.when(pl.int_range(pl.len()).over(shown) < SHOWN).then(pl.col(_TAIL)).alias(_TAIL))

    def finalize(self, rows: pl.DataFrame) -> AnalyzerResult:
        n = rows.height
        rows, opened_by_template = _read_as_the_template_opened_it(rows)
        rows = rows.with_columns((pl.col("response_tokens") - pl.col("answer_tokens")).alias("reasoning_tokens"))
        reasoned = pl.col("reasoning_tokens") > 0
        unfinished = pl.col("unclosed") | (pl.col("answer_tokens") == 0)
        rows = rows.select(
            ROW_ID, "reasoning_tokens", "answer_tokens",
            pl.when(reasoned).then(unfinished).alias("reasoning_unfinished"),
            pl.when(reasoned).then(pl.col("unclosed")).alias("reasoning_unclosed"),
            pl.when(reasoned).then(pl.col("mixed")).alias("reasoning_mixed_scripts"),
            pl.when(reasoned & unfinished).then(pl.col(_TAIL)).alias(_TAIL))
        reasoned = rows.filter(pl.col("reasoning_unfinished").is_not_null())
        sig = signature("reasoning", "tok:str.split", "marks:think,thought,reasoning,THINK,kimi,seed,solution,answer",
                        *(["opened:template"] * opened_by_template), f"responses:{n}")
        metrics = {"responses": Metric(n, sig)}
        if n:
            metrics["reasoning_rate"] = Metric(reasoned.height / n, sig)
        if reasoned.height:
            tokens = reasoned["reasoning_tokens"].to_numpy()
            metrics |= {
                "unfinished_rate": Metric(float(reasoned["reasoning_unfinished"].mean()), sig),
                "reasoning_tokens_mean": Metric(float(tokens.mean()), sig),
                **{f"reasoning_tokens_{name}": Metric(float(np.quantile(tokens, q)), sig) for name, q in QUANTILES.items()},
                "reasoning_tokens_max": Metric(int(tokens.max()), sig),
                "answer_tokens_median": Metric(float(reasoned["answer_tokens"].median()), sig),
                "mixed_script_rate": Metric(float(reasoned["reasoning_mixed_scripts"].mean()),
                                            signature("mixed_scripts", "by:line", f"min_letters:{OTHER_SCRIPT_MIN_LETTERS}",
                                                      f"reasoned:{reasoned.height}")),
            }
        unfinished = reasoned.filter(pl.col("reasoning_unfinished")).sort(ROW_ID).head(SHOWN)
        reason = pl.when(pl.col("reasoning_unclosed")).then(pl.lit("never closed")).otherwise(pl.lit("nothing after it"))
        tables = {"opened_by_template": opened_by_template,
                  "reasoning_tokens": histogram(reasoned["reasoning_tokens"].to_numpy(), HISTOGRAM_BINS),
                  "unfinished": unfinished.select(ROW_ID, reason.alias("reason"), pl.col(_TAIL).alias("ending")).to_dicts()}
        return AnalyzerResult(metrics, rows.drop(_TAIL), tables)


def _tokens(text: pl.Expr) -> pl.Expr:
    """The whitespace tokens of ``text``, its marks left out (:func:`_unmarked`); none where it
    is null (an answer that the reasoning never reached). A response's reasoning has its
    tokens less its answer's alone."""
    return _unmarked(text.fill_null("")).str.count_matches(WHITESPACE_TOKEN).cast(pl.Int64)


def _reasoning_text() -> pl.Expr:
    """Each row's reasoning as text: its response less its answer alone where the response
    ends in it (as every reading of reasoning writes it: before the answer), else the response."""
    response, answer = pl.col(RESPONSE), pl.col(RESPONSE_ANSWER).fill_null("")
    return (pl.when(response.str.ends_with(answer))
            .then(response.str.head(response.str.len_chars() - answer.str.len_chars())).otherwise(response))


def _mixes_scripts(reasoning: pl.Expr, prompt: pl.Expr | None) -> pl.Expr:
    """Whether ``reasoning`` holds a line in another script than Latin
    (:func:`~qcaudit.text.in_other_scripts`) where its ``prompt`` is written in Latin script,
    or, where the prompt has fewer than :data:`~qcaudit.text.OTHER_SCRIPT_MIN_LETTERS` letters
    (or there is none), the reasoning is."""
    other_line = reasoning.str.split("\n").list.eval(in_other_scripts(pl.element())).list.any()
    latin = _written_in_latin(reasoning) if prompt is None else pl.coalesce(_written_in_latin(prompt), _written_in_latin(reasoning))
    return latin.fill_null(False) & other_line


def _written_in_latin(text: pl.Expr) -> pl.Expr:
    """Whether ``text`` is written in Latin script (most of its letters); null where it has
    fewer than :data:`~qcaudit.text.OTHER_SCRIPT_MIN_LETTERS`."""
    return pl.when(text.str.count_matches(r"\p{L}") >= OTHER_SCRIPT_MIN_LETTERS).then(~in_other_scripts(text))


def _unmarked(text: pl.Expr) -> pl.Expr:
    """``text`` with its reasoning and answer marks (:data:`OPENING_MARKS`,
    :data:`CLOSING_MARKS`, :data:`ANSWER_MARKS`) read as white space: a mark is not a word of
    the reasoning or the answer, written apart or against one."""
    marks = "|".join(pl.escape_regex(mark) for mark in (*OPENING_MARKS, *CLOSING_MARKS, *ANSWER_MARKS))
    return text.str.replace_all(marks, " ")


def _read_as_the_template_opened_it(rows: pl.DataFrame) -> tuple[pl.DataFrame, bool]:
    """``rows`` with each response that holds no mark read as reasoning never closed, and
    True, where most responses holding reasoning close it without opening it: a chat template
    wrote the opening mark into the prompt (DeepSeek-R1's distilled models' ends in
    ``<think>``), so that a generation cut before its closing mark holds none; else ``rows``
    as they are, and False."""
    reasoned = rows.filter(pl.col("response_tokens") > pl.col("answer_tokens"))
    if not reasoned.height or reasoned[_CLOSES_UNOPENED].sum() * 2 <= reasoned.height:
        return rows, False
    cut = pl.col(_UNMARKED) & (pl.col("response_tokens") > 0)
    return rows.with_columns(pl.when(cut).then(0).otherwise(pl.col("answer_tokens")).alias("answer_tokens"),
                             (cut | pl.col("unclosed")).alias("unclosed")), True


def _holds_a_mark(text: pl.Expr) -> pl.Expr:
    """Whether ``text`` holds any opening or closing mark of reasoning."""
    return text.str.contains("|".join(pl.escape_regex(mark) for mark in (*OPENING_MARKS, *CLOSING_MARKS)))


def _closed_more_than_opened(text: pl.Expr) -> pl.Expr:
    """Whether ``text`` closes reasoning more often than it opens it, for either kind of mark:
    reasoning that a chat template opened in the prompt."""
    return pl.any_horizontal([text.str.count_matches(closing, literal=True) > text.str.count_matches(opening, literal=True)
                              for opening, closing in zip(OPENING_MARKS, CLOSING_MARKS, strict=True)])


def _opened_more_than_closed(text: pl.Expr) -> pl.Expr:
    """Whether ``text`` opens reasoning more often than it closes it, for either kind of mark:
    reasoning that never closed (a generation cut at its token limit)."""
    return pl.any_horizontal([text.str.count_matches(opening, literal=True) > text.str.count_matches(closing, literal=True)
                              for opening, closing in zip(OPENING_MARKS, CLOSING_MARKS, strict=True)])
