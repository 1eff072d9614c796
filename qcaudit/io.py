"""Load a dataset lazily with Polars and pick the text to audit.

Inputs: a parquet file, a directory of shards (Hive partition folders, ``round=3/``, read as
columns), or a glob; jsonl, json, csv and tsv files,
also compressed with gzip or Zstandard (``.jsonl.gz``, ``.jsonl.zst``, ...: :mod:`qcaudit.compression`); local, or named by a URI
(``s3://bucket/shards/``: :mod:`qcaudit.remote`); local Arrow files (``.arrow``, as
Hugging Face ``datasets`` saves them); or, from Python, a table in memory (a
Polars or pandas DataFrame). Every row gets a stable ``row_id``: its position in the input
(files in sorted path order).

Text files are checked first (:mod:`qcaudit.inputcheck`): input that readers would disagree
on (a key twice in one JSON object, a column mixing lists and strings, ragged CSV rows) is
refused. An input column named ``row_id`` is kept as ``input_row_id`` (``input_row_id_`` if
that is taken too, and so on); ``qcaudit dedup`` and ``decontaminate`` write it back under
its own name.

The text of a row comes from one column, several fields joined by a newline (empty fields
skipped), or the turns of a chat ``messages`` column; a list of strings is joined by newlines,
and bytes are text where they are UTF-8. Rows without usable text are kept and labelled in
``text_status``: ``null``, ``empty`` (only white space or the separators 0x1C-0x1F) or
``non_string``.

Analyzers that read a row as a (prompt, response) pair, or a preference pair, ask for the
parts :data:`PARTS` besides the text: the prompt is fields joined as the text's are, the
response, chosen and rejected answers are columns; from a chat column, the prompt is the
turns before the last assistant turn and the answer that turn.
"""

from __future__ import annotations

import glob
import io
import json
import logging
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import unquote

import polars as pl

from qcaudit.compression import compression, decompressed
from qcaudit.errors import QcauditError, first_line
from qcaudit.inputcheck import (
    BOM,
    DELIMITED,
    JSON_TEXTS,
    check_text_file,
    json_texts,
    mixed_shapes,
    separated_by_semicolons,
    table_records,
)
from qcaudit.remote import (
    GLOB_CHARS, format_suffix, hidden, is_uri, local_copy, local_path, name_of, read_parquet, remote_files, streamed_by_polars,
)
from qcaudit.transcripts import LAYOUTS as TRANSCRIPT_LAYOUTS
from qcaudit.transcripts import looks_like_transcripts, speakers, transcript_turns

log = logging.getLogger("qcaudit")

ROW_ID = "row_id"
INPUT_ROW_ID = "input_row_id"
TEXT = "text"
TEXT_STATUS = "text_status"
CATEGORY = "category"
PROMPT, RESPONSE, CHOSEN, REJECTED = "prompt", "response", "chosen", "rejected"
#: The parts of a row an analyzer may ask for, and the flags that name where they come from.
PARTS = {PROMPT: "--prompt-fields", RESPONSE: "--response-field", CHOSEN: "--chosen-field", REJECTED: "--rejected-field"}
#: Parts found by column name where no flag names them (:func:`_with_parts_found`): the
#: answers of preference pairs (TRL's preference layout, Anthropic HH-RLHF's; OpenAI's
#: preference fine-tuning files, whose prompt is the chat in ``input.messages``) ...
PAIR_LAYOUTS = ((None, CHOSEN, REJECTED), ("input.messages", "preferred_output", "non_preferred_output"))
#: ... and (prompt fields, answer columns by preference) of instruction data, the first whose
#: prompt fields the input has: a prompt with its response or completion (TRL's layout),
#: Alpaca's instruction, input and output, Dolly's instruction, context and response, an
#: instruction or prompt and its ``generation`` (distilabel's text generation), and
#: Self-Instruct's seed tasks (an instruction and its ``instances``, :func:`_instances_text`),
#: the question and answer of math data (GSM8K's, MATH's problem and solution, MetaMathQA's
#: query and response, OpenMathInstruct's generated solution), and function-calling queries
#: and the calls that answer them (Salesforce's xLAM: a ``query`` and its ``answers``) ...
PROMPT_LAYOUTS = (
    ((PROMPT,), (RESPONSE, "completion", "generation")),
    (("instruction", "input"), ("output", RESPONSE)),
    (("instruction", "context"), (RESPONSE, "output")),
    (("instruction",), ("output", RESPONSE, "generation", "instances")),
    (("question",), ("answer", RESPONSE, "solution", "generated_solution")),
    (("problem",), ("solution", "generated_solution", "answer")),
    (("query",), (RESPONSE, "answer", "answers")),
)
#: ... then (prompt column, answer column) of layouts whose prompt's name is too common to
#: be read as a prompt alone (a ``source`` or ``user`` column often names where a row came
#: from), found only together: an input and its output, the inputs and targets of FLAN, P3,
#: xP3 and Aya, a source and its target (sequence-to-sequence data), a user's or human's turn
#: and the assistant's.
PROMPT_ANSWER_LAYOUTS = (("input", "output"), ("inputs", "targets"), ("source", "target"), ("user", "assistant"),
                         ("human", "assistant"))
#: Chat columns looked for by name (OpenAI's, ShareGPT's, LMSYS-Chat-1M's and WildChat's,
#: Gemini's; Glaive's function-calling ``chat``, a text; SODA's and DailyDialog's
#: dialogues, a list of utterances), after the plain text columns.
CHAT_COLUMNS = ("messages", "conversations", "conversation", "contents", "chat", "dialogue", "dialog")
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
#: Then the answers of OpenAI's API as it returns them (:func:`_is_choices`): a chat
#: completion saved whole, a line of a Batch API output file; a Batch API input file's
#: requests (a chat each); a line of Anthropic's Message Batches results (its message's
#: content blocks).
API_TEXT_COLUMNS = ("choices", "response.body.choices", "body.messages", "result.message.content")
ANSWER_COLUMNS = ("output", "response")
#: The layouts of a chat column's turns, (role field, content field): OpenAI's ``messages``,
#: ShareGPT's ``conversations``, whose roles ``human`` and ``gpt`` read as ``user`` and
#: ``assistant``, and Gemini's ``contents`` (Vertex AI's tuning files), whose ``model`` reads
#: as ``assistant``; roles in any case (Cohere's ``User`` and ``Chatbot``: ``user``,
#: ``assistant``; ``--role`` takes either name). A turn's content may also be a list of
#: OpenAI's content parts (``{type, text}``), as Gemini's ``parts`` always are
#: (``{text}``): its text parts are the turn's text.
CHAT_LAYOUTS = (("role", "content"), ("from", "value"), ("role", "parts"))
#: A chat turn's field of the tools it calls (OpenAI's function calling), and of the one
#: function it calls in OpenAI's legacy form.
TOOL_CALLS, FUNCTION_CALL = "tool_calls", "function_call"
#: Roles as other layouts name them -> OpenAI's: ShareGPT's (with LLaMA-Factory's function
#: calling: the assistant's ``function_call``, the tool's ``observation``), Gemini's, Cohere's,
#: and OpenAI's legacy ``function`` (a function's result).
OTHER_ROLE_NAMES = {"human": "user", "gpt": "assistant", "function_call": "assistant", "observation": "tool",
                    "model": "assistant", "chatbot": "assistant", "function": "tool"}
FIELD_SEPARATOR = "\n"
#: A character that is not a separator of Python's ``str.split()`` (Unicode white space plus
#: the ASCII separators 0x1C-0x1F): a row without one has no whitespace token and is ``empty``.
HAS_TOKEN = r"[^\s\x1C-\x1F]"
#: One whitespace token, as ``str.split()`` splits: a run of such characters.
WHITESPACE_TOKEN = HAS_TOKEN + "+"
#: Python's white space (``str.isspace``): Unicode's, plus the separators 0x1C-0x1F.
_PYTHON_SPACE = r"[\s\x1C-\x1F]"
_FORMATS = {".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv",
            ".txt": "txt", ".arrow": "arrow", ".feather": "arrow", ".ipc": "arrow"}
#: A plain text file is one row a line, in a column of this name; read in pieces of about
#: this many characters (a Polars string holds at most 4 GB).
TXT_COLUMN, TXT_PIECE_CHARS = "text", 64 * 2**20
#: The files Hugging Face ``datasets``' ``save_to_disk`` writes beside its .arrow shards: a
#: directory holding both is read as its shards alone. (A ``DatasetDict``'s folder, with a
#: ``dataset_dict.json`` and a folder a split, is refused: reading it whole would mix splits.)
HF_DATASET_METADATA = frozenset({"state.json", "dataset_info.json"})


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

    def sources(self) -> dict[str, list[str]]:
        """The columns each part of a row is read from: ``text``, then those of :data:`PARTS`
        the selection names (a part named by none is left out)."""
        found = {TEXT: [self.text_column] if self.text_column else list(self.fields), PROMPT: list(self.prompt),
                 RESPONSE: [self.response], CHOSEN: [self.chosen], REJECTED: [self.rejected]}
        return {part: names for part, names in found.items() if names and all(names)}

    def columns(self) -> list[str]:
        """Every column the selection names: the text's, then the parts'."""
        return [name for names in self.sources().values() for name in names]


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
    #: path (``meta.text``): not the input's, so never written back with its rows.
    nested: tuple[str, ...] = ()
    #: Columns whose JSON text was decoded into the chat it writes (:func:`_json_chats`);
    #: their text as read is kept beside, and written back with the input's rows.
    json_text: tuple[str, ...] = ()

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
        columns as read: those added for nested fields left out, the chats decoded from
        JSON text back to that text."""
        kept = [_kept_json_text(name) for name in self.json_text]
        return frame.with_columns(pl.col(text).alias(name) for text, name in zip(kept, self.json_text, strict=True)).drop(
            *self.nested, *kept)

    def texts(self, category_column: str | None = None, keep: tuple[str, ...] = ()) -> pl.DataFrame:
        """``row_id``, ``text`` (null where unusable) and ``text_status`` for every row, plus
        ``category`` from ``category_column`` (or a column named so) when the data has one,
        and the input columns named in ``keep`` as ``_<name>`` (no clash with ``text``)."""
        return self._collect(self.selected(category_column, keep))

    def batches(self, rows: int, category_column: str | None = None, keep: tuple[str, ...] = (),
                parts: tuple[str, ...] = ()) -> Iterator[pl.DataFrame]:
        """:meth:`texts` in consecutive batches of about ``rows`` rows, read as they are
        needed; one empty batch when the input has no rows."""
        selected = self.selected(category_column, keep, parts)
        empty = True
        try:
            for batch in selected.collect_batches(chunk_size=rows, maintain_order=True):
                if batch.height:
                    empty = False
                    yield batch
        except pl.exceptions.PolarsError as exc:
            raise _read_failure(self.sources, exc) from None
        if empty:
            yield self._collect(selected.head(0))

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
        if _text_in_turns(self.selection, schema):
            turn_roles = speakers(pl.col(column), OTHER_ROLE_NAMES)
        elif layout := (_chat_layout(schema[column]) if column in schema else None):
            turn_roles = pl.col(column).list.eval(_turn_role(layout))
        else:
            return []
        roles = self.frame.select(turn_roles.explode().drop_nulls().unique(maintain_order=True))
        return self._collect(roles)[column].to_list()

    def prompt_within_text(self) -> bool:
        """Whether each row's prompt (:data:`PARTS`) is a proper part of its text: the text's
        fields hold the prompt's and more (found Alpaca or prompt-completion columns), or the
        text is a whole chat column, whose prompt is the turns before the last answer (or,
        where a ``prompt`` column is beside it, as in UltraChat, that column: its first turn),
        or the text is an answer of pairs with an implicit prompt (HH-RLHF's)."""
        selection = self.selection
        schema = self.frame.collect_schema()
        column = selection.text_column
        if column in (selection.chosen, selection.rejected) and _implicit_prompt(selection, schema):
            return True
        whole_chat = column in schema and is_chat(schema[column]) and not selection.roles
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
        found = {part: _part(frame, self.selection, part) for part in parts}
        missing = [part for part, expression in found.items() if expression is None]
        if missing:
            chat = " (or a chat messages column)" if set(missing) <= {PROMPT, RESPONSE} else ""
            raise QcauditError(f"this audit needs each row's {' and '.join(missing)}: give {' and '.join(PARTS[m] for m in missing)}"
                               f"{chat}; columns: {_available(schema)}")
        extra += [expression.alias(part) for part, expression in found.items()]
        return _with_text(frame, self.selection).select(ROW_ID, *_TEXT_AND_STATUS, *extra)

    def _collect(self, frame: pl.LazyFrame) -> pl.DataFrame:
        try:
            return frame.collect()
        except pl.exceptions.PolarsError as exc:
            raise _read_failure(self.sources, exc) from None


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
    if isinstance(data, str | os.PathLike):
        files = input_files(data)
        fmt = _format_of(files)
        if not header and fmt not in DELIMITED:
            raise QcauditError(f"{_HEADER_IS_FOR_CSV}; {data} is {fmt}")
        frame, file_schemas = _read(files, fmt, header)
        headerless = {}
        if not header:  # named by qcaudit, whatever the reader's own names (Polars' count from 0 or 1 by version)
            headerless = {name: f"column_{i}" for i, name in enumerate(frame.collect_schema().names(), 1)}
            frame = frame.rename(headerless)
    else:
        files, fmt, file_schemas, headerless = [input_name(data)], IN_MEMORY, [], {}
        if not header:
            raise QcauditError(f"{_HEADER_IS_FOR_CSV}; a table in memory has column names")
        frame = table_frame(data, limit)
    renamed = _free_names(frame, files)
    selection = _renamed_selection(selection, renamed)
    frame = frame.rename(renamed).with_row_index(ROW_ID)
    schema, rows = _schema(frame, files)
    json_chats = _json_chats(frame, schema, selection)
    if json_chats:
        frame = frame.with_columns(pl.col(name).alias(_kept_json_text(name)) for name in json_chats).with_columns(
            pl.col(name).map_batches(partial(_decoded_json, dtype=dtype), return_dtype=dtype) for name, dtype in json_chats.items())
        schema = frame.collect_schema()
    found_by_name = not (selection.text_column or selection.fields)
    selection = _resolve_selection(selection, schema, headed_csv=fmt in DELIMITED and header)
    nested = _nested_fields(selection.columns(), schema)  # (fields inside struct columns, named or found)
    if nested:
        frame = frame.with_columns(nested.values())
        schema = frame.collect_schema()
    transcript = _transcript_text(frame, selection, schema)
    text_source = _describe(selection, transcript)
    if decoded := [name for name in selection.columns() if name in json_chats]:
        text_source += (" (a chat written as JSON text)" if decoded == [selection.text_column]
                        else f" ({', '.join(map(repr, decoded))}: chats written as JSON text)")
    if found_by_name and (templated := _templated_text(selection, schema)):
        text_source += f", not column {templated!r} that holds them in a prompt template"
    _check_selection(selection, schema, transcript)
    for warning in _columns_unlike_across_files(selection, files, file_schemas, [headerless, renamed], schema):
        log.warning(warning)
    if unread := [name for name in selection.fields if _column_text(name, schema[name], selection.roles) is None]:
        log.warning(f"{', '.join(f'field {name!r} holds {schema[name]}' for name in unread)}, not text: "
                    "a row with a value there counts as not text; leave the field out of --fields")
    input_rows = None
    if limit is not None and limit < rows:
        frame, rows, input_rows = frame.head(limit), limit, rows
    return Dataset(frame, [str(f) for f in files], fmt, selection, text_source, renamed, rows, input_rows, tuple(nested),
                   tuple(json_chats))


def input_name(data: Any) -> str:
    """How reports and messages name an input: a path or URI as given, a table in memory by
    its type (``<DataFrame>``), never by its printout."""
    return str(data) if isinstance(data, str | os.PathLike) else f"<{type(data).__name__}>"


def table_frame(table: Any, limit: int | None = None) -> pl.LazyFrame:
    """A table in memory as a LazyFrame: a Polars DataFrame or LazyFrame, a pandas
    DataFrame (:func:`_from_pandas`), what ``pl.DataFrame`` takes as a whole table (a pyarrow
    Table, a dict of columns), a Hugging Face ``datasets`` Dataset, a list of rows as dicts (records:
    ``json.load``'s) or an iterator of them (a generator: read once, only the first
    ``limit`` rows where one is given), pyarrow's streams and datasets (:func:`_from_pyarrow`),
    or a Polars or pandas Series or a one-dimensional numpy array, whose values are the
    texts. A list of strings is refused: a list of paths and a list of texts look alike.
    ``limit``: the rows wanted (``[input] limit``), all that is read of a stream."""
    if isinstance(table, pl.LazyFrame):
        return table
    if isinstance(table, pl.DataFrame):
        return table.lazy()
    if type(table).__module__.startswith("datasets."):
        return _hugging_face_dataset(table, limit)
    if type(table).__module__.startswith("pyarrow") and (frame := _from_pyarrow(table, limit)) is not None:
        return frame
    if isinstance(table, bytes | bytearray | memoryview):
        raise QcauditError(f"cannot read {type(table).__name__} as a dataset: write them to a file and give its path")
    if isinstance(table, list | tuple) and table and all(isinstance(value, str | os.PathLike) for value in table):
        raise QcauditError(f"cannot read a {type(table).__name__} of strings as a dataset: texts and paths look alike; "
                           "give texts as pl.Series(texts), files as their directory or a glob")
    if isinstance(table, Iterator):
        rows = _streamed(table, limit, type(table).__name__)
        if not rows:
            raise QcauditError(f"the {type(table).__name__} yielded no rows")
        if not all(isinstance(row, Mapping) for row in rows):
            raise QcauditError(f"cannot read a {type(table).__name__} as a dataset: an iterator must yield rows as dicts "
                               "(texts as pl.Series(list(texts)))")
        table = rows
    if isinstance(table, list | tuple) and table and all(isinstance(row, Mapping) for row in table):
        try:
            return pl.DataFrame(table, infer_schema_length=None).lazy()
        except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
            raise QcauditError(f"cannot read the list of rows as a table: {first_line(exc)}") from None
    pandas = sys.modules.get("pandas")  # (a pandas Series or DataFrame exists only where pandas is imported)
    if pandas is not None and isinstance(table, pandas.Series | pandas.DataFrame):
        frame = _from_pandas(table.to_frame(TEXT) if isinstance(table, pandas.Series) else table, pandas)
        return (frame.rename({frame.columns[0]: TEXT}) if isinstance(table, pandas.Series) else frame).lazy()
    if isinstance(table, pl.Series):
        return table.alias(TEXT).to_frame().lazy()
    if type(table).__module__ == "numpy" and getattr(table, "ndim", None) == 1:
        return pl.Series(TEXT, table).to_frame().lazy()
    if table is not None and not isinstance(table, list | tuple):
        try:
            return pl.DataFrame(table).lazy()
        except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
            if isinstance(table, Mapping) or hasattr(table, "__arrow_c_stream__"):  # (a kind it takes, that makes no table)
                kind = "dict of columns" if isinstance(table, Mapping) else type(table).__name__
                raise QcauditError(f"cannot read the {kind} as a table: {first_line(exc)}") from None
    raise QcauditError(f"cannot read a {type(table).__name__} as a dataset: give a path, a Polars or pandas DataFrame, "
                       "a pyarrow Table, a dict of columns, a list or iterator of rows as dicts or a Series of texts "
                       "(a list of texts as pl.Series(texts))")


def _from_pyarrow(table: Any, limit: int | None) -> pl.LazyFrame | None:
    """A pyarrow object that is no Table, or None for a Table (which ``pl.DataFrame``
    takes): a RecordBatchReader (a stream, as DuckDB's and Arrow Flight's results come:
    read once, only its first ``limit`` rows where one is given), a pyarrow ``dataset``
    (read whole, or its first ``limit`` rows: Polars' lazy scan of one counts no rows where
    a query reads no column; given the files, qcaudit scans them lazily), an Array or
    ChunkedArray of texts, or of rows as structs (records, as ``pa.array(rows)`` makes them)."""
    pyarrow = sys.modules["pyarrow"]  # (imported where its objects exist)
    name = type(table).__name__
    try:
        if isinstance(table, pyarrow.RecordBatchReader):
            batches = _batches_up_to(table, limit)
            if not batches:
                raise QcauditError(f"the {name} yielded no rows")
            return pl.concat([pl.from_arrow(batch) for batch in batches], how="vertical").lazy()
        if (datasets := sys.modules.get("pyarrow.dataset")) is not None and isinstance(table, datasets.Dataset):
            return pl.from_arrow(table.to_table() if limit is None else table.head(limit)).lazy()
        if isinstance(table, pyarrow.Array | pyarrow.ChunkedArray):
            values = pl.Series(TEXT, table)
            return (values.struct.unnest() if values.dtype == pl.Struct else values.to_frame()).lazy()
    except (TypeError, ValueError, pl.exceptions.PolarsError, pyarrow.ArrowException) as exc:
        raise QcauditError(f"cannot read the {name} as a table: {first_line(exc)}") from None
    return None


def _batches_up_to(reader: Any, limit: int | None) -> list[Any]:
    """A RecordBatchReader's batches until ``limit`` rows are read (all without one), the
    last cut to fit, with a warning when it stopped there."""
    batches, rows = [], 0
    for batch in reader:
        if limit is not None and rows + batch.num_rows >= limit:
            batches.append(batch.slice(0, limit - rows))
            _warn_cut_stream(type(reader).__name__, limit)
            break
        batches.append(batch)
        rows += batch.num_rows
    return batches


def _from_pandas(table: Any, pandas: Any) -> pl.DataFrame:
    """A pandas DataFrame as Polars converts it; but a column of Python objects that mixes
    text with other values (a number among strings, as pandas keeps a CSV's or a JSON
    file's mixed column) holds them as their text, as Polars reads such a field of a JSON
    or CSV file, a dict or a list as its JSON; a missing value (None, NaN) is null."""
    if table.columns.has_duplicates:
        twice = table.columns[table.columns.duplicated()].unique().tolist()
        raise QcauditError(f"cannot read the pandas DataFrame: it names more than one column {', '.join(map(repr, twice))}; "
                           "give each column a name of its own")
    try:
        return pl.from_pandas(table)
    except (TypeError, ValueError, ArithmeticError) as exc:  # (pyarrow's ArrowTypeError is a TypeError)
        mixed = [name for name in table.columns if table[name].dtype == object and not _converts(table[[name]])]
        if not mixed:
            raise QcauditError(f"cannot read the pandas DataFrame: {first_line(exc)}") from None
    table = table.copy(deep=False)
    for name in mixed:
        table[name] = pandas.Series([None if _missing(value, pandas) else value if isinstance(value, str) else _as_text(value)
                                     for value in table[name]], index=table.index, dtype=object)
    return pl.from_pandas(table)


def _converts(column: Any) -> bool:
    try:
        pl.from_pandas(column)
    except (TypeError, ValueError, ArithmeticError):
        return False
    return True


def _missing(value: Any, pandas: Any) -> bool:
    return value is None or (not isinstance(value, list | dict | tuple) and bool(pandas.isna(value)))


def _as_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, list | dict | tuple) else str(value)


def _hugging_face_dataset(table: Any, limit: int | None) -> pl.LazyFrame:
    """A Hugging Face ``datasets`` object's rows, known by its class's module so that
    ``datasets`` is never imported here. A Dataset's rows are read through its Arrow format,
    which follows the indices a ``select``, ``shuffle`` or ``filter`` leaves (its ``data``
    table does not); an IterableDataset's rows as it yields them, only the first ``limit``
    where one is given (a stream from the Hub may never end; its length is unknown, and the
    report counts what was read); a DatasetDict, which holds a dataset's splits, is refused,
    as reading it whole would mix them."""
    if isinstance(table, Mapping):
        splits = [str(split) for split in table] or ["train"]
        raise QcauditError(f"a {type(table).__name__} holds a dataset's splits ({', '.join(splits)}); "
                           f"give one split, e.g. data[{splits[0]!r}]")
    try:
        if hasattr(table, "__len__"):
            frame = pl.from_arrow(table.with_format("arrow")[:])
        else:
            frame = pl.DataFrame(_streamed(table, limit, type(table).__name__), infer_schema_length=None)
    except (TypeError, ValueError, AttributeError, pl.exceptions.PolarsError) as exc:
        raise QcauditError(f"cannot read the {type(table).__name__} as a table: {first_line(exc)}") from None
    return frame.lazy()


def _streamed(rows: Iterable[Any], limit: int | None, name: str) -> list[Any]:
    """A stream's rows, the first ``limit`` alone where one is given, with a warning when it
    stopped there: the stream's length is unknown and the report counts what was read."""
    read = list(islice(rows, limit))
    if limit is not None and len(read) == limit:
        _warn_cut_stream(name, limit)
    return read


def _warn_cut_stream(name: str, limit: int) -> None:
    log.warning(f"the {name} is a stream: its first {limit:,} rows were read (--limit), its length is unknown")


#: An input file: a local path, or a URI (:mod:`qcaudit.remote`).
InputFile = Path | str


def input_files(path: str | Path) -> list[InputFile]:
    """The files ``path`` names: an existing file or directory (searched recursively) is
    taken as it is, whatever characters its name holds; only a path that does not exist is
    read as a glob. A leading ``~`` is the home directory, as in a shell (config files name
    paths so too), unless a file of that very name exists. A URI is listed on its own
    filesystem, the same way."""
    if is_uri(path):
        return _without_notes(remote_files(str(path), frozenset(s for s, fmt in _FORMATS.items() if fmt != "arrow")))
    if not os.path.lexists(path):
        path = os.path.expanduser(path)
    target = Path(path)
    if target.is_symlink() and not target.exists():
        raise QcauditError(f"{path} is a broken or looping symbolic link")
    if target.is_dir():
        return _directory_files(target)
    if target.exists():
        _refuse_special_file(target)
        return [target]
    if GLOB_CHARS.intersection(str(path)):
        files = [Path(p) for p in sorted(glob.glob(str(path), recursive=True)) if Path(p).is_file()]
        if not files:
            raise QcauditError(f"no file matches {path}")
        return files
    if str(path) == "-":  # (the input is read more than once: once to audit, again to write its rows)
        raise QcauditError("standard input ('-') is not read: write the data to a file first (.jsonl, .parquet, ...)")
    # (a relative path, from a config file too, is read from the current directory: say which)
    raise QcauditError(f"{path} does not exist" + ("" if target.is_absolute() else f" in {Path.cwd()}") + _hub_hint(target))


#: Files that are not a regular file's bytes, by what ``stat`` says they are.
_SPECIAL_FILES = ((stat.S_ISFIFO, "a pipe"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                  (stat.S_ISSOCK, "a socket"))


def _refuse_special_file(target: Path) -> None:
    """A pipe or a device is refused: the input is read more than once (to audit it, again
    to write its rows), and a pipe with no writer would wait forever, /dev/zero never end."""
    mode = target.stat().st_mode
    kind = next((name for test, name in _SPECIAL_FILES if test(mode)), None)
    if kind:
        raise QcauditError(f"{target} is {kind}, not a file: qcaudit reads its input more than once; write the data to a file first")


def _hub_hint(target: Path) -> str:
    """For a missing ``OWNER/NAME`` without a file suffix, which reads as a Hugging Face Hub
    dataset's name, how to name the Hub's copy (fsspec's ``hf`` filesystem reads it)."""
    looks_like_hub = not target.is_absolute() and len(target.parts) == 2 and not target.suffix and not target.parent.exists()
    return f"; a dataset on the Hugging Face Hub is read as hf://datasets/{target.as_posix()}" if looks_like_hub else ""


def _without_notes(files: list[InputFile]) -> list[InputFile]:
    """A directory's data files: its .txt files are data only when it holds no other kind (a
    LICENSE.txt or notes.txt beside parquet shards is not a shard)."""
    if all(_FORMATS.get(format_suffix(f)) == "txt" for f in files):
        return files
    return [f for f in files if _FORMATS.get(format_suffix(f)) != "txt"]


#: Names of a dataset's splits, as Hugging Face names its shards (``train-00000-of-00002.parquet``)
#: or the folders that hold them (``train/0000.parquet``).
SPLIT_NAMES = frozenset({"train", "test", "validation", "valid", "dev", "eval"})
_SPLIT_SHARD = re.compile(r"^([A-Za-z]+)-\d{5}-of-\d{5}")


def _directory_files(target: Path) -> list[Path]:
    """A directory's data files, searched recursively, in sorted path order; one that holds
    several splits of a dataset is refused, as reading it whole would mix them (a training
    split audited with its test split)."""
    if (target / "dataset_dict.json").is_file():  # datasets' DatasetDict.save_to_disk: one folder a split
        splits = ", ".join(sorted(p.name for p in target.iterdir() if p.is_dir()))
        raise QcauditError(f"{target} holds a dataset's splits ({splits}); give one split's folder, e.g. {target / 'train'}")
    files = sorted(p for p in target.rglob("*") if p.is_file() and format_suffix(p) in _FORMATS and not hidden(p.relative_to(target)))
    if not files:
        raise QcauditError(f"{target} holds no .parquet, .jsonl, .json, .csv, .tsv, .txt or .arrow file")
    files = _without_notes(files)
    if any(_FORMATS[format_suffix(p)] == "arrow" for p in files):
        files = [p for p in files if p.name not in HF_DATASET_METADATA]
    splits: dict[str, Path] = {}  # each split's first file
    for file in files:
        shard = _SPLIT_SHARD.match(file.name)
        folders = [part.partition("=")[2] or part for part in file.relative_to(target).parent.parts]  # (split=test: Hive's)
        named = [folder for folder in folders if folder in SPLIT_NAMES]
        split = shard.group(1) if shard and shard.group(1) in SPLIT_NAMES else (named[-1] if named else None)
        if split is not None:
            splits.setdefault(split, file)
    if len(splits) > 1:
        shown = ", ".join(f"{split} ({splits[split]})" for split in sorted(splits))
        raise QcauditError(f"{target} holds several splits of a dataset: {shown}; give one split's folder or files "
                           "(a glob such as 'data/train-*.parquet')")
    return files


def _free_names(frame: pl.LazyFrame, files: list[InputFile]) -> dict[str, str]:
    """The input's columns to read under another name: its own ``row_id`` (as
    ``input_row_id``), and a name that ``pl.col`` reads as a pattern, ``*`` (every column)
    or ``^...$`` (a regular expression), with ``_`` added: under its own name, a text column
    called ``*`` read every column into the text."""
    try:
        names = set(frame.collect_schema().names())
    except pl.exceptions.PolarsError as exc:
        raise _read_failure(files, exc) from None
    renamed = {}
    for name, wanted in [(ROW_ID, INPUT_ROW_ID)] * (ROW_ID in names) + [
            (name, name + "_") for name in sorted(names) if name == "*" or (name.startswith("^") and name.endswith("$"))]:
        free = wanted
        while free in names or free in renamed.values():
            free += "_"
        renamed[name] = free
    return renamed


def _renamed_selection(selection: TextSelection, renamed: dict[str, str]) -> TextSelection:
    if not renamed:
        return selection
    new = lambda name: renamed.get(name, name) if name else name  # noqa: E731
    return replace(selection, text_column=new(selection.text_column), fields=tuple(map(new, selection.fields)),
                   prompt=tuple(map(new, selection.prompt)), response=new(selection.response),
                   chosen=new(selection.chosen), rejected=new(selection.rejected))


def _format_of(files: list[InputFile]) -> str:
    formats: dict[str, InputFile] = {}  # each format's first file
    for f in files:
        fmt = _FORMATS.get(format_suffix(f))
        if fmt is None:
            raise QcauditError(
                f"{f}: unknown format; use .parquet, .jsonl, .json, .csv, .tsv or .txt (one row a line; optionally .gz or "
                ".zst), or .arrow"
            )
        if fmt in ("parquet", "arrow") and compression(name_of(f)):
            raise QcauditError(f"{f}: a compressed {fmt} file is not supported; compress it within the format")
        formats.setdefault(fmt, f)
    if len(formats) > 1:
        found = ", ".join(f"{fmt} ({formats[fmt]})" for fmt in sorted(formats))
        raise QcauditError(f"mixed input formats: {found}; give files of one format")
    return next(iter(formats))


def read_files(path: str | Path, csv_header: bool = True) -> list[tuple[InputFile, pl.DataFrame]]:
    """Read every file ``path`` names (file, directory or glob) eagerly, one frame per file.

    For small tables such as benchmarks, where each file may carry meaning (an MMLU subject).
    """
    files = input_files(path)
    fmt = _format_of(files)
    tables = []
    for file in files:
        frame = _read([file], fmt).frame if fmt in ("parquet", "arrow") else _read_text_file(file, fmt, csv_header)
        try:
            tables.append((file, frame.collect()))
        except pl.exceptions.PolarsError as exc:
            raise _read_failure([file], exc) from None
    return tables


class _Read(NamedTuple):
    """An input's files read as one table, and each file's columns where the files' columns
    differ (none where there is one file or all have the same)."""

    frame: pl.LazyFrame
    file_schemas: list[pl.Schema]


def _scan_parquet(files: list[InputFile]) -> _Read:
    """Parquet shards as one table, streamed. Shards whose schemas differ (a column that later
    shards add, a number stored as an integer in one and a float in another) are joined as
    the text formats' are: a column a shard lacks is null there, types widen to a common one."""
    paths = [str(f) if is_uri(f) else f for f in files]
    streamed = all(not is_uri(f) or streamed_by_polars(f) for f in paths)  # (else each read whole through fsspec)
    if len(files) == 1 and streamed:
        return _Read(pl.scan_parquet(paths, glob=False), [])
    try:
        shards = [pl.scan_parquet(f, glob=False) if streamed else read_parquet(f) for f in paths]
        schemas = [shard.collect_schema() for shard in shards]  # (each file's footer)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _read_failure(files, exc) from None
    if all(schema == schemas[0] for schema in schemas):
        return _Read(pl.scan_parquet(paths, glob=False) if streamed else pl.concat(shards, how="vertical"), [])
    return _Read(pl.concat(shards, how="diagonal_relaxed"), schemas)


def _read(files: list[InputFile], fmt: str, csv_header: bool = True) -> _Read:
    partitions = _hive_partitions(files)
    if partitions:
        frames = [_read([file], fmt, csv_header).frame for file in files]
        return _joined([_with_partition(frame, values) for frame, values in zip(frames, partitions, strict=True)])
    if fmt == "parquet":
        return _scan_parquet(files)
    return _joined([_read_arrow(f) if fmt == "arrow" else _read_text_file(f, fmt, csv_header) for f in files])


#: A folder of a Hive-partitioned dataset (Spark's, Ray Data's or pyarrow's ``partitioning="hive"``
#: output): ``round=3``, the value of column ``round`` for every file below it.
_HIVE_FOLDER = re.compile(r"^([^=]+)=(.*)$")
#: The value Hive writes for a null partition key.
_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def _hive_partitions(files: list[InputFile]) -> list[dict[str, str | None]] | None:
    """Per file, the Hive partition columns its folders name (``round=3/part-0.parquet``:
    ``{"round": "3"}``), from the folders below the files' common folder (a partition that
    all files share is no column: an input of one partition's folder reads as before); None
    when no folder names one. Values are percent-decoded, as Spark escapes them."""
    if len(files) < 2:
        return None
    folders = [str(file).replace("\\", "/").split("/")[:-1] for file in files]
    shared = 0
    while all(len(parts) > shared and parts[shared] == folders[0][shared] for parts in folders):
        shared += 1
    partitions = []
    for parts in folders:
        found = {m.group(1): m.group(2) for part in parts[shared:] if (m := _HIVE_FOLDER.match(part))}
        partitions.append({key: None if value == _HIVE_NULL else unquote(value) for key, value in found.items()})
    return partitions if any(partitions) else None


def _with_partition(frame: pl.LazyFrame, values: dict[str, str | None]) -> pl.LazyFrame:
    """``frame`` with its file's partition columns, where the file does not hold that column
    itself: whole numbers as integers, anything else as text."""
    held = set(frame.collect_schema().names())
    columns = []
    for key, value in values.items():
        if key in held:
            continue
        whole = value is not None and re.fullmatch(r"-?\d{1,18}", value) is not None
        columns.append(pl.lit(int(value) if whole else value, dtype=pl.Int64 if whole else pl.String).alias(key))
    return frame.with_columns(columns)


def _joined(frames: list[pl.LazyFrame]) -> _Read:
    """The frames of one input's files as one table; their schemas where they differ."""
    if len(frames) == 1:
        return _Read(frames[0], [])
    try:
        schemas = [frame.collect_schema() for frame in frames]
    except pl.exceptions.PolarsError:  # (its reading fails, and says why, where every input's does)
        return _Read(pl.concat(frames, how="diagonal_relaxed"), [])
    same = all(schema == schemas[0] for schema in schemas)
    return _Read(pl.concat(_chat_contents_alike(frames, schemas), how="diagonal_relaxed"), [] if same else schemas)


def _chat_contents_alike(frames: list[pl.LazyFrame], schemas: list[pl.Schema]) -> list[pl.LazyFrame]:
    """The files of one input (with their schemas), with each chat column whose turns hold
    their content as text in some files and as content parts in others read as text in all
    (the text parts joined), so that one column type holds them."""
    for name in {name for schema in schemas for name in schema.names()}:
        if len({schema[name] for schema in schemas if name in schema}) == 1:
            continue
        for i, schema in enumerate(schemas):
            layout = _chat_layout(schema.get(name))
            if layout and _text_parts(layout.content_dtype):
                as_text = _text_of_parts(pl.field(layout.content), layout.content_dtype).alias(layout.content)
                frames[i] = frames[i].with_columns(pl.col(name).list.eval(pl.element().struct.with_fields(as_text)))
    return frames


def _read_arrow(path: InputFile) -> pl.LazyFrame:
    """An Arrow IPC file: the file format scanned lazily, or the stream format that Hugging
    Face ``datasets`` writes, memory-mapped (as ``datasets`` itself reads it)."""
    if is_uri(path):
        raise QcauditError(f"{path}: Arrow files are read from a local disk; copy it first, or write parquet")
    try:
        frame = pl.scan_ipc(path, glob=False)
        frame.collect_schema()
        return frame
    except pl.exceptions.PolarsError:
        pass
    import pyarrow as pa
    import pyarrow.ipc

    try:
        table = pyarrow.ipc.open_stream(pa.memory_map(str(path))).read_all()
    except (pa.ArrowException, OSError) as exc:
        raise _read_failure([path], exc) from None
    return pl.from_arrow(table).lazy()


def _read_text_file(path: InputFile, fmt: str, csv_header: bool = True) -> pl.LazyFrame:
    """Check a jsonl/json/csv/tsv/txt file (:mod:`qcaudit.inputcheck`), then read it. JSON Lines
    and CSV/TSV are scanned where they lie, compressed or not (Polars decompresses gzip and
    Zstandard as it reads: ``benchmarks/bench_compressed_read.py``, 1,000,000 rows of
    .jsonl.gz, 2026-12-02: 167 MB peak against 662 MB read into memory); JSON
    documents, plain text, JSON Lines that open with a byte-order mark or whose name holds a
    glob character, and files named by a URI are read into memory first."""
    if is_uri(path):
        return _read_remote_text_file(str(path), fmt, csv_header)
    check = check_text_file(path, fmt, csv_header)
    if check.rows == 0:
        raise QcauditError(f"{path} holds no rows")
    fmt = check.reading
    if fmt == "jsonl" and not check.bom and not GLOB_CHARS.intersection(str(path)):
        # (it expands globs and cannot be told not to)
        return _chat_contents_read_as_text(lambda overrides: pl.scan_ndjson(path, infer_schema_length=None, schema_overrides=overrides))
    if fmt in DELIMITED:
        return pl.scan_csv(path, infer_schema_length=10000, has_header=csv_header, glob=False, **DELIMITED[fmt])
    return _read_in_memory(path, path.read_bytes(), fmt, csv_header)


def _read_remote_text_file(uri: str, fmt: str, csv_header: bool) -> pl.LazyFrame:
    """A text file named by a URI: fetched once, checked as a local file would be, read from
    memory; messages name the URI."""
    with local_copy(uri) as directory:
        local = Path(directory) / name_of(uri).name
        try:
            check = check_text_file(local, fmt, csv_header)
        except QcauditError as exc:
            raise QcauditError(str(exc).replace(str(local), uri)) from None
        if check.rows == 0:
            raise QcauditError(f"{uri} holds no rows")
        return _read_in_memory(uri, local.read_bytes(), check.reading, csv_header)


def _read_in_memory(path: InputFile, raw: bytes, fmt: str, csv_header: bool) -> pl.LazyFrame:
    data = decompressed(raw, name_of(path))
    data = data.removeprefix(BOM)
    try:
        if fmt == "txt":
            return pl.DataFrame(_text_lines(data.decode("utf-8"))).lazy()
        if fmt == JSON_TEXTS:
            return pl.DataFrame({TXT_COLUMN: json_texts(data)}, schema={TXT_COLUMN: pl.String}).lazy()
        if fmt in DELIMITED:
            return pl.read_csv(io.BytesIO(data), infer_schema_length=10000, has_header=csv_header, **DELIMITED[fmt]).lazy()
        if fmt == "json":
            table = _json_lines_of_table(data)
            if table is not None:
                data = table
            else:
                try:
                    return pl.read_json(io.BytesIO(data), infer_schema_length=None).lazy()
                except pl.exceptions.PolarsError:
                    data = _json_lines_of_array(data)  # as JSON lines, chats that mix text and content parts read
                    if data is None:
                        raise
        read = _chat_contents_read_as_text(lambda overrides: pl.scan_ndjson(data, infer_schema_length=None, schema_overrides=overrides))
        return read.collect().lazy()  # parsed once, not again each time the rows are read
    except pl.exceptions.PolarsError as exc:
        raise _read_failure([path], exc) from None


def _json_lines_of_table(data: bytes) -> bytes | None:
    """A JSON object that holds a table as pandas writes one (:func:`~qcaudit.inputcheck.table_records`,
    already checked) as JSON lines, a row a line; None for any other JSON (Polars reads an
    object as one row)."""
    if not data.lstrip().startswith(b"{"):
        return None
    document = json.loads(data)
    records = table_records(document) if isinstance(document, dict) else None
    return None if records is None else "\n".join(json.dumps(record) for record in records).encode()


def _json_lines_of_array(data: bytes) -> bytes | None:
    """A JSON array of objects as JSON lines; None for any other JSON."""
    try:
        records = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        return None
    return "\n".join(json.dumps(record) for record in records).encode()


def _chat_contents_read_as_text(read: Callable[[dict[str, pl.DataType]], pl.LazyFrame]) -> pl.LazyFrame:
    """A JSON (lines) file read by ``read(schema_overrides)``, read again with its chat columns'
    content as text where Polars took it for a list of strings: what it makes of turns whose
    content is text in some and a list of content parts in others, and then cannot read.
    As text, the lists are written as JSON, and :func:`_turn_content` reads them back."""
    frame = read({})
    try:
        schema = frame.collect_schema()
    except pl.exceptions.PolarsError:
        return frame  # (its reading fails, and says why, where every input's does)
    overrides = {}
    for name, dtype in schema.items():
        layout = _chat_layout(dtype)
        if layout and layout.content_dtype == pl.List(pl.String):
            overrides[name] = pl.List(pl.Struct({f.name: pl.String if f.name == layout.content else f.dtype for f in dtype.inner.fields}))
    return read(overrides) if overrides else frame


def _text_lines(text: str) -> pl.Series:
    """The lines of a plain text file (a final newline opens no line; a line's ``\\r`` of a
    CRLF ending dropped), split by Polars in pieces of about :data:`TXT_PIECE_CHARS`."""
    text = text.removesuffix("\n")
    pieces, start = [], 0
    while True:
        end = text.find("\n", start + TXT_PIECE_CHARS) if start + TXT_PIECE_CHARS < len(text) else -1
        pieces.append(pl.Series(TXT_COLUMN, [text[start:] if end < 0 else text[start:end]]).str.split("\n").explode())
        if end < 0:
            return pl.concat(pieces).str.strip_suffix("\r")
        start = end + 1


def _schema(frame: pl.LazyFrame, files: list[InputFile]) -> tuple[pl.Schema, int]:
    """Resolve the schema and count the rows, turning reader failures into one-line errors."""
    try:
        schema = frame.collect_schema()
        rows = frame.select(pl.len()).collect().item()
        if rows == 0:
            raise QcauditError(f"{files[0] if len(files) == 1 else 'the input'} holds no rows")
        return schema, rows
    except pl.exceptions.PolarsError as exc:
        raise _read_failure(files, exc) from None


def _read_failure(files: list[InputFile], exc: Exception) -> QcauditError:
    """A one-line error for a reader failure; for JSON that Polars could not read, the place
    in the records that mixes kinds of values, where one does (no column type holds them)."""
    fmt = _FORMATS.get(format_suffix(files[0]), "")
    if fmt in ("jsonl", "json"):
        for file in files:
            try:
                mixed = mixed_shapes(Path(file), fmt) if not is_uri(file) else None
            except (ValueError, OSError, RecursionError):  # no better reason to give than the reader's
                mixed = None
            if mixed:
                return QcauditError(f"cannot read {file} as {fmt}: {mixed}; a column needs one kind of value in each place "
                                    "(drop or flatten that field)")
    where = str(files[0]) if len(files) == 1 else f"one of {len(files)} {fmt} files"
    return QcauditError(f"cannot read {where}" + (f" as {fmt}" if fmt else "") + f": {first_line(exc)}")


#: Values of a text column read to tell whether it holds chats written as JSON text.
JSON_CHAT_SAMPLE = 100
#: Columns that may hold a chat when the selection does not name them: the chat columns, and
#: a preference pair's answers and prompt.
_CHAT_CANDIDATES = frozenset({*CHAT_COLUMNS, CHOSEN, REJECTED, PROMPT})


def _kept_json_text(name: str) -> str:
    """The name under which a column's JSON text is kept once its chats are decoded."""
    return f"__qcaudit_json_text:{name}"


def _json_chats(frame: pl.LazyFrame, schema: pl.Schema, selection: TextSelection) -> dict[str, pl.DataType]:
    """The text columns that hold a chat written as JSON text, with the chat's type: a CSV
    file's ``messages`` (CSV holds no lists), a pandas frame saved with its chats as strings,
    ``'[{"role": "user", "content": "..."}, ...]'``. Read as text, every row's JSON keys and
    quotes would be its words (``role``, ``content`` in every row: lower diversity, near
    duplicates that are not). A column counts when it is named by the selection, or may be a
    chat by its name, and its first :data:`JSON_CHAT_SAMPLE` values are all JSON arrays that
    decode to a chat's turns (OpenAI's ``{role, content}``, ShareGPT's ``{from, value}``)."""
    named = set(selection.columns())
    candidates = [name for name in schema.names()
                  if schema[name] == pl.String and (name in named or name.lower() in _CHAT_CANDIDATES)]
    if not candidates:
        return {}
    try:
        sample = frame.select(candidates).head(JSON_CHAT_SAMPLE).collect()
    except pl.exceptions.PolarsError:  # (the input's own read says what is wrong with it)
        return {}
    found = {}
    for name in candidates:
        values = sample[name].drop_nulls()
        if values.is_empty() or not values.str.strip_chars_start().str.starts_with("[").all():
            continue
        try:
            dtype = values.str.json_decode(infer_schema_length=None).dtype
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
        return values.str.json_decode(dtype)
    except pl.exceptions.PolarsError:
        if len(values) == 1:
            return pl.Series(values.name, [None], dtype=dtype)
        half = len(values) // 2
        return pl.concat([_decoded_json(values[:half], dtype), _decoded_json(values[half:], dtype)], rechunk=True)


def _resolve_selection(selection: TextSelection, schema: pl.Schema, headed_csv: bool = False) -> TextSelection:
    """The selection with the text (and the parts) found by column name where none is given;
    ``headed_csv``: the columns are named by a CSV file's first line, which may be data."""
    selection = _with_parts_found(selection, schema)
    if selection.text_column or selection.fields:
        return selection
    templated = _templated_text(selection, schema)
    whole = next((found for name in WHOLE_TEXT_COLUMNS if (found := _named(schema, name)) and found != templated
                  and _column_text(found, schema[found]) is not None), None)  # (a column of numbers or structs is no text)
    if whole:
        return replace(selection, text_column=whole)
    api = next((name for name in API_TEXT_COLUMNS if (found := _reached(schema, name)) and _is_api_text(found[1])), None)
    if api:
        return replace(selection, text_column=api)
    # the answer: the response, a pair's chosen answer, else a column of an answer alone
    answer = selection.response or selection.chosen or next(filter(None, (_named(schema, name) for name in ANSWER_COLUMNS)), None)
    joined = tuple(dict.fromkeys((*selection.prompt, *([answer] if answer else []))))
    if joined:
        return replace(selection, fields=joined) if len(joined) > 1 else replace(selection, text_column=joined[0])
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
    raise QcauditError(
        f"no text column found (looked for {', '.join((*WHOLE_TEXT_COLUMNS, *ANSWER_COLUMNS))}, and a prompt or its answer); "
        f"choose one with --text-column or --fields from: {_available(schema)}"
        + ("; if the file's first line is data rather than column names, give --no-header" if headed_csv else "")
    )


def _templated_text(selection: TextSelection, schema: pl.Schema) -> str | None:
    """The input's ``text`` column where it renders the prompt and answer found beside it in a
    template (:data:`TEMPLATED_BESIDE`), else None."""
    text = _named(schema, TEXT)
    instruction_data = selection.prompt and selection.prompt[0].casefold() in TEMPLATED_BESIDE and selection.response
    return text if text and instruction_data and schema[text] == pl.String else None


def _named(schema: pl.Schema, name: str) -> str | None:
    """The input's column of this name: itself, else the one column whose name differs from
    it in case alone (``Instruction``, ``OUTPUT``, as spreadsheets export them)."""
    if name in schema:
        return name
    alike = [column for column in schema.names() if column.casefold() == name.casefold()]
    return alike[0] if len(alike) == 1 else None


def _with_parts_found(selection: TextSelection, schema: pl.Schema) -> TextSelection:
    """``selection`` with the parts of a row (:data:`PARTS`) that no flag names found by
    column name (:func:`_named`), where each is text or a chat column: preference pairs
    (:data:`PAIR_LAYOUTS`), then the prompt and response of the first of
    :data:`PROMPT_LAYOUTS` the input has, else of :data:`PROMPT_ANSWER_LAYOUTS`."""
    def found(name: str) -> str | None:
        column = _named(schema, name)
        return column if column and (schema[column] == pl.String or is_chat(schema[column]) or _is_instances(schema[column])) else None

    for prompt_path, *answers in PAIR_LAYOUTS:
        pair = [found(name) for name in answers]
        if not (selection.chosen or selection.rejected) and all(pair):
            selection = replace(selection, chosen=pair[0], rejected=pair[1])
            prompt = _reached(schema, prompt_path) if prompt_path else None
            if prompt and is_chat(prompt[1]) and not selection.prompt:
                selection = replace(selection, prompt=(prompt_path,))
    for prompt_names, answer_names in PROMPT_LAYOUTS:
        prompt = [found(name) for name in prompt_names]
        if all(prompt):
            response = next(filter(None, map(found, answer_names)), None)
            return replace(selection, prompt=selection.prompt or tuple(prompt), response=selection.response or response)
    for prompt_name, answer_name in PROMPT_ANSWER_LAYOUTS:
        prompt, response = found(prompt_name), found(answer_name)
        if prompt and response:
            return replace(selection, prompt=selection.prompt or (prompt,), response=selection.response or response)
    return selection


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


def _check_selection(selection: TextSelection, schema: pl.Schema, transcript: bool = False) -> None:
    """Refuse a selection the input cannot serve; ``transcript``: the text column is a
    conversation written as text, whose turns ``--role`` chooses (:func:`_transcript_text`)."""
    for name in selection.columns():
        if name not in schema:
            parts = [part.strip() for part in name.split(",")]
            if len(parts) > 1 and all(part in schema for part in parts):
                raise SelectionMismatch(f"unknown column {name!r}: {len(parts)} columns are a list of names, {parts}, "
                                        "not one name with commas")
            alike = [column for column in schema.names() if column.lower() == name.lower()]
            meant = f" (did you mean {alike[0]!r}? names are matched in case)" if len(alike) == 1 else ""
            raise SelectionMismatch(f"unknown column {name!r}{meant}; available columns: {_available(schema)}")
    if selection.roles and not transcript and not is_chat(schema[text := selection.columns()[0]]):
        raise SelectionMismatch(f"--role needs a chat column (a list of {{role, content}}, {{from, value}} or {{role, parts}}) "
                                f"or a conversation written as text with its speakers marked ({TRANSCRIPT_LAYOUTS}); "
                                f"{text!r} is {schema[text]}" + (" without such marks" if schema[text] == pl.String else ""))


def _transcript_text(frame: pl.LazyFrame, selection: TextSelection, schema: pl.Schema) -> bool:
    """Whether ``--role`` chooses turns of a conversation written as text: the selection
    names roles, its text is one column of text, and the first :data:`JSON_CHAT_SAMPLE`
    values of that column are all such conversations (:mod:`qcaudit.transcripts`)."""
    if not _text_in_turns(selection, schema):
        return False
    try:
        sample = frame.select(selection.text_column).head(JSON_CHAT_SAMPLE).collect()
    except pl.exceptions.PolarsError:  # (the input's own read says what is wrong with it)
        return False
    return looks_like_transcripts(sample.to_series())


def _text_in_turns(selection: TextSelection, schema: pl.Schema) -> bool:
    """Whether the selection reads its text column's turns as a conversation written as
    text: roles named on one column of text (which :func:`load_dataset` refuses where its
    values are no such conversations, :func:`_transcript_text`)."""
    return bool(selection.roles) and selection.text_column in schema and schema[selection.text_column] == pl.String


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
    stays a line)."""
    def named(name: str) -> str:
        dtype = schema[name]
        if not isinstance(dtype, pl.Struct):
            return name
        return f"{name} (fields {', '.join(f'{name}.{field.name}' for field in dtype.fields)})"

    names = [name for name in schema.names() if name != ROW_ID and not name.startswith(_kept_json_text(""))]
    if len(names) <= SHOWN_COLUMNS:
        return ", ".join(map(named, names))
    text_first = sorted(names, key=lambda name: _column_text(name, schema[name]) is None)
    return ", ".join(map(named, text_first[:SHOWN_COLUMNS])) + f", ... ({len(names):,} columns, those of text first)"


class ChatLayout(NamedTuple):
    """How a chat column's turns hold their role and content: the two field names, the
    content's type (text, or a list of content parts), and the types of the turns'
    ``tool_calls`` and ``function_call`` where they have them (OpenAI's function calling, and
    its legacy form)."""

    role: str
    content: str
    content_dtype: pl.DataType
    tool_calls_dtype: pl.DataType | None = None
    function_call_dtype: pl.DataType | None = None


def _chat_layout(dtype: pl.DataType) -> ChatLayout | None:
    """The layout of a chat column's turns; None for another column."""
    if not isinstance(dtype, pl.List) or not isinstance(dtype.inner, pl.Struct):
        return None
    fields = {f.name: f.dtype for f in dtype.inner.fields}
    return next((ChatLayout(role, content, fields[content], fields.get(TOOL_CALLS), fields.get(FUNCTION_CALL))
                 for role, content in CHAT_LAYOUTS if role in fields and content in fields), None)


def is_chat(dtype: pl.DataType) -> bool:
    """Whether a column of ``dtype`` is a chat: a list of turns with a role and a content
    (OpenAI's messages, ShareGPT's conversations)."""
    return _chat_layout(dtype) is not None


def _turn_role(layout: ChatLayout) -> pl.Expr:
    """A turn's role (inside ``list.eval``) as OpenAI names it: ShareGPT's, Gemini's and
    Cohere's names read as OpenAI's, in any case."""
    return pl.element().struct.field(layout.role).cast(pl.String).str.to_lowercase().replace(OTHER_ROLE_NAMES)


def _text_parts(dtype: pl.DataType) -> bool:
    """Whether ``dtype`` is a list of OpenAI's content parts (``{type, text}``; an image
    part's ``text`` is null)."""
    return isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct) and "text" in {f.name for f in dtype.inner.fields}


def _turn_content(layout: ChatLayout) -> pl.Expr:
    """A turn's text (inside ``list.eval``): its content, or its text parts joined by newlines,
    then the tool calls it makes (:func:`_tool_calls_text`), a line each.

    Where some turns' content is text and others' a list of parts (OpenAI's vision format:
    the user's turn in parts, the assistant's as text), a JSON lines reader gives every
    content as text, the lists written as JSON: those are read back as their text parts."""
    content = pl.element().struct.field(layout.content)
    if _text_parts(layout.content_dtype):
        content = _text_of_parts(content, layout.content_dtype)
    else:
        content = content.cast(pl.String)
        written_parts = pl.when(content.str.starts_with("[")).then(content)  # (others null: not passed to Python)
        content = pl.coalesce(written_parts.map_elements(_text_of_written_parts, return_dtype=pl.String), content)
    legacy = isinstance(layout.function_call_dtype, pl.Struct)
    legacy_call = _call_text(pl.element().struct.field(FUNCTION_CALL), layout.function_call_dtype) if legacy else None
    calls = [call for call in (_tool_calls_text(layout.tool_calls_dtype), legacy_call) if call is not None]
    return pl.concat_str([content, *calls], separator=FIELD_SEPARATOR, ignore_nulls=True) if calls else content


def _tool_calls_text(dtype: pl.DataType | None) -> pl.Expr | None:
    """A turn's tool calls (inside ``list.eval``) as text, ``name(arguments)`` a line each
    (``get_weather({"city": "Paris"})``), null where it makes none: in function-calling data
    the call is what the assistant wrote. OpenAI's ``{function: {name, arguments}}`` and the
    plain ``{name, arguments}`` chat templates accept; arguments as JSON text, or an object
    (written with the keys Polars gives every call's object, null where a call has none).
    None for turns without tool calls, or calls of another shape."""
    if not isinstance(dtype, pl.List) or not isinstance(dtype.inner, pl.Struct):
        return None
    nested = isinstance(function := {f.name: f.dtype for f in dtype.inner.fields}.get("function"), pl.Struct)  # (OpenAI's {id, type, function})
    rendered = _call_text(pl.element().struct.field("function"), function) if nested else _call_text(pl.element(), dtype.inner)
    if rendered is None:
        return None
    text = pl.element().struct.field(TOOL_CALLS).list.eval(rendered.drop_nulls()).list.join(FIELD_SEPARATOR)
    return pl.when(text.str.len_bytes() > 0).then(text)


def _call_text(call: pl.Expr, dtype: pl.Struct, arguments: str = "arguments") -> pl.Expr | None:
    """A call of a function or tool (a struct of ``dtype``: its ``name`` and its ``arguments``
    field, JSON text or an object) as ``name(arguments)``; null where it has no name; None
    where ``dtype`` has no name field."""
    fields = {f.name: f.dtype for f in dtype.fields}
    if "name" not in fields:
        return None
    given = call.struct.field(arguments) if arguments in fields else pl.lit("")
    given = given.struct.json_encode() if isinstance(fields.get(arguments), pl.Struct) else given.cast(pl.String)
    return pl.concat_str([call.struct.field("name").cast(pl.String), pl.lit("("), given.fill_null(""), pl.lit(")")])


def _text_of_parts(parts: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """A list of content parts (of ``dtype``) as its text, a part a line: OpenAI's and Gemini's
    text parts and Anthropic's text blocks; the calls a model makes in them, ``name(arguments)``
    (Anthropic's ``tool_use`` blocks, Gemini's ``functionCall`` parts); the tools' results
    (the text of Anthropic's ``tool_result`` blocks, Gemini's ``functionResponse`` as JSON)."""
    fields = {f.name: f.dtype for f in dtype.inner.fields}
    each = [pl.element().struct.field("text").cast(pl.String)]
    if "input" in fields:  # (Anthropic's tool_use: {type, id, name, input})
        each.append(_call_text(pl.element(), dtype.inner, arguments="input"))
    if isinstance(fields.get("functionCall"), pl.Struct):  # (Gemini's: {functionCall: {name, args}})
        each.append(_call_text(pl.element().struct.field("functionCall"), fields["functionCall"], arguments="args"))
    answer = fields.get("functionResponse")
    answered = {f.name: f.dtype for f in answer.fields} if isinstance(answer, pl.Struct) else {}
    if "response" in answered:  # (Gemini's: {functionResponse: {name, response}}, the tool's result)
        response = pl.element().struct.field("functionResponse").struct.field("response")
        each.append(response.struct.json_encode() if isinstance(answered["response"], pl.Struct) else response.cast(pl.String))
    if fields.get("content") == pl.String:  # (Anthropic's tool_result: {type, tool_use_id, content})
        each.append(pl.element().struct.field("content"))
    said = pl.coalesce([part for part in each if part is not None])
    return parts.list.eval(said.drop_nulls()).list.join(FIELD_SEPARATOR)


def _text_of_written_parts(content: str) -> str | None:
    """The text parts, joined by newlines, of a list of OpenAI's content parts written as
    JSON (every item an object with a ``type``); None for any other text, a list of strings
    or of other objects among it."""
    try:
        parts = json.loads(content)
    except ValueError:
        return None
    if not isinstance(parts, list) or not parts or not all(isinstance(p, dict) and isinstance(p.get("type"), str) for p in parts):
        return None
    return FIELD_SEPARATOR.join(text for text in map(_written_part_text, parts) if text is not None)


def _written_part_text(part: dict) -> str | None:
    """One content part's text as :func:`_text_of_parts` reads it: its text, the call of a
    ``tool_use`` block, a ``tool_result`` block's text."""
    if isinstance(part.get("text"), str):
        return part["text"]
    if part["type"] == "tool_use" and isinstance(part.get("name"), str):
        given = part.get("input")
        return f"{part['name']}({given if isinstance(given, str) else json.dumps(given, separators=(',', ':'), ensure_ascii=False)})"
    return part["content"] if part["type"] == "tool_result" and isinstance(part.get("content"), str) else None


def _describe(selection: TextSelection, transcript: bool = False) -> str:
    roles = f" (roles: {', '.join(selection.roles)})" if selection.roles else ""  # (of the chat columns among them)
    if transcript:
        roles = f" (a conversation written as text; roles: {', '.join(selection.roles)})"
    if selection.fields:
        return "fields " + ", ".join(selection.fields) + " joined by newlines" + roles
    return f"column {selection.text_column!r}{roles}"


def _utf8_or_null(values: pl.Series) -> pl.Series:
    """Bytes as text where they are UTF-8, else null: Polars' cast when every value is UTF-8;
    it fails on the first that is not, and then each value is decoded on its own."""
    try:
        return values.cast(pl.String)
    except pl.exceptions.ComputeError:
        pass

    def decoded(raw: bytes | None) -> str | None:
        try:
            return None if raw is None else raw.decode("utf-8")
        except UnicodeDecodeError:
            return None

    return pl.Series(values.name, [decoded(raw) for raw in values.to_list()], dtype=pl.String)


#: Columns that :func:`_with_text` adds on the way to ``text`` and ``text_status``: the turns
#: of a conversation written as text, each field's text, whether any field holds a value that
#: is no text, the fields joined, the status.
_TURNS, _FIELD_TEXT, _NON_STRING, _JOINED, _STATUS = (
    "__qcaudit_turns", "__qcaudit_field:", "__qcaudit_non_string", "__qcaudit_joined", "__qcaudit_status")
#: ``text`` and ``text_status`` from the columns :func:`_with_text` adds.
_TEXT_AND_STATUS = (pl.when(pl.col(_STATUS) == "ok").then(pl.col(_JOINED)).alias(TEXT), pl.col(_STATUS).alias(TEXT_STATUS))


def _with_text(frame: pl.LazyFrame, selection: TextSelection) -> pl.LazyFrame:
    """``frame`` with the columns behind ``text`` and ``text_status`` under ``selection``
    (:data:`_TEXT_AND_STATUS` selects those two from them), computed in steps, a column
    each: each field's text once, then the fields joined, then the status. (As one
    expression, each field's text was computed anew at each use, about twenty times a row:
    200,000 conversations written as text, cut into turns, took 17.6 s; in steps, 1.0 s.)"""
    schema = frame.collect_schema()
    names = [selection.text_column] if selection.text_column else list(selection.fields)
    in_turns = _text_in_turns(selection, schema)
    if in_turns:  # (cut once: joining them reads them twice)
        frame = frame.with_columns(transcript_turns(pl.col(selection.text_column), selection.roles, OTHER_ROLE_NAMES).alias(_TURNS))
    texts, non_string = {}, []
    for name in names:
        if in_turns and name == selection.text_column:
            text = _joined_turns(pl.col(_TURNS))
        else:
            text = _column_text(name, schema[name], selection.roles)
        if text is None:
            non_string.append(pl.col(name).is_not_null())
            continue
        if name in selection.prompt:
            text = _unless_a_chat_holds(text, [n for n in names if n not in selection.prompt], schema)
        texts[f"{_FIELD_TEXT}{len(texts)}"] = text if len(names) == 1 else _non_empty(text)
        if schema[name] == pl.Binary:  # bytes that are not UTF-8 are not text
            non_string.append(pl.col(name).is_not_null() & text.is_null())
    frame = frame.with_columns(*(text.alias(column) for column, text in texts.items()),
                               (pl.any_horizontal(non_string) if non_string else pl.lit(False)).alias(_NON_STRING))
    if texts:
        joined = pl.concat_str([pl.col(column) for column in texts], separator=FIELD_SEPARATOR, ignore_nulls=True)
        joined = pl.when(pl.any_horizontal([pl.col(column).is_not_null() for column in texts])).then(joined)
    else:
        joined = pl.lit(None, dtype=pl.String)
    frame = frame.with_columns(joined.alias(_JOINED))
    status = (
        pl.when(pl.col(_NON_STRING)).then(pl.lit("non_string"))
        .when(pl.col(_JOINED).is_null()).then(pl.lit("null"))
        .when(~pl.col(_JOINED).str.contains(HAS_TOKEN)).then(pl.lit("empty"))
        .otherwise(pl.lit("ok"))
    )
    return frame.with_columns(status.alias(_STATUS))


def _unless_a_chat_holds(prompt: pl.Expr, names: list[str], schema: pl.Schema) -> pl.Expr:
    """A prompt field's text, null on rows where one of the chat columns among ``names``
    holds it already in its turns before the answers (argilla's cleaned UltraFeedback: a
    ``prompt`` beside a ``chosen`` chat that opens with it), so that the text holds it once.
    TRL's conversational pairs, whose ``chosen`` holds the answer alone, keep it."""
    chats = [(name, layout) for name in names if (layout := _chat_layout(schema[name]))]
    if not chats:
        return prompt
    held = [pl.col(name).list.eval(_turn_content(layout).filter(_turn_role(layout) != "assistant").drop_nulls())
            .list.join(FIELD_SEPARATOR).str.contains(prompt, literal=True) for name, layout in chats]
    return pl.when(~pl.any_horizontal(held).fill_null(False)).then(prompt)


def _column_text(name: str, dtype: pl.DataType, roles: tuple[str, ...] = ()) -> pl.Expr | None:
    """A column's text, however it is stored: text or categories (pandas' category dtype reads
    as Categorical), bytes where they are UTF-8 (some writers store text so), a list of
    strings one a line (paragraphs, sentences) or of such lists (a multi-turn history's
    rounds), the turns of a chat (those of ``roles``; all
    without), Self-Instruct's instances, OpenAI's ``choices``, a list of text parts or content
    blocks; None for a column that holds no text (numbers, structs)."""
    if dtype in (pl.String, pl.Null) or isinstance(dtype, pl.Categorical | pl.Enum):
        return pl.col(name).cast(pl.String)
    if dtype == pl.Binary:
        return pl.col(name).map_batches(_utf8_or_null, return_dtype=pl.String)
    if isinstance(dtype, pl.List) and dtype.inner == pl.String:
        return pl.col(name).list.join(FIELD_SEPARATOR, ignore_nulls=True)
    if isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.List) and dtype.inner.inner == pl.String:
        # (LLaMA-Factory's Alpaca ``history``: earlier rounds as [question, answer] lists)
        lines = pl.col(name).list.eval(pl.element().list.eval(pl.element().filter(pl.element() != "")).list.join(FIELD_SEPARATOR))
        return lines.list.eval(pl.element().filter(pl.element() != "")).list.join(FIELD_SEPARATOR)
    if is_chat(dtype):
        return chat_text(name, dtype, roles)
    if _is_instances(dtype):
        return _instances_text(name)
    if _is_choices(dtype):
        return _choices_text(name, dtype)
    if _text_parts(dtype):  # (content blocks, as Anthropic's messages hold them)
        return _text_of_parts(pl.col(name), dtype)
    return None


def _is_api_text(dtype: pl.DataType) -> bool:
    """Whether a column of :data:`API_TEXT_COLUMNS` holds what an API wrote there: answers,
    a chat, content blocks (MMLU's ``choices``, a list of strings, is not an API's)."""
    return _is_choices(dtype) or is_chat(dtype) or _text_parts(dtype)


def _is_choices(dtype: pl.DataType) -> bool:
    """Whether ``dtype`` is the ``choices`` of OpenAI's API: a list of objects with a
    ``message`` that has a ``content`` (chat completions), or with a ``text`` (completions)."""
    if not (isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct)):
        return False
    fields = {f.name: f.dtype for f in dtype.inner.fields}
    message = fields.get("message")
    return ("index" in fields or "finish_reason" in fields) and (
        (isinstance(message, pl.Struct) and "content" in {f.name for f in message.fields}) or fields.get("text") == pl.String)


def _choices_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """Each choice's text (its message's content, or its ``text``), one a line."""
    fields = {f.name for f in dtype.inner.fields}
    choice = pl.element().struct.field("message").struct.field("content") if "message" in fields else pl.element().struct.field("text")
    texts = pl.col(name).list.eval(choice.cast(pl.String).drop_nulls())
    return pl.when(texts.list.len() > 0).then(texts.list.join(FIELD_SEPARATOR))


def _is_instances(dtype: pl.DataType) -> bool:
    """Whether ``dtype`` is a list of Self-Instruct's instances (``{input, output}``)."""
    return isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct) and {"input", "output"} <= {f.name for f in dtype.inner.fields}


def _instances_text(name: str) -> pl.Expr:
    """Every instance's input and output, in order, joined by newlines (empty ones left out)."""
    fields = [_non_empty(pl.element().struct.field(field).cast(pl.String)) for field in ("input", "output")]
    instances = pl.col(name).list.eval(pl.concat_str(fields, separator=FIELD_SEPARATOR, ignore_nulls=True))
    return instances.list.eval(pl.element().filter(pl.element().str.len_bytes() > 0)).list.join(FIELD_SEPARATOR)


def _non_empty(text: pl.Expr) -> pl.Expr:
    """An empty field joins as a missing one: no doubled separators."""
    return pl.when(text.str.len_bytes() > 0).then(text)


def chat_text(name: str, dtype: pl.DataType, roles: tuple[str, ...] = ()) -> pl.Expr:
    """The contents of chat column ``name``'s turns of ``roles`` (all turns without), one a
    line, without the roles' names; ShareGPT's roles read as OpenAI's."""
    layout = _chat_layout(dtype)
    if layout.content_dtype not in (pl.String, pl.Null) and not _text_parts(layout.content_dtype):
        raise QcauditError(f"column {name!r}: message content is {layout.content_dtype}, not text or text parts")
    content = _turn_content(layout)
    if roles:  # a role by either name, in any case (--role Assistant, --role gpt on ShareGPT's)
        wanted = [role.lower() for role in roles]
        raw = pl.element().struct.field(layout.role).cast(pl.String).str.to_lowercase()
        content = content.filter(_turn_role(layout).is_in(wanted) | raw.is_in(wanted))
    return _joined_turns(pl.col(name).list.eval(content.drop_nulls()))


def _joined_turns(contents: pl.Expr) -> pl.Expr:
    """Turns' contents one a line, empty ones (ShareGPT's blank system turns) left out so that
    no line is blank; null where no turn has any."""
    said = contents.list.eval(pl.element().filter(pl.element().str.len_bytes() > 0))
    return pl.when(contents.list.len() > 0).then(said.list.join(FIELD_SEPARATOR))


def _part(frame: pl.LazyFrame, selection: TextSelection, part: str) -> pl.Expr | None:
    """The expression of one part of each row (:data:`PARTS`), null where the row has none;
    None when the input and settings give no such part."""
    schema = frame.collect_schema()
    if _implicit_prompt(selection, schema) and (part != RESPONSE or not selection.response):  # (the response: the chosen answer)
        return _implicit_prompt_part(selection, part)
    chat = next((c for c in (selection.text_column, selection.chosen, *CHAT_COLUMNS) if c and c in schema and is_chat(schema[c])), None)
    if part == PROMPT and selection.prompt:  # a chat field (TRL's conversational prompt) as all its turns
        fields = [_non_empty(_part_text(f, schema[f])) for f in selection.prompt]
        return pl.when(pl.any_horizontal([f.is_not_null() for f in fields])).then(
            pl.concat_str(fields, separator=FIELD_SEPARATOR, ignore_nulls=True))
    column = {RESPONSE: selection.response, CHOSEN: selection.chosen, REJECTED: selection.rejected}.get(part)
    if column:
        layout = _chat_layout(schema[column])
        return chat_answer(column, schema[column]) if layout else _part_text(column, schema[column])
    if part in (PROMPT, RESPONSE) and chat:
        layout = _chat_layout(schema[chat])
        return _chat_prompt(chat, layout) if part == PROMPT else chat_answer(chat, schema[chat])
    return None


def _implicit_prompt(selection: TextSelection, schema: pl.Schema) -> bool:
    """Whether the rows are preference pairs of text without a prompt field, whose prompt is
    then the text both answers open with (TRL's "implicit prompt": Anthropic HH-RLHF's
    transcripts, each pair's two answers after one dialogue)."""
    pair = (selection.chosen, selection.rejected)
    return all(pair) and not selection.prompt and all(schema[name] == pl.String for name in pair)


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
    one; as written where the other is null)."""
    shared = pl.col(_SHARED_PROMPT)
    if part == PROMPT:
        return pl.when(shared > 0).then(pl.col(selection.chosen).str.slice(0, shared))
    answer = selection.rejected if part == REJECTED else selection.chosen
    return pl.when(shared.is_not_null()).then(pl.col(answer).str.slice(shared)).otherwise(pl.col(answer))


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


def _part_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A prompt field's or an answer column's text (:func:`_column_text`); a column of another
    kind, a number, as Polars writes it."""
    text = _column_text(name, dtype)
    return pl.col(name).cast(pl.String) if text is None else text


def chat_answer(name: str, dtype: pl.DataType) -> pl.Expr:
    """The content of the last assistant turn of chat column ``name``."""
    layout = _chat_layout(dtype)
    answers = pl.col(name).list.eval(_turn_content(layout).filter(_turn_role(layout) == "assistant"))
    return answers.list.last()


def _chat_prompt(name: str, layout: ChatLayout) -> pl.Expr:
    """The contents of the turns before the last assistant turn, joined by newlines."""
    is_answer = pl.col(name).list.eval(_turn_role(layout) == "assistant")
    last = pl.col(name).list.len() - 1 - is_answer.list.reverse().list.arg_max()
    turns = pl.when(is_answer.list.any()).then(pl.col(name).list.head(last)).otherwise(pl.col(name))
    return _joined_turns(turns.list.eval(_turn_content(layout).drop_nulls()))
