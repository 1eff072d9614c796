"""Truncation: which responses were cut off before they ended?

A generation stopped by its token limit ends mid-sentence, mid-list or inside a code block;
one stopped by a content filter ends where the filter cut it. Trained on, both teach a model
to stop without finishing. Most generation pipelines save why each one stopped beside its
text: OpenAI's API, vLLM and TGI a ``finish_reason`` (``length``; SGLang's
``{"type": "length"}``), Anthropic's a ``stop_reason`` (``max_tokens``), Gemini's a
``finishReason`` (``MAX_TOKENS``), OpenAI's Responses API an ``incomplete_details``
(``max_output_tokens``), Ollama a ``done_reason``, OpenR1-Math a ``finish_reasons`` list for
its several generations. The
analyzer finds that record (:func:`stop_reason_column`: a column so named, or such a field
inside an API's saved answers, ``choices``, a Batch API line's ``response.body``; where it
finds one, it runs by itself), or reads the column ``--stop-reason`` names, and over the rows
it gives a reason for:

- ``cut_off_rate``: the share whose generation (any of a row's several; where its response is
  one of them, that one) stopped at the token limit (:data:`LENGTH_REASONS`);
- ``content_filter_rate``: the share stopped by a content filter (:data:`FILTER_REASONS`).

Whatever the data records, the text shows one cut of its own: ``unclosed_code_rate``, the
share of responses (of texts, without a response) whose Markdown code block never closes
(:func:`unclosed_code_block`): an answer cut inside its code.

Per row ``stop_reason`` (the row's reasons, as written, joined by ", "), ``cut_off``,
``stopped_by_filter`` and ``code_unclosed``; each such row is flagged, and the first
:data:`SHOWN` are listed with how their response ends. ``qcaudit drop-truncated`` writes the
data without them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import polars as pl

from qcaudit.columns import RESPONSE, ROW_ID, TEXT
from qcaudit.errors import QcauditError
from qcaudit.io import ANSWER_LIST_COLUMNS
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
from qcaudit.views import Column, Notice, RankedRows, Stat, View

#: Names of the field that says why a generation stopped, casefolded (OpenAI's, vLLM's and
#: TGI's ``finish_reason``, OpenR1-Math's ``finish_reasons``, Anthropic's ``stop_reason``,
#: Gemini's ``finishReason``, Bedrock's ``stopReason``, Ollama's ``done_reason``, llama.cpp
#: server's ``stop_type``, Amazon Titan's ``completionReason``).
REASON_FIELDS = ("finish_reason", "finish_reasons", "finishreason", "stop_reason", "stopreason", "done_reason", "stop_type",
                 "completionreason")
#: Where OpenAI's Responses API says why a response stopped early: ``incomplete_details``'s
#: ``reason`` (``max_output_tokens``, ``content_filter``), null where it completed (the reason
#: then read, :data:`COMPLETED`; a failed response has no text to count).
INCOMPLETE_DETAILS, INCOMPLETE_REASON, COMPLETED = "incomplete_details", "reason", "completed"
#: The field of a reason written as an object that names it (SGLang's ``finish_reason``).
REASON_TYPE = "type"
#: Reasons, casefolded, that say the generation stopped at its token limit (OpenAI's, vLLM's,
#: TGI's and Ollama's ``length``, Anthropic's and Bedrock's ``max_tokens``, Gemini's and
#: Cohere's ``MAX_TOKENS``, Cohere's ``ERROR_LIMIT`` (its context), Mistral's ``model_length``,
#: OpenAI Responses' ``max_output_tokens``, llama.cpp's ``limit``, Anthropic's and Bedrock's
#: ``model_context_window_exceeded``).
LENGTH_REASONS = frozenset({"length", "max_tokens", "max_length", "model_length", "max_output_tokens", "error_limit", "limit",
                            "model_context_window_exceeded"})
#: ... and at a content filter (OpenAI's ``content_filter``, Gemini's ``SAFETY``,
#: ``RECITATION``, ``BLOCKLIST``, ``PROHIBITED_CONTENT`` and ``SPII``, Anthropic's ``refusal``,
#: Bedrock's ``content_filtered`` and ``guardrail_intervened``, Cohere's ``ERROR_TOXIC``).
FILTER_REASONS = frozenset({"content_filter", "safety", "recitation", "blocklist", "prohibited_content", "spii", "refusal",
                            "content_filtered", "guardrail_intervened", "error_toxic"})
#: Struct levels searched for a reason field inside an API's saved answer (a Batch API
#: output line's ``response.body.choices[].finish_reason`` is three below its column).
SEARCH_DEPTH = 4
#: Rows cut off listed on the page, the first of them.
SHOWN = 20
#: Stop reasons kept in the report, the most common: an API has a handful; a column of
#: another kind under a reason's name (free text) would otherwise list every row.
REASONS_SHOWN = 30
#: Characters of such a row's response shown: its end, where it stopped.
TAIL_CHARS = 300
#: A line that opens or closes a Markdown code fence (CommonMark: three or more backticks or
#: tildes; a backtick fence's info string holds no backtick), after any indentation (a fence
#: in a list item is indented); one after a list marker or a quote mark is not read.
_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})([^\n]*)$", re.MULTILINE)
#: The indentation a closing fence may have at the top level: a fence line indented 4 spaces
#: inside a block is code (Code Alpaca's answers quote code samples that end in one).
MAX_CLOSING_INDENT = 3
#: The batch column of a flagged row's response's end, kept for the page's list alone.
_TAIL = "__truncation_tail"
#: ... and its stop reasons as a list, for the table of every reason.
_REASONS = "__truncation_reasons"
#: Why a row is cut off, each way (the review sample's reasons), and the first that holds (the
#: page's list, the removed rows' ``removed_by``).
_CUT = pl.format("stopped at the token limit (finish reason {})", pl.col("stop_reason"))
_FILTERED = pl.format("stopped by a content filter (finish reason {})", pl.col("stop_reason"))
_UNCLOSED = pl.lit("a code block never closes")
_WHY = pl.when(pl.col("cut_off")).then(_CUT).when(pl.col("stopped_by_filter")).then(_FILTERED).otherwise(_UNCLOSED)


class TruncationSettings(Section):
    """Cut-off responses. ``stop_reason``: the input's column of why each generation stopped
    (text, a list of texts, or an API's saved answers holding a ``finish_reason``); by
    default the one found (:func:`stop_reason_column`)."""

    stop_reason: str | None = None


@register
class Truncation(Analyzer):
    name = "truncation"
    order = 76
    title = "Cut-off responses"
    run_hint = "qcaudit report DATA --analyzers diversity,duplicates,truncation"
    Settings = TruncationSettings
    filters = (RowFilter(
        "drop-truncated", "Write DATA without the responses cut off (the data's finish reason says the token limit or a "
                          "content filter, or a code block never closes), and the removed rows with why.",
        drop=pl.any_horizontal(pl.col("cut_off"), pl.col("stopped_by_filter"), pl.col("code_unclosed")).fill_null(False),
        reasons={"removed_by": _WHY},
    ),)
    options = (CliOption(("--stop-reason",), "stop_reason", str,
                         "Column of why each generation stopped (finish_reason, stop_reason, or an API's saved answers); "
                         "by default the one found: the truncation analyzer counts the rows cut at the token limit."),)

    @classmethod
    def metrics(cls) -> tuple[MetricSpec, ...]:
        return (
            count("generations", "rows with a response (with none, with a text): the generations read", gateable=False),
            count("with_stop_reason", "rows whose data says why their generation stopped", gateable=False),
            share("cut_off_rate", "share of rows with a stop reason whose generation stopped at the token limit", "lower", headline=True),
            share("content_filter_rate", "share of rows with a stop reason whose generation a content filter stopped", "lower"),
            share("unclosed_code_rate", "share of responses whose Markdown code block never closes", "lower"),
        )

    @classmethod
    def row_flags(cls, columns) -> list[RowFlag]:
        return [RowFlag("cut_off", pl.col("cut_off"), "cut at the token limit", _CUT),
                RowFlag("stopped_by_filter", pl.col("stopped_by_filter"), "stopped by a content filter", _FILTERED),
                RowFlag("code_unclosed", pl.col("code_unclosed"), "code block never closes", _UNCLOSED)]

    @classmethod
    def found_in(cls, dataset, config) -> dict[str, Any] | None:
        """On where the input records why each generation stopped (:func:`stop_reason_column`)."""
        return {} if stop_reason_column(dataset.frame.collect_schema()) else None

    @cached_property
    def _schema(self) -> Mapping[str, pl.DataType]:
        """The audited input's columns (none before the engine sets its dataset)."""
        return self.context.dataset.frame.collect_schema() if self.context.dataset is not None else {}

    @cached_property
    def _stop_reason(self) -> str | None:
        """The input's column of stop reasons: the one set, else the one found; None where
        there is none."""
        return self.settings.stop_reason or stop_reason_column(self._schema)

    def check_inputs(self) -> None:
        """Refuse, before any row is read, a stop reason column named that holds none."""
        if (column := self._stop_reason) in self._schema:
            reasons_of(pl.col(column), self._schema[column], column)

    @cached_property
    def _generations(self) -> str | None:
        """The input's list of generations (:data:`~qcaudit.io.ANSWER_LIST_COLUMNS`, of texts)
        that a list of stop reasons gives one reason each, where the response is a text of its
        own (OpenR1-Math's chat beside its ``generations`` and ``finish_reasons``): the
        response's reason is that of the generation it equals."""
        column = self._stop_reason
        if column not in self._schema or not isinstance(self._schema[column], pl.List) or not self.context.has_part(RESPONSE):
            return None
        return next((name for name in ANSWER_LIST_COLUMNS if self._schema.get(name) == pl.List(pl.String)), None)

    def input_columns(self) -> tuple[str | None, tuple[str, ...]]:
        return None, tuple(column for column in (self._stop_reason, self._generations) if column)

    def input_parts(self) -> tuple[str, ...]:
        return (RESPONSE,) if self.context.has_part(RESPONSE) else ()

    @classmethod
    def views(cls, tables: dict[str, Any], metrics: dict[str, Any], config: dict[str, Any]) -> list[View]:
        if not metrics.get("generations"):
            return []
        views: list[View] = []
        if metrics.get("with_stop_reason"):
            views += [Stat("stopped at the token limit", metrics["cut_off_rate"], ".1%"),
                      Stat("stopped by a content filter", metrics["content_filter_rate"], ".1%")]
        else:
            views.append(Notice(NO_STOP_REASON, "info"))
        views.append(Stat("code block never closes", metrics["unclosed_code_rate"], ".1%"))
        if tables["stop_reasons"]:
            given = tables.get("stop_reasons_given", len(tables["stop_reasons"]))
            caption = (f"the {len(tables['stop_reasons'])} most common of the {given:,} reasons the data gives, by rows"
                       if given > len(tables["stop_reasons"]) else "every reason the data gives, by rows")
            views.append(RankedRows("Why the generations stopped", [Column("reason", "stop reason", text=True),
                                                                     Column("rows", "rows")],
                                    tables["stop_reasons"], "truncation-reasons", caption))
        if tables["cut"]:
            columns = [Column("row_id", "row"), Column("reason", "why", text=True), Column("ending", "how the response ends", text=True)]
            views.append(RankedRows("Responses cut off", columns, tables["cut"], "truncation-cut", f"the first {SHOWN}, in input order"))
        return views

    def partial(self, batch: pl.DataFrame) -> pl.DataFrame:
        text = pl.col(RESPONSE if RESPONSE in batch.columns else TEXT)
        column = self._stop_reason
        reasons = reasons_of(pl.col(f"_{column}"), batch.schema[f"_{column}"], column) if column else pl.lit([], pl.List(pl.String))
        if self._generations:  # (the reasons of the generations the response is, where it is one of them)
            batch = batch.with_columns(_reasons_of_the_response(batch, reasons, pl.col(f"_{self._generations}")).alias(_REASONS))
            reasons = pl.coalesce(_REASONS, reasons)
        rows = batch.filter(text.is_not_null()).select(
            ROW_ID, reasons.list.drop_nulls().alias(_REASONS),
            text.map_batches(unclosed_code_blocks, return_dtype=pl.Boolean).alias("code_unclosed"), ending(text, TAIL_CHARS).alias(_TAIL))
        known = pl.col(_REASONS).list.len() > 0
        said = pl.col(_REASONS).list.eval(pl.element().str.to_lowercase())
        rows = rows.with_columns(
            pl.when(known).then(pl.col(_REASONS).list.join(", ")).alias("stop_reason"),
            pl.when(known).then(said.list.eval(pl.element().is_in(list(LENGTH_REASONS))).list.any()).alias("cut_off"),
            pl.when(known).then(said.list.eval(pl.element().is_in(list(FILTER_REASONS))).list.any()).alias("stopped_by_filter"))
        flagged = pl.any_horizontal("cut_off", "stopped_by_filter", "code_unclosed").fill_null(False)
        shown = flagged & (flagged.cum_sum() <= SHOWN)  # (the end kept only where it may be listed: of this batch's first flagged rows)
        return rows.with_columns(pl.when(shown).then(pl.col(_TAIL)).alias(_TAIL)).select(
            ROW_ID, "stop_reason", "cut_off", "stopped_by_filter", "code_unclosed", _REASONS, _TAIL)

    def finalize(self, rows: pl.DataFrame) -> AnalyzerResult:
        n = rows.height
        known = rows.filter(pl.col("stop_reason").is_not_null())
        column = self._stop_reason
        sig = signature("truncation", f"stop_reason:{column or 'none'}", "length:" + ",".join(sorted(LENGTH_REASONS)),
                        f"rows:{n}")
        metrics = {"generations": Metric(n, sig), "with_stop_reason": Metric(known.height, sig)}
        if n:
            metrics["unclosed_code_rate"] = Metric(float(rows["code_unclosed"].mean()), signature("truncation", "fences:commonmark",
                                                                                              f"rows:{n}"))
        if known.height:
            metrics |= {"cut_off_rate": Metric(float(known["cut_off"].mean()), sig),
                        "content_filter_rate": Metric(float(known["stopped_by_filter"].mean()), sig)}
        reasons = (known.select(pl.col(_REASONS).list.unique().alias("reason")).explode("reason")
                   .group_by("reason").len("rows").sort(["rows", "reason"], descending=[True, False]))
        cut = rows.filter(pl.col(_TAIL).is_not_null()).sort(ROW_ID).head(SHOWN)
        tables = {"stop_reasons": reasons.head(REASONS_SHOWN).to_dicts(), "stop_reasons_given": reasons.height,
                  "cut": cut.select(ROW_ID, _WHY.alias("reason"), pl.col(_TAIL).alias("ending")).to_dicts()}
        return AnalyzerResult(metrics, rows.drop(_REASONS, _TAIL), tables)


#: What the page says where the data does not record why its generations stopped.
NO_STOP_REASON = ("The data does not say why each generation stopped (no finish_reason or stop_reason column, none in an "
                  "API's saved answers; name one with --stop-reason): only code blocks that never close are counted.")


def stop_reason_column(schema: Mapping[str, pl.DataType]) -> str | None:
    """The input's column that says why each generation stopped: the first of
    :data:`REASON_FIELDS` (of text or texts), else the first of structs or lists of structs
    with such a field within :data:`SEARCH_DEPTH` levels (OpenAI's ``choices``, a Batch API
    output line's ``response``, Anthropic's Message Batches ``result``); None where none is."""
    named = _first_reason_field(schema)
    return named or next((name for name, dtype in schema.items() if _reasons_inside(pl.col(name), dtype) is not None), None)


def reasons_of(expression: pl.Expr, dtype: pl.DataType, column: str) -> pl.Expr:
    """Each row's stop reasons as a list of texts, from the column ``column`` of ``dtype``:
    its text, its texts, the Responses API's ``incomplete_details`` (:data:`INCOMPLETE_DETAILS`),
    a reason field's typed reason (:func:`_is_typed_reason`), or the reason fields inside its
    structs and lists of structs (:func:`_reasons_inside`); a column that holds none is refused."""
    if _is_incomplete_details(column, dtype):
        return pl.concat_list([expression.struct.field(INCOMPLETE_REASON).cast(pl.String).fill_null(COMPLETED)])
    if column.casefold() in REASON_FIELDS and _is_typed_reason(dtype):
        return pl.concat_list([expression.struct.field(REASON_TYPE).cast(pl.String)])
    if _is_texts(dtype):
        return pl.concat_list([expression.cast(pl.String)]) if not isinstance(dtype, pl.List) else expression.cast(pl.List(pl.String))
    found = _reasons_inside(expression, dtype)
    if found is None:
        raise QcauditError(f"the stop reason column {column!r} holds {dtype}: neither text nor a finish_reason or stop_reason inside")
    return found


def _reasons_inside(expression: pl.Expr, dtype: pl.DataType, depth: int = 0) -> pl.Expr | None:
    """The texts of the fields named as :data:`REASON_FIELDS` inside structs and lists of
    structs (every choice's ``finish_reason``), as a list a row, within :data:`SEARCH_DEPTH`
    levels; None where there is none."""
    if depth >= SEARCH_DEPTH:
        return None
    if isinstance(dtype, pl.Struct):
        fields = {f.name: f.dtype for f in dtype.fields}
        if named := _first_reason_field(fields):
            return reasons_of(expression.struct.field(named), fields[named], named)
        inside = [each for name, inner in fields.items() if (each := _reasons_inside(expression.struct.field(name), inner, depth + 1))
                  is not None]
        return pl.concat_list(inside) if inside else None
    if isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct):
        each = _reasons_inside(pl.element(), dtype.inner, depth + 1)
        return None if each is None else expression.list.eval(each).list.eval(pl.element().explode())
    return None


def _first_reason_field(fields: Mapping[str, pl.DataType]) -> str | None:
    """The first of :data:`REASON_FIELDS` among ``fields`` (by name, casefolded) of text or
    texts: ``finish_reason`` before ``stop_reason``, which vLLM's outputs hold too, as the stop
    string or token that ended a generation (a reason may be typed, :func:`_is_typed_reason`); else
    the Responses API's ``incomplete_details``."""
    found = {name.casefold(): name for name, dtype in fields.items() if _is_texts(dtype) or _is_typed_reason(dtype)}
    named = next((found[name] for name in REASON_FIELDS if name in found), None)
    return named or next((name for name, dtype in fields.items() if _is_incomplete_details(name, dtype)), None)


def _is_typed_reason(dtype: pl.DataType) -> bool:
    """Whether a reason field of ``dtype`` says its reason as the ``type`` of an object
    (:data:`REASON_TYPE`; SGLang's ``meta_info.finish_reason``: ``{"type": "length", "length": 128}``)."""
    return _has_text_field(dtype, REASON_TYPE)


def _is_incomplete_details(name: str, dtype: pl.DataType) -> bool:
    """Whether the field ``name`` of ``dtype`` is the Responses API's ``incomplete_details``, a
    ``reason`` of text."""
    return name.casefold() == INCOMPLETE_DETAILS and _has_text_field(dtype, INCOMPLETE_REASON)


def _has_text_field(dtype: pl.DataType, field: str) -> bool:
    """Whether ``dtype`` is a struct with a ``field`` of text (:func:`_is_texts`)."""
    return isinstance(dtype, pl.Struct) and any(f.name == field and _is_texts(f.dtype) for f in dtype.fields)


def _is_texts(dtype: pl.DataType) -> bool:
    """Whether ``dtype`` is text or a list of texts (categories among them: a Parquet file's
    dictionary of reasons)."""
    inner = dtype.inner if isinstance(dtype, pl.List) else dtype
    return inner == pl.String or isinstance(inner, pl.Categorical | pl.Enum)


def _reasons_of_the_response(batch: pl.DataFrame, reasons: pl.Expr, generations: pl.Expr) -> pl.Series:
    """Each row's stop reasons of the generations that equal its response, one reason a
    generation in the same order; null where none does, or the two lists differ in length."""
    paired = (batch.select(ROW_ID, reasons.alias("reason"), generations.alias("said"), pl.col(RESPONSE))
              .filter(pl.col("reason").list.len() == pl.col("said").list.len()).explode("reason", "said")
              .filter(pl.col("said") == pl.col(RESPONSE)).group_by(ROW_ID, maintain_order=True).agg("reason"))
    return batch.select(ROW_ID).join(paired, on=ROW_ID, how="left", maintain_order="left")["reason"]


def unclosed_code_blocks(texts: pl.Series) -> pl.Series:
    """:func:`unclosed_code_block` of each text, read only where it holds a fence's marks
    (most texts hold none: false, without a line of it read in Python; null for no text)."""
    fenced = texts.str.contains(r"`{3}|~{3}").fill_null(False)
    unclosed = pl.select(pl.when(pl.lit(texts).is_not_null()).then(False)).to_series()
    return unclosed.scatter(fenced.arg_true(), [unclosed_code_block(text) for text in texts.filter(fenced)])


def unclosed_code_block(text: str | None) -> bool | None:
    """Whether ``text`` ends inside a Markdown code block: a fence line (:data:`_FENCE`) that
    no later fence of the same character, at least as long, with nothing after it and
    indented no deeper than its opening fence or CommonMark's 3 spaces, closes (CommonMark's
    rule, where a fence at the top level is indented 3 spaces at most; a backtick fence whose
    info string holds a backtick opens none)."""
    if text is None:
        return None
    opened: tuple[str, int] | None = None  # (the open fence's marks, its indentation)
    for fence in _FENCE.finditer(text):
        indent, marks, rest = len(fence.group(1).expandtabs(4)), fence.group(2), fence.group(3)
        if opened is None:
            if not (marks[0] == "`" and "`" in rest):
                opened = marks, indent
        elif (marks[0] == opened[0][0] and len(marks) >= len(opened[0]) and not rest.strip()
              and indent <= max(MAX_CLOSING_INDENT, opened[1])):
            opened = None
    return opened is not None
