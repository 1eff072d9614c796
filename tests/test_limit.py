"""``--limit N`` (``[input] limit``): a quick look at each input's first N rows. Each
command's result is compared with the same command run on a file holding only those rows,
and every output must say that the input holds more."""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qcaudit.cli import app
from qcaudit.errors import QcauditError
from qcaudit.io import TextSelection, load_dataset
from qcaudit.report.card import card as whole_card
from qcaudit.report.model import Report
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "instructions.parquet"
FIELDS = "instruction,input,output"


def invoke(runner, *args):
    return runner.invoke(app, [str(a) for a in args])


def unwrapped(output: str) -> str:
    """A command's output with the console's line wrapping undone."""
    return " ".join(output.split())


@pytest.fixture
def first_rows(tmp_path):
    """The sample's first 40 rows as a file of their own: what a limit of 40 should audit."""
    path = tmp_path / "first.parquet"
    pl.read_parquet(SAMPLE).head(40).write_parquet(path)
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(1, 30), limit=st.integers(1, 40), fmt=st.sampled_from(["parquet", "jsonl", "csv"]))
def test_a_limit_reads_the_first_rows_with_their_row_ids(tmp_path, rows, limit, fmt):
    path = tmp_path / f"data.{fmt}"
    frame = pl.DataFrame({"text": [f"row {i} of the input" for i in range(rows)]})
    getattr(frame, f"write_{'ndjson' if fmt == 'jsonl' else fmt}")(path)
    dataset = load_dataset(path, limit=limit)
    texts = dataset.texts()
    assert texts["text"].to_list() == frame["text"].to_list()[:limit]
    assert texts["row_id"].to_list() == list(range(min(rows, limit)))
    assert dataset.row_count() == min(rows, limit)
    assert dataset.input_rows == (rows if limit < rows else None)  # only a limit that cut the input is recorded


OBJECT_LINES = ['{"text": "a b"}', '{"text": "c"}', '{"text": null}', '{"text": "d\\ne"}', "", "   "]
STRING_LINES = ['"a string"', '"b"', "null", "", "  "]


@st.composite
def files_of_lines(draw) -> tuple[str, list[str]]:
    """A format and its lines: JSON Lines of objects or of strings (blank lines and nulls among
    them), or plain text (any of those lines, and a line of a non-JSON space)."""
    fmt = draw(st.sampled_from(["jsonl", "jsonl-texts", "txt"]))
    kinds = {"jsonl": OBJECT_LINES, "jsonl-texts": STRING_LINES, "txt": [*OBJECT_LINES, *STRING_LINES, "\u3000"]}[fmt]
    return fmt.removesuffix("-texts"), draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=30))


@settings(max_examples=80, deadline=None)
@given(file=files_of_lines(), limit=st.integers(1, 12), ending=st.sampled_from(["\n", "\r\n"]), bom=st.booleans(),
       zipped=st.booleans())
def test_a_quick_look_at_a_file_of_lines_is_its_whole_read_cut(tmp_path_factory, file, limit, ending, bom, zipped):
    """A .jsonl or .txt file read with a limit (its first rows alone checked and read, the rest
    counted) gives the rows, row ids and row count of the whole file read and then cut."""
    import gzip

    fmt, lines = file
    assume(fmt == "txt" or any(line.strip() not in ("", "null") for line in lines))  # (else refused: no rows, or every one null)
    folder = tmp_path_factory.mktemp("quick")
    data = ("\ufeff" * bom + ending.join(lines) + ending).encode()
    path = folder / f"data.{fmt}{'.gz' * zipped}"
    path.write_bytes(gzip.compress(data) if zipped else data)
    whole, quick = load_dataset(path), load_dataset(path, limit=limit)
    assert quick.texts().equals(whole.texts().head(limit))
    assert quick.row_count() == min(limit, whole.row_count())
    assert quick.input_rows == (whole.row_count() if limit < whole.row_count() else None)


#: Items of a JSON array: objects (fields that some lack, a list among them) or texts
#: (strings, nulls among them). (A column that none of the first items holds is unknown to a
#: quick look at them, as it is of a .jsonl file's first lines.)
ARRAY_OBJECTS = [{"text": "a b"}, {"text": "c", "n": 1}, {"text": None}, {"text": "d\ne"}, {"text": "é 中", "n": None},
                 {"text": "x", "turns": [{"role": "user", "content": "hi"}]}]
ARRAY_TEXTS = ["a string", "b\nc", None, "", "中文"]


@settings(max_examples=60, deadline=None)
@given(objects=st.booleans(), data=st.data(), limit=st.integers(1, 12), indent=st.sampled_from([None, 2]), bom=st.booleans(),
       zipped=st.booleans())
def test_a_quick_look_at_a_json_array_is_its_whole_read_cut(tmp_path_factory, objects, data, limit, indent, bom, zipped):
    """A .json file of one array, of objects or of texts, read with a limit (its first items
    alone checked and read, the rest counted, nothing copied) gives the rows, row ids and row
    count of the whole file read and then cut (until 2026-12-05 every item was checked and
    copied as JSON Lines first)."""
    import gzip

    items = data.draw(st.lists(st.sampled_from(ARRAY_OBJECTS if objects else ARRAY_TEXTS), min_size=1, max_size=30))
    assume(any(item is not None for item in items))  # (else refused: every item null)
    folder = tmp_path_factory.mktemp("quick")
    written = ("\ufeff" * bom + json.dumps(items, indent=indent, ensure_ascii=False)).encode()
    path = folder / f"data.json{'.gz' * zipped}"
    path.write_bytes(gzip.compress(written) if zipped else written)
    selection = TextSelection(text_column="text") if objects else TextSelection()
    try:
        whole = load_dataset(path, selection)
        whole.texts()
    except QcauditError:  # (a mix the whole read refuses, such as chats beside texts: not what is tested here)
        assume(False)
    quick = load_dataset(path, selection, limit=limit)
    assert quick.texts().equals(whole.texts().head(limit))
    assert quick.row_count() == min(limit, whole.row_count())
    assert quick.input_rows == (whole.row_count() if limit < whole.row_count() else None)


def test_a_quick_look_at_a_json_array_checks_no_further_than_its_items(tmp_path):
    """Past a JSON array's first items, an item of another kind does not stop a quick look;
    read whole, the file is refused. Invalid JSON further on still stops it: counting the
    items parses them."""
    path = tmp_path / "d.json"
    path.write_text(json.dumps([{"text": f"row {i}"} for i in range(300)] + [7]))
    dataset = load_dataset(path, limit=50)
    assert dataset.texts()["text"].to_list() == [f"row {i}" for i in range(50)]
    assert dataset.input_rows == 301
    with pytest.raises(QcauditError, match="item 301 is neither an object nor a string"):
        load_dataset(path).texts()
    path.write_text(json.dumps([{"text": f"row {i}"} for i in range(300)])[:-1] + ', {"text": }]')
    with pytest.raises(QcauditError, match="invalid JSON in item 301"):
        load_dataset(path, limit=50)

_DELIMITED_TEXTS = st.one_of(st.none(), st.sampled_from(["", "a b", 'say "hi"', "one, two", "x;y", "tab\there", "line\nbreak",
                                                          "crlf\r\nin", " ", "é ü 中"]))


@settings(max_examples=80, deadline=None)
@given(texts=st.lists(_DELIMITED_TEXTS, min_size=1, max_size=25), limit=st.integers(1, 12),
       kind=st.sampled_from(["csv", "tsv", "csv-semicolon"]), header=st.booleans(), ending=st.sampled_from(["\n", "\r\n"]),
       bom=st.booleans(), zipped=st.booleans(), alone=st.booleans())
def test_a_quick_look_at_a_csv_or_tsv_file_is_its_whole_read_cut(tmp_path_factory, texts, limit, kind, header, ending, bom,
                                                                  zipped, alone):
    """A .csv or .tsv file read with a limit (its first records alone checked and read, the rest
    counted) gives the rows, row ids and row count of the whole file read and then cut: quoted
    fields across lines, empty and missing texts (a blank line), either separator, a header
    or none; a text column alone, whose missing texts are blank lines."""
    import gzip

    # (a headerless file whose first rows are all blank lines says nothing of its columns: a quick look reads one)
    assume(header or not alone or any(text is not None for text in texts[:limit]))
    frame = pl.DataFrame({"text": texts} | ({} if alone else {"n": list(range(len(texts)))}))
    separator = {"csv": ",", "tsv": "\t", "csv-semicolon": ";"}[kind]
    written = frame.write_csv(separator=separator, include_header=header, line_terminator=ending)
    folder = tmp_path_factory.mktemp("quick")
    data = ("\ufeff" * bom + written).encode()
    path = folder / f"data.{'tsv' if kind == 'tsv' else 'csv'}{'.gz' * zipped}"
    path.write_bytes(gzip.compress(data) if zipped else data)
    column = "text" if header else "column_1"
    selection = TextSelection(text_column=column)
    try:
        whole = load_dataset(path, selection, header=header)
        whole.frame.collect()
    except QcauditError:  # (a file the whole read refuses, semicolons not told from commas: not what is tested here)
        assume(False)
    quick = load_dataset(path, selection, limit=limit, header=header)
    assert quick.frame.collect().equals(whole.frame.collect().head(limit))
    assert quick.texts().equals(whole.texts().head(limit)) and column in quick.frame.collect_schema().names()
    assert quick.row_count() == min(limit, whole.row_count())
    assert quick.input_rows == (whole.row_count() if limit < whole.row_count() else None)


def test_a_quick_look_at_a_csv_file_reads_no_further_than_its_rows(tmp_path):
    """Past a .csv file's first rows, a ragged record and a byte that is not UTF-8 do not stop a
    quick look; read whole, the file is refused."""
    lines = ["text,n", *(f"row {i} of the input,{i}" for i in range(300)), "a,ragged,record"]
    path = tmp_path / "d.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b"caf\xe9,301\n")
    dataset = load_dataset(path, limit=50)
    assert dataset.texts()["text"].to_list() == [f"row {i} of the input" for i in range(50)]
    assert dataset.input_rows == 302
    with pytest.raises(QcauditError, match="line 303 is not valid UTF-8"):
        load_dataset(path)


def test_a_quick_look_reads_no_further_than_its_rows(runner, tmp_path):
    """Past the first rows of a .jsonl file, a line that is not JSON and a value of another
    kind (which Polars would meet in the same chunk of the file) do not stop a quick look, and
    the rows are still counted; read whole, the file is refused."""
    lines = [json.dumps({"text": f"row {i} of the input", "n": i}) for i in range(500)]
    lines += [json.dumps({"text": ["a", "list"], "n": "x"}), "{not json", json.dumps({"text": "the last"})]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines) + "\n")
    dataset = load_dataset(path, limit=100)
    assert dataset.texts()["text"].to_list() == [f"row {i} of the input" for i in range(100)]
    assert dataset.input_rows == 503
    result = invoke(runner, "report", path, "--limit", 100, "--analyzers", "duplicates", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "the first 100 of 503 rows (--limit)" in unwrapped(result.output)
    assert invoke(runner, "report", path, "--analyzers", "duplicates", "--out", tmp_path / "p").exit_code == 2


def test_a_quick_look_at_a_jsonl_file_that_holds_an_array_checks_it_once(tmp_path, monkeypatch):
    from qcaudit import inputcheck, readers

    path = tmp_path / "array.jsonl"
    path.write_text(json.dumps([{"text": f"row {i}"} for i in range(10)], indent=1))
    checks = []
    monkeypatch.setattr(readers, "check_text_file", lambda *a, **k: checks.append(a) or inputcheck.check_text_file(*a, **k))
    dataset = load_dataset(path, limit=3)
    assert dataset.texts()["text"].to_list() == ["row 0", "row 1", "row 2"]
    assert dataset.input_rows == 10
    assert len(checks) == 1


def test_a_quick_look_at_hive_partitions_counts_every_file(tmp_path):
    for part, texts in (("round=1", ["one", "two", "three"]), ("round=2", ["four", "five"])):
        (tmp_path / part).mkdir()
        (tmp_path / part / "data.txt").write_text("".join(f"{text}\n" for text in texts))
    dataset = load_dataset(tmp_path, limit=2)
    assert dataset.texts(keep=("round",))[["text", "_round"]].rows() == [("one", 1), ("two", 1)]
    assert dataset.input_rows == 5


def test_report_with_a_limit_equals_the_report_of_those_rows(runner, tmp_path, first_rows):
    limited, reference = tmp_path / "limited", tmp_path / "reference"
    result = invoke(runner, "report", SAMPLE, "--fields", FIELDS, "--limit", 40, "-o", limited)
    assert result.exit_code == 0, result.output
    assert invoke(runner, "report", first_rows, "--fields", FIELDS, "-o", reference, "-q").exit_code == 0
    got, want = (json.loads((d / "report.json").read_text()) for d in (limited, reference))
    assert got["metrics"] == want["metrics"]
    assert pl.read_parquet(limited / "rows.parquet").equals(pl.read_parquet(reference / "rows.parquet"))
    whole = pl.read_parquet(SAMPLE).height
    assert got["dataset"]["rows"] == 40 and got["dataset"]["input_rows"] == whole and "input_rows" not in want["dataset"]
    assert got["config"]["input"]["limit"] == 40
    said = f"the first 40 of {whole:,} rows (--limit)"
    assert said in unwrapped(result.output)
    assert said in (limited / "report.html").read_text()
    loaded = Report.read(limited)
    assert said in loaded._repr_html_()
    assert said in whole_card(loaded)
    larger = loaded.model_copy(update={"dataset": loaded.dataset | {"input_rows": 5000}})
    assert "- 1K<n<10K" in whole_card(larger)  # the card sizes the dataset, not the quick look
    assert invoke(runner, "report", SAMPLE, "--limit", 0, "-o", tmp_path / "zero").exit_code == 2


def test_a_limit_beyond_the_input_reads_it_all(runner, tmp_path):
    out = tmp_path / "all"
    assert invoke(runner, "report", SAMPLE, "--fields", FIELDS, "--limit", 10**9, "-o", out, "-q").exit_code == 0
    dataset = json.loads((out / "report.json").read_text())["dataset"]
    assert dataset["rows"] == pl.read_parquet(SAMPLE).height and "input_rows" not in dataset
    assert "--limit" not in Report.read(out)._repr_html_()


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_dedup_with_a_limit_writes_the_first_rows_and_says_the_rest_are_in_neither_file(runner, tmp_path, suffix):
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps({"text": f"row {i % 7} says the same things", "n": i}) + "\n" for i in range(60)))
    head = tmp_path / "head.jsonl"
    head.write_text("".join(data.read_text().splitlines(keepends=True)[:25]))
    limited, reference = tmp_path / f"limited{suffix}", tmp_path / f"reference{suffix}"
    result = invoke(runner, "dedup", data, "--limit", 25, "-o", limited)
    assert result.exit_code == 0, result.output
    assert "read 25 of 60 rows; the other 35 are in neither file" in unwrapped(result.output)
    assert invoke(runner, "dedup", head, "-o", reference, "-q").exit_code == 0
    for name in ("", ".removed"):
        got, want = (p.with_name(f"{p.stem}{name}{suffix}") for p in (limited, reference))
        assert got.read_bytes() == want.read_bytes() if suffix == ".jsonl" else pl.read_parquet(got).equals(pl.read_parquet(want))
    summary = json.loads(invoke(runner, "dedup", data, "--limit", 25, "-o", limited, "--json").stdout)
    assert summary["kept"] + summary["removed"] == 25 and summary["input_rows"] == 60


def test_gate_and_sample_say_they_read_only_the_first_rows(runner, tmp_path):
    whole = pl.read_parquet(SAMPLE).height
    gate = invoke(runner, "gate", SAMPLE, "--fields", FIELDS, "--limit", 40, "-t", "max_exact_duplicate_rate=1")
    assert gate.exit_code == 0, gate.output
    assert f"the gate judged only the first 40 of {whole:,} rows (--limit)" in unwrapped(gate.output)
    full = invoke(runner, "gate", SAMPLE, "--fields", FIELDS, "-t", "max_exact_duplicate_rate=1")
    assert full.exit_code == 0 and "--limit" not in full.output
    sample = invoke(runner, "sample", SAMPLE, "--fields", FIELDS, "--limit", 40, "-o", tmp_path / "review.parquet")
    assert sample.exit_code == 0, sample.output
    assert f"from the first 40 of {whole:,} rows (--limit)" in unwrapped(sample.output)
    reviewed = pl.read_parquet(tmp_path / "review.parquet")
    assert reviewed.height > 0 and reviewed["row_id"].max() < 40


def test_drift_with_a_limit_warns_and_reads_the_first_rows_of_each_generation(runner, tmp_path):
    out = tmp_path / "drift"
    result = invoke(runner, "drift", SAMPLE, SAMPLE, "--fields", FIELDS, "--limit", 30, "-o", out)
    assert result.exit_code == 0, result.output
    whole = pl.read_parquet(SAMPLE).height
    warning = f"read only the first rows of each input, 60 of {2 * whole:,} rows"
    assert warning in unwrapped(result.output)
    report = json.loads((out / "report.json").read_text())
    assert any(warning in w for w in report["tables"]["drift"]["warnings"])
    assert [g["rows"] for g in report["tables"]["drift"]["generations"]] == [30, 30]


def test_the_python_api_takes_a_limit_for_a_table_in_memory():
    from qcaudit import audit

    table = pl.DataFrame({"text": [f"row {i % 9} of a table in memory, {i % 4}" for i in range(50)]})
    limited, reference = audit(table, limit=20), audit(table.head(20))
    assert limited.dataset["rows"] == 20 and limited.dataset["input_rows"] == 50 and "input_rows" not in reference.dataset
    assert limited.metrics == reference.metrics and limited.rows.equals(reference.rows)
