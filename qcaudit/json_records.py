"""The records of a JSON Lines or JSON input as its files hold them, for the filter commands'
JSON Lines outputs: the rows they keep are the input's own lines, not Polars' reading of them.

Polars gives every object in a list the keys of all (each turn of a chat gains
``"tool_calls": null`` where one turn has tool calls, each content part the ``image_url``
of another) and, where a field holds text in some places and lists in others, writes the
lists as JSON text. A filter that writes its reading back changes the rows it keeps; one
that writes the lines it read drops rows and nothing else.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

from qcaudit.compression import open_decompressed
from qcaudit.inputcheck import (
    BOM,
    holds_json_lines,
    holds_records_under_a_key,
    json_array_items,
    object_records,
    opens_array_of_objects,
    opens_json_array,
    opens_json_lines,
)
from qcaudit.json_array import keyed_records
from qcaudit.remote import format_suffix, is_uri, local_copy

#: The input formats whose records :func:`json_records` gives.
JSON_FORMATS = frozenset({"jsonl", "json"})


def json_records(sources: list[str]) -> Iterator[str]:
    """Each record of the files, in row order, as JSON text: a JSON Lines file's non-blank
    lines as written; a JSON array's objects (a table as pandas writes one, its rows)
    re-encoded, an array, and records under a key beside a little metadata, read item by
    item. A file named by a URI is read from its local copy (:func:`~qcaudit.remote.local_copy`,
    made when the input was read)."""
    for source in sources:
        path = local_copy(source) if is_uri(source) else Path(source)
        with open_decompressed(path) as handle:
            if format_suffix(source) in (".jsonl", ".ndjson"):
                lines = _lines(handle)
                first = next(lines, None)
                if first is None or not opens_array_of_objects(first):
                    if first is not None:
                        yield first
                    yield from lines
                    continue
                data = first + "\n" + handle.read().decode("utf-8")  # a JSON array in a file named .jsonl, read as one
            elif opens_json_array(path):
                yield from (json.dumps(record, ensure_ascii=False) for record, _ in json_array_items(path, handle))
                continue
            elif opens_json_lines(path):
                yield from _lines(handle)
                continue
            elif holds_records_under_a_key(path):  # (read through once first: the records are not taken back)
                yield from (json.dumps(record, ensure_ascii=False) for record, _ in json_array_items(path, handle, keyed_records))
                continue
            else:
                data = handle.read().removeprefix(BOM).decode("utf-8")
            if holds_json_lines(data):
                yield from _lines(io.BytesIO(data.encode()))
                continue
            document = json.loads(data)
            if isinstance(document, dict):  # a table as pandas writes one, or records under a key (checked as the input was read)
                document = object_records(document) or []
            yield from (json.dumps(record, ensure_ascii=False) for record in document)


def _lines(handle) -> Iterator[str]:
    """The non-blank lines of JSON Lines, a leading byte-order mark and line ends removed."""
    for number, raw in enumerate(handle):
        text = (raw.removeprefix(BOM) if number == 0 else raw).decode("utf-8").strip()
        if text:
            yield text
