"""Benchmark test sets to check training data against: load, pick each item's text, give it an id.

Adapters for the common shapes (``auto`` picks one by the benchmark's name, then by its
columns):

- ``gsm8k``: jsonl with ``question``; id ``<name>/<line index>`` (counted across its files). A question asked about a
  passage of its own (:data:`PASSAGE_COLUMNS`: SQuAD's and Social IQa's ``context``, BoolQ's
  and DROP's ``passage``, RACE's ``article``, LogiQA's ``context``, PubMedQA's abstract) is
  the passage and the question, the question its ``stem``, here and in the multiple-choice
  layouts below.
- ``humaneval``: ``prompt`` + ``canonical_solution``; id ``task_id``. (MBPP's layouts, a
  ``text`` or ``prompt`` beside ``code`` and ``test_list``, read by ``auto`` as ``fields``:
  the task and its code, each a part; id ``task_id``.)
- ``mmlu``: csv without header (question, four choices, answer letter), a file per subject;
  text = question + choices; id ``<subject>/<row index>``, the subject its file's (or a
  ``subject`` or ``category`` column's, else the benchmark's name), the row counted among the
  subject's (cais/mmlu's ``all`` names an item as its subject's configuration does). Also the Hugging Face
  layouts of multiple-choice items (:func:`_multiple_choice`): a ``question`` beside a list
  of ``choices`` (cais/mmlu) or of ``options`` (MMLU-Pro), ARC's and OpenBookQA's ``choices``
  of texts and labels, or options a column each (``A``, ``B``, ... of lukaemon/mmlu and
  openai/MMMLU; GPQA's, MedMCQA's and SciQ's answers), read so by ``auto`` whatever the
  benchmark's name.
- ``chat``: an evaluation set written as chats (a ``messages`` or ShareGPT ``conversations``
  column, or the column in ``fields``): the item is its user turns, its last assistant
  turn a part (``answer``); id ``<name>/<index>``.
- ``fields``: the configured ``fields`` joined by newlines (a chat field as its turns'
  contents); id as the ``chat`` adapter's.

Under every adapter ``id_field`` names the items where it is given; with ``auto``, so does a
column of :data:`ID_COLUMNS` that names every item once (ARC's and OpenBookQA's ``id``,
MMLU-Pro's ``question_id``, SQuAD's ``id``), where the adapter is not ``humaneval``, whose
items are named by their ``task_id``.

Besides its whole text an item has parts (:attr:`Benchmark.parts`), because a rephrasing
often copies only one of them: an MMLU question without its options, or only the last line
of a question that opens with a long passage; a HumanEval task's description without its
code, or its code without the description. Each field of the ``fields`` adapter is a part.
The answer options of a multiple-choice item are kept apart (``choices``) as evidence.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

import polars as pl

from qcaudit.errors import QcauditError
from qcaudit.readers import (
    SPLIT_NAMES,
    InputFile,
    format_of,
    input_files,
    names_split_or_shard,
    read_files,
    shown_name,
    without_hub_revision,
)
from qcaudit.remote import format_suffix
from qcaudit.text_columns import chat_answer, chat_text, is_chat, sole_text_column

ITEM_ID, ITEM_TEXT = "item_id", "item_text"
#: Item columns named ``part:<name>`` hold the texts of parts; ``choices`` the answer options.
PART_PREFIX = "part:"
CHOICES = "choices"
WHOLE = "whole"
#: A question's last line is a part of its own when it has at least this many words.
MIN_STEM_WORDS = 4
ADAPTERS = ("auto", "gsm8k", "humaneval", "mmlu", "chat", "fields")


@dataclass(frozen=True)
class Benchmark:
    """A benchmark's items: ``item_id`` and ``item_text``, one row per test item; the files
    they were read from (``sources``) and how (``read_as``: the adapter and the columns it
    was given or guessed), which the report records."""

    name: str
    items: pl.DataFrame
    sources: tuple[str, ...] = ()
    read_as: str = ""

    @property
    def content_hash(self) -> str:
        """SHA-256 of the items (ids, texts, parts and options): what caches of this
        benchmark are keyed by."""
        return hashlib.sha256(self.items.write_ndjson().encode()).hexdigest()

    @property
    def parts(self) -> pl.DataFrame:
        """``item`` (position), ``part`` (``whole`` or the name of a ``part:`` column) and
        ``text``: every item's whole text and each of its parts that differs from it."""
        position = pl.int_range(pl.len(), dtype=pl.UInt32).alias("item")
        frames = [self.items.select(position, pl.lit(WHOLE).alias("part"), pl.col(ITEM_TEXT).alias("text"))]
        for column in self.items.columns:
            if column.startswith(PART_PREFIX):
                name = column.removeprefix(PART_PREFIX)
                frames.append(self.items.select(position, pl.lit(name).alias("part"), pl.col(column).alias("text")))
        parts = pl.concat(frames).filter(pl.col("text").is_not_null() & (pl.col("text").str.strip_chars() != ""))
        return parts.unique(["item", "text"], keep="first", maintain_order=True)

    @property
    def choices(self) -> list[list[str]]:
        """Each item's answer options (empty lists when the benchmark has none); a blank one
        (a layout's unused fifth option) is none: it would be "found" in any blank line."""
        if CHOICES not in self.items.columns:
            return [[] for _ in range(self.items.height)]
        return [[option for option in c or [] if option and option.strip()] for c in self.items[CHOICES].to_list()]


def load_benchmark(
    name: str, path: str | Path, adapter: str = "auto", fields: list[str] | None = None, id_field: str | None = None
) -> Benchmark:
    """Read a benchmark file (or directory, or glob) and shape it with an adapter."""
    if adapter not in ADAPTERS:
        raise QcauditError(f"benchmark {name!r}: unknown adapter {adapter!r}; use one of {', '.join(ADAPTERS)}")
    files = _files(name, path)
    read = cache(lambda csv_header: _read(name, files, csv_header))  # (a guess's read serves again)
    guessed = adapter == "auto"
    if guessed:
        adapter, fields, layout_id = _guess_shape(name, path, files, fields, read)
        id_field = id_field or layout_id
    tables = read(adapter != "mmlu" or _headed_multiple_choice(files, read))
    if guessed and id_field is None and adapter != "humaneval":
        id_field = _id_column([table for _, table in tables])
    firsts = list(itertools.accumulate((table.height for _, table in tables), initial=0))[:-1]  # (each file's first row)
    frames = [_shape(name, file, table, adapter, fields or [], id_field, first)
              for (file, table), first in zip(tables, firsts, strict=True)]
    items = pl.concat(frames)
    if adapter == "mmlu" and id_field is None:  # (each subject's rows numbered in turn, across its files)
        items = items.with_columns(pl.col(ITEM_ID) + pl.int_range(pl.len()).over(ITEM_ID).cast(pl.String))
    items = items.filter(pl.col(ITEM_TEXT).str.strip_chars() != "")
    if items.height == 0:
        raise QcauditError(f"benchmark {name!r}: {path} holds no items with text")
    if items[ITEM_ID].n_unique() != items.height:
        raise QcauditError(f"benchmark {name!r}: item ids are not unique; set id_field to a unique column")
    return Benchmark(name, items, tuple(shown_name(file) for file in files), _read_as(adapter, fields, id_field))


def load_benchmarks(settings: Mapping[str, Any]) -> dict[str, Benchmark]:
    """The benchmarks ``[benchmarks.NAME]`` (and ``--benchmark``) name, loaded: each setting's
    ``path``, ``adapter``, ``fields`` and ``id_field``."""
    return {name: load_benchmark(name, b.path, b.adapter, b.fields, b.id_field) for name, b in settings.items()}


#: Columns that name a test item in common benchmark files, in the order looked for (a
#: column's name in any case: AIME's ``ID``): MATH-500's ``unique_id``, LiveCodeBench's,
#: MT-Bench's and TriviaQA's ``question_id``, SWE-bench's ``instance_id``, GPQA's ``Record ID``,
#: DROP's ``query_id``, IFEval's ``key``, ARC's and many others' ``id``, HotpotQA's ``_id``.
ID_COLUMNS = ("unique_id", "question_id", "problem_id", "instance_id", "task_id", "record id", "query_id", "id", "_id", "key",
              "uid", "qid")


def _id_column(tables: list[pl.DataFrame]) -> str | None:
    """The column of :data:`ID_COLUMNS` that every table holds, of a value in every row and
    none twice: the benchmark's own ids, which say where to find a leaked item better than
    its position does; None where there is none."""
    for wanted in ID_COLUMNS:
        column = next((c for c in tables[0].columns if c.lower() == wanted), None)
        if column and all(column in table.columns and not table.schema[column].is_nested() for table in tables):
            ids = pl.concat([table[column].cast(pl.String) for table in tables])
            if ids.null_count() == 0 and ids.n_unique() == len(ids):
                return column
    return None


def _read_as(adapter: str, fields: list[str] | None, id_field: str | None) -> str:
    """How a benchmark's items were read, in a few words: ``gsm8k``, ``fields problem,
    solution (ids from task_id)``."""
    return " ".join([adapter, *([", ".join(fields)] if fields else [])]) + (f" (ids from {id_field})" if id_field else "")


#: Reads a benchmark's files, a CSV with a header line or without: :func:`_read` for one benchmark.
Reader = Callable[[bool], list[tuple[InputFile, pl.DataFrame]]]


@contextmanager
def _about(name: str) -> Iterator[None]:
    """An input error inside names the benchmark it is about (which of several is broken)."""
    try:
        yield
    except QcauditError as error:
        raise QcauditError(f"benchmark {name!r}: {error}") from None


#: The split of a dataset whose items a benchmark's are, where its folder holds several
#: (``openai/gsm8k/main``: ``train-*`` and ``test-*``), as decontamination checks against a
#: test set (lm-evaluation-harness' decontamination builds its n-grams from test documents).
BENCHMARK_SPLIT = "test"


#: Folders that name a dataset's configuration, not which benchmark it is: Hugging Face's
#: ``default``, GSM8K's ``main`` (beside ``socratic``), cais/mmlu's ``all`` (beside a folder
#: a subject).
_CONFIGURATION_FOLDERS = frozenset({"default", "main", "all"})


def benchmark_name(path: str) -> str:
    """The name a benchmark given by its path alone goes by (``-b PATH``): its file's name
    without suffixes, or, where that says only which split or shard it holds
    (:func:`~qcaudit.readers.names_split_or_shard`: ``gsm8k/test.jsonl``,
    ``openai/gsm8k/main/test-*.parquet``), the nearest folder above it that says more than a
    split, a shard or a configuration; a Hub dataset's ``@REVISION`` left out, and the owner
    of ``datasets``' own cache's folder (``openai___gsm8k``). The file's name where none does."""
    stems = [part.split(".")[0].rpartition("___")[2] for part in PurePosixPath(without_hub_revision(path)[0]).parts if part != "/"]
    named = [stem for stem in stems if not names_split_or_shard(stem) and stem not in _CONFIGURATION_FOLDERS]
    return named[-1] if named else stems[-1]


def _files(name: str, path: str | Path) -> list[InputFile]:
    """The benchmark's files: those ``path`` names, of its :data:`BENCHMARK_SPLIT` where a
    folder holds several splits. A bare word that names no file (``-b gsm8k``) is taken for
    a benchmark qcaudit would know by name: it says that the file is needed."""
    text = str(path)
    if text.isidentifier() and not os.path.lexists(text):
        raise QcauditError(f"benchmark {name!r}: no file {text!r} in {Path.cwd()}; give the benchmark's test split, "
                           f"-b {name}=PATH (qcaudit holds no benchmark and downloads none)")
    with _about(name):
        return input_files(path, split=BENCHMARK_SPLIT)


def _read(name: str, files: list[InputFile], csv_header: bool = True) -> list[tuple[InputFile, pl.DataFrame]]:
    """The benchmark's files, read."""
    with _about(name):
        return read_files(files, csv_header=csv_header)


def _is_mmlu_csv(files: list[InputFile], read: Reader) -> bool:
    """Whether the benchmark's files are MMLU's CSV, which has no header line, under any file
    name: six columns (question, four options, answer), the last an answer letter A to D in
    every row. (Read with a header line, its first row would be taken for column names.)"""
    if format_suffix(files[0]) != ".csv":
        return False
    table = read(False)[0][1]
    last = table.columns[-1]
    return table.width == 6 and table.schema[last] == pl.String and bool(table[last].is_in(["A", "B", "C", "D"]).all())


def _headed_multiple_choice(files: list[InputFile], read: Reader) -> bool:
    """Whether a benchmark read as MMLU is a file with a header line of a multiple-choice
    layout (``question,A,B,C,D,answer``), not MMLU's CSV, which has none: read without one,
    its header would be an item."""
    return not _is_mmlu_csv(files, read) and _multiple_choice(read(True)[0][1].schema) is not None


#: The task's column in MBPP's layouts (the full set's ``text``, the sanitized set's ``prompt``),
#: beside ``code`` and ``test_list``. The item is the task and its code, as BigCode's
#: decontamination of The Stack (bigcode-dataset) looks for MBPP's texts and its solutions.
MBPP_TASK_COLUMNS = ("text", "prompt")
#: Columns that hold a test item's task in common benchmark files (MATH's ``problem``,
#: BIG-bench's ``input``, HellaSwag's ``ctx``, WinoGrande's ``sentence``, PIQA's ``goal``,
#: MT-Bench's ``turns``, OpenBookQA's ``question_stem``, LiveCodeBench's ``question_content``,
#: SWE-bench's ``problem_statement``), in the order an item's text is looked for.
ITEM_COLUMNS = ("problem", "prompt", "input", "instruction", "query", "text", "ctx", "sentence", "goal", "turns",
                "question_stem", "question_content", "problem_statement")


class _Shape(NamedTuple):
    """What ``auto`` makes of a benchmark: its adapter, the columns ``fields`` and ``chat``
    read, and the id column the layout has (MBPP's ``task_id``)."""

    adapter: str
    fields: list[str] | None = None
    id_field: str | None = None


def _guess_shape(name: str, path: str | Path, files: list[InputFile], fields: list[str] | None, read: Reader) -> _Shape:
    """The :class:`_Shape` of a benchmark set to ``auto``: by its name, its file's or its
    folder's name (``mmlu/sociology_test.csv``; not a folder further up, which may be named
    anything), then by its columns (``read(csv_header)`` reads it)."""
    if fields:
        return _Shape("fields", fields)
    lowered = " ".join([name, *Path(str(path)).parts[-2:]]).lower()
    for adapter in ("gsm8k", "humaneval", "mmlu"):
        if adapter in lowered:
            return _Shape(adapter)
    if _is_mmlu_csv(files, read):
        return _Shape("mmlu")
    schema = read(True)[0][1].schema
    columns = schema.names()
    if {"prompt", "canonical_solution"} <= set(columns):
        return _Shape("humaneval")
    for task in MBPP_TASK_COLUMNS:  # MBPP (full, or sanitized): the task and its reference code, parts of the item
        if {task, "code", "test_list"} <= set(columns):
            return _Shape("fields", [task, "code"], "task_id" if "task_id" in columns else None)
    if _multiple_choice(schema) is not None:
        return _Shape("mmlu")
    if "question" in columns:
        return _Shape("gsm8k")
    for column in ITEM_COLUMNS:
        if column in columns:
            return _Shape("fields", [column])
    by_lower_name = {column.lower(): column for column in reversed(columns)}  # the first of each spelling
    for column in ("question", *ITEM_COLUMNS):  # spelt in another case: "Question", "Problem"
        if column in by_lower_name:
            return _Shape("fields", [by_lower_name[column]])
    chats = [column for column in columns if is_chat(schema[column])]
    if chats:
        return _Shape("chat", chats[:1])
    if sole := sole_text_column(schema, columns, format_of(files[:1]) in ("csv", "tsv")):
        return _Shape("fields", [sole])  # (as a dataset's)
    raise QcauditError(
        f"benchmark {name!r}: cannot tell which of its columns ({', '.join(columns)}) holds the test item; "
        f"name it in the config file: [benchmarks.{name}] fields = [\"{columns[0]}\"] (or adapter = gsm8k, humaneval or mmlu)"
    )


def _shape(name: str, file: Path, table: pl.DataFrame, adapter: str, fields: list[str], id_field: str | None,
           first: int = 0) -> pl.DataFrame:
    """One file's items, named by the ``id_field`` column where one is given or found. An item
    without an id of its own is named by its position in the benchmark, after the ``first``
    rows of the files before (``<name>/<position>``); an MMLU item by its subject (its file's,
    or a column's), ``<subject>/``, which :func:`load_benchmark` ends with the item's row
    among its subject's."""
    position = pl.int_range(first, first + pl.len()).cast(pl.String)
    own = None
    if id_field:
        _require(name, file, table, [id_field])
        own = pl.col(id_field).cast(pl.String)
    by_position = own if own is not None else pl.lit(f"{name}/") + position
    if adapter == "mmlu" and (layout := _multiple_choice(table.schema)) is not None:
        # the Hugging Face layouts (QUESTION_COLUMNS): cais/mmlu's question, subject, choices (a
        # list), answer; ARC's question, choices ({text, label}: lists), answerKey; MMLU-Pro's
        # question, options, category; lukaemon/mmlu's input, A to D, target; RACE's article
        # (a passage), question, options
        subject = next((c for c in SUBJECT_COLUMNS if c in table.columns), None)
        prefix = pl.col(subject).cast(pl.String) if subject else pl.lit(_subject(name, file))
        question = _with_passage(table.schema, layout.question)
        return table.select(
            (own if own is not None else prefix + "/").alias(ITEM_ID),
            pl.concat_str([question, layout.options.list.join("\n")], separator="\n", ignore_nulls=True).alias(ITEM_TEXT),
            question.alias(PART_PREFIX + "question"),
            question.map_elements(question_stem, return_dtype=pl.String).alias(PART_PREFIX + "stem"),
            layout.options.list.drop_nulls().alias(CHOICES),
        )
    if adapter == "mmlu":
        if table.width < 6 or any(dtype.is_nested() for dtype in table.schema.values()):
            raise QcauditError(f"benchmark {name!r}: {file} is neither MMLU's csv (question, 4 choices, answer) nor a "
                               f"multiple-choice layout read as one (a column {' or '.join(QUESTION_COLUMNS)} beside a list "
                               f"of {' or '.join(OPTION_COLUMNS)}, or beside columns A, B, C, D); its columns: "
                               f"{', '.join(table.columns)}. Name them: [benchmarks.{name}] fields = [...]")
        question, *choices = table.columns[:5]
        return table.select(
            (own if own is not None else pl.lit(f"{_subject(name, file)}/")).alias(ITEM_ID),
            pl.concat_str([pl.col(question), *map(pl.col, choices)], separator="\n", ignore_nulls=True).alias(ITEM_TEXT),
            pl.col(question).cast(pl.String).alias(PART_PREFIX + "question"),
            pl.col(question).cast(pl.String).map_elements(question_stem, return_dtype=pl.String).alias(PART_PREFIX + "stem"),
            pl.concat_list([pl.col(c).cast(pl.String) for c in choices]).list.drop_nulls().alias(CHOICES),
        )
    if adapter == "chat":
        # an evaluation set written as chats: the item is what the user asks (a system prompt
        # is shared by every item), its reference answer a part of its own
        column = next((c for c in fields or table.columns if c in table.columns and is_chat(table.schema[c])), None)
        if column is None or len(fields) > 1:
            given = f"fields {', '.join(fields)} are not one such column" if fields else "it has none"
            raise QcauditError(f"benchmark {name!r}: the 'chat' adapter reads one chat column (a list of turns with a role "
                               f"and a content): in {file}, {given}")
        return table.select(by_position.alias(ITEM_ID), chat_text(column, table.schema[column], ("user",)).fill_null("").alias(ITEM_TEXT),
                            chat_answer(column, table.schema[column]).alias(PART_PREFIX + "answer"))
    parts: list[pl.Expr] = []
    if adapter == "gsm8k" and _passage(table.schema) is not None:
        _require(name, file, table, ["question"])
        question = _with_passage(table.schema, "question")
        return table.select(by_position.alias(ITEM_ID), question.fill_null("").alias(ITEM_TEXT),
                            question.map_elements(question_stem, return_dtype=pl.String).alias(PART_PREFIX + "stem"))
    if adapter == "gsm8k":
        fields, id_expr = ["question"], by_position
    elif adapter == "humaneval":
        fields, id_expr = ["prompt", "canonical_solution"], own if own is not None else pl.col("task_id")
        _require(name, file, table, ([] if own is not None else ["task_id"]) + fields)
        split = [humaneval_parts(p, s) for p, s in zip(table["prompt"].to_list(), table["canonical_solution"].to_list(), strict=True)]
        table = table.with_columns(
            pl.Series(PART_PREFIX + "description", [d for d, _ in split], dtype=pl.String),
            pl.Series(PART_PREFIX + "code", [c for _, c in split], dtype=pl.String),
        )
        parts = [pl.col(PART_PREFIX + "description"), pl.col(PART_PREFIX + "code")]
    else:
        if not fields:
            raise QcauditError(f"benchmark {name!r}: the 'fields' adapter needs fields = [...]")
        id_expr = by_position
        if len(fields) > 1:
            parts = [_field_text(table, f).alias(PART_PREFIX + f) for f in fields]
    _require(name, file, table, fields)
    text = pl.concat_str([_field_text(table, f) for f in fields], separator="\n", ignore_nulls=True)
    return table.select(id_expr.cast(pl.String).alias(ITEM_ID), text.fill_null("").alias(ITEM_TEXT), *parts)


#: What ends a file's name after its subject: the split it holds (:data:`SPLIT_NAMES`, and
#: hendrycks' MMLU files' ``_val`` beside ``abstract_algebra_test.csv`` and ``_dev``), a
#: numbered shard's count.
_AFTER_SUBJECT = re.compile(rf"(?:[-_](?:{'|'.join(sorted(SPLIT_NAMES | {'val'}))}))?(?:-\d{{5}}-of-\d{{5}}.*)?$")


def _subject(name: str, file: InputFile) -> str:
    """The subject an MMLU file's items are named by where no column gives it: the file's
    name without its split and shard (``abstract_algebra_test.csv`` is ``abstract_algebra``, as
    cais/mmlu's subject column names it), or the benchmark's name where the file's names
    only a split or a shard (``test-00000-of-00001.parquet``)."""
    stem = PurePosixPath(str(file)).name.split(".")[0]
    return name if names_split_or_shard(stem) else _AFTER_SUBJECT.sub("", stem, count=1)


#: The question's column in the Hugging Face layouts of multiple-choice items: cais/mmlu's,
#: ARC's and MMLU-Pro's ``question``, openai/MMMLU's ``Question``, lukaemon/mmlu's ``input``,
#: OpenBookQA's ``question_stem``, LogiQA's ``query`` (after its ``context``).
QUESTION_COLUMNS = ("question", "Question", "input", "question_stem", "query")
#: The options' column in those layouts: a list (cais/mmlu's ``choices``, MMLU-Pro's
#: ``options``), or ARC's and OpenBookQA's ``choices`` of texts beside their labels.
OPTION_COLUMNS = (CHOICES, "options")
#: Options held one a column, in the order read (the longest run of each set's first columns
#: present, two at least): lukaemon/mmlu's and openai/MMMLU's ``A``, ``B``, ``C``, ``D``; GPQA's
#: correct and incorrect answers; MedMCQA's ``opa`` to ``opd``; SciQ's correct answer and
#: distractors.
OPTION_COLUMN_RUNS = (tuple("ABCDEFGHIJ"), ("Correct Answer", "Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3"),
                      ("opa", "opb", "opc", "opd"), ("correct_answer", "distractor1", "distractor2", "distractor3"))
#: The item's subject, in its id (``<subject>/<row>``), where the layout has one.
SUBJECT_COLUMNS = ("subject", "Subject", "category")
#: A passage that a question is asked about, beside the question: SQuAD's and Social IQa's
#: ``context``, BoolQ's and DROP's ``passage``, RACE's ``article``. It is benchmark text (a
#: copy of the passage leaks the item) and several questions share it, so the item is the
#: passage and the question, and the question is its ``stem``, as an MMLU history item's
#: last line is; lm-evaluation-harness's decontamination queries hold the passage too. A
#: passage may be a list of paragraphs, or PubMedQA's ``context`` (an abstract's paragraphs
#: as ``contexts``, beside their section labels and MeSH terms, which are not read).
PASSAGE_COLUMNS = ("passage", "context", "article")


def _passage(schema: pl.Schema) -> pl.Expr | None:
    """The layout's passage (:data:`PASSAGE_COLUMNS`) as text, its paragraphs a line each;
    None without one. (HotpotQA's ``context``, the titles and sentences of ten paragraphs,
    eight of them distractors from Wikipedia, is no passage of the item's.)"""
    for column in PASSAGE_COLUMNS:
        dtype = schema.get(column)
        if dtype == pl.String:
            return pl.col(column)
        if dtype == pl.List(pl.String):
            return pl.col(column).list.join("\n")
        if isinstance(dtype, pl.Struct) and dict(dtype.to_schema()).get("contexts") == pl.List(pl.String):
            return pl.col(column).struct.field("contexts").list.join("\n")
    return None


def _with_passage(schema: pl.Schema, question: str) -> pl.Expr:
    """The question, after its passage on a line of its own when the layout has one."""
    passage = _passage(schema)
    text = pl.col(question).cast(pl.String)
    if passage is None:
        return text
    # (a question a line: question_stem takes the last line, so the passage's lines stay apart from it)
    return pl.concat_str([passage, text.str.replace_all(r"\s*\n\s*", " ")], separator="\n", ignore_nulls=True)


class _MultipleChoice(NamedTuple):
    """Where a multiple-choice layout holds an item's question, and its options as a list of strings."""

    question: str
    options: pl.Expr


def _multiple_choice(schema: pl.Schema) -> _MultipleChoice | None:
    """The question and options of a multiple-choice layout (:data:`QUESTION_COLUMNS` beside
    :data:`OPTION_COLUMNS`, or beside one column an option, :data:`OPTION_COLUMN_RUNS`);
    None when ``schema`` is not one."""
    question = next((c for c in QUESTION_COLUMNS if schema.get(c) == pl.String), None)
    if question is None:
        return None
    for column in OPTION_COLUMNS:
        dtype = schema.get(column)
        if isinstance(dtype, pl.List) and not dtype.inner.is_nested():
            return _MultipleChoice(question, pl.col(column).cast(pl.List(pl.String)))
        if isinstance(dtype, pl.Struct) and isinstance(dict(dtype.to_schema()).get("text"), pl.List):
            return _MultipleChoice(question, pl.col(column).struct.field("text").cast(pl.List(pl.String)))
    for run in OPTION_COLUMN_RUNS:
        columns = list(itertools.takewhile(lambda column: column in schema and not schema[column].is_nested(), run))
        if len(columns) >= 2:
            return _MultipleChoice(question, pl.concat_list([pl.col(column).cast(pl.String) for column in columns]))
    return None


def _field_text(table: pl.DataFrame, field: str) -> pl.Expr:
    """A field as text: a nested one (ARC's ``question``: a stem and a list of choices) as the
    strings within it, one a line, in order; not as Polars' rendering of the structure."""
    if not table.schema[field].is_nested():
        return pl.col(field).cast(pl.String)
    if is_chat(table.schema[field]):  # its turns' contents, not their roles' names
        return chat_text(field, table.schema[field])
    return pl.col(field).map_elements(lambda value: "\n".join(_strings_within(value)) or None, return_dtype=pl.String)


def _strings_within(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, pl.Series):  # (a list column's value, as map_elements hands it over)
        value = value.to_list()
    return [s for item in value for s in _strings_within(item)] if isinstance(value, list) else []


def question_stem(question: str | None) -> str | None:
    """The last line of a question that opens with a passage (MMLU history items quote a
    source, then ask), when it has at least :data:`MIN_STEM_WORDS` words."""
    lines = [line.strip() for line in (question or "").splitlines() if line.strip()]
    if len(lines) < 2 or len(lines[-1].split()) < MIN_STEM_WORDS:
        return None
    return lines[-1]


_DOCSTRING = re.compile(r'("""|\'\'\')(.*?)\1', re.DOTALL)
#: Where a docstring's examples begin: a line that opens with one of these (its indent ``[^\S\n]*``,
#: not ``\s*``, which would read every run of blank lines to its end from each of its lines).
_EXAMPLES = re.compile(r"^[^\S\n]*(>>>|Example|For example|for example|Examples)", re.MULTILINE)


def humaneval_parts(prompt: str, solution: str) -> tuple[str, str]:
    """A HumanEval task as (description, code): the docstring's prose before its examples,
    and the prompt without its docstring followed by the canonical solution."""
    docstring = _DOCSTRING.search(prompt or "")
    if docstring is None:
        return "", (prompt or "") + (solution or "")
    prose = _EXAMPLES.split(docstring.group(2), maxsplit=1)[0]
    description = " ".join(prose.split())
    code = prompt[: docstring.start()] + prompt[docstring.end():] + (solution or "")
    return description, code


def _require(name: str, file: Path, table: pl.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise QcauditError(
            f"benchmark {name!r}: {file} has no column {missing[0]!r}; available: {', '.join(table.columns)}"
        )
