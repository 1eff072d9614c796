"""Dataset loading: formats, text selection, row ids, text status, and bad input."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import re
import shutil
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.ipc
import pytest
from hypothesis import assume, example, given, settings, strategies as st

from qcaudit.errors import QcauditError
from qcaudit.io import JSON_CHAT_SAMPLE, TextSelection, load_dataset
from qcaudit.text_columns import answer_field
from tests.conftest import hub_cache_snapshot, zstd
from tests.test_hostile_inputs import qc  # noqa: F401  (fixture)

ROWS = [
    {"instruction": "Add 2 and 3.", "input": None, "output": "5", "n": 1},
    {"instruction": "Name a colour.", "input": "one word", "output": "blue", "n": 2},
    {"instruction": "Say nothing.", "input": "", "output": "   ", "n": 3},
    {"instruction": "Translate 'chat'.", "input": "French", "output": None, "n": 4},
]


def write(tmp_path, name: str, rows=ROWS):
    path = tmp_path / name
    frame = pl.DataFrame(rows)
    if name.endswith(".parquet"):
        frame.write_parquet(path)
        return path
    if name.endswith(".arrow"):  # Arrow's file format, or (named stream*) the stream format datasets writes
        with (pa.ipc.new_stream if name.startswith("stream") else pa.ipc.new_file)(path, frame.to_arrow().schema) as writer:
            writer.write_table(frame.to_arrow())
        return path
    if ".jsonl" in name or name.startswith("lines"):  # lines.json: JSON Lines in a file named .json, as datasets often are
        data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    elif ".json" in name:
        data = json.dumps(rows).encode()
    elif ".tsv" in name:
        data = frame.write_csv(separator="\t", quote_style="never").encode()
    else:
        data = frame.write_csv().encode()
    packers = {".gz": gzip.compress, ".zst": zstd, ".bz2": bz2.compress, ".xz": lzma.compress}
    path.write_bytes(packers.get(Path(name).suffix, bytes)(data))
    return path


@pytest.mark.parametrize(
    "name", ["d.parquet", "d.jsonl", "d.jsonl.gz", "d.jsonl.zst", "d.json", "d.json.gz", "d.json.zst", "d.csv", "d.csv.gz", "d.csv.zst",
             "d.tsv", "d.tsv.gz", "d.tsv.zst", "d.arrow", "stream.arrow", "lines.json", "lines.json.gz", "lines.json.zst",
             "d.jsonl.bz2", "d.jsonl.xz", "d.json.xz", "d.csv.bz2", "d.tsv.xz", "lines.json.bz2"]
)
def test_every_format_gives_the_same_texts_and_row_ids(tmp_path, name):
    texts = load_dataset(write(tmp_path, name), TextSelection(text_column="instruction")).texts()
    assert texts["row_id"].to_list() == [0, 1, 2, 3]
    assert texts["text"].to_list() == [r["instruction"] for r in ROWS]


@pytest.mark.parametrize("orient", ["columns", "index", "split", "table", "records", "list"])
def test_a_json_table_as_pandas_writes_it_reads_as_pandas_reads_it(qc, tmp_path, orient):  # noqa: F811
    """pandas' ``to_json`` in each orient that names the columns (``columns`` its default), and
    a list a column (``to_dict("list")``): the rows pandas reads back, in order, nulls kept;
    a filter's JSON Lines output holds those rows (it wrote the index's keys as rows)."""
    import pandas as pd

    frame = pd.DataFrame({"instruction": ["Sum two numbers.", "Name a colour.", None, "Explain tides."],
                          "output": ["a + b", "Blue.", "orphan answer", None], "n": [3, 1, 4, 1]}, index=[7, 3, 5, 0])
    path = tmp_path / "d.json"
    if orient == "list":
        path.write_text(json.dumps(frame.astype(object).where(frame.notna(), None).to_dict("list")))
    else:
        frame.to_json(path, orient=orient)
    expected = frame if orient == "list" else pd.read_json(path, orient=orient)
    read = load_dataset(path).frame.collect()
    for column in ("instruction", "output", "n"):
        assert read[column].to_list() == [None if pd.isna(v) else v for v in expected[column]], column
    assert read["row_id"].to_list() == [0, 1, 2, 3]
    assert load_dataset(path).texts()["text"].to_list() == ["Sum two numbers.\na + b", "Name a colour.\nBlue.",
                                                           "orphan answer", "Explain tides."]
    kept = tmp_path / "kept.jsonl"
    assert qc("dedup", path, "-o", kept, "-q").code == 0
    records = [json.loads(line) for line in kept.read_text().splitlines()]
    assert [{c: r[c] for c in ("instruction", "output", "n")} for r in records] == read.select("instruction", "output", "n").to_dicts()
    if orient in ("columns", "index"):  # read alike, and kinds mixed in a column found, as in an array of records
        bad = json.loads(path.read_text())
        first = next(iter(bad["output" if orient == "columns" else "7"]))
        (bad["output"] if orient == "columns" else bad["7"])[first if orient == "columns" else "output"] = ["a list"]
        path.write_text(json.dumps(bad))
        expect_error("column 'output' mixes", path)


@pytest.mark.parametrize("orient", ["columns", "index", "split", "table", "list"])
def test_a_json_document_is_parsed_whole_at_most_once_to_check_and_read_it(tmp_path, monkeypatch, orient):
    """A table as pandas writes one is checked whole (pandas' ``table`` orient, records under a
    key, a record at a time), and its rows are then read from what the check wrote: a JSON
    Lines copy that Polars scans, or at a quick look its first rows; the reading parsed the
    document whole again until 2026-12-05 (300,000 rows in pandas' default orient, 178 MB:
    1,063 MB peak before, 573 MB after)."""
    import pandas as pd

    from qcaudit import inputcheck, readers

    frame = pd.DataFrame({"instruction": [f"Task {i}: say {'é' * (i % 3)}" for i in range(50)], "n": range(50)})
    path = tmp_path / "d.json"
    if orient == "list":
        path.write_text(json.dumps(frame.to_dict("list")))
    else:
        frame.to_json(path, orient=orient, force_ascii=False)
    parses = []
    parse = inputcheck._parse
    monkeypatch.setattr(inputcheck, "_parse", lambda *args: parses.append(args[2]) or parse(*args))

    def refused(*args, **kwargs):
        raise AssertionError("parsed again to read")

    monkeypatch.setattr(readers, "_read_in_memory", refused)
    for limit in (None, 7):
        parses.clear()
        read = load_dataset(path, TextSelection(text_column="instruction"), limit=limit).frame.collect()
        assert read.select("instruction", "n").to_dicts() == frame.to_dict("records")[:limit]
        assert parses == ([] if orient == "table" else ["the document"])


@pytest.mark.parametrize("beside", [{"version": "1.1"}, {}, {"meta": {"source": "web", "tags": ["a"]}}])
def test_records_under_one_key_read_as_datasets_field_reads_them(qc, tmp_path, beside):  # noqa: F811
    """SQuAD's ``{"version": "1.1", "data": [...]}``, a bare ``{"train": [...]}``, records
    beside a metadata object: the rows ``datasets.load_dataset("json", field=KEY)`` reads, in
    order; a filter writes them as records. Records under two keys (splits side by side)
    are one line, not read as one table."""
    import datasets
    import pandas as pd

    key = "train" if not beside else "data"
    records = [{"instruction": f"Say {word} twice.", "output": f"{word} {word}", "n": i} for i, word in enumerate(["red", "blue", "red"])]
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps({**beside, key: records}))
    expected = datasets.load_dataset("json", data_files=str(path), field=key, split="train", cache_dir=str(tmp_path / "hf"))
    read = load_dataset(path).frame.collect()
    assert read.select("instruction", "output", "n").to_dicts() == expected.to_list()
    assert load_dataset(path).texts()["text"].to_list() == [f"{r['instruction']}\n{r['output']}" for r in records]
    kept = tmp_path / "kept.jsonl"
    assert qc("dedup", path, "-o", kept, "-q").code == 0
    assert [json.loads(line) for line in kept.read_text().splitlines()] == records[:2]
    path.write_text(json.dumps({**beside, "train": records, "test": records[:1]}))
    expect_error(r"wrapped.json: it holds records under several keys \('train', 'test'\), splits of a dataset perhaps; "
                 "give one key's records as a file of their own", path)
    # a list a column whose first column holds objects is a table (as pandas makes one of it), not records under a key
    columns = {"meta": [{"source": "web"}, {"source": "book"}], "text": ["a first text", "a second"]}
    path.write_text(json.dumps(columns))
    assert load_dataset(path).frame.collect().drop("row_id").to_dicts() == pd.DataFrame(columns).to_dict("records")


def test_a_json_array_in_a_file_named_jsonl_reads_as_the_array(qc, tmp_path):  # noqa: F811
    """As ``datasets`` reads it; a filter's JSON Lines output holds its records, one a line.
    Objects written one a line with a comma after each are refused, saying so."""
    rows = [{"text": "a first row of words"}, {"text": "a second row"}, {"text": "a first row of words"}]
    path = tmp_path / "array.jsonl"
    path.write_text("[" + ",\n".join(json.dumps(row) for row in rows) + "]\n")
    assert load_dataset(path).texts()["text"].to_list() == [row["text"] for row in rows]
    kept = tmp_path / "kept.jsonl"
    assert qc("dedup", path, "-o", kept, "-q").code == 0
    assert [json.loads(line) for line in kept.read_text().splitlines()] == rows[:2]
    commas = tmp_path / "commas.jsonl"
    commas.write_text("".join(json.dumps(row) + ",\n" for row in rows))
    expect_error("commas.jsonl: line 1 ends with a comma after its object; JSON Lines holds one object a line", commas)


@pytest.mark.parametrize("source", ["d.jsonl", "d.json", "texts.json", "d.parquet"])
@pytest.mark.parametrize("compressed", ["", ".gz"])
def test_a_filters_json_output_is_an_array_of_what_its_json_lines_output_holds(qc, tmp_path, source, compressed):  # noqa: F811
    """``-o kept.json``: a JSON array of the records ``-o kept.jsonl`` writes one a line (the
    input's own from a JSON input, the table's from another), kept and removed alike; read
    back, the same table; an empty side an empty array."""
    rows = [{"text": "a first row of words", "n": 1, "meta": {"tags": ["x"]}}, {"text": "a second row", "n": None, "meta": {}},
            {"text": "a first row of words", "n": 3, "meta": {"tags": []}}, {"text": "ünïcode row ✓", "n": 4, "meta": {}}]
    path = tmp_path / source
    if source == "d.jsonl":
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    elif source == "d.json":
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    elif source == "texts.json":
        path.write_text(json.dumps([row["text"] for row in rows], ensure_ascii=False), encoding="utf-8")
    else:
        pl.DataFrame(rows).write_parquet(path)
    lines, array = tmp_path / f"kept.jsonl{compressed}", tmp_path / f"kept.json{compressed}"
    for output in (lines, array):
        assert qc("dedup", path, "-o", output, "-q").code == 0
    def read(file: Path) -> bytes:
        return gzip.decompress(file.read_bytes()) if compressed else file.read_bytes()
    for kept_lines, kept_array in ((lines, array), (tmp_path / f"kept.removed.jsonl{compressed}", tmp_path / f"kept.removed.json{compressed}")):
        records = [json.loads(line) for line in read(kept_lines).decode().splitlines()]
        assert json.loads(read(kept_array)) == records and records
    plain = tmp_path / "plain.json"
    plain.write_bytes(read(array))
    written = [row if isinstance(row, dict) else {"text": row} for row in json.loads(plain.read_text())]  # (a file of texts)
    assert load_dataset(plain).frame.collect().drop("row_id").to_dicts() == pl.DataFrame(written).to_dicts()
    nothing = tmp_path / "nothing.json"
    assert qc("dedup", plain, "-o", tmp_path / "again.json", "--removed", nothing, "-q").code == 0
    assert json.loads(nothing.read_text()) == []


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(max_size=12) | st.none(), min_size=1, max_size=8).filter(lambda texts: any(t is not None for t in texts)),
       st.booleans(), st.sampled_from([None, 2, "\t"]), st.sampled_from(["\n", "\r\n", "\n\n"]), st.booleans())
def test_a_json_array_of_strings_or_json_lines_of_strings_is_one_text_a_row(tmp_path_factory, texts, ascii_only, indent,
                                                                           line_end, bom):
    """In any layout json.dumps writes (characters escaped or not, indented), lines ended
    in CRLF or with blank lines between them, with a byte-order mark or not."""
    folder = tmp_path_factory.mktemp("texts")
    start = "\ufeff" if bom else ""
    (folder / "array.json").write_text(start + json.dumps(texts, ensure_ascii=ascii_only, indent=indent), encoding="utf-8")
    lines = start + "".join(json.dumps(t, ensure_ascii=ascii_only) + line_end for t in texts)
    (folder / "lines.jsonl").write_bytes(lines.encode())
    (folder / "lines.json").write_bytes(lines.encode())  # (named .json)
    expected = load_dataset(pl.DataFrame({"text": texts}, schema={"text": pl.String})).texts()
    lines_named_json = len(texts) > 1 and texts[0] is not None  # (else one document, or not JSON lines of texts)
    for name in ("array.json", "lines.jsonl") + ("lines.json",) * lines_named_json:
        assert load_dataset(folder / name).texts().equals(expected), name


def test_a_lone_surrogate_escape_in_a_file_of_texts_reads_as_in_json_lines_of_objects(tmp_path):
    """``"\\ud800"`` is valid JSON that no UTF-8 text can hold (Python's json gives a str that
    cannot be encoded; reading it so once ended the run): a file of texts reads it as Polars
    reads it in JSON Lines of objects."""
    texts = ["a \\ud800 b", "fine"]
    (tmp_path / "objects.jsonl").write_text("".join(f'{{"text": "{t}"}}\n' for t in texts))
    (tmp_path / "texts.json").write_text("[" + ", ".join(f'"{t}"' for t in texts) + "]")
    (tmp_path / "texts.jsonl").write_text("".join(f'"{t}"\n' for t in texts))
    expected = load_dataset(tmp_path / "objects.jsonl").texts()["text"].to_list()
    assert expected[1] == "fine" and len(expected[0]) == 5
    for name in ("texts.json", "texts.jsonl"):
        assert load_dataset(tmp_path / name).texts()["text"].to_list() == expected, name


def test_a_file_of_texts_mixed_with_other_values_is_refused(tmp_path):
    for name, data, needle in (("m.jsonl", '"a"\n{"text": "b"}\n', "line 2 is not a JSON string, as the lines before it are"),
                               ("m.json", '["a", 1]', "its array mixes strings with other values"),
                               ("n.jsonl", 'null\n{"text": "b"}\n', "line 1 is not a JSON object"),
                               ("z.jsonl", 'null\nnull\n', "every line is null")):
        (tmp_path / name).write_text(data)
        with pytest.raises(QcauditError, match=needle):
            load_dataset(tmp_path / name)


def test_a_json_object_of_columns_of_different_lengths_is_refused(tmp_path):
    path = tmp_path / "ragged.json"
    path.write_text(json.dumps({"text": ["a b", "c d", "e f"], "label": [1, 2]}))
    expect_error(r"ragged.json: its columns \(a list each\) differ in length \(2, 3\); a table needs one length", path)


def test_directory_of_shards_and_glob_keep_row_order(tmp_path):
    shards = tmp_path / "shards"
    shards.mkdir()
    for i in range(3):
        pl.DataFrame({"text": [f"shard {i} row {j}" for j in range(2)]}).write_parquet(shards / f"part-{i}.parquet")
    expected = [f"shard {i} row {j}" for i in range(3) for j in range(2)]
    for source in (shards, str(shards / "part-*.parquet")):
        texts = load_dataset(source).texts()
        assert texts["text"].to_list() == expected
        assert texts["row_id"].to_list() == list(range(6))


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_shards_whose_columns_differ_read_as_one_table(tmp_path, fmt):
    """A later shard that adds a column, or stores a number as a float, reads as one table
    (null where a shard lacks the column, the wider type), in row order; parquet shards as
    JSON Lines shards do. Parquet shards were refused ("extra column in file")."""
    shards = [pl.DataFrame({"text": ["a b", "c d"]}), pl.DataFrame({"text": ["e f"], "score": [1.5]}),
              pl.DataFrame({"text": ["g h"], "score": [2]})]
    folder = tmp_path / "shards [v*]"  # (a name that is not to be read as a glob)
    folder.mkdir()
    for i, shard in enumerate(shards):
        path = folder / f"part-{i}.{fmt}"
        shard.write_parquet(path) if fmt == "parquet" else shard.write_ndjson(path)
    read = load_dataset(folder).frame.collect().drop("row_id")
    assert read.equals(pl.concat(shards, how="diagonal_relaxed"))
    assert read["score"].to_list() == [None, None, 1.5, 2.0]


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_a_text_column_some_shards_lack_or_hold_as_numbers_is_warned_about(qc, tmp_path, fmt):  # noqa: F811
    """Read as one table, a shard without the text column gives its rows no text, and a
    shard of numbers in it is read as text (alone, it would be refused): each is said in one
    warning naming the files, at most three. A column no selection names (score, lang)
    differs in silence, and shards alike give no warning."""
    folder = tmp_path / "shards"
    folder.mkdir()
    paths = [folder / f"part-{i}.{fmt}" for i in range(7)]

    def save(shard: pl.DataFrame, path: Path) -> None:
        {"parquet": shard.write_parquet, "jsonl": shard.write_ndjson, "csv": shard.write_csv}[fmt](path)

    save(pl.DataFrame({"text": ["one two three", "four five six"], "score": [1, 2]}), paths[0])
    for i in range(1, 6):
        save(pl.DataFrame({"content": [f"shard {i} words"]}), paths[i])
    save(pl.DataFrame({"text": [7], "score": [0.5]}), paths[6])
    ran = qc("report", folder, "--analyzers", "diversity", "--out", tmp_path / "out")
    assert ran.code == 0, ran.err
    assert [line for line in ran.err.splitlines() if line.startswith("warning:")] == [
        (f"warning: column 'text' is missing or all null in 5 of 7 files ({paths[1]}, {paths[2]}, {paths[3]} and 2 more): "
         "their rows have no text there"),
        f"warning: column 'text' holds Int64, not text, in 1 of 7 files ({paths[6]}): read as text",
    ]
    for path in paths[1:]:
        path.unlink()
    save(pl.DataFrame({"text": ["more words"], "lang": ["en"]}), paths[1])
    ran = qc("report", folder, "--analyzers", "diversity", "--out", tmp_path / "out")
    assert ran.code == 0 and "warning" not in ran.err, ran.err


def test_a_shard_warned_about_is_one_without_any_column_of_a_part(qc, tmp_path):  # noqa: F811
    """Alpaca shards whose ``input`` is null throughout, or absent, still give their rows text
    and a prompt from the other fields: no warning. A shard without any of the text's fields
    is named once, for the text and for the prompt (instruction, input) it lacks."""
    folder = tmp_path / "alpaca"
    folder.mkdir()
    rows = [{"instruction": f"Add {i} and {i + 1}.", "input": None, "output": f"{2 * i + 1}"} for i in range(3)]
    (folder / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (folder / "b.jsonl").write_text("".join(json.dumps({k: v for k, v in r.items() if k != "input"}) + "\n" for r in rows))
    (folder / "c.jsonl").write_text(json.dumps({**rows[0], "input": "with words"}) + "\n")
    ran = qc("report", folder, "--analyzers", "diversity", "--out", tmp_path / "out")
    assert ran.code == 0 and "warning" not in ran.err, ran.err
    (folder / "d.jsonl").write_text(json.dumps({"question": "What is 2 + 2?"}) + "\n")
    ran = qc("report", folder, "--analyzers", "diversity", "--out", tmp_path / "out")
    lacking = f"missing or all null in 1 of 4 files ({folder / 'd.jsonl'}): their rows have no"
    assert ran.code == 0 and [line for line in ran.err.splitlines() if line.startswith("warning:")] == [
        f"warning: columns 'instruction', 'input', 'output' are {lacking} text there",
        f"warning: columns 'instruction', 'input' are {lacking} prompt there",
        f"warning: column 'output' is {lacking} response there",
    ], ran.err


def test_a_field_inside_a_struct_column_is_named_by_a_dotted_path(qc, tmp_path):  # noqa: F811
    """``--text-column doc.text`` reads the field ``text`` of the struct column ``doc`` (a chat
    inside one reads as a chat), a column whose own name has a dot comes first, errors list a
    struct's fields by their paths, and the filters write the input's columns alone."""
    records = [{"doc": {"text": f"words of row {i}" if i != 2 else "words of row 0", "id": i,
                        "chat": [{"role": "user", "content": f"ask {i}"}, {"role": "assistant", "content": f"answer {i}"}]},
                "a.b": f"flat {i}"} for i in range(4)]
    path = tmp_path / "nested.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert load_dataset(path, TextSelection(text_column="doc.text")).texts()["text"].to_list() == [
        r["doc"]["text"] for r in records]
    chat = load_dataset(path, TextSelection(text_column="doc.chat", roles=("assistant",)))
    assert chat.texts()["text"].to_list() == [f"answer {i}" for i in range(4)] and chat.turn_roles() == ["user", "assistant"]
    assert load_dataset(path, TextSelection(text_column="a.b")).texts()["text"].to_list() == [f"flat {i}" for i in range(4)]
    assert load_dataset(path, TextSelection(fields=("doc.text", "a.b"))).texts()["text"].to_list() == [
        f"{r['doc']['text']}\n{r['a.b']}" for r in records]
    for unknown in ("doc.txt", "doc.text.more", "docs.text"):
        with pytest.raises(QcauditError, match=r"unknown column .*available columns: doc \(fields doc\.text, doc\.id, doc\.chat\), a\.b$"):
            load_dataset(path, TextSelection(text_column=unknown))
    shards = tmp_path / "shards"
    shards.mkdir()
    (shards / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (shards / "b.jsonl").write_text(json.dumps({"doc": {"id": 9}, "a.b": "x"}) + "\n")  # a shard lacking the path
    (shards / "c.jsonl").write_text(json.dumps({"doc": {"text": "more words", "lang": "en"}}) + "\n")
    ran = qc("report", shards, "--text-column", "doc.text", "--analyzers", "diversity", "--out", tmp_path / "out")
    assert ran.code == 0 and [line for line in ran.err.splitlines() if line.startswith("warning:")] == [
        f"warning: column 'doc.text' is missing or all null in 1 of 3 files ({shards / 'b.jsonl'}): their rows have no text there"]
    for output in ("kept.parquet", "kept.jsonl"):
        ran = qc("dedup", path, "--text-column", "doc.text", "-o", tmp_path / output)
        assert ran.code == 0, ran.err
        kept = pl.read_parquet(tmp_path / output) if output.endswith(".parquet") else pl.read_ndjson(tmp_path / output)
        removed = pl.read_parquet(tmp_path / "kept.removed.parquet") if output.endswith(".parquet") else None
        assert kept.columns == ["doc", "a.b"] and kept["doc"].struct.field("id").to_list() == [0, 1, 3]
        if removed is not None:
            assert removed.columns == ["row_id", "doc", "a.b", "removed_by", "duplicate_of"] and removed["row_id"].to_list() == [2]


def test_a_hugging_face_save_to_disk_directory_reads_as_its_arrow_shards(tmp_path):
    """``Dataset.save_to_disk`` writes Arrow stream shards beside state.json and
    dataset_info.json: the directory reads as the shards in order; elsewhere a .json file
    beside .arrow ones is still mixed formats. A ``DatasetDict``'s folder (a folder a split)
    is refused rather than read as all splits together."""
    saved = tmp_path / "saved"
    saved.mkdir()
    for i, rows in enumerate((ROWS[:3], ROWS[3:])):
        write(saved, f"stream-data-0000{i}-of-00002.arrow", rows)
    (saved / "state.json").write_text('{"_data_files": []}')
    (saved / "dataset_info.json").write_text("{}")
    texts = load_dataset(saved, TextSelection(text_column="instruction")).texts()
    assert texts["text"].to_list() == [r["instruction"] for r in ROWS] and texts["row_id"].to_list() == [0, 1, 2, 3]
    (saved / "notes.json").write_text("[]")
    expect_error("mixed input formats", saved)
    (saved / "notes.json").unlink()
    (tmp_path / "dataset_dict.json").write_text('{"splits": ["saved", "test"]}')
    (tmp_path / "test").mkdir()
    expect_error(r"holds a dataset's splits \(saved, test\); give one split's folder", tmp_path)
    assert load_dataset(saved, TextSelection(text_column="instruction")).texts().height == len(ROWS)
    (tmp_path / "broken.arrow").write_bytes(b"not arrow at all")
    expect_error("cannot read .*broken.arrow as arrow", tmp_path / "broken.arrow")


@pytest.mark.parametrize("layout", ["shards", "folders", "hive", "files", "cache"])
def test_a_directory_of_several_splits_is_refused_not_read_as_one(tmp_path, layout):
    """A dataset downloaded from the Hugging Face Hub keeps its splits side by side
    (data/train-00000-of-00001.parquet, or train/0000.parquet; Spark partitions by split
    as split=train/; a repository's files train_0.parquet beside test_0.parquet, or
    ``datasets``' own cache, gsm8k-train-0.parquet): reading the folder whole would audit
    the test split as training data. One split, by folder or glob, reads."""
    def shard(split: str, index: int = 0) -> Path:
        folder = {"shards": "data", "folders": split, "hive": f"split={split}", "files": "data", "cache": "0.0.0"}[layout]
        name = {"shards": f"{split}-{index:05d}-of-00002.parquet", "files": f"{split}_{index}.parquet",
                "cache": f"gsm8k-{split}-{index}.parquet"}.get(layout, f"{index:04d}.parquet")
        path = tmp_path / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame({"text": [f"{split} row {index}"]}).write_parquet(path)
        return path

    first = shard("train")
    shard("train", 1)
    test = shard("test")
    expect_error(f"holds several splits of a dataset: test \\({test}\\), train \\({first}\\); give one split's", tmp_path)
    one = first.parent / {"shards": "train-*.parquet", "files": "train_*.parquet", "cache": "gsm8k-train-*.parquet"}.get(layout, "")
    assert load_dataset(one).texts()["text"].to_list() == ["train row 0", "train row 1"]
    test.unlink()
    assert load_dataset(tmp_path).texts().height == 2  # one split's shards, however many


@pytest.mark.parametrize("name, present", [("train-{i:05d}-of-00003.parquet", "train-*.parquet"),
                                           ("train-{i:05d}-of-00003-9f3a1c.jsonl.gz", "train-*.jsonl.gz"),
                                           ("data-{i:05d}-of-00003.arrow", "data-*.arrow")])
def test_a_folder_missing_some_of_its_numbered_shards_is_refused(tmp_path, name, present):
    """Shards named as Hugging Face names them say how many there are: a folder that holds
    two of three (a download cut short) would be audited as the whole dataset. It is one
    line naming the missing shard and the glob that reads the ones present; with every
    shard, or by that glob, it reads."""
    folder = tmp_path / "data"
    folder.mkdir()
    for i in (0, 2):
        write(folder, name.format(i=i), ROWS[i : i + 1])
    (tmp_path / "README.md").write_text("# card")
    missing = name.format(i=1).split(".")[0].removesuffix("-9f3a1c")
    expect_error(rf"{folder} lacks 1 of \w+'s 3 shards \({missing}\): finish the download, or read the shards present "
                 rf"by name, e.g. '{re.escape(str(folder / present))}'", tmp_path)
    assert load_dataset(folder / present, TextSelection(text_column="instruction")).texts().height == 2
    write(folder, name.format(i=1), ROWS[1:2])
    assert load_dataset(tmp_path, TextSelection(text_column="instruction")).texts()["text"].to_list() == [r["instruction"] for r in ROWS[:3]]


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_hive_partition_folders_are_columns(tmp_path, fmt):
    """Spark, Ray Data and pyarrow write a partitioned dataset as round=1/part-0.parquet,
    round=2/...: the folder names a column the files do not hold. Whole numbers read as
    integers, values percent-decoded as Spark escapes them, Hive's null as null; a file that
    holds the column itself keeps its own; one partition's folder has no such column."""
    def write(folder: str, texts: list[str], **own) -> None:
        path = tmp_path / "data" / folder / f"part-0.{fmt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame = pl.DataFrame({"text": texts, **{k: [v] * len(texts) for k, v in own.items()}})
        frame.write_parquet(path) if fmt == "parquet" else frame.write_ndjson(path)

    write("round=1/source=real", ["a", "b"])
    write("round=2/source=model%20A", ["c"])
    write("round=10/source=__HIVE_DEFAULT_PARTITION__", ["d"])
    write("round=11/source=x", ["e"], source="its own")
    table = load_dataset(tmp_path / "data").frame.collect()
    assert table.schema["round"] == pl.Int64 and table.schema["source"] == pl.String
    rows = sorted(zip(table["text"], table["round"], table["source"], strict=True))
    assert rows == [("a", 1, "real"), ("b", 1, "real"), ("c", 2, "model A"), ("d", 10, None), ("e", 11, "its own")]
    assert "round" not in load_dataset(tmp_path / "data" / "round=1").frame.collect_schema().names()
    assert load_dataset(str(tmp_path / "data" / "round=*" / "*" / f"*.{fmt}")).frame.collect()["round"].unique().len() == 4


@pytest.mark.parametrize("how", ["path", "uri"])
def test_hidden_folders_and_files_of_an_input_directory_are_not_read(tmp_path, how):
    """As Hugging Face ``datasets`` reads a folder: ``huggingface-cli download`` leaves
    .cache/huggingface/ beside the data, Jupyter copies files into .ipynb_checkpoints/
    (the data twice), Python leaves __pycache__/. None of them is data."""
    folder = tmp_path / "ds"
    (folder / "data").mkdir(parents=True)
    pl.DataFrame({"text": ["row one of the data", "row two of the data"]}).write_parquet(folder / "data" / "train.parquet")
    for hidden in (".ipynb_checkpoints/train-checkpoint.parquet", "data/.train.parquet.tmp.parquet", "__pycache__/x.parquet"):
        (folder / hidden).parent.mkdir(parents=True, exist_ok=True)
        pl.DataFrame({"text": ["a copy"]}).write_parquet(folder / hidden)
    (folder / ".cache" / "huggingface").mkdir(parents=True)
    (folder / ".cache" / "huggingface" / "meta.json").write_text("{}")  # another format: would be refused as mixed
    dataset = load_dataset(folder if how == "path" else f"file://{folder}")
    assert dataset.texts()["text"].to_list() == ["row one of the data", "row two of the data"]
    assert [Path(s).name for s in dataset.sources] == ["train.parquet"]


@pytest.mark.parametrize("how", ["path", "uri"])
def test_a_hub_repositorys_legacy_metadata_beside_its_data_is_not_read(tmp_path, how):
    """A Hub dataset repository downloaded whole often holds dataset_infos.json (legacy card
    metadata) beside data/*.parquet: the folder was refused as of mixed formats. A folder of
    JSON alone still reads such a name as data."""
    folder = tmp_path / "repo"
    (folder / "data").mkdir(parents=True)
    pl.DataFrame({"text": ["row one of the data", "row two of the data"]}).write_parquet(folder / "data" / "train.parquet")
    (folder / "dataset_infos.json").write_text('{"default": {"description": "", "features": {}}}')
    dataset = load_dataset(folder if how == "path" else f"file://{folder}")
    assert [Path(s).name for s in dataset.sources] == ["train.parquet"]
    only_json = tmp_path / "json"
    only_json.mkdir()
    (only_json / "dataset_info.json").write_text(json.dumps([{"text": "a b c"}, {"text": "d e f"}]))
    assert load_dataset(only_json).texts()["text"].to_list() == ["a b c", "d e f"]


def test_fields_are_joined_and_statuses_counted(tmp_path):
    path = write(tmp_path, "d.parquet")
    texts = load_dataset(path, TextSelection(fields=("instruction", "input"))).texts()
    assert texts["text"][0] == "Add 2 and 3."
    assert texts["text"][1] == "Name a colour.\none word"
    output = load_dataset(path, TextSelection(text_column="output")).texts()
    assert output["text_status"].to_list() == ["ok", "ok", "empty", "null"]
    assert output["text"].to_list() == ["5", "blue", None, None]


def test_non_string_values_are_counted_not_crashed(tmp_path):
    path = write(tmp_path, "d.parquet")
    texts = load_dataset(path, TextSelection(text_column="n")).texts()
    assert texts["text_status"].to_list() == ["non_string"] * 4
    mixed = load_dataset(path, TextSelection(fields=("instruction", "n"))).texts()
    assert set(mixed["text_status"]) == {"non_string"}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(max_codepoint=0x3100)) | st.sampled_from(["\x1f a \x1c", "\u3000x\x85"]), min_size=1))
def test_strip_like_python_strips_what_str_strip_strips(texts):
    from qcaudit.io import strip_like_python

    assert pl.DataFrame({"t": texts}).select(strip_like_python(pl.col("t")))["t"].to_list() == [t.strip() for t in texts]


def test_categorical_text_reads_as_text(tmp_path):
    """pandas' category dtype reaches Polars as Categorical; an Enum is text too."""
    plain = load_dataset(write(tmp_path, "d.parquet"), TextSelection(fields=("instruction", "input"))).texts()
    frame = pl.DataFrame(ROWS)
    for dtype in (pl.Categorical, pl.Enum(sorted({r["input"] for r in ROWS if r["input"] is not None}))):
        coded = frame.with_columns(pl.col("input").cast(dtype), pl.col("instruction").cast(pl.Categorical))
        texts = load_dataset(coded, TextSelection(fields=("instruction", "input"))).texts()
        assert texts.equals(plain), dtype


def test_categorical_columns_are_found_by_name_as_text_is():
    """With no column named, a prompt and its answer stored as categories are found as the
    same columns stored as text are (the instruction alone, beside a column of numbers, too)."""
    frame = pl.DataFrame({"instruction": ["Add 2 and 3.", "Name a colour."], "output": ["5", "blue"], "n": [1, 2]})
    for columns in (["instruction", "output"], ["instruction"]):
        plain = load_dataset(frame.select(*columns, "n"), TextSelection()).texts()
        coded = frame.select(*columns, "n").with_columns(pl.col(columns).cast(pl.Categorical))
        assert load_dataset(coded, TextSelection()).texts().equals(plain), columns

def test_compressed_json_lines_and_csv_are_scanned_where_they_lie(tmp_path, monkeypatch):
    """A .jsonl.gz, .jsonl.zst (in several frames, as concatenation writes), gzip members one
    after another (as bgzip and cat write) and a .csv.gz are read by Polars' scan as it
    decompresses, never whole into memory, and give the rows of the plain file; so are bzip2
    and xz files (and a legacy .lzma file named .xz, which Python's lzma reads), and pzstd's
    Zstandard (each frame after a skippable one, which Polars read as bytes that are not
    UTF-8), through a Zstandard copy made as they are read; a plain file joined to one of
    pzstd's (a plain first frame, skippable ones after it) is scanned as it is: Polars
    passes over a skippable frame after the first."""
    from qcaudit import readers

    rows = [{"text": f"row {i} with some words", "n": i} for i in range(3000)]
    lines = "".join(json.dumps(row) + "\n" for row in rows).encode()
    table = ("text,n\n" + "".join(f"{row['text']},{row['n']}\n" for row in rows)).encode()
    half = len(lines) // 2
    files = {"d.jsonl.gz": gzip.compress(lines), "d.jsonl.zst": zstd(lines, frames=3),
             "members.jsonl.gz": gzip.compress(lines[:half]) + gzip.compress(lines[half:]), "d.csv.gz": gzip.compress(table),
             "d.jsonl.bz2": bz2.compress(lines), "d.jsonl.xz": lzma.compress(lines), "d.csv.xz": lzma.compress(table),
             "pzstd.jsonl.zst": zstd(lines, frames=3, skippable=True), "pzstd.csv.zst": zstd(table, frames=2, skippable=True),
             "legacy.jsonl.xz": lzma.compress(lines, format=lzma.FORMAT_ALONE),
             "joined.jsonl.zst": zstd(lines[:half]) + zstd(lines[half:], frames=2, skippable=True),
             "joined.csv.zst": zstd(table[:half]) + zstd(table[half:], frames=2, skippable=True)}
    texts = "".join(json.dumps(row["text"]) + "\n" for row in rows).encode()  # (JSON Lines of one string a line)
    text_files = {"texts.jsonl": texts, "texts.jsonl.gz": gzip.compress(texts), "texts.jsonl.xz": lzma.compress(texts)}
    for name, data in (files | text_files).items():
        (tmp_path / name).write_bytes(data)

    def refused(*args, **kwargs):
        raise AssertionError("read into memory")

    monkeypatch.setattr(readers, "_read_in_memory", refused)
    expected = pl.DataFrame(rows)
    for name in files:
        read = load_dataset(tmp_path / name).frame.collect()
        assert read.drop("row_id").equals(expected), name
    for name in text_files:
        assert load_dataset(tmp_path / name).frame.collect()["text"].to_list() == [row["text"] for row in rows], name


@settings(max_examples=25, deadline=None)
@given(texts=st.lists(st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=12), min_size=1,
                      max_size=8),
       fmt=st.sampled_from(["csv", "tsv", "txt"]), compressed=st.sampled_from(["", ".gz", ".bz2"]), crlf_after=st.booleans(),
       read_bytes=st.integers(1, 9))
def test_lines_ended_by_carriage_returns_alone_read_as_lines(tmp_path_factory, texts, fmt, compressed, crlf_after, read_bytes):
    """A CSV, TSV or text file whose lines end in a carriage return alone (classic Mac OS;
    Excel for Mac's "CSV (Macintosh)") reads as its lines, as pandas and Python's universal
    newlines read it: the rows of the same file with line feeds, whole and at a quick look.
    Where a CR LF follows past what is looked at, it ends one line, not two, wherever a
    copy's read cuts."""
    from qcaudit import inputcheck, readers

    folder = tmp_path_factory.mktemp("cr")
    frame = pl.DataFrame({"text": texts, "n": range(len(texts))})
    lf = ("".join(f"{text}\n" for text in texts) if fmt == "txt" else
          frame.with_columns(pl.col("text").str.replace_all("\t", " ")).write_csv(separator="\t" if fmt == "tsv" else ",",
                                                                                   quote_style="always"))
    cr = lf.replace("\n", "\r")
    if crlf_after:  # (a last line ended by a CR LF)
        last = "x" if fmt == "txt" else '"x"\t9' if fmt == "tsv" else '"x",9'
        cr, lf = f"{cr}{last}\r\n", f"{lf}{last}\n"
    pack = {"": lambda data: data, ".gz": gzip.compress, ".bz2": bz2.compress}[compressed]
    (folder / f"lf.{fmt}{compressed}").write_bytes(pack(lf.encode()))
    (folder / f"cr.{fmt}{compressed}").write_bytes(pack(cr.encode()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(readers, "COPY_BYTES", read_bytes)
        patch.setattr(inputcheck, "LINE_END_LOOK", cr.encode().index(b"\r") + 1)  # (the first line's end)
        for limit in (None, 2):
            expected = load_dataset(folder / f"lf.{fmt}{compressed}", limit=limit).frame.collect()
            assert load_dataset(folder / f"cr.{fmt}{compressed}", limit=limit).frame.collect().equals(expected)


def test_a_csv_with_classic_mac_line_ends_reads_as_pandas_reads_it(tmp_path):
    """The layout Excel for Mac's "CSV (Macintosh)" writes: lines ended by carriage returns,
    quoted fields where a comma stands; pandas (the reference) reads it as rows."""
    import pandas as pd

    path = tmp_path / "mac.csv"
    path.write_bytes('text,score\r"Sum 2, then 3.",1.5\rCafé au lait,2\r"He said ""hi""",\r'.encode())
    expected = pd.read_csv(path, dtype=str, keep_default_na=False)
    read = load_dataset(path).frame.collect()
    assert read["text"].to_list() == expected["text"].to_list() == ["Sum 2, then 3.", "Café au lait", 'He said "hi"']
    assert read["score"].to_list() == [float(v) if v else None for v in expected["score"]]


def test_json_lines_ended_by_carriage_returns_alone_are_refused_in_one_line(qc, tmp_path):  # noqa: F811
    (tmp_path / "cr.jsonl").write_bytes(b'{"text": "a first row"}\r{"text": "a second row"}\r')
    refused = qc("report", tmp_path / "cr.jsonl", "-o", tmp_path / "out", "--analyzers", "diversity")
    assert refused.code == 2 and "its lines end in a carriage return alone" in refused.err and len(refused.err.splitlines()) == 1


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.one_of(st.dictionaries(st.text(max_size=4), st.recursive(
           st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6),
           max_size=4), st.text(max_size=20), st.integers()), max_size=8),
       indent=st.sampled_from([None, 0, 2, "\t"]), read_bytes=st.integers(1, 40), bom=st.booleans())
def test_a_json_array_read_item_by_item_gives_what_json_loads_gives(items, indent, read_bytes, bom):
    """Items that a read cuts anywhere (in a string, a number, an escape, a multibyte
    character, a byte-order mark) are read on until whole, in any layout json.dumps writes;
    each item's text holds that item."""
    import io as bytes_io

    from qcaudit import json_array

    data = (b"\xef\xbb\xbf" if bom else b"") + json.dumps(items, indent=indent, ensure_ascii=False).encode()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_array, "READ_BYTES", read_bytes)
        read = list(json_array.array_items(bytes_io.BytesIO(data), json.JSONDecoder()))
    assert [value for value, _ in read] == items
    assert [json.loads(text) for _, text in read] == items


@settings(max_examples=60, deadline=None)
@given(records=st.lists(st.dictionaries(st.sampled_from("abc"), st.none() | st.integers() | st.text(max_size=3)
                                        | st.lists(st.integers(), max_size=2) | st.dictionaries(st.just("k"), st.integers())),
                        max_size=12))
def test_the_kinds_of_each_columns_values_are_counted_as_defined(records):
    """The check counts, per top-level key, each kind of value (list, object, or scalar; null
    is none) and keeps the first lines of each: the counts and lines of the definition
    (:func:`~qcaudit.inputcheck._kind` on each value), however the count is made."""
    from qcaudit.inputcheck import SHOWN, _kind, _Kinds

    kinds = _Kinds()
    for line, record in enumerate(records, start=1):
        kinds.add(record, line)
    counts: dict = {}
    lines: dict = {}
    for line, record in enumerate(records, start=1):
        for key, value in record.items():
            if value is not None:
                counts.setdefault(key, {}).setdefault(_kind(value), 0)
                counts[key][_kind(value)] += 1
                lines.setdefault(key, {}).setdefault(_kind(value), []).append(line)
    assert kinds.counts == counts
    assert kinds.lines == {key: {kind: found[:SHOWN] for kind, found in by_kind.items()} for key, by_kind in lines.items()}


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=5)


@settings(max_examples=150, deadline=None)
@given(members=st.dictionaries(st.text(max_size=4), _JSON_VALUES, max_size=5),
       records=st.none() | st.lists(st.one_of(st.dictionaries(st.sampled_from("ab"), _JSON_VALUES, max_size=2), _JSON_VALUES),
                                    max_size=4),
       at=st.integers(0, 5), indent=st.sampled_from([None, 2]), read_bytes=st.integers(1, 40), bom=st.booleans())
@example(members={"": None, "0": [{}, None]}, records=[{}], at=0, indent=None, read_bytes=1, bom=False)  # (a list of objects and more after)
def test_records_under_a_key_read_item_by_item_are_the_rows_the_whole_object_gives(members, records, at, indent, read_bytes,
                                                                                   bom):
    """:func:`~qcaudit.json_array.keyed_records` reads an object's records under one key, a
    read cutting it anywhere, as :func:`~qcaudit.inputcheck.object_records` finds them in the
    object parsed whole, or leaves the object to be read whole (NotKeyedRecords); it reads
    every object whose first array that opens with an object holds objects only, and no later
    one does, beside other members of which not all are lists (lists alone beside it make a
    table of lists)."""
    import io as bytes_io

    from qcaudit import json_array
    from qcaudit.inputcheck import object_records

    items = list(members.items())
    if records is not None:
        items.insert(min(at, len(items)), ("records" if "records" not in members else "records2", records))
    document = dict(items)
    data = (b"\xef\xbb\xbf" if bom else b"") + json.dumps(document, indent=indent, ensure_ascii=False).encode()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(json_array, "READ_BYTES", read_bytes)
        try:
            read = list(json_array.keyed_records(bytes_io.BytesIO(data), json.JSONDecoder()))
        except json_array.NotKeyedRecords:
            read = None
    lists = [value for value in document.values() if isinstance(value, list)]
    opening = [value for value in lists if value and isinstance(value[0], dict)]  # (of objects, by its first item)

    def is_records(value: list) -> bool:
        return all(isinstance(item, dict) for item in value)

    # (the first list that opens with an object is read as the records; a later one of objects only is records too)
    records = opening[0] if opening and is_records(opening[0]) and not any(map(is_records, opening[1:])) else None
    assert (read is not None) == (records is not None and (len(lists) == 1 or len(lists) < len(document)))
    if read is not None:
        assert [value for value, _ in read] == object_records(document) == records
        assert [json.loads(text) for _, text in read] == records


def test_an_object_of_many_or_long_members_beside_its_records_is_read_whole(monkeypatch):
    """A table in pandas' ``columns`` or ``index`` orient, whose members are its columns or rows,
    is not read member by member in the hope of records under a key: past
    :data:`~qcaudit.json_array.METADATA_MEMBERS` members, or a member longer than
    :data:`~qcaudit.json_array.METADATA_CHARS` (not read to its end), it is left whole."""
    import io as bytes_io

    from qcaudit import json_array

    records = [{"text": "a"}]
    many = {**{str(i): {"text": str(i)} for i in range(json_array.METADATA_MEMBERS + 1)}, "data": records}
    fewer = {**{str(i): {"text": str(i)} for i in range(json_array.METADATA_MEMBERS)}, "data": records}
    long = {"text": {str(i): "x" * 100 for i in range(50)}, "data": records}

    def keyed(document: dict) -> list | None:
        try:
            return [value for value, _ in json_array.keyed_records(bytes_io.BytesIO(json.dumps(document).encode()), json.JSONDecoder())]
        except json_array.NotKeyedRecords:
            return None

    assert keyed(many) is None and keyed(fewer) == records
    with pytest.raises(json_array.NotKeyedRecords):  # (JSON Lines of such objects, whose first line is too long to tell)
        list(json_array.keyed_records(bytes_io.BytesIO(b'{"data": [{"a": 1}]}\n{"data": [{"a": 2}]}\n'), json.JSONDecoder()))
    assert keyed(long) == records
    monkeypatch.setattr(json_array, "METADATA_CHARS", 1000)
    monkeypatch.setattr(json_array, "READ_BYTES", 100)
    read = []
    monkeypatch.setattr(json_array._Buffer, "read_more", lambda self, at_least=0, read_more=json_array._Buffer.read_more: (
        read.append(at_least), read_more(self, at_least))[1])
    assert keyed(long) is None and sum(read) < 5000  # (the 6 KB member is not read to its end)


def test_a_json_array_is_checked_and_read_item_by_item_never_whole(tmp_path, monkeypatch):
    """A .json array (Alpaca's and LLaMA-Factory's layout; ShareGPT dumps of hundreds of MB)
    is checked and read an item at a time, through a JSON Lines copy that Polars scans: read
    whole, a 514 MB array peaked at 4.8 GB in a report, against 4.1 GB for the same rows as
    JSON Lines. Compressed, pretty-printed, or with a byte-order mark, the rows are those of
    the file, and the filters' JSON Lines output holds the file's objects. So is an array of
    texts (``json.dump(texts, f)``), one text a row."""
    from qcaudit import inputcheck, readers
    from qcaudit.json_records import json_records

    rows = [{"text": f"row {i}\nsecond line", "n": i, "meta": {"tags": ["a", "b"][: i % 3]}} for i in range(500)]

    def refused(*args, **kwargs):
        raise AssertionError("read whole")

    monkeypatch.setattr(readers, "_read_in_memory", refused)
    monkeypatch.setattr(inputcheck, "_parse", refused)  # (what parses a document whole)
    files = {"d.json": json.dumps(rows).encode(), "pretty.json.gz": gzip.compress(json.dumps(rows, indent=2).encode()),
             "bom.json.xz": lzma.compress(b"\xef\xbb\xbf" + json.dumps(rows).encode())}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        read = load_dataset(tmp_path / name).frame.collect()
        assert read.drop("row_id").to_dicts() == rows, name
        assert [json.loads(record) for record in json_records([str(tmp_path / name)])] == rows, name
    keyed = {"squad.json": json.dumps({"version": "1.1", "data": rows}).encode(),
             "table.json.gz": gzip.compress(json.dumps({"schema": {"fields": [{"name": "text"}]}, "data": rows}, indent=1).encode()),
             "meta_after.json.zst": zstd(json.dumps({"data": rows, "source": {"name": "web"}, "n": 3}).encode())}
    for name, data in keyed.items():  # (records under a key beside a little metadata)
        (tmp_path / name).write_bytes(data)
        for limit in (None, 7):
            assert load_dataset(tmp_path / name, limit=limit).frame.collect().drop("row_id").to_dicts() == rows[:limit], name
        assert [json.loads(record) for record in json_records([str(tmp_path / name)])] == rows, name
    texts = [row["text"] for row in rows] + [None, "", "é \u2028 😀"]
    files = {"texts.json": json.dumps(texts).encode(),
             "pretty_texts.json.gz": gzip.compress(json.dumps(texts, indent=2, ensure_ascii=False).encode()),
             "bom_texts.json.xz": lzma.compress(b"\xef\xbb\xbf" + json.dumps(texts, ensure_ascii=False).encode())}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        assert load_dataset(tmp_path / name).frame.collect()["text"].to_list() == texts, name


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.one_of(st.dictionaries(st.sampled_from("abc"), st.integers() | st.text(max_size=6), max_size=3),
                                 st.text(max_size=8), st.none(), st.integers()), min_size=1, max_size=4),
       gaps=st.lists(st.sampled_from([" ", "\n", "\r\n", "\n\n", "\t", ""]), min_size=5, max_size=5),
       first_look=st.integers(1, 9), bom=st.booleans())
def test_json_lines_are_told_from_a_document_by_the_files_start_as_by_the_whole(tmp_path_factory, values, gaps, first_look, bom):
    """Whether a .json file holds JSON Lines is decided from its first value and the start of
    the next, read a little at a time, as the whole text decides it (:func:`holds_json_lines`)."""
    from qcaudit import inputcheck

    text = gaps[0] + "".join(json.dumps(value) + gap for value, gap in zip(values, gaps[1:], strict=False))
    path = tmp_path_factory.mktemp("probe") / "d.json"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(inputcheck, "_FIRST_LOOK", first_look)
        assert inputcheck.opens_json_lines(path) is inputcheck.holds_json_lines(text)


def test_an_object_found_to_be_no_records_under_a_key_past_its_records_is_read_whole_as_before(tmp_path):
    """A list beside the records makes the object a table of lists (as pandas reads it), or
    records under two keys: known only once the records are read. The check's copy of them is
    then dropped, and the rows, at a quick look too, and the filters' records are the whole
    object's; a fault further on is the whole document's, in one line."""
    from qcaudit.inputcheck import object_records
    from qcaudit.json_records import json_records

    rows = [{"text": f"row {i}", "n": i} for i in range(3)]
    document = {"data": rows, "tags": ["a", "b", "c"]}
    path = tmp_path / "d.json"
    path.write_text(json.dumps(document))
    table = object_records(document)
    assert table == [{"data": row, "tags": tag} for row, tag in zip(rows, "abc", strict=True)]
    for limit in (None, 2):
        assert load_dataset(path, TextSelection(text_column="tags"), limit=limit).frame.collect().drop("row_id").to_dicts() == table[:limit]
    assert [json.loads(record) for record in json_records([str(path)])] == table
    path.write_text(json.dumps({"data": rows, "test": rows}))
    with pytest.raises(QcauditError, match=r"it holds records under several keys \('data', 'test'\)"):
        load_dataset(path)
    path.write_text(json.dumps({"data": rows})[:-1] + ', "n": }')
    with pytest.raises(QcauditError, match="d.json: invalid JSON on the document: Expecting value"):
        load_dataset(path)


def test_json_lines_named_json_are_checked_line_by_line_never_whole(tmp_path):
    """Many datasets named .json hold JSON Lines: the check reads them a line at a time (it read
    the file whole, and its text, before telling them from one document), and a quick look
    reads only its first rows; the rows, whole and at a quick look, and the filters' records
    are those of the same lines named .jsonl."""
    import tracemalloc

    from qcaudit.inputcheck import check_text_file
    from qcaudit.json_records import json_records

    rows = [{"text": "a long first row " * 40_000}] + [{"text": f"row {i} " + "word " * 800, "n": i} for i in range(2_000)]
    lines = "".join(json.dumps(row) + "\n" for row in rows)
    (tmp_path / "d.json").write_text(lines)
    (tmp_path / "d.jsonl").write_text(lines)
    tracemalloc.start()
    try:
        check = check_text_file(tmp_path / "d.json", "json")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert check.rows == len(rows) and check.reading == "jsonl"
    assert peak < len(lines) / 2, (peak, len(lines))  # (9 MB: the file and its text were held whole)
    head = check_text_file(tmp_path / "d.json", "json", head_rows=3)
    assert head.rows == len(rows) and head.head == "".join(json.dumps(row) + "\n" for row in rows[:3]).encode()
    for limit in (None, 3):
        assert load_dataset(tmp_path / "d.json", limit=limit).frame.collect().equals(
            load_dataset(tmp_path / "d.jsonl", limit=limit).frame.collect())
    assert [json.loads(record) for record in json_records([str(tmp_path / "d.json")])] == rows


def test_the_json_lines_copy_of_an_array_is_made_once_and_removed_with_the_process(tmp_path):
    """The copy lies in the cache's scratch folder, is made again only when the file
    changes, and goes when the process ends."""
    import subprocess
    import sys

    path = tmp_path / "d.json"
    path.write_text(json.dumps([{"text": "a b"}, {"text": "c d"}]))
    script = ("import json, sys; from qcaudit import cache; from qcaudit.io import load_dataset; from pathlib import Path\n"
              "p = Path(sys.argv[1]); first = load_dataset(p); again = load_dataset(p)\n"
              "copies = sorted(str(made[1][1]) for made in cache._MADE.values())\n"
              "p.write_text(json.dumps([{'text': 'e f g'}])); changed = load_dataset(p)\n"
              "print(json.dumps([copies, sorted(str(made[1][1]) for made in cache._MADE.values()), changed.texts()['text'].to_list()]))")
    env = {**os.environ, "QCAUDIT_CACHE_DIR": str(tmp_path / "cache")}
    ran = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, env=env, check=True)
    once, after_change, texts = json.loads(ran.stdout)
    assert len(once) == 1 and once[0].startswith(str(tmp_path / "cache" / "scratch" / "run-"))
    assert len(after_change) == 2 and texts == ["e f g"]
    assert not list((tmp_path / "cache" / "scratch").iterdir())


def test_a_copy_made_to_read_an_input_that_finds_a_full_disk_is_one_line(qc, tmp_path, monkeypatch):  # noqa: F811
    """A JSON array's JSON Lines copy, a bzip2 file's Zstandard copy and a URI's local copy
    on a full disk: one line that says where, exit 2, and no copy left behind."""
    import errno

    import fsspec

    from qcaudit import readers, remote
    from qcaudit.cache import cache_root
    from tests.test_hostile_inputs import one_line_error

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "d.json").write_text(json.dumps([{"text": "a b c"}, {"text": "d e f"}]))
    (tmp_path / "d.jsonl.bz2").write_bytes(bz2.compress(b'{"text": "a b c"}\n'))
    monkeypatch.setattr(readers, "_json_lines_copy", full)
    monkeypatch.setattr(readers, "_zstd_copy", full)
    for name in ("d.json", "d.jsonl.bz2"):
        one_line_error(qc("report", tmp_path / name, "--out", tmp_path / "o"), "no room for a ", f"of {tmp_path / name} in "
                       f"{tmp_path / 'cache' / 'scratch'} (No space left on device)")
    fsspec.filesystem("memory").pipe("/qc-full/d.jsonl", b'{"text": "a b c"}\n')
    monkeypatch.setattr(remote.shutil, "copyfileobj", full)
    with pytest.raises(QcauditError, match="no room for a local copy of memory:///qc-full/d.jsonl in"):
        load_dataset("memory://qc-full/d.jsonl")
    assert not list((cache_root() / "scratch").iterdir())


def test_lists_of_strings_and_utf8_bytes_read_as_text(tmp_path):
    """A list of strings is its strings, one a line (as fields are joined); bytes are text
    where they are UTF-8; other bytes are not text."""
    frame = pl.DataFrame({
        "paragraphs": [["First one.", "Second one."], ["Only."], [], None, ["a", None, "b"]],
        "raw": [b"hello there", "caf\u00e9".encode(), b"\xff\xfe", None, b"  "],
    })
    paragraphs = load_dataset(frame, TextSelection(text_column="paragraphs")).texts()
    assert paragraphs["text"].to_list() == ["First one.\nSecond one.", "Only.", None, None, "a\nb"]
    assert paragraphs["text_status"].to_list() == ["ok", "ok", "empty", "null", "ok"]
    raw = load_dataset(frame, TextSelection(text_column="raw")).texts()
    assert raw["text"].to_list() == ["hello there", "caf\u00e9", None, None, None]
    assert raw["text_status"].to_list() == ["ok", "ok", "non_string", "null", "empty"]
    valid = load_dataset(frame.head(2), TextSelection(text_column="raw")).texts()  # all UTF-8: cast at once
    assert valid["text"].to_list() == ["hello there", "caf\u00e9"] and valid["text_status"].to_list() == ["ok", "ok"]
    both = load_dataset(frame, TextSelection(fields=("paragraphs", "raw"))).texts()
    assert both["text"].to_list()[:2] == ["First one.\nSecond one.\nhello there", "Only.\ncaf\u00e9"]


def test_a_history_of_rounds_reads_as_its_lines_and_a_field_of_no_text_is_named(qc, tmp_path):  # noqa: F811
    """LLaMA-Factory's Alpaca ``history`` (earlier rounds as [question, answer] lists) is its
    strings one a line, empty ones left out, as the same rounds' turns in a chat are (since
    2026-12-07 it is read as one: its statuses are a chat's); a field of numbers in
    --fields is named in a warning (the refusal that follows counts rows, not fields)."""
    rounds = [[["Hi.", "Hello."], ["And you?", ""]], [], None, [["Only a question."]], [[]]]
    frame = pl.DataFrame({
        "history": rounds,
        "instruction": ["Now this.", "Just this.", "This too.", "Then this.", "And this."],
        "score": [1.0, None, None, None, None],
    })
    history = load_dataset(frame, TextSelection(text_column="history")).texts()
    assert history["text"].to_list() == ["Hi.\nHello.\nAnd you?", None, None, "Only a question.", None]
    as_chats = pl.DataFrame({"messages": [None if pairs is None else [
        {"role": role, "content": text} for pair in pairs for role, text in zip(("user", "assistant"), pair, strict=False)]
        for pairs in rounds]}, schema={"messages": pl.List(pl.Struct({"role": pl.String, "content": pl.String}))})
    assert history.equals(load_dataset(as_chats).texts())
    joined = load_dataset(frame, TextSelection(fields=("history", "instruction"))).texts()
    assert joined["text"].to_list()[:2] == ["Hi.\nHello.\nAnd you?\nNow this.", "Just this."]
    data = tmp_path / "d.parquet"
    frame.write_parquet(data)
    warned = []
    for fields in ("history,instruction", "instruction,score"):
        ran = qc("report", data, "--fields", fields, "--analyzers", "diversity", "--out", tmp_path / "out")
        assert ran.code == 0, ran.err
        warned.append([line for line in ran.err.splitlines() if line.startswith("warning:")])
    assert warned == [[], [("warning: field 'score' holds Float64, not text: a row with a value there counts as not text; "
                            "leave the field out of --fields")]]


_ANSWER = st.one_of(st.none(), st.fixed_dictionaries({"response": st.one_of(st.none(), st.text("ab \n", max_size=6)),
                                                     "model": st.sampled_from(["m1", "m2"])}))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.lists(_ANSWER, max_size=4)), min_size=1, max_size=6))
def test_a_list_of_answers_reads_as_their_texts(rows):
    """A list of answers (UltraFeedback's ``completions``, Nectar's ``answers``: objects with
    one text field named as an answer, beside their model and ratings) is each answer's text
    one a line, as a list of those strings would read; a list whose objects hold two such
    fields is no text (which one would be the answer?)."""
    frame = pl.DataFrame({"completions": rows},
                         schema={"completions": pl.List(pl.Struct({"response": pl.String, "model": pl.String}))})
    as_strings = pl.DataFrame({"completions": [None if answers is None else [a["response"] for a in answers if a and a["response"]]
                                               for answers in rows]}, schema={"completions": pl.List(pl.String)})
    read = load_dataset(frame, TextSelection(text_column="completions")).texts()
    assert read.equals(load_dataset(as_strings, TextSelection(text_column="completions")).texts())
    nectar = pl.DataFrame({"answers": [[{"answer": "Hello there", "model": "m1", "rank": 1.0}, {"answer": "Hey", "model": "m2", "rank": 2.0}]]})
    assert load_dataset(nectar, TextSelection(text_column="answers")).texts()["text"].to_list() == ["Hello there\nHey"]
    # an answer's text in a plainer field where none of an answer's name is text (summarize_from_feedback's summaries), not before one
    summaries = pl.Struct({"text": pl.String, "policy": pl.String})
    assert answer_field(pl.List(summaries)) == "text"
    assert answer_field(pl.List(pl.Struct({"text": pl.String, "response": pl.String}))) == "response"
    ambiguous = pl.DataFrame({"answers": [[{"answer": "a", "response": "b"}]]})
    assert load_dataset(ambiguous, TextSelection(text_column="answers")).texts()["text_status"].to_list() == ["non_string"]


def test_a_path_from_the_home_directory_is_read_as_a_shell_would(tmp_path, monkeypatch):
    """Config files name benchmarks and references as ~/...: no shell expands them."""
    from qcaudit.readers import input_files

    monkeypatch.setenv("HOME", str(tmp_path))
    path = write(tmp_path, "d.parquet")
    assert input_files("~/d.parquet") == [path]
    assert load_dataset("~/d.parquet", TextSelection(text_column="output")).texts()["text"][0] == "5"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "~").mkdir()
    literal = write(tmp_path / "~", "d.parquet")  # a folder really named "~" is taken as named
    assert input_files("~/d.parquet") == [Path("~/d.parquet")] and literal.exists()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n\r\u2028\x1c\u00e9"), max_size=60), st.integers(1, 8))
def test_a_text_file_is_one_row_a_line_as_python_splits_it(text, piece):
    """``_text_lines`` against str.split("\\n") (a final newline opening no line, a CRLF's
    "\\r" dropped), with pieces small enough that lines cross their bounds."""
    from qcaudit import readers

    old, readers.TXT_PIECE_CHARS = readers.TXT_PIECE_CHARS, piece
    try:
        got = readers._text_lines(text).to_list()
    finally:
        readers.TXT_PIECE_CHARS = old
    assert got == [line.removesuffix("\r") for line in text.removesuffix("\n").split("\n")]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", "b", " ", "\n", "\r", "\u2028", "\x85", "é", "\t", "\ufeff"]), min_size=1))
def test_text_files_are_scanned_as_their_lines_split(tmp_path_factory, text):
    """A .txt file (plain, gzip or Zstandard) is scanned where it lies, never read into memory
    whole, and gives the lines that splitting the whole text gives (:func:`_text_lines`); one
    whose lines end in carriage returns alone (a carriage return, no line feed), those lines."""
    from qcaudit import readers

    assume(not text.startswith("\ufeff"))  # (a byte-order mark: read into memory, and dropped)
    folder = tmp_path_factory.mktemp("txt")
    data = text.encode()
    for name, raw in (("t.txt", data), ("t.txt.gz", gzip.compress(data)), ("t.txt.zst", zstd(data, frames=2))):
        (folder / name).write_bytes(raw)
    lines_end_in_cr = "\r" in text and "\n" not in text
    expected = readers._text_lines(text.replace("\r", "\n") if lines_end_in_cr else text).to_list()
    read_whole = readers._read_in_memory
    readers._read_in_memory = None  # (a read into memory fails)
    try:
        for name in ("t.txt", "t.txt.gz", "t.txt.zst"):
            assert load_dataset(folder / name).frame.collect()["text"].to_list() == expected, name
    finally:
        readers._read_in_memory = read_whole


def test_text_files_read_one_row_a_line(tmp_path):
    body = "\ufeffa first line\r\nsecond one\n\nthe fourth, after a blank\n"
    (tmp_path / "c.txt").write_bytes(body.encode())
    (tmp_path / "c.txt.gz").write_bytes(gzip.compress(body.encode()))
    (tmp_path / "c.txt.zst").write_bytes(zstd(body.encode(), frames=3))
    for name in ("c.txt", "c.txt.gz", "c.txt.zst"):
        texts = load_dataset(tmp_path / name, TextSelection()).texts()
        assert texts["text"].to_list() == ["a first line", "second one", None, "the fourth, after a blank"], name
        assert texts["text_status"].to_list() == ["ok", "ok", "empty", "ok"]
    (tmp_path / "bad.txt").write_bytes(b"fine\ncaf\xe9\n")
    with pytest.raises(QcauditError, match="line 2 is not valid UTF-8"):
        load_dataset(tmp_path / "bad.txt", TextSelection())
    shards = tmp_path / "shards"  # a folder of text files is read as its files; beside other data they are notes
    shards.mkdir()
    (shards / "a.txt").write_text("one\ntwo\n")
    (shards / "b.txt").write_text("three\n")
    assert load_dataset(shards, TextSelection()).texts()["text"].to_list() == ["one", "two", "three"]
    write(shards, "d.parquet")
    (shards / "LICENSE.txt").write_text("MIT\n")
    assert load_dataset(shards, TextSelection(text_column="output")).sources == [str(shards / "d.parquet")]


@pytest.mark.parametrize("columns, text_source", [
    (("instruction", "input", "output", "text"),  # Alpaca's own text is its fields in a prompt template
     "fields instruction, input, output joined by newlines, not column 'text' that holds them in a prompt template"),
    (("prompt", "completion", "text"), "fields prompt, completion joined by newlines, not column 'text' that holds them in a prompt template"),
    (("instruction", "text"), "column 'text'"),  # without an answer beside it, the text is the whole row
    (("question", "answer", "text"), "column 'text'"),  # a passage and questions on it: the passage is the row's
    (("raw_content", "meta"), "column 'raw_content'"),  # RedPajama-V2
    (("system", "chat"), "column 'chat'"),  # Glaive's function calling
    (("narrative", "dialogue", "speakers"), "column 'dialogue'"),  # SODA
    (("instruction", "input", "output"), "fields instruction, input, output joined by newlines"),  # the question is read too
    (("instruction", "output"), "fields instruction, output joined by newlines"),
    (("instruction", "context", "response", "category"), "fields instruction, context, response joined by newlines"),  # Dolly
    (("question", "answer"), "fields question, answer joined by newlines"),  # GSM8K-style math data
    (("question", "solution", "answer"), "fields question, solution joined by newlines"),  # LIMO: the worked solution, not the final answer
    (("problem", "solution", "level"), "fields problem, solution joined by newlines"),  # MATH
    (("query", "response", "type"), "fields query, response joined by newlines"),  # MetaMathQA
    (("id", "query", "answers", "tools"), "fields query, answers joined by newlines"),  # xLAM function calling: its calls
    (("prompt", "completion"), "fields prompt, completion joined by newlines"),
    (("prompt", "chosen", "rejected"), "fields prompt, chosen joined by newlines"),
    (("chosen", "rejected"), "column 'chosen'"),
    (("title", "output"), "column 'output'"),  # an answer alone where no prompt is found
    (("question", "output"), "fields question, output joined by newlines"),  # a prompt with an answer of another layout
    (("instruction", "category"), "column 'instruction'"),  # instructions alone (Self-Instruct's first stage)
    (("instruction", "generation", "model_name"), "fields instruction, generation joined by newlines"),  # distilabel
    (("question", "choices", "subject"), "column 'question'"),  # cais/mmlu's choices are no API's (a list of strings)
    (("prompt", "generation"), "fields prompt, generation joined by newlines"),
    (("prompt", "generated_text", "details"), "fields prompt, generated_text joined by newlines"),  # TGI's
    (("id", "generated_text"), "column 'generated_text'"),  # Hugging Face's text-generation pipeline's
    (("output", "messages"), "column 'messages'"),  # (no system turn to leave out)
    (("Instruction", "Input", "Output"), "fields Instruction, Input, Output joined by newlines"),  # a spreadsheet's headers
    (("TEXT", "id"), "column 'TEXT'"),
    (("Text", "text"), "column 'text'"),  # the exact name first
    (("Text", "TEXT", "output"), "column 'output'"),  # two alike: neither is taken for the other
    (("conversation_id", "conversation", "model"), "column 'conversation'"),  # LMSYS-Chat-1M
    (("problem", "generated_solution", "expected_answer"), "fields problem, generated_solution joined by newlines"),
    (("input", "output"), "fields input, output joined by newlines"),  # the input is the prompt where no instruction is
    (("inputs", "targets", "language"), "fields inputs, targets joined by newlines"),  # FLAN, P3, xP3, Aya
    (("source", "target"), "fields source, target joined by newlines"),
    (("user", "assistant"), "fields user, assistant joined by newlines"),
    (("human", "assistant"), "fields human, assistant joined by newlines"),
    (("source", "output"), "column 'output'"),  # a source or a user beside an answer names where the row came from
    (("user", "response"), "column 'response'"),
])
def test_auto_detection_reads_the_whole_row_where_it_can(tmp_path, columns, text_source):
    chat = [{"role": "user", "content": "q"}]
    value = {"messages": chat, "conversation": chat, "choices": ["an option", "another"]}
    path = write(tmp_path, "d.parquet", [{name: value.get(name, name) for name in columns}])
    assert load_dataset(path).text_source == text_source


def test_a_pipeline_s_generated_chat_is_the_text_and_gives_the_prompt_and_response(tmp_path):
    """Hugging Face's text-generation pipeline given a chat returns the chat with its answer as
    ``generated_text``: read as a chat column is (its turns, the prompt and the answer)."""
    chats = [[{"role": "user", "content": f"Q{i}?"}, {"role": "assistant", "content": f"A{i}."}] for i in range(3)]
    path = write(tmp_path, "pipeline.parquet", [{"generated_text": chat} for chat in chats])
    dataset = load_dataset(path)
    assert dataset.text_source == "column 'generated_text'" and dataset.texts()["text"].to_list() == [f"Q{i}?\nA{i}." for i in range(3)]
    parts = dataset.first_parts(("prompt", "response"), 3)
    assert parts["prompt"].to_list() == [f"Q{i}?" for i in range(3)] and parts["response"].to_list() == [f"A{i}." for i in range(3)]


def test_ultrachat_turns_under_data_are_found_only_as_a_list_of_texts(tmp_path):
    """UltraChat keeps each conversation as ``data``, a list of its turns' texts: read as
    ``--text-column data`` reads it, a turn a line. The name is too common to be taken for
    text otherwise: a ``data`` column of strings or numbers, or one beside a text column
    found by name, is not the text."""
    turns = [["How do plants make food?", "By photosynthesis, using light."], ["Name a prime.", "Seven.", "Another?", "Eleven."]]
    path = write(tmp_path, "ultrachat.parquet", [{"id": str(i), "data": t} for i, t in enumerate(turns)])
    found = load_dataset(path)
    assert found.text_source == "column 'data'"
    assert found.texts()["text"].to_list() == load_dataset(path, TextSelection(text_column="data")).texts()["text"].to_list() \
        == ["\n".join(t) for t in turns]
    for other in ([{"id": "0", "data": "a plain string"}], [{"id": "0", "data": 3}]):
        expect_error(r"no text column found \(looked for .*and data as a list of texts\)", write(tmp_path, "other.parquet", other))
    beside = write(tmp_path, "beside.parquet", [{"text": "the row's own text", "data": ["a", "b"]}])
    assert load_dataset(beside).text_source == "column 'text'"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.one_of(st.text("ab \n", max_size=5), st.just("<think>why</think>so")), max_size=5), min_size=1, max_size=5),
       st.booleans())
def test_ultrachat_turns_give_the_prompt_and_answer_of_the_same_chat(tmp_path_factory, turns, reasoning):
    """UltraChat's ``data``, the user's and the assistant's turns in turn (the user's first),
    gives the prompt and answer that the same turns as OpenAI's messages give (the answer the
    last assistant turn, the prompt the turns before it), with and without reasoning."""
    folder = tmp_path_factory.mktemp("ultrachat")
    pl.DataFrame({"id": [str(i) for i in range(len(turns))], "data": turns},
                 schema_overrides={"data": pl.List(pl.String)}).write_parquet(path := folder / "ultrachat.parquet")
    messages = [[{"role": ("user", "assistant")[n % 2], "content": text} for n, text in enumerate(t)] for t in turns]
    pl.DataFrame({"messages": messages}, schema_overrides={"messages": pl.List(pl.Struct({"role": pl.String, "content": pl.String}))}
                 ).write_parquet(chats := folder / "chats.parquet")
    parts = ("prompt", "response")
    read = load_dataset(path, TextSelection(reasoning=reasoning)).selected(parts=parts).collect().select(parts)
    assert read.equals(load_dataset(chats, TextSelection(reasoning=reasoning)).selected(parts=parts).collect().select(parts))


def test_the_one_column_of_text_is_the_text_whatever_its_name_except_a_headed_csvs(tmp_path):
    """A table whose one column holds text (pandas' ``DataFrame(texts)``, named ``0``; rows of
    ``{"sentence": ...}``) is read from it; a column of numbers, or one beside another column,
    is still no text found by name; nor a CSV file's one column, whose name may be its first
    text, until --no-header says the file has no header."""
    import pandas as pd

    texts = ["the cat sat on the mat", "a dog ran far away"]
    one = write(tmp_path, "one.jsonl", [{"sentence": t} for t in texts])
    assert load_dataset(one).text_source == "column 'sentence'" and load_dataset(one).texts()["text"].to_list() == texts
    frame = load_dataset(pd.DataFrame(texts))
    assert frame.text_source == "column '0'" and frame.texts()["text"].to_list() == texts
    expect_error("no text column found", write(tmp_path, "numbers.jsonl", [{"n": 1}, {"n": 2}]))
    expect_error("no text column found", write(tmp_path, "two.jsonl", [{"sentence": t, "id": "x"} for t in texts]))
    headed = tmp_path / "one.csv"
    headed.write_text("the first text\n" + "\n".join(texts) + "\n")
    expect_error("if the file's first line is data rather than column names, give --no-header", headed)
    assert load_dataset(headed, header=False).texts()["text"].to_list() == ["the first text", *texts]


def test_a_templated_text_column_is_read_where_asked(tmp_path):
    path = write(tmp_path, "d.parquet", [{"instruction": "Add 2 and 3.", "output": "5", "text": "### Instruction:\nAdd 2 and 3.\n### Response:\n5"}])
    assert load_dataset(path).texts()["text"].to_list() == ["Add 2 and 3.\n5"]
    for named in (TextSelection(text_column="text"), TextSelection(fields=("instruction", "output"))):
        assert "prompt template" not in load_dataset(path, named).text_source
    asked = load_dataset(path, TextSelection(text_column="text"))  # (read as its template's turns, as the fields give them)
    assert asked.texts()["text"].item() == "Add 2 and 3.\n5" and "a conversation written as text" in asked.text_source


def test_a_text_column_of_numbers_or_structs_is_passed_over_for_one_of_text(tmp_path):
    numbers = write(tmp_path, "n.parquet", [{"text": 1, "output": "an answer"}, {"text": 2, "output": "another"}])
    assert load_dataset(numbers).text_source == "column 'output'"
    structs = write(tmp_path, "s.parquet", [{"text": {"body": "words", "lang": "en"}, "id": 1}])
    with pytest.raises(QcauditError, match=r"no text column found .* from: text \(fields text.body, text.lang\), id"):
        load_dataset(structs)


def test_a_column_name_a_plain_list_would_hide_or_split_is_quoted(tmp_path):
    path = write(tmp_path, "odd.parquet", [{"": 1, "a, b": 2, " x": 3, "y": 4}])
    with pytest.raises(QcauditError) as caught:
        load_dataset(path)
    assert str(caught.value).endswith("from: '' (a column with no name: rename it to choose it), 'a, b', ' x', y")
    for name in ("a, b", " x"):  # (as listed, each can be chosen; an empty name cannot: --text-column "" is refused)
        assert load_dataset(path, TextSelection(text_column=name)).text_source == f"column {name!r}"


def test_the_columns_of_a_wide_input_are_listed_those_of_text_first_then_counted(tmp_path):
    path = write(tmp_path, "wide.parquet", [{**{f"n{i}": i for i in range(500)}, "body": "the text"}])
    with pytest.raises(QcauditError) as caught:
        load_dataset(path)
    assert str(caught.value).endswith("from: body, n0, n1, n2, n3, n4, n5, n6, n7, n8, n9, n10, n11, n12, n13, n14, n15, n16, n17, "
                                      "n18, n19, n20, n21, n22, n23, n24, n25, n26, n27, n28, ... (501 columns, those of text first)")


def test_empty_turns_leave_no_blank_lines_and_a_chat_of_empty_turns_is_empty(tmp_path):
    turns = [[{"from": "system", "value": ""}, {"from": "human", "value": "Hi"}, {"from": "gpt", "value": ""}, {"from": "human", "value": "Again?"},
              {"from": "gpt", "value": "Yes."}], [{"from": "system", "value": ""}, {"from": "human", "value": ""}]]
    dataset = load_dataset(write(tmp_path, "d.parquet", [{"conversations": chat} for chat in turns]))
    read = dataset.selected(parts=("prompt", "response")).collect()
    assert read["text"].to_list() == ["Hi\nAgain?\nYes.", None]
    assert read["text_status"].to_list() == ["ok", "empty"]
    assert read["prompt"].to_list()[0] == "Hi\nAgain?"


def test_self_instruct_seed_tasks_read_with_their_instances(tmp_path):
    """Self-Instruct's seed tasks: the text is the instruction and every instance's input and
    output (empty ones left out) one a line; the prompt the instruction, the response the
    instances; a task without instances is its instruction alone."""
    tasks = [
        {"id": "a", "instruction": "Rhyme with cat.", "instances": [{"input": "", "output": "hat"}], "is_classification": False},
        {"id": "b", "instruction": "Sort the list.", "instances": [{"input": "3 1 2", "output": "1 2 3"}, {"input": "b a", "output": "a b"}],
         "is_classification": False},
        {"id": "c", "instruction": "Say hi.", "instances": [], "is_classification": False},
    ]
    path = tmp_path / "seed_tasks.jsonl"
    path.write_text("".join(json.dumps(task) + "\n" for task in tasks))

    def lines(task):
        return [value for instance in task["instances"] for value in (instance["input"], instance["output"]) if value]

    dataset = load_dataset(path)
    assert dataset.text_source == "fields instruction, instances joined by newlines"
    got = dataset.selected(parts=("prompt", "response")).collect()
    assert got["text"].to_list() == ["\n".join([task["instruction"], *lines(task)]) for task in tasks]
    assert got["prompt"].to_list() == [task["instruction"] for task in tasks]
    assert got["response"].to_list() == ["\n".join(lines(task)) for task in tasks]


def test_chat_messages_with_roles(tmp_path):
    rows = [
        {"messages": [{"role": "user", "content": "hi there"}, {"role": "assistant", "content": "hello"}]},
        {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "why?"}]},
        {"messages": [{"role": "system", "content": "only system"}]},
    ]
    path = tmp_path / "chat.parquet"
    pl.DataFrame(rows).write_parquet(path)
    everything = load_dataset(path, TextSelection(roles=("system", "user", "assistant"))).texts()
    assert everything["text"].to_list() == ["hi there\nhello", "be brief\nwhy?", "only system"]
    users = load_dataset(path, TextSelection(roles=("user",))).texts()
    assert users["text"].to_list() == ["hi there", "why?", None]
    assert users["text_status"].to_list() == ["ok", "ok", "null"]
    for named in ("User", "USER"):  # a role in any case
        assert load_dataset(path, TextSelection(roles=(named,))).texts().equals(users), named


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(["system", "developer", "SYSTEM", "user", "assistant", "tool"]),
                                   st.text(alphabet="ab \n", max_size=6)), min_size=1, max_size=5), min_size=1, max_size=5),
       st.booleans())
def test_a_chat_s_text_leaves_its_system_turns_out_unless_role_names_them(chats, sharegpt):
    """By default a chat's text is every turn but the system's (and OpenAI's newer name for
    it, developer), in either layout: a system prompt shared by every row would make the rows
    alike to every metric. ``--role system,...`` reads them again. Compared with the turns
    picked and joined in plain Python (empty turns left out)."""
    role, content = ("from", "value") if sharegpt else ("role", "content")
    named = {"user": "human", "assistant": "gpt"} if sharegpt else {}
    frame = pl.DataFrame({"messages": [[{role: named.get(r, r), content: c} for r, c in chat] for chat in chats]})

    def joined(chat, keep):  # (text only where a turn says something: blank rows have none)
        said = "\n".join(c for r, c in chat if keep(r.lower()) and c)
        return said if said.strip() else None

    dataset = load_dataset(frame)
    setting = sum(joined(chat, lambda r: r in ("system", "developer")) is not None for chat in chats)
    assert dataset.text_source == "column 'messages'" + (f" (system turns left out: {setting} of the {len(chats)} rows hold some)"
                                                         if setting else "")
    assert dataset.texts()["text"].to_list() == [joined(chat, lambda r: r not in ("system", "developer")) for chat in chats]
    asked = load_dataset(frame, TextSelection(roles=("system", "user")))
    assert asked.texts()["text"].to_list() == [joined(chat, lambda r: r in ("system", "user")) for chat in chats]


#: Conversations rendered as text by each layout's rule, written out here by hand (not by
#: qcaudit's patterns): a turn's role and content -> its text.
TRANSCRIPT_RENDERINGS = {
    "hh-rlhf": lambda role, content: f"\n\n{'Human' if role == 'user' else 'Assistant'}: {content}",
    "guanaco": lambda role, content: f"### {'Human' if role == 'user' else 'Assistant'}: {content} ",
    "chatml": lambda role, content: f"<|im_start|>{role}\n{content}<|im_end|>\n",
    "llama-3": lambda role, content: f"<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>",
    "llama-2": lambda role, content: f"<s>[INST] {content} [/INST]" if role == "user" else f" {content} </s>",
    "vicuna": lambda role, content: f"USER: {content} " if role == "user" else f"ASSISTANT: {content}</s>",
    "glaive": lambda role, content: f"USER: {content}\n\n\n" if role == "user" else f"ASSISTANT: {content} <|endoftext|>\n\n\n",
    "alpaca": lambda role, content: f"### {'Instruction' if role == 'user' else 'Response'}:\n{content}\n\n",
    "gemma": lambda role, content: f"<start_of_turn>{'model' if role == 'assistant' else role}\n{content}<end_of_turn>\n",
    "phi-3": lambda role, content: f"<|{role}|>\n{content}<|end|>\n",
    "zephyr": lambda role, content: f"<|{role}|>\n{content}</s>\n",
    "phi-4": lambda role, content: f"<|im_start|>{role}<|im_sep|>{content}<|im_end|>",
    "deepseek": lambda role, content: {"system": f"<｜begin▁of▁sentence｜>{content}", "user": f"<｜User｜>{content}"}.get(
        role, f"<｜Assistant｜>{content}<｜end▁of▁sentence｜>"),
    "command-r": lambda role, content: (f"<|START_OF_TURN_TOKEN|><|{ {'assistant': 'CHATBOT'}.get(role, role.upper()) }_TOKEN|>"
                                        f"{content}<|END_OF_TURN_TOKEN|>"),
    "harmony": lambda role, content: (f"<|start|>assistant<|channel|>final<|message|>{content}<|return|>" if role == "assistant"
                                      else f"<|start|>{role}<|message|>{content}<|end|>"),
}
_TURN_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).map(str.strip).filter(
    lambda text: text and not any(mark in text for mark in ("Human:", "Assistant:", "<|", "INST]", "<<", "<s>", "</s>", "USER:",
                                                           "ASSISTANT:", "###", "<start_of_turn>", "<end_of_turn>", "<bos>",
                                                           "<｜", "<BOS_TOKEN>", "SYSTEM:", "FUNCTION RESPONSE:")))


@pytest.mark.parametrize("layout", sorted(TRANSCRIPT_RENDERINGS))
@settings(max_examples=12, deadline=None)
@given(chats=st.lists(st.lists(st.tuples(st.sampled_from(["user", "assistant"]), _TURN_TEXT), min_size=2, max_size=5)
                      .filter(lambda turns: {role for role, _ in turns} == {"user", "assistant"}), min_size=3, max_size=6),
       roles=st.sampled_from([("assistant",), ("user",), ("user", "assistant")]))
def test_a_conversation_written_as_text_gives_role_turns_as_the_same_chat_in_messages(tmp_path_factory, chats, layout, roles):
    """Conversations written as text in every layout (HH-RLHF's, Guanaco's, the chat
    templates', Alpaca's) give, with --role or without, the text the same conversations give
    as a messages column."""
    tmp_path = tmp_path_factory.mktemp("transcripts")
    if layout == "llama-2":  # (its template takes turns in turn, the user's first: only [/INST] opens an answer)
        chats = [[("user" if i % 2 == 0 else "assistant", content) for i, (_, content) in enumerate(turns)] for turns in chats]
    render = TRANSCRIPT_RENDERINGS[layout]
    written = ["".join(render(role, content) for role, content in turns) for turns in chats]
    as_text, as_lists = tmp_path / "text.parquet", tmp_path / "lists.parquet"
    pl.DataFrame({"text": written}).write_parquet(as_text)
    pl.DataFrame({"messages": [[{"role": role, "content": content} for role, content in turns] for turns in chats]}).write_parquet(as_lists)
    dataset = load_dataset(as_text, TextSelection(roles=roles))
    assert dataset.texts().equals(load_dataset(as_lists, TextSelection(roles=roles)).texts())
    assert dataset.text_source == f"column 'text' (a conversation written as text; roles: {', '.join(roles)})"
    assert load_dataset(as_text).texts().equals(load_dataset(as_lists).texts())
    assert load_dataset(as_text).text_source == "column 'text' (a conversation written as text)"  # (none to leave out)
    parts = ("prompt", "response")  # (for the reward, IFD and contamination analyzers: the turns before the last answer, and it)
    assert load_dataset(as_text).selected(parts=parts).collect().equals(load_dataset(as_lists).selected(parts=parts).collect())


def test_glaive_s_function_calling_conversations_read_as_the_same_chat_in_messages(tmp_path):
    """Glaive's function-calling data writes a conversation as text: ``SYSTEM:`` (its v1's
    ``sample``), ``USER:``, ``ASSISTANT:`` with each answer closed by ``<|endoftext|>``, and
    a function's result as ``FUNCTION RESPONSE:``, each after blank lines. Read as the same
    chat in messages is, the system turn set up, the result the tool's, the end of text no
    one's words; its v2 keeps the system turn apart, in ``system`` beside ``chat``, read as
    the conversation's first turn. Before 2026-12-07 the result and the closing mark were
    the assistant's text, and v2's system prompt was not read."""
    chats = [[("system", f"You may call get_news({i}) -\n{{\"name\": \"get_news\"}}"), ("user", f"News {i}?"),
              ("assistant", f'<functioncall> {{"name": "get_news", "arguments": \'{{"n": {i}}}\'}}'),
              ("tool", f'{{"news": "item {i}"}}'), ("assistant", f"Item {i}."), ("user", "Thanks"), ("assistant", f"Welcome {i}!")]
             for i in range(4)]
    marker = {"system": "SYSTEM", "user": "USER", "assistant": "ASSISTANT", "tool": "FUNCTION RESPONSE"}
    written = ["".join(f"{marker[role]}: {text}{' <|endoftext|>' * (role == 'assistant')}\n\n\n" for role, text in chat) for chat in chats]
    pl.DataFrame({"sample": written}).write_parquet(as_text := tmp_path / "glaive.parquet")
    pl.DataFrame({"messages": [[{"role": role, "content": text} for role, text in chat] for chat in chats]}).write_parquet(
        as_lists := tmp_path / "messages.parquet")
    apart = [{"system": f"SYSTEM: {chat[0][1]}\n", "chat": text.split("\n\n\n", 1)[1]} for chat, text in zip(chats, written, strict=True)]
    pl.DataFrame(apart).write_parquet(v2 := tmp_path / "glaive-v2.parquet")  # (v2: the system prompt, its marker in it, beside the chat)
    parts = ("prompt", "response", "setup")
    for roles in ((), ("tool",), ("system", "user")):
        expected = load_dataset(as_lists, TextSelection(roles=roles)).selected(parts=parts).collect()
        for path in (as_text, v2):
            assert load_dataset(path, TextSelection(roles=roles)).selected(parts=parts).collect().equals(expected)
    assert "('system': each row's system prompt, read as its chat's system turn)" in load_dataset(v2).text_source
    pl.DataFrame([{**row, "system": row["system"].removeprefix("SYSTEM: ")} for row in apart]).write_parquet(unmarked := tmp_path / "u.parquet")
    assert load_dataset(unmarked).selected(parts=("setup",)).collect()["setup"].to_list() == [None] * 4  # (no marker: not read as a turn)


@pytest.mark.parametrize("layout", ["llama-3", "chatml", "llama-2"])
def test_a_prompt_field_rendered_by_a_chat_template_reads_as_its_turns(layout):
    """A prompt rendered by a chat template beside its completion (Llama-Nemotron's ``input``
    and ``output``, TRL's prompt-completion rows exported for training) reads as its turns,
    as a chat does: the text is the user's turns and the completion, the system prompt left
    out and counted on the load line; the prompt part (for reward and IFD) is every turn, the
    system's too; the lexical contamination methods read the system turns. The generation
    prompt the template ends with is no turn, and the template's closing marks after a
    completion (Llama-Nemotron's ``<|eot_id|>``) are no text."""
    system, questions = "detailed thinking on", [f"What is {i} plus {i}?" for i in range(120)]
    def rendered(role, content):
        if layout == "llama-3":
            return f"<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>"
        return f"<|im_start|>{role}\n{content}<|im_end|>\n"

    prompts = [("<|begin_of_text|>" if layout == "llama-3" else "") + rendered("system", system) + rendered("user", q)
               + rendered("assistant", "").removesuffix("<|eot_id|>").removesuffix("<|im_end|>\n") for q in questions]
    if layout == "llama-2":
        prompts = [f"<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{q} [/INST]" for q in questions]
    answers = [f"<think>\nAdd them.\n</think>\n\n{2 * i}" for i in range(120)]
    closing = {"llama-3": "<|eot_id|>", "chatml": "<|im_end|>\n", "llama-2": " </s>"}[layout]
    closed = [a + closing * (i % 2) for i, a in enumerate(answers)]
    names = ("input", "output") if layout == "llama-3" else ("prompt", "completion")
    settings = {"category": "math", "reasoning": [("on", "off", "")[i % 3] for i in range(120)], "generator": "DeepSeek-R1"}
    dataset = load_dataset(pl.DataFrame({names[0]: prompts, names[1]: closed, **settings}))  # (its reasoning: a setting, not text)
    assert dataset.text_source == (f"fields {names[0]}, {names[1]} joined by newlines ({names[0]}: conversations written as text; "
                                   "system turns left out: 100 of the first 100 rows hold some)")
    parts = dataset.selected(parts=("prompt", "response", "setup")).collect()
    assert parts["text"].to_list() == [f"{q}\n{a}" for q, a in zip(questions, answers, strict=True)]
    assert parts["prompt"].to_list() == [f"{system}\n{q}" for q in questions] and parts["response"].to_list() == answers
    assert parts["setup"].to_list() == [system] * 120


def test_harmony_s_channels_and_tool_turns_read_as_the_assistant_s_and_the_tool_s():
    """gpt-oss's harmony format: the assistant's turns of every channel (its reasoning, its
    tool call's arguments, its final answer) are the assistant's, a tool's result
    (``<|start|>functions.name to=assistant``) the tool's, the developer's instructions set
    the chat up as the system's do; DeepSeek's system prompt, after its opening
    ``<｜begin▁of▁sentence｜>``, too."""
    harmony = ("<|start|>system<|message|>You are ChatGPT.<|end|><|start|>developer<|message|># Instructions\nBe kind.<|end|>"
               "<|start|>user<|message|>Weather in {city}?<|end|>"
               "<|start|>assistant<|channel|>analysis<|message|>Need the tool for {city}.<|end|>"
               "<|start|>assistant<|channel|>commentary to=functions.weather <|constrain|>json<|message|>{{\"city\":\"{city}\"}}<|call|>"
               "<|start|>functions.weather to=assistant<|channel|>commentary<|message|>{{\"sky\":\"clear\"}}<|end|>"
               "<|start|>assistant<|channel|>final<|message|>Clear in {city}.<|return|>")
    frame = pl.DataFrame({"text": [harmony.format(city=city) for city in ("Oslo", "Rome", "Lima")]})
    assert load_dataset(frame).texts()["text"][0] == ('Weather in Oslo?\nNeed the tool for Oslo.\n{"city":"Oslo"}\n'
                                                      '{"sky":"clear"}\nClear in Oslo.')
    assert load_dataset(frame, TextSelection(roles=("tool",))).texts()["text"][0] == '{"sky":"clear"}'
    assert load_dataset(frame, TextSelection(roles=("developer",))).texts()["text"][0] == "# Instructions\nBe kind."
    deepseek = pl.DataFrame({"text": [f"<｜begin▁of▁sentence｜>Be brief.<｜User｜>Say {i}.<｜Assistant｜><think>\nEasy.\n</think>\n\n{i}"
                                      "<｜end▁of▁sentence｜>" for i in range(3)]})
    assert load_dataset(deepseek).texts()["text"][0] == "Say 0.\n<think>\nEasy.\n</think>\n\n0"
    assert load_dataset(deepseek, TextSelection(roles=("system",))).texts()["text"][0] == "Be brief."


def test_alpaca_s_prompt_template_written_as_text_reads_as_its_fields(tmp_path):
    """A column of Alpaca-style texts (the template's opening sentence, then ``### Instruction:``,
    ``### Input:`` where there is one, ``### Response:``) reads as the same rows' instruction,
    input and output fields do: the template's words, shared by every row, are no one's text."""
    with_input = ("Below is an instruction that describes a task, paired with an input that provides further context. "
                  "Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n"
                  "### Input:\n{input}\n\n### Response:\n{output}")
    without = ("Below is an instruction that describes a task. Write a response that appropriately completes the request."
               "\n\n### Instruction:\n{instruction}\n\n### Response:\n{output}")
    rows = [{"instruction": f"Add {i} and {i + 1}.", "input": f"x = {i}" if i % 2 else "", "output": f"{2 * i + 1}\n(done)"}
            for i in range(120)]
    templated = pl.DataFrame({"text": [(with_input if row["input"] else without).format(**row) for row in rows]})
    fields = load_dataset(pl.DataFrame(rows), TextSelection(fields=("instruction", "input", "output")))
    dataset = load_dataset(templated)
    assert dataset.texts().equals(fields.texts())
    assert dataset.texts()["text"][1] == "Add 1 and 2.\nx = 1\n3\n(done)"
    assert load_dataset(templated, TextSelection(roles=("response",))).texts()["text"][0] == "1\n(done)"


@pytest.mark.parametrize("layout", ["chatml", "llama-3", "llama-2", "phi-3", "phi-4", "command-r", "harmony", "deepseek"])
def test_a_conversation_written_as_text_leaves_its_system_turn_out_as_a_chat_does(tmp_path, layout):
    """A rendered conversation's system prompt (ChatML's, Llama 3's, Phi's, Command R's and
    harmony's system turn, Llama 2's
    ``<<SYS>>`` block inside the first ``[INST]``) is left out of the text by default, as a
    messages column's is, and read under --role system; a value past the first 100 (which
    tell the column's kind) that holds no conversation is read as written."""
    system = "You are a helpful, respectful and honest assistant."
    chats = [[("user", f"What is {i} plus {i}?"), ("assistant", f"It is {2 * i}.")] for i in range(100)]
    if layout == "llama-2":  # (the system prompt sits inside the first user turn)
        written = [f"<s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{q} [/INST] {a} </s>" for (_, q), (_, a) in chats]
    else:
        render = TRANSCRIPT_RENDERINGS[layout]
        written = ["".join(render(role, content) for role, content in [("system", system), *turns]) for turns in chats]
    as_text = pl.DataFrame({"text": [*written, "A note with no turns at all."]})
    as_lists = pl.DataFrame({"messages": [[{"role": r, "content": c} for r, c in [("system", system), *turns]] for turns in chats]})
    texts = load_dataset(as_text).texts()["text"].to_list()
    assert texts == [*load_dataset(as_lists).texts()["text"].to_list(), "A note with no turns at all."]
    assert texts[0] == "What is 0 plus 0?\nIt is 0."
    with_system = load_dataset(as_text, TextSelection(roles=("system", "user"))).texts()["text"].to_list()
    assert with_system[:100] == load_dataset(as_lists, TextSelection(roles=("system", "user"))).texts()["text"].to_list()
    assert with_system[0] == f"{system}\nWhat is 0 plus 0?" and with_system[100] is None  # (under --role, no turn: no text)
    parts = load_dataset(as_text).selected(parts=("prompt", "response")).collect()
    assert parts.head(100).equals(load_dataset(as_lists).selected(parts=("prompt", "response")).collect())
    assert parts.row(0, named=True)["prompt"] == f"{system}\nWhat is 0 plus 0?" and parts["response"][100] is None
    assert load_dataset(as_text).prompt_within_text()  # (the semantic contamination method embeds the prompt apart)
    assert load_dataset(as_text).text_source == ("column 'text' (a conversation written as text; "
                                                 "system turns left out: 100 of the first 100 rows hold some)")


def test_system_turns_that_differ_from_row_to_row_are_pointed_out_with_the_option_that_reads_them(qc, tmp_path):  # noqa: F811
    """The load line counts the first rows' system turns that the text leaves out; where they
    differ from row to row (personas, a task per row: data, not a prompt the rows share), a
    warning names --role system,user,assistant. One prompt, or a few (OpenOrca's 16), shared
    by the rows, and a chat with none, give no warning."""
    def chats(system_of):
        return pl.DataFrame({"messages": [[{"role": "system", "content": system_of(i)}] * (system_of(i) is not None) + [
            {"role": "user", "content": f"Plan a trip to city {i}."}, {"role": "assistant", "content": f"Go by train {i} times."}]
            for i in range(120)]})

    cases = {"personas": lambda i: f"You are {i}, a retired sailor who answers in rhymes about harbour number {i}.",
             "shared": lambda i: ["Be brief.", "Be kind.", "Answer in English."][i % 3],
             "some": lambda i: "Be brief." if i % 4 == 0 else None}
    seen = {}
    for name, system_of in cases.items():
        data = tmp_path / f"{name}.parquet"
        chats(system_of).write_parquet(data)
        ran = qc("report", data, "--analyzers", "diversity", "--out", tmp_path / name)
        assert ran.code == 0, ran.err
        seen[name] = ([line for line in ran.err.splitlines() if line.startswith("warning:")],
                      json.loads((tmp_path / name / "report.json").read_text())["dataset"]["text_source"])
    left_out = "column 'messages' (system turns left out: {} of the first 100 rows hold some)"
    assert seen == {
        "personas": ([("warning: the system turns, left out of the text, differ from row to row (100 different ones in the first "
                       "100 rows): if they hold the data (a persona or a task per row), --role system,user,assistant reads them too")],
                     left_out.format(100)),
        "shared": ([], left_out.format(100)),
        "some": ([], left_out.format(25)),
    }
    asked = qc("report", tmp_path / "personas.parquet", "--role", "system,user,assistant", "--analyzers", "diversity",
               "--out", tmp_path / "asked")
    assert asked.code == 0 and "warning:" not in asked.err and "left out" not in asked.err, asked.err


def test_speakers_of_a_conversation_written_as_text(qc, tmp_path):  # noqa: F811
    """--role on text names the speakers as the text does or as OpenAI does (Human or user);
    a role no turn has lists the speakers there are; a marker character written in a value
    makes no turn; a column of prose, or of one turn a value, is refused, naming the layouts;
    HH-RLHF pairs read the same pairs under --role (the preference analyzer's metrics equal)."""
    rows = [{"chosen": f"\n\nHuman: question {i} about cats\n\nAssistant: an answer {i} that is kind",
             "rejected": f"\n\nHuman: question {i} about cats\n\nAssistant: no {i}"} for i in range(30)]
    rows[3]["chosen"] += "\x00human\x01 not a turn"
    path = tmp_path / "hh.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    for named in (("human",), ("User",)):
        texts = load_dataset(path, TextSelection(roles=named)).texts()["text"].to_list()
        assert texts[:3] == [f"question {i} about cats" for i in range(3)] and texts[3] == "question 3 about cats"
    answers = load_dataset(path, TextSelection(roles=("assistant",))).texts()["text"].to_list()
    assert answers[3] == "an answer 3 that is kindhuman not a turn"
    without = qc("report", str(path), "--analyzers", "preference", "--out", str(tmp_path / "a"), "-q")
    under = qc("report", str(path), "--analyzers", "preference,diversity", "--role", "assistant", "--out", str(tmp_path / "b"), "-q")
    assert without.code == under.code == 0
    metrics = [json.loads((tmp_path / out / "report.json").read_text())["metrics"] for out in "ab"]
    assert metrics[0]["preference"] == metrics[1]["preference"] and metrics[1]["preference"]["pairs"]["value"] == 30
    missing = qc("report", str(path), "--role", "gpt", "--out", str(tmp_path / "c"))
    assert missing.code == 2 and "roles are user, assistant" in missing.err
    llama_2 = tmp_path / "llama-2.jsonl"  # (a system prompt inside the first user turn, and a preamble before Vicuna's first)
    llama_2.write_text(json.dumps({"text": "<s>[INST] <<SYS>>\nBe kind.\n<</SYS>>\n\nHello there [/INST] Hi! </s>"}) + "\n"
                       + json.dumps({"text": "A chat. USER: What is 2+2? ASSISTANT: It is 4.</s>USER: thanks ASSISTANT: ok</s>"}) + "\n")
    assert load_dataset(llama_2, TextSelection(roles=("system", "user"))).texts()["text"].to_list() == [
        "Be kind.\nHello there", "What is 2+2?\nthanks"]
    for prose in (["Human: one line of prose about people"] * 5, ["some words", "more words"]):
        pl.DataFrame({"text": prose}).write_parquet(tmp_path / "prose.parquet")
        refused = qc("report", str(tmp_path / "prose.parquet"), "--role", "user", "--out", str(tmp_path / "d"))
        assert refused.code == 2 and "or a conversation written as text with its speakers marked (HH-RLHF's" in refused.err
        assert "'text' is String without such marks" in refused.err


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_chats_written_as_json_text_read_as_the_chats(tmp_path, fmt):
    """A column of chats written as JSON text (a CSV's messages; pandas' strings) reads as
    the same chats stored as lists: their turns' contents, roles chosen by --role, not the
    JSON's keys and quotes; a value that is no chat has no text; a text column that merely
    opens with a bracket stays text; the filters write the JSON text back as it was read."""
    def chat(i):
        return [{"role": "user", "content": f"question {i} about cats"}, {"role": "assistant", "content": f"answer {i}, with \"quotes\""}]

    stored = tmp_path / "lists.parquet"
    pl.DataFrame({"messages": [chat(i) for i in range(150)], "prompt": [f"[INST] ask {i} [/INST]" for i in range(150)]}).write_parquet(stored)
    written = [json.dumps(chat(i)) for i in range(150)]
    written[120] = '[{"role": "user", "content": "cut off'  # past the values read to tell the column's kind
    as_text = tmp_path / f"json_text.{fmt}"
    frame = pl.DataFrame({"messages": written, "prompt": [f"[INST] ask {i} [/INST]" for i in range(150)]})
    frame.write_parquet(as_text) if fmt == "parquet" else frame.write_csv(as_text)
    for roles in ((), ("assistant",)):
        expected = load_dataset(stored, TextSelection(text_column="messages", roles=roles)).texts()
        dataset = load_dataset(as_text, TextSelection(text_column="messages", roles=roles))
        got = dataset.texts()
        assert got["text"].to_list()[:120] == expected["text"].to_list()[:120] and got["text"][121:].equals(expected["text"][121:])
        assert got["text"][120] is None and got["text_status"][120] == "null"
        assert "(a chat written as JSON text)" in dataset.text_source
    assert load_dataset(as_text, TextSelection(text_column="prompt")).texts()["text"].to_list()[:2] == ["ask 0", "ask 1"]
    found = load_dataset(as_text)  # the chat column found by its name
    assert found.selection.text_column == "messages" and found.texts()["text"][0] == "question 0 about cats\nanswer 0, with \"quotes\""
    with pytest.raises(QcauditError, match=r"unknown column 'nope'; available columns: messages, prompt$"):
        load_dataset(as_text, TextSelection(text_column="nope"))
    from typer.testing import CliRunner

    from qcaudit.cli import app

    kept = tmp_path / f"kept.{fmt}"
    result = CliRunner().invoke(app, ["dedup", str(as_text), "-o", str(kept), "-q"])
    assert result.exit_code == 0, result.output
    read = pl.read_parquet(kept) if fmt == "parquet" else pl.read_csv(kept)
    assert read.columns == ["messages", "prompt"] and read["messages"].to_list() == written


def test_lists_of_texts_written_as_json_text_read_as_the_lists(tmp_path):
    """The Chatbot Arena Kaggle set's layout without its verdicts (its test file): a prompt and
    lettered answers, each a JSON array of a turn's texts in a CSV (``'["Hi?", "And?"]'``,
    a turn the model did not answer ``null``). The text is that of the same lists stored as
    lists, a turn a line, not the JSON's brackets and quotes, answers in their letters' order;
    a column that merely opens with a bracket stays text; the filters write the JSON back."""
    prompts = [[f"What is {i}?", "And then?"] for i in range(30)]
    answers = {"response_b": [[f"{i} is a number.", None] for i in range(30)], "response_a": [[f"It is {i}.", "Then more."] for i in range(30)]}
    stored = tmp_path / "lists.parquet"
    pl.DataFrame({"id": range(30), "prompt": prompts, **answers, "note": [f"[{i}] seen" for i in range(30)]}).write_parquet(stored)
    written = tmp_path / "written.csv"
    as_json = {name: [json.dumps(value) for value in values] for name, values in {"prompt": prompts, **answers}.items()}
    pl.DataFrame({"id": range(30), **as_json, "note": [f"[{i}] seen" for i in range(30)]}).write_csv(written)
    lists, texts = load_dataset(stored), load_dataset(written)
    assert lists.text_source == "fields prompt, response_a, response_b joined by newlines"
    assert texts.text_source == lists.text_source + " ('prompt', 'response_a', 'response_b': lists of texts written as JSON text)"
    expected = [f"What is {i}?\nAnd then?\nIt is {i}.\nThen more.\n{i} is a number." for i in range(30)]
    assert texts.texts()["text"].to_list() == lists.texts()["text"].to_list() == expected
    assert load_dataset(written, TextSelection(text_column="note")).texts()["text"][3] == "[3] seen"
    from typer.testing import CliRunner

    from qcaudit.cli import app

    kept = tmp_path / "kept.csv"
    assert CliRunner().invoke(app, ["dedup", str(written), "-o", str(kept), "-q"]).exit_code == 0
    assert pl.read_csv(kept)["response_b"].to_list() == as_json["response_b"]


def test_tool_calls_read_as_what_the_assistant_wrote(tmp_path):
    """Function-calling chats: an assistant turn's tool calls are its text, ``name(arguments)``
    a line each after its content (OpenAI's string arguments as written, an object's as JSON),
    for the whole chat, its assistant turns and its answer: a chat that ends in a call (xLAM's
    single-turn rows) has the call as its answer, not nothing."""
    def call(name, arguments, nested=True):
        return {"id": "c", "type": "function", "function": {"name": name, "arguments": arguments}} if nested else \
            {"name": name, "arguments": arguments}

    for nested, args in ((True, [json.dumps({"city": "Paris"}), json.dumps({"city": "Oslo"})]),
                         (False, [{"city": "Paris"}, {"city": "Oslo"}])):
        chats = [
            [{"role": "user", "content": "Weather in Paris and Oslo?"},
             {"role": "assistant", "content": None, "tool_calls": [call("get_weather", a, nested) for a in args]},
             {"role": "tool", "content": "18 and 9"}, {"role": "assistant", "content": "18 in Paris, 9 in Oslo."}],
            [{"role": "user", "content": "Weather in Paris?"},
             {"role": "assistant", "content": "Let me look.", "tool_calls": [call("get_weather", args[0], nested)]}],
            [{"role": "user", "content": "Say hi."}, {"role": "assistant", "content": "Hi.", "tool_calls": []}],
            [{"role": "user", "content": "Oslo?"}, {"role": "assistant", "content": None, "tool_calls": [call("get_weather", args[1], nested)]}],
        ]
        path = tmp_path / f"calls-{nested}.jsonl"
        path.write_text("".join(json.dumps({"messages": chat}) + "\n" for chat in chats))
        written = {json.dumps(a): a if isinstance(a, str) else json.dumps(a, separators=(",", ":")) for a in args}

        def text(turn, written=written):
            lines = [turn["content"]] if turn.get("content") else []
            calls = [c.get("function", c)["arguments"] for c in turn.get("tool_calls", [])]
            return lines + [f"get_weather({written[json.dumps(a)]})" for a in calls]
        everything = load_dataset(path).texts()["text"].to_list()
        assert everything == ["\n".join(line for turn in chat for line in text(turn)) for chat in chats]
        assistant = load_dataset(path, TextSelection(roles=("assistant",))).texts()["text"].to_list()
        assert assistant == ["\n".join(line for turn in chat if turn["role"] == "assistant" for line in text(turn)) for chat in chats]
        answers = load_dataset(path).selected(parts=("response",)).collect()["response"].to_list()
        assert answers == ["\n".join(text([t for t in chat if t["role"] == "assistant"][-1])) for chat in chats]
        first, second = (written[json.dumps(a)] for a in args)
        assert answers[1] == f"Let me look.\nget_weather({first})" and answers[3] == f"get_weather({second})"


def test_calls_in_anthropic_gemini_and_legacy_openai_chats_read_as_openais(tmp_path):
    """One exchange (a question, an answer that calls get_weather, its result, the reply)
    written as Anthropic's content blocks (tool_use, tool_result; also with the user's turns
    as text, which a JSON lines reader gives every content as text for), Gemini's parts
    (functionCall, functionResponse) and OpenAI's legacy function_call: the assistant's text
    and the answer are those of OpenAI's tool_calls; the whole text too, Gemini's tool result
    written as JSON."""
    call = {"name": "get_weather", "arguments": '{"city":"Paris"}'}
    openai = [{"role": "user", "content": "Weather in Paris?"},
              {"role": "assistant", "content": "Let me check.", "tool_calls": [{"id": "t1", "type": "function", "function": call}]},
              {"role": "tool", "tool_call_id": "t1", "content": "18 C"}, {"role": "assistant", "content": "It is 18 C."}]
    blocks = [{"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]},
              {"role": "assistant", "content": [{"type": "text", "text": "Let me check."},
                                                {"type": "tool_use", "id": "t1", "name": "get_weather", "input": {"city": "Paris"}}]},
              {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "18 C"}]},
              {"role": "assistant", "content": [{"type": "text", "text": "It is 18 C."}]}]
    mixed = [{**blocks[0], "content": "Weather in Paris?"}, *blocks[1:]]
    gemini = [{"role": "user", "parts": [{"text": "Weather in Paris?"}]},
              {"role": "model", "parts": [{"text": "Let me check."}, {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]},
              {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"temp": 18}}}]},
              {"role": "model", "parts": [{"text": "It is 18 C."}]}]
    legacy = [openai[0], {"role": "assistant", "content": "Let me check.", "function_call": call},
              {"role": "function", "name": "get_weather", "content": "18 C"}, openai[3]]

    def read(name, column, chat, roles=()):
        path = tmp_path / f"{name}.jsonl"
        path.write_text(json.dumps({column: chat}) + "\n")
        dataset = load_dataset(path, TextSelection(roles=roles))
        return dataset.texts()["text"].item(), dataset.selected(parts=("response",)).collect()["response"].item()

    expected = read("openai", "messages", openai)
    assert expected[0] == 'Weather in Paris?\nLet me check.\nget_weather({"city":"Paris"})\n18 C\nIt is 18 C.'
    for name, column, chat in (("blocks", "messages", blocks), ("mixed", "messages", mixed), ("gemini", "contents", gemini),
                               ("legacy", "messages", legacy)):
        text, answer = read(name, column, chat)
        assert answer == expected[1] and text == (expected[0] if name != "gemini" else expected[0].replace("\n18 C\n", '\n{"temp":18}\n')), name
        assert read(name, column, chat, roles=("assistant",))[0] == read("openai", "messages", openai, roles=("assistant",))[0]
    assert read("legacy", "messages", legacy, roles=("tool",))[0] == "18 C"  # the legacy function role is a tool's


def test_a_prompt_that_the_chosen_chat_opens_with_is_read_once(tmp_path):
    """argilla's UltraFeedback: a prompt beside chosen and rejected chats that hold it; TRL's
    conversational pairs: chosen holds the answer alone, and the prompt is read with it."""
    def turn(role, content):
        return {"role": role, "content": content}

    rows = [
        {"prompt": "Name a prime.", "chosen": [turn("user", "Name a prime."), turn("assistant", "7")],
         "rejected": [turn("user", "Name a prime."), turn("assistant", "8")]},
        {"prompt": "Name a colour.", "chosen": [turn("assistant", "Blue.")], "rejected": [turn("assistant", "7")]},
        {"prompt": "Say hi.", "chosen": [turn("system", "Be kind."), turn("user", "Say hi."), turn("assistant", "Say hi.")],
         "rejected": [turn("assistant", "no")]},
        {"prompt": "Say hi.", "chosen": [turn("user", "Hello?"), turn("assistant", "Say hi.")],
         "rejected": [turn("assistant", "no")]},
    ]
    path = tmp_path / "pairs.parquet"
    pl.DataFrame(rows).write_parquet(path)
    texts = load_dataset(path).texts()["text"].to_list()
    assert texts == ["Name a prime.\n7", "Name a colour.\nBlue.", "Say hi.\nSay hi.", "Say hi.\nHello?\nSay hi."]


def test_openai_preference_fine_tuning_files_read_as_trl_conversational_pairs(tmp_path):
    """OpenAI's preference fine-tuning layout (``input.messages``, ``preferred_output``,
    ``non_preferred_output``) gives the text and parts that the same pairs give in TRL's
    conversational layout (``prompt``, ``chosen``, ``rejected`` chats)."""
    def chat(*turns):
        return [{"role": role, "content": content} for role, content in turns]

    pairs = [(chat(("system", "Be brief."), ("user", "Name a prime.")), chat(("assistant", "7")), chat(("assistant", "8"))),
             (chat(("user", "Name a colour.")), chat(("assistant", "Blue.")), chat(("assistant", "Seven.")))]
    openai = write(tmp_path, "openai.jsonl", [{"input": {"messages": p, "tools": []}, "preferred_output": c, "non_preferred_output": r}
                                               for p, c, r in pairs])
    trl = write(tmp_path, "trl.jsonl", [{"prompt": p, "chosen": c, "rejected": r} for p, c, r in pairs])
    parts = ("prompt", "chosen", "rejected")
    read = load_dataset(openai).selected(parts=parts).collect()
    assert read.equals(load_dataset(trl).selected(parts=parts).collect())
    assert read["text"].to_list() == ["Name a prime.\n7", "Name a colour.\nBlue."]  # (the system turn left out)
    assert load_dataset(openai).text_source == ("fields input.messages, preferred_output joined by newlines "
                                                "(system turns left out: 1 of the 2 rows hold some)")
    asked = load_dataset(openai, TextSelection(roles=("user",)))  # the roles of the chats among the fields, and said so
    assert asked.texts()["text"].to_list() == ["Name a prime.", "Name a colour."]
    assert asked.text_source == "fields input.messages, preferred_output joined by newlines (roles: user)"


def test_what_llm_apis_return_reads_as_their_answers_and_a_batch_request_as_its_chat(tmp_path):
    """A Batch API output line (``response.body.choices``; of the Responses API,
    ``response.body.output``), a chat completion or a completion saved whole (``choices``;
    DeepSeek's with its reasoning), a Batch API input line (``body.messages``), a line of
    Anthropic's batch results (a failed request's: no text), a refusal in place of the content
    (structured outputs), Gemini's responses saved whole and
    in a batch output line (its thought summaries as reasoning), Ollama's chat responses (one
    turn, its thinking as reasoning), Bedrock's Converse responses (one turn inside the
    output); the filters write the input's columns alone."""
    def completion(*answers):
        return {"id": "c", "object": "chat.completion",
                "choices": [{"index": i, "message": {"role": "assistant", "content": a}, "finish_reason": "stop"}
                            for i, a in enumerate(answers)]}

    cases = {
        "batch_output.jsonl": ([{"custom_id": f"t{i}", "response": {"status_code": 200, "body": completion(f"Answer {i}.")},
                                 "error": None} for i in range(3)], "response.body.choices", ["Answer 0.", "Answer 1.", "Answer 2."]),
        "completions.jsonl": ([completion("One.", "Two."), completion("Three.")], "choices", ["One.\nTwo.", "Three."]),
        "legacy.jsonl": ([{"choices": [{"text": "Old style.", "index": 0, "logprobs": None, "finish_reason": "stop"}]}],
                         "choices", ["Old style."]),
        "batch_input.jsonl": ([{"custom_id": "t0", "method": "POST", "url": "/v1/chat/completions",
                                "body": {"model": "m", "messages": [{"role": "system", "content": "Be brief."},
                                                                    {"role": "user", "content": "Why?"}]}}],
                              "body.messages", ["Why?"]),
        "anthropic_batch.jsonl": ([{"custom_id": "r0", "result": {"type": "succeeded", "message": {
                                      "role": "assistant", "content": [{"type": "text", "text": "Claude's answer."}]}}},
                                  {"custom_id": "r1", "result": {"type": "errored", "error": {"type": "overloaded"}}}],
                                  "result.message", ["Claude's answer.", None]),
        "responses_batch.jsonl": ([{"custom_id": "r0", "response": {"status_code": 200, "body": {"object": "response", "output": [
                                      {"type": "reasoning", "summary": [{"type": "summary_text", "text": "Its summary."}]},
                                      {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Done."}]}]}}}],
                                  "response.body.output", ["Its summary.\nDone."]),
        "ollama_chat.jsonl": ([{"model": "m", "message": {"role": "assistant", "content": "Ollama's answer.", "thinking": "Hm."},
                                "done_reason": "stop", "done": True}], "message", ["Hm.\nOllama's answer."]),
        "bedrock_converse.jsonl": ([{"output": {"message": {"role": "assistant", "content": [{"text": "Bedrock's answer."}]}},
                                     "stopReason": "end_turn"}], "output.message", ["Bedrock's answer."]),
        "gemini_batch.jsonl": ([{"key": f"k{i}", "response": gemini(f"Gemini {i}.")} for i in range(2)],
                               "response.candidates", ["Gemini 0.", "Gemini 1."]),
        "gemini_saved.jsonl": ([gemini("First.", "Second."), {"candidates": [{"finishReason": "SAFETY", "index": 0}]}],
                               "candidates", ["First.\nSecond.", None]),
        "refusal.jsonl": ([{"choices": [{"index": 0, "finish_reason": "stop", "message": {
                               "role": "assistant", "content": content, "refusal": refusal}}]}
                           for content, refusal in (("An answer.", None), (None, "I can't help with that."), ("", "No."))],
                          "choices", ["An answer.", "I can't help with that.", "No."]),
        "deepseek.jsonl": ([{"id": "d", "choices": [{"index": 0, "finish_reason": "stop", "message": {
                               "role": "assistant", "content": "The answer.", "reasoning_content": "Thinking first."}}]}],
                           "choices", ["Thinking first.\nThe answer."]),
    }
    for name, (rows, column, texts) in cases.items():
        path = tmp_path / name
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
        dataset = load_dataset(path)
        chats = {"batch_input.jsonl": " (system turns left out: 1 of the 1 rows hold some)",
                 "ollama_chat.jsonl": " (reasoning read from the turns' thinking)",
                 "deepseek.jsonl": " (reasoning read from the turns' reasoning_content)",
                 "responses_batch.jsonl": " (reasoning read from the turns' reasoning items)"}.get(name, "")
        assert dataset.text_source == f"column {column!r}{chats}" and dataset.texts()["text"].to_list() == texts, name
        assert set(dataset.nested) == ({column} if "." in column else set())  # (a filter writes the input's columns alone)
    answers = load_dataset(tmp_path / "deepseek.jsonl", TextSelection(reasoning=False))  # (--no-reasoning: the answer alone)
    assert answers.texts()["text"].to_list() == ["The answer."]
    for roles, said in ((("assistant",), ["Thinking first.\nThe answer."]), (("user",), [None])):  # (an API's turns, by role)
        assert load_dataset(tmp_path / "deepseek.jsonl", TextSelection(roles=roles)).texts()["text"].to_list() == said
    thought = {"key": "t", "response": {"candidates": [{"index": 0, "finishReason": "STOP", "content": {
        "role": "model", "parts": [{"text": "Gemini's thought summary.", "thought": True}, {"text": "Its answer."}]}}]}}
    (tmp_path / "thought.jsonl").write_text(json.dumps(thought) + "\n")
    assert load_dataset(tmp_path / "thought.jsonl").texts()["text"].to_list() == ["Gemini's thought summary.\nIts answer."]
    assert load_dataset(tmp_path / "thought.jsonl", TextSelection(reasoning=False)).texts()["text"].to_list() == ["Its answer."]


def _messages(question: str) -> list[dict]:
    """A request's chat of one user turn, its content in parts, as Bedrock's Messages APIs take it."""
    return [{"role": "user", "content": [{"type": "text", "text": question}]}]


#: Each layout of a batch output line that keeps its request: the line of question and answer
#: ``i``, its request's column and its answer's. Vertex AI's for Claude holds an Anthropic
#: message; OpenAI's and Anthropic's batch requests joined to their results by a user, each
#: line both; Bedrock's hold each model's own API's body:
#: an Anthropic model's message; Nova's; the choices of Mistral's, AI21's and DeepSeek's models;
#: Llama's generation; Mistral's, Cohere's and Titan's lists of outputs; Claude's legacy completion.
_KEPT_REQUESTS = {
    "vertex": (lambda q, a: {"status": "", "request": {"contents": [{"role": "user", "parts": [{"text": q}]}]}, "response": gemini(a)},
               "request.contents", "response.candidates"),
    "vertex_claude": (lambda q, a: {"custom_id": "c", "request": {"anthropic_version": "vertex-2023-10-16", "messages": _messages(q)},
                                    "response": {"type": "message", "role": "assistant", "content": [{"type": "text", "text": a}]},
                                    "status": ""}, "request.messages", "response"),
    "openai_joined": (lambda q, a: {"custom_id": "c", "body": {"model": "m", "messages": [{"role": "user", "content": q}]},
                                    "response": {"status_code": 200, "body": {"choices": [
                                        {"index": 0, "message": {"role": "assistant", "content": a}, "finish_reason": "stop"}]}}},
                      "body.messages", "response.body.choices"),
    "responses_joined": (lambda q, a: {"custom_id": "c", "body": {"model": "m", "input": q}, "response": {"status_code": 200, "body": {
                             "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": a}]}]}}},
                         "body.input", "response.body.output"),
    "anthropic_joined": (lambda q, a: {"custom_id": "c", "params": {"max_tokens": 9, "messages": [{"role": "user", "content": q}]},
                                       "result": {"type": "succeeded", "message": {"role": "assistant", "content": [{"type": "text", "text": a}]}}},
                         "params.messages", "result.message"),
    "bedrock": (lambda q, a: {"recordId": "r", "modelInput": {"max_tokens": 9, "messages": _messages(q)}, "modelOutput": {
                    "type": "message", "role": "assistant", "content": [{"type": "text", "text": a}], "stop_reason": "end_turn"}},
                "modelInput.messages", "modelOutput"),
    "nova": (lambda q, a: {"recordId": "r", "modelInput": {"messages": _messages(q)}, "modelOutput": {
                 "output": {"message": {"role": "assistant", "content": [{"text": a}]}}, "stopReason": "end_turn"}},
             "modelInput.messages", "modelOutput.output.message"),
    "ai21": (lambda q, a: {"recordId": "r", "modelInput": {"messages": [{"role": "user", "content": q}]}, "modelOutput": {
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": a}, "finish_reason": "stop"}]}},
             "modelInput.messages", "modelOutput.choices"),
    "deepseek": (lambda q, a: {"recordId": "r", "modelInput": {"prompt": q}, "modelOutput": {"choices": [{"text": a, "stop_reason": "stop"}]}},
                 "modelInput.prompt", "modelOutput.choices"),
    "llama": (lambda q, a: {"recordId": "r", "modelInput": {"prompt": q, "max_gen_len": 9}, "modelOutput": {
                  "generation": a, "generation_token_count": 2, "stop_reason": "stop"}},
              "modelInput.prompt", "modelOutput.generation"),
    "mistral": (lambda q, a: {"recordId": "r", "modelInput": {"prompt": q}, "modelOutput": {"outputs": [{"text": a, "stop_reason": "stop"}]}},
                "modelInput.prompt", "modelOutput.outputs"),
    "cohere": (lambda q, a: {"recordId": "r", "modelInput": {"prompt": q}, "modelOutput": {
                   "generations": [{"id": "g", "text": a, "finish_reason": "COMPLETE"}], "prompt": q}},
               "modelInput.prompt", "modelOutput.generations"),
    "titan": (lambda q, a: {"recordId": "r", "modelInput": {"inputText": q}, "modelOutput": {
                  "inputTextTokenCount": 3, "results": [{"tokenCount": 2, "outputText": a, "completionReason": "FINISH"}]}},
              "modelInput.inputText", "modelOutput.results"),
    "claude_completion": (lambda q, a: {"recordId": "r", "modelInput": {"prompt": q}, "modelOutput": {
                              "type": "completion", "completion": a, "stop_reason": "stop_sequence"}},
                          "modelInput.prompt", "modelOutput.completion"),
}


@pytest.mark.parametrize("layout", sorted(_KEPT_REQUESTS))
def test_a_batch_output_line_that_keeps_its_request_reads_it_as_the_prompt(qc, tmp_path, layout):  # noqa: F811
    """Vertex AI's batch prediction output and Amazon Bedrock's batch inference output keep
    each request beside its response (and a user joins OpenAI's and Anthropic's requests to
    their results): the request (Vertex's ``contents``, Bedrock's
    ``modelInput``'s ``messages``, ``prompt`` or ``inputText``) is the prompt, the answer
    (Gemini's candidates, whatever body the Bedrock model returns) the response, and the text
    holds both, as instruction data's does (under ``--role user``, a chat request's turns
    alone); a filter writes the lines as they were."""
    line, request, answer = _KEPT_REQUESTS[layout]
    lines = [json.dumps(line(f"Question {i}?", f"Answer {i}.")) + "\n" for i in range(3)]
    (path := tmp_path / "output.jsonl").write_text("".join(lines))
    dataset = load_dataset(path)
    assert dataset.text_source == f"fields {request}, {answer} joined by newlines"
    assert dataset.texts()["text"].to_list() == [f"Question {i}?\nAnswer {i}." for i in range(3)]
    parts = dataset.first_parts(("prompt", "response"), 3)
    assert parts["prompt"].to_list() == [f"Question {i}?" for i in range(3)]
    assert parts["response"].to_list() == [f"Answer {i}." for i in range(3)]
    if request.endswith(("contents", "messages")):
        asked = load_dataset(path, TextSelection(roles=("user",)))  # (the model's answer is no user's turn)
        assert asked.texts()["text"].to_list() == [f"Question {i}?" for i in range(3)]
    assert qc("dedup", path, "-o", kept := tmp_path / "kept.jsonl").code == 0
    assert [json.loads(row) for row in kept.read_text().splitlines()] == [json.loads(row) for row in lines]


@pytest.mark.parametrize("roles", [("user",), ("assistant",), ("user", "Assistant")])
def test_an_answer_without_roles_after_a_prompt_written_by_a_template_is_the_assistant_s(tmp_path, roles):
    """A line of Bedrock's batch output for a Llama model: its prompt written by Llama 3's chat
    template, its generation a text. ``--role`` chooses the prompt's turns by role, and the
    generation, which holds no roles, as the assistant's: kept where the assistant is named
    (in any case), left out where it is not."""
    def llama(question: str) -> str:
        return (f"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n{question}<|eot_id|>"
                "<|start_header_id|>assistant<|end_header_id|>\n\n")

    rows = [{"recordId": f"r{i}", "modelInput": {"prompt": llama(f"Question {i}?")},
             "modelOutput": {"generation": f"Answer {i}.", "stop_reason": "stop"}} for i in range(3)]
    (path := tmp_path / "llama.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert load_dataset(path).texts()["text"].to_list() == [f"Question {i}?\nAnswer {i}." for i in range(3)]
    user, assistant = "user" in roles, "Assistant" in roles or "assistant" in roles
    expected = ["\n".join([f"Question {i}?"] * user + [f"Answer {i}."] * assistant) for i in range(3)]
    assert load_dataset(path, TextSelection(roles=roles)).texts()["text"].to_list() == expected


#: Each layout of a batch input file's line: the line asking question ``q``, and its request's column.
_BATCH_REQUESTS = {
    "openai_chat": (lambda q: {"custom_id": "c", "method": "POST", "url": "/v1/chat/completions",
                               "body": {"model": "m", "messages": [{"role": "user", "content": q}]}},
                    "body.messages"),
    "openai_responses": (lambda q: {"custom_id": "c", "method": "POST", "url": "/v1/responses",
                                    "body": {"model": "m", "instructions": "Be brief.", "input": q}}, "body.input"),
    "openai_responses_items": (lambda q: {"custom_id": "c", "method": "POST", "url": "/v1/responses", "body": {
                                   "model": "m", "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": q}]}]}},
                               "body.input"),
    "openai_completions": (lambda q: {"custom_id": "c", "method": "POST", "url": "/v1/completions",
                                      "body": {"model": "m", "prompt": q, "max_tokens": 9}}, "body.prompt"),
    "anthropic": (lambda q: {"custom_id": "c", "params": {"model": "m", "max_tokens": 9, "system": "Be brief.",
                                                           "messages": [{"role": "user", "content": q}]}}, "params.messages"),
    "vertex_gemini": (lambda q: {"request": {"contents": [{"role": "user", "parts": [{"text": q}]}]}}, "request.contents"),
    "vertex_claude": (lambda q: {"custom_id": "c", "request": {"anthropic_version": "vertex-2023-10-16", "messages": _messages(q)}},
                      "request.messages"),
    "bedrock_messages": (lambda q: {"recordId": "r", "modelInput": {"max_tokens": 9, "messages": _messages(q)}}, "modelInput.messages"),
    "bedrock_prompt": (lambda q: {"recordId": "r", "modelInput": {"prompt": q, "max_gen_len": 9}}, "modelInput.prompt"),
    "bedrock_titan": (lambda q: {"recordId": "r", "modelInput": {"inputText": q}}, "modelInput.inputText"),
}


@pytest.mark.parametrize("layout", sorted(_BATCH_REQUESTS))
def test_a_batch_input_file_s_requests_are_read_as_prompts(qc, tmp_path, layout):  # noqa: F811
    """A batch input file, audited before it is sent (OpenAI's Batch API's chat completions,
    Responses and completions requests, Anthropic's Message Batches, Vertex AI's for Gemini
    and Claude, Bedrock's for a Messages model, a prompt model and Titan): each request's
    question is the text and the prompt (a system prompt held apart from the chat, as the
    Responses API's ``instructions`` and Anthropic's ``system``, left out of the text, read
    before the question in the prompt since 2026-12-07), no answer; a filter writes the lines
    as they were."""
    line, request = _BATCH_REQUESTS[layout]
    system = "Be brief.\n" if layout in ("openai_responses", "anthropic") else ""
    lines = [json.dumps(line(f"Question {i}?")) + "\n" for i in range(3)]
    (path := tmp_path / "requests.jsonl").write_text("".join(lines))
    dataset = load_dataset(path)
    assert dataset.text_source.startswith(f"column {request!r}")
    assert dataset.texts()["text"].to_list() == [f"Question {i}?" for i in range(3)]
    assert dataset.first_parts(("prompt",), 3)["prompt"].to_list() == [f"{system}Question {i}?" for i in range(3)]
    assert not dataset.has_part("response") or dataset.first_parts(("response",), 3)["response"].to_list() == [None] * 3
    assert qc("dedup", path, "-o", kept := tmp_path / "kept.jsonl").code == 0
    assert kept.read_text() == "".join(lines)


@pytest.mark.parametrize("prompt", ["prompt", "instruction"])
def test_an_answer_saved_as_one_turn_beside_its_prompt_reads_both(tmp_path, prompt):
    """A prompt beside its answer saved as one turn (``{role, content}``, as an API returned
    it) is a prompt and its response, the text both: not the answer alone, nor the prompt
    with no text for the answer."""
    rows = [{prompt: f"Question {i}?", "response": {"role": "assistant", "content": f"Answer {i}."}} for i in range(3)]
    (path := tmp_path / "pairs.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    dataset = load_dataset(path)
    assert dataset.text_source == f"fields {prompt}, response joined by newlines"
    assert dataset.texts()["text"].to_list() == [f"Question {i}?\nAnswer {i}." for i in range(3)]
    assert dataset.first_parts(("prompt", "response"), 3).select("prompt", "response").rows() == [
        (f"Question {i}?", f"Answer {i}.") for i in range(3)]


def _completion(answer: str) -> dict:
    """A chat completion as OpenAI's API returns it, of one choice."""
    return {"id": "c", "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer}, "finish_reason": "stop"}]}


#: Each way a log keeps a call's prompt and the API's response: the row of question and answer
#: ``i``, and the columns read.
_LOGGED_CALLS = {
    "request_and_response": (lambda q, a: {"request": {"model": "m", "messages": [{"role": "user", "content": q}]},
                                           "response": _completion(a)}, "request.messages, response.choices"),
    "responses_api": (lambda q, a: {"request": {"model": "m", "input": q}, "response": {"object": "response", "output": [
                          {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": a}]}]}},
                      "request.input, response.output"),
    "prompt_and_completion": (lambda q, a: {"prompt": q, "response": _completion(a)}, "prompt, response.choices"),
    "messages_and_completion": (lambda q, a: {"messages": [{"role": "user", "content": q}], "completion": _completion(a)},
                                "messages, completion.choices"),
    "messages_and_claude_message": (lambda q, a: {"messages": [{"role": "user", "content": q}], "response": {
                                        "id": "m", "type": "message", "role": "assistant", "content": [{"type": "text", "text": a}]}},
                                    "messages, response"),
    "ollama": (lambda q, a: {"prompt": q, "response": {"model": "m", "message": {"role": "assistant", "content": a}, "done": True}},
               "prompt, response.message"),
    "ollama_request": (lambda q, a: {"request": {"model": "m", "messages": [{"role": "user", "content": q}]},
                                     "response": {"model": "m", "message": {"role": "assistant", "content": a}, "done": True}},
                       "request.messages, response.message"),
    "gemini_request": (lambda q, a: {"request": {"contents": [{"role": "user", "parts": [{"text": q}]}]}, "response": gemini(a)},
                       "request.contents, response.candidates"),
    "input_and_output_turn": (lambda q, a: {"input": [{"role": "user", "content": q}], "output": {"role": "assistant", "content": a}},
                              "input, output"),
    "input_messages_and_output_turn": (lambda q, a: {"input": {"messages": [{"role": "user", "content": q}], "tools": []},
                                                     "output": {"role": "assistant", "content": a}}, "input.messages, output"),
    "input_messages_and_completion": (lambda q, a: {"input": {"messages": [{"role": "user", "content": q}]}, "output": _completion(a)},
                                      "input.messages, output.choices"),
}


@pytest.mark.parametrize("layout", sorted(_LOGGED_CALLS))
def test_a_logged_call_reads_its_prompt_and_the_api_s_answer(qc, tmp_path, layout):  # noqa: F811
    """A log of calls keeps each prompt beside the API's response saved whole (a chat
    completion, a Responses API response, Ollama's) or its one turn: the prompt and the answer
    inside the response are the row's parts and its text, not the prompt alone, nor no text;
    a filter writes the rows as they were."""
    line, columns = _LOGGED_CALLS[layout]
    lines = [json.dumps(line(f"Question {i}?", f"Answer {i}.")) + "\n" for i in range(3)]
    (path := tmp_path / "log.jsonl").write_text("".join(lines))
    dataset = load_dataset(path)
    assert dataset.text_source == f"fields {columns} joined by newlines"
    assert dataset.texts()["text"].to_list() == [f"Question {i}?\nAnswer {i}." for i in range(3)]
    assert dataset.first_parts(("prompt", "response"), 3).select("prompt", "response").rows() == [
        (f"Question {i}?", f"Answer {i}.") for i in range(3)]
    assert qc("dedup", path, "-o", kept := tmp_path / "kept.jsonl").code == 0
    assert kept.read_text() == "".join(lines)


def test_gemini_thought_parts_read_as_reasoning(tmp_path):
    """Gemini's thought summaries (parts marked ``thought``) in a ``contents`` chat are the
    answer's reasoning: read before it, said on the load line, left out under
    ``--no-reasoning``, as Anthropic's thinking blocks are."""
    turns = [{"role": "user", "parts": [{"text": "What is 6 times 7?"}]},
             {"role": "model", "parts": [{"text": "Six sevens make forty-two.", "thought": True}, {"text": "42"}]}]
    (path := tmp_path / "thoughts.jsonl").write_text(json.dumps({"contents": turns}) + "\n")
    read, answers = load_dataset(path), load_dataset(path, TextSelection(reasoning=False))
    assert read.text_source == "column 'contents' (reasoning read from the turns' thought parts)"
    assert read.texts()["text"].to_list() == ["What is 6 times 7?\nSix sevens make forty-two.\n42"]
    assert answers.texts()["text"].to_list() == ["What is 6 times 7?\n42"]
    assert answers.first_parts(("response",), 1)["response"].to_list() == ["42"]


def test_responses_api_items_read_by_their_type(tmp_path):
    """OpenAI's Responses API lists items, typed: a reasoning item (its summary; an open
    model's full reasoning in its content, as vLLM serves gpt-oss) is the assistant's
    reasoning, read before its answer and left out under ``--no-reasoning``; a function call
    is the assistant's ``name(arguments)``, its output the tool's. In a response's ``output``
    every item is the answer; in a conversation's items the prompt is what comes before the
    assistant's last run of them."""
    def said(kind: str, text: str) -> dict:
        return {"type": "message", "role": "assistant" if kind == "output_text" else "user", "content": [{"type": kind, "text": text}]}

    def thought(text: str, field: str = "summary") -> dict:
        return {"type": "reasoning", "summary": [], "content": []} | {field: [{"type": f"{field}_text", "text": text}]}

    call = {"type": "function_call", "call_id": "c1", "name": "weather", "arguments": '{"city": "Paris"}'}
    result = {"type": "function_call_output", "call_id": "c1", "output": "Sunny."}
    outputs = [[thought("Look it up."), call, said("output_text", "It is sunny.")], [thought("Full reasoning.", "content")],
               [said("output_text", "No reasoning.")]]
    (path := tmp_path / "output.jsonl").write_text("".join(json.dumps({"custom_id": f"r{i}", "response": {
        "status_code": 200, "body": {"object": "response", "output": items}}}) + "\n" for i, items in enumerate(outputs)))
    read, answers = load_dataset(path), load_dataset(path, TextSelection(reasoning=False))
    assert read.text_source == "column 'response.body.output' (reasoning read from the turns' reasoning items)"
    assert read.texts()["text"].to_list() == ['Look it up.\nweather({"city": "Paris"})\nIt is sunny.', "Full reasoning.", "No reasoning."]
    assert read.first_parts(("prompt", "response"), 3).select("prompt", "response").rows() == [(None, t) for t in read.texts()["text"]]
    assert answers.texts()["text"].to_list() == ['weather({"city": "Paris"})\nIt is sunny.', None, "No reasoning."]
    assert load_dataset(path, TextSelection(roles=("tool",))).texts()["text"].to_list() == [None] * 3  # (every item the model's)

    conversation = [said("input_text", "Weather in Paris?"), thought("Look it up."), call, result, thought("Say it."),
                    said("output_text", "It is sunny.")]
    (path := tmp_path / "conversation.jsonl").write_text(json.dumps({"input": conversation}) + "\n")
    parts = load_dataset(path, TextSelection(text_column="input")).first_parts(("prompt", "response"), 1)
    assert parts.select("prompt", "response").row(0) == ('Weather in Paris?\nLook it up.\nweather({"city": "Paris"})\nSunny.', "Say it.\nIt is sunny.")
    assert load_dataset(path, TextSelection(text_column="input", roles=("tool",))).texts()["text"].to_list() == ["Sunny."]


#: One step of an assistant between a user's turns: its reasoning (or none), the calls it
#: makes (name, result) and its message (or none, where it only calls). Reasoning of other
#: words than the message's: a turn whose content holds its reasoning field's text already (an
#: export that kept R1's reasoning inline too) is read once, from the content.
_WORDS, _THOUGHT = (st.text(letters, min_size=1, max_size=5).filter(str.strip) for letters in ("ab ", "xy "))
_STEP = st.tuples(st.none() | _THOUGHT, st.lists(st.tuples(st.sampled_from(["f", "g"]), _WORDS), max_size=2), st.none() | _WORDS)


def _as_messages(exchanges: list) -> list[dict]:
    """A conversation as chat completions messages: the assistant's reasoning in
    ``reasoning_content``, its calls in ``tool_calls``, each result a ``tool`` turn."""
    turns = []
    for question, steps in exchanges:
        turns.append({"role": "user", "content": question})
        for reasoning, calls, message in steps:
            turns.append({"role": "assistant", "content": message, "reasoning_content": reasoning,
                          "tool_calls": [{"id": "c", "type": "function", "function": {"name": n, "arguments": "{}"}} for n, _ in calls] or None})
            turns += [{"role": "tool", "content": result, "tool_call_id": "c"} for _, result in calls]
    return turns


def _as_items(exchanges: list) -> list[dict]:
    """The same conversation as the Responses API's items: reasoning items, function calls and
    their outputs, messages."""
    items = []
    for question, steps in exchanges:
        items.append({"type": "message", "role": "user", "content": [{"type": "input_text", "text": question}]})
        for reasoning, calls, message in steps:
            if reasoning is not None:
                items.append({"type": "reasoning", "summary": [{"type": "summary_text", "text": reasoning}]})
            if message is not None:  # (what it says before its calls, as a chat turn's content is)
                items.append({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": message}]})
            items += [{"type": "function_call", "call_id": "c", "name": n, "arguments": "{}"} for n, _ in calls]
            items += [{"type": "function_call_output", "call_id": "c", "output": result} for _, result in calls]
    return items


#: A user's question and the assistant's steps after it: each step before the last calls a
#: tool (the assistant goes on after the results), the last calls one or answers.
_EXCHANGE = st.tuples(_WORDS, st.lists(_STEP.filter(lambda step: step[1]), max_size=2), _STEP.filter(lambda step: step[1] or step[2])).map(
    lambda exchange: (exchange[0], [*exchange[1], exchange[2]]))


@settings(max_examples=40, deadline=None)
@given(conversations=st.lists(st.lists(_EXCHANGE, min_size=1, max_size=2), min_size=1, max_size=4),
       selection=st.sampled_from([TextSelection(), TextSelection(reasoning=False), TextSelection(roles=("assistant",)),
                                  TextSelection(roles=("tool",))]))
def test_responses_api_items_give_what_the_same_chat_completions_messages_give(tmp_path_factory, conversations, selection):
    """A conversation of a user's questions and an assistant's reasoning, tool calls (and
    their results) and answers, as the Responses API's items and as chat completions
    messages: the same text, prompt and response, with the reasoning and without, by role.
    Each of an assistant's steps calls a tool or answers (a step of reasoning alone is one
    that chat completions' layout cannot write: its reasoning field needs a turn), and only
    the last of an exchange answers without calling one (in chat completions the assistant
    speaks once a turn: where it went on, the Responses API's answer, its last run of items,
    would hold more than chat completions' last turn)."""
    folder = tmp_path_factory.mktemp("items")
    for name, layout in (("messages", _as_messages), ("items", _as_items)):
        (folder / f"{name}.jsonl").write_text("".join(json.dumps({"conversation": layout(c)}) + "\n" for c in conversations))
    parts = ("prompt", "response")
    messages, items = (load_dataset(folder / f"{name}.jsonl", replace(selection, text_column="conversation"))
                       for name in ("messages", "items"))
    assert items.selected(parts=parts).collect().equals(messages.selected(parts=parts).collect())


#: A prompt as a Responses API's ``input`` takes it: a text, or a list of turns (a user's
#: message with its content a text or input parts, after a developer's message or not).
_GIVEN_INPUT = st.tuples(_WORDS, st.sampled_from(["text", "content", "parts", "developer"]))


def _input_of(prompt: tuple[str, str], written_as: str | None = None) -> str | list[dict]:
    """A prompt (text, form) written as its form says; a text's as ``written_as`` where given
    (the one user turn that a text is read as: the reference of what a text reads as)."""
    text, form = prompt
    form = written_as if form == "text" and written_as else form
    user = {"role": "user", "content": [{"type": "input_text", "text": text}] if form == "parts" else text}
    return text if form == "text" else [{"role": "developer", "content": "Be brief."}, user] if form == "developer" else [user]


@settings(max_examples=30, deadline=None)
@given(prompts=st.lists(_GIVEN_INPUT, min_size=1, max_size=6), answers=st.lists(_WORDS, min_size=6, max_size=6),
       fmt=st.sampled_from(["jsonl", "json", "batch"]), limit=st.sampled_from([None, 2]),
       selection=st.sampled_from([TextSelection(), TextSelection(roles=("user",)), TextSelection(roles=("assistant",))]))
def test_an_input_given_as_a_text_in_some_rows_and_turns_in_others_reads_as_turns(tmp_path_factory, prompts, answers, fmt,
                                                                                 limit, selection):
    """OpenAI's Responses API takes its ``input`` as a text or as a list of turns, and a log of
    its calls holds both: the file reads as it would were each text the user's one turn
    (what the API reads it as), the same texts, prompts and responses, by role, whole or its
    first rows; in JSON Lines, a JSON array and a batch file's requests (``body.input``, a
    field inside each line's ``body``). Until 2026-12-07 such a file was refused ("column
    'input' mixes lists ... and text"), and a batch file's texts were the lists' JSON."""
    assume(any(form == "text" for _, form in prompts) and any(form != "text" for _, form in prompts[:limit]))  # (rows read hold turns)
    folder = tmp_path_factory.mktemp("either")

    def write(name: str, written_as: str | None) -> Path:
        answered = [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": a}]} for a in answers]
        rows = [{"input": _input_of(p, written_as), "output": [answer]} for p, answer in zip(prompts, answered, strict=False)]
        if fmt == "batch":
            rows = [{"custom_id": f"r{i}", "body": {"model": "m", "input": row["input"]}} for i, row in enumerate(rows)]
        path = folder / f"{name}.{'json' if fmt == 'json' else 'jsonl'}"
        path.write_text(json.dumps(rows) if fmt == "json" else "".join(json.dumps(row) + "\n" for row in rows))
        return path

    either, turns = (load_dataset(write(name, written_as), selection, limit) for name, written_as in (("either", None),
                                                                                                      ("turns", "content")))
    parts = ("prompt", "response") if fmt != "batch" else ()
    assert either.selected(parts=parts).collect().equals(turns.selected(parts=parts).collect())
    read = {form == "text" for _, form in prompts[:limit]}  # (a quick look checks and reads the first rows alone)
    said = f"'{'body.' * (fmt == 'batch')}input': a text in some rows, a chat in others; a text read as the user's turn"
    assert (said in either.text_source) == (read == {True, False})


def test_a_batch_files_input_read_as_turns_where_its_first_rows_are_all_texts(tmp_path):
    """A batch file's ``body.input`` given as texts in its first rows, more than are sampled,
    and as turns in later ones reads as turns throughout, as the file's check sees every
    line: until 2026-12-07 the later turns were read as their JSON text."""
    prompts = [(f"Write a line about the number {i}.", "text" if i <= JSON_CHAT_SAMPLE else "parts") for i in range(JSON_CHAT_SAMPLE + 6)]

    def write(name: str, written_as: str | None) -> Path:
        rows = [{"custom_id": f"r{i}", "body": {"model": "m", "input": _input_of(p, written_as)}} for i, p in enumerate(prompts)]
        (path := tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
        return path

    either, turns = (load_dataset(write(name, written_as)) for name, written_as in (("either", None), ("turns", "content")))
    assert either.texts().equals(turns.texts())
    assert either.texts()["text"].to_list() == [text for text, _ in prompts]
    assert "'body.input': a text in some rows, a chat in others" in either.text_source


def test_an_input_given_as_a_text_or_turns_is_written_back_as_it_was_read(tmp_path, qc):  # noqa: F811
    """The filters write such a file's rows back as they were: JSON Lines as the lines held
    them, Parquet (one kind of value a column) with the lists as JSON text, the texts as they were."""
    rows = [{"input": text, "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]}]}
            for text in ("Name a colour.", "Name a fruit.")]
    rows[1]["input"] = [{"role": "user", "content": rows[1]["input"]}]
    (path := tmp_path / "calls.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert qc("dedup", path, "-o", kept := tmp_path / "kept.jsonl", "-q").code == 0
    assert [json.loads(line) for line in kept.read_text().splitlines()] == rows
    assert qc("dedup", path, "-o", kept := tmp_path / "kept.parquet", "-q").code == 0
    assert [json.loads(value) if value.startswith("[") else value for value in pl.read_parquet(kept)["input"]] == [
        row["input"] for row in rows]


def test_a_column_of_texts_and_lists_that_are_not_turns_is_refused(tmp_path):
    """A text in some rows and a list in others is read as turns only where the lists hold
    turns (objects with a role or a type) in a field that an API takes either way (``input``):
    a list of texts, or of numbers, beside texts is still refused, as is an object beside a
    text, and a text among a chat column's turns (``messages``: a fault, not a form of it)."""
    turns = [{"role": "user", "content": "a"}]
    for key, other in [*(("input", other) for other in (["a", "b"], [1, 2], [{"name": "x"}], turns[0])), ("messages", turns)]:
        (path := tmp_path / "mixed.jsonl").write_text(json.dumps({key: "a text"}) + "\n" + json.dumps({key: other}) + "\n")
        expect_error(f"column '{key}' mixes", path)


def test_chats_written_as_json_text_whose_contents_are_texts_and_parts_are_read(tmp_path):
    """A CSV file's chats written as JSON text, some turns' content a text and others' a list
    of content parts (OpenAI's vision format), read as the same chats in JSON Lines are: Polars'
    JSON decoding fails on them (it takes no list for a text), and until 2026-12-07 such a
    column was read as its JSON, keys and quotes as words."""
    chats = [[{"role": "system", "content": "Be brief."}, {"role": "user", "content": [{"type": "text", "text": "Name a prime."}]},
              {"role": "assistant", "content": "Seven."}],
             [{"role": "user", "content": "Say hi."}, {"role": "assistant", "content": [{"type": "text", "text": "Hi."}]}]]
    (lines := tmp_path / "chats.jsonl").write_text("".join(json.dumps({"messages": chat}) + "\n" for chat in chats))
    pl.DataFrame({"messages": [json.dumps(chat) for chat in chats]}).write_csv(written := tmp_path / "chats.csv")
    parts = ("prompt", "response")
    expected = load_dataset(lines).selected(parts=parts).collect()
    assert expected["text"].to_list() == ["Name a prime.\nSeven.", "Say hi.\nHi."]
    assert load_dataset(written).selected(parts=parts).collect().equals(expected)


@settings(max_examples=30, deadline=None)
@given(chats=st.lists(st.lists(st.tuples(st.sampled_from(["user", "assistant"]), _WORDS), min_size=1, max_size=5), min_size=1, max_size=4),
       selection=st.sampled_from([TextSelection(), TextSelection(roles=("assistant",)), TextSelection(roles=("user",))]))
def test_axolotl_segments_read_as_the_chat_they_train_on(tmp_path_factory, chats, selection):
    """Axolotl's template-free format (``segments``: a text each, ``label`` true where the
    model is trained on it) reads as the chat whose assistant's turns are the segments trained
    on: the same text, prompt and response as those turns as messages, by role. Before
    2026-12-07 it ended in "no text column found"."""
    folder = tmp_path_factory.mktemp("segments")
    (segmented := folder / "segments.jsonl").write_text("".join(json.dumps(
        {"segments": [{"label": role == "assistant", "text": text} for role, text in chat]}) + "\n" for chat in chats))
    (messages := folder / "messages.jsonl").write_text("".join(json.dumps(
        {"messages": [{"role": role, "content": text} for role, text in chat]}) + "\n" for chat in chats))
    parts = ("prompt", "response")
    read = load_dataset(segmented, selection)
    assert read.selected(parts=parts).collect().equals(load_dataset(messages, selection).selected(parts=parts).collect())
    assert read.text_source.startswith("column 'segments'") and "Axolotl's segments" in read.text_source


@pytest.mark.parametrize("layout", ["chatml", "llama-3", "gemma"])
@settings(max_examples=10, deadline=None)
@given(chats=st.lists(st.lists(st.tuples(st.sampled_from(["user", "assistant"]), _TURN_TEXT), min_size=2, max_size=5)
                      .filter(lambda turns: {role for role, _ in turns} == {"user", "assistant"}), min_size=1, max_size=4),
       system=st.booleans(), roles=st.sampled_from([(), ("assistant",), ("user",)]))
def test_axolotl_segments_cut_from_a_chat_templates_text_read_as_its_turns(tmp_path_factory, chats, layout, system, roles):
    """Template-free data is most often a chat template's text cut where training starts and
    stops: the template's markers, a system prompt and the users' turns masked, each answer
    trained on. Joined, the segments read as the template's turns, as the same chats in
    messages do (a system prompt left out unless asked for); read by label, the markers were
    words of the turns and the system prompt the user's, until 2026-12-07."""
    folder = tmp_path_factory.mktemp("templated_segments")
    render = TRANSCRIPT_RENDERINGS[layout]
    chats = [[("system", "Answer as briefly as you can.")] * system + turns for turns in chats]
    segments = []
    for turns in chats:
        cut = []
        for role, content in turns:
            opening, closing = render(role, "\x00").split("\x00")  # (what the template writes around a content)
            cut += [{"label": False, "text": opening}, {"label": True, "text": content + closing}] if role == "assistant" else [
                {"label": False, "text": opening + content + closing}]
        segments.append(cut)
    assert all("".join(piece["text"] for piece in cut) == "".join(render(*turn) for turn in turns) for cut, turns in zip(segments, chats, strict=True))
    (segmented := folder / "segments.jsonl").write_text("".join(json.dumps({"segments": cut}) + "\n" for cut in segments))
    (messages := folder / "messages.jsonl").write_text("".join(json.dumps(
        {"messages": [{"role": role, "content": text} for role, text in turns]}) + "\n" for turns in chats))
    parts = ("prompt", "response")
    read = load_dataset(segmented, TextSelection(roles=roles))
    assert read.selected(parts=parts).collect().equals(load_dataset(messages, TextSelection(roles=roles)).selected(parts=parts).collect())
    assert "Axolotl's segments, joined: a chat template's turns" in read.text_source


def test_axolotl_segments_are_written_back_as_they_were_read(tmp_path, qc):  # noqa: F811
    """The filters write segments back as the input held them, read by label or joined."""
    by_label = [[{"label": False, "text": f"Name colour {i}."}, {"label": True, "text": f"Colour {i} is blue."}] for i in range(3)]
    templated = [[{"label": False, "text": f"<|im_start|>user\nName colour {i}.<|im_end|>\n<|im_start|>assistant\n"},
                  {"label": True, "text": f"Colour {i} is blue.<|im_end|>\n"}] for i in range(3)]
    for rows in (by_label, templated):
        (path := tmp_path / "segments.jsonl").write_text("".join(json.dumps({"segments": cut}) + "\n" for cut in rows))
        assert qc("dedup", path, "-o", kept := tmp_path / "kept.parquet", "-q").code == 0
        assert pl.read_parquet(kept)["segments"].to_list() == rows


@settings(max_examples=25, deadline=None)
@given(conversations=st.lists(st.tuples(st.lists(st.tuples(_WORDS, _WORDS), max_size=3), _WORDS, st.sampled_from(["", "an input"]), _WORDS),
                              min_size=1, max_size=4),
       fmt=st.sampled_from(["json", "parquet"]))
def test_llama_factory_history_reads_as_the_earlier_turns_of_the_chat(tmp_path_factory, conversations, fmt):
    """LLaMA-Factory's Alpaca format keeps a multi-turn row's earlier turns in ``history``
    (``[["question", "answer"], ...]``) beside its last instruction, input and output: read as
    the same conversation in messages is, its text and its prompt and response (the
    instruction and its input one user turn, as LLaMA-Factory joins them). Before
    2026-12-07 the earlier turns were not read."""
    folder = tmp_path_factory.mktemp("history")
    rows = [{"instruction": instruction, "input": given, "output": output, "history": [list(pair) for pair in history]}
            for history, instruction, given, output in conversations]
    chats = [[*({"role": role, "content": text} for pair in history for role, text in zip(("user", "assistant"), pair, strict=True)),
              {"role": "user", "content": "\n".join(filter(None, (instruction, given)))}, {"role": "assistant", "content": output}]
             for history, instruction, given, output in conversations]
    if fmt == "json":
        (alpaca := folder / "alpaca.json").write_text(json.dumps(rows))
    else:
        pl.DataFrame(rows).write_parquet(alpaca := folder / "alpaca.parquet")
    (messages := folder / "messages.jsonl").write_text("".join(json.dumps({"messages": chat}) + "\n" for chat in chats))
    parts = ("prompt", "response")
    read = load_dataset(alpaca)
    assert read.selected(parts=parts).collect().equals(load_dataset(messages).selected(parts=parts).collect())
    if any(history for history, *_ in conversations):  # (all empty, the column holds no text to type: nothing is read of it)
        assert read.text_source.startswith("fields history, instruction, input, output") and "LLaMA-Factory's earlier turns" in read.text_source


def test_llama_factory_history_is_written_back_as_it_was_read(tmp_path, qc):  # noqa: F811
    """The filters write a history back as the input held it: lists of a question and its answer."""
    rows = [{"instruction": f"And {i}?", "input": "", "output": f"It is {i}.", "history": [[f"What is {i}?", "A number."]]} for i in range(3)]
    (path := tmp_path / "alpaca.json").write_text(json.dumps(rows))
    assert qc("dedup", path, "-o", kept := tmp_path / "kept.parquet", "-q").code == 0
    assert pl.read_parquet(kept).to_dicts() == rows


@settings(max_examples=25, deadline=None)
@given(conversations=st.lists(st.tuples(st.lists(st.tuples(_WORDS, _WORDS), min_size=1, max_size=3), st.one_of(st.none(), _WORDS)),
                              min_size=1, max_size=4),
       fmt=st.sampled_from(["jsonl", "parquet"]), roles=st.sampled_from([(), ("user",), ("assistant",)]))
def test_a_conversation_of_exchanges_reads_as_the_same_chat_in_turns(tmp_path_factory, conversations, fmt, roles):
    """LDJnr's Capybara, Pure-Dove and Verified-Camel keep a conversation as a list of
    exchanges (``conversation: [{"input": ..., "output": ...}]``): read as the same
    conversation in messages is (each input the user's turn, its output the assistant's), by
    ``--role`` too, with a ``system`` column beside it as its system turn. Before 2026-12-07
    the text was each exchange's input and output, a line each, as Self-Instruct's instances
    are read, and no prompt or response was found."""
    folder = tmp_path_factory.mktemp("exchanges")
    rows = [{"source": "General-Instruct", **({"system": system} if system is not None else {}),
             "conversation": [{"input": asked, "output": answered} for asked, answered in exchanges]} for exchanges, system in conversations]
    chats = [{"messages": [*([{"role": "system", "content": system}] if (system or "").strip() else []),
                           *({"role": role, "content": text} for pair in exchanges for role, text in zip(("user", "assistant"), pair, strict=True))]}
             for exchanges, system in conversations]
    if fmt == "jsonl":
        (given := folder / "capybara.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    else:
        pl.DataFrame(rows).write_parquet(given := folder / "capybara.parquet")
    (messages := folder / "messages.jsonl").write_text("".join(json.dumps(chat) + "\n" for chat in chats))
    parts = ("prompt", "response", "setup")
    read = load_dataset(given, TextSelection(roles=roles))
    assert read.selected(parts=parts).collect().equals(load_dataset(messages, TextSelection(roles=roles)).selected(parts=parts).collect())
    assert "'conversation': exchanges read as turns" in read.text_source


def test_a_conversation_of_exchanges_is_written_back_as_it_was_read(tmp_path, qc):  # noqa: F811
    """The filters write the exchanges back as the input held them."""
    rows = [{"source": "Dove", "conversation": [{"input": f"Name colour {i}.", "output": f"Colour {i}."}]} for i in range(3)]
    (path := tmp_path / "dove.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert qc("dedup", path, "-o", kept := tmp_path / "kept.parquet", "-q").code == 0
    assert pl.read_parquet(kept).to_dicts() == rows


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), _WORDS), _WORDS, _WORDS, _WORDS, st.booleans()), min_size=1, max_size=4))
def test_vertex_ai_preference_tuning_files_read_as_pairs_of_their_scored_completions(tmp_path_factory, rows):
    """Vertex AI's preference tuning files for Gemini: a ``contents`` chat that ends in the
    user's turn, an optional ``system_instruction``, and two ``completions``, a model's turn
    each, scored 1 (preferred) and 0, in either order. Read as the same pairs written as TRL's
    conversational layout are (prompt, chosen and rejected; the system instruction the
    prompt's system turn), the text the chat's and both completions'. Before 2026-12-07 the
    text was the chat alone, the completions unread, and no pair was found."""
    folder = tmp_path_factory.mktemp("vertex")
    vertex, trl, texts = [], [], []
    for system, asked, preferred, other, preferred_first in rows:
        contents = [{"role": "user", "parts": [{"text": asked}]}]
        completions = [{"score": 1, "completion": {"role": "model", "parts": [{"text": preferred}]}},
                       {"score": 0, "completion": {"role": "model", "parts": [{"text": other}]}}][::1 if preferred_first else -1]
        vertex.append({**({"system_instruction": {"parts": [{"text": system}]}} if system is not None else {}),
                       "contents": contents, "completions": completions})
        trl.append({"prompt": [{"role": "system", "content": system}] * bool(system) + [{"role": "user", "content": asked}],
                    "chosen": [{"role": "assistant", "content": preferred}], "rejected": [{"role": "assistant", "content": other}]})
        texts.append("\n".join([asked, *((preferred, other) if preferred_first else (other, preferred))]))
    (given := folder / "vertex.jsonl").write_text("".join(json.dumps(row) + "\n" for row in vertex))
    (expected := folder / "trl.jsonl").write_text("".join(json.dumps(row) + "\n" for row in trl))
    parts = ("prompt", "chosen", "rejected", "setup")
    read = load_dataset(given)
    assert read.selected(parts=parts).collect().select(parts).equals(load_dataset(expected).selected(parts=parts).collect().select(parts))
    assert read.texts()["text"].to_list() == texts
    assert "pairs of the best and worst of completions by score" in read.text_source


def test_vertex_ai_preference_completions_are_written_back_as_they_were_read(tmp_path, qc):  # noqa: F811
    """The filters write the completions back as the input held them: turns, not their text."""
    rows = [{"contents": [{"role": "user", "parts": [{"text": f"Name colour {i}."}]}],
             "completions": [{"score": 1, "completion": {"role": "model", "parts": [{"text": f"Colour {i}."}]}},
                             {"score": 0, "completion": {"role": "model", "parts": [{"text": "No."}]}}]} for i in range(3)]
    (path := tmp_path / "preference.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert qc("dedup", path, "-o", kept := tmp_path / "kept.parquet", "-q").code == 0
    assert pl.read_parquet(kept).to_dicts() == rows


#: (the chat column, how a turn holds its role and text, how the system prompt apart holds its text) of the layouts below
_SYSTEM_APART_LAYOUTS = {
    "openai": ("messages", lambda role, text: {"role": role, "content": text}, lambda text: text),
    "sharegpt": ("conversations", lambda role, text: {"from": role, "value": text}, lambda text: text),
    "anthropic": ("messages", lambda role, text: {"role": role, "content": [{"type": "text", "text": text}]},
                  lambda text: [{"type": "text", "text": text}]),  # (its text blocks)
    "nova": ("messages", lambda role, text: {"role": role, "content": [{"text": text}]},
             lambda text: [{"text": text}]),  # (Bedrock's fine-tuning files for Nova: bedrock-conversation-2024)
    "vertex": ("contents", lambda role, text: {"role": role, "parts": [{"text": text}]},
               lambda text: {"role": "system", "parts": [{"text": text}]}),  # (Vertex AI's tuning files: systemInstruction)
}


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), st.just(""), _WORDS), st.booleans(),
                               st.lists(st.tuples(st.sampled_from(["user", "assistant"]), _WORDS), min_size=1, max_size=4)),
                     min_size=1, max_size=4),
       layout=st.sampled_from(sorted(_SYSTEM_APART_LAYOUTS)), fmt=st.sampled_from(["jsonl", "csv"]))
def test_a_system_prompt_kept_beside_the_chat_reads_as_its_system_turn(tmp_path_factory, rows, layout, fmt):
    """A system prompt kept beside a chat (LLaMA-Factory's ShareGPT format's ``system``,
    Bespoke-Stratos', OpenThoughts'; an Anthropic request's ``system``, text blocks beside
    chats whose content is blocks; Vertex AI's ``systemInstruction`` beside ``contents``)
    reads as the chat's system turn: the text, prompt, response and system turns ("setup") of
    the same chats with that turn in them; a chat that opens with a system turn of its own
    keeps it alone, and a row with no system prompt gets none. Before 2026-12-07 the column
    was not read: the prompt part lacked it, and a benchmark item in it went unseen by the
    lexical methods."""
    assume(fmt == "jsonl" or layout in ("openai", "sharegpt"))  # (a CSV file: the system prompt text, the chat JSON text)
    folder = tmp_path_factory.mktemp("system")
    name, turn, system_apart = _SYSTEM_APART_LAYOUTS[layout]
    column = "systemInstruction" if layout == "vertex" else "system"
    apart, within = [], []
    for system, own, turns in rows:
        turns = [("system", "Answer in a word.")] * own + turns
        apart.append({column: None if system is None else system_apart(system), name: [turn(role, text) for role, text in turns]})
        said = own or not (system or "").strip()
        within.append({name: [turn(role, text) for role, text in (turns if said else [("system", system), *turns])]})
    if fmt == "jsonl":
        (given := folder / "apart.jsonl").write_text("".join(json.dumps(row) + "\n" for row in apart))
    else:
        pl.DataFrame({"system": [row["system"] for row in apart], name: [json.dumps(row[name]) for row in apart]}).write_csv(
            given := folder / "apart.csv")
    (expected := folder / "within.jsonl").write_text("".join(json.dumps(row) + "\n" for row in within))
    parts = ("prompt", "response", "setup")
    read = load_dataset(given)
    assert read.selected(parts=parts).collect().equals(load_dataset(expected).selected(parts=parts).collect())
    typed = fmt == "csv" or any(system is not None for system, *_ in rows)  # (in JSON Lines, a column of nulls alone holds no text)
    assert (f"'{column}': each row's system prompt, read as its chat's system turn" in read.text_source) == typed


#: (where a request keeps its chat and its system prompt apart, a turn, the system prompt) of batch input files
_REQUEST_LAYOUTS = {
    "responses": ("body", "input", "instructions", lambda role, text: {"type": "message", "role": role, "content": text}, lambda text: text),
    "responses-text": ("body", "input", "instructions", lambda role, text: {"role": role, "content": text}, lambda text: text),
    "responses-parts": ("body", "input", "instructions", lambda role, text: {"role": role, "content": [{"type": "input_text", "text": text}]},
                        lambda text: text),
    "anthropic": ("params", "messages", "system", lambda role, text: {"role": role, "content": text},
                  lambda text: [{"type": "text", "text": text}]),
    "bedrock": ("modelInput", "messages", "system", lambda role, text: {"role": role, "content": [{"text": text}]}, lambda text: text),
    "vertex": ("request", "contents", "systemInstruction", lambda role, text: {"role": role, "parts": [{"text": text}]},
               lambda text: {"parts": [{"text": text}]}),
}


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), st.just(""), _WORDS), st.lists(_WORDS, min_size=1, max_size=3)), min_size=1, max_size=4),
       layout=st.sampled_from(sorted(_REQUEST_LAYOUTS)))
def test_a_requests_system_prompt_kept_apart_reads_as_its_system_turn(tmp_path_factory, rows, layout):
    """A batch input file's request keeps its system prompt beside its chat (the Responses
    API's ``instructions``, Anthropic's and Bedrock's ``system``, Gemini's
    ``systemInstruction``), or beside a text that the API reads as the user's turn (the
    Responses API's ``input``): read as the same requests with it as their chat's system turn
    (the text leaves it out, the prompt and the system turns hold it). Before 2026-12-07 it
    was not read."""
    folder = tmp_path_factory.mktemp("requests")
    parent, chat, apart, turn, system_as = _REQUEST_LAYOUTS[layout]

    def request(system: str | None, asked: list[str], within: bool) -> dict:
        turns = [turn("user", text) for text in asked[:1 if layout == "responses-text" else None]]
        if within and (system or "").strip():
            turns.insert(0, turn("system", system))
        said = asked[0] if layout == "responses-text" and not within else turns
        return {"custom_id": "r", parent: {"model": "m", chat: said, **({} if within or system is None else {apart: system_as(system)})}}

    (given := folder / "apart.jsonl").write_text("".join(json.dumps(request(system, asked, False)) + "\n" for system, asked in rows))
    (expected := folder / "within.jsonl").write_text("".join(json.dumps(request(system, asked, True)) + "\n" for system, asked in rows))
    parts = ("prompt", "setup")
    read = load_dataset(given)
    assert read.selected(parts=parts).collect().equals(load_dataset(expected).selected(parts=parts).collect())
    typed = any(system is not None for system, _ in rows)
    assert (f"'{parent}.{apart}': each request's system prompt, read as its chat's system turn" in read.text_source) == typed


def test_a_chat_beside_a_system_column_is_written_back_as_it_was_read(tmp_path, qc):  # noqa: F811
    """The filters write the chat back without the system turn read into it."""
    openai = [{"system": "Be brief.", "messages": [{"role": "user", "content": f"Name colour {i}."},
                                                    {"role": "assistant", "content": f"Colour {i}."}]} for i in range(3)]
    vertex = [{"systemInstruction": {"parts": [{"text": "Be brief."}]}, "contents": [{"role": "user", "parts": [{"text": f"Colour {i}?"}]},
                                                                                   {"role": "model", "parts": [{"text": f"{i}."}]}]}
              for i in range(3)]
    trl = [{"system": "Be brief.", "prompt": [{"role": "user", "content": f"Colour {i}?"}], "chosen": [{"role": "assistant", "content": f"{i}."}],
            "rejected": [{"role": "assistant", "content": "No."}]} for i in range(3)]
    for rows in (openai, vertex, trl):
        (path := tmp_path / "chats.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
        assert qc("dedup", path, "-o", kept := tmp_path / "kept.parquet", "-q").code == 0
        assert pl.read_parquet(kept).to_dicts() == rows


def _system_apart(layout: str, system: str | None, history: list[tuple[str, str]], question: str, answer: str) -> dict:
    """A row of ``layout`` whose system prompt is a column of its own: LLaMA-Factory's Alpaca
    format (with its earlier rounds), OpenOrca's, Intel's orca_dpo_pairs' (an answer rejected
    beside the chosen)."""
    if layout == "alpaca":
        return {"system": system, "history": [list(pair) for pair in history], "instruction": question, "input": "", "output": answer}
    if layout == "openorca":
        return {"id": "niv.1", "system_prompt": system, "question": question, "response": answer}
    return {"system": system, "question": question, "chosen": answer, "rejected": f"Not {answer}"}


def _system_within(layout: str, system: str | None, history: list[tuple[str, str]], question: str, answer: str) -> dict:
    """The row :func:`_system_apart` writes as a chat (a pair's prompt and answers as chats,
    TRL's conversational layout), its system prompt, where it has one, the first turn."""
    turns = [{"role": "system", "content": system}] * bool((system or "").strip()) + [
        {"role": role, "content": text} for pair in history for role, text in zip(("user", "assistant"), pair, strict=True)]
    turns.append({"role": "user", "content": question})
    if layout != "pairs":
        return {"messages": [*turns, {"role": "assistant", "content": answer}]}
    return {"prompt": turns, **{side: [{"role": "assistant", "content": said}] for side, said in (("chosen", answer), ("rejected", f"Not {answer}"))}}


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), st.just(""), st.just(" "), _WORDS),
                               st.lists(st.tuples(_WORDS, _WORDS), max_size=2), _WORDS, _WORDS), min_size=1, max_size=4),
       layout=st.sampled_from(["alpaca", "openorca", "pairs"]), fmt=st.sampled_from(["jsonl", "parquet"]))
def test_a_system_prompt_kept_beside_prompt_fields_reads_as_a_system_turn(tmp_path_factory, rows, layout, fmt):
    """A system prompt kept in a column of its own beside prompt fields (LLaMA-Factory's
    Alpaca format's ``system``, OpenOrca's ``system_prompt``, Intel's orca_dpo_pairs'
    ``system``) reads as the same rows written as chats with it as their system turn read:
    the text leaves it out, the prompt and the system turns ("setup") hold it. Before
    2026-12-07 it was not read at all."""
    folder = tmp_path_factory.mktemp("system")
    history = (lambda pairs: pairs) if layout == "alpaca" else (lambda pairs: [])
    apart = [_system_apart(layout, system, history(pairs), question, answer) for system, pairs, question, answer in rows]
    within = [_system_within(layout, system, history(pairs), question, answer) for system, pairs, question, answer in rows]
    if fmt == "jsonl":
        (given := folder / "apart.jsonl").write_text("".join(json.dumps(row) + "\n" for row in apart))
    else:
        pl.DataFrame(apart).write_parquet(given := folder / "apart.parquet")
    (expected := folder / "within.jsonl").write_text("".join(json.dumps(row) + "\n" for row in within))
    parts = ("prompt", "setup", *(("chosen", "rejected") if layout == "pairs" else ("response",)))
    read = load_dataset(given)
    assert read.selected(parts=parts).collect().equals(load_dataset(expected).selected(parts=parts).collect())
    typed = any(system is not None for system, *_ in rows)  # (a column of nulls alone holds no text)
    assert ("each row's system prompt, read as a system turn before the prompt" in read.text_source) == typed


def test_a_system_prompt_named_by_a_flag_reads_as_text(tmp_path):
    """Named by ``--fields`` or ``--prompt-fields``, a system column is read as the text
    it holds, as before 2026-12-07: the user chose where it counts."""
    rows = [{"system": f"Persona {i}.", "instruction": f"Name colour {i}.", "input": "", "output": f"Colour {i}."} for i in range(3)]
    (path := tmp_path / "alpaca.json").write_text(json.dumps(rows))
    fields = load_dataset(path, TextSelection(fields=("system", "instruction", "output"))).texts()
    assert fields["text"].to_list() == [f"Persona {i}.\nName colour {i}.\nColour {i}." for i in range(3)]
    named = load_dataset(path, TextSelection(prompt=("system", "instruction"), response="output"))
    assert named.selected(parts=("prompt", "setup")).collect().select("prompt", "setup").to_dicts() == [
        {"prompt": f"Persona {i}.\nName colour {i}.", "setup": None} for i in range(3)]


def test_a_system_column_beside_prompt_fields_is_written_back_as_it_was_read(tmp_path, qc):  # noqa: F811
    """The filters write the system prompts back as text, as the input held them."""
    rows = [{"system_prompt": "Be brief." if i else None, "question": f"Name colour {i}.", "response": f"Colour {i}."} for i in range(3)]
    (path := tmp_path / "openorca.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert qc("dedup", path, "-o", kept := tmp_path / "kept.parquet", "-q").code == 0
    assert pl.read_parquet(kept).to_dicts() == rows


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), st.just(""), _WORDS), st.booleans(), _WORDS, _WORDS), min_size=1, max_size=4))
def test_a_system_column_beside_a_prompt_chat_is_its_system_turn_unless_it_has_one(tmp_path_factory, rows):
    """A system column beside TRL's conversational pairs (a ``prompt`` chat, ``chosen`` and
    ``rejected``) reads as the prompt chat's system turn, as beside ``messages``: the same
    pairs with it in the prompt chat give the same prompt, answers and system turns, and a
    prompt that opens with a system turn of its own keeps it alone. Before 2026-12-07 the
    system prompt came before such a prompt as a turn of its own: two system prompts."""
    folder = tmp_path_factory.mktemp("system")
    apart, within = [], []
    for system, own, question, answer in rows:
        turns = [{"role": "system", "content": "Answer in a word."}] * own + [{"role": "user", "content": question}]
        said = own or not (system or "").strip()
        answers = {side: [{"role": "assistant", "content": text}] for side, text in (("chosen", answer), ("rejected", f"Not {answer}"))}
        apart.append({"system": system, "prompt": turns, **answers})
        within.append({"prompt": turns if said else [{"role": "system", "content": system}, *turns], **answers})
    (given := folder / "apart.jsonl").write_text("".join(json.dumps(row) + "\n" for row in apart))
    (expected := folder / "within.jsonl").write_text("".join(json.dumps(row) + "\n" for row in within))
    parts = ("prompt", "setup", "chosen", "rejected")
    assert load_dataset(given).selected(parts=parts).collect().equals(load_dataset(expected).selected(parts=parts).collect())


def gemini(*answers: str) -> dict:
    """A Gemini API response (``GenerateContentResponse``) with one candidate an answer."""
    return {"candidates": [{"index": i, "finishReason": "STOP", "content": {"role": "model", "parts": [{"text": answer}]}}
                           for i, answer in enumerate(answers)], "usageMetadata": {"promptTokenCount": 3}}


def test_sharegpt_conversations_read_as_chat_messages(tmp_path):
    """ShareGPT's {from, value} turns give what the same turns as OpenAI's {role, content}
    give: the text by role (either role name), and the prompt and answer parts. LLaMA-Factory's
    function-calling turns are the assistant's (``function_call``) and the tool's (``observation``)."""
    roles = st.sampled_from([("system", "system"), ("user", "human"), ("assistant", "gpt"), ("assistant", "function_call"),
                             ("tool", "observation")])
    turn = st.tuples(roles, st.text(alphabet="ab \n", max_size=6) | st.none())
    chats = st.lists(st.lists(turn, min_size=1, max_size=5), min_size=1, max_size=6)
    parts = ("prompt", "response")

    @settings(max_examples=40, deadline=None)
    @given(chats)
    def same(chats):
        openai = pl.DataFrame({"messages": [[{"role": r, "content": c} for (r, _), c in chat] for chat in chats]})
        sharegpt = pl.DataFrame({"id": range(len(chats)),
                                 "conversations": [[{"from": f, "value": c} for (_, f), c in chat] for chat in chats]})
        for selection, shared in ((TextSelection(), TextSelection()),
                                  (TextSelection(roles=("user", "assistant", "tool")),
                                   TextSelection(roles=("human", "gpt", "function_call", "observation")))):
            expected = load_dataset(openai, selection).selected(parts=parts).collect().drop("row_id")
            for roles_named in (selection, shared):
                got = load_dataset(sharegpt, roles_named).selected(parts=parts).collect().drop("row_id")
                assert got.equals(expected)

    same()


def test_gemini_and_cohere_chats_read_as_openai_messages(tmp_path):
    """Gemini's ``contents`` (Vertex AI's tuning files: roles ``user`` and ``model``, each
    turn's text in ``parts``) and Cohere's messages (roles ``User`` and ``Chatbot``) give
    what the same turns as OpenAI's messages give."""
    turn = st.tuples(st.sampled_from([("user", "user", "User"), ("assistant", "model", "Chatbot")]),
                     st.lists(st.text(alphabet="ab \n", max_size=6), min_size=1, max_size=2))
    chats = st.lists(st.lists(turn, min_size=1, max_size=5), min_size=1, max_size=6)
    parts = ("prompt", "response")

    @settings(max_examples=40, deadline=None)
    @given(chats)
    def same(chats):
        openai = pl.DataFrame({"messages": [[{"role": r, "content": "\n".join(filter(None, t))} for (r, _, _), t in chat] for chat in chats]})
        gemini = pl.DataFrame({"contents": [[{"role": g, "parts": [{"text": x} for x in t]} for (_, g, _), t in chat] for chat in chats]})
        cohere = pl.DataFrame({"messages": [[{"role": c, "content": "\n".join(filter(None, t))} for (_, _, c), t in chat] for chat in chats]})
        for roles, gemini_roles, cohere_roles in (((), (), ()), (("assistant",), ("model",), ("Chatbot",)), (("user",), ("user",), ("User",))):
            expected = load_dataset(openai, TextSelection(roles=roles)).selected(parts=parts).collect()
            for data, named in ((gemini, roles), (gemini, gemini_roles), (cohere, roles), (cohere, cohere_roles)):
                assert load_dataset(data, TextSelection(roles=named)).selected(parts=parts).collect().equals(expected)

    same()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(["system", "user", "assistant"]), st.text(alphabet="ab \n", max_size=6)),
                         min_size=1, max_size=4), min_size=1, max_size=5))
def test_openai_content_parts_read_as_their_text(chats):
    """A turn whose content is a list of parts ({type, text}, an image among them) reads as
    its text parts: the same text, roles and parts as the text given as a string."""
    def parts(text: str) -> list[dict]:
        return [{"type": "text", "text": text}, {"type": "image_url", "text": None}]

    plain = pl.DataFrame({"messages": [[{"role": r, "content": c} for r, c in chat] for chat in chats]})
    parted = pl.DataFrame({"messages": [[{"role": r, "content": parts(c)} for r, c in chat] for chat in chats]})
    for selection in (TextSelection(), TextSelection(roles=("assistant",))):
        expected = load_dataset(plain, selection).selected(parts=("prompt", "response")).collect()
        assert load_dataset(parted, selection).selected(parts=("prompt", "response")).collect().equals(expected)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(["system", "user", "assistant"]), st.text(alphabet='ab []{}":,\n', max_size=8),
                                   st.booleans()), min_size=1, max_size=4), min_size=1, max_size=5))
def test_content_parts_beside_text_contents_in_json_read_as_their_text(tmp_path_factory, chats):
    """Where some turns' content is a list of parts and others' text (as OpenAI's vision format
    writes the user's and the assistant's turns), in one JSON lines file (plain or gzip), a
    JSON array, or files of a folder (all parts in one, all text in the other), each turn
    reads as its text: the same text and parts as every content given as text. Text that
    merely looks like JSON (brackets, quotes) is read as it is."""
    def record(chat, parted: bool) -> dict:
        return {"messages": [{"role": r, "content": [{"type": "text", "text": c}, {"type": "image_url", "image_url": {"url": "a.png"}}]
                              if parted and p else c} for r, c, p in chat]}

    def json_lines(records) -> str:
        return "".join(json.dumps(r) + "\n" for r in records)

    folder = tmp_path_factory.mktemp("mixed")
    (folder / "plain.jsonl").write_text(json_lines(record(chat, False) for chat in chats))
    (folder / "mixed.jsonl").write_text(json_lines(record(chat, True) for chat in chats))
    (folder / "mixed.jsonl.gz").write_bytes(gzip.compress(json_lines(record(chat, True) for chat in chats).encode()))
    (folder / "mixed.json").write_text(json.dumps([record(chat, True) for chat in chats]))
    (folder / "split").mkdir()
    half = (len(chats) + 1) // 2
    (folder / "split" / "a.jsonl").write_text(json_lines(record([(r, c, True) for r, c, _ in chat], True) for chat in chats[:half]))
    if chats[half:]:
        (folder / "split" / "b.jsonl").write_text(json_lines(record(chat, False) for chat in chats[half:]))
    for selection in (TextSelection(), TextSelection(roles=("user",))):
        expected = load_dataset(folder / "plain.jsonl", selection).selected(parts=("prompt", "response")).collect()
        for mixed in ("mixed.jsonl", "mixed.jsonl.gz", "mixed.json", "split"):
            got = load_dataset(folder / mixed, selection).selected(parts=("prompt", "response")).collect()
            assert got.equals(expected), mixed


def test_chat_text_that_looks_like_json_is_read_as_written():
    """Only a list of content parts written as JSON reads as its text parts; other text in
    brackets (a list of strings, objects without a type, broken JSON) is the turn's text."""
    looks_like_json = ['["a", "b"]', '[{"x": 1}]', '[{"type": "text", "text": "a"}', "[]", '[{"type": 1, "text": "a"}]']
    chats = pl.DataFrame({"messages": [[{"role": "user", "content": text}] for text in looks_like_json]})
    assert load_dataset(chats).texts()["text"].to_list() == looks_like_json


def expect_error(match: str, path, selection: TextSelection = TextSelection()):
    with pytest.raises(QcauditError, match=match) as info:
        load_dataset(path, selection).texts()
    assert "\n" not in str(info.value)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from('ab "\t\n\r,\'\u00e9'), max_size=12), min_size=1, max_size=6),
       st.sampled_from(["csv", "polars"]))
def test_a_tab_separated_file_written_with_quoting_reads_back_its_texts(tmp_path_factory, texts, writer):
    """pandas, Polars and the standard library quote a field of a tab-separated file that holds
    a tab, a newline or a quote; such a file reads back the texts written, as they read it."""
    import csv
    path = tmp_path_factory.mktemp("tsv") / "written.tsv"
    if writer == "csv":  # the dialect pandas' to_csv(sep="\t") follows
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, dialect="excel-tab").writerows([["text", "n"], *[[text, i] for i, text in enumerate(texts)]])
    else:
        pl.DataFrame({"text": texts, "n": range(len(texts))}).write_csv(path, separator="\t")
    read = load_dataset(path, TextSelection(text_column="text")).frame.collect()
    assert read["text"].fill_null("").to_list() == texts  # (an empty field may be read as missing)


@pytest.mark.parametrize("compressed", [False, True])
def test_a_csv_file_separated_by_semicolons_reads_as_its_fields(tmp_path, compressed):
    """A .csv whose first line holds semicolons and no comma (a spreadsheet's CSV where the
    comma is the decimal mark) reads as the comma-separated file of the same rows, quoting
    included; a ragged row is refused naming semicolons; the filters' and the review sample's
    CSV files are separated by semicolons too (a spreadsheet in that locale opens them)."""
    rows = {"text": ["one; two, three", "four five", 'six "seven"\neight'], "score": ["0,5", "1,5", "2"]}
    commas, semicolons = tmp_path / "commas.csv", tmp_path / ("semicolons.csv" + (".gz" if compressed else ""))
    pl.DataFrame(rows).write_csv(commas)
    written = pl.DataFrame(rows).write_csv(separator=";")
    semicolons.write_bytes(gzip.compress(written.encode()) if compressed else written.encode())
    assert written.splitlines()[0] == "text;score"
    read = load_dataset(semicolons).texts(keep=("score",))
    assert read.equals(load_dataset(commas).texts(keep=("score",))) and read["text"].to_list() == rows["text"]
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("text;label\n" + "a b;1\n" * 5 + "c d;2;x\n")  # (past the records read to tell the separator)
    expect_error(re.escape("line 7 has 3 (quote fields that hold semicolons)"), ragged)
    prose = tmp_path / "prose.csv"  # one text a line without a header: semicolons in the texts separate nothing
    prose.write_text("First; then second\nOnly one here\nA; b; c\n")
    assert load_dataset(prose, TextSelection(text_column="column_1"), header=False).texts()["text"].to_list() == [
        "First; then second", "Only one here", "A; b; c"]
    from typer.testing import CliRunner

    from qcaudit.cli import app

    kept, review = tmp_path / "kept.csv", tmp_path / "review.csv"
    assert CliRunner().invoke(app, ["dedup", str(semicolons), "-o", str(kept), "-q"]).exit_code == 0
    assert kept.read_text().splitlines()[0] == "text;score"
    assert pl.read_csv(kept, infer_schema_length=0, separator=";").to_dict(as_series=False) == rows
    assert CliRunner().invoke(app, ["sample", str(semicolons), "-o", str(review), "--size", "3", "-q"]).exit_code == 0
    assert review.read_text().startswith("row_id;reason;text;")
    assert sorted(pl.read_csv(review, separator=";")["text"].to_list()) == sorted(rows["text"])
    commas_kept = tmp_path / "commas_kept.csv"  # (a comma-separated input's stay so)
    assert CliRunner().invoke(app, ["dedup", str(commas), "-o", str(commas_kept), "-q"]).exit_code == 0
    assert commas_kept.read_text().splitlines()[0] == "text,score"
    tabs = tmp_path / "kept.tsv"  # (a .tsv output is separated by tabs, whatever the input's separator)
    assert CliRunner().invoke(app, ["dedup", str(semicolons), "-o", str(tabs), "-q"]).exit_code == 0
    assert pl.read_csv(tabs, infer_schema_length=0, separator="\t").to_dict(as_series=False) == rows


@pytest.mark.parametrize("name", ["docs.csv", "docs.tsv", "semicolons.csv"])
def test_a_delimited_file_of_long_documents_is_read_whole(tmp_path, name):
    """A field over 128 KB (a pretraining corpus of whole documents) was refused by the csv
    module's default limit, "field larger than field limit (131072)"; the limit is put back."""
    import csv

    documents = [f"document {i} " + "word " * 60_000 for i in range(3)]  # (300 KB each)
    frame = pl.DataFrame({"text": documents, "id": [0, 1, 2]})
    frame.write_csv(tmp_path / name, separator={"docs.tsv": "\t", "semicolons.csv": ";"}.get(name, ","))
    assert load_dataset(tmp_path / name).texts()["text"].to_list() == documents
    assert csv.field_size_limit() == 131072


def test_integers_as_wide_as_polars_reads_are_read(tmp_path):
    """The check refuses an integer beyond 128 bits, which Polars cannot read; up to the bound it reads."""
    path = tmp_path / "wide.jsonl"
    path.write_text("".join(json.dumps({"text": f"row {i}", "n": n}) + "\n" for i, n in enumerate([2**127 - 1, -(2**127), 7])))
    assert load_dataset(path).frame.collect()["n"].to_list() == [2**127 - 1, -(2**127), 7]


_DELIMITER_TROUBLE = st.sampled_from(['"', "\t", "\r\n", "\r", "\n", ' "x" ', '""', "\\", ",", ";", "\ufeff"])


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(st.one_of(st.none(), st.text(max_size=12), _DELIMITER_TROUBLE), min_size=1, max_size=6),
       header=st.booleans(), suffix=st.sampled_from([".tsv", ".tsv.gz", ".csv", ".csv.zst"]))
def test_a_csv_or_tsv_output_reads_back_as_the_rows_written(texts, header, suffix):
    """What the filters and the review sample write as .csv or .tsv (compressed or not, with
    a header line or without) reads back as the same texts: quotes, tabs and line breaks
    inside a field quoted, an empty text apart from a missing one. (A headerless file whose
    first text opens with a byte-order mark loses the mark: it reads as the file's. A row of
    words is written last: a column of texts that all read as numbers reads as numbers.)"""
    from qcaudit.outputs import write_table

    assume(header or not (texts[0] or "").startswith("\ufeff"))
    written = [*texts, "a row of words"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"rows{suffix}"
        write_table(pl.DataFrame({"text": written, "n": range(len(written))}, schema={"text": pl.String, "n": pl.Int64}), path,
                    csv_header=header)
        column = "text" if header else "column_1"
        assert load_dataset(path, TextSelection(text_column=column), header=header).frame.collect()[column].to_list() == written


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".jsonl.zst", ".json", ".json.gz", ".csv.gz", ".tsv", ".tsv.zst", ".jsonl.gz"])
def test_rows_of_a_lazy_table_are_written_as_the_same_rows_collected(tmp_path, monkeypatch, suffix):
    """A filter's rows stream into its output from a lazy table (never collected whole, into
    a JSON array too): the file holds the rows, in order, that the table collected holds; a
    parquet file's row groups hold about ROW_GROUP_BYTES of them (Polars' default, 262,144
    rows whatever their size, held 7.5 GB of 3 GB of wide rows), by the row size measured or
    given."""
    import pyarrow.parquet as pq

    from qcaudit import outputs
    from qcaudit.outputs import write_table

    source = tmp_path / "wide.parquet"
    pl.DataFrame({"text": [f"row {i} " + "x" * (i % 7) * 100 for i in range(500)], "n": range(500)}).write_parquet(source)
    rows = pl.scan_parquet(source).filter(pl.col("n") % 3 != 1)
    expected = rows.collect()
    path = tmp_path / f"kept{suffix}"
    monkeypatch.setattr(outputs, "ROW_GROUP_BYTES", 20_000)
    with monkeypatch.context() as whole:
        if suffix != ".parquet":  # (parquet's first rows are collected, to size its row groups)
            whole.setattr(pl.LazyFrame, "collect", lambda *_, **__: pytest.fail("the rows were collected whole"))
        write_table(rows, path)
    assert load_dataset(path, TextSelection(text_column="text")).frame.drop("row_id").collect().equals(expected)
    written = path.read_bytes()
    write_table(rows, path)
    assert path.read_bytes() == written  # (the same rows, the same bytes: compressed with no time stamp nor temporary name)
    if suffix == ".parquet":
        row_bytes = expected.head(1000).estimated_size() / expected.height
        assert pq.ParquetFile(path).metadata.row_group(0).num_rows == int(20_000 / row_bytes)
        write_table(rows, path, row_bytes=2_000.0)
        assert pq.ParquetFile(path).metadata.row_group(0).num_rows == 10
        assert pl.read_parquet(path).equals(expected)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=6) | st.integers()), max_size=8),
       cuts=st.lists(st.integers(0, 10**6), max_size=6))
def test_json_lines_written_in_any_pieces_become_one_json_array_of_their_objects(rows, cuts):
    """Polars' JSON Lines sink hands a JSON array's writer its bytes in pieces that may end
    anywhere (inside a line, on its line break, empty): the file is the array of the lines'
    objects, one a line, ``[]`` for none, as a JSON input's records are written."""
    import io

    from qcaudit.outputs import _JsonArrayOfLines

    lines = [json.dumps(row).encode() for row in rows]
    stream = b"".join(line + b"\n" for line in lines)
    at = sorted(cut % (len(stream) + 1) for cut in cuts)
    file = io.BytesIO()
    array = _JsonArrayOfLines(file)
    for start, end in zip([0, *at], [*at, len(stream)], strict=True):
        array.write(stream[start:end])
    array.close_array()
    assert json.loads(file.getvalue()) == rows
    assert file.getvalue() == (b"[\n" + b",\n".join(lines) + b"\n]\n" if rows else b"[]\n")


def test_a_tab_separated_file_with_quotes_as_text_keeps_them(tmp_path):
    """A field that opens with a quote it never closes where quoting would need it closed (a
    quotation, then more words) is text: the file has no quoting, and every quote is kept."""
    path = tmp_path / "said.tsv"
    path.write_text('text\tn\n"Hi," she said\t1\n"Yes"\t2\n')
    assert load_dataset(path).texts()["text"].to_list() == ['"Hi," she said', '"Yes"']


def _as_the_csv_module_reads(path: Path, separator: str, column: int = 0) -> list[str]:
    """A delimited file's column as the standard library's csv module reads it (the reference
    for pandas and spreadsheets too), without the header line."""
    import csv

    with open(path, newline="") as handle:
        return [row[column] for row in list(csv.reader(handle, delimiter=separator))[1:]]


@settings(max_examples=80, deadline=None)
@given(texts=st.lists(st.text(st.sampled_from('ab "\'12.'), max_size=12).map(lambda t: "w" + t), min_size=1, max_size=6),
       separator=st.sampled_from([",", ";", "\t"]), limit=st.sampled_from([None, 1]))
def test_a_delimited_file_no_quote_opens_a_field_of_reads_as_the_csv_module_reads_it(texts, separator, limit):
    """Quotes inside fields that none opens (an inch mark, `a 12" pizza`; a word quoted in
    the middle of a text) are text, as the csv module, pandas and a spreadsheet read them,
    in a CSV, a CSV separated by semicolons and a TSV, read whole or a quick look; Polars
    took each for the start or end of a quoted part, and a file with one such row read as
    "no rows"."""
    suffix = ".tsv" if separator == "\t" else ".csv"
    lines = ["text" + separator + "n", *(f"{text}{separator}{i}" for i, text in enumerate(texts))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"rows{suffix}"
        path.write_text("\n".join(lines) + "\n")
        expected = _as_the_csv_module_reads(path, separator)
        read = load_dataset(path, TextSelection(text_column="text"), limit=limit).frame.collect()["text"].to_list()
    assert read == expected[:limit]


def test_a_file_whose_only_quoted_fields_follow_a_separator_is_read_with_quoting(tmp_path):
    """A quote after the separator opens a field as one at a line's start does: such a file
    is read with CSV's quoting, as the csv module reads it."""
    for separator, suffix in ((",", ".csv"), (";", ".csv"), ("\t", ".tsv")):
        path = tmp_path / f"late{suffix}"
        path.write_text(f'n{separator}text\n1{separator}"a{separator} b"\n2{separator}"c ""d"" e"\n')
        assert load_dataset(path).texts()["text"].to_list() == _as_the_csv_module_reads(path, separator, 1) == [
            f"a{separator} b", 'c "d" e']


def test_a_quote_inside_a_field_of_a_file_that_quotes_fields_is_read_in_pairs_and_refused_alone(tmp_path):
    """In a file that quotes fields, two quotes inside a field read as the csv module reads
    them (Polars does too); one alone, an inch mark, is refused in one line that names its
    line (it read as "no rows"), as each separator's file, and a quick look before it reads."""
    for separator, suffix in ((",", ".csv"), (";", ".csv"), ("\t", ".tsv")):
        paired = tmp_path / f"paired{suffix}"
        paired.write_text(f'text{separator}n\n"a{separator} b"{separator}1\nHe said "hi" to me{separator}2\n')
        assert load_dataset(paired).texts()["text"].to_list() == _as_the_csv_module_reads(paired, separator) == [
            f"a{separator} b", 'He said "hi" to me']
        alone = tmp_path / f"alone{suffix}"
        alone.write_text(f'text{separator}n\n"a{separator} b"{separator}1\nwords{separator}2\na 12" pizza{separator}3\n')
        expect_error(f"alone{re.escape(suffix)}: line 4 holds a quote inside a field, in a file that quotes fields; quote that "
                     'field whole and double the quotes inside it', alone)
        assert load_dataset(alone, limit=2).texts()["text"].to_list() == [f"a{separator} b", "words"]


@settings(max_examples=20, deadline=None)
@given(rows=st.lists(st.tuples(_WORDS, _WORDS), min_size=1, max_size=6), fmt=st.sampled_from(["jsonl", "parquet"]))
def test_a_text_generated_for_the_prompt_beside_it_is_its_response(tmp_path_factory, rows, fmt):
    """HuggingFaceTB's Cosmopedia keeps what a model generated in ``text`` beside the
    ``prompt`` it was asked: the text alone is the row's text (it is what is trained on), and
    prompt and text are its prompt and response, as TRL's prompt-completion rows' are. A text
    that holds its prompt is the row written whole: no response is found in it. Before
    2026-12-07 the response was never found (the analyzers of prompts and responses refused)."""
    assume(all(prompt not in text for prompt, text in rows))
    folder = tmp_path_factory.mktemp("generated")
    cosmopedia = pl.DataFrame({"prompt": [p for p, _ in rows], "text": [t for _, t in rows], "seed_data": "web_samples_v2"})
    if fmt == "jsonl":
        cosmopedia.write_ndjson(given := folder / "cosmopedia.jsonl")
    else:
        cosmopedia.write_parquet(given := folder / "cosmopedia.parquet")
    cosmopedia.rename({"text": "completion"}).write_ndjson(completions := folder / "completions.jsonl")
    read = load_dataset(given)
    assert read.texts()["text"].to_list() == [t for _, t in rows]
    parts = ("prompt", "response")
    assert read.selected(parts=parts).collect().select(parts).equals(load_dataset(completions).selected(parts=parts).collect().select(parts))
    assert read.text_source == "column 'text' (what a model generated for column 'prompt': the response to it)"
    whole = cosmopedia.with_columns(text=pl.col("prompt") + "\n\n" + pl.col("text"))
    whole.write_ndjson(written := folder / "whole.jsonl")
    assert load_dataset(written).text_source == "column 'text'"
    with pytest.raises(QcauditError, match="needs each row's response"):
        load_dataset(written).selected(parts=parts).collect()
    with pytest.raises(QcauditError, match="needs each row's response"):  # (--text-column text: the user chose; no part is guessed)
        load_dataset(given, TextSelection(text_column="text")).selected(parts=parts).collect()


def test_a_hub_dataset_named_by_its_name_reads_from_the_local_hugging_face_cache(tmp_path, monkeypatch, qc):  # noqa: F811
    """A Hub dataset named ``OWNER/NAME`` that no local path names reads, offline, from the
    snapshot that ``datasets`` or ``hf download`` left in this machine's Hugging Face cache, a
    path inside it naming a split's folder, file or files; its splits read whole are refused,
    as a local folder's are, named as the user named them; ``OWNER/NAME@REVISION`` reads
    another revision the cache holds (a branch or a commit). Before 2026-12-07 it was read
    only over the network (hf://datasets/...)."""
    from huggingface_hub import constants
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hub := tmp_path / "hub"))
    monkeypatch.chdir(tmp_path)
    train = [pl.DataFrame({"text": [f"Train row {i} of shard {shard}." for i in range(3)]}) for shard in range(2)]
    test = pl.DataFrame({"text": ["Test row one.", "Test row two."]})
    hub_cache_snapshot(hub, "own/chat-1.5", {"data/train-00000-of-00002.parquet": train[0], "data/train-00001-of-00002.parquet": train[1],
                                     "data/test-00000-of-00001.parquet": test, "README.md": pl.DataFrame()})
    expected = pl.concat(train)["text"].to_list()
    for name in ("own/chat-1.5/data/train-*.parquet", "hf:own/chat-1.5/data/train-*", "datasets/own/chat-1.5/data/train-0000[01]*"):
        assert load_dataset(name).texts()["text"].to_list() == expected
    assert load_dataset("own/chat-1.5/data/test-00000-of-00001.parquet").texts()["text"].to_list() == test["text"].to_list()
    for whole in ("own/chat-1.5", "own/chat-1.5/data"):
        expect_error(rf"^{whole} holds several splits of a dataset: test \(own/chat-1.5/data/test-00000-of-00001.parquet\), "
                     r"train \(own/chat-1.5/data/train-00000-of-00002.parquet\); give one split's folder or files", whole)
    expect_error(r"^own/chat-1.5/data/dev.jsonl: the Hugging Face cache's copy of own/chat-1.5 \(.*\) holds no data/dev.jsonl; "
                 r"it holds data/test-00000-of-00001.parquet, data/train-00000-of-00002.parquet", "own/chat-1.5/data/dev.jsonl")
    expect_error(r"own/other does not exist in .*; a dataset on the Hugging Face Hub is read from this machine's Hugging Face cache",
                 "own/other")
    second = "4567cdef" * 5  # (a commit: its whole hash)
    hub_cache_snapshot(hub, "own/chat-1.5", {"data/train-00000-of-00001.parquet": test}, commit=second, ref="v2")  # (another revision)
    for revision in ("v2", second):
        assert load_dataset(f"own/chat-1.5@{revision}/data/train-*.parquet").texts()["text"].to_list() == test["text"].to_list()
    assert load_dataset("own/chat-1.5/data/train-*.parquet").texts()["text"].to_list() == expected  # (main, as before)
    expect_error(r"^own/chat-1.5@v3: the Hugging Face cache holds own/chat-1.5 at main, v2, not at v3: name one "
                 r"\(own/chat-1.5@main\), or put v3 there \('hf download own/chat-1.5 --repo-type dataset --revision v3'\)$",
                 "own/chat-1.5@v3")
    expect_error(r"own/chat-2@v3 does not exist in .*'hf download own/chat-2 --repo-type dataset --revision v3'", "own/chat-2@v3")
    (tmp_path / "own" / "chat-1.5").mkdir(parents=True)  # (a local folder of that name is read, not the cache)
    expect_error(r"^own/chat-1.5 holds no .parquet", "own/chat-1.5")
    shutil.rmtree(tmp_path / "own")
    result = qc("report", "own/chat-1.5/data/train-*.parquet", "-o", tmp_path / "audit", "--analyzers", "duplicates", "-q")
    assert result.code == 0, result.err
    assert json.loads((tmp_path / "audit" / "report.json").read_text())["dataset"]["rows"] == 6


def test_a_hub_datasets_parquet_conversion_in_the_cache_reads_by_its_revision(tmp_path, monkeypatch):
    """The Hub converts a dataset to parquet on a ref whose name holds slashes,
    refs/convert/parquet (one folder a configuration, one a split), which ``hf://`` paths
    name as ``@refs/convert/parquet``, ``@refs%2Fconvert%2Fparquet`` or ``@~parquet``; a cache
    that holds a dataset at that revision alone (``hf download --revision``) reads by any of
    them, and the bare name says which revisions it holds rather than that it does not
    exist. A benchmark so named reads its test split and is named by the dataset."""
    from huggingface_hub import constants

    from qcaudit.analyzers.contamination import benchmark_overrides
    from qcaudit.benchmarks import load_benchmark

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hub := tmp_path / "hub"))
    monkeypatch.chdir(tmp_path)
    splits = {split: pl.DataFrame({"question": [f"{split.title()} question {i}?" for i in range(n)]}) for split, n in (("train", 3), ("test", 2))}
    hub_cache_snapshot(hub, "own/conv", {f"default/{split}/0000.parquet": frame for split, frame in splits.items()},
                       commit="89abcdef" * 5, ref="refs/convert/parquet")
    expected = splits["test"]["question"].to_list()
    for name in ("own/conv@refs/convert/parquet/default/test", "hf:own/conv@~parquet/default/test/*.parquet",
                 "datasets/own/conv@refs%2Fconvert%2Fparquet/default/test/0000.parquet"):
        assert load_dataset(name).texts()["text"].to_list() == expected, name
    expect_error(r"^own/conv: the Hugging Face cache holds own/conv at refs/convert/parquet, not at main: name one "
                 r"\(own/conv@refs/convert/parquet\), or put main there \('hf download own/conv --repo-type dataset'\)$", "own/conv")
    expect_error(r"^own/conv@refs/convert/parquet/default holds several splits", "own/conv@~parquet/default")
    expect_error(r"^no file matches data/\*.parquet$", "data/*.parquet")  # (no repository's name: nothing looked up)
    expect_error(r"^own/none-such does not exist in ", "own/none-such")
    (spec,) = benchmark_overrides(["own/conv@~parquet/default"]).items()
    assert spec == ("benchmarks.conv.path", "own/conv@~parquet/default")
    assert load_benchmark("conv", spec[1]).items["item_text"].to_list() == expected


def test_bad_inputs_give_one_line_errors(tmp_path, monkeypatch):
    from huggingface_hub import constants
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))  # (an empty Hugging Face cache)
    expect_error("does not exist", tmp_path / "missing.parquet")
    hint = ("a dataset on the Hugging Face Hub is read from this machine's Hugging Face cache once there \\(none is\\): "
            "'hf download allenai/tulu --repo-type dataset' or datasets' load_dataset puts it there; "
            "or read it over the network as hf://datasets/allenai/tulu$")
    expect_error(rf"allenai/tulu does not exist in .*; {hint}", "allenai/tulu")
    for written in ("hf:allenai/tulu", "datasets/allenai/tulu", "hf:datasets/allenai/tulu"):  # (the hint read hf:allenai as the owner)
        expect_error(rf"{written} does not exist in .*; {hint}", written)
    expect_error(r"missing/x.jsonl does not exist in \S+$", "missing/x.jsonl")
    expect_error(r"teknium/OpenHermes-2.5 does not exist in .*; a dataset on the Hugging Face Hub is read", "teknium/OpenHermes-2.5")
    expect_error(r"standard input \('-'\) is not read: write the data to a file first", "-")
    pipe = tmp_path / "pipe.jsonl"  # read, it waited forever for a writer (/dev/zero: it filled the memory)
    os.mkfifo(pipe)
    threading.Thread(target=_serve_readers, args=(pipe,), daemon=True).start()  # (no hang should it be read again)
    expect_error(r"pipe.jsonl is a pipe, not a file: qcaudit reads its input more than once", pipe)
    (tmp_path / "null.jsonl").symlink_to(os.devnull)
    expect_error(r"null.jsonl is a character device, not a file", tmp_path / "null.jsonl")
    good = write(tmp_path, "d.parquet")
    truncated = tmp_path / "truncated.parquet"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    expect_error("cannot read", truncated)
    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_text('{"text": "ok"}\n{"text": "ok"}\n{"text": oops}\n')
    expect_error("line 3", bad_json)
    binary = tmp_path / "latin1.jsonl"
    binary.write_bytes('{"text": "ok"}\n{"text": "caf\xe9"}\n'.encode("latin-1"))
    expect_error(re.escape("line 2 is not valid UTF-8 (byte 14 of the line, 0xE9, 'é' in Windows-1252: if that is the "
                           "file's encoding, iconv -f WINDOWS-1252 -t UTF-8); re-encode the file as UTF-8"), binary)
    binary.write_bytes(b'{"text": "a\x81"}\n')  # a byte Windows-1252 leaves undefined: no guess
    expect_error(re.escape("line 1 is not valid UTF-8 (byte 12 of the line, 0x81); re-encode"), binary)
    binary_csv = tmp_path / "latin1.csv"
    binary_csv.write_bytes("text\nok\ncaf\xe9\n".encode("latin-1"))
    expect_error("line 3 is not valid UTF-8", binary_csv)
    # Excel's "Unicode text", PowerShell's > (UTF-16, with its BOM); a .json file's, read item by item, too
    utf16_text = {"excel.tsv": "text\tn\r\nok\t1\r\n", "shell.jsonl": '{"text": "ok"}\n', "lines.txt": '{"text": "ok"}\n',
                  "object.json": '{"data": [{"text": "ok"}]}', "array.json.gz": '[{"text": "ok"}]'}
    for name, text in utf16_text.items():
        utf16 = tmp_path / name
        utf16.write_bytes(gzip.compress(text.encode("utf-16")) if name.endswith(".gz") else text.encode("utf-16"))
        expect_error(r"the file is UTF-16 \(it opens with UTF-16's byte-order mark\); re-encode it as UTF-8", utf16)
    expect_error("unknown column 'body'; available columns: instruction, input, output, n",
                 good, TextSelection(text_column="body"))
    expect_error(r"unknown column 'Output' \(did you mean 'output'\? names are matched in case\); available columns: instruction,",
                 good, TextSelection(fields=("instruction", "Output")))
    expect_error(r"unknown column 'instruction, output': 2 columns are a list of names, \['instruction', 'output'\], not one",
                 good, TextSelection(fields=("instruction, output",)))  # (the Python API's fields="a,b")
    flagged = write(tmp_path, "flagged.parquet", [{"prompt": "p", "chosen": True, "rejected": False}])  # not answers
    assert load_dataset(flagged).text_source == "column 'prompt'"
    expect_error(r"--text-column or --fields from: title, n$", write(tmp_path, "plain.parquet", [{"title": "i", "n": 1}]))
    quoted = tmp_path / "quoted.tsv"  # tab-separated files have no quoting: a quote is text
    quoted.write_text('text\tlabel\n"Hi," she said\t1\n"an open quote\t2\n\'a\' b "c\t3\n')
    assert load_dataset(quoted).texts()["text"].to_list() == ['"Hi," she said', '"an open quote', "'a' b \"c"]
    ragged = tmp_path / "ragged.tsv"
    ragged.write_text("text\tlabel\na\tb\tc\n")
    expect_error("line 2 has 3 .*a field cannot hold a tab", ragged)
    ragged.write_text('text\tlabel\n"a\tb\t1\n')  # an open quote protects nothing: the file has no quoting
    expect_error("line 2 has 3 .*a field cannot hold a tab or a newline unless the file quotes it", ragged)
    tabs = tmp_path / "tabs.csv"
    tabs.write_text("text\tlabel\na b c\t1\n")
    expect_error("one column is named 'text.+label': name a tab-separated file .tsv", tabs)
    pipes = tmp_path / "pipes.csv"
    pipes.write_text("text|label\na b c|1\n")
    expect_error("one column is named 'text|label': a CSV file must separate its fields by commas, not '|'", pipes)
    empty = tmp_path / "empty.parquet"
    pl.DataFrame({"text": []}, schema={"text": pl.String}).write_parquet(empty)
    expect_error("holds no rows", empty)
    no_text = tmp_path / "no_text.parquet"
    pl.DataFrame({"a": [1]}).write_parquet(no_text)
    expect_error("no text column found", no_text)
    expect_error("a spreadsheet, which is not read; save its sheet as CSV", _touch(tmp_path / "data.xlsx"))
    expect_error("unknown format", _touch(tmp_path / "data.xml"))
    expect_error("no file matches", str(tmp_path / "nothing-*.parquet"))


def _serve_readers(pipe: Path) -> None:
    """For five seconds, write two lines to each reader that opens ``pipe``."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            descriptor = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # no reader now
            time.sleep(0.005)
            continue
        os.write(descriptor, b'{"text": "a row read from a pipe"}\n{"text": "and another row"}\n')
        os.close(descriptor)


def _touch(path):
    path.write_text("x")
    return path


@pytest.mark.parametrize("columns, selection, within", [
    (("instruction", "input", "output"), TextSelection(), True),  # found prompt, whole row read
    (("instruction", "input", "output"), TextSelection(text_column="output"), False),  # the text holds no prompt
    (("instruction", "input", "output"), TextSelection(fields=("instruction", "input")), False),  # the text is the prompt
    (("prompt", "completion"), TextSelection(), True),
    (("messages",), TextSelection(), True),  # the turns before the last answer, within all turns
    (("messages",), TextSelection(roles=("user",)), False),
    (("prompt", "messages"), TextSelection(), True),  # UltraChat: the prompt column is the chat's first turn
    (("text", "prompt"), TextSelection(), False),
    (("chosen", "rejected"), TextSelection(), True),  # HH-RLHF: the dialogue both answers follow
    (("chosen", "rejected"), TextSelection(text_column="rejected"), True),  # (both answers follow it)
])
def test_the_prompt_is_a_part_of_the_text_only_where_the_text_holds_it_and_more(tmp_path, columns, selection, within):
    chat = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    path = write(tmp_path, "d.parquet", [{name: chat if name == "messages" else name for name in columns}])
    assert load_dataset(path, selection).prompt_within_text() is within


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"), max_size=12)
                              .map(lambda cell: f"w{cell}"), min_size=2, max_size=2), min_size=1, max_size=8),
       fmt=st.sampled_from(["csv", "tsv"]))
def test_a_file_without_a_header_reads_its_first_line_as_data(tmp_path_factory, rows, fmt):
    """Each line a row, columns column_1, column_2, ...: as Python's csv module reads the file.
    (Cells start with a letter: a column of numbers reads as numbers, not text.)"""
    import csv

    assume(fmt == "csv" or not any(set(cell) & set('\t\n"') for row in rows for cell in row))  # TSV: no quoting
    path = tmp_path_factory.mktemp("headerless") / f"data.{fmt}"
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file, **({} if fmt == "csv" else {"delimiter": "\t", "quoting": csv.QUOTE_NONE, "escapechar": None})).writerows(rows)
    with path.open(newline="", encoding="utf-8") as file:
        expected = list(csv.reader(file, **({} if fmt == "csv" else {"delimiter": "\t", "quoting": csv.QUOTE_NONE})))
    dataset = load_dataset(path, TextSelection(text_column="column_2"), header=False)
    assert dataset.frame.collect_schema().names()[1:] == ["column_1", "column_2"]
    texts = dataset.texts()
    assert texts.height == len(expected)
    assert [t if s == "ok" else None for t, s in zip(texts["text"], texts["text_status"], strict=True)] == [
        row[1] if row[1].strip() else None for row in expected]


def test_no_header_is_refused_where_there_is_no_header_and_suggested_where_a_line_of_data_names_the_columns(tmp_path):
    data = tmp_path / "mmlu.csv"
    data.write_text("What is 2 + 2?,3,4,5,6,B\nWho wrote Hamlet?,Marlowe,Shakespeare,Jonson,Kyd,B\n")
    with pytest.raises(QcauditError, match="if the file's first line is data rather than column names, give --no-header"):
        load_dataset(data)
    with pytest.raises(QcauditError, match="choose one with --text-column or --fields from: column_1, column_2, ") as error:
        load_dataset(data, header=False)
    assert "--no-header" not in str(error.value)  # (said once it is given)
    assert load_dataset(data, TextSelection(text_column="column_1"), header=False).texts()["text"].to_list() == [
        "What is 2 + 2?", "Who wrote Hamlet?"]
    lines = write(tmp_path, "rows.jsonl")
    with pytest.raises(QcauditError, match=r"--no-header \(\[input\] header = false\) is for CSV and TSV files, whose first line may be data; .* is jsonl"):
        load_dataset(lines, header=False)
    with pytest.raises(QcauditError, match="no text column found") as error:
        load_dataset(write(tmp_path, "other.jsonl", [{"n": 1}, {"n": 2}]))
    assert "--no-header" not in str(error.value)


def test_a_glob_matches_what_pythons_glob_matches_where_no_folder_is_a_link(tmp_path, monkeypatch):
    """Without links the reader's glob (which enters no linked folder under ``**``) is
    Python's ``glob.glob(..., recursive=True)``: depths, hidden names, classes, ``..``."""
    import glob

    from qcaudit.readers import _glob

    monkeypatch.chdir(tmp_path)
    for name in ("g/x.jsonl", "g/a/y.jsonl", "g/a/b/z.jsonl", "g/.h/h.jsonl", "g/.dot.jsonl", "g/a/.e.jsonl",
                 "g/__p/p.jsonl", "g/round=1/q.csv", "g/a/b/c/d/w.jsonl.gz", "top.jsonl"):
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text("{}\n")
    patterns = ["g/*.jsonl", "g/**/*.jsonl", "g/**", "g/**/*", "g/.*.jsonl", "g/.*/*.jsonl", "g/*/.e.jsonl", "g/**/.e.jsonl",
                "g/[ax]*", "g/[!a]*/*", "g/a/**/*.gz", "*.jsonl", "*/x.jsonl", "g/round=*/*.csv", "g/a/../*.jsonl",
                "g/?/y.jsonl", "g/**/b/**/*.jsonl", f"{tmp_path}/g/**/*.jsonl", "g/nothing*"]
    for pattern in patterns:
        expected = [p for p in sorted(glob.glob(pattern, recursive=True)) if os.path.isfile(p)]
        assert [str(p) for p in _glob(pattern) if p.is_file()] == expected, pattern


_REASONED_TURN = st.fixed_dictionaries({
    "role": st.sampled_from(["system", "user", "assistant", "tool"]),
    "content": st.none() | st.sampled_from(["", "Seven.", "Let me see:\n7", "a b a"]),
    "reasoning": st.none() | st.sampled_from(["", "Primes below 10: 2, 3, 5, 7.", "x\ny"])})


@settings(max_examples=40, deadline=None)
@example(chats=[[{"role": "assistant", "content": "", "reasoning": "x"}]], field="blocks", inline_too=False)  # (content parts)
@example(chats=[[{"role": "user", "content": "Q", "reasoning": None}, {"role": "assistant", "content": "", "reasoning": "x"}]],
         field="blocks", inline_too=False)  # (content parts beside plain content: written as JSON)
@example(chats=[[{"role": "user", "content": "Q", "reasoning": None}, {"role": "assistant", "content": "Seven.", "reasoning": "Primes."}]],
         field="reasoning_content", inline_too=True)
@given(chats=st.lists(st.lists(_REASONED_TURN, min_size=1, max_size=5), min_size=1, max_size=6),
       field=st.sampled_from(["reasoning_content", "reasoning", "thinking", "blocks"]), inline_too=st.booleans())
def test_reasoning_in_chat_turns_reads_as_if_written_before_the_content(tmp_path_factory, chats, field, inline_too):
    """A reasoning model's chats with their reasoning in each turn's field (DeepSeek's API and
    Qwen3's ``reasoning_content``, vLLM's ``reasoning``, gpt-oss's ``thinking``) or in
    Anthropic's ``thinking`` blocks give the text, prompt and answer that the same chats give
    with the reasoning written in the content, on a line before it (as a DeepSeek-R1 answer
    holds its ``<think>``; a field's empty reasoning, or an empty block, makes no blank line, a
    block is a content part, a line as every part is; a field whose reasoning the content holds too is read once); and the load line says so (not
    where the blocks are read from content written as JSON text, beside plain content)."""
    assume(field != "blocks" or any(t["content"] is not None for chat in chats for t in chat))  # (else no text part types the blocks)
    folder = tmp_path_factory.mktemp("reasoned")

    def with_reasoning(turn):
        if field != "blocks":  # (inline_too: an export that kept the reasoning inline in the content as well, read once)
            content = inline(turn)["content"] if inline_too and turn["reasoning"] else turn["content"]
            return {"role": turn["role"], "content": content, **({field: turn["reasoning"]} if turn["reasoning"] is not None else {})}
        if turn["role"] == "user" and turn["reasoning"] is None:  # (Anthropic's plain content: then every content reads as text)
            return {"role": "user", "content": turn["content"]}
        blocks = [{"type": "thinking", "thinking": turn["reasoning"], "signature": "s"}] * (turn["reasoning"] is not None)
        blocks += [{"type": "text", "text": turn["content"]}] * (turn["content"] is not None)
        return {"role": turn["role"], "content": blocks or None}

    def inline(turn):  # (a field's reasoning, a block, is read where it says something: no blank line)
        said = [piece for piece in (turn["reasoning"], turn["content"]) if piece]
        return {"role": turn["role"], "content": "\n".join(said) if said else turn["content"]}

    reasoned, written = folder / "reasoned.jsonl", folder / "inline.jsonl"
    reasoned.write_text("".join(json.dumps({"messages": [with_reasoning(t) for t in chat]}) + "\n" for chat in chats))
    written.write_text("".join(json.dumps({"messages": [inline(t) for t in chat]}) + "\n" for chat in chats))
    def parts(dataset):  # (a part of no text at all, empty or missing: content parts give null, text "")
        return dataset.selected(parts=("prompt", "response")).collect().select(pl.col("prompt", "response").replace("", None)).rows()

    for roles in ((), ("assistant",)):
        read, expected = (load_dataset(path, TextSelection(roles=roles)) for path in (reasoned, written))
        assert read.texts()["text"].to_list() == expected.texts()["text"].to_list()
        assert parts(read) == parts(expected)
    said = load_dataset(reasoned).text_source
    holds = any(turn["reasoning"] is not None for chat in chats for turn in chat)
    if field == "blocks" and any(turn["role"] == "user" and turn["reasoning"] is None and turn["content"] is not None
                                 for chat in chats for turn in chat):
        holds = False  # (content read as text: its blocks are read, not told)
    assert ("reasoning read from the turns' " + (field if field != "blocks" else "thinking blocks")) in said if holds else "reasoning" not in said


def test_reasoning_saved_flat_beside_the_answer_reads_between_prompt_and_answer(tmp_path):
    """A reasoning model's answers saved flat: DeepSeek's API message fields beside an ``input``
    (Congliu's R1 distillation: input, reasoning_content, content), a question's or a user's
    reasoning column, s1K's thinking trajectories (a list of one) and attempt beside its
    reference solution, s1K-1.1's DeepSeek-R1 trace and attempt (what s1.1 trains on) beside
    Gemini's. The text is the prompt, the reasoning, the answer; the parts are the
    prompt and the answer with its reasoning, those of the same row as a chat whose answer turn
    holds the reasoning (and, under --no-reasoning, the answer alone). Without a reasoning column a ``content`` column is still the
    row's whole text, and a reasoning model's struct field (an effort setting) is no text."""
    cases = {
        "deepseek.parquet": {"input": ["Q?"], "reasoning_content": ["Think."], "content": ["A."], "score": [9]},
        "prompted.parquet": {"prompt": ["Q?"], "reasoning_content": ["Think."], "content": ["A."]},
        "question.parquet": {"question": ["Q?"], "reasoning": ["Think."], "answer": ["A."]},
        "user.parquet": {"user": ["Q?"], "reasoning": ["Think."], "assistant": ["A."]},
        "s1k.parquet": {"solution": ["Ref."], "question": ["Q?"], "thinking_trajectories": [["Think."]], "attempt": ["A."]},
        "s1k11.parquet": {"solution": ["Ref."], "question": ["Q?"], "gemini_thinking_trajectory": ["Ponder."],
                          "gemini_attempt": ["B."], "deepseek_thinking_trajectory": ["Think."], "deepseek_attempt": ["A."]},
    }
    for name, columns in cases.items():
        dataset = load_dataset(write(tmp_path, name, columns))
        prompt, reasoning, answer = [c for c in columns if c not in ("score", "solution") and not c.startswith("gemini")]
        assert dataset.text_source == f"fields {prompt}, {reasoning}, {answer} joined by newlines", name
        assert dataset.texts()["text"].to_list() == ["Q?\nThink.\nA."], name
        parts = dataset.selected(parts=("prompt", "response")).collect().select("prompt", "response").rows()
        assert parts == [("Q?", "Think.\nA.")], name
        field = reasoning if reasoning in ("reasoning_content", "reasoning") else "reasoning_content"  # (a chat turn's names)
        chat = write(tmp_path, f"{name}.chat.jsonl", [{"messages": [{"role": "user", "content": "Q?"},
                                                                    {"role": "assistant", "content": "A.", field: "Think."}]}])
        assert load_dataset(chat).selected(parts=("prompt", "response")).collect().select("prompt", "response").rows() == parts
        unreasoned = load_dataset(dataset.sources[0], TextSelection(reasoning=False)).selected(parts=("response",)).collect()
        assert unreasoned["response"].to_list() == ["A."], name
        named = TextSelection(fields=(prompt, reasoning, answer), response=answer, reasoning=False)  # (the fields read as given)
        assert load_dataset(dataset.sources[0], named).selected(parts=("response",)).collect()["response"].to_list() == ["A."], name
    plain = load_dataset(write(tmp_path, "plain.parquet", {"input": ["Q?"], "content": ["A whole page."]}))
    assert plain.text_source == "column 'content'" and plain.texts()["text"].to_list() == ["A whole page."]
    effort = write(tmp_path, "effort.jsonl", [{"messages": [{"role": "user", "content": "Q?"},
                                                            {"role": "assistant", "content": "A.", "reasoning": {"effort": "high"}}]}])
    assert load_dataset(effort).texts()["text"].to_list() == ["Q?\nA."]


def test_a_prompt_s_answers_by_several_models_read_after_it(tmp_path):
    """A prompt found by name with no one answer beside it, but a list of its answers by
    several models (UltraFeedback's ``completions``, distilabel's ``generations``,
    natural_reasoning's ``responses``, or numbered columns, PKU-SafeRLHF's ``response_0`` and
    ``response_1``): the text is the prompt and each answer, what
    ``--fields`` naming them gives; no response column is found (several answers are no one
    response; answers ranked, as these by a field of each or the ratings beside them, are also
    read as the pair of the best and worst: test_preference.py). A list that holds no answers' text (ratings) is not read."""
    def completion(model, text):
        return {"model": model, "response": text, "annotations": {"helpfulness": {"Rating": "4"}}, "overall_score": 8.0}

    cases = {
        "ultrafeedback.jsonl": ("instruction", "completions", [completion("a", "Blue."), completion("b", "")]),
        "distilabel.jsonl": ("instruction", "generations", ["Blue.", "Red."]),
        "natural_reasoning.jsonl": ("question", "responses", [{"response_model": "Llama", "response": "Blue."}]),
        "vllm.jsonl": ("prompt", "outputs", [{"index": 0, "text": "Blue.", "token_ids": [5, 6], "finish_reason": "stop"},
                                             {"index": 1, "text": "Red.", "token_ids": [7], "finish_reason": "length"}]),
    }
    for name, (prompt, answers, listed) in cases.items():
        path = write(tmp_path, name, [{prompt: "Name a colour.", answers: listed, "ratings": [4, 2], "source": "evol"}] * 3)
        found = load_dataset(path)
        ranking = "overall_score" if answers == "completions" else "ratings"  # (a field of each answer, else the ratings beside)
        ranked = f" (pairs of the best and worst of {answers} by {ranking})"
        assert found.text_source == f"fields {prompt}, {answers} joined by newlines{ranked}", name
        by_hand = load_dataset(path, TextSelection(fields=(prompt, answers)))
        assert found.texts()["text"].to_list() == by_hand.texts()["text"].to_list(), name
        expected = "\n".join(["Name a colour."] + [a if isinstance(a, str) else a.get("response", a.get("text")) for a in listed])
        assert found.texts()["text"].to_list() == [expected.rstrip("\n")] * 3, name
        assert found.selection.response is None, name
    ratings = load_dataset(write(tmp_path, "ratings.jsonl", [{"instruction": "Name a colour.", "outputs": [4, 2]}] * 3))
    assert ratings.text_source == "column 'instruction'"
    numbered = {"prompt": "Name a colour.", "response_10": "Red.", "response_2": "Blue.", "response_1": "Green.",
                "response_1_source": "model-a", "better_response_id": 1, "Response_3": 7}  # (PKU-SafeRLHF's, and more)
    found = load_dataset(write(tmp_path, "numbered.jsonl", [numbered] * 2))
    assert found.text_source == "fields prompt, response_1, response_2, response_10 joined by newlines"
    assert found.texts()["text"].to_list() == ["Name a colour.\nGreen.\nBlue.\nRed."] * 2 and found.selection.response is None


def test_no_reasoning_reads_the_answers_without_their_reasoning(qc, tmp_path):  # noqa: F811
    """``--no-reasoning`` (``[input] reasoning = false``): a reasoning model's rows read as the
    same rows without the reasoning, however it is held: a chat turn's ``reasoning_content``
    or ``thinking``, Anthropic's thinking blocks, R1's ``<think>`` inline (or its closing tag
    alone, the opening one in the template), OpenThoughts' thought markers, a flat
    ``reasoning_content`` column, a conversation written as text (gpt-oss's ``analysis``
    turns too), a list of generations, HH-RLHF's pairs (their answers). The
    text and the answer part are the plain rows'; the load line and report.json say so."""
    questions = [f"What is {i} plus {i}?" for i in range(4)]
    answers = [f"It is {2 * i}." for i in range(4)]
    thoughts = [f"Adding {i} to {i} gives {2 * i}; check: {2 * i} minus {i} is {i}." for i in range(4)]

    def chat(question, answer, **turn):
        return {"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer, **turn}]}

    rows = list(zip(questions, answers, thoughts, strict=True))
    layouts = {
        "field.jsonl": [chat(q, a, reasoning_content=t) for q, a, t in rows],
        "thinking.jsonl": [chat(q, a, thinking=t) for q, a, t in rows],
        "blocks.jsonl": [{"messages": [{"role": "user", "content": [{"type": "text", "text": q}]},
                                       {"role": "assistant", "content": [{"type": "thinking", "thinking": t, "signature": "s"},
                                                                         {"type": "text", "text": a}]}]} for q, a, t in rows],
        "inline.jsonl": [chat(q, f"<think>\n{t}\n</think>\n\n{a}") for q, a, t in rows],
        "unopened.jsonl": [chat(q, f"{t}\n</think>\n\n{a}") for q, a, t in rows],
        "thought.jsonl": [chat(q, f"<|begin_of_thought|>\n\n{t}\n\n<|end_of_thought|>\n\n{a}") for q, a, t in rows],
        "flat.jsonl": [{"input": q, "reasoning_content": t, "content": a} for q, a, t in rows],
        "chatml.jsonl": [{"text": f"<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n<think>\n{t}\n</think>\n\n{a}<|im_end|>\n"}
                         for q, a, t in rows],
        "answer.jsonl": [{"prompt": q, "completion": f"<think>\n{t}\n</think>\n\n{a}"} for q, a, t in rows],
        "harmony.jsonl": [{"text": f"<|start|>user<|message|>{q}<|end|><|start|>assistant<|channel|>analysis<|message|>{t}<|end|>"
                                   f"<|start|>assistant<|channel|>final<|message|>{a}<|return|>"} for q, a, t in rows],
    }
    plain = [f"{q}\n{a}" for q, a in zip(questions, answers, strict=True)]
    for name, written in layouts.items():
        path = tmp_path / name
        path.write_text("".join(json.dumps(row) + "\n" for row in written))
        read = load_dataset(path, TextSelection(reasoning=False))
        assert read.texts()["text"].to_list() == plain, name
        assert read.selected(parts=("response",)).collect()["response"].to_list() == answers, name
        assert read.text_source.endswith("reasoning left out)"), (name, read.text_source)
        assert all(t in text for t, text in zip(thoughts, load_dataset(path).texts()["text"].to_list(), strict=True)), name
    hh = tmp_path / "hh.jsonl"  # Anthropic HH-RLHF's pairs: each answer after the dialogue both open with
    hh.write_text("".join(json.dumps({"chosen": f"\n\nHuman: {q}\n\nAssistant: <think>{t}</think>{a}",
                                      "rejected": f"\n\nHuman: {q}\n\nAssistant: <think>Not sure.</think>No."}) + "\n"
                          for q, a, t in rows))
    pairs = load_dataset(hh, TextSelection(reasoning=False)).selected(parts=("chosen", "rejected")).collect()
    assert pairs["chosen"].to_list() == answers and pairs["rejected"].to_list() == ["No."] * 4  # (the split: after "<think>")
    generations = tmp_path / "generations.jsonl"
    generations.write_text("".join(json.dumps({"instruction": q, "generations": [f"<think>{t}</think>{a}", f"</think>{a}"]}) + "\n"
                                   for q, a, t in rows))
    assert load_dataset(generations, TextSelection(reasoning=False)).texts()["text"].to_list() == [
        f"{q}\n{a}\n{a}" for q, a in zip(questions, answers, strict=True)]
    config = tmp_path / "qcaudit.toml"
    config.write_text("[input]\nreasoning = false\n")
    for flags in (["--no-reasoning"], ["--config", config]):
        out = tmp_path / f"out{len(flags)}"
        ran = qc("report", tmp_path / "field.jsonl", "-o", out, "--no-html", "-q", *flags)
        assert ran.code == 0, ran.err
        report = json.loads((out / "report.json").read_text())
        assert report["config"]["input"]["reasoning"] is False
        assert report["dataset"]["text_source"] == "column 'messages' (reasoning left out)"
        assert pl.read_parquet(out / "rows.parquet").height == 4
