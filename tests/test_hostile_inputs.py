"""Careless and hostile input, as the README promises to meet it: bad input is one line on
stderr, exit 2, no traceback without --verbose, nothing written; good input is exit 0 with
report.json, rows.parquet and report.html. Each case asserts the exit code, the stderr line
and what the output directory holds afterwards."""

from __future__ import annotations

import bz2
import dataclasses
import datetime as dt
import gzip
import io
import json
import lzma
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import typing
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qcaudit
from qcaudit.cli import run
from tests.conftest import SAMPLES, zstd

FILES = {"report.json", "rows.parquet", "report.html"}
WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau".split()


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def qc(capsys):
    """Run the qcaudit command line in this process, as the console script does."""

    def invoke(*args) -> Ran:
        capsys.readouterr()
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return invoke


def texts(n: int, seed: int = 0) -> list[str]:
    return [" ".join(WORDS[(seed + i * 7 + k * 3) % len(WORDS)] for k in range(8 + i % 5)) + f" row {i}" for i in range(n)]


def one_line_error(ran: Ran, *needles: str) -> None:
    assert ran.code == 2, (ran.code, ran.out, ran.err)
    assert ran.err.strip().count("\n") == 0 and ran.err.startswith("error: "), ran.err
    assert "Traceback" not in ran.err
    for needle in needles:
        assert needle in ran.err, (needle, ran.err)


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def report_files(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()} if directory.exists() else set()


def no_temporaries(parent: Path) -> None:
    left = [p.name for p in parent.rglob("*") if "qcaudit-tmp" in p.name]
    assert not left, left


# 1. Every analyzer on data without its optional columns -----------------------------------

@pytest.fixture(scope="module")
def plain_data(tmp_path_factory) -> Path:
    """A dataset with nothing but a text column (no category, no label), a planted copy and
    a benchmark leak."""
    root = tmp_path_factory.mktemp("plain")
    rows = texts(60)
    rows[10] = rows[3]
    path = root / "plain.jsonl"
    write_jsonl(path, [json.dumps({"text": t}) for t in rows])
    write_jsonl(root / "bench.jsonl", [json.dumps({"question": rows[20]})])
    write_jsonl(root / "real.jsonl", [json.dumps({"text": t}) for t in texts(40, seed=3)])
    return path


def test_every_analyzer_runs_and_renders_without_optional_columns(qc, plain_data, tmp_path):
    from tests.tiny_lms import TOKENIZER

    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast.from_pretrained(TOKENIZER)
    GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), n_positions=64, n_embd=16, n_layer=1, n_head=2)).save_pretrained(tmp_path / "lm")
    tokenizer.save_pretrained(tmp_path / "lm")
    root = plain_data.parent
    bench = ["--benchmark", f"toy={root / 'bench.jsonl'}"]
    runs = {
        "diversity": ["--analyzers", "diversity"],
        "duplicates": ["--analyzers", "duplicates"],
        "embeddings": ["--analyzers", "diversity,duplicates,embeddings"],  # the README's example
        "reference": ["--reference", root / "real.jsonl"],
        "contamination": ["--analyzers", "contamination", *bench],
        "watermark": ["--analyzers", "watermark", "--watermark-tokenizer", TOKENIZER],
        "detectors": ["--analyzers", "detectors", "--detectors", "likelihood,entropy", "--scoring-model", tmp_path / "lm"],
    }
    for name, args in runs.items():
        out = tmp_path / name
        ran = qc("report", plain_data, "--out", out, *args)
        assert ran.code == 0, (name, ran.err)
        assert report_files(out) == FILES, name
        report = json.loads((out / "report.json").read_text())
        expected = {"reference": "embeddings"}.get(name, name)
        assert expected in report["metrics"], name
        assert "Balance by category" not in (out / "report.html").read_text()


def test_every_dashboard_page_renders_reports_without_optional_columns(qc, plain_data, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.test_dashboard import APP, ENV

    out = tmp_path / "r"
    assert qc("report", plain_data, "--out", out, "--analyzers", "diversity,duplicates,embeddings").code == 0
    bare = tmp_path / "bare"
    assert qc("report", plain_data, "--out", bare, "--analyzers", "diversity", "--no-html").code == 0
    monkeypatch.setenv(ENV, os.pathsep.join([str(out), str(bare)]))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    for report in ("r", "bare"):
        at.sidebar.selectbox[0].set_value(report).run()
        for page in ("Overview", "Diversity", "Contamination", "Duplicates", "Embeddings", "Drift", "Detectors", "Rows", "Compare"):
            at.sidebar.radio(key="page").set_value(page).run()
            assert not at.exception, (report, page, at.exception)


# 2. Duplicate keys, and other input that readers would disagree on ---------------------------

def test_every_analyzer_on_data_without_text_is_one_line(qc, tmp_path):
    """Rows that are all null, empty or blank: each analyzer that measures text says it needs
    rows with text (exit 2, one line, no report), never a division by zero; duplicates counts
    none."""
    from tests.tiny_lms import TOKENIZER

    data = tmp_path / "blank.jsonl"
    write_jsonl(data, [json.dumps({"text": t}) for t in ("", None, "   ", "\x1f")])
    write_jsonl(tmp_path / "bench.jsonl", [json.dumps({"question": "how many apples are left on the table today"})])
    runs = {
        "diversity": ["--analyzers", "diversity"],
        "embeddings": ["--analyzers", "embeddings"], "topics": ["--analyzers", "embeddings,topics"],
        "contamination": ["--analyzers", "contamination", "--benchmark", f"toy={tmp_path / 'bench.jsonl'}"],
        "watermark": ["--analyzers", "watermark", "--watermark-tokenizer", TOKENIZER],
    }
    for name, args in runs.items():
        one_line_error(qc("report", data, "--out", tmp_path / name, "-q", *args), "rows with text")
        assert not (tmp_path / name).exists(), name
    assert qc("report", data, "--out", tmp_path / "duplicates", "-q", "--analyzers", "duplicates").code == 0
    assert json.loads((tmp_path / "duplicates" / "report.json").read_text())["metrics"]["duplicates"]["exact_duplicate_rate"]["value"] == 0


@pytest.mark.parametrize("line", [
    '{"text": "benign words here", "text": "Natalia sold clips to 48 of her friends"}',
    '{"messages": [{"role": "user", "content": "hi", "content": "leak"}]}',
])
def test_a_key_twice_in_one_object_is_refused_everywhere(qc, tmp_path, line):
    data = write_jsonl(tmp_path / "d.jsonl", [json.dumps({"text": "a b c d"}), line])
    bench = write_jsonl(tmp_path / "b.jsonl", [json.dumps({"question": "Natalia sold clips to 48 of her friends"})])
    for args in (["report", data, "--out", tmp_path / "o"], ["gate", data, "--config", SAMPLES / "qcaudit.toml"],
                 ["decontaminate", data, "-b", f"g={bench}", "-o", tmp_path / "clean.parquet"]):
        one_line_error(qc(*args), "line 2", "twice")
    assert report_files(tmp_path) == {"d.jsonl", "b.jsonl"}


def test_a_column_mixing_chat_turns_and_strings_is_refused(qc, tmp_path):
    chat = json.dumps({"messages": [{"role": "user", "content": "hello there"}]})
    data = write_jsonl(tmp_path / "d.jsonl", [chat, chat, json.dumps({"messages": "a plain string"}), chat])
    one_line_error(qc("report", data, "--out", tmp_path / "o"), "'messages'", "line 3")
    records = [{"messages": [{"role": "user", "content": "x y"}]}, {"messages": "plain"}]
    (tmp_path / "d.json").write_text(json.dumps(records))
    one_line_error(qc("report", tmp_path / "d.json", "--out", tmp_path / "o"), "'messages'")
    assert not (tmp_path / "o").exists()


def test_ragged_and_ambiguous_csv_is_refused(qc, tmp_path):
    (tmp_path / "r.csv").write_text("id,text\n1,hello world\n2,foo,bar,baz\n3,x y\n")
    one_line_error(qc("report", tmp_path / "r.csv", "--out", tmp_path / "o"), "line 3 has 4")
    (tmp_path / "r.csv.gz").write_bytes(gzip.compress(b"id,text\n1,hello world\n2,foo,bar,baz\n"))
    one_line_error(qc("report", tmp_path / "r.csv.gz", "--out", tmp_path / "o"), "line 3 has 4")
    (tmp_path / "h.csv").write_text("text,text\na b,c d\ne f,g h\n")
    one_line_error(qc("report", tmp_path / "h.csv", "--out", tmp_path / "o"), "'text' twice")
    (tmp_path / "open.csv").write_text('id,text\n1,hello world\n2,"a quote that\nnever closes\n3,x y\n')
    one_line_error(qc("report", tmp_path / "open.csv", "--out", tmp_path / "o"), "line 3 opens a quoted field that never closes")
    (tmp_path / "after.csv").write_text('id,text\n1,hello world\n2,"Hi," she said\n')  # (Polars: "could not parse")
    one_line_error(qc("report", tmp_path / "after.csv", "--out", tmp_path / "o"),
                   "line 3: a quoted field goes on after its closing quote")
    (tmp_path / "ml.csv").write_text('id,text\n1,"multi\nline"\n2,a,b\n')
    one_line_error(qc("report", tmp_path / "ml.csv", "--out", tmp_path / "o"), "line 4 has 3")
    (tmp_path / "ok.csv").write_text('id,text\n1,"a, quoted, field"\n2,"multi\nline"\n3,"a ""b"" c"\n4,say "hi" twice\n')
    ran = qc("report", tmp_path / "ok.csv", "--out", tmp_path / "o", "--analyzers", "duplicates", "--json")
    assert ran.code == 0, ran.err
    assert not (tmp_path / "o" / "report.html").exists() or report_files(tmp_path / "o") == FILES


def test_a_file_name_that_is_not_utf8_is_one_line(qc, tmp_path, two_inputs):
    """A Linux file name may hold bytes that are not UTF-8 (a file copied from an old Latin-1
    system); Python keeps them as lone surrogates, which Polars cannot be given: the run
    ended in an internal error (exit 3, a TypeError) reading such an input, or writing such
    an output."""
    folder = tmp_path / "data"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9.parquet")
    shutil.copy(two_inputs[0], folder / name)
    for named in (folder / name, folder, folder / "*.parquet"):
        one_line_error(qc("report", named, "--out", tmp_path / "o"), "caf\\xe9.parquet: the file's name is not UTF-8; rename it")
    one_line_error(qc("report", two_inputs[0], "-b", f"b={folder / name}", "--out", tmp_path / "o"), "benchmarks.b.path")
    for command, option, output in (("report", "--out", "out\udce9"), ("dedup", "--output", "d\udce9.parquet"),
                                    ("sample", "--output", "s\udce9.csv")):
        one_line_error(qc(command, two_inputs[0], option, tmp_path / output), f"{option} ", "\\xe9", "the name is not UTF-8")
    assert not (tmp_path / "o").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_an_output_that_is_a_device_or_a_pipe_is_written_into_not_replaced(qc, tmp_path, two_inputs):
    """``--junit /dev/stdout`` (CI logs), or an output linked to /dev/null: the file was written
    beside its target and renamed onto it, which replaced the node itself; as root, in a
    container, /dev/stdout became a regular file for every process after. Now the bytes go
    into the device or pipe, and the node stays what it was."""
    import stat
    import threading

    audit = tmp_path / "audit"
    assert qc("report", two_inputs[0], "--out", audit, "-q").code == 0
    for name, command in (("junit.xml", ("gate", "--report", audit, "-t", "max_exact_duplicate_rate=1", "--junit")),
                          ("README.md", ("card", audit, "-o"))):
        link = tmp_path / name
        link.symlink_to(os.devnull)
        assert qc(*command, link).code == 0
        assert link.is_symlink() and os.readlink(link) == os.devnull and stat.S_ISCHR(os.stat(os.devnull).st_mode)
        link.unlink()
    fifo = tmp_path / "junit.xml"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert qc("gate", "--report", audit, "-t", "max_exact_duplicate_rate=1", "--junit", fifo).code == 0
    reader.join(timeout=30)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and received, "the pipe was replaced, or nothing was written into it"
    assert ET.fromstring(received[0]).find("testsuite").get("tests") == "1"


def test_an_output_linked_to_a_file_writes_that_file_and_keeps_the_link(qc, tmp_path, two_inputs):
    """A README.md linked into a repository's docs, a filter's output linked into a store:
    the rename of an atomic write replaced the link with a file of its own, and the linked
    file kept its old content."""
    audit = tmp_path / "audit"
    assert qc("report", two_inputs[0], "--out", audit, "-q").code == 0
    docs, store = tmp_path / "docs", tmp_path / "store"
    docs.mkdir()
    store.mkdir()
    (docs / "README.md").write_text("# Our data\n\nIntro.\n")
    (tmp_path / "README.md").symlink_to(docs / "README.md")
    (store / "kept.jsonl").write_text("old\n")
    (tmp_path / "kept.jsonl").symlink_to(store / "kept.jsonl")
    assert qc("card", audit, "-o", tmp_path / "README.md", "-q").code == 0
    assert qc("dedup", two_inputs[0], "-o", tmp_path / "kept.jsonl", "-q").code == 0
    assert (tmp_path / "README.md").is_symlink() and (tmp_path / "kept.jsonl").is_symlink()
    card = (docs / "README.md").read_text()
    assert "# Our data\n\nIntro.\n" in card and "<!-- qcaudit:start -->" in card
    assert qc("dedup", two_inputs[0], "-o", tmp_path / "plain.jsonl", "-q").code == 0
    assert (store / "kept.jsonl").read_text() == (tmp_path / "plain.jsonl").read_text() != "old\n"
    no_temporaries(tmp_path)


def test_a_name_too_long_for_the_file_system_is_named_as_a_shell_names_it(qc, tmp_path, two_inputs):
    """A name longer than the file system allows (255 bytes a part) was one line, but
    ``[Errno 36] File name too long: '....parquet/report.json'``: a path the user never gave,
    the probe for a report inside the input."""
    import errno

    long = tmp_path / ("a" * 300 + ".parquet")
    says = f"{long}: {os.strerror(errno.ENAMETOOLONG)}"
    for ran in (qc("report", long, "--out", tmp_path / "o"), qc("show", long),
                qc("report", two_inputs[0], "-b", f"b={long}", "--out", tmp_path / "o")):
        one_line_error(ran, says)
        assert ran.err.rstrip().endswith(says) and "[Errno" not in ran.err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["show", "card", "dashboard", "gate"])
def test_data_given_as_a_report_says_what_to_give(qc, tmp_path, two_inputs, command):
    """A dataset, a report's other files or some other file, where a report is read."""
    extra = {"card": ["--output", tmp_path / "card.md"], "gate": ["-t", "max_exact_duplicate_rate=1"]}.get(command, [])
    report_flag = ["--report"] if command == "gate" else []
    data = tmp_path / "data.jsonl"
    data.write_text('{"text": "a row"}\n{"text": "another"}\n')
    for dataset in (two_inputs[0], data):
        one_line_error(qc(command, *report_flag, dataset, *extra),
                       f"{dataset} is a dataset, not a report: audit it first ('qcaudit report {dataset} --out DIR'), then give DIR")
    audit = tmp_path / "audit"
    assert qc("report", two_inputs[0], "--out", audit, "-q").code == 0
    for name in ("rows.parquet", "report.html"):
        one_line_error(qc(command, *report_flag, audit / name, *extra),
                       f"{audit / name} is one of a report's files; give its directory ({audit}) or its report.json")
    notes = tmp_path / "notes.md"
    notes.write_text("# not JSON\n")
    cut = tmp_path / "cut" / "report.json"  # a report.json cut short is a broken report, not a dataset
    cut.parent.mkdir()
    cut.write_text((audit / "report.json").read_text()[:200])
    for broken in (notes, cut):
        one_line_error(qc(command, *report_flag, broken, *extra), "is not a readable report", "give the directory 'qcaudit report --out' wrote")
    if command != "dashboard":  # (which would serve it)
        assert qc(command, *report_flag, audit / "report.json", *extra).code in (0, 1)  # the report itself is read


@pytest.mark.parametrize("command", ["report", "gate", "sample", "dedup", "decontaminate", "drift"])
def test_a_report_directory_given_as_data_says_what_to_give(qc, tmp_path, two_inputs, command):
    audit = tmp_path / "audit"
    assert qc("report", two_inputs[0], "--out", audit, "-q").code == 0
    options = {"report": ["--out", tmp_path / "o"], "gate": [], "sample": ["--out", tmp_path / "r.csv"],
               "dedup": ["--output", tmp_path / "d.jsonl"], "drift": [audit, "--out", tmp_path / "o"],
               "decontaminate": ["--output", tmp_path / "d.jsonl", "-b", f"b={two_inputs[1]}"]}[command]
    one_line_error(qc(command, audit, *options),
                   f"{audit} is a report 'qcaudit report --out' wrote, not a dataset; give the data it audited")


def test_a_text_that_begins_as_a_parquet_file_does_is_read_as_text(qc, tmp_path):
    """A parquet (or Arrow) file named as text is told by its first bytes and its last: a
    corpus whose first line opens with "PAR1" is read as the text it is."""
    (tmp_path / "corpus.txt").write_text("PAR1 is the name of the first part\nand this the second line\n")
    ran = qc("report", tmp_path / "corpus.txt", "-o", tmp_path / "out", "--analyzers", "diversity", "-q")
    assert ran.code == 0, ran.err
    assert json.loads((tmp_path / "out" / "report.json").read_text())["dataset"]["rows"] == 2


@pytest.mark.parametrize("name,content,needle", [
    ("empty.jsonl", b"", "holds no rows"),
    ("blank.jsonl", b"\n\n  \n", "holds no rows"),
    ("empty.csv", b"", "holds no rows"),
    ("header.csv", b"text\n", "holds no rows"),
    ("empty.json", b"[]", "holds no rows"),
    ("array.jsonl", b'[1, 2]\n', "not a JSON object"),
    ("latin1.jsonl", '{"text": "caf\xe9"}\n'.encode("latin-1"), "line 1 is not valid UTF-8"),
    ("truncated.jsonl", b'{"text": "a b"}\n{"text": "c', "line 2"),
    ("fake.jsonl.gz", b'{"text": "not gzip at all"}\n', ("fake.jsonl.gz is not gzip-compressed, as its name says: it begins as text; "
                                                      "name it fake.jsonl")),
    ("cut.jsonl.gz", gzip.compress(b'{"text": "a b c"}\n' * 50)[:40], "gzip"),
    ("fake.jsonl.zst", b'{"text": "not zstd at all"}\n', "fake.jsonl.zst is not zstd-compressed, as its name says: it begins as text"),
    ("cut.jsonl.zst", zstd(b'{"text": "a b c"}\n' * 50, frames=2)[:-5], "not a complete zstd file (the file ends inside a frame"),
    ("pile.parquet.zst", b"PAR1", "a compressed parquet file is not read (parquet compresses its own columns); decompress it first (unzstd -k)"),
    ("fake.jsonl.bz2", b'{"text": "not bzip2 at all"}\n', "fake.jsonl.bz2 is not bzip2-compressed, as its name says: it begins as text"),
    ("noise.jsonl.bz2", b"BZh9\x00\xff\x00 not a block", ("noise.jsonl.bz2 is not bzip2-compressed, as its name "
                                                    "says (a damaged file, or another kind of file)")),
    ("cut.jsonl.bz2", bz2.compress(b'{"text": "a b c"}\n' * 50)[:-8], "not a complete bzip2 file"),
    ("fake.jsonl.xz", b'{"text": "not xz at all"}\n', "fake.jsonl.xz is not xz-compressed, as its name says: it begins as text"),
    # a file whose first bytes say it is other than its name says (the lines before: not UTF-8, a damaged gzip file, ...)
    ("zipped.jsonl", gzip.compress(b'{"text": "a b"}\n'), ("zipped.jsonl is gzip-compressed, which its name does not "
                                                              "say: name it zipped.jsonl.gz")),
    ("packed.csv", zstd(b"text\na b\n"), "packed.csv is zstd-compressed, which its name does not say: name it packed.csv.zst"),
    ("other.jsonl.xz", bz2.compress(b'{"text": "a b"}\n'), ("other.jsonl.xz is bzip2-compressed, not xz as its "
                                                            "name says: name it other.jsonl.bz2")),
    ("table.jsonl.gz", b"PAR1\x15\x04\x00PAR1", "table.jsonl.gz is a parquet file, not jsonl: name it table.parquet"),
    ("book.csv", b"PK\x03\x04\x14\x00", "book.csv is a zip archive (as an Excel workbook is), not csv: unzip it, or save the sheet"),
    ("empty.parquet", b"", "empty.parquet is empty (0 bytes), not a parquet file"),  # (it "begins as text")
    ("empty.arrow", b"", "empty.arrow is empty (0 bytes), not an Arrow file"),  # (it was "Invalid argument (os error 22)")
    ("comma.parquet", b"text,score\na b,1\n", ("comma.parquet is not a parquet file: it begins as text (a CSV "
                                                   "or JSON file named .parquet?)")),
    ("cut.csv.xz", lzma.compress(b"text\n" + b"a b c\n" * 50)[:-8], "not a complete xz file"),
    ("deep.jsonl", ('{"text": "a", "x": ' + "[" * 50_000 + "]" * 50_000 + "}\n").encode(), "nested too deeply"),
    ("scalar.json", b'"just a string"', "array of objects"),
    ("splits.json", b'{"version": "1.1", "train": [{"text": "a b"}], "test": [{"text": "c d"}]}',
     "it holds records under several keys ('train', 'test')"),
    ("lines.json", b'{"text": "a b"}\n{"text": oops}\n', "invalid JSON on line 2"),  # read as the JSON Lines it holds
    ("space.jsonl", '{"text": "a b"}\n\u3000\n'.encode(), "invalid JSON on line 2"),  # Polars said "InternalError(TapeError)"
    ("bad.parquet", b"PAR1 this is not parquet", "cannot read"),
    *((name, b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a2146\nsize 12345\n",
       f"{name} is a Git LFS pointer, not the data: the repository was cloned without its large files")
      for name in ("lfs.parquet", "lfs.jsonl", "lfs.csv.gz", "lfs.arrow")),  # "out of specification", "invalid JSON", "gzip"
    *((name, b"\n<!DOCTYPE html>\n<html><head><title>train.jsonl</title></head></html>\n",
       f"{name} is a web page, not the data: download the file itself (on the Hugging Face Hub its .../resolve/main/...")
      for name in ("page.parquet", "page.jsonl", "page.csv")),  # the same, and a CSV column named "<!DOCTYPE html>"
    ("nan.jsonl", b'{"text": "a b", "score": 0.5}\n{"text": "c d", "score": NaN}\n',
     "line 2 holds NaN, which is not JSON (Python's json.dumps writes it"),  # Polars said "InternalError(TapeError)"
    ("inf.json", b'[{"text": "a b", "score": -Infinity}]', "item 1 holds -Infinity, which is not JSON"),
    ("bigint.jsonl", b'{"text": "a b", "n": 1}\n{"text": "c d", "n": 170141183460469231731687303715884105728}\n',
     "line 2 holds an integer of 39 digits, more than a 128-bit integer holds"),  # Polars said "cannot parse ... (u128"
    ("hugeint.json", b'[{"text": "a b", "n": 1' + b"0" * 5000 + b'}]',  # an internal error: Python's int() stops at 4,300 digits
     "item 1 holds an integer of 5,001 digits, more than a 128-bit integer holds"),
    # a JSON array is read item by item: its errors name the item, or the byte that is not UTF-8
    ("twice.json", b'[{"text": "a b"},\n {"text": "c d", "text": "e"}]', "item 2 has the key 'text' twice in one object"),
    ("nocomma.json", b'[{"text": "a b"}\n {"text": "c d"}]', "invalid JSON after item 1: expecting ',' or ']' but found '{'"),
    ("cutarray.json", b'[{"text": "a b"}, {"text": "c d', "invalid JSON in item 2: Unterminated string"),
    ("unclosed.json", b'[{"text": "a b"}, {"text": "c d"}', "invalid JSON after item 2: expecting ',' or ']' but found the end of the file"),
    ("after.json", b'[{"text": "a b"}] {"text": "c d"}', "invalid JSON after the array's end"),
    ("number.json", b'[{"text": "a b"}, 7]', "item 2 is neither an object nor a string"),
    ("nullitem.json", b'[{"text": "a b"}, null]', "some of its items are null"),
    ("latin1.json", '[{"text": "a b"}, {"text": "caf\xe9"}]'.encode("latin-1"), "byte 32 of its text is not valid UTF-8 (0xE9"),
    ("nested.jsonl", b'{"text": "a b", "meta": {"ids": [1, 2]}}\n{"text": "c d", "meta": {"ids": [[3], 4]}}\n',
     "meta.ids[] holds text or numbers (line 1) and lists (line 2); a column needs one kind of value in each place"),
    ("nested.json", b'[{"text": "a b", "meta": {"ids": [1, 2]}}, {"text": "c d", "meta": {"ids": [[3], 4]}}]',
     "meta.ids[] holds text or numbers (item 1) and lists (item 2)"),  # Polars said "failed to determine supertype"
])
def test_broken_files_are_one_line_errors(qc, tmp_path, name, content, needle):
    (tmp_path / name).write_bytes(content)
    one_line_error(qc("report", tmp_path / name, "--out", tmp_path / "o"), needle)
    assert not (tmp_path / "o").exists()


def test_a_text_file_of_web_pages_is_data(qc, tmp_path):
    """A .txt file holds a row a line, and a crawl's lines may be whole web pages."""
    (tmp_path / "crawl.txt").write_text("<!DOCTYPE html><html><body>page one</body></html>\n<html><body>two</body></html>\n")
    assert qc("report", tmp_path / "crawl.txt", "--out", tmp_path / "o", "-q").code == 0


def test_bom_symlinks_huge_rows_and_mixed_scalars(qc, tmp_path):
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps({"text": t}) + "\n" for t in texts(5)).encode())
    ran = qc("report", bom, "--out", tmp_path / "o1", "--json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["dataset"]["text_rows"]["ok"] == 5
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    one_line_error(qc("report", tmp_path / "loop", "--out", tmp_path / "o2"), "symbolic link")
    shards = tmp_path / "shards"
    shards.mkdir()
    write_jsonl(shards / "a.jsonl", [json.dumps({"text": t}) for t in texts(5)])
    (shards / "again").symlink_to(shards)  # a directory loop is not followed forever
    assert qc("report", shards, "--out", tmp_path / "o3", "-q").code == 0
    huge = " ".join(WORDS) * 40_000  # one 4 MB row
    write_jsonl(tmp_path / "huge.jsonl", [json.dumps({"text": huge}), json.dumps({"text": "short row here"})])
    assert qc("report", tmp_path / "huge.jsonl", "--out", tmp_path / "o4", "-q").code == 0
    write_jsonl(tmp_path / "mixed.jsonl", [json.dumps({"text": "words words"}), json.dumps({"text": 42}), json.dumps({"text": None})])
    ran = qc("report", tmp_path / "mixed.jsonl", "--out", tmp_path / "o5", "--json")
    assert ran.code == 0, ran.err  # numbers and strings in one column: audited as text, as the README says
    assert report_files(tmp_path / "o5") == FILES


def test_each_file_is_read_once_whatever_links_name_it_and_a_broken_link_is_refused(qc, tmp_path):
    """A folder read whole and by a ``**`` glob gives the same rows: a link to a shard, a
    linked folder (``latest -> v3``) and a link that loops name files read already (the
    glob read a looping link's file 41 times, the folder a linked shard twice); a link that
    reaches nothing (a Hugging Face snapshot copied without its blobs) is one line, where it
    was passed over and the rest audited."""
    data, rows = tmp_path / "data", texts(10)
    (data / "v3").mkdir(parents=True)
    write_jsonl(data / "v3" / "a.jsonl", [json.dumps({"text": t}) for t in rows[:5]])
    write_jsonl(data / "v3" / "b.jsonl", [json.dumps({"text": t}) for t in rows[5:]])
    (data / "v3" / "same.jsonl").symlink_to("a.jsonl")
    (data / "v3" / "again").symlink_to(".")  # (a loop; two through data/ would make 2**40 paths for Python's glob)
    (data / "latest").symlink_to("v3")
    v3, latest = data / "v3", data / "latest"
    said = {data: f"{v3 / 'same.jsonl'} is the file {v3 / 'a.jsonl'} (a symbolic link); each file is read once",
            f"{data}/**/*.jsonl": "",  # (** enters no linked folder, as a folder is searched; the link to a.jsonl was said above)
            f"{data}/*/*.jsonl": f"{latest / 'same.jsonl'} is the file {latest / 'a.jsonl'} (a symbolic link) "
                                 "(and 3 more names of files read already); each file is read once"}
    for data_given, warning in said.items():
        ran = qc("report", data_given, "--analyzers", "duplicates", "--out", tmp_path / "o", "--json")
        assert ran.code == 0, ran.err
        assert json.loads(ran.out)["dataset"]["rows"] == 10, json.loads(ran.out)["dataset"]["sources"]
        assert json.loads(ran.out)["metrics"]["duplicates"]["exact_duplicate_rate"]["value"] == 0
        assert f"warning: {warning}\n" in ran.err if warning else "warning" not in ran.err, ran.err
    (data / "v3" / "gone.jsonl").symlink_to("nowhere.jsonl")
    for data_given in (data, f"{data}/v3/*.jsonl"):
        one_line_error(qc("report", data_given, "--out", tmp_path / "o2"), f"{data / 'v3' / 'gone.jsonl'} is a broken or looping symbolic link")


def test_an_input_written_while_it_is_audited_is_refused_not_mixed(qc, tmp_path, monkeypatch):
    """The input is read more than once (counted, by each pass, again for the rows written):
    a file another process rewrote meanwhile gave a report of two versions (GSM8K train's
    metrics beside test's rows in rows.parquet) or an internal error (KeyError) where they
    did not fit. Each is one line, and nothing is written."""
    from qcaudit import filtering, pipeline
    from qcaudit.config import load_config
    from qcaudit.errors import QcauditError
    from qcaudit.io import load_dataset
    from qcaudit.pipeline import audit
    from qcaudit.report.html import write_report

    data = write_jsonl(tmp_path / "data.jsonl", [json.dumps({"text": t}) for t in texts(40)])

    def rewrite() -> None:  # (a size of its own each time: a time of change may repeat)
        write_jsonl(data, [json.dumps({"text": t}) for t in texts(len(data.read_text().splitlines()) + 1, seed=1)])

    said = f"{data} changed while it was read (written by another process): the report would mix two versions of it"
    config = load_config(None, {"analyzers": ["diversity", "duplicates"]})
    dataset = load_dataset(data)  # opened (schema, rows counted) ...
    rewrite()  # ... then written before the analyzers read it
    with pytest.raises(QcauditError, match=re.escape(said)):
        audit(dataset, config)
    analyzed = pipeline.run_analyzers

    class RowsReadAfterARewrite:
        def __init__(self, rows: pl.LazyFrame):
            self.rows = rows

        def collect(self) -> pl.DataFrame:
            rewrite()
            return self.rows.collect()

    def rows_read_later(*args, **kwargs):  # (the rows read the input once more, after the passes)
        found = analyzed(*args, **kwargs)
        return dataclasses.replace(found, rows=RowsReadAfterARewrite(found.rows))

    with monkeypatch.context() as rows_rewritten:
        rows_rewritten.setattr(pipeline, "run_analyzers", rows_read_later)
        with pytest.raises(QcauditError, match=re.escape(said)):
            audit(data, config)
    report = audit(data, config, lazy_rows=True)  # audited ...
    rewrite()  # ... then written before its rows are
    with pytest.raises(QcauditError, match=re.escape(said)):
        write_report(report, tmp_path / "audit")
    assert not (tmp_path / "audit").exists()
    audited = filtering.audit_as_configured

    def then_rewritten(*args, **kwargs):
        report = audited(*args, **kwargs)
        rewrite()
        return report

    monkeypatch.setattr(filtering, "audit_as_configured", then_rewritten)  # a filter's audit, then its outputs
    for output in ("kept.parquet", "kept.jsonl"):
        one_line_error(qc("dedup", data, "-o", tmp_path / output, "-q"), said)
    assert not list(tmp_path.glob("kept*"))
    monkeypatch.setattr(filtering, "audit_as_configured", audited)
    quick_look = audit(data, config.model_copy(update={"input": config.input.model_copy(update={"limit": 10})}), lazy_rows=True)
    with data.open("a") as appending:  # a quick look at a file a generator still appends to reads its first rows alone
        appending.write(json.dumps({"text": "one row more"}) + "\n")
    write_report(quick_look, tmp_path / "quick")
    assert pl.read_parquet(tmp_path / "quick" / "rows.parquet").height == 10
    write_jsonl(data, [json.dumps({"text": t}) for t in texts(5, seed=2)])  # (but one cut shorter has changed)
    with pytest.raises(QcauditError, match=re.escape(said)):
        write_report(quick_look, tmp_path / "quick")


def test_a_working_directory_deleted_under_the_shell_is_named(qc, tmp_path, monkeypatch):
    """A shell left in a folder that a clean-up deleted: every relative path (the default
    --out, a relative input or output) failed as "[Errno 2] No such file or directory",
    naming nothing; absolute paths still work."""
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    said = "the working directory no longer exists (deleted or moved after the shell entered it)"
    one_line_error(qc("report", SAMPLES / "instructions.parquet", "-q"), said)
    one_line_error(qc("report", "data.parquet", "-q"), said)
    one_line_error(qc("dedup", SAMPLES / "instructions.parquet", "-o", "kept.parquet", "-q"), said)
    assert qc("report", SAMPLES / "instructions.parquet", "--analyzers", "duplicates", "--out", tmp_path / "audit", "-q").code == 0


# 3. --verbose never changes the exit code ----------------------------------------------------

def test_verbose_adds_a_traceback_and_keeps_the_exit_code(tmp_path):
    missing = tmp_path / "missing.parquet"
    for args, code in ((["report", missing], 2), (["gate", SAMPLES / "instructions.parquet", "--config", SAMPLES / "qcaudit.toml"], 1)):
        quiet = subprocess.run([sys.executable, "-m", "qcaudit", *map(str, args)], capture_output=True, text=True, cwd=tmp_path)
        loud = subprocess.run([sys.executable, "-m", "qcaudit", *map(str, args), "--verbose"], capture_output=True, text=True, cwd=tmp_path)
        assert quiet.returncode == loud.returncode == code, (quiet.stderr, loud.stderr)
    assert "Traceback" in loud.stderr or code == 1
    usage = subprocess.run([sys.executable, "-m", "qcaudit", "report", "x", "--max-n", "many"], capture_output=True, text=True)
    assert usage.returncode == 2 and usage.stderr.strip().count("\n") == 0 and "--max-n" in usage.stderr


def test_a_reader_that_stops_early_ends_the_command_as_sigpipe_does(tmp_path, two_inputs):
    """``qcaudit show DIR | head``: rich and click turned the closed pipe into exit 1, which
    reads as a failed gate; it is 141 (128 + SIGPIPE), as ``yes | head``, and nothing on stderr."""
    import signal

    subprocess.run([sys.executable, "-m", "qcaudit", "report", two_inputs[0], "--out", tmp_path / "r", "-q"], check=True)
    for args in (["show", "r"], ["card", "r"], ["gate", "--report", "r", "-t", "max_exact_duplicate_rate=1"], ["cache", "info"]):
        reader_gone = subprocess.Popen([sys.executable, "-m", "qcaudit", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       cwd=tmp_path)
        reader_gone.stdout.close()
        said = reader_gone.stderr.read()
        assert reader_gone.wait() == 128 + signal.SIGPIPE and said == b"", (args, said)
    subprocess.run([sys.executable, "-m", "qcaudit", "show", "r"], capture_output=True, cwd=tmp_path, check=True)


def test_a_terminal_width_of_zero_prints_the_report_all_the_same(tmp_path, two_inputs):
    """COLUMNS=0 (a terminal that reports no size): rich printed nothing at all, exit 0."""
    ran = subprocess.run([sys.executable, "-m", "qcaudit", "report", two_inputs[0], "--out", tmp_path / "r"], capture_output=True,
                         text=True, env={**os.environ, "COLUMNS": "0", "LINES": "0"}, check=True)
    assert "diversity.distinct_2" in ran.stdout and "wrote json" in ran.stdout, ran.stdout
    assert max(map(len, ran.stdout.splitlines())) <= 80


def test_polars_told_to_use_no_threads_is_one_line_not_a_panic(tmp_path, two_inputs):
    ran = subprocess.run([sys.executable, "-m", "qcaudit", "report", two_inputs[0], "--out", tmp_path / "r"], capture_output=True,
                         text=True, env={**os.environ, "POLARS_MAX_THREADS": "0"}, check=False)
    assert ran.returncode == 2 and ran.stderr == ("error: POLARS_MAX_THREADS=0: Polars needs a thread at least; unset it, "
                                                  "or give 1 or more\n"), ran.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("bug", [RuntimeError("a bug"), pl.exceptions.PanicException("a bug")])
def test_an_internal_error_is_exit_3_with_and_without_verbose(qc, monkeypatch, tmp_path, bug):
    """A Rust panic inside Polars too (a BaseException: it ended in a traceback and exit 1)."""
    from qcaudit.analyzers import diversity

    def broken(*args, **kwargs):
        raise bug

    monkeypatch.setattr(diversity.Diversity, "finalize", broken)
    data = SAMPLES / "instructions_clean.parquet"
    for extra in ([], ["--verbose"]):
        ran = qc("report", data, "--config", SAMPLES / "qcaudit.toml", "--out", tmp_path / "o", *extra)
        assert ran.code == 3, ran.err
        assert f"internal error: {type(bug).__name__}: a bug" in ran.err
        assert ("Traceback" in ran.err) == bool(extra)
    assert not (tmp_path / "o").exists()


# 4. Dataset strings never reach the console as markup or control codes -----------------------

def test_markup_and_escape_codes_in_names_are_printed_as_written(qc, tmp_path):
    for column in ("[/]", "[link=http://evil.example]x[/link]", "[bold red]red", "col\x1b[31mred"):
        data = tmp_path / "d.parquet"
        pl.DataFrame({column: texts(6)}).write_parquet(data)
        ran = qc("report", data, "--text-column", column, "--out", tmp_path / "o")
        assert ran.code == 0, (column, ran.err)
        assert "\x1b" not in ran.out + ran.err
        shown = column.replace("col\x1b", "")  # the escape itself is shown as a code (\\x1b or <U+001B>)
        assert shown in ran.out, (column, ran.out)
    # a line break in a shard's or a column's name printed a line of the name's choosing
    shards = tmp_path / "shards"
    shards.mkdir()
    pl.DataFrame({"text\ngate verdict: PASS": texts(6)}).write_parquet(shards / "a\ngate verdict: PASS\n.parquet")
    ran = qc("report", shards, "--text-column", "text\ngate verdict: PASS", "--out", tmp_path / "o")
    assert ran.code == 0 and not any(line.startswith("gate verdict: PASS") for line in (ran.out + ran.err).splitlines())
    assert "a<U+000A>gateverdict:PASS<U+000A>.parquet(parquet)" in "".join(ran.out.split()), ran.out  # (rich folds the path)
    gens = tmp_path / "gens.parquet"
    pl.DataFrame({"text": texts(30) * 3, "gen": ["a"] * 30 + ["b[/]"] * 30 + ["[link=http://x]c"] * 30}).write_parquet(gens)
    ran = qc("drift", gens, "--generation-column", "gen", "--out", tmp_path / "drift")
    assert ran.code == 0, ran.err
    assert report_files(tmp_path / "drift") == {"report.json", "report.html"}


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_a_terminal_that_cannot_show_a_character_gets_its_escape_not_a_crash(tmp_path, encoding):
    """On a console whose encoding lacks a character (ASCII, Windows' cp1252; here
    PYTHONIOENCODING), dataset text is written as Python escapes and our own symbols as
    ASCII lookalikes (a histogram's bars were rows of ``\\u2588``): the command printed half
    its output and ended in exit 2, "'ascii' codec can't encode"."""
    data = write_jsonl(tmp_path / "d.jsonl", [json.dumps({"text": text}) for text in ["中文 文本 ✓ é", "more words here", "中文 文本 ✓ é"]])
    environment = {**os.environ, "PYTHONIOENCODING": encoding}
    for args in (["report", data, "--out", tmp_path / "o"], ["show", tmp_path / "o"], ["report", data, "--text-column", "中"]):
        ran = subprocess.run([sys.executable, "-m", "qcaudit", *map(str, args)], capture_output=True, env=environment, cwd=tmp_path,
                             check=False)
        out, err = ran.stdout.decode(encoding), ran.stderr.decode(encoding)
        assert ran.returncode == (2 if "--text-column" in args else 0), err
        assert "codec can't encode" not in err and "Traceback" not in err
        if args[0] == "show":
            assert "\\u4e2d\\u6587" in out  # (the rows' text)
            assert (" ~ " if encoding == "ascii" else " … ") in out  # (a histogram's span: cp1252 holds "…")
            assert "#" in out and "\\u2588" not in out  # (its tallest bar: cp1252 lacks "█")
    assert err.startswith("error: unknown column '") and "available columns: text" in err


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from("[]/=:\\x\x1b\u202e#*_`$^<>!()"), min_size=1, max_size=12) | st.sampled_from(["*", "^x$", "^$"]))
def test_any_column_name_is_printed_literally(qc, tmp_path, column):
    """Whatever a column is called, its text is read (a column called ``*`` read every
    column into the text, one called ``^x$`` ended in a traceback: Polars' ``pl.col`` reads
    both as patterns), its name printed without escape codes, and the filters write it
    back under its name."""
    data = tmp_path / "h.parquet"
    pl.DataFrame({column: texts(4), "other": ["9"] * 4}).write_parquet(data)
    ran = qc("report", data, "--text-column", column, "--out", tmp_path / "h", "--analyzers", "duplicates")
    assert ran.code == 0, (column, ran.err)
    assert "\x1b" not in ran.out and "\u202e" not in ran.out
    assert pl.read_parquet(tmp_path / "h" / "rows.parquet")["text"].to_list() == texts(4)
    assert qc("dedup", data, "--text-column", column, "-o", tmp_path / "kept.parquet", "-q").code == 0
    assert pl.read_parquet(tmp_path / "kept.parquet").equals(pl.read_parquet(data))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(st.sampled_from(["text", "a", "row_id", "[x]"]),
                                st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                                             lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                                             max_leaves=6), max_size=4), min_size=1, max_size=6))
def test_random_json_lines_end_in_a_report_or_one_line(qc, tmp_path, records):
    data = write_jsonl(tmp_path / "r.jsonl", [json.dumps(r) for r in records])
    out = tmp_path / "r_out"
    ran = qc("report", data, "--out", out, "--analyzers", "duplicates", "-q")
    assert ran.code in (0, 2), (records, ran.err)
    if ran.code == 2:
        one_line_error(ran)
    else:
        assert report_files(out) == FILES
    no_temporaries(tmp_path)


# 6. dedup / decontaminate never clobber data -------------------------------------------------

def test_filter_outputs_never_collide_and_keep_their_format(qc, tmp_path):
    rows = texts(12)
    rows[5] = rows[1]
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": rows, "n": list(range(12))}).write_parquet(data)
    one_line_error(qc("dedup", data, "-o", tmp_path / "x.parquet", "--removed", tmp_path / "x.parquet"), "same path")
    one_line_error(qc("dedup", data, "-o", data), "is an input")
    one_line_error(qc("dedup", data, "-o", tmp_path / "clean.txt"), ".parquet, .jsonl, .json, .csv or .tsv")
    assert report_files(tmp_path) == {"d.parquet"}
    bystander = tmp_path / "removed.parquet"
    bystander.write_bytes(b"someone else's file")
    ran = qc("dedup", data, "-o", tmp_path / "clean.jsonl")
    assert ran.code == 0, ran.err
    assert bystander.read_bytes() == b"someone else's file"
    kept = [json.loads(line) for line in (tmp_path / "clean.jsonl").read_text().splitlines()]
    assert [r["n"] for r in kept] == [n for n in range(12) if n != 5]
    removed = [json.loads(line) for line in (tmp_path / "clean.removed.jsonl").read_text().splitlines()]
    assert [(r["row_id"], r["removed_by"], r["duplicate_of"]) for r in removed] == [(5, "exact_duplicate", 1)]
    assert qc("dedup", data, "-o", tmp_path / "clean.csv").code == 0
    assert pl.read_csv(tmp_path / "clean.csv")["n"].to_list() == [n for n in range(12) if n != 5]


@pytest.mark.parametrize("source", ["d.parquet", "d.jsonl"])  # the kept rows as a table, or as the input's own records
def test_filter_outputs_named_gz_or_zst_are_compressed_so(qc, tmp_path, source):
    """``-o kept.jsonl.zst`` (``.jsonl.gz``, ``.csv.gz``, ``.csv.zst``) writes the bytes ``-o
    kept.jsonl`` writes, compressed as named (read back by the gzip module and the zstandard
    library), and the removed rows beside it as ``kept.removed.jsonl.zst``; a compressed
    parquet file is refused: parquet compresses its own columns."""
    import zstandard

    rows = texts(12)
    rows[5] = rows[1]
    frame, data = pl.DataFrame({"text": rows, "n": list(range(12))}), tmp_path / source
    frame.write_parquet(data) if source.endswith(".parquet") else frame.write_ndjson(data)
    unpack = {".gz": gzip.decompress, ".zst": lambda packed: zstandard.ZstdDecompressor().stream_reader(io.BytesIO(packed)).read(),
              ".bz2": bz2.decompress, ".xz": lzma.decompress}
    for fmt in ("jsonl", "csv"):
        assert qc("dedup", data, "-o", tmp_path / f"plain.{fmt}", "-q").code == 0
        for suffix, decompress in unpack.items():
            ran = qc("dedup", data, "-o", tmp_path / f"kept.{fmt}{suffix}", "-q")
            assert ran.code == 0, ran.err
            for kept, plain in ((f"kept.{fmt}{suffix}", f"plain.{fmt}"), (f"kept.removed.{fmt}{suffix}", f"plain.removed.{fmt}")):
                assert decompress((tmp_path / kept).read_bytes()) == (tmp_path / plain).read_bytes(), kept
    one_line_error(qc("dedup", data, "-o", tmp_path / "kept.parquet.zst"), "parquet compresses its own columns")


def test_a_csv_without_a_header_is_filtered_to_one_without_a_header(qc, tmp_path):
    """The kept rows keep the input's layout (the rows as the csv module reads them, but the
    copy); the removed rows' file names its columns, qcaudit's among them."""
    import csv

    rows = [[text, f"label {i % 3}"] for i, text in enumerate(texts(8))]
    rows.append(list(rows[2]))  # an exact copy of row 2: dropped
    data = tmp_path / "headerless.csv"
    with data.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows)
    kept = tmp_path / "kept.csv"
    ran = qc("dedup", data, "--no-header", "--text-column", "column_1", "-o", kept, "-q")
    assert ran.code == 0, ran.err
    with kept.open(newline="", encoding="utf-8") as file:
        assert list(csv.reader(file)) == rows[:-1]
    removed = pl.read_csv(tmp_path / "kept.removed.csv")
    assert removed.columns[:3] == ["row_id", "column_1", "column_2"] and removed["row_id"].to_list() == [8]
    assert qc("dedup", data, "--no-header", "--text-column", "column_1", "-o", tmp_path / "kept.parquet", "-q").code == 0
    assert pl.read_parquet(tmp_path / "kept.parquet").rows() == [tuple(row) for row in rows[:-1]]  # named column_1, ...


def test_a_json_input_filtered_to_json_lines_keeps_its_own_records(qc, tmp_path, monkeypatch):
    """dedup of JSON Lines chats where some turns carry keys others lack (tool calls, a name)
    and some content is parts beside text: the kept file is the input's own lines but the
    dropped copy (no ``"tool_calls": null`` added to every turn, no parts written as JSON
    text); the removed file holds the copy's own fields with qcaudit's row_id and why it went.
    A JSON array (re-encoded, same objects), gzip and zstd read the same way. Where the input
    changes between the audit and the writing, the run stops in one line and writes nothing."""
    chats = [{"messages": [{"role": "user", "content": text, **({"name": "ana"} if i % 3 == 0 else {})},
                           {"role": "assistant", "content": None if i % 4 == 0 else f"answer {i}",
                            **({"tool_calls": [{"id": f"c{i}", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}
                               if i % 4 == 0 else {})}]}
             for i, text in enumerate(texts(10))]
    chats[2]["messages"][0]["content"] = [{"type": "text", "text": texts(10)[2]}, {"type": "image_url", "image_url": {"url": "x.png"}}]
    chats.append(json.loads(json.dumps(chats[1])))  # an exact copy of row 1: dropped
    lines = [json.dumps(chat, separators=(",", ":")) for chat in chats]
    data = write_jsonl(tmp_path / "chats.jsonl", lines)
    (tmp_path / "chats.json").write_text(json.dumps(chats))
    (tmp_path / "chats.jsonl.gz").write_bytes(gzip.compress(data.read_bytes()))
    (tmp_path / "chats.jsonl.zst").write_bytes(zstd(data.read_bytes(), frames=2))
    for name in ("chats.jsonl", "chats.json", "chats.jsonl.gz", "chats.jsonl.zst"):
        kept, removed = tmp_path / f"{name}-kept.jsonl", tmp_path / f"{name}-kept.removed.jsonl"
        ran = qc("dedup", tmp_path / name, "-o", kept, "-q")
        assert ran.code == 0, ran.err
        if name != "chats.json":
            assert kept.read_text().splitlines() == lines[:-1]
        assert [json.loads(line) for line in kept.read_text().splitlines()] == chats[:-1]
        assert [json.loads(line) for line in removed.read_text().splitlines()] == [
            {"row_id": 10, **chats[10], "removed_by": "exact_duplicate", "duplicate_of": 1}]
    import qcaudit.filtering

    monkeypatch.setattr(qcaudit.filtering, "json_records", lambda sources: iter(lines[:-2]))  # a row gone since the audit
    one_line_error(qc("dedup", data, "-o", tmp_path / "changed.jsonl", "-q"), "changed while it was read: 11 rows audited, 9 to write")
    assert not list(tmp_path.glob("changed*")) and not list(tmp_path.glob("*qcaudit-tmp*"))


def test_a_file_of_texts_filtered_to_json_lines_keeps_its_own_lines(qc, tmp_path):
    """dedup of a JSON array of strings and of JSON Lines of strings: the kept file holds the
    kept texts as the input wrote them, the removed one each dropped text as an object with
    its row_id and why it went, as an input of objects gives them."""
    rows = texts(6) + [texts(6)[2]]
    (tmp_path / "texts.json").write_text(json.dumps(rows))
    write_jsonl(tmp_path / "texts.jsonl", [json.dumps(text) for text in rows])
    for name in ("texts.json", "texts.jsonl"):
        kept, removed = tmp_path / f"{name}-kept.jsonl", tmp_path / f"{name}-kept.removed.jsonl"
        ran = qc("dedup", tmp_path / name, "-o", kept, "-q")
        assert ran.code == 0, ran.err
        assert [json.loads(line) for line in kept.read_text().splitlines()] == rows[:-1]
        assert [json.loads(line) for line in removed.read_text().splitlines()] == [
            {"row_id": 6, "text": rows[6], "removed_by": "exact_duplicate", "duplicate_of": 2}]


# 7. An input with its own row_id ---------------------------------------------------------------

def test_an_input_row_id_column_is_kept(qc, tmp_path):
    rows = texts(8)
    rows[6] = rows[2]
    data = write_jsonl(tmp_path / "d.jsonl", [json.dumps({"row_id": f"id-{i}", "text": t}) for i, t in enumerate(rows)])
    ran = qc("report", data, "--out", tmp_path / "a", "-q")
    assert ran.code == 0, ran.err
    assert pl.read_parquet(tmp_path / "a" / "rows.parquet")["row_id"].to_list() == list(range(8))
    ran = qc("report", tmp_path / "a" / "rows.parquet", "--out", tmp_path / "b", "-q")  # qcaudit's own output
    assert ran.code == 0, ran.err
    assert qc("dedup", data, "-o", tmp_path / "clean.jsonl").code == 0
    kept = [json.loads(line) for line in (tmp_path / "clean.jsonl").read_text().splitlines()]
    assert [r["row_id"] for r in kept] == [f"id-{i}" for i in range(8) if i != 6]
    removed = pl.read_ndjson(tmp_path / "clean.removed.jsonl")
    assert removed["row_id"].to_list() == [6] and removed["input_row_id"].to_list() == ["id-6"]


# 8. Interrupted runs leave one consistent set and no temporaries ---------------------------------

def _consistent(out: Path, expect_html: bool = True) -> str | None:
    """The source a report directory's files all come from (None when there is no directory)."""
    if not out.exists():
        return None
    files = report_files(out)
    assert files == (FILES if expect_html else FILES - {"report.html"}), files
    report = json.loads((out / "report.json").read_text())
    assert pl.read_parquet(out / "rows.parquet").height == report["dataset"]["rows"]
    source = report["dataset"]["sources"][0]
    if expect_html:
        assert Path(source).name in (out / "report.html").read_text()
    return source


@pytest.fixture(scope="module")
def two_inputs(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("inputs")
    first, second = root / "first.parquet", root / "second.parquet"
    pl.DataFrame({"text": texts(300)}).write_parquet(first)
    pl.DataFrame({"text": texts(4000, seed=5)}).write_parquet(second)
    return first, second


def test_a_rerun_without_html_leaves_no_stale_page(qc, tmp_path, two_inputs):
    first, second = two_inputs
    out = tmp_path / "audit"
    assert qc("report", first, "--out", out, "-q").code == 0
    (out / "notes.txt").write_text("mine")
    assert qc("report", second, "--out", out, "--no-html", "-q").code == 0
    assert report_files(out) == {"report.json", "rows.parquet", "notes.txt"}  # a user's own file is kept
    (out / "sub").mkdir()
    one_line_error(qc("report", first, "--out", out, "-q"), "not report files")
    no_temporaries(tmp_path)


@pytest.mark.parametrize("command", ["report", "gate"])
@pytest.mark.parametrize("target", ["file", "folder holding a folder", "dangling link", "link to a folder", "inside a file",
                                    "in /proc"])
def test_an_unwritable_report_directory_is_refused_before_any_work(qc, tmp_path, two_inputs, command, target):
    out = tmp_path / "audit"
    if target == "file":
        out.write_text("mine")
    elif target == "dangling link":
        out.symlink_to(tmp_path / "nowhere")
    elif target == "link to a folder":  # (the swap would move the link away, not write where it points)
        (tmp_path / "real").mkdir()
        out.symlink_to(tmp_path / "real")
    elif target == "inside a file":
        out.write_text("mine")
        out = out / "sub" / "audit"
    elif target == "in /proc":  # nothing can be made there, even by root
        out = Path("/proc/qcaudit-audit")
    else:
        (out / "sub").mkdir(parents=True)
    ran = qc(command, two_inputs[0], "--out", out)  # not quiet: a progress line would show the audit ran
    needle = {"folder holding a folder": "not report files", "inside a file": f"cannot write {out}: {tmp_path / 'audit'} is not a directory",
              "in /proc": f"cannot write {out}: ", "dangling link": f"{out} is a symbolic link; give the directory it points to",
              "link to a folder": f"{out} is a symbolic link; give the directory it points to"}.get(target, "choose another output directory")
    one_line_error(ran, needle)
    assert ran.out == ""
    assert target == "in /proc" or (tmp_path / "audit").is_symlink() or (tmp_path / "audit").exists()
    no_temporaries(tmp_path)


@pytest.mark.parametrize("command", ["dedup", "sample"])
def test_an_output_file_that_cannot_be_written_is_refused_before_any_work(qc, tmp_path, two_inputs, command):
    """A filter's or a review sample's file under a file (a mistyped folder) or in /proc."""
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    for output, needle in ((blocker / "kept.parquet", f"{blocker} is not a directory"), (Path("/proc/kept.parquet"), "cannot write /proc/kept.parquet")):
        ran = qc(command, two_inputs[0], "-o", output)
        one_line_error(ran, needle)
        assert ran.out == ""
    assert blocker.read_text() == "x"
    no_temporaries(tmp_path)


@pytest.mark.parametrize(("values", "reason"), [
    ([1, 2, 3], "3 rows not text (numbers, structs, lists of numbers, bytes that are not UTF-8)"),
    ([[1, 2], [3]], "2 rows not text (numbers, structs, lists of numbers, bytes that are not UTF-8)"),
    ([b"\xff\xfe", b"\xc3"], "2 rows not text (numbers, structs, lists of numbers, bytes that are not UTF-8)"),
    ([None, " ", ""], "1 row missing, 2 rows empty or blank"),
])
@pytest.mark.parametrize("analyzer", ["diversity", "contamination"])
def test_no_row_with_text_says_what_the_rows_held(qc, tmp_path, values, reason, analyzer):
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": values}).write_parquet(data)
    (tmp_path / "bench.jsonl").write_text('{"question": "q", "answer": "a"}\n')
    ran = qc("report", data, "--analyzers", analyzer, "-b", f"b={tmp_path / 'bench.jsonl'}", "--methods", "ngram",
             "--out", tmp_path / "never", "-q")
    one_line_error(ran, f"in column 'text': {reason}; choose the text with --text-column or --fields")
    assert not (tmp_path / "never").exists()


def test_too_few_rows_with_text_says_what_the_others_held(qc, tmp_path):
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": ["the one row with text", None, ""]}).write_parquet(data)
    one_line_error(qc("report", data, "--out", tmp_path / "never", "-q"),
                   "needs at least 2 rows with text; found 1; in column 'text': 1 row missing, 1 row empty or blank; "
                   "choose the text with --text-column or --fields")
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("option", ["--output", "--removed"])
def test_a_directory_named_as_an_output_file_is_refused_before_any_work(qc, tmp_path, two_inputs, option):
    output, removed = tmp_path / "kept.parquet", tmp_path / "dropped.parquet"
    (output if option == "--output" else removed).mkdir()
    ran = qc("dedup", two_inputs[0], "--output", output, "--removed", removed)
    one_line_error(ran, f"{option} ", "is a directory")
    assert not any(path.is_file() for path in tmp_path.iterdir())
    no_temporaries(tmp_path)


@pytest.mark.parametrize("command", ["report", "gate", "drift"])
def test_a_report_directory_named_as_a_file_is_refused_before_any_work(qc, tmp_path, two_inputs, command):
    """``--out report.html`` made a directory of that name; a report directory named with a
    file's suffix that does not exist yet is refused, naming a directory to give instead (a
    dataset file's suffix too: ``kept.tsv`` and ``kept.jsonl.gz`` were taken as directories);
    an existing directory so named is used."""
    extra = {"report": [], "gate": ["-t", "max_exact_duplicate_rate=1"], "drift": [two_inputs[1]]}[command]
    for name, meant in (("report.html", "report"), ("audit.JSON", "audit"), ("rows.parquet", "rows"), ("kept.tsv", "kept"),
                        ("kept.jsonl.gz", "kept"), ("kept.ndjson", "kept")):
        ran = qc(command, two_inputs[0], *extra, "--out", tmp_path / name, "-q")
        one_line_error(ran, f"--out {tmp_path / name} is named as a file", f"give a directory, e.g. --out {tmp_path / meant}")
        assert not (tmp_path / name).exists()
    (tmp_path / "kept.json").mkdir()
    assert qc(command, two_inputs[0], *extra, "--out", tmp_path / "kept.json", "-q").code == 0
    assert (tmp_path / "kept.json" / "report.json").is_file()


@pytest.mark.parametrize("csv", ["--output", "--removed"])
def test_a_csv_output_that_cannot_hold_a_chat_column_is_refused_before_any_work(qc, tmp_path, csv):
    chats = write_jsonl(tmp_path / "chats.jsonl", [json.dumps({"messages": [{"role": "user", "content": f"hi {i}"}]}) for i in range(5)])
    output, removed = (tmp_path / f"kept.{'csv' if csv == '--output' else 'jsonl'}",
                       tmp_path / f"dropped.{'csv' if csv == '--removed' else 'jsonl'}")
    ran = qc("dedup", chats, "--output", output, "--removed", removed)  # not quiet: a progress line would show the audit ran
    one_line_error(ran, "CSV cannot hold column 'messages'")
    assert not output.exists() and not removed.exists()


@pytest.mark.parametrize("column", [pl.Series("blob", [b"\x00\xff", b"ab"] * 3), pl.Series("took", [dt.timedelta(seconds=1)] * 6)])
def test_an_output_that_cannot_hold_bytes_or_durations_is_refused_before_any_work(qc, tmp_path, column):
    """Polars writes neither as CSV or TSV, nor bytes as JSON: the filter ran its audit, then
    stopped in Polars' words ("datatype duration[μs] cannot be written to CSV") or, for
    bytes as JSON, in a Rust panic's traceback ("not yet implemented: Writing BinaryView")."""
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts(6)}).with_columns(column).write_parquet(data)
    as_bytes = column.dtype == pl.Binary
    refused = {"kept.csv": "CSV", "kept.tsv.gz": "TSV"} | ({"kept.jsonl": "JSON Lines", "kept.json.zst": "JSON"} if as_bytes else {})
    for name, kind in refused.items():
        ran = qc("dedup", data, "--output", tmp_path / name)  # not quiet: a progress line would show the audit ran
        one_line_error(ran, f"{name}: {kind} cannot hold column {column.name!r}",
                       "write .parquet" if as_bytes else "write .jsonl or .parquet")
        assert not (tmp_path / name).exists()
    assert qc("dedup", data, "--output", tmp_path / "kept.parquet", "-q").code == 0
    assert pl.read_parquet(tmp_path / "kept.parquet").schema[column.name] == column.dtype
    assert as_bytes or qc("dedup", data, "--output", tmp_path / "kept.jsonl", "-q").code == 0


@pytest.mark.parametrize(("options", "role"), [
    (["--detectors", "likelihood", "--scoring-model"], "scoring model"),
    (["--watermark-tokenizer"], "watermark tokenizer"),
    (["--reward-model"], "reward model"),
    (["--tokenizer"], "hf tokenizer"),
])
def test_a_model_folder_without_hugging_face_files_is_named_for_what_it_lacks(qc, tmp_path, two_inputs, options, role):
    folder = tmp_path / "downloaded"
    folder.mkdir()
    (folder / "model.gguf").write_bytes(b"GGUF")  # weights in another format, no config
    given = f"hf:{folder}" if options == ["--tokenizer"] else str(folder)
    extra = ["--prompt-fields", "text", "--response-field", "text"] if role == "reward model" else []
    ran = qc("report", two_inputs[0], *options, given, *extra, "--out", tmp_path / "never", "-q")
    one_line_error(ran, f"{role} '{folder}': the folder holds no Hugging Face config (config.json, tokenizer_config.json)")


# (SIGINT is handled as SIGTERM is, by the one handler: run with --runslow; Ctrl-C before the
# handlers are in place is tested below)
@pytest.mark.parametrize("signum", [signal.SIGTERM, pytest.param(signal.SIGINT, marks=pytest.mark.slow), signal.SIGKILL])
def test_signals_at_any_point_leave_old_or_new_set(tmp_path, two_inputs, signum):
    first, second = two_inputs
    out = tmp_path / "audit"
    subprocess.run([sys.executable, "-m", "qcaudit", "report", str(first), "--out", str(out), "-q"], check=True)
    for delay in (0.3, 1.0, 1.8, 2.6, 3.4):
        proc = subprocess.Popen([sys.executable, "-m", "qcaudit", "report", str(second), "--out", str(out), "-q"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=120)
        if proc.returncode == -signum and not stderr:  # SIGKILL, or a signal before the interpreter ran any code
            assert _consistent(out) in (str(first), str(second))
            continue
        if proc.returncode == 0:
            assert _consistent(out) == str(second)
            subprocess.run([sys.executable, "-m", "qcaudit", "report", str(first), "--out", str(out), "-q"], check=True)
            continue
        assert proc.returncode == 128 + signum, stderr
        assert stderr.strip() == f"interrupted by {signal.Signals(signum).name}", stderr
        no_temporaries(tmp_path)
        assert _consistent(out) in (str(first), str(second))
    subprocess.run([sys.executable, "-m", "qcaudit", "report", str(first), "--out", str(out), "-q"], check=True)
    no_temporaries(tmp_path)  # a killed run's leftovers go with the next write
    assert _consistent(out) == str(first)


PACKAGE_DIR = Path(qcaudit.__file__).parent  # the frames of qcaudit's own code name files in it


def test_ctrl_c_during_start_up_is_one_line(tmp_path):
    for delay in (0.05, 0.1, 0.2, 0.5):
        proc = subprocess.Popen([sys.executable, "-m", "qcaudit", "report", str(SAMPLES / "instructions.parquet"), "--out", str(tmp_path / "o")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        # done, or not yet started: before Python's own handler, or while the interpreter
        # imports its site module (about 70 ms on a slow machine) or finds and reads the code
        # of qcaudit's entry module (runpy's and the import system's frames, the editable
        # install's finder among them, whose file name holds "qcaudit": in a fresh clone,
        # whose first run compiles it), before any of the package's own code runs
        before_qcaudit = "init_import_site" in stderr or ("Traceback" in stderr and f'File "{PACKAGE_DIR}' not in stderr)
        if proc.returncode == 0 or (proc.returncode == -signal.SIGINT and not stderr) or before_qcaudit:
            continue
        assert proc.returncode == 130 and stderr.strip() == "interrupted by SIGINT", (delay, proc.returncode, stderr)


# 10. File names that look like globs ---------------------------------------------------------

def test_an_existing_path_is_never_a_glob(qc, tmp_path):
    for name in ("we[ir]d*.jsonl", "a?b.csv", "[x].parquet"):
        path = tmp_path / name
        if name.endswith(".jsonl"):
            write_jsonl(path, [json.dumps({"text": t}) for t in texts(5)])
        elif name.endswith(".csv"):
            pl.DataFrame({"text": texts(5)}).write_csv(path)
        else:
            pl.DataFrame({"text": texts(5)}).write_parquet(path)
        ran = qc("report", path, "--out", tmp_path / f"o{len(name)}", "--json")
        assert ran.code == 0, (name, ran.err)
        assert json.loads(ran.out)["dataset"]["sources"] == [str(path)]
    glob_dir = tmp_path / "shards[1]"
    glob_dir.mkdir()
    pl.DataFrame({"text": texts(5)}).write_parquet(glob_dir / "p.parquet")
    assert qc("report", glob_dir, "--out", tmp_path / "og[1]", "-q").code == 0
    assert qc("gate", "--report", tmp_path / "og[1]", "--config", SAMPLES / "qcaudit.toml").code == 1


# 11. Gate values -------------------------------------------------------------------------------

@pytest.mark.parametrize(("flag", "value"), [
    *((flag, value) for flag in ("--text-column", "--response-field", "--chosen-field", "--rejected-field", "--reward-model",
                                 "--judge-model", "--label-column") for value in ("", " ")),
    *((flag, value) for flag in ("--fields", "--role", "--prompt-fields", "--methods", "--detectors") for value in ("", ",", " , ")),
])
def test_a_flag_given_empty_is_refused_not_read_as_absent(qc, tmp_path, two_inputs, flag, value):
    """A script's unset variable (--text-column "$COLUMN", --judge-model "$JUDGE") must not
    quietly audit the column found by name, or run without the judge, instead; nor may an
    empty name in the config file."""
    one_line_error(qc("report", two_inputs[0], flag, value, "--out", tmp_path / "o"),
                   f"{flag} is given empty; give it a value, or leave it out for the default")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("command", "name"), [
    (("report", "{empty}"), "DATA"), (("gate", "{empty}"), "DATA"), (("show", "{empty}"), "REPORT"), (("card", "{empty}"), "REPORT"),
    (("dedup", "{empty}", "-o", "{tmp}/kept.parquet"), "DATA"), (("sample", "{empty}", "-o", "{tmp}/review.csv"), "DATA"),
    (("drift", "{data}", "{empty}"), "GENERATIONS"), (("dashboard", "{empty}", "--host", "192.0.2.1"), "DIRS"),
])
def test_an_argument_given_empty_is_refused_by_name(qc, tmp_path, two_inputs, monkeypatch, command, name):
    """``qcaudit report "$DATA"`` with DATA unset: an empty path is the current directory to
    pathlib, so the command read the working directory as the dataset, and ``gate ""`` ended
    in an internal error."""
    monkeypatch.chdir(tmp_path)
    args = [a.format(empty="", tmp=tmp_path, data=two_inputs[0]) for a in command]
    one_line_error(qc(*args), f"error: {name} is given empty; give it a value (see 'qcaudit {command[0]} --help')")
    assert report_files(tmp_path) == set()


@pytest.mark.parametrize(("command", "message"), [
    (("report", "{data}", "--out", ""), "--out is given empty; give it a value, or leave it out for the default"),
    (("report", "{data}", "--out="), "--out is given empty; give it a value, or leave it out for the default"),
    (("report", "{data}", "-o", " "), "--out is given empty; give it a value, or leave it out for the default"),
    (("report", "{data}", "--config", ""), "--config is given empty; give it a value, or leave it out for the default"),
    (("gate", "--report", ""), "--report is given empty; give it a value, or leave it out for the default"),
    (("gate", "{data}", "-t", ""), "--threshold is given empty; give it a value, or leave it out for the default"),
    (("dedup", "{data}", "-o", ""), "--output is given empty; give it a value (see"),
    (("dedup", "{data}", "-o", "{tmp}/k.parquet", "--removed", ""), "--removed is given empty"),
    (("report", "{data}", "--analyzers", " , "), "--analyzers is given empty"),
])
def test_an_option_given_empty_is_refused_by_name(qc, tmp_path, two_inputs, monkeypatch, command, message):
    """An empty --out (or --output) was the working directory: the report's files were
    written into it, or the filters ended in an internal error."""
    monkeypatch.chdir(tmp_path)
    one_line_error(qc(*[a.format(tmp=tmp_path, data=two_inputs[0]) for a in command]), message)
    assert report_files(tmp_path) == set()


@pytest.mark.parametrize(("command", "message"), [
    (("report", "{data}", "--out", "/"), "--out / "), (("drift", "{data}", "{data}", "--out", "/"), "--out / "),
    (("dedup", "{data}", "-o", "/"), "/: name the output .parquet"), (("sample", "{data}", "-o", "/"), "/: name the output .parquet"),
    (("report", "{data}", "--out", "-"), "--out -: standard output cannot hold a report; give a directory"),
    (("gate", "{data}", "-t", "max_exact_duplicate_rate=1", "--junit", "-"), "--junit -: standard output cannot hold this output"),
])
def test_the_root_or_standard_output_as_an_output_is_one_line(qc, tmp_path, two_inputs, monkeypatch, command, message):
    """``--out /`` ended in an internal error (the root has no folder above it to probe), and
    ``--out -`` wrote a report directory named '-'."""
    monkeypatch.chdir(tmp_path)
    one_line_error(qc(*[a.format(data=two_inputs[0]) for a in command]), message)
    assert report_files(tmp_path) == set()


def test_a_card_given_standard_output_prints_it(qc, tmp_path, two_inputs, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert qc("report", two_inputs[0], "--out", tmp_path / "audit", "--no-html", "-q").code == 0
    printed = qc("card", tmp_path / "audit", "-o", "-")
    assert printed.code == 0 and printed.out == qc("card", tmp_path / "audit").out and printed.out.startswith("---\n"), printed
    assert report_files(tmp_path) == {"audit"}


def test_an_empty_extra_argument_is_named_as_empty(qc):
    one_line_error(qc("cache", "info", ""), "Got unexpected extra argument(s) (); one is empty (a script's unset variable?)")


def test_help_is_shown_whatever_else_is_given(qc):
    ran = qc("report", "", "--help")
    assert ran.code == 0 and "Usage: qcaudit report [OPTIONS] DATA" in ran.out, ran


@pytest.mark.parametrize("flag", ["--real", "--generation-column", "--source-column", "--lm"])
def test_a_drift_flag_given_empty_is_refused(qc, tmp_path, two_inputs, flag):
    one_line_error(qc("drift", *two_inputs, flag, "", "--out", tmp_path / "o"),
                   f"{flag} is given empty; give it a value, or leave it out for the default")


@pytest.mark.parametrize("setting", ['[input]\ntext_column = ""', '[input]\nfields = ["instruction", ""]', '[input]\nresponse = ""',
                                     '[contamination]\njudge_model = ""', '[reward]\nmodel = ""'])
def test_an_empty_text_setting_in_the_config_file_is_refused(qc, tmp_path, two_inputs, setting):
    (tmp_path / "qc.toml").write_text(f"{setting}\n")
    one_line_error(qc("report", two_inputs[0], "--config", tmp_path / "qc.toml", "--out", tmp_path / "o"),
                   "String should have at least 1 character")


def _settings_where(wanted: typing.Callable[[str, typing.Any], bool]) -> list[str]:
    """Every setting of the whole settings model, as ``section.key``, whose key and type
    annotation ``wanted`` takes: a setting added later is checked without editing a test."""
    from qcaudit.config import config_model

    return sorted(f"{section}.{key}" for section, field in config_model().model_fields.items()
                  if isinstance(field.annotation, type) for key, setting in field.annotation.model_fields.items()
                  if wanted(key, setting.annotation))


def _holds(annotation: typing.Any, kind: type) -> bool:
    """Whether a setting of type ``annotation`` holds one ``kind`` (optional or not; not a
    table of them)."""
    return annotation is kind or (kind in typing.get_args(annotation) and typing.get_origin(annotation) is not dict)


def _refused_setting(qc, tmp_path: Path, setting: str, value: object, needle: str) -> None:
    """``setting = value`` in a config file (``section.key``, or a dotted key in a table) is
    one line naming the setting, with ``needle`` after it."""
    section, _, key = setting.partition(".")
    (tmp_path / "q.toml").write_text(f"[{section}]\n{key} = {value}\n")
    one_line_error(qc("report", SAMPLES / "instructions_clean.parquet", "--config", tmp_path / "q.toml", "--out", tmp_path / "o"),
                   f"{setting}: {needle}")


def test_every_seed_outside_what_the_generators_take_is_bad_input(qc, tmp_path):
    """numpy refuses a negative seed, datasketch's MinHash one of 2**32 or more, faiss's k-means
    one past a C int: each failed as an internal error. The largest seed allowed runs them."""
    seeds = _settings_where(lambda key, _: key == "seed" or key.endswith("_seed"))
    assert {"sample.seed", "duplicates.seed", "embeddings.seed", "diversity.sample_seed", "contamination.seed"} <= set(seeds)
    for setting in seeds:
        _refused_setting(qc, tmp_path, setting, -1, "Input should be greater than or equal to 0")
        _refused_setting(qc, tmp_path, setting, 2**31, "Input should be less than or equal to 2147483647")
    (tmp_path / "q.toml").write_text("".join(f"[{s.split('.')[0]}]\n{s.split('.')[1]} = {2**31 - 1}\n" for s in seeds
                                             if s.split(".")[0] in ("duplicates", "embeddings", "diversity")))
    data = tmp_path / "d.parquet"
    pl.read_parquet(SAMPLES / "instructions_clean.parquet").head(60).write_parquet(data)
    ran = qc("report", data, "--config", tmp_path / "q.toml", "--analyzers", "diversity,duplicates,embeddings",
             "--out", tmp_path / "o", "-q")
    assert ran.code == 0, ran.err
    one_line_error(qc("sample", data, "-o", tmp_path / "s.csv", "--seed", "-1"), "sample.seed")


def test_no_number_setting_takes_nan_or_infinity(qc, tmp_path):
    """TOML writes nan and inf; a setting given either is refused in one line (an unbounded
    ``[watermark] z_threshold = nan`` flagged no row, silently)."""
    floats = _settings_where(lambda _, annotation: _holds(annotation, float))
    assert {"watermark.z_threshold", "reward.threshold", "duplicates.near_threshold", "sample.rate"} <= set(floats)
    for setting in [*floats, "detectors.thresholds.likelihood"]:  # the last: a table, one number a method
        for value in ("nan", "-inf"):
            _refused_setting(qc, tmp_path, setting, value, "Input should be a finite number")


def test_no_whole_number_setting_takes_more_than_64_bits(qc, tmp_path):
    """``--batch-rows 99999999999999999999`` failed inside a read (an internal error); every
    whole-number setting is refused in one line past what numpy and Polars take."""
    whole = _settings_where(lambda _, annotation: _holds(annotation, int))
    assert {"engine.batch_rows", "duplicates.num_perm", "sample.size", "diversity.sample_size"} <= set(whole)
    for setting in whole:
        _refused_setting(qc, tmp_path, setting, 2**64, "Input should be less than")
    one_line_error(qc("report", SAMPLES / "instructions_clean.parquet", "--batch-rows", str(10**20), "--out", tmp_path / "o"),
                   f"engine.batch_rows: Input should be less than or equal to {2**63 - 1}")


def test_true_or_false_is_refused_where_a_setting_is_no_switch(qc, tmp_path):
    """pydantic takes ``true`` for 1: ``[input] limit = true`` audited one row and ``[sample]
    rate = true`` sampled every row, silently. Every setting not a switch refuses both; a
    switch takes them."""
    not_switches = _settings_where(lambda _, annotation: not _holds(annotation, bool))
    assert {"input.limit", "sample.rate", "diversity.max_n", "engine.batch_rows", "embedding.device"} <= set(not_switches)
    for setting in not_switches:
        _refused_setting(qc, tmp_path, setting, "true", "give a ")
    _refused_setting(qc, tmp_path, "input.limit", "false", "give a number, not true or false")
    (tmp_path / "q.toml").write_text("[text]\nlowercase = true\n[duplicates]\nnear = false\n")
    ran = qc("report", SAMPLES / "instructions_clean.parquet", "--config", tmp_path / "q.toml", "--analyzers", "duplicates",
             "--out", tmp_path / "o", "-q")
    assert ran.code == 0, ran.err


@pytest.mark.parametrize("threshold,needle", [
    ("max_self_bleu_4 = inf", "finite"), ("min_distinct_2 = nan", "finite"),
    ("max_exact_duplicate_rate = -0.1", "[0, 1]"), ("min_distinct_2 = 1.5", "[0, 1]"),
    ("max_contaminated_rows = -1", "contaminated_rows"),
])
def test_impossible_thresholds_are_bad_input(qc, tmp_path, threshold, needle):
    config = tmp_path / "q.toml"
    config.write_text(f"[gate]\n{threshold}\n")
    one_line_error(qc("gate", SAMPLES / "instructions_clean.parquet", "--config", config), needle)


def test_a_damaged_saved_report_is_bad_input(qc, tmp_path):
    out = tmp_path / "a"
    assert qc("report", SAMPLES / "instructions_clean.parquet", "--config", SAMPLES / "qcaudit.toml", "--out", out, "-q").code == 0
    gate = tmp_path / "g.toml"
    gate.write_text("[gate]\nmax_self_bleu_4 = 0.9\n")
    ran = qc("gate", "--report", out, "--config", gate, "--json")
    assert ran.code == 0 and json.loads(ran.out)["verdict"] == "pass"
    report = json.loads((out / "report.json").read_text())
    for damaged in ("high", None, [1]):
        report["metrics"]["diversity"]["self_bleu_4"]["value"] = damaged
        (out / "report.json").write_text(json.dumps(report))
        one_line_error(qc("gate", "--report", out, "--config", gate, "--json"), "self_bleu_4")
    (out / "report.json").write_text(json.dumps(report).replace('"value": [1]', '"value": NaN'))
    one_line_error(qc("gate", "--report", out, "--config", gate, "--json"), "NaN")
    one_line_error(qc("gate", "--report", out, "--config", gate, "--junit", out / "report.json"), "report.json")


# 12. Lower ------------------------------------------------------------------------------------

@pytest.mark.parametrize("tokenizer", ["regex:", "regex:x*", "regex:(", "regex:\\b"])
def test_token_patterns_that_match_nothing_or_fail_are_refused(qc, tmp_path, tokenizer):
    one_line_error(qc("report", SAMPLES / "instructions_clean.parquet", "--tokenizer", tokenizer, "--out", tmp_path / "o"), "tokenizer")
    assert not (tmp_path / "o").exists()


def test_separator_only_rows_are_empty_and_analyzers_run_once(qc, tmp_path):
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts(6) + ["\x1c\x1d\x1e\x1f", " \x1f\t"]}).write_parquet(data)
    ran = qc("report", data, "--out", tmp_path / "o", "--analyzers", "diversity,duplicates,diversity", "--json")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out)["dataset"]["text_rows"] == {"ok": 6, "null": 0, "empty": 2, "non_string": 0}
    columns = pl.read_parquet(tmp_path / "o" / "rows.parquet").columns
    assert not [c for c in columns if c.endswith("_right")]
    assert json.loads(ran.out)["config"]["analyzers"] == ["diversity", "duplicates"]


def test_invisible_characters_are_shown_as_code_points_in_html(qc, tmp_path):
    data = tmp_path / "d.parquet"
    sneaky = "pay \u202eevil\u202c now \x00 nul"
    pl.DataFrame({"text": [sneaky, sneaky] + texts(5)}).write_parquet(data)
    assert qc("report", data, "--out", tmp_path / "o", "-q").code == 0
    page = (tmp_path / "o" / "report.html").read_text()
    body = page.split("</script>")[-1]  # past the inlined plotly.js
    assert "\u202e" not in body and "\x00" not in body
    assert '<span class="cp">U+202E</span>' in body and '<span class="cp">U+0000</span>' in body


def test_a_damaged_cache_entry_is_rebuilt_with_a_warning(qc, tmp_path, monkeypatch):
    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    rows = texts(20)
    data = write_jsonl(tmp_path / "d.jsonl", [json.dumps({"text": t}) for t in rows])
    bench = write_jsonl(tmp_path / "b.jsonl", [json.dumps({"question": rows[4]})])
    args = ("report", data, "-b", f"g={bench}", "--analyzers", "contamination", "--json")
    first = qc(*args, "--out", tmp_path / "o1")
    assert first.code == 0, first.err
    (entry,) = [p for p in (tmp_path / "cache" / "ngram-index").iterdir()]
    victim = next(p for p in entry.iterdir() if p.suffix == ".parquet")
    victim.write_bytes(victim.read_bytes()[:-7] + b"garbage")
    second = qc(*args, "--out", tmp_path / "o2")
    assert second.code == 0, second.err
    assert "warning: cache entry" in second.err and "rebuilding" in second.err
    assert json.loads(second.out)["metrics"] == json.loads(first.out)["metrics"]
    assert "warning: cache entry" not in qc(*args, "--out", tmp_path / "o3").err  # rebuilt whole


def test_damaged_embedding_entries_and_a_damaged_store_are_rebuilt(qc, tmp_path, monkeypatch):
    import sqlite3

    monkeypatch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    data = write_jsonl(tmp_path / "d.jsonl", [json.dumps({"text": t}) for t in texts(30)])
    args = ("report", data, "--analyzers", "embeddings", "--json")
    first = qc(*args, "--out", tmp_path / "o1")
    assert first.code == 0, first.err
    from qcaudit.store import STORE_NAME

    store = tmp_path / "cache" / STORE_NAME
    with sqlite3.connect(store) as db:  # flip bytes in three stored vectors
        db.execute("UPDATE entries SET value = zeroblob(length(value)) WHERE key IN (SELECT key FROM entries LIMIT 3)")
    second = qc(*args, "--out", tmp_path / "o2")
    assert second.code == 0 and "embedding cache: 3 entries failed their checksum" in second.err, second.err
    assert json.loads(second.out)["metrics"]["embeddings"] == json.loads(first.out)["metrics"]["embeddings"]
    for suffix in ("-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    store.write_bytes(b"not a database at all" * 100)
    third = qc(*args, "--out", tmp_path / "o3")
    assert third.code == 0 and "cache store" in third.err and "damaged" in third.err, third.err
    assert json.loads(third.out)["metrics"]["embeddings"] == json.loads(first.out)["metrics"]["embeddings"]


# 13. The dashboard server ----------------------------------------------------------------------

def test_the_dashboard_server_dies_with_qcaudit_and_a_busy_port_is_refused(qc, tmp_path):
    import socket
    import urllib.request

    out = tmp_path / "o"
    assert qc("report", SAMPLES / "instructions_clean.parquet", "--out", out, "-q").code == 0
    with socket.socket() as busy:
        busy.bind(("localhost", 0))
        busy.listen()
        one_line_error(qc("dashboard", out, "--port", busy.getsockname()[1]), "in use")
    for port in ("70000", "0", "-1"):  # not a port: one line (70000 failed in bind as an internal error)
        one_line_error(qc("dashboard", out, f"--port={port}"), "Invalid value for '--port'")
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        port = probe.getsockname()[1]
    parent = subprocess.Popen([sys.executable, "-m", "qcaudit", "dashboard", str(out), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    health = f"http://localhost:{port}/_stcore/health"
    deadline = time.time() + 90
    while True:
        try:
            if urllib.request.urlopen(health, timeout=2).read() == b"ok":
                break
        except OSError:
            assert time.time() < deadline and parent.poll() is None, "the dashboard did not start"
            time.sleep(0.5)
    parent.kill()
    parent.wait()
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            urllib.request.urlopen(health, timeout=1)
        except OSError:
            return  # the server went with its parent
        time.sleep(0.5)
    raise AssertionError("the Streamlit server outlived a killed qcaudit dashboard")


# 5. The dashboard never renders dataset strings as Markdown -------------------------------------

MARKDOWN_ATTACKS = ("![g](http://127.0.0.1:9/x.png)", ":red[red alert]", "$x^2$", "**bold** [l](http://127.0.0.1:9/)")


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory) -> list[Path]:
    """A drift report whose generations are Markdown attacks (their real share is low, so
    the warnings name them too), and a report whose directory, file, column and benchmark
    names are."""
    root = tmp_path_factory.mktemp("hostile")
    rows = texts(40)
    generations = pl.DataFrame({
        "text": rows * len(MARKDOWN_ATTACKS), "gen": [g for g in MARKDOWN_ATTACKS for _ in rows],
        "source": ["real" if i % 10 == 0 else "synthetic" for i in range(len(rows) * len(MARKDOWN_ATTACKS))],
    })
    generations.write_parquet(root / "gens.parquet")
    drift = root / "drift_**x**"
    assert run(["drift", str(root / "gens.parquet"), "--generation-column", "gen", "--source-column", "source",
                "--out", str(drift), "-q"]) == 0
    column = ":red[col] $y$"
    data = root / "data_![i](http:__127.0.0.1:9_y.png).parquet"
    pl.DataFrame({column: rows, "flag": [True] * len(rows)}).write_parquet(data)
    write_jsonl(root / "bench.jsonl", [json.dumps({"question": rows[3]})])
    report = root / "report_:blue[x]"
    assert run(["report", str(data), "--text-column", column, "-b", f"$bench$={root / 'bench.jsonl'}",
                "--analyzers", "diversity,duplicates,contamination", "--out", str(report), "-q"]) == 0
    return [drift, report]


CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")


def _markdown_bodies(at) -> list[str]:
    kinds = ("title", "subheader", "markdown", "caption", "error", "success", "info", "warning")
    bodies = [str(e.value) for kind in kinds for e in getattr(at, kind)]
    labels = [str(w.label) for kind in ("selectbox", "number_input", "text_input", "metric") for w in getattr(at, kind)]
    return bodies + labels + [str(m.value) for m in at.metric]  # (a metric's value is Markdown too)


def test_no_dashboard_page_interprets_dataset_strings(hostile_reports, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.test_dashboard import APP, ENV

    monkeypatch.setenv(ENV, json.dumps(list(map(str, hostile_reports))))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    raw = ("![", "](http", ":red[", ":blue[", "$x^2$", "$y$", "**")
    for report in [p.name for p in hostile_reports]:
        at.sidebar.selectbox[0].set_value(report).run()
        for page in ("Overview", "Diversity", "Contamination", "Duplicates", "Embeddings", "Drift", "Detectors", "Rows", "Compare"):
            at.sidebar.radio(key="page").set_value(page).run()
            assert not at.exception, (report, page, at.exception)
            if page == "Rows" and at.multiselect:
                at.multiselect[0].set_value([c for c in at.multiselect[0].options if c != "row_id"][:3]).run()
            for body in _markdown_bodies(at):  # outside code spans, which Markdown shows literally
                assert not any(token in CODE_SPAN.sub("", body) for token in raw), (report, page, body)
    at.sidebar.selectbox[0].set_value(hostile_reports[0].name).run()
    at.sidebar.radio(key="page").set_value("Drift").run()
    warnings = [str(w.value) for w in at.warning]
    assert any(f"`generation {MARKDOWN_ATTACKS[3]}:" in w for w in warnings), warnings  # named, as code


def test_the_browser_shows_hostile_names_as_text(hostile_reports):
    from tests.test_dashboard import CHROMIUM, need_browser, served

    need_browser()
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    with served(hostile_reports[0]) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.on("request", lambda request: requested.append(request.url))
        page.goto(url)
        page.get_by_text("Drift", exact=True).first.click()
        page.get_by_text("Collapse alarm").first.wait_for(timeout=60_000)
        page.get_by_text(MARKDOWN_ATTACKS[3]).first.wait_for(timeout=60_000)  # a warning names it, as text
        page.wait_for_timeout(1500)
        assert page.locator("img[src*='127.0.0.1:9']").count() == 0
        assert page.locator(".katex").count() == 0
        links = page.locator("a[href*='127.0.0.1:9']")
        assert links.count() == 0, [links.nth(i).evaluate("e => e.parentElement.parentElement.outerHTML") for i in range(links.count())]
        browser.close()
    assert not [u for u in requested if "127.0.0.1:9" in u]


def test_outputs_that_cannot_be_written_are_one_line_errors(qc, tmp_path):
    data = SAMPLES / "instructions_clean.parquet"
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    one_line_error(qc("report", data, "--out", blocker / "audit", "-q"))
    one_line_error(qc("report", data, "--out", blocker, "-q"), "not a directory")
    one_line_error(qc("report", data, "--out", "/proc/qcaudit-audit", "-q"))  # read-only, even for root
    one_line_error(qc("sample", data, "-o", "/proc/review.csv", "-q"))
    assert blocker.read_text() == "x"


@pytest.mark.parametrize("failure, said", [
    (OSError(28, "No space left on device"), "No space left on device"),  # Python's write on a full disk
    (OSError("No space left on device (os error 28)"), "No space left on device"),  # Polars' sink
    (pl.exceptions.ComputeError("parquet: File out of specification: underlying IO error: No space left on device "
                                "(os error 28)"), "No space left on device"),  # Polars' parquet writer
    (OSError(122, "Disk quota exceeded"), "Disk quota exceeded"),
    (OSError(13, "Permission denied", "/somewhere/else"), None),  # names its file: as it is
    (pl.exceptions.ComputeError("cannot compare string with numeric type"), None),  # not the file system's
])
def test_a_write_the_file_system_refuses_names_the_output(tmp_path, failure, said):
    """A full disk (or quota) fails a write without naming a file; it is said with the output
    being written, and nothing of it is left, for a file and for a report directory."""
    from qcaudit.atomic import write_atomic, write_directory_atomic
    from qcaudit.errors import QcauditError

    def fail(_path: Path) -> None:
        raise failure

    for target, write in ((tmp_path / "out.parquet", lambda t: write_atomic(t, fail)),
                          (tmp_path / "report", lambda t: write_directory_atomic(t, fail, ["report.json"]))):
        expected = (QcauditError, f"cannot write {target}: {said}$") if said else (type(failure), re.escape(str(failure)))
        with pytest.raises(expected[0], match=expected[1]):
            write(target)
        assert not target.exists()
        no_temporaries(tmp_path)


def test_a_report_directory_that_holds_the_input_or_another_output_is_refused(qc, tmp_path):
    """The report directory must not hold an input (a later run over that directory would
    read the report's rows.parquet as a shard) nor another output as one of its own files."""
    folder = tmp_path / "data"
    folder.mkdir()
    data = folder / "d.parquet"
    pl.DataFrame({"text": texts(8)}).write_parquet(data)
    one_line_error(qc("report", data, "--out", folder, "-q"), f"--out {folder} holds an input file")
    one_line_error(qc("gate", data, "--out", tmp_path / "o", "--junit", tmp_path / "o" / "report.json", "-q"),
                   "is one of the report's own files")
    assert report_files(folder) == {"d.parquet"} and not (tmp_path / "o").exists()


def test_a_role_no_turn_has_names_the_roles_there_are(qc, tmp_path):
    chats = [{"conversations": [{"from": "human", "value": t}, {"from": "gpt", "value": t[::-1]}]} for t in texts(6)]
    data = write_jsonl(tmp_path / "chat.jsonl", [json.dumps(c) for c in chats])
    one_line_error(qc("report", data, "--role", "asistant", "--out", tmp_path / "never", "-q"),
                   "in column 'conversations' (roles: asistant): 6 rows missing; its turns' roles are user, assistant: "
                   "choose them with --role")
    assert qc("report", data, "--role", "assistant", "--out", tmp_path / "o", "-q").code == 0
    one_line_error(qc("report", data, "--fields", "a,b,a", "--out", tmp_path / "never"), "--fields names 'a' twice")
    assert not (tmp_path / "never").exists()


@pytest.mark.parametrize("category", [["a", "b"], {"x": 1}])
def test_a_category_column_of_lists_or_structs_is_left_out_with_a_warning(qc, tmp_path, category):
    """A ``category`` column found by name that holds lists or structs (tags, a record) is
    no label a row: the audit runs without it, the embeddings analyzer, which would balance
    by it, saying so (it failed on Polars' cast, "cannot read ... as parquet"); named as the
    category column, it is refused in one line."""
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts(40), "category": [category] * 40}).write_parquet(data)
    ran = qc("report", data, "--analyzers", "diversity,duplicates,embeddings", "--out", tmp_path / "audit")
    assert ran.code == 0, ran.err
    assert "warning: column 'category' holds" in ran.err and "not one label a row" in ran.err
    assert "category" not in pl.read_parquet(tmp_path / "audit" / "rows.parquet").columns
    config = tmp_path / "q.toml"
    config.write_text('[embeddings]\ncategory_column = "category"\n')
    one_line_error(qc("report", data, "--analyzers", "embeddings", "--config", config, "--out", tmp_path / "named"),
                   "category column 'category' holds", "not one label a row")


@pytest.mark.parametrize(("failure", "reason"), [(OSError(), "OSError"), (ValueError("  \n"), "ValueError"),
                                                (OSError("no config.json\nsecond line"), "no config.json")])
def test_a_model_that_fails_to_load_without_a_message_is_still_one_line(failure, reason):
    """A loader's error with no message (``OSError()``) once ended in an IndexError, an
    internal error, where it should say which model failed and why, in one line."""
    from qcaudit.errors import QcauditError
    from qcaudit.hf import _from_pretrained

    class Refusing:
        @staticmethod
        def from_pretrained(*args, **kwargs):
            raise failure

    with pytest.raises(QcauditError) as raised:
        _from_pretrained(Refusing, "org/absent-model", "reward model")
    message = str(raised.value)
    assert "\n" not in message and message.startswith("reward model 'org/absent-model': cannot load it offline (")
    assert message.endswith(f"({reason})")


def _damaged(folder: Path, file: str, content: str | bytes, damaged: Path) -> Path:
    """``damaged``: a copy of the model ``folder`` whose ``file`` holds ``content``."""
    import shutil

    shutil.copytree(folder, damaged)
    (damaged / file).write_bytes(content if isinstance(content, bytes) else content.encode())
    return damaged


def _tiny_reward_model_and_lm(root: Path, chat_template: str | None = None) -> tuple[Path, Path]:
    """``root/rm`` (a GPT-2 reward model of one logit) and ``root/lm`` (a GPT-2 LM), random and
    tiny, with the test tokenizer (and ``chat_template``); and pairs to score in ``root/d.parquet``."""
    import torch
    import transformers

    tokenizer = transformers.PreTrainedTokenizerFast.from_pretrained(Path(__file__).parent / "fixtures" / "watermark" / "tokenizer")
    tokenizer.pad_token = tokenizer.eos_token or "[PAD]"
    tokenizer.chat_template = chat_template
    config = {"vocab_size": len(tokenizer), "n_positions": 64, "n_embd": 8, "n_layer": 1, "n_head": 2,
              "pad_token_id": tokenizer.pad_token_id}
    torch.manual_seed(0)
    transformers.GPT2ForSequenceClassification(transformers.GPT2Config(num_labels=1, **config)).save_pretrained(root / "rm")
    transformers.GPT2LMHeadModel(transformers.GPT2Config(**config)).save_pretrained(root / "lm")
    for folder in ("rm", "lm"):
        tokenizer.save_pretrained(root / folder)
    pl.DataFrame({"prompt": texts(8), "response": texts(8, seed=3)}).write_parquet(root / "d.parquet")
    return root / "rm", root / "lm"


MODEL_DAMAGES = [
    ("config.json", "[]", "TypeError: "),
    ("config.json", '{"model_type": "gpt2", "n_embd": "big", "architectures": ["GPT2ForSequenceClassification"]}',
     "StrictDataclassFieldValidationError: Validation error for field 'n_embd': TypeError: Field 'n_embd' expected int"),
    ("model.safetensors", b"cut short", "SafetensorError: "),
    ("tokenizer.json", '{"version": "1.0"}', "KeyError: 'added_tokens'"),
    ("tokenizer.json", ('{"version": "1.0", "truncation": null, "padding": null, "added_tokens": [], "normalizer": null, '
                        '"pre_tokenizer": null, "post_processor": null, "decoder": null, "model": {"type": "Nope"}}'),
     "Exception: data did not match any variant"),
]
#: What a clone without ``git lfs`` holds in place of a large file.
LFS_POINTER_FILE = b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a2146\nsize 90868376\n"


@pytest.mark.parametrize(("file", "content", "said"), MODEL_DAMAGES)
def test_a_damaged_model_folder_is_one_line_naming_the_model(qc, tmp_path, file, content, said):
    """transformers, tokenizers, safetensors and huggingface_hub raise nearly any exception
    for a damaged file (a bare Exception from tokenizers' parser, KeyError, TypeError,
    SafetensorError, a strict dataclass's error); each ended as an internal error, exit 3.
    Each is one line naming the model now, for a reward model and for an hf tokenizer."""
    reward_model, _ = _tiny_reward_model_and_lm(tmp_path)
    data = tmp_path / "d.parquet"
    assert qc("filter", data, "--reward-model", reward_model, "--top-k", "4", "-o", tmp_path / "ok.parquet", "-q").code == 0
    damaged = _damaged(reward_model, file, content, tmp_path / "damaged")
    one_line_error(qc("filter", data, "--reward-model", damaged, "--top-k", "4", "-o", tmp_path / "kept.parquet"),
                   f"reward model '{damaged}': cannot load it offline ({said}")
    assert not (tmp_path / "kept.parquet").exists()
    if file.startswith("tokenizer"):
        one_line_error(qc("report", data, "--text-column", "response", "--tokenizer", f"hf:{damaged}", "--out", tmp_path / "a"),
                       f"hf tokenizer '{damaged}': cannot load it offline ({said}")


@pytest.mark.parametrize("backend", ["torch", "onnx-int8"])
def test_a_damaged_embedding_model_is_one_line_naming_it(qc, tmp_path, backend):
    from qcaudit.embed import default_model_path

    damaged = _damaged(default_model_path(), "model.safetensors", b"cut short", tmp_path / "encoder")
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": texts(40)}).write_parquet(data)
    config = tmp_path / "q.toml"
    config.write_text(f'[embedding]\nmodel = "{damaged}"\nbackend = "{backend}"\ncache = false\n')
    one_line_error(qc("report", data, "--analyzers", "embeddings", "--config", config, "--out", tmp_path / "a", "-q"),
                   f"embedding model '{damaged}': cannot load it offline (SafetensorError: ")


@pytest.mark.parametrize("file", ["model.safetensors", "tokenizer.json"])
def test_a_model_cloned_without_its_large_files_is_named_so(qc, tmp_path, file):
    """A model repository cloned without git lfs holds pointers in place of its weights (and
    tokenizer): they read as a damaged safetensors header, or JSON of another layout."""
    reward_model, _ = _tiny_reward_model_and_lm(tmp_path)
    pointer = _damaged(reward_model, file, LFS_POINTER_FILE, tmp_path / "cloned")
    one_line_error(qc("filter", tmp_path / "d.parquet", "--reward-model", pointer, "--top-k", "4", "-o", tmp_path / "kept.parquet"),
                   f"reward model '{pointer}': {file} is a Git LFS pointer, not the file: the model was cloned without its "
                   "large files; fetch them (git lfs pull)")


@pytest.mark.parametrize("template", ["{{ raise_exception('Only system then user roles are supported') }}",
                                      "{% for m in messages %}{{ m.content | nosuchfilter }}{% endfor %}"])
def test_a_chat_template_that_refuses_the_conversation_is_one_line(qc, tmp_path, template):
    """A model's chat template may refuse what it is given (its own raise_exception, as
    templates that take only some orders of roles do, or a filter that does not exist):
    jinja2's TemplateError ended as an internal error; it is one line naming the model."""
    reward_model, lm = _tiny_reward_model_and_lm(tmp_path, template)
    data = tmp_path / "d.parquet"
    why = "Only system then user roles are supported" if "raise" in template else "No filter named 'nosuchfilter'"
    one_line_error(qc("filter", data, "--reward-model", reward_model, "--top-k", "4", "-o", tmp_path / "kept.parquet"),
                   f"reward model '{reward_model}': its chat template refuses a conversation of user, assistant (", why)
    assert not (tmp_path / "kept.parquet").exists()
    one_line_error(qc("report", data, "--text-column", "response", "--analyzers", "ifd", "--ifd-model", lm, "--out",
                      tmp_path / "a", "-q"),
                   f"IFD model '{lm}': its chat template refuses a conversation of user (", why)
