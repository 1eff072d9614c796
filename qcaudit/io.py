"""Open a dataset lazily and pick the text to audit.

:func:`load_dataset` reads an input (its files through :mod:`qcaudit.readers`, a table given
in memory through :mod:`qcaudit.tables`), gives every row a stable ``row_id`` (its position
in the input, files in sorted path order), chooses the columns that hold a row's text and
its parts (:class:`TextSelection`: named, or found by the layouts below), and returns a
:class:`Dataset`. An input column named ``row_id`` is kept as ``input_row_id``
(``input_row_id_`` if that is taken too, and so on); ``qcaudit dedup`` and
``decontaminate`` write it back under its own name.

The text of a row comes from one column, several fields joined by a newline (empty fields
skipped), or the turns of a chat ``messages`` column (how each kind of column holds its
text: :mod:`qcaudit.text_columns`); a list of strings is joined by newlines, and bytes are
text where they are UTF-8. Rows without usable text are kept and labelled in
``text_status``: ``null``, ``empty`` (only white space or the separators 0x1C-0x1F) or
``non_string``.

Analyzers that read a row as a (prompt, response) pair, or a preference pair, ask for the
parts :data:`PARTS` besides the text: the prompt is fields joined as the text's are, the
response, chosen and rejected answers are columns; from a chat column, the prompt is the
turns before the last assistant turn and the answer that turn.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from io import BytesIO
from pathlib import Path
from typing import Any

import polars as pl

from qcaudit.columns import (
    CATEGORY,
    CHOSEN,
    CHOSEN_RATING,
    DESIRABLE,
    INPUT_ROW_ID,
    PROMPT,
    REJECTED,
    REJECTED_RATING,
    RESPONSE,
    RESPONSE_ANSWER,
    ROW_ID,
    SETUP,
    TEXT,
    TEXT_STATUS,
)
from qcaudit.errors import QcauditError
from qcaudit.inputcheck import DELIMITED, TEXT_OR_TURNS, separated_by_semicolons
from qcaudit.judged_pairs import LAYOUTS as JUDGED_PAIR_LAYOUTS
from qcaudit.judged_pairs import (
    RANKINGS,
    best_and_worst,
    by_place,
    judged,
    judging_column,
    numbers_listed,
    ranked_list,
    ranking_of,
    why_unread,
)
from qcaudit.judged_pairs import fits as fits_as_verdict
from qcaudit.message_trees import (
    MESSAGE_TEXT,
    has_ranks,
    is_message_tree,
    with_ranked_pairs,
    with_threads,
)
from qcaudit.readers import (
    FileStamp,
    InputFile,
    check_unchanged,
    file_stamps,
    format_of,
    input_files,
    json_lines_read,
    read_failure,
    scan_files,
)
from qcaudit.remote import local_path
from qcaudit.tables import input_name, table_frame
from qcaudit.text_columns import (
    ANSWER_FIELDS,
    FIELD_SEPARATOR,
    OTHER_ROLE_NAMES,
    REASONING_FIELDS,
    SETUP_ROLES,
    chat_answer,
    chat_layout,
    chat_prompt,
    chat_text,
    column_text,
    is_answer_list,
    is_api_text,
    is_chat,
    is_instances,
    is_plain_text,
    is_text_parts,
    is_turn,
    joined_turns,
    last_answer,
    non_empty,
    part_text,
    reasoning_read,
    sole_text_column,
    text_of_parts,
    turn_content,
    turn_role,
    turns_before_answer,
    turns_layout,
    without_reasoning,
)
from qcaudit.transcripts import LAYOUTS as TRANSCRIPT_LAYOUTS
from qcaudit.transcripts import (
    looks_like_transcripts,
    speakers,
    transcript_answer,
    transcript_prompt,
    transcript_turns,
    without_closing_marks,
    written_turns,
)

log = logging.getLogger("qcaudit")

#: The parts of a row an analyzer may ask for, and the flags that name where they come from.
PARTS = {PROMPT: "--prompt-fields", RESPONSE: "--response-field", RESPONSE_ANSWER: "--response-field", CHOSEN: "--chosen-field",
         REJECTED: "--rejected-field", SETUP: "--role", DESIRABLE: "--label-field", CHOSEN_RATING: "--pair-ratings", REJECTED_RATING: "--pair-ratings"}
#: Parts found by column name where no flag names them (:func:`_with_parts_found`): the
#: answers of preference pairs and the chats found as their prompt (TRL's preference layout,
#: Anthropic HH-RLHF's; UltraInteract's, whose prompt is the chat so far in ``trajectory``, a
#: question or a task and its rounds of feedback; LLaMA-Factory's, a ``conversations`` chat
#: and an answer turn each; OpenAI's preference fine-tuning files, whose prompt is the chat in
#: ``input.messages``) ...
PAIR_LAYOUTS = ((("trajectory", "conversations"), CHOSEN, REJECTED),
                (("input.messages",), "preferred_output", "non_preferred_output"))
#: ... and of pairs whose prompt no layout below finds, an ``input`` (argilla's
#: distilabel-intel-orca-dpo-pairs: system, input, chosen, rejected), not cut off their
#: answers as an HH-RLHF prompt would be.
PAIR_PROMPT = "input"
#: ... then pairs of answers judged by a column (:mod:`qcaudit.judged_pairs`: Chatbot Arena's,
#: HelpSteer3's, PKU-SafeRLHF's, SHP's, WebGPT's), read as chosen and rejected where it prefers
#: one, and lists of answers ranked (UltraFeedback's, Nectar's, distilabel's), their best and worst ...
#: ... and (prompt fields, answer columns by preference) of instruction data, the first whose
#: prompt fields the input has: a prompt with its response or completion (TRL's layout),
#: Alpaca's instruction, input and output, Dolly's instruction, context and response, an
#: instruction or prompt and its ``generation`` (distilabel's text generation), a prompt and
#: its ``generated_text`` (TGI's, Hugging Face's text-generation pipeline's), and
#: Self-Instruct's seed tasks (an instruction and its ``instances``, :func:`~qcaudit.text_columns._instances_text`),
#: the question and answer of math data (GSM8K's, MATH's problem and solution, MetaMathQA's
#: query and response, OpenMathInstruct's generated solution; a worked solution before a final
#: answer beside it, as LIMO's question, solution and answer), and function-calling queries
#: and the calls that answer them (Salesforce's xLAM: a ``query`` and its ``answers``), and
#: OpenAI's summarize_from_feedback (the ``info`` summarised: a Reddit post's title and text,
#: or a CNN/DM article, one null where the other is not; its comparisons' ``summaries``, its
#: axis ratings' one ``summary``) ...
PROMPT_LAYOUTS = (
    ((PROMPT,), (RESPONSE, "completion", "generation", "generated_text")),
    (("instruction", "input"), ("output", RESPONSE)),
    (("instruction", "context"), (RESPONSE, "output")),
    (("instruction",), ("output", RESPONSE, "generation", "instances")),
    (("question",), ("solution", "answer", RESPONSE, "generated_solution")),
    (("problem",), ("solution", "generated_solution", "answer")),
    (("query",), (RESPONSE, "answer", "answers")),
    (("info.title", "info.post", "info.article"), ("summary.text",)),
    (("info.title", "info.post"), ("summary.text",)),
    (("info.article",), ("summary.text",)),
)
#: ... then (prompt column, answer column) of layouts whose prompt's name is too common to
#: be read as a prompt alone (a ``source`` or ``user`` column often names where a row came
#: from), found only together: an input and its output, the inputs and targets of FLAN, P3,
#: xP3 and Aya, a source and its target (sequence-to-sequence data), a user's or human's turn
#: and the assistant's.
PROMPT_ANSWER_LAYOUTS = (("input", "output"), ("inputs", "targets"), ("source", "target"), ("user", "assistant"),
                         ("human", "assistant"))
#: ... and, beside a column of a reasoning model's reasoning saved flat, the answer it belongs
#: to (the reasoning's name: the answer's), before the layout's own answer (s1K's reference
#: ``solution``): the rest of the message as the DeepSeek API returns it, ``content`` (then
#: the answer, not a whole row), and s1K's attempt after its thinking trajectories (s1K-1.1's
#: DeepSeek-R1 traces, which s1.1 trains on, before its Gemini ones); and, where no layout
#: above names the prompt, an ``input`` (Congliu's Chinese-DeepSeek-R1-Distill-data: input,
#: reasoning_content, content). The row's text reads the reasoning between the prompt and the
#: answer (:func:`_resolve_selection`).
FLAT_REASONING = {**dict.fromkeys(REASONING_FIELDS, "content"), "deepseek_thinking_trajectory": "deepseek_attempt",
                  "gemini_thinking_trajectory": "gemini_attempt", "thinking_trajectories": "attempt"}
REASONED_ANSWER, REASONED_PROMPT = "content", "input"
#: Chat columns looked for by name (OpenAI's, ShareGPT's, LMSYS-Chat-1M's and WildChat's,
#: Gemini's; Glaive's function-calling ``chat``, a text; SODA's and DailyDialog's
#: dialogues, a list of utterances), after the plain text columns.
CHAT_COLUMNS = ("messages", "conversations", "conversation", "contents", "chat", "dialogue", "dialog", "segments")
#: Without --text-column or --fields, a row's text is a column holding the whole row, by
#: name; else its prompt (:func:`_with_parts_found`) and its answer (found with the prompt,
#: else a column of :data:`ANSWER_COLUMNS`), joined as --fields joins them, so that a
#: benchmark question copied into an instruction is read; else either alone.
WHOLE_TEXT_COLUMNS = ("text", "content", "raw_content", *CHAT_COLUMNS)  # (the third: RedPajama-V2's)
#: Except a ``text`` column beside found prompt fields of instruction data (an instruction or
#: a prompt) and their answer: such a column is the row written into a prompt template
#: (tatsu-lab/alpaca's and vicgalle/alpaca-gpt4's "Below is an instruction that describes a
#: task ... ### Response:"), whose words, the same in every row, would count in every metric
#: (repetition, Self-BLEU, near duplicates); the fields are read instead.
TEMPLATED_BESIDE = ("instruction", PROMPT)
#: The fields of an API's response saved whole in an answer column of its own (a log's
#: ``output`` or ``response``, beside its prompt) that hold what it answered
#: (:func:`_saved_answer`): OpenAI's ``choices``, Gemini's ``candidates``, the Responses API's
#: ``output`` items, Ollama's and Cohere's ``message``, Bedrock Converse's ``output.message``
#: (the last two, one turn each).
SAVED_ANSWER_TURNS = ("message", "output.message")
SAVED_ANSWER_FIELDS = ("choices", "candidates", "output", *SAVED_ANSWER_TURNS)
#: Then the answers of OpenAI's and Gemini's APIs as they return them
#: (:func:`~qcaudit.text_columns._is_choices`): a chat completion or a Gemini response saved
#: whole, a line of either's Batch API output file (of OpenAI's Responses API too: its
#: ``output`` items, a chat's turns; a response saved whole is an ``output`` column, read as an
#: answer below); one turn (:data:`API_TURNS`): a line of Anthropic's Message Batches results'
#: message (its content blocks), Ollama's chat response's ``message``, Amazon
#: Bedrock's Converse response's ``output.message``, a line of Vertex AI's batch prediction
#: output for Claude's ``response`` (an Anthropic message); an API's response saved whole as a
#: log line's ``response`` beside its ``request`` (and Gemini's batch output line, so laid
#: out: :data:`SAVED_ANSWER_FIELDS`); a line of Bedrock's batch inference
#: output (:data:`BEDROCK_OUTPUTS`); else a batch input file's requests (:data:`API_REQUEST_COLUMNS`).
API_TEXT_COLUMNS = ("choices", "response.body.choices", "response.body.output", "candidates",
                    *(f"response.{field}" for field in SAVED_ANSWER_FIELDS), "result.message", "message", "output.message", "response")
#: A line of Bedrock's batch inference output holds in ``modelOutput`` what the model's own API
#: returns: an Anthropic model's message (a turn), Nova's ``output.message`` (a turn), the
#: ``choices`` of Mistral's, AI21's and DeepSeek's models, Llama's ``generation`` and Claude's
#: legacy ``completion`` (texts), the answers listed in Mistral's ``outputs``, Cohere's
#: ``generations`` and Titan's ``results``; the first found is read.
BEDROCK_OUTPUTS = ("modelOutput", "modelOutput.output.message", "modelOutput.choices", "modelOutput.generation",
                   "modelOutput.completion", "modelOutput.outputs", "modelOutput.generations", "modelOutput.results")
#: The requests of a batch input file (prompts, not answers; audited before they are sent):
#: OpenAI's Batch API's ``body`` (chat completions' ``messages``, the Responses API's ``input``,
#: items or a text, completions' ``prompt``), Anthropic's Message Batches' ``params.messages``,
#: Vertex AI's ``request`` (Gemini's ``contents``, Claude's ``messages``), Bedrock's
#: ``modelInput`` (``messages``, else a model's ``prompt`` or Titan's ``inputText``).
API_REQUEST_COLUMNS = ("body.messages", "body.input", "body.prompt", "params.messages", "request.contents", "request.messages",
                       "modelInput.messages", "modelInput.prompt", "modelInput.inputText")
#: Of all these columns, those that hold one turn of a chat, read as a chat of it ...
API_TURNS = ("result.message", "message", "output.message", "response", *(f"response.{field}" for field in SAVED_ANSWER_TURNS),
             "modelOutput", "modelOutput.output.message")
#: ... those that may hold a text ...
API_TEXTS = ("body.input", "body.prompt", "modelInput.prompt", "modelInput.inputText", "modelOutput.generation",
             "modelOutput.completion")
#: ... and those that may hold a list of answers (:func:`~qcaudit.text_columns.is_answer_list`).
API_ANSWER_LISTS = ("modelOutput.outputs", "modelOutput.generations", "modelOutput.results")
#: The request that an output line keeps beside its answer, read before it as the prompt: a
#: ``request`` beside a ``response`` (Vertex AI's batch prediction output: Gemini's
#: ``contents``, Claude's ``messages``; a log of calls, whichever API's), Bedrock's batch
#: inference output's ``modelInput`` (``messages``, else ``prompt`` or Titan's ``inputText``),
#: and the requests a user joined to their results by their ``custom_id`` (OpenAI's, Anthropic's).
API_REQUESTS = {**dict.fromkeys(("response", *(f"response.{field}" for field in SAVED_ANSWER_FIELDS)),
                              ("request.messages", "request.contents", "request.input", "request.prompt")),
                "response.body.choices": ("body.messages", "body.prompt"), "response.body.output": ("body.input",),
                "result.message": ("params.messages",),
                **dict.fromkeys(BEDROCK_OUTPUTS, ("modelInput.messages", "modelInput.prompt", "modelInput.inputText"))}
#: ... an answer column alone (``generated_text``: what Hugging Face's text-generation pipeline
#: and TGI return, a text, or the whole chat where the pipeline was given one).
ANSWER_COLUMNS = ("output", "response", "generated_text")
#: The columns in which a log keeps an API's response saved whole (:data:`SAVED_ANSWER_FIELDS`),
#: or the turn it answered (an Anthropic message), beside the chat it sent (``messages``, or
#: one of :data:`LOGGED_CHATS`).
SAVED_ANSWER_COLUMNS = (*ANSWER_COLUMNS, "completion")
#: The chat that a log keeps inside its ``input`` beside the call's other arguments (tools,
#: settings), as Langfuse's OpenAI integration records a call with tools and OpenAI's
#: fine-tuning files hold a prompt: read as the chat sent where no chat column is.
LOGGED_CHATS = ("input.messages",)
#: ... or, beside a found prompt with no answer, a list of its answers by several models
#: (UltraFeedback's ``completions``, distilabel's ``generations``, natural_reasoning's
#: ``responses``, Nectar's ``answers``), each answer a line of the text; several answers are
#: no one response, so the response part stays unfound.
ANSWER_LIST_COLUMNS = ("completions", "generations", "responses", "answers", "outputs", "summaries")
#: ... or columns of them numbered (PKU-SafeRLHF's ``response_0`` and ``response_1``; a
#: ``response1``, ``completion_2`` ...) or lettered (the Chatbot Arena Kaggle set's
#: ``response_a`` and ``response_b``), of text, in their numbers' (letters') order.
NUMBERED_ANSWER = re.compile(r"(?i)(?:response|completion|output|answer|generation)(?:_?(\d+)|_([a-z]))")
#: Last, a conversation as a list of its turns' texts under a name too common to be taken
#: for text otherwise: UltraChat's ``data``.
TURN_LIST_COLUMNS = ("data",)
#: A character that is not a separator of Python's ``str.split()`` (Unicode white space plus
#: the ASCII separators 0x1C-0x1F): a row without one has no whitespace token and is ``empty``.
HAS_TOKEN = r"[^\s\x1C-\x1F]"
#: One whitespace token, as ``str.split()`` splits: a run of such characters.
WHITESPACE_TOKEN = HAS_TOKEN + "+"
#: Python's white space (``str.isspace``): Unicode's, plus the separators 0x1C-0x1F.
_PYTHON_SPACE = r"[\s\x1C-\x1F]"


def strip_like_python(text: pl.Expr) -> pl.Expr:
    """``text`` without leading and trailing white space, as Python's ``str.strip()`` removes
    it (Polars' ``strip_chars()`` keeps 0x1C-0x1F)."""
    return text.str.replace_all(f"^{_PYTHON_SPACE}+|{_PYTHON_SPACE}+$", "")


@dataclass(frozen=True)
class TextSelection:
    """Which part of a row is its text. All empty: auto-detect."""

    text_column: str | None = None
    fields: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    #: Where the parts come from (see :data:`PARTS`): prompt fields, answer columns.
    prompt: tuple[str, ...] = ()
    response: str | None = None
    chosen: str | None = None
    rejected: str | None = None
    #: Whether a reasoning model's reasoning is read (``--no-reasoning``: its answers without
    #: it): a chat turn's reasoning field and thinking blocks, ``<think>`` spans, a flat column.
    reasoning: bool = True
    #: A column judging each row's pair (:mod:`qcaudit.judged_pairs`): ``chosen`` and
    #: ``rejected`` then name the answers it calls first and second, which it orders per row;
    #: or ``list.field``, a list of answers and what ranks them, its best and worst the pair.
    preferred_by: str | None = None
    #: A column of true/false labels of each row's response, desirable or not (unpaired
    #: preference data, KTO's ``label``): the :data:`~qcaudit.columns.DESIRABLE` part.
    label: str | None = None
    #: The columns of the ratings the data gives each pair's chosen and rejected answer, in
    #: that order: the :data:`~qcaudit.columns.CHOSEN_RATING` and ``REJECTED_RATING`` parts.
    ratings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.text_column and self.fields:
            raise QcauditError("give either --text-column or --fields, not both")
        if bool(self.chosen) != bool(self.rejected):
            given, missing = ("--chosen-field", "--rejected-field") if self.chosen else ("--rejected-field", "--chosen-field")
            raise QcauditError(f"{given} needs {missing} too: a preference pair is both answers")
        for option, names in (("--fields", self.fields), ("--prompt-fields", self.prompt)):
            twice = next((name for i, name in enumerate(names) if name in names[:i]), None)
            if twice is not None:
                raise QcauditError(f"{option} names {twice!r} twice; its text would be read twice")
        if self.ratings and (len(self.ratings) != 2 or self.ratings[0] == self.ratings[1]):
            raise QcauditError(f"--pair-ratings names {', '.join(self.ratings)}: give two columns, the chosen answer's rating "
                               "and the rejected one's")

    def sources(self) -> dict[str, list[str]]:
        """The columns each part of a row is read from: ``text``, then those of :data:`PARTS`
        the selection names (a part named by none is left out)."""
        found = {TEXT: [self.text_column] if self.text_column else list(self.fields), PROMPT: list(self.prompt),
                 RESPONSE: [self.response], CHOSEN: [self.chosen], REJECTED: [self.rejected]}
        return {part: names for part, names in found.items() if names and all(names)}

    def columns(self) -> list[str]:
        """Every column the selection names: the text's, then the parts', then a pair's verdict
        (or ranked list), then the responses' labels, then the pairs' ratings."""
        judging = [judging_column(self.preferred_by)] if self.preferred_by else []
        return [name for names in self.sources().values() for name in names] + judging + ([self.label] if self.label else []) \
            + list(self.ratings)

    def ranked(self) -> tuple[str, str] | None:
        """The (list of answers, what ranks them) whose best and worst are each row's pair; None for other data."""
        return ranked_list(self.preferred_by) if self.preferred_by else None


#: The memory a batch's rows take, about, beyond which :meth:`Dataset.batches` ends the
#: batch before ``[engine] batch_rows``: 83,334 rows of 600 words, one batch before, peaked
#: at 3.6 GB in diversity and duplicates, at 2.9 GB in batches of about this, as fast; rows
#: of 50 words stream as fast as in 250,000-row batches (``bench_scale.py``, 2026-12-03).
BATCH_BYTES = 16 * 2**20
#: Rows Polars reads at a time, which :meth:`Dataset.batches` joins into batches.
_CHUNK_ROWS = 10_000


@dataclass
class Dataset:
    """A lazily read dataset with ``row_id`` first, plus how its text is selected."""

    frame: pl.LazyFrame
    sources: list[str]
    format: str
    selection: TextSelection
    text_source: str = ""
    #: Input columns renamed on reading (``row_id`` -> ``input_row_id``, ``*`` -> ``*_``:
    #: :func:`_free_names`): original -> new.
    renamed: dict[str, str] = field(default_factory=dict)
    #: Rows read (counted once, when it is opened).
    rows: int | None = None
    #: Rows in the whole input, where a limit read only its first :attr:`rows`.
    input_rows: int | None = None
    #: Columns added for fields inside struct columns that the selection names by a dotted
    #: path (``meta.text``), and for a message tree's threads (:mod:`qcaudit.message_trees`):
    #: not the input's, so never written back with its rows.
    nested: tuple[str, ...] = ()
    #: Columns reshaped on reading: JSON text decoded into the chat or list it writes
    #: (:func:`_json_lists`), a turn saved alone made a chat of one (:func:`_single_turns`),
    #: Axolotl's segments made a chat, or joined into the chat template's text they were cut
    #: from (:func:`_segmented`, :func:`_segments_in_a_template`); their values as read are kept
    #: beside, and written back with the input's rows.
    reshaped: tuple[str, ...] = ()
    #: The local input files' stamps, taken before the first read (:meth:`check_unchanged`).
    stamps: tuple[FileStamp, ...] = ()
    #: The text column, or the fields, that hold conversations written as text, read as their
    #: turns (:func:`_transcript_columns`).
    transcripts: tuple[str, ...] = ()

    def check_unchanged(self) -> None:
        """Refuse to go on when an input file changed since it was first read
        (:func:`qcaudit.readers.check_unchanged`): each pass reads the input again. Where a
        limit cut the input short, rows appended to a file are never read: growth is no change."""
        check_unchanged(self.stamps, appended=self.input_rows is not None)

    @cached_property
    def csv_separator(self) -> str:
        """The separator of a CSV file written from these rows (the filters' output, the
        review sample): a semicolon where every input is a .csv read as separated by
        semicolons (a spreadsheet in that locale opens such a file), else a comma. Each
        input's first lines are read once more, by the test that chose its reading."""
        local = [local_path(source) for source in self.sources] if self.format == "csv" else []
        return ";" if local and all(path is not None and separated_by_semicolons(path) for path in local) else ","

    def input_columns(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """``frame`` (this dataset's, maybe with columns joined to it) with the input's
        columns as read: those added for nested fields left out, those reshaped (chats
        decoded from JSON text, turns made chats) back to their values as read."""
        kept = [_kept_as_read(name) for name in self.reshaped]
        return frame.with_columns(pl.col(text).alias(name) for text, name in zip(kept, self.reshaped, strict=True)).drop(
            *self.nested, *kept)

    def texts(self, category_column: str | None = None, keep: tuple[str, ...] = (), where: pl.Expr | None = None) -> pl.DataFrame:
        """``row_id``, ``text`` (null where unusable) and ``text_status`` for every row (or
        the rows ``where`` holds, an expression over these columns), plus ``category`` from
        ``category_column`` (or a column named so) when the data has one, and the input
        columns named in ``keep`` as ``_<name>`` (no clash with ``text``)."""
        selected = self.selected(category_column, keep)
        return self._collect(selected if where is None else selected.filter(where))

    def kept_columns(self, keep: tuple[str, ...]) -> pl.DataFrame:
        """``row_id`` and the input columns named in ``keep``, as ``_<name>``, of every row:
        :meth:`texts` without the text (those columns alone are read)."""
        return self._collect(self.selected(keep=keep).select(ROW_ID, *(f"_{name}" for name in keep)))

    def batches(self, rows: int, category_column: str | None = None, keep: tuple[str, ...] = (),
                parts: tuple[str, ...] = ()) -> Iterator[pl.DataFrame]:
        """:meth:`texts` in consecutive batches of at most ``rows`` rows, and of little more
        than :data:`BATCH_BYTES` where rows are long (a batch is what the analyzers hold at
        once: its tokens, its n-grams); read as they are needed; one empty batch when the
        input has no rows."""
        self.check_unchanged()
        selected = self.selected(category_column, keep, parts)
        pending: list[pl.DataFrame] = []
        pending_rows = pending_bytes = 0
        chunk_rows = -(-rows // -(-rows // _CHUNK_ROWS))  # (``rows`` in equal chunks of at most _CHUNK_ROWS)
        try:
            for chunk in selected.collect_batches(chunk_size=chunk_rows, maintain_order=True):
                if not chunk.height:
                    continue
                if pending and (pending_rows + chunk.height > rows or pending_bytes >= BATCH_BYTES):
                    yield pl.concat(pending)
                    pending, pending_rows, pending_bytes = [], 0, 0
                pending.append(chunk)
                pending_rows += chunk.height
                pending_bytes += chunk.estimated_size()
        except pl.exceptions.PolarsError as exc:
            raise read_failure(self.sources, exc) from None
        yield pl.concat(pending) if pending else self._collect(selected.head(0))

    def rows_a_batch(self, rows: int, sample: int = 1_000) -> int:
        """Rows in a batch of at most ``rows`` that also ends at about :data:`BATCH_BYTES`,
        judged by the first ``sample`` rows: what the Ray engine cuts its row ranges by, as
        it reads no row before it cuts them (:meth:`batches` measures every batch)."""
        head = self.rows_between(0, sample)
        if not head.height:
            return rows
        return max(1, min(rows, int(BATCH_BYTES * head.height / max(1, head.estimated_size()))))

    def rows_between(self, start: int, stop: int, category_column: str | None = None, keep: tuple[str, ...] = (),
                     parts: tuple[str, ...] = ()) -> pl.DataFrame:
        """:meth:`texts` of the rows with ``start <= row_id < stop``."""
        return self._collect(self.selected(category_column, keep, parts).slice(start, stop - start))

    def turn_roles(self) -> list[str]:
        """The roles of the text column's chat turns (ShareGPT's read as OpenAI's), in order of
        first use, or its speakers where it is a conversation written as text (under
        ``--role``); empty when the text is neither."""
        column = self.selection.text_column
        schema = self.frame.collect_schema()
        if column in self.transcripts:
            turn_roles = speakers(pl.col(column), OTHER_ROLE_NAMES)
        elif layout := (chat_layout(schema[column]) if column in schema else None):
            turn_roles = pl.col(column).list.eval(turn_role(layout))
        else:
            return []
        roles = self.frame.select(turn_roles.explode().drop_nulls().unique(maintain_order=True))
        return self._collect(roles)[column].to_list()

    def prompt_within_text(self) -> bool:
        """Whether each row's prompt (:data:`PARTS`) is a proper part of its text: the text's
        fields hold the prompt's and more (found Alpaca or prompt-completion columns), or the
        text is a whole chat column or conversation written as text, whose prompt is the
        turns before the last answer (or, where a ``prompt`` column is beside it, as in
        UltraChat, that column: its first turn), or the text is an answer of pairs with an
        implicit prompt (HH-RLHF's)."""
        selection = self.selection
        schema = self.frame.collect_schema()
        column = selection.text_column or (selection.chosen if selection.preferred_by else None)  # (a judged pair's first chat)
        if column in (selection.chosen, selection.rejected) and _implicit_prompt(selection, schema):
            return True
        whole_chat = (column in self.transcripts or (column in schema and is_chat(schema[column]))) and not selection.roles
        if selection.prompt and not whole_chat:
            return set(selection.prompt) <= set(selection.fields) and len(selection.fields) > len(selection.prompt)
        return whole_chat

    def row_count(self) -> int:
        if self.rows is None:
            self.rows = self._collect(self.frame.select(pl.len())).item()
        return self.rows

    def texts_of(self, row_ids: Iterable[int]) -> dict[int, str | None]:
        """The text of each of a few rows, by ``row_id`` (one read of the input)."""
        return dict(self.parts_of(row_ids, (TEXT,)).iter_rows())

    def parts_of(self, row_ids: Iterable[int], parts: tuple[str, ...]) -> pl.DataFrame:
        """``row_id`` and the ``parts`` (:data:`PARTS`, or ``text``) of a few rows, by
        ``row_id`` (one read of the input)."""
        wanted = pl.Series(sorted(set(row_ids)), dtype=pl.UInt32)
        asked = tuple(part for part in parts if part != TEXT)
        frame = self.selected(parts=asked).filter(pl.col(ROW_ID).is_in(wanted.implode()))
        return self._collect(frame.select(ROW_ID, *parts))

    def has_part(self, part: str) -> bool:
        """Whether the input and settings give each row's ``part`` (:data:`PARTS`)."""
        return _part(self.frame, self.selection, part, self.transcripts) is not None

    def first_parts(self, parts: tuple[str, ...], rows: int) -> pl.DataFrame | None:
        """``row_id`` and the ``parts`` (:data:`PARTS`) of the first ``rows`` rows; None where
        the input and settings give no such part."""
        try:
            return self.first_rows(parts, rows).select(ROW_ID, *parts)
        except QcauditError:
            return None

    def first_rows(self, parts: tuple[str, ...], rows: int) -> pl.DataFrame:
        """The first ``rows`` rows as :meth:`selected` reads them: ``row_id``, the text, its
        status, and the ``parts`` (:data:`PARTS`; one the input and settings do not give is
        refused, naming the flag that gives it)."""
        return self._collect(self.selected(parts=parts).head(rows))

    def selected(self, category_column: str | None = None, keep: tuple[str, ...] = (),
                 parts: tuple[str, ...] = ()) -> pl.LazyFrame:
        """The lazy selection behind :meth:`texts`, with the ``parts`` asked for (:data:`PARTS`)."""
        schema = self.frame.collect_schema()
        names = schema.names()
        category_column, keep = self.renamed.get(category_column, category_column), tuple(self.renamed.get(k, k) for k in keep)
        source = category_column or (CATEGORY if CATEGORY in names and not schema[CATEGORY].is_nested() else None)  # (else no labels)
        for column in [source] * (source is not None) + list(keep):
            if column not in names:
                raise QcauditError(f"unknown column {column!r}; available columns: {_available(schema)}")
        if source is not None and schema[source].is_nested():
            raise QcauditError(f"category column {source!r} holds {schema[source]}, not one label a row; name a column of labels")
        extra = [pl.col(source).cast(pl.String).alias(CATEGORY)] if source else []
        extra += [pl.col(column).alias(f"_{column}") for column in keep]
        frame = self.frame
        if parts and _implicit_prompt(self.selection, schema):  # (its length found once a row, for every part)
            frame = frame.with_columns(_shared_prompt_length(self.selection))
        found = {part: _setup_part(self.selection, schema, self.transcripts) if part == SETUP
                 else _part(frame, self.selection, part, self.transcripts) for part in parts}
        missing = list(dict.fromkeys(RESPONSE if part == RESPONSE_ANSWER else part  # (the response's answer: where the response is)
                                     for part, expression in found.items() if expression is None))
        if missing:
            chat = " (or a chat messages column, or conversations written as text)" if set(missing) <= {PROMPT, RESPONSE} else ""
            raise QcauditError(f"this audit needs each row's {' and '.join(missing)}: give {' and '.join(PARTS[m] for m in missing)}"
                               f"{chat}; columns: {_available(schema)}")
        extra += [expression.alias(part) for part, expression in found.items()]
        return _with_text(frame, self.selection, self.transcripts).select(ROW_ID, *_TEXT_AND_STATUS, *extra)

    def _collect(self, frame: pl.LazyFrame) -> pl.DataFrame:
        try:
            return frame.collect()
        except pl.exceptions.PolarsError as exc:
            raise read_failure(self.sources, exc) from None


_HEADER_IS_FOR_CSV = "--no-header ([input] header = false) is for CSV and TSV files, whose first line may be data"
#: The format of a table given in memory (:func:`load_dataset`).
IN_MEMORY = "memory"


def load_dataset(data: str | Path | Any, selection: TextSelection = TextSelection(), limit: int | None = None,
                 header: bool = True) -> Dataset:
    """Open ``data`` lazily, check the text selection against its schema, count its rows.
    ``data``: a path, directory, glob or URI, or a table in memory (:func:`table_frame`);
    ``limit``: read only its first rows (``[input] limit``), which keep their ``row_id``;
    ``header``: whether a CSV or TSV file's first line names its columns (``[input] header``;
    without one they are ``column_1``, ``column_2``, ...)."""
    stamps = ()
    if isinstance(data, str | os.PathLike):
        files = input_files(data)
        stamps = file_stamps(files)
        fmt = format_of(files)
        if not header and fmt not in DELIMITED:
            raise QcauditError(f"{_HEADER_IS_FOR_CSV}; {data} is {fmt}")
        frame, file_schemas, counted, text_or_turns = scan_files(files, fmt, header, limit)
        headerless = {}
        if not header:  # named by qcaudit, whatever the reader's own names (Polars' count from 0 or 1 by version)
            headerless = {name: f"column_{i}" for i, name in enumerate(frame.collect_schema().names(), 1)}
            frame = frame.rename(headerless)
    else:
        files, fmt, file_schemas, headerless, counted, text_or_turns = [input_name(data)], IN_MEMORY, [], {}, None, ()
        if not header:
            raise QcauditError(f"{_HEADER_IS_FOR_CSV}; a table in memory has column names")
        frame = table_frame(data, limit)
    renamed = _free_names(frame, files)
    selection = _renamed_selection(selection, renamed)
    frame = frame.rename(renamed).with_row_index(ROW_ID)
    schema, rows = _schema(frame, files)
    json_lists = _json_lists(frame, schema, selection, text_or_turns)
    segmented = _segmented(schema)
    templated_segments = _segments_in_a_template(frame, segmented)
    histories, exchanged, answer_turns = _histories(schema), _exchange_lists(schema), _answer_turn_lists(schema)
    reshaped = {**{name: _decoded_chats(name, dtype, name in text_or_turns) for name, dtype in json_lists.items()},
                **{name: _chat_of_one(name) for name in _single_turns(schema, selection)},
                **{name: _joined_segments(name) if name in templated_segments else _segments_as_turns(name) for name in segmented},
                **{name: _history_as_turns(name) for name in histories},
                **{name: _exchanges_as_turns(name, *(pl.element().struct.field(f) for f in EXCHANGE_FIELDS)) for name in exchanged},
                **{name: _answer_turns_as_text(name, field, schema[name]) for name, field in answer_turns.items()}}
    system = _system_column(schema)
    chats_read = {**json_lists, **dict.fromkeys(exchanged, _EXCHANGED_CHAT)}  # (the chats that columns of another type are read as)
    prompted = _chats_beside_a_system_column(schema, chats_read, selection) if system else {}
    reshaped |= {name: _with_system_turn(reshaped.get(name, pl.col(name)), dtype, _content_text(pl.col(system), schema[system])).alias(name)
                 for name, dtype in prompted.items()}
    transcribed = _transcripts_beside_a_marked_system_prompt(frame, schema, system) if system else []
    reshaped |= {name: _with_system_turn_written(pl.col(name), pl.col(system)).alias(name) for name in transcribed}
    system_turns_apart = [system] if system and not (prompted or transcribed) and _system_before_prompt_fields(schema, selection) else []
    reshaped |= {name: _system_as_chat(name, schema[name]) for name in system_turns_apart}
    if reshaped:  # (each column's values as read kept beside, to be written back)
        frame = frame.with_columns(pl.col(name).alias(_kept_as_read(name)) for name in reshaped).with_columns(reshaped.values())
        schema = frame.collect_schema()
    found_by_name = not (selection.text_column or selection.fields)
    threads = found_by_name and not (selection.prompt or selection.response) and is_message_tree(schema)
    pairs: tuple[str, ...] = ()
    if threads:  # (OASST's messages: each one's thread is its prompt, an assistant's text its response)
        thread, reply = free_name("thread", set(schema.names())), free_name("assistant_reply", set(schema.names()))
        frame = with_threads(frame, thread, reply)
        if not (selection.chosen or selection.rejected or selection.preferred_by) and has_ranks(schema):  # (its ranked replies' pairs)
            named = free_name("best_reply", set(schema.names())), free_name("worst_reply", set(schema.names()))
            if (paired := with_ranked_pairs(frame, *named)) is not None:
                frame, pairs = paired, named
        schema = frame.collect_schema()
        selection = replace(selection, text_column=MESSAGE_TEXT, prompt=(thread,), response=reply,
                            **dict(zip(("chosen", "rejected"), pairs, strict=True)) if pairs else {})
    asked = selection
    selection = _resolve_selection(selection, schema, _reasoning_column(frame, schema), headed_csv=fmt in DELIMITED and header)
    if generated := _generation_beside_its_prompt(frame, schema, selection, asked):
        selection = replace(selection, response=generated)
    nested = _nested_fields(selection.columns(), schema)  # (fields inside struct columns, named or found)
    if nested:
        frame = frame.with_columns(nested.values())
        schema = frame.collect_schema()
        if nested_either := _nested_texts_or_chats(frame, schema, list(nested), text_or_turns):
            frame = frame.with_columns(_decoded_chats(name, dtype, either=True) for name, dtype in nested_either.items())
            schema = frame.collect_schema()
            text_or_turns += tuple(name for name in nested_either if name not in text_or_turns)
        if turned := [name for name in nested if is_turn(schema[name])]:  # (a turn inside a struct, Bedrock's output.message: a chat of it)
            frame = frame.with_columns(_chat_of_one(name) for name in turned)
            schema = frame.collect_schema()
    if requests := _requests_beside_a_system_prompt(schema, nested):  # (their chats made columns: each with its request's system turn)
        frame = frame.with_columns(_user_turn(name) for name in requests if schema[name] == pl.String)
        schema = frame.collect_schema()
        frame = frame.with_columns(_with_system_turn(pl.col(name), schema[name], text).alias(name) for name, (_, text) in requests.items())
        schema = frame.collect_schema()
    first_rows = _first_rows(frame, selection, schema)
    transcripts = _transcript_columns(first_rows, selection, schema)
    system_turns = _system_turns_seen(first_rows, selection, schema, transcripts)
    text_source = _describe(selection, schema, transcripts, system_turns)
    if threads:
        text_source += f" (a tree of messages: each one's {thread} before it, an assistant's text its response"
        text_source += "; the best and worst ranked replies to a message a pair, on the best's row)" if pairs else ")"
    if warning := system_turns and system_turns.varied():
        log.warning(warning)
    read_columns = list(dict.fromkeys(selection.columns()))
    if decoded := [name for name in read_columns if name in json_lists and name not in text_or_turns]:
        kinds = [("a chat", "chats") if is_chat(json_lists[name]) else ("a list of texts", "lists of texts")
                 if json_lists[name] == pl.List(pl.String) else ("a list of answers", "lists of answers") for name in decoded]
        many = " and ".join(dict.fromkeys(plural for _, plural in kinds))
        text_source += (f" ({kinds[0][0]} written as JSON text)" if decoded == [selection.text_column]
                        else f" ({', '.join(map(repr, decoded))}: {many} written as JSON text)")
    for reshaped_so, said in ((set(segmented) - set(templated_segments), "Axolotl's segments, those trained on read as the assistant's turns"),
                              (templated_segments, "Axolotl's segments, joined: a chat template's turns, its markers naming the speakers"),
                              (histories, "LLaMA-Factory's earlier turns, a question and its answer each"),
                              (exchanged, "exchanges read as turns, an input the user's and its output the assistant's"),
                              (answer_turns, "answers that are a model's turns, each read as its turn's text"),
                              (system_turns_apart, "each row's system prompt, read as a system turn before the prompt"),
                              (text_or_turns, "a text in some rows, a chat in others; a text read as the user's turn")):
        if names := [name for name in read_columns if name in reshaped_so]:
            text_source += f" ({', '.join(map(repr, names))}: {said})"
    if any(name in prompted or name in transcribed for name in read_columns):
        text_source += f" ({system!r}: each row's system prompt, read as its chat's system turn)"
    for path in dict.fromkeys(path for name, (path, _) in requests.items() if name in read_columns):
        text_source += f" ({path!r}: each request's system prompt, read as its chat's system turn)"
    if generated:
        text_source += f" (what a model generated for column {selection.prompt[0]!r}: the response to it)"
    elif found_by_name and (templated := _templated_text(selection, schema)):
        text_source += f", not column {templated!r} that holds them in a prompt template"
    _check_selection(selection, schema, transcripts)
    read = selection  # (the columns that threads and pairs are read from are no file's)
    if threads:
        read = replace(selection, prompt=(), response=None, **dict.fromkeys(("chosen", "rejected") if pairs else ()))
    for warning in _columns_unlike_across_files(read, files, file_schemas, [headerless, renamed], schema):
        log.warning(warning)
    if unread := [name for name in selection.fields if column_text(name, schema[name], selection.roles) is None]:
        log.warning(f"{', '.join(f'field {name!r} holds {schema[name]}' for name in unread)}, not text: "
                    "a row with a value there counts as not text; leave the field out of --fields")
    input_rows, whole = None, rows if counted is None else counted  # (counted: the files' rows, of which each file's first were read)
    if limit is not None and limit < whole:
        frame, rows, input_rows = frame.head(limit), min(limit, rows), whole
    added = (*nested, *((thread, reply, *pairs) if threads else ()))  # (columns that are not the input's)
    return Dataset(frame, [str(f) for f in files], fmt, selection, text_source, renamed, rows, input_rows, added,
                   tuple(reshaped), stamps, transcripts)


def _free_names(frame: pl.LazyFrame, files: list[InputFile]) -> dict[str, str]:
    """The input's columns to read under another name: its own ``row_id`` (as
    ``input_row_id``), and a name that ``pl.col`` reads as a pattern, ``*`` (every column)
    or ``^...$`` (a regular expression), with ``_`` added: under its own name, a text column
    called ``*`` read every column into the text."""
    try:
        names = set(frame.collect_schema().names())
    except pl.exceptions.PolarsError as exc:
        raise read_failure(files, exc) from None
    renamed: dict[str, str] = {}
    for name, wanted in [(ROW_ID, INPUT_ROW_ID)] * (ROW_ID in names) + [
            (name, name + "_") for name in sorted(names) if name == "*" or (name.startswith("^") and name.endswith("$"))]:
        renamed[name] = free_name(wanted, names | set(renamed.values()))
    return renamed


def free_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or with as many ``_`` after it as it takes to be none of ``taken``."""
    while wanted in taken:
        wanted += "_"
    return wanted


def _renamed_selection(selection: TextSelection, renamed: dict[str, str]) -> TextSelection:
    if not renamed:
        return selection
    new = lambda name: renamed.get(name, name) if name else name  # noqa: E731
    return replace(selection, text_column=new(selection.text_column), fields=tuple(map(new, selection.fields)),
                   prompt=tuple(map(new, selection.prompt)), response=new(selection.response),
                   chosen=new(selection.chosen), rejected=new(selection.rejected), preferred_by=new(selection.preferred_by))


def _schema(frame: pl.LazyFrame, files: list[InputFile]) -> tuple[pl.Schema, int]:
    """Resolve the schema and count the rows, turning reader failures into one-line errors."""
    try:
        schema = frame.collect_schema()
        rows = frame.select(pl.len()).collect().item()
        if rows == 0:
            raise QcauditError(f"{files[0] if len(files) == 1 else 'the input'} holds no rows")
        return schema, rows
    except pl.exceptions.PolarsError as exc:
        raise read_failure(files, exc) from None


#: Values of a text column read to tell whether it holds chats written as JSON text.
JSON_CHAT_SAMPLE = 100
#: Columns that may hold a chat written as JSON text when the selection does not name them:
#: the chat columns, a preference pair's answers and prompt, and an API's one turn (not an
#: answer column: its JSON text, a list an answer wrote, is read as written) ...
_CHAT_CANDIDATES = frozenset({*CHAT_COLUMNS, CHOSEN, REJECTED, PROMPT,
                              *(name.lower() for name in API_TURNS if "." not in name and name not in ANSWER_COLUMNS)})
#: ... and that may hold one turn, made a chat of it (:func:`_single_turns`): those, and an
#: answer column (a log's ``output``, the turn an API answered).
_TURN_CANDIDATES = _CHAT_CANDIDATES | frozenset(ANSWER_COLUMNS)


#: The start of a list of turns (or of none) as Polars writes it as JSON text.
_TURNS_WRITTEN = r"^\[\s*[{\]]"


def _turns_of_text(name: str) -> pl.Expr:
    """Column ``name``, of texts and of lists of turns written as JSON (a field that an API
    takes either way, which Polars reads as text), as lists of turns written as JSON in every
    row: a text made the user's one turn, as OpenAI's Responses API reads a text ``input``."""
    text = pl.col(name)
    return pl.when(text.str.contains(_TURNS_WRITTEN).fill_null(True)).then(text).otherwise(
        pl.concat_str(pl.lit("["), pl.struct(role=pl.lit("user"), content=text).struct.json_encode(), pl.lit("]"))).alias(name)


def _user_turn(name: str) -> pl.Expr:
    """Column ``name`` of texts as chats of one user's turn each (null where null), as
    OpenAI's Responses API reads a text ``input``."""
    return pl.when(pl.col(name).is_not_null()).then(pl.concat_list(pl.struct(role=pl.lit("user"), content=pl.col(name)))).alias(name)


def _decoded_chats(name: str, dtype: pl.DataType, either: bool = False) -> pl.Expr:
    """Column ``name``'s chats (or lists) written as JSON text, decoded as ``dtype``
    (:func:`_decoded_json`); ``either``: a column of texts and turns, each text made a turn first
    (:func:`_turns_of_text`)."""
    written = _turns_of_text(name) if either else pl.col(name)
    return written.map_batches(partial(_decoded_json, dtype=dtype), return_dtype=dtype).alias(name)


def _chat_of_one(name: str) -> pl.Expr:
    """Column ``name``, one turn a row, as a chat of that turn (:func:`_single_turns`)."""
    return pl.when(pl.col(name).is_not_null()).then(pl.concat_list(name)).alias(name)


def _kept_as_read(name: str) -> str:
    """The name under which a column's values as read are kept once they are reshaped
    (chats decoded from JSON text, a turn saved alone made a chat of one)."""
    return f"__qcaudit_as_read:{name}"


def _json_lists(frame: pl.LazyFrame, schema: pl.Schema, selection: TextSelection,
                text_or_turns: tuple[str, ...] = ()) -> dict[str, pl.DataType]:
    """The text columns that hold a chat, or a list of texts, written as JSON text, with the
    list's type: a CSV file's ``messages`` (CSV holds no lists), a pandas frame saved with its
    chats as strings, ``'[{"role": "user", "content": "..."}, ...]'``, the Chatbot Arena Kaggle
    set's ``prompt`` and ``response_a``, a turn each, ``'["What is ...?", "And ..."]'``. Read
    as text, every row's JSON keys and quotes would be its words (``role``, ``content`` in
    every row: lower diversity, near duplicates that are not). A column counts when it is
    named by the selection, or may be a chat or an answer by its name (:data:`NUMBERED_ANSWER`,
    :data:`ANSWER_LIST_COLUMNS`), and its first :data:`JSON_CHAT_SAMPLE` values are all JSON
    arrays that decode to a chat's turns (OpenAI's ``{role, content}``, ShareGPT's ``{from,
    value}``), to strings or to answers (:func:`~qcaudit.text_columns.is_answer_list`); or it
    may rank a list of answers by its name as a list of numbers (:data:`~qcaudit.judged_pairs.RANKINGS`:
    a CSV file's distilabel ``ratings``, ``"[5, 3]"``), and they decode to numbers. Columns
    ``text_or_turns`` (a JSON file's that hold a text in some rows and turns in others, read as
    turns: :attr:`~qcaudit.readers.ScannedFiles.text_or_turns`) count whatever their names."""
    named, ranked = set(selection.columns()), selection.ranked()
    ranking = {name for name in RANKINGS if not by_place(name)} | ({ranked[1].casefold()} if ranked else set())
    candidates = [name for name in schema.names() if schema[name] == pl.String and (
        name in named or name in text_or_turns or name.lower() in _CHAT_CANDIDATES or name.lower() in ANSWER_LIST_COLUMNS
        or NUMBERED_ANSWER.fullmatch(name) or name.casefold() in ranking)]
    if not candidates:
        return {}
    try:
        sample = frame.select(candidates).head(JSON_CHAT_SAMPLE).with_columns(
            _turns_of_text(name) for name in candidates if name in text_or_turns).collect()
    except pl.exceptions.PolarsError:  # (the input's own read says what is wrong with it)
        return {}
    found = {}
    for name in candidates:
        values = sample[name].drop_nulls()
        if values.is_empty() or not values.str.strip_chars_start().str.starts_with("[").all():
            continue
        try:
            dtype = _json_values(values).dtype
        except pl.exceptions.PolarsError:
            continue
        if is_chat(dtype) or is_answer_list(dtype):
            found[name] = dtype
        elif numbers_listed(dtype) and name.casefold() in ranking:
            found[name] = pl.List(pl.Float64)  # (a later row's 4.5 is no integer)
    return found


#: The fields of a segment of Axolotl's template-free format (``input_output``): a piece of
#: the text as the model reads it, its template's marks and all, and whether it is trained on.
SEGMENT_FIELDS = {"label": pl.Boolean, "text": pl.String}


def _segmented(schema: pl.Schema) -> list[str]:
    """The ``segments`` columns of Axolotl's template-free format (a list of
    :data:`SEGMENT_FIELDS` a row), read as chats (:func:`_segments_as_turns`)."""
    return [name for name in schema.names() if name.lower() == "segments" and isinstance(schema[name], pl.List)
            and isinstance(inner := schema[name].inner, pl.Struct)
            and {f.name: f.dtype for f in inner.fields} == SEGMENT_FIELDS]


def _segments_in_a_template(frame: pl.LazyFrame, segmented: list[str]) -> list[str]:
    """The ``segmented`` columns whose first :data:`JSON_CHAT_SAMPLE` rows' segments, joined,
    are all conversations written in a chat template (:func:`~qcaudit.transcripts.looks_like_transcripts`):
    template-free data is most often a template's text cut where training starts and stops
    (``"<|im_start|>user\\n...<|im_end|>\\n<|im_start|>assistant\\n"`` masked, the answer trained
    on). Read by label, its markers would be the turns' words and a system prompt the user's;
    joined (:func:`_joined_segments`), the text is read as the template's turns."""
    if not segmented:
        return []
    try:
        sample = frame.select(_joined_segments(name) for name in segmented).head(JSON_CHAT_SAMPLE).collect()
    except pl.exceptions.PolarsError:  # (the input's own read says what is wrong with it)
        return []
    return [name for name in segmented if looks_like_transcripts(sample[name])]


def _joined_segments(name: str) -> pl.Expr:
    """A row's segments' texts, joined as they are written (a template's text cut in pieces)."""
    return pl.col(name).list.eval(pl.element().struct.field("text")).list.join("").alias(name)


def _segments_as_turns(name: str) -> pl.Expr:
    """Segments as a chat's turns: a segment trained on (``label`` true) is the assistant's,
    one masked the user's (its prompt), so that a row's prompt and answer are a chat's, and
    ``--role`` chooses them; the text is each segment's, a line each."""
    segment = pl.element().struct
    turn = pl.struct(role=pl.when(segment.field("label")).then(pl.lit("assistant")).otherwise(pl.lit("user")),
                     content=segment.field("text"))
    return pl.col(name).list.eval(turn).alias(name)


#: The column of a conversation's earlier turns beside its last instruction and output, in
#: LLaMA-Factory's Alpaca format: ``[["question", "answer"], ...]`` (:func:`_histories`).
HISTORY = "history"


def _histories(schema: pl.Schema) -> list[str]:
    """The :data:`HISTORY` column of LLaMA-Factory's Alpaca format (lists of a question and its
    answer, beside an ``instruction``), read as a chat (:func:`_history_as_turns`) before the
    instruction: a multi-turn row's earlier turns, trained on as a chat's are."""
    name = _named(schema, HISTORY)
    pairs = name is not None and schema[name] in (pl.List(pl.List(pl.String)), pl.List(pl.Array(pl.String, 2)))
    return [name] if pairs and _named(schema, "instruction") else []


def _history_as_turns(name: str) -> pl.Expr:
    """Each question and answer of a :data:`HISTORY` column as a user's and an assistant's turn."""
    pair = pl.element()
    return _exchanges_as_turns(name, pair.list.get(0, null_on_oob=True), pair.list.get(1, null_on_oob=True))


def _exchanges_as_turns(name: str, asked: pl.Expr, answered: pl.Expr) -> pl.Expr:
    """Column ``name``'s lists of exchanges as chats: each exchange (``asked`` and
    ``answered``: its question and its answer, read from ``pl.element()``) a user's turn and
    an assistant's, in order."""
    turns = pl.concat_list(pl.struct(role=pl.lit("user"), content=asked), pl.struct(role=pl.lit("assistant"), content=answered))
    return pl.col(name).list.eval(turns.list.explode(keep_nulls=False, empty_as_null=False)).alias(name)


#: The fields of each exchange of a conversation kept as a list of them, a question and its
#: answer: LDJnr's Capybara, Pure-Dove, Verified-Camel and LessWrong-Amplify-Instruct
#: (``conversation: [{"input": ..., "output": ...}, ...]``) (:func:`_exchange_lists`).
EXCHANGE_FIELDS = ("input", "output")
#: The type of the chats they are read as (:func:`_exchanges_as_turns`).
_EXCHANGED_CHAT = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))


def _exchange_lists(schema: pl.Schema) -> list[str]:
    """The columns named as chats are (:data:`CHAT_COLUMNS`) that hold lists of exchanges, an
    ``input`` and its ``output`` each (:data:`EXCHANGE_FIELDS`), read as a chat of a user's
    and an assistant's turns (:func:`_exchanges_as_turns`): its prompt and answer are a
    chat's, and ``--role`` chooses them."""
    def exchanges(dtype: pl.DataType) -> bool:
        fields = {f.name: f.dtype for f in dtype.inner.fields} if isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct) else {}
        return all(fields.get(field) == pl.String for field in EXCHANGE_FIELDS) and not is_chat(dtype)
    return [name for name in schema.names() if name.lower() in CHAT_COLUMNS and exchanges(schema[name])]


def _answer_turn_lists(schema: pl.Schema) -> dict[str, str]:
    """The lists of answers found by name (:data:`ANSWER_LIST_COLUMNS`) whose answers hold a
    model's turn, of text or text parts, in one field of
    :data:`~qcaudit.text_columns.ANSWER_FIELDS` beside what judges it (Vertex AI's preference
    tuning files for Gemini: ``completions: [{"score": 1, "completion": {"role": "model",
    "parts": [...]}}, ...]``), with that field: read as a list of answers of text
    (:func:`_answer_turns_as_text`), so that the answers are read, and the scores rank them
    (:mod:`qcaudit.judged_pairs`)."""
    found = {}
    for name in schema.names():
        dtype = schema[name]
        if name.lower() not in ANSWER_LIST_COLUMNS or not (isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)):
            continue
        turns = [f.name for f in dtype.inner.fields if f.name in ANSWER_FIELDS and _is_chat_of_text(pl.List(f.dtype))]
        if len(turns) == 1 and not any(f.name in ANSWER_FIELDS and f.dtype == pl.String for f in dtype.inner.fields):
            found[name] = turns[0]
    return found


def _answer_turns_as_text(name: str, field: str, dtype: pl.List) -> pl.Expr:
    """Column ``name``'s answers (of type ``dtype``) with their ``field``, a turn, made its text."""
    layout = chat_layout(pl.List({f.name: f.dtype for f in dtype.inner.fields}[field]))
    text = _content_text(pl.field(field).struct.field(layout.content), layout.content_dtype)
    return pl.col(name).list.eval(pl.element().struct.with_fields(text.alias(field))).alias(name)


#: The columns of each row's system prompt kept apart from its chat or its prompt fields, the
#: first the input has: LLaMA-Factory's ``system`` (in its ShareGPT format, beside
#: ``conversations``; in its Alpaca format, beside ``instruction``), Bespoke-Stratos' and
#: OpenThoughts' ``system`` beside ``conversations``, Intel's orca_dpo_pairs' beside a
#: ``question``, OpenOrca's ``system_prompt`` beside its ``question``; an Anthropic request's
#: ``system`` (text, or text blocks) beside its ``messages``, and Bedrock's fine-tuning files'
#: (Claude's text, Nova's text parts); Vertex AI's tuning files' ``systemInstruction`` (a
#: Gemini Content, its text in parts) beside ``contents``.
SYSTEM_COLUMNS = ("system", "system_prompt", "systemInstruction", "system_instruction")
#: The role its prompt is read under.
SYSTEM = "system"


def _content_text(content: pl.Expr, dtype: pl.DataType) -> pl.Expr | None:
    """The text of ``content`` of type ``dtype``: text, text blocks or parts, or a Gemini
    Content's parts (:func:`~qcaudit.text_columns.text_of_parts`, a part a line); None for
    another type. A system prompt kept apart is read so (Anthropic's blocks, Gemini's
    ``systemInstruction``), and a model's turn in a list of answers."""
    if dtype == pl.String:
        return content
    if is_text_parts(dtype):
        return text_of_parts(content, dtype)
    parts = {f.name: f.dtype for f in dtype.fields}.get("parts") if isinstance(dtype, pl.Struct) else None
    return text_of_parts(content.struct.field("parts"), parts) if is_text_parts(parts) else None


def _system_column(schema: pl.Schema) -> str | None:
    """The input's first column of :data:`SYSTEM_COLUMNS` that holds a system prompt's text (:func:`_content_text`)."""
    return next((found for name in SYSTEM_COLUMNS if (found := _named(schema, name))
                 and _content_text(pl.col(found), schema[found]) is not None), None)


def _said(text: pl.Expr) -> pl.Expr:
    """Whether a system prompt's ``text`` says something (ShareGPT's blank system turns do not)."""
    return text.str.contains(r"\S").fill_null(False)


def _typed_struct(dtype: pl.Struct, given: Mapping[str, pl.Expr]) -> pl.Expr:
    """A struct of type ``dtype`` with the fields ``given`` (those it has) and the others null."""
    return pl.struct(*(given.get(f.name, pl.lit(None)).cast(f.dtype).alias(f.name) for f in dtype.fields))


#: The prompt fields that a system column may come before (:func:`_system_before_prompt_fields`):
#: the first of each layout's that :func:`_with_parts_found` finds by name.
SYSTEM_PROMPTED = (*(names[0] for names, _ in PROMPT_LAYOUTS), *(name for name, _ in PROMPT_ANSWER_LAYOUTS), PAIR_PROMPT)


def _system_before_prompt_fields(schema: pl.Schema, selection: TextSelection) -> bool:
    """Whether the system column is read as a system turn of its own
    (:func:`_system_as_chat`), before the prompt fields found by name: where no chat beside
    it takes it in (:func:`_chats_beside_a_system_column`), no flag names the text or the
    prompt (``--fields system,...`` reads it as text, as before), and the input has a
    prompt field of :data:`SYSTEM_PROMPTED`. As a chat's system turn, the text leaves it out;
    the prompt part and the system turns ("setup") hold it."""
    return not (selection.text_column or selection.fields or selection.prompt) and any(
        _named(schema, name) for name in SYSTEM_PROMPTED)


def _system_as_chat(name: str, dtype: pl.DataType) -> pl.Expr:
    """Column ``name`` of system prompts (of type ``dtype``) as a chat of one system turn
    holding their text; null where a row has none (no text)."""
    text = _content_text(pl.col(name), dtype)
    return pl.when(_said(text)).then(pl.concat_list(pl.struct(role=pl.lit(SYSTEM), content=text))).alias(name)


def _with_what_comes_before(prompt: Sequence[str], schema: pl.Schema) -> tuple[str, ...]:
    """Prompt fields found by name, after the columns that come before them in the row's
    conversation, where the input has them: its system prompt made a chat
    (:func:`_system_as_chat`) and, before an instruction, LLaMA-Factory's earlier turns
    (:func:`_histories`)."""
    system = next((found for name in SYSTEM_COLUMNS if (found := _named(schema, name)) and is_chat(schema[found])), None)
    history = _named(schema, HISTORY) if prompt[0].casefold() == "instruction" else None
    return (*(name for name in (system, history) if name and is_chat(schema[name])), *prompt)


def _chats_beside_a_system_column(schema: pl.Schema, chats_read: Mapping[str, pl.DataType],
                                  selection: TextSelection) -> dict[str, pl.DataType]:
    """The chat columns found by name (:data:`CHAT_COLUMNS`; columns read as chats, of the type
    ``chats_read`` gives: chats written as JSON text, lists of exchanges) that take a system
    turn (:func:`_is_chat_of_text`), with their type: each row's system prompt kept apart
    is read as their system turn (:func:`_with_system_turn`), as the model was trained on it.
    The text leaves it out, as a chat's system turns; the prompt part holds it, and the
    contamination analyzer's lexical methods read it. So are prompt fields that are such
    chats (TRL's conversational ``prompt``), where the system prompt would come before them
    (:func:`_system_before_prompt_fields`): a chat that opens with a system turn of its own
    keeps it alone, not two."""
    prompts = {name.casefold() for name in SYSTEM_PROMPTED} if _system_before_prompt_fields(schema, selection) else set()
    chats = {name: chats_read.get(name, schema[name]) for name in schema.names()
             if name.lower() in CHAT_COLUMNS or name.casefold() in prompts}
    return {name: dtype for name, dtype in chats.items() if _is_chat_of_text(dtype)}


def _is_chat_of_text(dtype: pl.DataType) -> bool:
    """Whether a column of type ``dtype`` is a chat whose turns hold text or text parts: one a
    system turn can be added to (:func:`_with_system_turn`), whose turns' text
    :func:`_content_text` reads."""
    return bool(layout := chat_layout(dtype)) and (layout.content_dtype == pl.String or is_text_parts(layout.content_dtype))


def _transcripts_beside_a_marked_system_prompt(frame: pl.LazyFrame, schema: pl.Schema, system: str) -> list[str]:
    """The text columns found by name as chats are (:data:`CHAT_COLUMNS`) whose first
    :data:`JSON_CHAT_SAMPLE` values are conversations written as text
    (:func:`~qcaudit.transcripts.looks_like_transcripts`), beside a ``system`` column of text
    whose values that say something are each one system turn written so, its marker in it
    (Glaive's function-calling data: ``system``, ``"SYSTEM: You are a helpful assistant with
    access to the following functions..."``, beside ``chat``, ``"USER: ... ASSISTANT: ..."``):
    the system prompt is read as the conversation's first turn (:func:`_with_system_turn_written`)."""
    chats = [name for name in schema.names() if name.lower() in CHAT_COLUMNS and schema[name] == pl.String]
    if schema[system] != pl.String or not chats:
        return []
    try:
        sample = frame.select(system, *chats).head(JSON_CHAT_SAMPLE).collect()
    except pl.exceptions.PolarsError:  # (the input's own read says what is wrong with it)
        return []
    said = sample.filter(_said(pl.col(system))).select(speakers(pl.col(system), OTHER_ROLE_NAMES)).to_series()
    if said.is_empty() or not all(turns is not None and len(turns) == 1 and turns[0] in SETUP_ROLES for turns in said.to_list()):
        return []
    return [name for name in chats if looks_like_transcripts(sample[name])]


def _with_system_turn_written(transcript: pl.Expr, system: pl.Expr) -> pl.Expr:
    """A conversation written as text with the row's ``system`` turn, written with its
    marker, before it (a line apart), where the row has one and the conversation opens with
    no system turn of its own."""
    opens_with_one = speakers(transcript, OTHER_ROLE_NAMES).list.first().is_in(SETUP_ROLES).fill_null(False)
    return pl.when(_said(system) & ~opens_with_one).then(pl.concat_str(system, pl.lit("\n"), transcript)).otherwise(transcript)


#: The fields beside a request's chat (:data:`API_REQUEST_COLUMNS`) that hold its system
#: prompt apart: the Responses API's ``instructions``, Anthropic's ``system`` (in Message
#: Batches' ``params``, Bedrock's ``modelInput``), Gemini's ``systemInstruction`` (in Vertex
#: AI's batch ``request``).
REQUEST_SYSTEM_FIELDS = ("instructions", "system", "systemInstruction", "system_instruction")


def _requests_beside_a_system_prompt(schema: pl.Schema, names: Iterable[str]) -> dict[str, tuple[str, pl.Expr]]:
    """The requests' chats among ``names`` (fields of struct columns, made columns: the
    selection's) that take a system turn (:func:`_is_chat_of_text`), or texts that an API
    takes as a user's turn (:data:`~qcaudit.inputcheck.TEXT_OR_TURNS`: the Responses API's
    ``input``), with the system prompt kept beside them (the first of
    :data:`REQUEST_SYSTEM_FIELDS` that holds one): its path and its text (:func:`_content_text`)."""
    found = {}
    for name in names:
        a_text_input = schema[name] == pl.String and name.rsplit(".", 1)[-1] in TEXT_OR_TURNS
        if name not in API_REQUEST_COLUMNS or not (a_text_input or _is_chat_of_text(schema[name])):
            continue
        parent = name.rsplit(".", 1)[0]
        beside = ((path, _content_text(*reached)) for field in REQUEST_SYSTEM_FIELDS
                  if (reached := _reached(schema, path := f"{parent}.{field}")))
        if system := next(((path, text) for path, text in beside if text is not None), None):
            found[name] = system
    return found


def _with_system_turn(chat: pl.Expr, dtype: pl.DataType, system: pl.Expr) -> pl.Expr:
    """``chat`` (of type ``dtype``) with the row's ``system`` prompt (its text) as its first
    turn, its content text or a text part as the chat's turns hold theirs, where the row has
    one (some text) and the chat opens with no system turn of its own."""
    layout = chat_layout(dtype)
    content = system if layout.content_dtype == pl.String else pl.concat_list(
        _typed_struct(layout.content_dtype.inner, {"type": pl.lit("text"), "text": system}))
    turn = _typed_struct(dtype.inner, {layout.role: pl.lit(SYSTEM), layout.content: content})
    opens_with_one = chat.list.first().struct.field(layout.role).str.to_lowercase().is_in(SETUP_ROLES).fill_null(False)
    return pl.when(_said(system) & ~opens_with_one).then(pl.concat_list(turn, chat)).otherwise(chat)


def _single_turns(schema: pl.Schema, selection: TextSelection) -> list[str]:
    """The columns that hold one turn of a chat each (:func:`~qcaudit.text_columns.is_turn`),
    named by the selection or by a chat's, a pair's or an answer's name (LLaMA-Factory's
    preference data: a ``conversations`` chat, and a ``chosen`` and a ``rejected`` turn; a log's
    ``output``, the turn an API answered), read as a chat of that one turn, as a chat column is read."""
    named = set(selection.columns())
    return [name for name in schema.names() if (name in named or name.lower() in _TURN_CANDIDATES) and is_turn(schema[name])]


def _json_values(values: pl.Series, dtype: pl.DataType | None = None) -> pl.Series:
    """JSON texts decoded as ``dtype`` (inferred from them all where None). Where some turns'
    content is text and others' a list of parts, Polars' JSON decoding fails (it cannot take
    a list for text); its JSON Lines reader takes such a content as text, the lists written as
    JSON (:func:`~qcaudit.text_columns.turn_content` reads them back), as it does reading a
    file: the texts are read so, one a line, where decoding fails."""
    try:
        return values.str.json_decode(dtype, infer_schema_length=None)
    except pl.exceptions.PolarsError:
        lines = ('{"v":' + values.str.replace_all(r"[\r\n]", " ") + "}").fill_null('{"v":null}')
        data = "\n".join(lines).encode()
        read = json_lines_read(data) if dtype is None else pl.read_ndjson(BytesIO(data), schema={"v": dtype})
        return read.to_series().alias(values.name)


def _nested_texts_or_chats(frame: pl.LazyFrame, schema: pl.Schema, names: list[str],
                           text_or_turns: tuple[str, ...] = ()) -> dict[str, pl.DataType]:
    """The fields inside struct columns (``names``: those the selection reads), of a name that
    an API takes as a text or as turns (:data:`~qcaudit.inputcheck.TEXT_OR_TURNS`), that hold
    a text in some rows and a chat in others, with the chat's type: a batch request's
    ``body.input`` for OpenAI's Responses API. Polars reads such a field of a JSON file as
    text, the lists written as JSON. A field counts where the file's check found both in it,
    one level down (``text_or_turns``: :attr:`~qcaudit.readers.ScannedFiles.text_or_turns`),
    or some of its first :data:`JSON_CHAT_SAMPLE` values are such lists (a deeper field, a
    table in memory), and, each text made a turn (:func:`_turns_of_text`), the first lists
    decode to a chat."""
    strings = [name for name in names if schema[name] == pl.String and name.rsplit(".", 1)[-1] in TEXT_OR_TURNS]
    try:
        sample = frame.select(strings).head(JSON_CHAT_SAMPLE).collect() if strings else pl.DataFrame()
        checked = {name: frame.select(name).filter(pl.col(name).str.contains(_TURNS_WRITTEN)).head(JSON_CHAT_SAMPLE).collect()
                   for name in strings if name in text_or_turns and not sample[name].str.contains(_TURNS_WRITTEN).any()}
    except pl.exceptions.PolarsError:  # (the input's own read says what is wrong with it)
        return {}
    found = {}
    for name in strings:
        values = pl.concat([sample.select(name), checked[name]]) if name in checked else sample  # (texts and lists: one type for both)
        if not values[name].str.contains(_TURNS_WRITTEN).any():
            continue
        try:
            dtype = _json_values(values.select(_turns_of_text(name))[name].drop_nulls()).dtype
        except pl.exceptions.PolarsError:
            continue
        if is_chat(dtype):
            found[name] = dtype
    return found


def _decoded_json(values: pl.Series, dtype: pl.DataType) -> pl.Series:
    """Chats written as JSON text, as ``dtype``; a value that is not such a chat (broken
    JSON, another shape) is null, and its row has no text there. Polars decodes a batch at
    once or fails on its first bad value; then each half is decoded on its own, down to the
    bad values, so that a few of them cost a few more decodes, not a Python call a row."""
    try:
        return _json_values(values, dtype)
    except pl.exceptions.PolarsError:
        if len(values) == 1:
            return pl.Series(values.name, [None], dtype=dtype)
        half = len(values) // 2
        return pl.concat([_decoded_json(values[:half], dtype), _decoded_json(values[half:], dtype)], rechunk=True)


def _resolve_selection(selection: TextSelection, schema: pl.Schema, reasoning_column: str | None = None,
                       headed_csv: bool = False) -> TextSelection:
    """The selection with the text (and the parts) found by column name where none is given;
    ``reasoning_column``: the input's reasoning saved flat (:func:`_reasoning_column`);
    ``headed_csv``: the columns are named by a CSV file's first line, which may be data."""
    given = selection
    selection = _with_parts_found(selection, schema, reasoning_column)
    selection = _with_ratings_found(_with_label_found(selection, schema), schema)  # (beside the parts found)
    if selection.text_column or selection.fields:
        return selection
    templated = _templated_text(selection, schema)
    whole = next((found for name in WHOLE_TEXT_COLUMNS if (found := _named(schema, name))
                  and found not in (templated, selection.response, *selection.prompt)  # (a pair's prompt chat is no whole row)
                  and column_text(found, schema[found]) is not None), None)  # (a column of numbers or structs is no text)
    if whole:
        sent = whole if is_chat(schema[whole]) else None
    else:
        sent = next((name for name in LOGGED_CHATS if (found := _reached(schema, name)) and is_chat(found[1])), None)
    saved = sent and next(
        (path for name in SAVED_ANSWER_COLUMNS if (found := _named(schema, name))
         and (path := _saved_answer(schema, found) or (found if is_chat(schema[found]) else None))), None)
    if saved:  # a logged call: the chat sent, and the API's response saved whole (or its turn) beside it
        return replace(selection, fields=(sent, saved), prompt=given.prompt or (sent,), response=given.response or saved)
    if whole and is_chat(schema[whole]) and not (selection.chosen or selection.label):
        # a chat is the text: its turns are the prompt and the response, not columns found by name beside it
        # (OpenR1-Math's messages hold R1's generation; its solution column is NuminaMath's reference)
        return replace(selection, text_column=whole, prompt=given.prompt, response=given.response)
    if whole and whole.casefold() == "content" and is_text_parts(schema[whole]) and _named(schema, "role"):
        # a message saved whole (Anthropic's Messages API response): its content blocks are the response
        return replace(selection, text_column=whole, response=selection.response or whole)
    if whole:
        return replace(selection, text_column=whole)
    api = next((name for name in (*API_TEXT_COLUMNS, *BEDROCK_OUTPUTS, *API_REQUEST_COLUMNS)
                if (found := _reached(schema, name)) and _holds_api_text(name, found[1])
                and not (selection.prompt and name == selection.response)), None)  # (an answer found beside its prompt: both read)
    request = next((name for name in API_REQUESTS.get(api, ()) if (found := _reached(schema, name))
                    and (is_chat(found[1]) or found[1] == pl.String)), None)
    if request:
        return replace(selection, fields=(request, api), prompt=selection.prompt or (request,), response=selection.response or api)
    if api in API_REQUEST_COLUMNS:  # (a request's text alone is its prompt; a chat's turns are its parts)
        return replace(selection, text_column=api, prompt=selection.prompt or (() if is_chat(_reached(schema, api)[1]) else (api,)))
    if api:  # (what the API answered is the response too: its reasoning is measured, its end read)
        return replace(selection, text_column=api, response=selection.response or api)
    # the answer: the response (its reasoning before it), a pair's chosen answer, else a column of an answer alone
    answer = selection.response or selection.chosen or next(
        (_saved_answer(schema, found) or found for name in ANSWER_COLUMNS if (found := _named(schema, name))), None)
    answers = [answer] if answer else []
    if answer and answer == selection.chosen and selection.preferred_by:  # a judged pair: both answers, in the input's order
        answers.append(selection.rejected)
    ranked = selection.ranked()
    if not answer and (selection.prompt or ranked):  # several models' answers: a list of them, else numbered columns
        listed = ranked[0] if ranked else next(
            (found for name in ANSWER_LIST_COLUMNS if (found := _named(schema, name)) and is_answer_list(schema[found])), None)
        answers = [listed] if listed else _numbered_answers(schema)
    reasoning = reasoning_column if answer and answer == selection.response and selection.reasoning else None
    joined = tuple(dict.fromkeys((*selection.prompt, *([reasoning] if reasoning else []), *answers)))
    if joined:
        return replace(selection, fields=joined) if len(joined) > 1 else replace(selection, text_column=joined[0])
    turns = next((found for name in TURN_LIST_COLUMNS if (found := _named(schema, name)) and schema[found] == pl.List(pl.String)), None)
    if turns:
        return replace(selection, text_column=turns)
    # a column of the whole row's name that holds no text (numbers, say) is the text: its rows' statuses
    # will say what they hold; a struct is not, as its fields are listed below
    unread = next(filter(None, (_named(schema, name) for name in WHOLE_TEXT_COLUMNS)), None)
    if unread and not isinstance(schema[unread], pl.Struct):
        return replace(selection, text_column=unread)
    names = [name for name in schema.names() if name != ROW_ID]
    delimiter = next((d for d in (";", "\t", "|") if len(names) == 1 and d in names[0]), None)
    if delimiter and not headed_csv:  # a table in memory, read from such a file with commas (pandas' read_csv)
        raise QcauditError(f"the table's one column is named {names[0]!r}: it was read from a file that separates its fields by {delimiter!r}"
                           f"; read it so (pandas: read_csv(path, sep={delimiter!r})), or give qcaudit the file")
    if delimiter == "\t":  # one column whose name holds the real ones: a CSV with another delimiter
        raise QcauditError(f"the input's one column is named {names[0]!r}: name a tab-separated file .tsv")
    if delimiter:
        raise QcauditError(f"the input's one column is named {names[0]!r}: a CSV file must separate its fields by commas, "
                           f"not {delimiter!r}; convert it (or write jsonl or parquet)")
    if sole := sole_text_column(schema, names, headed_csv):
        return replace(selection, text_column=sole)
    raise QcauditError(
        f"no text column found (looked for {', '.join((*WHOLE_TEXT_COLUMNS, *ANSWER_COLUMNS))}, a prompt or its answer, "
        f"and {', '.join(TURN_LIST_COLUMNS)} as a list of texts); "
        f"choose one with --text-column or --fields from: {_available(schema)}"
        + ("; if the file's first line is data rather than column names, give --no-header" if headed_csv else "")
    )


def _holds_api_text(name: str, dtype: pl.DataType) -> bool:
    """Whether the column ``name`` of :data:`API_TEXT_COLUMNS`, :data:`BEDROCK_OUTPUTS` or
    :data:`API_REQUEST_COLUMNS` holds what an API wrote there: answers, a chat, content blocks
    (:func:`~qcaudit.text_columns.is_api_text`), or where the API writes one, a turn, a text,
    a list of answers."""
    return (is_api_text(dtype) or name in API_TURNS and is_turn(dtype) or name in API_TEXTS and dtype == pl.String
            or name in API_ANSWER_LISTS and is_answer_list(dtype))


def _saved_answer(schema: pl.Schema, column: str) -> str | None:
    """The path of what an API answered inside the struct ``column`` that holds its response
    saved whole (``response.choices``; :data:`SAVED_ANSWER_FIELDS`); None for another column."""
    return next((path for field in SAVED_ANSWER_FIELDS if (reached := _reached(schema, path := f"{column}.{field}"))
                 and (is_api_text(reached[1]) or is_turn(reached[1]))), None)


def _templated_text(selection: TextSelection, schema: pl.Schema) -> str | None:
    """The input's ``text`` column where it renders the prompt and answer found beside it in a
    template (:data:`TEMPLATED_BESIDE`), else None."""
    text = _named(schema, TEXT)
    instruction_data = selection.prompt and selection.prompt[0].casefold() in TEMPLATED_BESIDE and selection.response
    return text if text and instruction_data and is_plain_text(schema[text]) else None


def _generation_beside_its_prompt(frame: pl.LazyFrame, schema: pl.Schema, selection: TextSelection,
                                  asked: TextSelection) -> str | None:
    """The ``text`` column read as the text, where it is what a model generated for the
    ``prompt`` found beside it and no answer column is (HuggingFaceTB's Cosmopedia: ``prompt``,
    ``text``, ``seed_data``): then it is the rows' response too, for the analyzers of prompts
    and responses. It is, where no flag names the text or the parts, and fewer than half of
    the first :data:`JSON_CHAT_SAMPLE` rows' texts hold their prompt: a text that does is the
    row written whole, its prompt inside, no answer alone."""
    text, prompt = _named(schema, TEXT), _named(schema, PROMPT)
    asked_for = asked.text_column or asked.fields or asked.prompt or asked.response
    found = (text and selection.text_column == text and selection.prompt == (prompt,) and schema[text] == schema[prompt] == pl.String
             and not (asked_for or selection.response or selection.chosen or selection.label))
    if not found:
        return None
    try:
        sample = frame.select(text, prompt).head(JSON_CHAT_SAMPLE).drop_nulls().collect()
    except pl.exceptions.PolarsError:  # (the input's own read says what is wrong with it)
        return None
    holds = sample.select(pl.col(text).str.contains(pl.col(prompt), literal=True)).to_series()
    return text if sample.height and holds.sum() * 2 < sample.height else None


def _named(schema: pl.Schema, name: str) -> str | None:
    """The input's column of this name: itself, else the one column whose name differs from
    it in case alone (``Instruction``, ``OUTPUT``, as spreadsheets export them)."""
    if name in schema:
        return name
    alike = [column for column in schema.names() if column.casefold() == name.casefold()]
    return alike[0] if len(alike) == 1 else None


def _with_parts_found(selection: TextSelection, schema: pl.Schema, reasoning_column: str | None = None) -> TextSelection:
    """``selection`` with the parts of a row (:data:`PARTS`) that no flag names found by
    column name (:func:`_named`), where each is text or a chat column: preference pairs
    (:data:`PAIR_LAYOUTS`, then :data:`JUDGED_PAIR_LAYOUTS`, whose verdict ``--preferred-by``
    may name instead, then a list of answers that :mod:`qcaudit.judged_pairs` finds ranked),
    then the prompt and response of the first of
    :data:`PROMPT_LAYOUTS` the input has, else of :data:`PROMPT_ANSWER_LAYOUTS`; else, of a
    pair found without a prompt, a :data:`PAIR_PROMPT`; of a list of answers ranked without
    one, a chat found by name (:data:`CHAT_COLUMNS`)."""
    def found(name: str) -> str | None:  # (a column, or a struct's field by its dotted path, of text or a chat; an API's answer inside)
        column = _named(schema, name) or name
        reached = _reached(schema, column)
        if reached and isinstance(reached[1], pl.Struct):
            return _saved_answer(schema, column)
        return column if reached and (_is_text_or_texts(reached[1]) or is_chat(reached[1]) or is_instances(reached[1])) else None

    for prompt_paths, *answers in PAIR_LAYOUTS:
        pair = [found(name) for name in answers]
        if not (selection.chosen or selection.rejected) and all(pair):
            selection = replace(selection, chosen=pair[0], rejected=pair[1])
            prompt = next((path for path in prompt_paths if (reached := _reached(schema, path)) and is_chat(reached[1])), None)
            if prompt and not selection.prompt:
                selection = replace(selection, prompt=(prompt,))
    for prompt_name, *answers, verdict_name in JUDGED_PAIR_LAYOUTS:
        pair, verdict = [found(name) for name in answers], selection.preferred_by or _named(schema, verdict_name)
        if not (selection.chosen or selection.rejected or selection.ranked()) and all(pair) and verdict and (
                selection.preferred_by or fits_as_verdict(verdict, schema)):
            prompt = found(prompt_name) if prompt_name else None
            selection = replace(selection, chosen=pair[0], rejected=pair[1], preferred_by=verdict,
                                prompt=selection.prompt or (_with_what_comes_before([prompt], schema) if prompt else ()))
    if not (selection.chosen or selection.preferred_by):  # a list of answers, ranked
        ranked = next(((listed, ranking) for name in ANSWER_LIST_COLUMNS
                       if (listed := _named(schema, name)) and (ranking := ranking_of(listed, schema))), None)
        selection = replace(selection, preferred_by=".".join(ranked)) if ranked else selection
    reasoned = (FLAT_REASONING[reasoning_column.casefold()],) if reasoning_column else ()
    for prompt_names, answer_names in PROMPT_LAYOUTS:
        prompt = [found(name) for name in prompt_names]
        if all(prompt):
            response = next(filter(None, map(found, (*reasoned, *answer_names))), None)
            return replace(selection, prompt=selection.prompt or _with_what_comes_before(prompt, schema),
                           response=selection.response or response)
    for prompt_name, answer_name in (*PROMPT_ANSWER_LAYOUTS, *[(REASONED_PROMPT, answer) for answer in reasoned]):
        prompt, response = found(prompt_name), found(answer_name)
        if prompt and response:
            return replace(selection, prompt=selection.prompt or _with_what_comes_before([prompt], schema),
                           response=selection.response or response)
    if selection.chosen and not selection.prompt and (prompt := found(PAIR_PROMPT)):
        return replace(selection, prompt=_with_what_comes_before([prompt], schema))
    if selection.ranked() and not selection.prompt and (chat := next(
            (column for name in CHAT_COLUMNS if (column := _named(schema, name)) and is_chat(schema[column])), None)):
        return replace(selection, prompt=(chat,))  # (a chat, its answers ranked beside it: Vertex AI's preference tuning files)
    return selection


#: The column of true/false labels found by name beside a response, where no flag names one
#: (TRL's unpaired preference layout, KTO's: ``prompt``, ``completion``, ``label``).
LABEL_COLUMN = "label"


def _with_label_found(selection: TextSelection, schema: pl.Schema) -> TextSelection:
    """``selection`` with a :data:`LABEL_COLUMN` of true and false (no other type: a
    classification dataset's ``label`` holds classes) as its responses' labels, where a
    response is found, no pair is, and no flag names the labels."""
    found = _named(schema, LABEL_COLUMN)
    if selection.label or not selection.response or selection.chosen or selection.preferred_by or not found:
        return selection
    return replace(selection, label=found) if schema[found] == pl.Boolean else selection


#: The (chosen's, rejected's) rating columns found by name beside a pair of answers named
#: ``chosen`` and ``rejected`` or found so: UltraFeedback binarized's, Argilla's (dpo-mix-7k's;
#: ultrafeedback-binarized-preferences-cleaned's, hyphenated; distilabel-capybara-dpo-7k's,
#: rating first) and others'.
RATING_COLUMNS = (("score_chosen", "score_rejected"), ("chosen_rating", "rejected_rating"), ("chosen-rating", "rejected-rating"),
                  ("rating_chosen", "rating_rejected"), ("chosen_score", "rejected_score"))


def _with_ratings_found(selection: TextSelection, schema: pl.Schema) -> TextSelection:
    """``selection`` with the first of :data:`RATING_COLUMNS` the input holds as numbers as its
    pairs' ratings, where its pair is named or found as chosen and rejected answers (not
    judged by a column or ranked in a list) and no flag names ratings."""
    if selection.ratings or not selection.chosen or selection.preferred_by:
        return selection
    found = next((named for names in RATING_COLUMNS if all(named := [_named(schema, name) for name in names])
                  and all(schema[name].is_numeric() for name in named)), None)
    return replace(selection, ratings=tuple(found)) if found else selection


def _desirable(label: str, schema: pl.Schema) -> pl.Expr:
    """Whether each row's response is desirable, as its ``label`` column says: true or false,
    or whole numbers 1 and 0; null for no label (or another number; a column of nulls, as a
    JSON reader types one with no label at all, labels none)."""
    if schema[label] in (pl.Boolean, pl.Null):
        return pl.col(label).cast(pl.Boolean)
    return pl.when(pl.col(label) == 1).then(True).when(pl.col(label) == 0).then(False)


def _numbered_answers(schema: pl.Schema) -> list[str]:
    """The input's columns of numbered (or lettered) answers of text (:data:`NUMBERED_ANSWER`),
    in their numbers' order, then their letters'."""
    numbered = [((number is None, int(number or 0), (letter or "").casefold()), name) for name in schema.names()
                if (found := NUMBERED_ANSWER.fullmatch(name)) and _is_text_or_texts(schema[name]) for number, letter in [found.groups()]]
    return [name for _, name in sorted(numbered)]


def _is_text_or_texts(dtype: pl.DataType) -> bool:
    """Whether a column holds text, or a list of texts (an answer's turns, one a line)."""
    return is_plain_text(dtype) or dtype == pl.List(pl.String)


#: Values of a column named as a reasoning field that make it a setting, not reasoning:
#: Llama-Nemotron's post-training set says in ``reasoning`` whether its system prompt turned
#: reasoning ``on`` or ``off``; others an effort (``low``, ``high``) or a flag.
REASONING_SETTINGS = frozenset({"on", "off", "true", "false", "yes", "no", "none", "minimal", "low", "medium", "high",
                                "enabled", "disabled"})


def _reasoning_column(frame: pl.LazyFrame, schema: pl.Schema) -> str | None:
    """The input's column of a reasoning model's reasoning saved flat: the first of
    :data:`FLAT_REASONING` that it holds as text (or texts, s1K's trajectories), unless the
    words of its first :data:`JSON_CHAT_SAMPLE` values are settings (:data:`REASONING_SETTINGS`);
    None where it holds none."""
    named = next((found for name in FLAT_REASONING if (found := _named(schema, name)) and _is_text_or_texts(schema[found])), None)
    if named is None or not is_plain_text(schema[named]):
        return named
    try:
        said = frame.select(pl.col(named).cast(pl.String).str.strip_chars().str.to_lowercase()).head(JSON_CHAT_SAMPLE).collect()
    except pl.exceptions.PolarsError:  # (the input's own read says what is wrong with it)
        return named
    words = set(said[named].drop_nulls()) - {""}
    return None if words and words <= REASONING_SETTINGS else named


def _columns_unlike_across_files(selection: TextSelection, files: list[InputFile], file_schemas: list[pl.Schema],
                                 renames: list[dict[str, str]], schema: pl.Schema) -> list[str]:
    """A line for each part of a row (its text, prompt, ...) that some of an input's files
    hold in none of its columns, and for each of those columns that some files hold as
    something other than text where the table holds text. The files are read as one table,
    so a file without the columns gives its rows none of that part (null text), and numbers
    are read as text beside the other files' text, where one file of numbers would be refused.
    A column some files lack beside others that they hold (Alpaca's ``input``) says nothing.
    ``renames``: the column renames made after reading, in order."""
    if not file_schemas:
        return []
    for rename in renames:
        file_schemas = [{rename.get(name, name): dtype for name, dtype in s.items()} for s in file_schemas]
    dtypes = {name: [found[1] if (found := _reached(s, name)) else pl.Null for s in file_schemas] for name in selection.columns()}
    lines = []
    for part, names in selection.sources().items():
        lacking = [f for i, f in enumerate(files) if all(dtypes[name][i] == pl.Null for name in names)]
        if lacking:
            named = f"column {names[0]!r} is" if len(names) == 1 else f"columns {', '.join(map(repr, names))} are"
            lines.append(f"{named} missing or all null in {_some_files(lacking, len(files))}: their rows have no {part} there")
    for name, kinds in dtypes.items():
        other = [(f, dtype) for f, dtype in zip(files, kinds, strict=True) if dtype not in (pl.String, pl.Null)]
        if schema[name] == pl.String and other:
            shown = ", ".join(sorted({str(dtype) for _, dtype in other}))
            lines.append(f"column {name!r} holds {shown}, not text, in {_some_files([f for f, _ in other], len(files))}: "
                         "read as text")
    return lines


def _some_files(files: list[InputFile], total: int, named: int = 3) -> str:
    """``2 of 5 files (a.jsonl, b.jsonl)``, naming at most ``named``."""
    shown = ", ".join(str(f) for f in files[:named]) + (f" and {len(files) - named} more" if len(files) > named else "")
    return f"{len(files)} of {total} files ({shown})"


class SelectionMismatch(QcauditError):
    """The text selection names columns (or roles) the input does not have: another layout."""


def _check_selection(selection: TextSelection, schema: pl.Schema, transcripts: tuple[str, ...] = ()) -> None:
    """Refuse a selection the input cannot serve; ``transcripts``: the columns that hold
    conversations written as text, whose turns ``--role`` chooses (:func:`_transcript_columns`)."""
    for name in selection.columns():
        if name not in schema:
            parts = [part.strip() for part in name.split(",")]
            if len(parts) > 1 and all(part in schema for part in parts):
                raise SelectionMismatch(f"unknown column {name!r}: {len(parts)} columns are a list of names, {parts}, "
                                        "not one name with commas")
            alike = [column for column in schema.names() if column.lower() == name.lower()]
            meant = f" (did you mean {alike[0]!r}? names are matched in case)" if len(alike) == 1 else ""
            raise SelectionMismatch(f"unknown column {name!r}{meant}; available columns: {_available(schema)}")
    if selection.ranked() and selection.chosen:
        raise SelectionMismatch(f"--preferred-by {selection.preferred_by!r} pairs the best and worst answers of a list: "
                                "leave out --chosen-field and --rejected-field")
    if selection.preferred_by and not (selection.chosen and selection.rejected or selection.ranked()):
        raise SelectionMismatch(f"--preferred-by {selection.preferred_by!r} judges a pair of answers: give --chosen-field and "
                                f"--rejected-field, the answers it calls first and second; columns: {_available(schema)}")
    if selection.preferred_by and (unread := why_unread(selection.preferred_by, schema)):
        raise SelectionMismatch(unread)
    if selection.label and not (schema[selection.label] in (pl.Boolean, pl.Null) or schema[selection.label].is_integer()):
        raise SelectionMismatch(f"--label-field {selection.label!r} holds {schema[selection.label]}, not true and false "
                                "(or 1 and 0) labels of each row's response")
    for name in selection.ratings:
        if not schema[name].is_numeric():
            raise SelectionMismatch(f"--pair-ratings column {name!r} holds {schema[name]}, not numbers")
    if selection.ratings and (not selection.chosen or selection.preferred_by):
        raise SelectionMismatch(f"--pair-ratings {','.join(selection.ratings)} rates a pair's chosen and rejected answers: "
                                "give --chosen-field and --rejected-field (a pair judged by a column or ranked in a list "
                                "is rated by it)")
    if selection.label and (selection.chosen or selection.preferred_by):
        raise SelectionMismatch(f"--label-field {selection.label!r} labels one response a row, and the input is read as pairs "
                                "of answers: leave out --label-field, or give --response-field instead of the pair")
    if selection.roles and not transcripts:
        text = selection.columns()[0]
        if not turns_layout(schema[text]):  # (an API's generations have roles too)
            raise SelectionMismatch(f"--role needs a chat column (a list of {{role, content}}, {{from, value}} or {{role, parts}}) "
                                    f"or a conversation written as text with its speakers marked ({TRANSCRIPT_LAYOUTS}); "
                                    f"{text!r} is {schema[text]}" + (" without such marks" if schema[text] == pl.String else ""))


def _first_rows(frame: pl.LazyFrame, selection: TextSelection, schema: pl.Schema) -> pl.DataFrame | None:
    """The first :data:`JSON_CHAT_SAMPLE` rows of the columns the selection names, read once
    for what they tell of the columns (:func:`_transcript_columns`, :func:`_system_turns_seen`);
    None where it names none the input has, or the input cannot be read (its own read says why)."""
    names = [name for name in dict.fromkeys(selection.columns()) if name in schema]
    if not names:
        return None
    try:
        return frame.select(names).head(JSON_CHAT_SAMPLE).collect()
    except pl.exceptions.PolarsError:
        return None


def _transcript_columns(first_rows: pl.DataFrame | None, selection: TextSelection, schema: pl.Schema) -> tuple[str, ...]:
    """The text column, or the fields, read as the turns of conversations written as text:
    columns of text whose :func:`_first_rows` are all such conversations
    (:mod:`qcaudit.transcripts`): a text column, or a prompt field rendered by a chat template
    beside its completion (Llama-Nemotron's ``input``, TRL's prompt-completion rows)."""
    if first_rows is None:
        return ()
    read = [selection.text_column] if selection.text_column else selection.fields
    return tuple(name for name in read if name in schema and schema[name] == pl.String and looks_like_transcripts(first_rows[name]))


def _nested_fields(names: Iterable[str], schema: pl.Schema) -> dict[str, pl.Expr]:
    """The field inside a struct column that each dotted name reaches (:func:`_reached`), as
    an expression for a column of that name; a name that is a column itself, or reaches no
    field, is left to the selection's checks."""
    reached = {name: _reached(schema, name) for name in names if name not in schema}
    return {name: found[0].alias(name) for name, found in reached.items() if found}


def _reached(schema: Mapping[str, pl.DataType], name: str) -> tuple[pl.Expr, pl.DataType] | None:
    """The column ``name``, else the field inside struct columns that the dotted name reaches
    (``meta.text``: the field ``text`` of the column ``meta``, as Data-Juicer reads nested
    keys): its expression and type; None where there is neither."""
    if name in schema:
        return pl.col(name), schema[name]
    column, *path = name.split(".")
    if not path or column not in schema:
        return None
    expression, dtype = pl.col(column), schema[column]
    for key in path:
        fields = {f.name: f.dtype for f in dtype.fields} if isinstance(dtype, pl.Struct) else {}
        if key not in fields:
            return None
        expression, dtype = expression.struct.field(key), fields[key]
    return expression, dtype


#: Columns an error lists at most: of a wider input, those that hold text first.
SHOWN_COLUMNS = 30


def _available(schema: pl.Schema) -> str:
    """The input's columns, a struct column's fields named as the selection reaches them; of
    more than :data:`SHOWN_COLUMNS`, those that hold text first, then a count (an error line
    stays a line). A name that a plain list would hide or split (empty, edged with spaces,
    holding a comma) is quoted; an empty one is said to need a new name, as no option can
    name it (an empty ``--text-column`` is refused as a script's unset variable)."""
    def shown(name: str) -> str:
        if not name:
            return "'' (a column with no name: rename it to choose it)"
        return name if name == name.strip() and "," not in name else repr(name)

    def named(name: str) -> str:
        dtype = schema[name]
        if not isinstance(dtype, pl.Struct):
            return shown(name)
        return f"{shown(name)} (fields {', '.join(shown(f'{name}.{field.name}') for field in dtype.fields)})"

    names = [name for name in schema.names() if name != ROW_ID and not name.startswith(_kept_as_read(""))]
    if len(names) <= SHOWN_COLUMNS:
        return ", ".join(map(named, names))
    text_first = sorted(names, key=lambda name: column_text(name, schema[name]) is None)
    return ", ".join(map(named, text_first[:SHOWN_COLUMNS])) + f", ... ({len(names):,} columns, those of text first)"


@dataclass(frozen=True)
class SystemTurnsSeen:
    """The system turns (:data:`SETUP_ROLES`) that the text leaves out, as the first
    :data:`JSON_CHAT_SAMPLE` rows hold them: how many rows were read, how many hold some, and
    how many different ones they hold."""

    rows: int
    holding: int
    distinct: int

    def said(self) -> str:
        """The load line's words for them."""
        read = f"the first {self.rows:,}" if self.rows == JSON_CHAT_SAMPLE else f"the {self.rows:,}"
        return f"system turns left out: {self.holding:,} of {read} rows hold some"

    def varied(self) -> str | None:
        """A warning where they differ from row to row (more different ones than half the rows
        that hold some, and more than :data:`SHARED_PROMPTS`): then they may be data (personas,
        a task per row), not a prompt the rows share, and the user should choose."""
        if self.distinct <= max(SHARED_PROMPTS, self.holding // 2):
            return None
        return (f"the system turns, left out of the text, differ from row to row ({self.distinct:,} different ones in the "
                f"first {self.rows:,} rows): if they hold the data (a persona or a task per row), --role system,user,assistant "
                "reads them too")


#: Different system prompts that rows may share and still be setting, not data: OpenOrca's
#: rows, say, each open with one of 16.
SHARED_PROMPTS = 16


def _system_turns_seen(first_rows: pl.DataFrame | None, selection: TextSelection, schema: pl.Schema,
                       transcripts: tuple[str, ...]) -> SystemTurnsSeen | None:
    """The system turns that the text leaves out (:func:`_setup_part`: none under ``--role``
    or without a chat), in the :func:`_first_rows`."""
    if first_rows is None:
        return None
    try:
        setup = _with_turns(first_rows.lazy(), transcripts).select(_setup_part(selection, schema, transcripts)).collect().to_series()
    except pl.exceptions.PolarsError:  # (a value that is no chat: the full read says what is wrong with it)
        return None
    said = setup.filter(setup.str.strip_chars() != "")  # (ShareGPT's blank system turns say nothing)
    return SystemTurnsSeen(setup.len(), said.len(), said.n_unique())


def _describe(selection: TextSelection, schema: pl.Schema, transcripts: tuple[str, ...] = (),
              system_turns: SystemTurnsSeen | None = None) -> str:
    """Which part of each row is its text, as the load line says it: the columns, and the
    chat turns read (those of ``--role``, or all but :data:`SETUP_ROLES`', said where the
    first rows hold some: ``system_turns``), and the reasoning read or left out."""
    notes = []  # (said in parentheses after the columns, in this order)
    if transcripts:
        notes.append("a conversation written as text" if selection.text_column
                     else f"{', '.join(transcripts)}: conversations written as text")
    if selection.roles:
        notes.append(f"roles: {', '.join(selection.roles)}")  # (of the chat columns among them)
    elif system_turns and system_turns.holding:
        notes.append(system_turns.said())  # (developer turns too: OpenAI's newer name for them)
    if not selection.reasoning:
        notes.append("reasoning left out")
    elif reasoning := sorted({read for name in selection.sources().get(TEXT, []) if name in schema
                              and (layout := turns_layout(schema[name]))
                              and (read := reasoning_read(layout))}):
        notes.append(f"reasoning read from the turns' {' and '.join(reasoning)}")
    if (ranked := selection.ranked()) and by_place(ranked[1]):
        notes.append(f"pairs of the answer of {ranked[0]} that {ranked[1]} names and the other")
    elif ranked:
        notes.append(f"pairs of the best and worst of {ranked[0]} by {ranked[1]}")
    elif selection.preferred_by:
        notes.append(f"pairs of {selection.chosen} and {selection.rejected}, chosen as {selection.preferred_by} says")
    if selection.label:
        notes.append(f"{selection.response or 'responses'} labelled desirable or not by {selection.label}")
    if selection.ratings:
        notes.append(f"pairs rated by {' and '.join(selection.ratings)}")
    said = f" ({'; '.join(notes)})" if notes else ""
    if selection.fields:
        return "fields " + ", ".join(selection.fields) + " joined by newlines" + said
    return f"column {selection.text_column!r}{said}"


#: Columns that :func:`_with_text` adds on the way to ``text`` and ``text_status``: the turns
#: of a column of conversations written as text (the column's name after it), each field's
#: text, whether any field holds a value that is no text, the fields joined, the status.
_TURNS, _FIELD_TEXT, _NON_STRING, _JOINED, _STATUS = (
    "__qcaudit_turns", "__qcaudit_field:", "__qcaudit_non_string", "__qcaudit_joined", "__qcaudit_status")
#: ``text`` and ``text_status`` from the columns :func:`_with_text` adds.
_TEXT_AND_STATUS = (pl.when(pl.col(_STATUS) == "ok").then(pl.col(_JOINED)).alias(TEXT), pl.col(_STATUS).alias(TEXT_STATUS))


def _turns(name: str) -> pl.Expr:
    """The turns of column ``name`` of conversations written as text, as :func:`_with_turns`
    cut them."""
    return pl.col(f"{_TURNS}:{name}")


def _with_turns(frame: pl.LazyFrame, transcripts: tuple[str, ...], reasoning: bool = True) -> pl.LazyFrame:
    """``frame`` with the turns of each of the ``transcripts`` columns, cut once (:func:`_turns`):
    the text and the parts read them (without ``reasoning``, no harmony ``analysis`` turn)."""
    return frame.with_columns(written_turns(pl.col(name), reasoning).alias(_turns(name).meta.output_name()) for name in transcripts)


def _or_as_written(name: str, text: pl.Expr) -> pl.Expr:
    """``text`` read from the turns of column ``name``, or the value as written where it holds
    no conversation (a later value than those that told the column's kind)."""
    return pl.when(_turns(name).list.len() > 0).then(text).otherwise(pl.col(name))


def _with_text(frame: pl.LazyFrame, selection: TextSelection, transcripts: tuple[str, ...] = ()) -> pl.LazyFrame:
    """``frame`` with the columns behind ``text`` and ``text_status`` under ``selection``
    (:data:`_TEXT_AND_STATUS` selects those two from them), computed in steps, a column
    each: each field's text once, then the fields joined, then the status. (As one
    expression, each field's text was computed anew at each use, about twenty times a row:
    200,000 conversations written as text, cut into turns, took 17.6 s; in steps, 1.0 s.)
    ``transcripts``: the columns of conversations written as text, read as their turns."""
    schema = frame.collect_schema()
    names = [selection.text_column] if selection.text_column else list(selection.fields)
    frame = _with_turns(frame, transcripts, selection.reasoning)  # (cut once: joining them reads them twice)
    texts, non_string = {}, []
    for name in names:
        if name in transcripts:
            text = joined_turns(transcript_turns(_turns(name), selection.roles, OTHER_ROLE_NAMES, SETUP_ROLES, selection.reasoning))
            if not selection.roles:  # (a value that holds no conversation is its text as written)
                text = _or_as_written(name, text)
        elif name == selection.rejected and _judged_chats(selection, schema):  # its answers alone, where --role reads them
            if selection.roles and not _reads_the_assistant(selection):
                continue
            text = column_text(name, schema[name], ("assistant",), reasoning=selection.reasoning)
        elif (selection.roles and name == selection.response and len(names) > 1 and not _reads_the_assistant(selection)
              and not turns_layout(schema[name])):
            continue  # (an answer that holds no roles is the assistant's: Bedrock's Llama generation after its prompt)
        else:
            text = column_text(name, schema[name], selection.roles, left_out=SETUP_ROLES, reasoning=selection.reasoning)
            text = _closed_by_no_mark(text, transcripts)
        if text is None:
            non_string.append(pl.col(name).is_not_null())
            continue
        if name in selection.prompt:
            text = _unless_a_chat_holds(text, [n for n in names if n not in selection.prompt], schema)
        texts[f"{_FIELD_TEXT}{len(texts)}"] = text if len(names) == 1 else non_empty(text)
        if schema[name] == pl.Binary:  # bytes that are not UTF-8 are not text
            non_string.append(pl.col(name).is_not_null() & text.is_null())
    frame = frame.with_columns(*(text.alias(column) for column, text in texts.items()),
                               (pl.any_horizontal(non_string) if non_string else pl.lit(False)).alias(_NON_STRING))
    frame = frame.with_columns(_lines([pl.col(column) for column in texts]).alias(_JOINED))
    status = (
        pl.when(pl.col(_NON_STRING)).then(pl.lit("non_string"))
        .when(pl.col(_JOINED).is_null()).then(pl.lit("null"))
        .when(~pl.col(_JOINED).str.contains(HAS_TOKEN)).then(pl.lit("empty"))
        .otherwise(pl.lit("ok"))
    )
    return frame.with_columns(status.alias(_STATUS))


def _reads_the_assistant(selection: TextSelection) -> bool:
    """Whether ``--role`` names the assistant, by any of its names (ShareGPT's ``gpt``)."""
    return "assistant" in {OTHER_ROLE_NAMES.get(role.lower(), role.lower()) for role in selection.roles}


def _lines(texts: list[pl.Expr]) -> pl.Expr:
    """The ``texts`` one a line, a null one left out; null where all are (and without any)."""
    if not texts:
        return pl.lit(None, dtype=pl.String)
    return pl.when(pl.any_horizontal([text.is_not_null() for text in texts])).then(
        pl.concat_str(texts, separator=FIELD_SEPARATOR, ignore_nulls=True))


def _judged_chats(selection: TextSelection, schema: pl.Schema) -> bool:
    """Whether the selection's pair is two whole chats judged by a column (Chatbot Arena's two
    conversations): the same user turns, each answered by its own model throughout. The text
    reads the user turns once; each answer is all its chat's assistant turns, the prompt the
    turns between them."""
    return bool(selection.preferred_by) and all(
        column in schema and is_chat(schema[column]) for column in (selection.chosen, selection.rejected))


def _unless_a_chat_holds(prompt: pl.Expr, names: list[str], schema: pl.Schema) -> pl.Expr:
    """A prompt field's text, null on rows where one of the chat columns among ``names``
    holds it already in its turns before the answers (argilla's cleaned UltraFeedback: a
    ``prompt`` beside a ``chosen`` chat that opens with it), so that the text holds it once.
    TRL's conversational pairs, whose ``chosen`` holds the answer alone, keep it."""
    chats = [(name, layout) for name in names if (layout := chat_layout(schema[name]))]
    if not chats:
        return prompt
    held = [pl.col(name).list.eval(turn_content(layout).filter(turn_role(layout) != "assistant").drop_nulls())
            .list.join(FIELD_SEPARATOR).str.contains(prompt, literal=True) for name, layout in chats]
    return pl.when(~pl.any_horizontal(held).fill_null(False)).then(prompt)


def _part(frame: pl.LazyFrame, selection: TextSelection, part: str, transcripts: tuple[str, ...] = ()) -> pl.Expr | None:
    """The expression of one part of each row (:data:`PARTS`), null where the row has none;
    None when the input and settings give no such part. ``transcripts``: the columns of
    conversations written as text, whose prompt (a prompt field's: all its turns) and answer
    are read from the turns :func:`_with_text` cut, as a chat column's are."""
    schema = frame.collect_schema()
    if part == DESIRABLE:
        return _desirable(selection.label, schema) if selection.label else None
    if part in (CHOSEN_RATING, REJECTED_RATING):
        return pl.col(selection.ratings[part == REJECTED_RATING]).cast(pl.Float64) if selection.ratings else None
    if part == RESPONSE_ANSWER:
        return _part(frame, replace(selection, reasoning=False), RESPONSE, transcripts)
    if _implicit_prompt(selection, schema) and (part != RESPONSE or not selection.response):  # (the response: the chosen answer)
        return _implicit_prompt_part(selection, part)
    chat = next((c for c in (selection.text_column, selection.chosen, *CHAT_COLUMNS) if c and c in schema and is_chat(schema[c])), None)
    if part == PROMPT and selection.prompt:  # a chat field (TRL's conversational prompt) as all its turns
        fields = [non_empty(_all_turns(f, selection.reasoning) if f in transcripts else part_text(f, schema[f], selection.reasoning))
                  for f in selection.prompt]
        return _lines(fields)
    if (ranked := selection.ranked()) and (part in (CHOSEN, REJECTED) or part == RESPONSE and not selection.response
                                            and not (chat and chat == selection.text_column)):
        # a ranked list's best answer (the response too, where no chat is the text), its worst; null where they rank alike
        text = (lambda answer: answer) if selection.reasoning else without_reasoning
        return best_and_worst(*ranked, schema, text)[part == REJECTED]
    if selection.preferred_by and not ranked and (part in (CHOSEN, REJECTED) or part == RESPONSE and not selection.response):
        # a judged pair: the answer the verdict prefers (the response too), the other; null where it prefers neither
        first, second = ((chat_text(name, schema[name], ("assistant",), reasoning=selection.reasoning)
                          if _judged_chats(selection, schema) else _answer_part(name, schema, selection.reasoning, transcripts))
                         for name in (selection.chosen, selection.rejected))
        return judged(first, second, selection.preferred_by)[part == REJECTED]
    if part == PROMPT and _judged_chats(selection, schema):  # (the first chat's turns but its model's)
        return chat_text(selection.chosen, schema[selection.chosen], left_out=("assistant",), reasoning=selection.reasoning)
    column = {RESPONSE: selection.response, CHOSEN: selection.chosen, REJECTED: selection.rejected}.get(part)
    if column:
        answer = _answer_part(column, schema, selection.reasoning, transcripts)
        reasoning = _reasoning_beside(column, selection, schema) if part == RESPONSE else None
        if reasoning is None:
            return answer
        said = _lines([non_empty(part_text(reasoning, schema[reasoning])), non_empty(answer)])  # (as a chat's answer turn reads them)
        return pl.coalesce(said, answer)
    if part in (PROMPT, RESPONSE) and selection.text_column in transcripts:
        read = transcript_prompt if part == PROMPT else transcript_answer
        return read(_turns(selection.text_column), OTHER_ROLE_NAMES, selection.reasoning)
    if part in (PROMPT, RESPONSE) and _alternating_turns(selection, schema):  # (UltraChat's: the user's turns first)
        turns, content, answer = pl.col(selection.text_column), pl.element(), pl.int_range(pl.len()) % 2 == 1
        content = content if selection.reasoning else without_reasoning(content)
        return turns_before_answer(turns, content, answer) if part == PROMPT else last_answer(turns, content, answer)
    if part in (PROMPT, RESPONSE) and chat:
        layout = chat_layout(schema[chat])
        return chat_prompt(chat, layout, selection.reasoning) if part == PROMPT else chat_answer(chat, schema[chat], selection.reasoning)
    return None


def _alternating_turns(selection: TextSelection, schema: pl.Schema) -> bool:
    """Whether the text is a conversation as a list of its turns' texts, found by name
    (:data:`TURN_LIST_COLUMNS`, UltraChat's ``data``): the user's and the assistant's turns in
    turn, the user's first, read as a chat of them is (the prompt the turns before the last
    answer, the answer the last of the assistant's)."""
    column = selection.text_column
    return bool(column) and column.casefold() in TURN_LIST_COLUMNS and schema.get(column) == pl.List(pl.String)


def _reasoning_beside(response: str, selection: TextSelection, schema: pl.Schema) -> str | None:
    """The column of reasoning saved flat (one of :data:`FLAT_REASONING`, of text or texts) that the
    text reads beside the ``response`` column (before it, where found by name), whose answer
    it belongs to; None where the text reads none, or the reasoning is left out (``--no-reasoning``)."""
    fields = selection.fields if selection.reasoning and response in selection.fields else ()
    return next((name for name in fields if name.casefold() in FLAT_REASONING and name != response and _is_text_or_texts(schema[name])), None)


def _answer_part(column: str, schema: pl.Schema, reasoning: bool, transcripts: tuple[str, ...]) -> pl.Expr:
    """The answer an answer column holds: a chat's last assistant turn, else its text."""
    if chat_layout(schema[column]):
        return chat_answer(column, schema[column], reasoning)
    return _closed_by_no_mark(part_text(column, schema[column], reasoning), transcripts)


def _closed_by_no_mark(text: pl.Expr | None, transcripts: tuple[str, ...]) -> pl.Expr | None:
    """A plain column's ``text`` beside columns of conversations written as text (an answer
    beside its prompt so rendered) without the template's closing marks at its end
    (:func:`~qcaudit.transcripts.without_closing_marks`); as it is where there are none."""
    return without_closing_marks(text) if transcripts and text is not None else text


def _all_turns(name: str, reasoning: bool = True) -> pl.Expr:
    """Every turn of column ``name`` of conversations written as text, one a line; a value
    that holds no conversation as it is written."""
    return _or_as_written(name, joined_turns(transcript_turns(_turns(name), (), OTHER_ROLE_NAMES, reasoning=reasoning)))


def _setup_part(selection: TextSelection, schema: pl.Schema, transcripts: tuple[str, ...]) -> pl.Expr:
    """The system turns (:data:`SETUP_ROLES`) of the chats the text is read from, which the
    text leaves out, one a line; null where a row has none, and on every row under
    ``--role``, which chose the turns that count."""
    if selection.roles:
        return pl.lit(None, dtype=pl.String)
    turns = [joined_turns(transcript_turns(_turns(name), SETUP_ROLES, OTHER_ROLE_NAMES)) if name in transcripts  # (as cut, selected after)
             else chat_text(name, schema[name], SETUP_ROLES)
             for name in dict.fromkeys(selection.columns()) if name in transcripts or (name in schema and is_chat(schema[name]))]
    return _lines(turns)


def _implicit_prompt(selection: TextSelection, schema: pl.Schema) -> bool:
    """Whether the rows are preference pairs of text without a prompt field, whose prompt is
    then the text both answers open with (TRL's "implicit prompt": Anthropic HH-RLHF's
    transcripts, each pair's two answers after one dialogue)."""
    pair = (selection.chosen, selection.rejected)
    return all(pair) and not (selection.prompt or selection.preferred_by) and all(schema[name] == pl.String for name in pair)


#: The column :meth:`Dataset.selected` adds, for the parts of pairs with an implicit prompt,
#: before it selects them (never in its result).
_SHARED_PROMPT = "__qcaudit_shared_prompt_length"


def _shared_prompt_length(selection: TextSelection) -> pl.Expr:
    """The length of each pair's implicit prompt (:func:`_shared_prompt_lengths`), as :data:`_SHARED_PROMPT`."""
    pair = pl.struct(pl.col(selection.chosen).alias(CHOSEN), pl.col(selection.rejected).alias(REJECTED))
    return pair.map_batches(_shared_prompt_lengths, return_dtype=pl.UInt32).alias(_SHARED_PROMPT)


def _implicit_prompt_part(selection: TextSelection, part: str) -> pl.Expr:
    """A part of a pair with an implicit prompt, by its length (:data:`_SHARED_PROMPT`): the
    prompt (null where either answer is), or an answer without it (the response is the chosen
    one; as written where the other is null), without its reasoning under ``--no-reasoning``."""
    shared = pl.col(_SHARED_PROMPT)
    if part == PROMPT:
        return pl.when(shared > 0).then(pl.col(selection.chosen).str.slice(0, shared))
    column = pl.col(selection.rejected if part == REJECTED else selection.chosen)
    answer = pl.when(shared.is_not_null()).then(column.str.slice(shared)).otherwise(column)
    return answer if selection.reasoning else without_reasoning(answer)


def _shared_prompt_lengths(pairs: pl.Series) -> pl.Series:
    """Per pair of texts, the length of the prompt they share, as TRL's ``extract_prompt``
    finds it: the characters before the first that differs, less a space just before it (the
    answers keep it); but never inside a word: where both answers open with "I" ("It is 4.",
    "I do not know."), TRL gives the "I" to the prompt, here it stays with the answers. Where
    one text is all of the other's start (or they are equal), the whole of the shorter is the
    prompt (TRL leaves its last character to the answers). Null where either text is."""
    lengths = []
    for chosen, rejected in zip(pairs.struct.field(CHOSEN).to_list(), pairs.struct.field(REJECTED).to_list(), strict=True):
        if chosen is None or rejected is None:
            lengths.append(None)
            continue
        same = _common_start(chosen, rejected)
        if same < min(len(chosen), len(rejected)):  # they differ at `same`: back to the start of a word both begin
            if chosen[same - 1 : same].isalnum() and (chosen[same].isalnum() or rejected[same].isalnum()):
                while same and chosen[same - 1].isalnum():
                    same -= 1
            if same and chosen[same - 1] == " ":
                same -= 1
        lengths.append(same)
    return pl.Series(lengths, dtype=pl.UInt32)


def _common_start(one: str, other: str) -> int:
    """The length of the longest start two texts share, found by halving (each comparison of
    two starts runs in C)."""
    low, high = 0, min(len(one), len(other))
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if one[:middle] == other[:middle] else (low, middle - 1)
    return low


