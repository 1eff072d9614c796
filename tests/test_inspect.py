"""``qcaudit inspect``: how a dataset is read, before any audit."""

from __future__ import annotations

import json

import polars as pl
import pytest

from qcaudit.io import TextSelection, load_dataset
from tests.test_hostile_inputs import one_line_error, qc  # noqa: F401  (fixture)


def _write_jsonl(path, rows: list[dict]):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _inspected(qc, *args) -> dict:  # noqa: F811
    ran = qc("inspect", *args, "--json")
    assert ran.code == 0, ran.err
    return json.loads(ran.out)


PAIRS = [{"system": f"Persona {i}.", "prompt": f"Name colour {i}.", "chosen": f"Colour {i}.", "rejected": "No."} for i in range(5)]
COSMOPEDIA = [{"prompt": f"Write a unit on topic {i}.", "text": f"Unit {i}: all about topic {i}.", "seed_data": "web"} for i in range(5)]
KTO = [{"prompt": f"Q{i}?", "completion": f"A{i}.", "label": i % 2 == 0} for i in range(5)]


@pytest.mark.parametrize(("rows", "parts"), [(PAIRS, {"prompt", "chosen", "rejected", "setup"}), (COSMOPEDIA, {"prompt", "response"}),
                                              (KTO, {"prompt", "response", "desirable"})])
def test_inspect_shows_what_the_audit_reads(tmp_path, qc, rows, parts):  # noqa: F811
    """The text's source, the columns behind each part and the first rows' text and parts
    are those the loader an audit uses gives the same input (its first rows, as many as
    --rows asks)."""
    path = _write_jsonl(tmp_path / "data.jsonl", rows)
    shown = _inspected(qc, path, "--rows", 2)
    dataset = load_dataset(path)
    assert shown["text_source"] == dataset.text_source and shown["rows"] == len(rows) and shown["format"] == "jsonl"
    assert set(shown["parts"]) == parts
    assert shown["read_from"]["text"] == dataset.selection.sources()["text"]
    expected = dataset.selected(parts=tuple(shown["parts"])).collect().head(2).select("row_id", "text", "text_status", *shown["parts"])
    assert shown["first_rows"] == expected.to_dicts()


def test_inspect_reads_as_the_flags_say(tmp_path, qc):  # noqa: F811
    """The input flags an audit takes choose what is shown: the text, the prompt and response."""
    path = _write_jsonl(tmp_path / "data.jsonl", COSMOPEDIA)
    shown = _inspected(qc, path, "--text-column", "prompt", "--limit", 3)
    assert shown["read_from"]["text"] == ["prompt"] and "response" not in shown["parts"]  # (--text-column: no generation is guessed)
    assert shown["input_rows"] == 5 and shown["rows"] == 3
    assert [row["text"] for row in shown["first_rows"]] == [row["prompt"] for row in COSMOPEDIA[:3]]
    shown = _inspected(qc, path, "--prompt-fields", "seed_data", "--response-field", "prompt")
    assert shown["read_from"]["prompt"] == ["seed_data"] and shown["read_from"]["response"] == ["prompt"]
    named = load_dataset(path, TextSelection(prompt=("seed_data",), response="prompt"))
    assert [row["response"] for row in shown["first_rows"]] == named.selected(parts=("response",)).collect()["response"].to_list()[:3]


def test_inspect_prints_the_rows_escaped_on_one_line_each(tmp_path, qc):  # noqa: F811
    """In the terminal, a row's text and parts are one line each, cut short, their markup
    and control characters shown as written; a text alone says no part was found."""
    hostile = "[red]alarm[/red] \x1b[31mred\x1b[0m line one\nline two " + "word " * 100
    path = _write_jsonl(tmp_path / "data.jsonl", [{"text": hostile}, {"text": "plain words here"}])
    ran = qc("inspect", path)
    assert ran.code == 0, ran.err
    assert "[red]alarm[/red]" in ran.out and "\x1b" not in ran.out and "<U+001B>[31mred" in ran.out
    line = next(line for line in ran.out.splitlines() if line.startswith("  text: [red]"))
    assert "line one line two" in line and line.endswith("…") and len(line) < 300
    assert "no prompt, response or preference pair found" in " ".join(ran.out.split())


def test_inspect_refuses_bad_input_in_one_line(tmp_path, qc):  # noqa: F811
    one_line_error(qc("inspect", tmp_path / "missing.jsonl"), "missing.jsonl does not exist")
    path = _write_jsonl(tmp_path / "data.jsonl", COSMOPEDIA)
    one_line_error(qc("inspect", path, "--text-column", "nope"), "unknown column 'nope'")
    one_line_error(qc("inspect", path, "--rows", 0))
    pl.DataFrame({"n": [1, 2]}).write_parquet(numbers := tmp_path / "numbers.parquet")
    one_line_error(qc("inspect", numbers), "no text column found")


def test_inspect_shows_how_each_benchmark_is_read(tmp_path, qc):  # noqa: F811
    """-b (and [benchmarks.NAME]) add each benchmark's reading: its files, the adapter and
    columns that make its items (as guessed by name and columns), how many, and its first
    items with their parts, equal to what a decontamination run loads; in the terminal one
    line each, escaped, a part an item lacks left out; a bad benchmark is one line."""
    from qcaudit.benchmarks import load_benchmark

    data = _write_jsonl(tmp_path / "data.jsonl", COSMOPEDIA)
    problems = [{"id": f"p{i}", "problem": f"[bold]Problem[/bold] {i}: what is {i} + {i}?", "solution": str(2 * i)} for i in range(4)]
    (folder := tmp_path / "math").mkdir()
    bench = _write_jsonl(folder / "test.jsonl", problems)
    _write_jsonl(folder / "train.jsonl", problems[:1])
    choices = tmp_path / "exam.jsonl"
    _write_jsonl(choices, [{"question": f"Which number is {i}?", "choices": ["one", "two", "three"], "answer": i} for i in range(3)])
    shown = _inspected(qc, data, "--rows", 2, "-b", folder, "-b", f"exam={choices}")["benchmarks"]
    assert [(b["name"], b["sources"], b["read_as"], b["items"]) for b in shown] == [
        ("math", [str(bench)], "fields problem (ids from id)", 4), ("exam", [str(choices)], "mmlu", 3)]
    for inspected, (name, path) in zip(shown, (("math", folder), ("exam", choices)), strict=True):
        loaded = load_benchmark(name, path).items.head(2)
        assert inspected["first_items"] == loaded.rename(lambda c: c.removeprefix("part:")).to_dicts()
    assert shown[1]["parts"] == ["question", "stem", "choices"] and shown[1]["first_items"][0]["choices"] == ["one", "two", "three"]
    ran = qc("inspect", data, "--rows", 1, "-b", folder, "-b", f"exam={choices}")
    assert ran.code == 0, ran.err
    out = ran.out.splitlines()
    assert f"benchmark math: 4 items from {bench}, read as fields problem (ids from id)" in out
    assert out[out.index("item p0") + 1] == "  text: [bold]Problem[/bold] 0: what is 0 + 0?"  # (escaped: no markup read)
    assert out[out.index("item exam/0"):][1:4] == ["  text: Which number is 0? one two three", "  question: Which number is 0?",
                                                  "  choices: one | two | three"]  # (no stem: the question is one line)
    assert "its test split is read" in ran.err
    assert _inspected(qc, data)["benchmarks"] == []
    one_line_error(qc("inspect", data, "-b", f"gone={tmp_path / 'gone.jsonl'}"), "benchmark 'gone': ")
