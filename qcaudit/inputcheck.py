"""Refuse text input that readers would disagree on, before Polars reads it.

Polars is lenient where an audit must not be: of an object with a key twice it keeps the
first value (``json.loads``, pandas and most training loaders keep the last), so a file can
show the audit one text and the trainer another; a JSON column holding lists on some rows
and strings on others becomes a column of JSON text; a CSV row with more fields than the
header is cut to the columns asked for. Each of these is ambiguous input, and is refused
here with the line that shows it:

- JSON Lines and JSON: every line (item) is parsed with the standard library's parser
  (a C scanner; a Python call per object, about 2 µs a line): a key twice in one object at
  any depth, a line that is not an object, bytes that are not UTF-8, nesting too deep to
  parse, and a top-level key whose values mix containers (lists, objects) with scalars are
  refused. Numbers and strings mixed in one column stay accepted (audited as their text), as
  do texts and lists of turns in a field that an API takes either way (:data:`TEXT_OR_TURNS`:
  each text is then read as one turn, :attr:`TextFileCheck.text_or_turns`).
  A .json file that holds JSON Lines is checked, and read, as JSON Lines; one that holds a
  table as pandas writes one, or records under a single key (``{"data": [...]}``), as its
  rows (:func:`object_records`); one that holds an array, or records under a key beside a
  little metadata, an item at a time (:mod:`qcaudit.json_array`), never whole.
- CSV and TSV: the standard library's reader checks that the header names each column once
  and that every record has as many fields as the header. A tab-separated file is read with
  CSV's quoting (a field in double quotes may hold tabs, newlines and doubled quotes), as
  pandas, Polars and the standard library write it, when it reads so without fault and with
  every record full; otherwise without quoting, as the format itself has none (a quote is
  text; a field holds no tab or newline).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import BinaryIO, NamedTuple, TextIO

from qcaudit.compression import (
    COMPRESSIONS,
    DAMAGED,
    LZMA_ALONE,
    compression,
    compression_by_content,
    open_decompressed,
    without_compression,
)
from qcaudit.errors import QcauditError
from qcaudit.json_array import (
    ArrayError,
    NotKeyedRecords,
    NotUtf8,
    array_items,
    holds_keyed_records,
    keyed_records,
)
from qcaudit.progress import row_progress

#: What reads a stream's JSON items with their text: :func:`~qcaudit.json_array.array_items`
#: or :func:`~qcaudit.json_array.keyed_records`.
ItemReader = Callable[[BinaryIO, json.JSONDecoder], Iterator[tuple[object, str]]]
#: The byte-order marks of UTF-16, little- and big-endian.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
BOM = b"\xef\xbb\xbf"
#: How many line numbers an error lists.
SHOWN = 3
#: Polars' reading options of the delimited readings: CSV; tab-separated without quoting (a
#: quote is text; a field cannot hold a tab or a newline), and with CSV's quoting; and CSV
#: whose fields no quote opens, read without quoting (Polars takes a quote anywhere in a
#: field for the start or end of a quoted part, where the csv module, pandas and a spreadsheet
#: read a quote inside a field as text: a row of `a 12" pizza` made a whole file "no rows").
DELIMITED = {"csv": {"separator": ","}, "csv-semicolon": {"separator": ";"}, "tsv": {"separator": "\t", "quote_char": None},
             "tsv-quoted": {"separator": "\t"}, "csv-unquoted": {"separator": ",", "quote_char": None},
             "csv-semicolon-unquoted": {"separator": ";", "quote_char": None}}
#: The same for the standard library's reader, which checks the files first.
_CSV_MODULE = {"csv": {"delimiter": ","}, "csv-semicolon": {"delimiter": ";"},
               "tsv": {"delimiter": "\t", "quoting": csv.QUOTE_NONE}, "tsv-quoted": {"delimiter": "\t"}}


#: How much of a .json file's start :func:`opens_json_lines` reads at most to tell JSON
#: Lines from one document.
JSON_LINES_LOOK = 64 * 2**20
#: ... reading first this much, then as much again as was read.
_FIRST_LOOK = 2**18
#: JSON's whitespace at the start of a text, or after a value.
_LEADING_SPACE = re.compile(r"[ \t\n\r]*")
#: How much of a file's start :func:`lines_end_in_cr` reads.
LINE_END_LOOK = 64 * 2**10
#: The reading of a JSON array of strings (what ``json.dump(texts, file)`` writes), or of
#: JSON Lines of one string a line: one text a row, as a .txt file is, but a text may hold
#: newlines. Read as JSON Lines of strings: the file's lines, or those of the copy (or head)
#: that the check writes of an array, one item a line.
JSON_TEXTS = "json-texts"


@dataclass(frozen=True)
class TextFileCheck:
    """What the check learnt: rows (non-blank lines or items), whether a UTF-8 BOM leads, and
    how to read the file: its format, or another reading of it (``jsonl`` for a .json file
    that holds JSON Lines; ``tsv-quoted`` for a tab-separated file written with quoting;
    ``csv-semicolon`` for a .csv file whose fields a semicolon separates; ``-unquoted`` after
    either CSV reading where no quote opens a field; :data:`JSON_TEXTS`)."""

    rows: int
    bom: bool
    reading: str
    #: The first rows' lines as the file holds them (decompressed, without a BOM), where the
    #: check was asked to check only those (:func:`check_text_file`'s ``head_rows``).
    head: bytes | None = None
    #: Whether the rows of a JSON document (an array's items, of objects or of texts; the
    #: records an object holds, or the rows of a table as pandas writes one) were written as
    #: JSON Lines as they were checked (:func:`check_text_file`'s ``json_lines``).
    copied: bool = False
    #: The keys of :data:`TEXT_OR_TURNS` whose value is a text in some rows and a list of
    #: turns in others (:func:`_text_or_turns`), at the top level or in an object one level
    #: down (a batch request's ``body.input``, dotted). Polars reads them as text, the lists
    #: written as JSON; :mod:`qcaudit.io` reads each text as a turn.
    text_or_turns: tuple[str, ...] = ()


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


class _NotJson(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity``: Python's json module reads and writes them, JSON
    (and Polars, which reads the file) does not."""

    def __init__(self, constant: str):
        self.constant = constant


def _not_json(constant: str) -> object:
    raise _NotJson(constant)


class _HugeInteger(ValueError):
    """An integer beyond Polars' widest integer (128 bits): it cannot read the file ("InvalidNumber
    at character N"), and Python's json module, past 4,300 digits, cannot either."""

    def __init__(self, digits: int):
        self.digits = digits


def _integer(text: str) -> int:
    """A JSON integer as Python reads it, or :class:`_HugeInteger` for one beyond 128 bits."""
    if len(text) > 38 and (len(text) > 4000 or not -(2**127) <= int(text) < 2**127):
        raise _HugeInteger(len(text.lstrip("-")))
    return int(text)


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_not_json, parse_int=_integer)


KIND_NAMES = {"list": "lists", "object": "objects", "scalar": "text or numbers"}


def _kind(value: object) -> str:
    return "list" if isinstance(value, list) else "object" if isinstance(value, dict) else "scalar"


#: The fields that an API takes as a text or as a list of turns, so that a log of its calls
#: holds both: OpenAI's Responses API's ``input``. Elsewhere (a chat's ``messages``) a text
#: among turns is a fault, refused as any field that mixes kinds of values is.
TEXT_OR_TURNS = ("input",)
#: The keys of a chat's turn, or of an item of OpenAI's Responses API, one of which each
#: object of a list of turns holds (:func:`_text_or_turns`).
TURN_KEYS = ("role", "type")


def _text_or_turns(value: object) -> bool:
    """Whether ``value`` is a text, or a list of turns (objects that each hold one of
    :data:`TURN_KEYS`): what a key that an API takes either way holds."""
    return isinstance(value, str) or isinstance(value, list) and all(
        isinstance(item, dict) and any(key in item for key in TURN_KEYS) for item in value)


#: :func:`_kind` of the containers JSON parses to, by their exact type (a look-up, not a call,
#: on every value of every record the check reads).
_CONTAINER_KINDS = {list: "list", dict: "object"}


@dataclass
class _Kinds:
    """Per top-level key: the lines where each kind of value (container or scalar) appeared,
    and the keys whose first values of a kind were not all texts or lists of turns; the same
    for each key of :data:`TEXT_OR_TURNS` inside an object (``body.input``: ``nested``)."""

    lines: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    not_text_or_turns: set[str] = field(default_factory=set)
    #: The dotted names of the keys counted inside objects: never refused (Polars reads a
    #: field of mixed values inside a struct as text), read as turns where they hold both.
    nested: set[str] = field(default_factory=set)

    def add(self, record: dict, where: int) -> None:
        """Count the kinds of ``record``'s values (parsed JSON, the line or item ``where``)."""
        all_counts = self.counts
        for key, value in record.items():
            if value is None:
                continue
            kind = _CONTAINER_KINDS.get(type(value), "scalar")
            counts = all_counts.get(key)
            if counts is None:
                counts = all_counts[key] = {}
            seen = counts[kind] = counts.get(kind, 0) + 1
            if seen <= SHOWN:
                self.lines.setdefault(key, {}).setdefault(kind, []).append(where)
                if not _text_or_turns(value):
                    self.not_text_or_turns.add(key)
            if kind == "object":
                for name in TEXT_OR_TURNS:
                    if (inside := value.get(name)) is not None:
                        self._add_inside(f"{key}.{name}", inside, where)

    def _add_inside(self, dotted: str, value: object, where: int) -> None:
        """Count the kind of ``value``, a key of :data:`TEXT_OR_TURNS` inside an object, under
        its ``dotted`` name: a batch request's ``body.input``, a text in some and turns in others."""
        kind = _CONTAINER_KINDS.get(type(value), "scalar")
        counts = self.counts.get(dotted)
        if counts is None:
            counts = self.counts[dotted] = {}
            self.nested.add(dotted)
        seen = counts[kind] = counts.get(kind, 0) + 1
        if seen <= SHOWN and not _text_or_turns(value):
            self.not_text_or_turns.add(dotted)

    def check(self, path: Path, unit: str) -> tuple[str, ...]:
        """Refuse a top-level key whose values are of more than one kind, but one of
        :data:`TEXT_OR_TURNS` that holds a text in some rows and a list of turns in others (as
        its first :data:`SHOWN` values of each kind do): the keys that do, and the dotted
        names of such keys inside objects (:attr:`TextFileCheck.text_or_turns`)."""
        text_or_turns = []
        for key, counts in self.counts.items():
            if (key in TEXT_OR_TURNS or key in self.nested) and counts.keys() == {"list", "scalar"} and key not in self.not_text_or_turns:
                text_or_turns.append(key)
            elif len(counts) > 1 and key not in self.nested:
                kinds = sorted(counts, key=lambda k: (-counts[k], k))
                described = [
                    f"{KIND_NAMES[k]} on {counts[k]:,} row{'s' * (counts[k] != 1)} ({unit}{'s' * (counts[k] != 1)} "
                    f"{', '.join(str(n) for n in self.lines[key][k])}{', ...' if counts[k] > SHOWN else ''})"
                    for k in kinds
                ]
                raise QcauditError(f"{path}: column {key!r} mixes {' and '.join(described)}; give every row the same kind of value")
        return tuple(text_or_turns)


#: A file from this size on disk shows the progress of its check, which reads every line.
CHECK_SHOWN_BYTES = 64 * 2**20
#: Lines read between two looks at how far into the file the check is.
LINES_A_LOOK = 16_384
#: The same for the items of a JSON array.
ITEMS_A_LOOK = 1_024


@contextmanager
def _shown_reading(path: Path) -> Iterator[tuple[BinaryIO, Callable[[], None]]]:
    """The file's bytes, decompressed, and a function to call now and then as they are read:
    a file of :data:`CHECK_SHOWN_BYTES` or more says how many of its MB (on disk) have been
    checked (``checking d.jsonl.gz: 96/480 MB (20%), 25 MB/s, 15s left``), as other long
    steps do."""
    with open(path, "rb") as raw, open_decompressed(path, raw) as handle:
        size = os.fstat(raw.fileno()).st_size
        if size < CHECK_SHOWN_BYTES:
            yield handle, lambda: None
            return
        megabytes = -(-size // 2**20)
        with row_progress(f"checking {path.name}", megabytes, unit="MB") as shown:
            checked = 0

            def look() -> None:
                nonlocal checked
                if (now := raw.tell() // 2**20) > checked:
                    shown.advance(now - checked)
                    checked = now

            yield handle, look
            shown.advance(megabytes - checked)


def _lines(path: Path) -> Iterator[bytes]:
    """The file's lines, decompressed, its progress shown (:func:`_shown_reading`)."""
    with _shown_reading(path) as (handle, look):
        for number, line in enumerate(handle):
            yield line
            if number % LINES_A_LOOK == 0:
                look()


#: What :data:`_DECODER` raises on a value it refuses, besides invalid JSON.
_REFUSALS = (_DuplicateKey, _NotJson, RecursionError, _HugeInteger)


def _parse(text: str, path: Path, where: str) -> object:
    try:
        return _DECODER.decode(text)
    except _REFUSALS as exc:
        raise _refused(exc, path, where) from None
    except json.JSONDecodeError as err:
        raise QcauditError(f"{path}: invalid JSON on {where}: {err.msg} (column {err.colno})") from None


def _refused(exc: Exception, path: Path, where: str) -> QcauditError:
    """The error that says why :data:`_DECODER` refused the value at ``where``."""
    if isinstance(exc, _DuplicateKey):
        return QcauditError(f"{path}: {where} has the key {exc.key!r} twice in one object; readers disagree on which value "
                            "counts, so the file is ambiguous: keep one")
    if isinstance(exc, _NotJson):
        return QcauditError(f"{path}: {where} holds {exc.constant}, which is not JSON (Python's json.dumps writes it for a "
                            "float that is not a number or infinite); write null there instead")
    if isinstance(exc, _HugeInteger):
        return QcauditError(f"{path}: {where} holds an integer of {exc.digits:,} digits, more than a 128-bit integer holds, "
                            "which Polars reads no further; write it as a string (or a float)")
    return QcauditError(f"{path}: {where} is nested too deeply to read")


def _decode(raw: bytes, path: Path, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        if number == 1 and raw.startswith(UTF16_BOMS):
            raise _utf16(path) from None
        raise QcauditError(f"{path}: line {number} is not valid UTF-8 (byte {err.start + 1} of the line, "
                           f"{_legacy_guess(raw[err.start])}); re-encode the file as UTF-8") from None


def _utf16(path: Path) -> QcauditError:
    """The error for a file that opens with UTF-16's byte-order mark (Excel's "Unicode text",
    PowerShell's redirection)."""
    return QcauditError(f"{path}: the file is UTF-16 (it opens with UTF-16's byte-order mark); re-encode it as UTF-8 "
                        f"(iconv -f UTF-16 -t UTF-8)")


def _legacy_guess(byte: int) -> str:
    """A byte that is not UTF-8, and what it is in Windows-1252 (Latin-1's superset, what
    Excel and older Windows tools write), with the command that would convert such a file."""
    try:
        char = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:  # (the five bytes Windows-1252 leaves undefined)
        return f"0x{byte:02X}"
    return f"0x{byte:02X}, {char!r} in Windows-1252: if that is the file's encoding, iconv -f WINDOWS-1252 -t UTF-8"


def _check_json_lines(path: Path, lines: Iterable[bytes] | None = None, head_rows: int | None = None) -> TextFileCheck:
    """Check a JSON Lines file, line by line; ``lines``: its lines when already read;
    ``head_rows``: check only so many rows (:func:`check_text_file`). One that opens a JSON
    array (a .json file named .jsonl) is checked, and read, as the array, as ``datasets`` reads it."""
    kinds, rows, bom = _Kinds(), 0, False
    kind, first_null = None, 0  # (what the lines hold, objects or strings; the first null line)
    head: list[bytes] | None = None if head_rows is None else []
    for number, raw in enumerate(_lines(path) if lines is None else lines, start=1):
        if number == 1 and raw.startswith(BOM):
            raw, bom = raw[len(BOM):], True
        # past the quick look, once the kind of its values is known (its first rows may all be null): counted if not blank
        if head is not None and rows >= head_rows and kind is not None:
            rows += bool(raw.strip(JSON_SPACE))
            continue
        if not raw.strip(JSON_SPACE):
            continue
        text = _decode(raw, path, number)
        if not rows and lines is None and opens_array_of_objects(text):
            return _check_json_document(path)
        if text.rstrip().endswith("},"):  # records written as an array's items, one a line
            _parse(text.rstrip()[:-1], path, f"line {number}")
            raise QcauditError(f"{path}: line {number} ends with a comma after its object; JSON Lines holds one object a "
                               "line and nothing between them: remove the commas")
        record = _parse(text, path, f"line {number}")
        if record is None:  # (null: a text that is missing, in a file of texts)
            first_null = first_null or number
        elif kind is None:  # the first value that is not null says what the lines hold
            kind = str if isinstance(record, str) else dict
        if kind is str and not isinstance(record, str | None):
            raise QcauditError(f"{path}: line {number} is not a JSON string, as the lines before it are (a file of texts "
                               "holds one string a line)")
        if kind is dict and (first_null or not isinstance(record, dict)):
            raise QcauditError(f"{path}: line {first_null or number} is not a JSON object (each line must be one {{...}} "
                               "record, or each line one string)")
        if kind is dict:
            kinds.add(record, number)
        if head is not None:
            head.append(raw)
        rows += 1
    if rows and kind is None:
        raise QcauditError(f"{path}: every line is null")
    mixed = kinds.check(path, "line")
    return TextFileCheck(rows, bom, JSON_TEXTS if kind is str else "jsonl", None if head is None else b"".join(head),
                         text_or_turns=mixed)


def opens_array_of_objects(line: str) -> bool:
    """Whether a file whose first non-blank line is ``line`` opens a JSON array of objects
    (a .json file named .jsonl): ``[`` alone, or ``[`` and then ``{``."""
    opening = line.strip()
    return opening.startswith("[") and (opening == "[" or opening[1:].lstrip().startswith("{"))


def _check_plain_lines(path: Path, head_rows: int | None = None) -> TextFileCheck:
    """Check a plain text file, one row a line: every line UTF-8 (the first ``head_rows``
    alone, kept, where a quick look asks for them: :func:`check_text_file`). A final newline
    ends the last line rather than opening another."""
    rows, bom = 0, False
    head: list[bytes] | None = None if head_rows is None else []
    for rows, raw in enumerate(_lines(path), start=1):
        if head is not None and rows > head_rows:
            continue
        if rows == 1 and raw.startswith(BOM):
            raw, bom = raw[len(BOM):], True
        _decode(raw, path, rows)
        if head is not None:
            head.append(raw)
    return TextFileCheck(rows, bom, "txt", None if head is None else b"".join(head))


def _check_json_document(path: Path, json_lines: TextIO | None = None, head_rows: int | None = None) -> TextFileCheck:
    if opens_json_array(path):
        return _check_json_array(path, json_lines, head_rows)
    if opens_json_lines(path):  # many datasets named .json are JSON Lines; `datasets` reads them so too
        return _check_json_lines(path, head_rows=head_rows)  # (line by line, not read whole)
    try:  # records under a key beside a little metadata ({"version": "1.1", "data": [...]}): item by item
        return _check_json_array(path, json_lines, head_rows, keyed_records)
    except NotKeyedRecords:  # any other object, or what is no JSON: read whole, and its faults named so
        if json_lines is not None:
            json_lines.seek(0)
            json_lines.truncate()
    with open_decompressed(path) as handle:
        data = handle.read()
    bom = data.startswith(BOM)
    text = _decode(data[len(BOM):] if bom else data, path, 1)
    if holds_json_lines(text):  # (a first line longer than opens_json_lines reads)
        return _check_json_lines(path, io.BytesIO(data), head_rows=head_rows)  # split at b"\n" as a file is
    del data  # (not held beside the parsed document)
    document = _parse(text, path, "the document") if text.strip() else []
    del text
    if isinstance(document, dict):
        try:
            document = object_records(document) or document
        except ValueError as exc:
            raise QcauditError(f"{path}: {exc}") from None
    if not isinstance(document, list) or not all(isinstance(item, dict) for item in document):
        raise QcauditError(f"{path}: a .json file must hold an array of objects or of strings (or use .jsonl, one object a "
                           "line)")
    kinds = _Kinds()
    for index, item in enumerate(document):
        kinds.add(item, index)
    mixed = kinds.check(path, "item")
    lines = map(json.dumps, document)  # (ASCII: a lone surrogate escape stays one)
    if head_rows is not None:
        return TextFileCheck(len(document), bom, "jsonl", "".join(f"{line}\n" for line in islice(lines, head_rows)).encode(),
                             text_or_turns=mixed)
    if json_lines is not None:  # (its rows, one a line, as an array's items are copied: not parsed whole again to read)
        for line in lines:
            json_lines.write(line)
            json_lines.write("\n")
    return TextFileCheck(len(document), bom, "json", copied=json_lines is not None, text_or_turns=mixed)


def lines_end_in_cr(path: Path) -> bool:
    """Whether the (decompressed) file's first :data:`LINE_END_LOOK` bytes hold a carriage
    return and no line feed: its lines end as classic Mac OS ended them. False for a file that
    cannot be read so (damaged, a Git LFS pointer named .gz, a folder): the check that reads it
    says what is wrong."""
    try:
        with open_decompressed(path) as handle:
            start = handle.read(LINE_END_LOOK)
    except (*DAMAGED, OSError):
        return False
    return b"\r" in start and b"\n" not in start


def holds_records_under_a_key(path: Path) -> bool:
    """Whether the (decompressed) file is a JSON object whose rows are its records under one key
    beside a little metadata (:func:`~qcaudit.json_array.keyed_records`), read to its end a
    record at a time: for a reader that cannot take back the records it gave where the
    object turns out to be of another shape."""
    with open_decompressed(path) as handle:
        return holds_keyed_records(handle, _DECODER)


def opens_json_array(path: Path) -> bool:
    """Whether the (decompressed) file's first character that is not whitespace, after any
    byte-order mark, is ``[``: a JSON array, read item by item (:func:`json_array_items`)."""
    with open_decompressed(path) as handle:
        start = handle.read(len(BOM)).removeprefix(BOM)
        while not start.strip(JSON_SPACE):
            more = handle.read(64 * 2**10)
            if not more:
                return False
            start = more
    return start.lstrip(JSON_SPACE).startswith(b"[")


def json_array_items(path: Path, stream: BinaryIO, read: ItemReader = array_items) -> Iterator[tuple[object, str]]:
    """The items of the JSON array that ``stream`` holds (the file ``path``) with their text
    (:func:`~qcaudit.json_array.array_items`; ``read``
    :func:`~qcaudit.json_array.keyed_records`: the records an object holds under a key, which
    raises :class:`~qcaudit.json_array.NotKeyedRecords` for another object); an item refused
    as :func:`_parse` refuses a line (a key twice, NaN, ...), invalid JSON or bytes that are
    not UTF-8 end in one line that names the place."""
    items = 0
    try:
        for items, item in enumerate(read(stream, _DECODER), start=1):
            yield item
    except ArrayError as bad:
        raise QcauditError(f"{path}: invalid JSON {'in ' if bad.where.startswith('item') else ''}{bad.where}: {bad.message}") from None
    except NotUtf8 as bad:
        if bad.offset == 0 and bad.byte in (UTF16_BOMS[0][0], UTF16_BOMS[1][0]):
            with open_decompressed(path) as handle:
                if handle.read(2) in UTF16_BOMS:
                    raise _utf16(path) from None
        raise QcauditError(f"{path}: byte {bad.offset + 1:,} of its text is not valid UTF-8 ({_legacy_guess(bad.byte)}); "
                           "re-encode the file as UTF-8") from None
    except _REFUSALS as exc:
        raise _refused(exc, path, f"item {items + 1}") from None


def _check_json_array(path: Path, json_lines: TextIO | None = None, head_rows: int | None = None,
                      read: ItemReader = array_items) -> TextFileCheck:
    """Check a .json file that holds an array, item by item (:func:`json_array_items`, its
    items as ``read`` gives them: those of an array, or an object's records under a key): of
    objects, each checked as a JSON Lines line is, or of texts (strings and nulls). Each item
    is written to ``json_lines``, where given, one a line. ``head_rows`` (a quick look): only
    the first items are checked and kept (:attr:`TextFileCheck.head`, one a line), and the
    rest counted; the count parses them, so invalid JSON further on still stops it."""
    kinds, rows, held = _Kinds(), 0, set()  # (held: the kinds of item seen: "object", "text", "null", "other")
    head: list | None = None if head_rows is None else []
    with open_decompressed(path) as handle:
        bom = handle.read(len(BOM)) == BOM
    with _shown_reading(path) as (handle, look):
        for rows, (item, text) in enumerate(json_array_items(path, handle, read), start=1):
            if rows % ITEMS_A_LOOK == 0:
                look()
            if head is not None and rows > head_rows and held - {"null"}:
                continue  # (past the quick look, once the kind of its items is known: counted)
            line = text.replace("\n", " ").replace("\r", " ")  # (its newlines are whitespace: a JSON string holds none unescaped)
            if head is not None:
                head.append(line)
            if json_lines is not None:
                json_lines.write(line)
                json_lines.write("\n")
            kind = "object" if isinstance(item, dict) else "text" if isinstance(item, str) else "null" if item is None else "other"
            held.add(kind)
            if "text" in held and held & {"object", "other"}:
                raise QcauditError(f"{path}: its array mixes strings with other values (item {rows}); give an array of texts, "
                                   "or of objects")
            if kind == "object":
                kinds.add(item, rows)
            elif kind == "other":
                raise QcauditError(f"{path}: item {rows} is neither an object nor a string: a .json file must hold an array "
                                   "of objects or of strings (or use .jsonl, one object a line)")
    if "null" in held and "text" not in held:
        raise QcauditError(f"{path}: a .json file must hold an array of objects or of strings, and some of its items are "
                           "null (or use .jsonl, one object a line)")
    mixed = () if "text" in held else kinds.check(path, "item")
    lines = None if head is None else "".join(f"{line}\n" for line in head).encode()
    reading = JSON_TEXTS if "text" in held else "json" if head is None else "jsonl"
    return TextFileCheck(rows, bom, reading, lines, copied=json_lines is not None, text_or_turns=mixed)


def object_records(document: dict) -> list[dict] | None:
    """The rows of a JSON object, in order: a table as pandas writes one, or records under one
    key; None for any other object. pandas' ``to_json`` orients: ``columns`` (its default;
    ``{column: {index: value}}``), ``index`` (``{index: {column: value}}``: told from
    ``columns`` by outer keys that are all whole numbers where the inner ones are not),
    ``split`` (``{"columns": [...], "data": [[...]]}``) and ``table`` (``{"schema": ...,
    "data": [{...}]}``); and a list a column (``to_dict("list")``, which ``pandas.DataFrame``
    reads as columns; ``datasets`` 5 reads it as one row of lists). A value a row lacks is
    null. Records under one key beside metadata (SQuAD's ``{"version": "1.1", "data": [...]}``,
    ``{"train": [...]}``) are that key's, as ``datasets``' ``field=`` reads them; lists a
    column that all hold records are such keys, not a table. ValueError for lists a column of
    different lengths, which make no table, and for records under several keys (splits side
    by side), which would read as one."""
    if not document:
        return None
    values = list(document.values())
    if set(document) in ({"columns", "data"}, {"columns", "index", "data"}) and _split_rows(document):
        return [dict(zip(document["columns"], row, strict=True)) for row in document["data"]]
    if set(document) == {"schema", "data"} and isinstance(document["schema"], dict) and _is_records(document["data"]):
        return document["data"]
    if all(isinstance(v, list) for v in values) and not all(map(_is_records, values)):  # (records a key: below)
        lengths = {len(v) for v in values}
        if len(lengths) > 1:
            raise ValueError(f"its columns (a list each) differ in length ({', '.join(map(str, sorted(lengths)))}); "
                             "a table needs one length")
        return [dict(zip(document, row, strict=True)) for row in zip(*values, strict=True)]
    if all(isinstance(v, dict) for v in values):
        inner = {key: None for v in values for key in v}
        if all(map(_whole_number, document)) and not all(map(_whole_number, inner)):  # pandas' index orient
            return [{column: row.get(column) for column in inner} for row in values]
        return [{column: cells.get(index) for column, cells in document.items()} for index in inner]
    under = [key for key, value in document.items() if _is_records(value)]
    if len(under) > 1:
        raise ValueError(f"it holds records under several keys ({', '.join(map(repr, under))}), splits of a dataset "
                         "perhaps; give one key's records as a file of their own")
    return document[under[0]] if under else None


def _split_rows(document: dict) -> bool:
    columns, rows = document["columns"], document["data"]
    return (isinstance(columns, list) and all(isinstance(c, str) for c in columns) and isinstance(rows, list)
            and all(isinstance(row, list) and len(row) == len(columns) for row in rows))


def _is_records(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _whole_number(key: str) -> bool:
    return key.lstrip("-").isdigit()


def holds_json_lines(text: str) -> bool:
    """Whether ``text`` is one JSON object (or string) a line rather than one document: its
    first object ends on its first line, and another begins on a later line."""
    return _json_lines_at_start(text, ended=True) is True


def opens_json_lines(path: Path) -> bool | None:
    """Whether the (decompressed) file holds JSON Lines rather than one document, judged as
    :func:`holds_json_lines` judges a text, from the file's start: a quarter MB read, then as
    much again as was read, until its first value and the start of the next are in it; None
    where :data:`JSON_LINES_LOOK` leaves it undecided (a first value larger than that, or not
    JSON, or bytes not UTF-8: the whole document's check decides and names the fault)."""
    decoder, text, read = codecs.getincrementaldecoder("utf-8-sig")(), "", 0
    with open_decompressed(path) as handle:
        while read < JSON_LINES_LOOK:
            data = handle.read(max(read, _FIRST_LOOK))
            read += len(data)
            try:
                text += decoder.decode(data, final=not data)
            except UnicodeDecodeError:
                return None
            decided = _json_lines_at_start(text, ended=not data)
            if decided is not None:
                return decided
    return None


def _json_lines_at_start(text: str, ended: bool) -> bool | None:
    """:func:`holds_json_lines` of the start of a file (all of it where ``ended``); None where
    what is read does not yet decide it: its first line, or the start of the next value, cut.
    Only the first line is parsed: a document of one line (pandas' ``to_json``) or of many
    is told by where its first line ends, not parsed again whole."""
    start = _LEADING_SPACE.match(text).end()
    if not text.startswith(("{", '"'), start):  # an array: parsed once, by the document check
        return False if start < len(text) or ended else None
    first_line_end = text.find("\n", start)
    if first_line_end < 0:  # (one line: one document, whatever it holds)
        return False if ended else None
    try:
        first, end = _DECODER.raw_decode(text[start:first_line_end], 0)
    except (ValueError, RecursionError):  # JSONDecodeError and _DuplicateKey: the document check reports them
        return False
    following = _LEADING_SPACE.match(text, start + end).end()
    if not ended and len(text) - following < len("null"):
        return None
    gap = text[start + end:following]
    return "\n" in gap and text.startswith("{" if isinstance(first, dict) else ('"', "null"), following)


def _check_delimited(path: Path, has_header: bool, fmt: str, head_rows: int | None = None) -> TextFileCheck:
    """Check a CSV or TSV file: every line UTF-8 (named where one is not), the header, every
    record as wide as the first, quotes as Polars can read them; and how to read it (a .tsv
    written with quoting, a .csv separated by semicolons, or one that quotes no field).
    ``head_rows`` (a quick look): the first records alone checked
    and kept, the rest counted as records (not checked: a fault further on does not stop it)."""
    if head_rows is None:
        for number, raw_line in enumerate(_lines(path), start=1):  # first, name the line that is not UTF-8
            _decode(raw_line, path, number)
    if fmt == "tsv" and (quoted := _quoted_records(path, has_header, head_rows)) is not None:
        _refuse_quotes_inside_fields(path, quoted)
        return TextFileCheck(quoted.rows, False, "tsv-quoted" if quoted.quoting else "tsv", _utf8_head(path, quoted))
    if fmt == "csv" and separated_by_semicolons(path):
        fmt = "csv-semicolon"
    try:
        records = _records(path, has_header, fmt, head_rows=head_rows)
    except _Unclosed as unclosed:  # a reader that is not strict takes the rest of the file as one field
        raise QcauditError(f"{path}: line {unclosed.line} opens a quoted field that never closes (a stray '\"'?)") from None
    except _Faulted as fault:  # (a reader that is not strict joins the quoted part and the rest; Polars refuses it)
        if "expected after" not in fault.reason:
            raise QcauditError(f"{path}: line {fault.line}: {fault.reason}") from None
        raise QcauditError(f'{path}: line {fault.line}: a quoted field goes on after its closing quote ("Hi," she said); quote '
                           'the whole field and double the quotes inside it ("""Hi,"" she said"), as Python\'s csv module '
                           "and pandas write it") from None
    head = _utf8_head(path, records)  # (a line that is not UTF-8 named before a ragged record, as a whole check does)
    if records.bad:
        more = f" and {records.bad_count - len(records.bad):,} more" if records.bad_count > len(records.bad) else ""
        raise QcauditError(f"{path}: rows must have {records.width} fields as the {'header' if has_header else 'first row'} "
                           f"does; {'; '.join(records.bad)}{more} ({_CSV_FIELDS.get(fmt, _TSV_FIELDS)})")
    if fmt == "tsv":  # (read without quoting: a quote is text)
        return TextFileCheck(records.rows, False, fmt, head)
    _refuse_quotes_inside_fields(path, records)
    return TextFileCheck(records.rows, False, fmt if records.quoting else f"{fmt}-unquoted", head)


def _refuse_quotes_inside_fields(path: Path, records: _Records) -> None:
    """A file that quotes fields and holds a record of an odd number of quotes: one inside a
    field, as text (`a 12" pizza` beside `"a, b"`, as a writer that quotes only the fields
    that hold the separator writes). Polars takes a quote inside a field for the start or end
    of a quoted part (two of them in a field it reads as the csv module does), so such a file
    read as no rows. One line that says where, and how a quoting writer writes that field."""
    if records.quoting and records.odd_quotes is not None:
        raise QcauditError(f"{path}: line {records.odd_quotes} holds a quote inside a field, in a file that quotes fields; "
                           'quote that field whole and double the quotes inside it ("a 12"" pizza"), as Python\'s csv module '
                           "and pandas write it")


def _utf8_head(path: Path, records: _Records) -> bytes | None:
    """A quick look's first records as the file holds them, once each of their lines is found
    UTF-8 (the first that is not named, as a whole check names it); None for a whole check."""
    if records.head is None:
        return None
    for number, line in enumerate(records.head.split("\n"), start=1):  # (lines as _lines numbers them)
        _decode(line.encode("utf-8", "surrogateescape"), path, number)
    return records.head.encode("utf-8")


#: Why a CSV file's records can be ragged, by its separator.
_CSV_FIELDS = {"csv": "quote fields that hold commas", "csv-semicolon": "quote fields that hold semicolons"}


#: Records of a .csv file read to tell whether semicolons separate its fields.
SNIFFED_RECORDS = 5


def separated_by_semicolons(path: Path) -> bool:
    """Whether a .csv file separates its fields by semicolons, as spreadsheets write CSV where
    the comma is the decimal mark (Excel in much of Europe): its first line holds a semicolon
    and no comma, and its first :data:`SNIFFED_RECORDS` records, so read, are equally wide
    (a file of one text a line, some with a semicolon, is not)."""
    first = next((line for line in _lines(path) if line.strip()), b"")
    if b";" not in first or b"," in first:
        return False
    with open_decompressed(path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle, _fields_of_any_size():
        try:
            widths = {len(record) for record in islice(filter(None, csv.reader(handle, delimiter=";")), SNIFFED_RECORDS)}
        except csv.Error:
            return False
    return len(widths) == 1


#: Why a tab-separated file's records can be ragged.
_TSV_FIELDS = "a field cannot hold a tab or a newline unless the file quotes it, as pandas' to_csv(sep='\\t') does"


def _quoted_records(path: Path, has_header: bool, head_rows: int | None) -> _Records | None:
    """A tab-separated file's records when it reads with CSV's quoting without fault (every
    quoted field closed, and followed by a tab or the line's end) and with every record as
    wide as the first (of a quick look, the first ``head_rows``): it was written with quoting.
    None when it does not read so. A file without quotes reads the same either way."""
    try:
        records = _records(path, has_header, "tsv-quoted", head_rows=head_rows)
    except (_Unclosed, _Faulted, QcauditError):
        return None
    return None if records.bad else records


class _Faulted(Exception):
    """The csv module's strict reader stopped on ``line``, for ``reason`` (a quoted field that
    goes on after its closing quote: "',' expected after '\"'")."""

    def __init__(self, line: int, reason: str):
        self.line, self.reason = line, reason


class _Unclosed(Exception):
    """A quoted field still open at the end of the file, opened on ``line``."""

    def __init__(self, line: int):
        self.line = line


class _Records(NamedTuple):
    """A CSV or TSV file's records as :func:`_records` reads them."""

    #: The first record's width, the data rows, and those of another width (the first
    #: :data:`SHOWN` described, and how many).
    width: int | None
    rows: int
    bad: list[str]
    bad_count: int
    #: A quick look's first records as the file holds them (white space and line ends kept,
    #: without a byte-order mark; bytes that are not UTF-8 as surrogates); None for a whole read.
    head: str | None
    #: Whether a quote opens any field (:class:`_QuotesWatched`): the file uses CSV's quoting;
    #: and the first line of the first record that holds an odd number of quotes (one inside a
    #: field, as text), where one is found among the records checked.
    quoting: bool
    odd_quotes: int | None


def _records(path: Path, has_header: bool, fmt: str, head_rows: int | None = None) -> _Records:
    """The file's records, checked for width by the csv module's strict reader: a quoted
    field still open at the end of the file raises :class:`_Unclosed` with the line it opens
    on, another fault :class:`_Faulted`. ``head_rows``: only the first data rows checked, and
    kept; the rest counted by a reader that is not strict."""
    errors = "strict" if head_rows is None else "surrogateescape"  # (a quick look names a bad line of its head alone)
    with (open_decompressed(path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", errors=errors, newline="") as handle,
          _fields_of_any_size()):
        watched = _QuotesWatched(handle, _CSV_MODULE[fmt]["delimiter"])
        lines, kept = iter(watched), []
        reader = csv.reader(lines if head_rows is None else _kept(lines, kept), strict=True, **_CSV_MODULE[fmt])
        width, rows, bad, bad_count, start, quotes, odd_quotes = None, 0, [], 0, 1, 0, None
        try:
            for record in reader:
                start, opened = reader.line_num + 1, start
                if (watched.quotes - quotes) % 2 and odd_quotes is None:  # (a quoted field's quotes come in pairs)
                    odd_quotes = opened
                quotes = watched.quotes
                if not record:
                    if head_rows is not None and (width is not None or not has_header):  # (Polars reads a row of nulls)
                        rows += 1
                        if rows == head_rows:
                            break
                    continue
                if width is None:
                    width = len(record)
                    if has_header:
                        _check_header(path, record)
                        continue
                rows += 1
                if len(record) != width:
                    bad_count += 1
                    if len(bad) < SHOWN:
                        bad.append(f"line {opened} has {len(record)}")
                if rows == head_rows:
                    break
        except csv.Error as err:
            if "unexpected end of data" in str(err):
                raise _Unclosed(start) from None
            raise _Faulted(reader.line_num, str(err)) from None
        if head_rows is not None:
            rows += _count_records(lines, fmt)
        for _ in lines:  # (the lines a fault left unread: whether a quote opens a field there)
            if watched.quoting:
                break
    return _Records(width, rows, bad, bad_count, None if head_rows is None else "".join(kept), watched.quoting, odd_quotes)


class _QuotesWatched:
    """A file's lines, passed on as a reader takes them, noting whether a quote opens a field
    on any (at the line's start or after the separator): the csv module reads a quote
    elsewhere in a field as text, so where none opens a field, reading without quoting reads
    the same records. A quote after the separator inside a quoted field counts too, but such a
    field is opened by a quote anyway. And how many quotes the lines taken so far hold."""

    def __init__(self, lines: Iterable[str], separator: str):
        self.lines, self.opening, self.quoting, self.quotes = lines, separator + '"', False, 0

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            if not self.quoting and (line.startswith('"') or self.opening in line):
                self.quoting = True
            self.quotes += line.count('"')
            yield line


def _kept(lines: Iterator[str], kept: list[str]) -> Iterator[str]:
    """``lines``, each also added to ``kept`` as a reader takes it."""
    for line in lines:
        kept.append(line)
        yield line


def _count_records(lines: Iterator[str], fmt: str) -> int:
    """The records in what is left of a file's ``lines`` as Polars reads them (a blank line a
    row of nulls), as a reader that is not strict finds them; up to a fault it cannot read past."""
    counted = 0
    try:
        for _ in csv.reader(lines, **_CSV_MODULE[fmt]):
            counted += 1
    except csv.Error:
        pass
    return counted


@contextmanager
def _fields_of_any_size() -> Iterator[None]:
    """The csv module's limit on a field's size lifted while a file is checked, and put back:
    at its default, 128 KB, a CSV of long documents (a pretraining corpus) was refused, "field
    larger than field limit (131072)", which Polars reads whole."""
    previous = csv.field_size_limit(2**31 - 1)  # (the largest a C long holds everywhere)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _check_header(path: Path, header: list[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise QcauditError(f"{path}: the header names column {name!r} twice; rename one")
        seen.add(name)


#: What JSON counts as white space (RFC 8259): a line of nothing else is blank, and skipped;
#: any other character (a no-break or ideographic space) is a line that must be JSON.
JSON_SPACE = b" \t\r\n"
#: The formats whose first rows can be checked and kept alone.
HEAD_CHECKED = frozenset({"jsonl", "json", "txt", "csv", "tsv"})


#: How a Git LFS pointer file begins: what a clone without its large files holds in their place.
LFS_POINTER = b"version https://git-lfs.github.com/spec/"


def file_start(path: Path, size: int) -> bytes:
    """A file's first ``size`` bytes; none where it cannot be read (its reader says why)."""
    try:
        with open(path, "rb") as file:
            return file.read(size)
    except OSError:
        return b""


#: How files of the formats that a file of another name may be begin and end (a text may begin
#: so too), and what to call them.
_FORMAT_MAGIC = {b"PAR1": ("a parquet file", ".parquet"), b"ARROW1": ("an Arrow file", ".arrow")}
#: How a zip archive begins (an Excel workbook is one).
_ZIP = b"PK\x03\x04"


def _file_end(path: Path, size: int) -> bytes:
    """A file's last ``size`` bytes (fewer in a shorter file); none where it cannot be read."""
    try:
        with open(path, "rb") as file:
            file.seek(max(0, os.fstat(file.fileno()).st_size - size))
            return file.read()
    except OSError:
        return b""


def refuse_stand_in(path: Path, fmt: str) -> None:
    """Refuse a file that stands in for the data: a Git LFS pointer (a dataset repository
    cloned without ``git lfs``) or, but in a .txt file (whose lines may be web pages: a
    crawl), a web page (a download of a file's page, the Hub's ``/blob/`` address, not of
    the file), which read as a parquet file "out of specification", invalid JSON, or a CSV
    file whose column is "<!DOCTYPE html>"; and a file that its name misnames
    (:func:`_refuse_misnamed`)."""
    start = file_start(path, 512)
    if start.startswith(LFS_POINTER):
        raise QcauditError(f"{path} is a Git LFS pointer, not the data: the repository was cloned without its large files; "
                           "fetch them (git lfs pull) or download the dataset (huggingface-cli download)")
    if fmt != "txt" and start.removeprefix(BOM).lstrip().lower().startswith((b"<!doctype html", b"<html")):
        raise QcauditError(f"{path} is a web page, not the data: download the file itself (on the Hugging Face Hub its "
                           ".../resolve/main/... address, not .../blob/main/...)")
    _refuse_misnamed(path, fmt, start)


def _refuse_misnamed(path: Path, fmt: str, start: bytes) -> None:
    """Refuse a file whose first bytes say it is other than its name says: compressed where the
    name says it is not, or otherwise (a gzip file named .jsonl read as text that is not
    UTF-8; a plain one named .gz as a damaged gzip file), a parquet or Arrow file named as
    text, a zip archive (an Excel workbook) named as data, or text named .parquet; each
    read as a fault in its data. The line says what the file is and the name to give it."""
    named, found = compression(path), compression_by_content(start)
    plain = without_compression(PurePosixPath(path.name))  # (the name without its compression's suffix)
    if found and found != named:
        said = f"not {COMPRESSIONS[named]} as its name says" if named else "which its name does not say"
        raise QcauditError(f"{path} is {COMPRESSIONS[found]}-compressed, {said}: name it {plain}{found}")
    kind = next((what for magic, what in _FORMAT_MAGIC.items() if start.startswith(magic) and _file_end(path, len(magic)) == magic),
                None)
    if kind and fmt != kind[1].lstrip("."):
        raise QcauditError(f"{path} is {kind[0]}, not {fmt or 'what its name says'}: name it {plain.stem}{kind[1]}")
    if start.startswith(_ZIP):
        raise QcauditError(f"{path} is a zip archive (as an Excel workbook is), not {fmt or 'what its name says'}: unzip it, "
                           "or save the sheet as CSV")
    if named and not found and start and not (named == ".xz" and start.startswith(LZMA_ALONE)):
        raise QcauditError(f"{path} is not {COMPRESSIONS[named]}-compressed, as its name says" + (
            f": it begins as text; name it {plain}" if _begins_as_text(start) else " (a damaged file, or another kind of file)"))
    if fmt in ("parquet", "arrow") and not start:  # (an interrupted download, a file truncated by `>`)
        raise QcauditError(f"{path} is empty (0 bytes), not {'a parquet' if fmt == 'parquet' else 'an Arrow'} file")
    if fmt == "parquet" and not start.startswith(b"PAR1") and _begins_as_text(start):
        raise QcauditError(f"{path} is not a parquet file: it begins as text (a CSV or JSON file named .parquet?); "
                           "name it for what it holds")


def _begins_as_text(start: bytes) -> bool:
    """Whether a file's first bytes are UTF-8 text (cut anywhere at their end) without a NUL."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(start)
    except UnicodeDecodeError:
        return False
    return b"\0" not in start


def check_text_file(path: Path, fmt: str, csv_header: bool = True, head_rows: int | None = None,
                    json_lines: TextIO | None = None) -> TextFileCheck:
    """Check one jsonl/json/csv/tsv/txt file (compressed or not); raise QcauditError on ambiguous input.
    ``head_rows`` (a quick look, formats :data:`HEAD_CHECKED`): check only the first rows, keep
    their lines (:attr:`TextFileCheck.head`), and count the rest without reading them as JSON.
    ``json_lines``: where the rows of a JSON document (an array's items, an object's records)
    are written, one a line, as they are checked (:attr:`TextFileCheck.copied`), for Polars to
    scan as JSON Lines."""
    refuse_stand_in(path, fmt)
    try:
        if fmt == "jsonl":
            if lines_end_in_cr(path):
                raise QcauditError(f"{path}: its lines end in a carriage return alone, as classic Mac OS ended them; JSON "
                                   "Lines ends each in a line feed: convert its line ends first (tr '\\r' '\\n' < IN > OUT)")
            return _check_json_lines(path, head_rows=head_rows)
        if fmt == "json":
            return _check_json_document(path, json_lines, head_rows)
        if fmt == "txt":
            return _check_plain_lines(path, head_rows)
        return _check_delimited(path, csv_header, fmt, head_rows)
    except DAMAGED as exc:
        raise damaged(path, exc) from None
    except (IsADirectoryError, PermissionError, FileNotFoundError) as exc:
        raise QcauditError(f"cannot read {path}: {exc.strerror}") from None


def damaged(path: Path, exc: Exception) -> QcauditError:
    """The error for a compressed file that ``exc`` (one of :data:`~qcaudit.compression.DAMAGED`)
    says is damaged or cut short."""
    kind = COMPRESSIONS.get(compression(path) or "", "compressed")
    return QcauditError(f"{path}: not a complete {kind} file ({exc or type(exc).__name__})")


def mixed_shapes(path: Path, fmt: str) -> str | None:
    """Where a JSON Lines file (``fmt`` jsonl) or a JSON array of objects, already checked,
    holds values of different kinds in one place below its top level (a list of numbers and
    of lists; a field that is an object in one row and text in another), which no column type
    can hold: the place and a line (or item) of each kind; None when there is none. For the
    error when Polars finds no one type for a column."""
    read = array_items if fmt != "jsonl" and opens_json_array(path) else None
    if fmt != "jsonl" and read is None and not opens_json_lines(path) and holds_records_under_a_key(path):
        read = keyed_records
    unit = "line" if read is None else "item"
    with open_decompressed(path) as handle:
        if read is not None:
            records = enumerate((item for item, _ in json_array_items(path, handle, read)), start=1)
        else:
            text = handle.read().removeprefix(BOM).decode("utf-8")
            if fmt == "jsonl" or holds_json_lines(text):
                records = ((n, _DECODER.decode(line)) for n, line in enumerate(text.split("\n"), start=1) if line.strip())
            else:
                unit, document = "item", _DECODER.decode(text)
                records = enumerate((object_records(document) if isinstance(document, dict) else None) or [], start=1)
        return _first_mixed_place(records, unit)


def _first_mixed_place(records: Iterable[tuple[int, dict]], unit: str) -> str | None:
    """:func:`mixed_shapes`' answer for ``records`` (each with its line or item number)."""
    first: dict[str, tuple[str, int]] = {}
    for where, record in records:
        stack = list(record.items())
        while stack:
            place, value = stack.pop()
            if value is None:
                continue
            kind = _kind(value)
            seen_kind, seen_where = first.setdefault(place, (kind, where))
            if seen_kind != kind:
                return (f"{place} holds {KIND_NAMES[seen_kind]} ({unit} {seen_where}) and {KIND_NAMES[kind]} "
                        f"({unit} {where})")
            if kind == "list":
                stack += [(f"{place}[]", item) for item in value]
            elif kind == "object":
                stack += [(f"{place}.{key}", item) for key, item in value.items()]
    return None
