"""Row progress: the line's arithmetic, and what a run prints when stderr is not a terminal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from qcaudit.contamination.semantic import TextParts
from qcaudit.progress import progress_line
from tests.conftest import SAMPLES


def test_progress_line_counts_rate_and_time_left():
    # 3,072 of 8,792 rows in 50 s: 61.44 rows/s, 5,720 rows left = 93 s
    assert progress_line("embedding", 3072, 8792, 50.0) == "embedding: 3,072/8,792 rows (35%), 61 rows/s, 1m33s left"
    assert progress_line("embedding", 0, 10, 0.0) == "embedding: 0/10 rows (0%)"
    assert progress_line("embedding", 10, 10, 4000.0) == "embedding: 10/10 rows (100%), 0.0025 rows/s, done in 1h06m"
    # a slow step (a judge model on a CPU): 7 pairs in 6 s, 1.17 a second, 93 left = 80 s
    assert progress_line("judge", 7, 100, 6.0, unit="pairs") == "judge: 7/100 pairs (7%), 1.2 pairs/s, 1m20s left"


def test_the_time_left_of_texts_that_differ_in_cost_is_their_work_left():
    """The encoder embeds the shortest texts first: counted in texts, GSM8K's whole rows
    read a third of the time they took. Given the work (characters), the time left is the
    work left at the rate so far: 3,072 of 16,145 texts in 5.6 s, but 0.8 of 6.4 million
    characters, leaves 5.6 x 5.6 / 0.8 = 39.2 s (by texts: 23.8 s)."""
    assert progress_line("embedding", 3072, 16145, 5.6, "texts") == "embedding: 3,072/16,145 texts (19%), 549 texts/s, 24s left"
    assert progress_line("embedding", 3072, 16145, 5.6, "texts", work=(800_000, 6_400_000)) == (
        "embedding: 3,072/16,145 texts (19%), 549 texts/s, 39s left")
    assert progress_line("embedding", 16145, 16145, 75.0, "texts", work=(6_400_000, 6_400_000)).endswith("done in 1m15s")


@pytest.fixture
def encoder_progress(monkeypatch) -> dict:
    """What the encoder tells its progress, chunks of 4 texts: ``label``, ``total``, ``work``
    and each chunk's (rows, work) in ``advances``."""
    from contextlib import contextmanager

    from qcaudit import embed

    seen: dict = {"advances": []}

    class Recorder:
        def advance(self, rows, work=None):
            seen["advances"].append((rows, work))

    @contextmanager
    def recording(label, total, wanted=True, unit="rows", work=None):
        seen.update(label=label, total=total, work=work)
        yield Recorder()

    monkeypatch.setattr(embed, "row_progress", recording)
    monkeypatch.setattr(embed, "CHUNK", 4)
    return seen


def test_the_encoder_reports_each_chunk_with_its_texts_characters(encoder_progress):
    """What the encoder's progress weighs each chunk of texts by: their characters (and one
    a text, so that an empty text counts), the whole step's sum given at its start."""
    from qcaudit.embed import Encoder

    texts = [f"text {'x' * (7 * i)}" for i in range(10)]
    encoder = Encoder(device="cpu", batch_size=1, use_cache=False)  # (chunks of 4 texts)
    encoder.encode(pl.Series(texts), progress=True, label="embedding", unit="texts")
    assert encoder_progress["total"] == 10 and encoder_progress["work"] == sum(len(t) + 1 for t in texts)
    assert [rows for rows, _ in encoder_progress["advances"]] == [4, 4, 2]
    cost = [len(t) + 1 for t in texts]  # (the texts are written shortest first, as the encoder takes them)
    assert [work for _, work in encoder_progress["advances"]] == [sum(cost[:4]), sum(cost[4:8]), sum(cost[8:])]


def test_a_text_longer_than_the_model_reads_weighs_what_it_reads(encoder_progress):
    """The default model reads 256 tokens of a text (its ``max_seq_length``): a text of 20,000
    characters weighs 4 characters a token of those, 1,024 (and one), in the time left, not
    20,000 (a 15 MB row beside its windows read 2m33s left at 98% when seconds were left)."""
    import json

    from qcaudit.embed import Encoder, default_model_path

    read = json.loads((default_model_path() / "sentence_bert_config.json").read_text())["max_seq_length"]
    assert read == 256
    texts = ["a short one", "word " * 4_000, "another short text"]
    Encoder(device="cpu", batch_size=1, use_cache=False).encode(pl.Series(texts), progress=True, label="embedding", unit="texts")
    assert encoder_progress["work"] == (len(texts[0]) + 1) + (1_024 + 1) + (len(texts[2]) + 1)
    assert [work for _, work in encoder_progress["advances"]] == [encoder_progress["work"]]


def test_a_run_in_a_log_prints_plain_progress_lines_and_quiet_prints_none(tmp_path):
    data = tmp_path / "d.parquet"
    pl.read_parquet(SAMPLES / "instructions.parquet").head(300).select("output").write_parquet(data)
    env = {**os.environ, "QCAUDIT_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "qcaudit", "report", str(data), "--analyzers", "embeddings"]
    loud = subprocess.run([*command, "--out", str(tmp_path / "a")], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert loud.returncode == 0, loud.stderr
    lines = [line for line in loud.stderr.splitlines() if line.startswith("embedding: ") and " rows (" in line]
    assert lines and lines[-1].startswith("embedding: ") and "rows (100%)" in lines[-1] and "rows/s, done in" in lines[-1]
    audited = [line for line in loud.stderr.splitlines() if line.startswith("audit (embeddings): ")]
    assert audited and audited[-1].startswith("audit (embeddings): 300/300 rows (100%)")  # the engine's batches too
    assert "\x1b[" not in loud.stderr  # plain lines, no terminal control codes
    # the seconds spent exporting the encoder into the empty cache are said, before the rows, and only once
    exporting = "embedding: exporting all-MiniLM-L6-v2 to int8 ONNX into the cache (once per model)"
    assert loud.stderr.splitlines().index(exporting) < loud.stderr.splitlines().index(lines[0])
    again = subprocess.run([*command, "--out", str(tmp_path / "c")], capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert again.returncode == 0 and "exporting" not in again.stderr, again.stderr
    # the quiet run embeds every row too (an empty store), with the encoder the first run exported
    shutil.copytree(tmp_path / "cache" / "onnx", tmp_path / "cache2" / "onnx")
    quiet = subprocess.run([*command, "--out", str(tmp_path / "b"), "-q"], capture_output=True, text=True,
                           env={**env, "QCAUDIT_CACHE_DIR": str(tmp_path / "cache2")}, cwd=tmp_path)
    assert quiet.returncode == 0 and "embedding: " not in quiet.stderr and "audit (" not in quiet.stderr


def test_a_log_that_rich_takes_for_a_terminal_gets_plain_lines_too(tmp_path):
    """FORCE_COLOR=1 (set in CI for coloured logs) makes rich take any stream for a terminal:
    the audit's bar was redrawn into the log ten times a second, carriage returns and all."""
    data = tmp_path / "d.parquet"
    pl.read_parquet(SAMPLES / "instructions.parquet").select("output").write_parquet(data)
    ran = subprocess.run([sys.executable, "-m", "qcaudit", "report", str(data), "--out", str(tmp_path / "a")], capture_output=True,
                         text=True, env={**os.environ, "FORCE_COLOR": "1"}, cwd=tmp_path, check=True)
    assert "\r" not in ran.stderr and "\x1b[?25l" not in ran.stderr, ran.stderr[:500]  # no redraws, no hidden cursor
    assert any(line.startswith("audit (diversity, duplicates): ") and "rows (100%)" in line for line in ran.stderr.splitlines())
    assert "diversity: 2-grams" in ran.stderr.splitlines()
    assert "\x1b[" in ran.stdout  # the colours FORCE_COLOR asks for are kept


def test_drift_in_a_log_prints_plain_progress_lines(tmp_path):
    """drift over large generations ran for minutes without a line in a CI log (its progress
    was a terminal spinner alone)."""
    paths = []
    for i in range(2):
        paths.append(str(tmp_path / f"g{i}.parquet"))
        pl.read_parquet(SAMPLES / "instructions.parquet").slice(300 * i, 300).select("output").write_parquet(paths[-1])
    command = [sys.executable, "-m", "qcaudit", "drift", *paths]
    loud = subprocess.run([*command, "--out", str(tmp_path / "a")], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert loud.returncode == 0, loud.stderr
    lines = [line for line in loud.stderr.splitlines() if line.startswith("drift: ")]
    assert lines and lines[-1].startswith("drift: 600/600 rows (100%)") and "done in" in lines[-1], loud.stderr
    assert "\x1b[" not in loud.stderr
    quiet = subprocess.run([*command, "--out", str(tmp_path / "b"), "-q"], capture_output=True, text=True, cwd=tmp_path,
                           check=False)
    assert quiet.returncode == 0 and "drift: " not in quiet.stderr


def test_the_phases_after_the_rows_are_plain_lines_in_a_log(tmp_path):
    """The analyzers' phases after the rows are read (n-gram orders, MinHash-LSH) were a
    terminal spinner alone: a CI log showed nothing while they ran."""
    data = tmp_path / "d.parquet"
    pl.read_parquet(SAMPLES / "instructions.parquet").head(300).write_parquet(data)
    command = [sys.executable, "-m", "qcaudit", "report", str(data), "--analyzers", "diversity,duplicates"]
    loud = subprocess.run([*command, "--out", str(tmp_path / "a")], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert loud.returncode == 0, loud.stderr
    lines = loud.stderr.splitlines()
    phases = ["diversity: 1-grams", "diversity: 2-grams", "diversity: 3-grams", "diversity: 4-grams", "duplicates: exact",
              "duplicates: MinHash-LSH"]
    assert [line for line in lines if line in phases] == phases, loud.stderr
    assert "\x1b[" not in loud.stderr
    quiet = subprocess.run([*command, "--out", str(tmp_path / "b"), "-q"], capture_output=True, text=True, cwd=tmp_path,
                           check=False)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    dedup = subprocess.run([sys.executable, "-m", "qcaudit", "dedup", str(data), "-o", str(tmp_path / "kept.jsonl")],
                           capture_output=True, text=True, cwd=tmp_path, check=False)  # (writing a large input's rows takes a while)
    assert dedup.returncode == 0, dedup.stderr
    assert "writing the kept and the removed rows" in dedup.stderr.splitlines(), dedup.stderr


def test_a_long_phase_says_its_count_and_its_time(monkeypatch):
    import io

    from rich.console import Console

    from qcaudit import progress

    monkeypatch.setattr(progress, "LINE_SECONDS", 0.0)  # (every count and every end is long enough to say)
    stream = io.StringIO()
    with progress.phases(Console(file=stream), disable=False) as shown:
        task = shown.add_task("detectors: likelihood", total=8)
        shown.advance(task, 3)
        shown.update(task, advance=5)
        shown.update(task, description="detectors: done scoring")
        shown.remove_task(task)
    assert stream.getvalue().splitlines() == [
        "detectors: likelihood", "detectors: likelihood: 3/8", "detectors: likelihood: 8/8", "detectors: likelihood: done in 0s",
        "detectors: done scoring", "detectors: done scoring: done in 0s"]
    silent = io.StringIO()
    with progress.phases(Console(file=silent), disable=True) as shown:
        shown.remove_task(shown.add_task("diversity: 1-grams", total=4))
    assert silent.getvalue() == ""


def test_the_check_of_a_large_file_says_how_far_it_is(tmp_path, monkeypatch):
    """A text input's check reads every line before any row is audited (a minute and more for
    files of gigabytes); from CHECK_SHOWN_BYTES on disk it says how many of the file's MB it
    has read, compressed or not, and checks the same rows."""
    import bz2
    import gzip
    import io
    import json
    import lzma
    import random

    from rich.console import Console

    from qcaudit import inputcheck, progress
    from tests.conftest import zstd

    rng = random.Random(0)  # (words that compress little, so that the files are some MB on disk too)
    lines = [json.dumps({"text": " ".join(f"{rng.getrandbits(40):x}" for _ in range(20))}) + "\n" for _ in range(12_000)]
    data = "".join(lines).encode()
    files = {"d.jsonl": data, "d.jsonl.gz": gzip.compress(data), "d.jsonl.zst": zstd(data, frames=2),
             "d.jsonl.bz2": bz2.compress(data), "d.jsonl.xz": lzma.compress(data), "small.jsonl": "".join(lines[:4_000]).encode()}
    monkeypatch.setattr(inputcheck, "CHECK_SHOWN_BYTES", 2**20)
    monkeypatch.setattr(inputcheck, "LINES_A_LOOK", 100)
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content)
        megabytes = -(-len(content) // 2**20)
        stream = io.StringIO()
        progress.show_progress(True, Console(file=stream))
        try:
            checked = inputcheck.check_text_file(path, "jsonl")
        finally:
            progress.show_progress(False)
        assert checked.rows == (4_000 if name == "small.jsonl" else 12_000)
        said = stream.getvalue().splitlines()
        if name == "small.jsonl":  # (under the size that is shown)
            assert said == [], said
        else:
            assert said and said[-1].startswith(f"checking {name}: {megabytes}/{megabytes} MB (100%)"), (name, said)


def test_a_benchmarks_items_are_embedded_with_progress_named_after_it_once(tmp_path):
    """A semantic audit embeds the benchmark's items after the rows, then scores the candidate
    pairs: both printed nothing (half a minute on a CPU for a benchmark of thousands of
    items), now the items' embedding is a progress line under the benchmark's name and the
    scoring a step (the rows' line counts texts: it said "rows" of windows too); a second run, every vector cached, embeds and prints nothing of them."""
    data, bench = tmp_path / "d.parquet", tmp_path / "items.jsonl"
    sample = pl.read_parquet(SAMPLES / "instructions.parquet")
    outputs = sample["output"].to_list()
    questions = sample.slice(500, 120)["instruction"].to_list()

    def row(i: int) -> str:  # four outputs, long enough for windows; the first ten hold an item (a span of their own)
        return " ".join([*outputs[4 * i : 4 * i + 2], *([questions[i]] if i < 10 else []), *outputs[4 * i + 2 : 4 * i + 4]])

    rows = [row(i) for i in range(200)]
    pl.DataFrame({"text": rows}).write_parquet(data)
    pl.DataFrame({"question": questions}).write_ndjson(bench)
    env = {**os.environ, "QCAUDIT_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "qcaudit", "report", str(data), "--analyzers", "contamination", "--methods", "semantic",
               "-b", f"mine={bench}"]
    first = subprocess.run([*command, "--out", str(tmp_path / "a")], capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert first.returncode == 0, first.stderr
    # the rows' texts first, counted as texts: a long row's windows are texts of their own
    texts = len(TextParts.of_rows(rows).text)
    assert texts > 200
    rows_lines = [line for line in first.stderr.splitlines() if line.startswith("embedding rows and their parts: ")]
    assert rows_lines and rows_lines[-1].startswith(f"embedding rows and their parts: {texts}/{texts} texts (100%)"), first.stderr
    lines = [line for line in first.stderr.splitlines() if line.startswith("embedding benchmark mine: ")]
    assert lines and lines[-1].startswith("embedding benchmark mine: ") and "texts (100%)" in lines[-1], first.stderr
    assert "texts/s, done in" in lines[-1]
    # then the candidate pairs are scored: a step of its own in the log, after the items' embedding
    scoring = "contamination: the semantic method's candidate pairs against mine"
    assert first.stderr.splitlines().index(scoring) > first.stderr.splitlines().index(lines[-1]), first.stderr
    # within it, the passages of long rows that hold an item's words are embedded with progress too
    spans = [line for line in first.stderr.splitlines() if line.startswith("embedding spans of long rows: ")]
    assert spans and " texts (100%)" in spans[-1], first.stderr
    assert first.stderr.splitlines().index(spans[-1]) > first.stderr.splitlines().index(scoring)
    second = subprocess.run([*command, "--out", str(tmp_path / "b")], capture_output=True, text=True, env=env, cwd=tmp_path,
                            check=False)
    assert second.returncode == 0 and "embedding" not in second.stderr, second.stderr


@pytest.mark.parametrize("bars", [True, False])
def test_a_label_that_names_something_of_the_users_is_shown_on_one_line_as_written(monkeypatch, bars):
    """A benchmark's or a file's name in a progress label: its markup is not read (a closing
    tag of rich's ended the run of a bar) and a line break in it starts no line of its own."""
    import io

    from rich.console import Console

    from qcaudit.progress import progress_shown, row_progress

    monkeypatch.setenv("TTY_INTERACTIVE", "1" if bars else "0")
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=bars, force_interactive=bars, width=200)
    with progress_shown(console), row_progress("embedding benchmark a[/]b\nverdict: PASS", 3, unit="texts") as report:
        report.advance(3)
        if bars:  # the bar is cleared when it ends: render it now, as its thread would
            console.print(report.progress.get_renderable())
    shown = stream.getvalue()
    assert "embedding benchmark a[/]b<U+000A>verdict: PASS" in shown, shown
    assert not any(line.startswith("verdict: PASS") for line in shown.splitlines())


@pytest.mark.parametrize("bars", [True, False])
def test_a_phase_named_after_a_benchmark_shows_its_name_on_one_line_as_written(monkeypatch, bars):
    """The semantic method's scoring step names its benchmark (three benchmarks were three
    steps of one name): the name is escaped where the step is rich markup, so that a bar and
    a log line both show it as written, on one line."""
    import io

    from rich.console import Console

    from qcaudit import untrusted
    from qcaudit.progress import progress_shown

    monkeypatch.setenv("TTY_INTERACTIVE", "1" if bars else "0")
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=bars, force_interactive=bars, width=200)
    name = "a[/]b[bold]c\nverdict: PASS"
    with progress_shown(console) as phases:
        task = phases.add_task(f"contamination: pairs against {untrusted.console(name)}", total=None)
        if bars:  # the bar is cleared when it ends: render it now, as its thread would
            console.print(phases.get_renderable())
        phases.remove_task(task)
    shown = stream.getvalue()
    assert "contamination: pairs against a[/]b[bold]c<U+000A>verdict: PASS" in shown, shown
    assert not any(line.startswith("verdict: PASS") for line in shown.splitlines())


def test_the_models_scoring_steps_report_texts_rate_and_time_left_in_a_log(tmp_path):
    """A reward model, an IFD model and a detector's scoring model score every row before the
    audit's own line moves, and drift's LM a whole generation before drift's: a reward model on
    3,000 GSM8K rows ran 2m40s without a line in a log. Each step now reports its texts, rate
    and time left (reckoned by their tokens), as the encoder does; DetectGPT's and the judge's
    steps do too, and the watermark detector's (a count alone before)."""
    import torch
    import transformers

    tokenizer = transformers.PreTrainedTokenizerFast.from_pretrained(Path(__file__).parent / "fixtures" / "watermark" / "tokenizer")
    tokenizer.pad_token = tokenizer.eos_token or "[PAD]"
    config = {"vocab_size": len(tokenizer), "n_positions": 64, "n_embd": 8, "n_layer": 1, "n_head": 2, "pad_token_id": tokenizer.pad_token_id}
    torch.manual_seed(0)
    transformers.GPT2ForSequenceClassification(transformers.GPT2Config(num_labels=1, **config)).save_pretrained(tmp_path / "rm")
    transformers.GPT2LMHeadModel(transformers.GPT2Config(**config)).save_pretrained(tmp_path / "lm")
    for folder in ("rm", "lm"):
        tokenizer.save_pretrained(tmp_path / folder)
    rows = pl.read_parquet(SAMPLES / "instructions.parquet").head(40)
    rows.select(pl.col("instruction").alias("prompt"), pl.col("output").alias("response")).write_parquet(tmp_path / "d.parquet")
    ran = subprocess.run([sys.executable, "-m", "qcaudit", "report", str(tmp_path / "d.parquet"), "--reward-model", str(tmp_path / "rm"),
                          "--ifd-model", str(tmp_path / "lm"), "--detectors", "likelihood", "--scoring-model", str(tmp_path / "lm"),
                          "--watermark-tokenizer", str(tmp_path / "lm"), "--out", str(tmp_path / "a")], capture_output=True, text=True, cwd=tmp_path, check=False,
                         env={**os.environ, "QCAUDIT_CACHE_DIR": str(tmp_path / "cache")})
    assert ran.returncode == 0, ran.stderr
    for generation in ("g0", "g1"):
        rows.select(pl.col("output").alias("text")).write_parquet(tmp_path / f"{generation}.parquet")
    drifted = subprocess.run([sys.executable, "-m", "qcaudit", "drift", str(tmp_path / "g0.parquet"), str(tmp_path / "g1.parquet"),
                              "--lm", str(tmp_path / "lm"), "--out", str(tmp_path / "d")], capture_output=True, text=True, cwd=tmp_path,
                             check=False, env={**os.environ, "QCAUDIT_CACHE_DIR": str(tmp_path / "cache")})
    assert drifted.returncode == 0, drifted.stderr
    for label, count, stderr in (("reward: scoring rows", "40/40 rows", ran.stderr),
                                 ("watermark: scoring rows", "40/40 rows", ran.stderr),
                                 ("ifd: scoring responses after their prompts and alone", "80/80 texts", ran.stderr),
                                 ("detectors: scoring model", "40/40 texts", ran.stderr),
                                 ("drift: perplexity of generation g0.parquet", "40/40 texts", drifted.stderr),
                                 ("drift: perplexity of generation g1.parquet", "40/40 texts", drifted.stderr)):
        lines = [line for line in stderr.splitlines() if line.startswith(f"{label}: ")]
        assert lines and lines[-1].startswith(f"{label}: {count} (100%), ") and ", done in " in lines[-1], (label, stderr)
