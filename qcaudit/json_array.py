"""The items of a JSON array, read from a stream one at a time.

Instruction data is often one JSON array of records (Alpaca's and LLaMA-Factory's layout,
ShareGPT dumps of hundreds of MB). Parsed whole, such a file takes several times its size in
memory (Python's objects, or Polars' reading of the document). Read item by item, only the
item being read is held, whatever the file's size: the input check, the reading (through a
JSON Lines copy) and the filters' JSON Lines outputs all go through :func:`array_items`.
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
    buffer.start += 1
    items = 0
    if buffer.next_char() == "]":
        buffer.start += 1
    else:
        while True:
            yield _item(buffer, decoder, items + 1)
            items += 1
            following = buffer.next_char()
            buffer.start += 1
            if following == "]":
                break
            if following != ",":
                shown = f"{following!r}" if following else "the end of the file"
                raise ArrayError(f"after item {items}", f"expecting ',' or ']' but found {shown}")
    if buffer.next_char():
        raise ArrayError("after the array's end", "more data follows the array")


def _item(buffer: _Buffer, decoder: json.JSONDecoder, number: int) -> tuple[object, str]:
    """The value that starts at the buffer's next character, and its text; reads on while it does
    not fit in what is read (a value the stream's end cuts is an error at the end)."""
    buffer.next_char()
    while True:
        text, start = buffer.text, buffer.start
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError as err:
            cut = err.msg.startswith("Unterminated string") or err.pos >= len(text) - _CUT_MARGIN
            if buffer.ended or not cut:
                raise ArrayError(f"item {number}", f"{err.msg} (at character {err.pos - start + 1} of the item)") from None
            buffer.read_more(len(text) - start)  # (twice what is held: each item is parsed a bounded number of times)
            continue
        if end >= len(text) and not buffer.ended:  # a number or literal may go on in what is not read yet
            buffer.read_more(len(text) - start)
            continue
        buffer.start = end
        return value, text[start:end]
