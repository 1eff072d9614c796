"""The items of a JSON array, read from a stream one at a time.

Instruction data is often one JSON array of records (Alpaca's and LLaMA-Factory's layout,
ShareGPT dumps of hundreds of MB). Parsed whole, such a file takes several times its size in
memory (Python's objects, or Polars' reading of the document). Read item by item, only the
item being read is held, whatever the file's size: the input check, the reading (through a
JSON Lines copy) and the filters' JSON Lines outputs all go through :func:`array_items`, and
through :func:`keyed_records` for an object that holds such an array under one key beside a
little metadata (SQuAD's ``{"version": ..., "data": [...]}``, pandas' ``table`` orient).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import BinaryIO

#: Bytes read from the stream at a time (more while one item does not fit).
READ_BYTES = 1 << 20
#: JSON's whitespace: what may stand between tokens.
JSON_WHITESPACE = " \t\n\r"
#: The most members besides its records, and the most characters of each, that
#: :func:`keyed_records` reads of an object before it leaves the object to be read whole: a
#: dataset's metadata is a few small values; a table in pandas' ``columns`` or ``index``
#: orient, whose members are its columns or rows, is not.
METADATA_MEMBERS = 64
METADATA_CHARS = 1 << 20
#: How near the end of what is read a parse error may be and still be the item's being cut
#: there rather than an error of the file: longer than any token the parser reads whole
#: (``-Infinity``, a ``\\uXXXX`` escape, the start of a number).
_CUT_MARGIN = 64


class ArrayError(ValueError):
    """The stream is not one JSON array: ``where`` says the place (``item 3``, ``after item
    3``, ``the start``), ``message`` what is wrong."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where, self.message = where, message


class NotKeyedRecords(Exception):
    """The stream holds no JSON object whose rows :func:`keyed_records` reads: it is to be
    read whole (and its faults, if any, reported so)."""


class NotUtf8(ValueError):
    """The stream's byte ``byte``, at ``offset`` (from 0), is not UTF-8."""

    def __init__(self, offset: int, byte: int):
        super().__init__(f"byte {offset + 1:,} is not UTF-8")
        self.offset, self.byte = offset, byte


class _Buffer:
    """Text decoded from a binary stream (a byte-order mark at its start dropped), read on
    demand; ``text[start:]`` is what is not yet consumed."""

    def __init__(self, stream: BinaryIO):
        self._stream, self._decoder = stream, codecs.getincrementaldecoder("utf-8-sig")()
        self.text, self.start, self.ended = "", 0, False
        self._bytes_read = 0

    def read_more(self, at_least: int = READ_BYTES) -> None:
        """Drop what was consumed and read at least ``at_least`` more bytes (all that is left
        at the end of the stream); :class:`NotUtf8` where they are not UTF-8."""
        data = self._stream.read(max(at_least, READ_BYTES))
        self.ended = not data
        try:
            decoded = self._decoder.decode(data, final=self.ended)
        except UnicodeDecodeError as err:  # (err.object: the bytes held back from the read before, then these)
            raise NotUtf8(self._bytes_read - (len(err.object) - len(data)) + err.start, err.object[err.start]) from None
        self._bytes_read += len(data)
        self.text = self.text[self.start:] + decoded
        self.start = 0

    def next_char(self) -> str:
        """The next character that is not whitespace, left unconsumed; ``""`` at the end."""
        while True:
            text = self.text
            position = self.start
            while position < len(text) and text[position] in JSON_WHITESPACE:
                position += 1
            self.start = position
            if position < len(text) or self.ended:
                return text[position:position + 1]
            self.read_more()


def array_items(stream: BinaryIO, decoder: json.JSONDecoder) -> Iterator[tuple[object, str]]:
    """Each item of the JSON array that ``stream`` (UTF-8) holds, parsed by ``decoder``, with
    its JSON text as written (newlines in it are whitespace between tokens: JSON's strings
    cannot hold one unescaped). Raises :class:`ArrayError` where the stream is not one array,
    whatever ``decoder`` raises on an item it refuses (a key twice, say), and
    :class:`NotUtf8` where it is not UTF-8."""
    buffer = _Buffer(stream)
    if buffer.next_char() != "[":
        raise ArrayError("the start", "not a JSON array")
    yield from _items(buffer, decoder)
    if buffer.next_char():
        raise ArrayError("after the array's end", "more data follows the array")


def keyed_records(stream: BinaryIO, decoder: json.JSONDecoder) -> Iterator[tuple[object, str]]:
    """Each record of the JSON object that ``stream`` holds, where its rows are the objects of
    an array under one key beside a little metadata (at most :data:`METADATA_MEMBERS` other
    members, each of at most :data:`METADATA_CHARS` characters, none of them an array of
    objects), as :func:`array_items` gives an array's items: the rows that
    :func:`~qcaudit.inputcheck.object_records` finds in such an object, read one at a time.
    Raises :class:`NotKeyedRecords` where the object is of another shape (lists beside the
    records, and nothing else, make a table of lists), or not valid JSON outside its records;
    a member past the records can show that after they were given (a reader that cannot take
    them back reads the whole stream first: :func:`holds_keyed_records`). An item's faults
    are raised as :func:`array_items` raises them."""
    buffer = _Buffer(stream)
    if buffer.next_char() != "{":
        raise NotKeyedRecords
    buffer.start += 1
    keys: set[str] = set()
    records_read, lists_beside = False, 0
    while True:
        key = _member_key(buffer, decoder)
        if key in keys:  # (a key twice: the whole document's check names it)
            raise NotKeyedRecords
        keys.add(key)
        if not records_read and buffer.next_char() == "[" and _opens_an_object(buffer):
            records_read = True
            yield from _records(buffer, decoder)
        elif len(keys) - records_read > METADATA_MEMBERS:
            raise NotKeyedRecords
        else:
            try:
                value, _ = _item(buffer, decoder, 0, METADATA_CHARS)
            except (ArrayError, ValueError, RecursionError):
                raise NotKeyedRecords from None
            if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
                raise NotKeyedRecords  # (records under a second key)
            lists_beside += isinstance(value, list)
        following = buffer.next_char()
        buffer.start += 1
        if following == "}":
            break
        if following != ",":
            raise NotKeyedRecords
    if buffer.next_char() or not records_read or (lists_beside and lists_beside == len(keys) - 1):
        raise NotKeyedRecords


def holds_keyed_records(stream: BinaryIO, decoder: json.JSONDecoder) -> bool:
    """Whether :func:`keyed_records` reads ``stream`` to its end (its records parsed, one at a
    time, and let go)."""
    try:
        for _ in keyed_records(stream, decoder):
            pass
    except (NotKeyedRecords, ArrayError, NotUtf8, ValueError, RecursionError):
        return False
    return True


def _member_key(buffer: _Buffer, decoder: json.JSONDecoder) -> str:
    """The key of the object member that starts at the buffer's next character, and its colon
    consumed; :class:`NotKeyedRecords` where there is none."""
    if buffer.next_char() != '"':
        raise NotKeyedRecords
    try:
        key, _ = _item(buffer, decoder, 0, METADATA_CHARS)
    except (ArrayError, ValueError):
        raise NotKeyedRecords from None
    if buffer.next_char() != ":":
        raise NotKeyedRecords
    buffer.start += 1
    return key


def _opens_an_object(buffer: _Buffer) -> bool:
    """Whether the array whose ``[`` is the buffer's next character opens with an object (the
    ``[`` left unconsumed)."""
    while True:
        text, position = buffer.text, buffer.start + 1
        while position < len(text) and text[position] in JSON_WHITESPACE:
            position += 1
        if position < len(text) or buffer.ended:
            return text[position:position + 1] == "{"
        buffer.read_more()  # (what is read is kept from the "[" on)


def _records(buffer: _Buffer, decoder: json.JSONDecoder) -> Iterator[tuple[object, str]]:
    """The items of the array that starts at the buffer's next character, each an object (else
    :class:`NotKeyedRecords`: no records)."""
    for record in _items(buffer, decoder):
        if not isinstance(record[0], dict):
            raise NotKeyedRecords
        yield record


def _items(buffer: _Buffer, decoder: json.JSONDecoder) -> Iterator[tuple[object, str]]:
    """The items of the array whose ``[`` is the buffer's next character, each with its text;
    the buffer is left past its ``]``."""
    buffer.start += 1
    items = 0
    if buffer.next_char() == "]":
        buffer.start += 1
        return
    while True:
        yield _item(buffer, decoder, items + 1)
        items += 1
        following = buffer.next_char()
        buffer.start += 1
        if following == "]":
            return
        if following != ",":
            shown = f"{following!r}" if following else "the end of the file"
            raise ArrayError(f"after item {items}", f"expecting ',' or ']' but found {shown}")


def _item(buffer: _Buffer, decoder: json.JSONDecoder, number: int, max_chars: int | None = None) -> tuple[object, str]:
    """The value that starts at the buffer's next character, and its text; reads on while it does
    not fit in what is read (a value the stream's end cuts is an error at the end); given
    ``max_chars``, an :class:`ArrayError` where more than that is held and it still does not
    fit (it is not read to its end)."""
    buffer.next_char()
    while True:
        text, start = buffer.text, buffer.start
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError as err:
            cut = err.msg.startswith("Unterminated string") or err.pos >= len(text) - _CUT_MARGIN
            if buffer.ended or not cut:
                raise ArrayError(f"item {number}", f"{err.msg} (at character {err.pos - start + 1} of the item)") from None
            _read_more_of(buffer, number, max_chars)
            continue
        if end >= len(text) and not buffer.ended:  # a number or literal may go on in what is not read yet
            _read_more_of(buffer, number, max_chars)
            continue
        buffer.start = end
        return value, text[start:end]


def _read_more_of(buffer: _Buffer, number: int, max_chars: int | None) -> None:
    """Read on for item ``number``, which does not fit in what is held: twice what is held of it
    (each item is parsed a bounded number of times), unless more than ``max_chars`` is."""
    held = len(buffer.text) - buffer.start
    if max_chars is not None and held > max_chars:
        raise ArrayError(f"item {number}", f"longer than {max_chars:,} characters")
    buffer.read_more(held)
