"""The qcaudit command end to end: report files, gate exit codes, config, bad input, HTML escaping."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qcaudit.cli import app
from qcaudit.metrics import self_bleu
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "instructions.parquet"
CLEAN = SAMPLES / "instructions_clean.parquet"
SAMPLE_CONFIG = SAMPLES / "qcaudit.toml"


def invoke(runner, *args: str, env: dict | None = None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def test_report_writes_json_rows_and_html(runner, tmp_path):
    out = tmp_path / "audit"
    result = invoke(runner, "report", SAMPLE, "--config", SAMPLE_CONFIG, "--out", out)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["schema_version"] == 1
    bleu = report["metrics"]["diversity"]["self_bleu_4"]
    assert bleu["signature"].startswith("self_bleu|n:4|smooth:method1|eps:0.1|bp:closest|tok:whitespace")
    rows = pl.read_parquet(out / "rows.parquet")
    source = pl.read_parquet(SAMPLE)
    assert rows["row_id"].to_list() == list(range(source.height))
    assert {"text", "text_status", "self_bleu_4", "n_tokens", "repetition_2", "is_exact_duplicate"} <= set(rows.columns)
    # The report's number is the public API's number on the same texts.
    texts = ["\n".join(v for v in row if v) for row in source.select("instruction", "input", "output").iter_rows()]
    assert rows["text"].to_list() == texts
    assert bleu["value"] == pytest.approx(self_bleu(texts, n=4), abs=1e-12)
    assert rows["self_bleu_4"].mean() == pytest.approx(bleu["value"])
    html = (out / "report.html").read_text()
    assert "Gate: FAIL" in html and "Plotly.newPlot" in html
    assert "≤ 0.01" in html and "≥ 0.75" in html  # each check's direction, as the console shows it
    assert "cdn.plot.ly" not in html.split("<script>", 2)[1][:200]  # plotly.js is inlined


def test_report_is_deterministic(runner, tmp_path):
    for name in ("a", "b"):
        assert invoke(runner, "report", SAMPLE, "--config", SAMPLE_CONFIG, "--out", tmp_path / name, "-q").exit_code == 0
    for file in ("report.json", "report.html"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    assert pl.read_parquet(tmp_path / "a" / "rows.parquet").equals(pl.read_parquet(tmp_path / "b" / "rows.parquet"))


def test_gate_exit_codes_junit_and_annotations(runner, tmp_path):
    """Exit 1 and 0, the JUnit file, and under GitHub Actions the failed checks as ``::error``
    annotations and every check appended to the job's step summary (Markdown; the data's
    name a code span, so a file name cannot make a link or break the table)."""
    junit, summary = tmp_path / "gate.xml", tmp_path / "step_summary.md"
    summary.write_text("an earlier step's summary\n")
    data = tmp_path / "x|[a](https:evil).parquet"
    data.write_bytes(SAMPLE.read_bytes())
    github = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    failed = invoke(runner, "gate", data, "--config", SAMPLE_CONFIG, "--junit", junit, env=github)
    assert failed.exit_code == 1, failed.output
    assert "::error title=qcaudit gate max_exact_duplicate_rate::" in failed.output
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == "3" and suite.get("failures") == "3"
    passed = invoke(runner, "gate", CLEAN, "--config", SAMPLE_CONFIG, "--junit", junit, env=github)
    assert passed.exit_code == 0, passed.output
    assert ET.parse(junit).getroot().find("testsuite").get("failures") == "0"
    assert "::error" not in passed.output
    earlier, first, second = summary.read_text().split("### qcaudit gate: ")
    assert earlier == "an earlier step's summary\n"
    rows = pl.read_parquet(SAMPLE).height
    assert first.startswith(f"FAIL\n\n3 of 3 checks failed on {rows:,} rows of `{str(data).replace('|', chr(92) + '|')}`.\n")
    assert second.startswith(f"PASS\n\n0 of 3 checks failed on {pl.read_parquet(CLEAN).height:,} rows of `{CLEAN}`.\n")
    for verdict, table in (("**FAIL**", first), ("pass", second)):
        lines = [line for line in table.splitlines() if line.startswith("| `")]
        assert [line.split(" | ")[0] for line in lines] == ["| `duplicates.exact_duplicate_rate`", "| `diversity.self_bleu_4`",
                                                             "| `diversity.distinct_4`"]
        assert all(line.endswith(f" | {verdict} |") for line in lines)
    outside = invoke(runner, "gate", CLEAN, "--config", SAMPLE_CONFIG, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert outside.exit_code == 0 and summary.read_text().count("### qcaudit gate") == 2  # only under GitHub Actions


def test_a_gates_junit_file_may_lie_beside_the_report_it_judges_but_not_over_its_files(runner, tmp_path):
    """`gate --report DIR --junit DIR/junit.xml`, a CI job's one artifacts folder, is written
    (it was refused: "a later run would read it as input", which no report read does); over
    one of the report's own files it is refused, as for the folder so for its report.json
    (`--junit DIR/rows.parquet` beside `--report DIR/report.json` wrote the XML over the rows)."""
    report = tmp_path / "qc"
    assert invoke(runner, "report", SAMPLE, "--config", SAMPLE_CONFIG, "--out", report, "-q").exit_code == 0
    kept = {name: (report / name).read_bytes() for name in ("report.json", "rows.parquet", "report.html")}
    beside = invoke(runner, "gate", "--report", report, "--config", SAMPLE_CONFIG, "--junit", report / "junit.xml")
    assert beside.exit_code == 1, beside.output
    assert ET.parse(report / "junit.xml").getroot().find("testsuite").get("tests") == "3"
    for judged in (report, report / "report.json"):
        for name in kept:
            refused = invoke(runner, "gate", "--report", judged, "--config", SAMPLE_CONFIG, "--junit", report / name)
            assert refused.exit_code == 2 and refused.output.strip().count("\n") == 0, refused.output
    assert {name: (report / name).read_bytes() for name in kept} == kept


def test_a_gate_annotation_is_one_line_whatever_a_benchmark_is_named(runner, tmp_path):
    """A benchmark's name is the user's and reaches the annotation's title: a line break in it
    would end the workflow command and start another (``::error::...``), and a ``:`` or ``,``
    would end the title. Escaped as GitHub's toolkit escapes a property, the runner's
    unescaping gives the name back."""
    name = "evil\n::error::x, a: b"
    item = "A farmer has seventeen sheep and all but nine run away; how many sheep does the farmer have left now?"
    (tmp_path / "bench.jsonl").write_text(json.dumps({"question": item}) + "\n")
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps({"text": t}) + "\n" for t in (item, "an unrelated row of text", "another row here")))
    config = tmp_path / "q.toml"
    config.write_text(f'[benchmarks.{json.dumps(name)}]\npath = "{tmp_path / "bench.jsonl"}"\n'
                      f'[contamination]\nmethods = ["ngram"]\n[gate]\nmax_benchmark_leak_rate = {{{json.dumps(name)} = 0}}\n')
    failed = invoke(runner, "gate", data, "--config", config, env={"GITHUB_ACTIONS": "true"})
    assert failed.exit_code == 1, failed.output
    commands = [line for line in failed.output.splitlines() if line.startswith("::")]
    assert len(commands) == 1 and commands[0].startswith("::error title=")
    title = commands[0].removeprefix("::error title=").split("::", 1)[0]
    for escaped, character in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):  # the runner's order
        title = title.replace(escaped, character)
    assert title == f"qcaudit gate max_benchmark_leak_rate.{name}"


@given(st.text(min_size=1, max_size=20), st.booleans())
def test_a_junit_file_is_xml_whatever_a_benchmark_is_named(name, passed):
    """A benchmark's name reaches the JUnit file's test names and messages: a control
    character in it (``\\x01``), which XML 1.0 cannot hold, escaped or not, made a file no
    CI system could parse. Written as its code point, ``<U+0001>``, as every renderer shows
    it, the name reads back, and so does a failed check's finding, which names its items."""
    from hypothesis import assume

    from qcaudit.gate import Check, GateResult, junit_xml

    assume("<U+" not in name)
    finding = None if passed else f"1 of {name}'s 2 items found in the data: {name}/0"  # (an item's id is the benchmark's too)
    check = Check(threshold_key=f"max_benchmark_leak_rate.{name}", metric=f"contamination.benchmark_leak_rate.{name}",
                  threshold=0.0, value=0.0 if passed else 0.5, passed=passed, finding=finding)
    root = ET.fromstring(junit_xml(GateResult(verdict="pass" if passed else "fail", checks=[check])).encode())

    def read_back(shown: str) -> str:
        return re.sub(r"<U\+([0-9A-F]{4,6})>", lambda m: chr(int(m[1], 16)), shown)

    case = next(root.iter("testcase"))
    assert read_back(case.get("name")) == f"max_benchmark_leak_rate.{name}"
    failures = list(case.iter("failure"))
    assert len(failures) == (not passed)
    if failures:
        assert failures[0].get("message") == failures[0].text
        assert read_back(failures[0].text) == f"contamination.benchmark_leak_rate.{name} = 0.5, needs <= 0 ({finding})"


def test_gate_on_a_saved_report(runner, tmp_path):
    out = tmp_path / "audit"
    assert invoke(runner, "report", CLEAN, "--config", SAMPLE_CONFIG, "--out", out, "-q").exit_code == 0
    assert invoke(runner, "gate", "--report", out / "report.json", "--config", SAMPLE_CONFIG).exit_code == 0
    strict = tmp_path / "strict.toml"
    strict.write_text("[gate]\nmax_self_bleu_4 = 0.1\n")
    result = invoke(runner, "gate", "--report", out, "--config", strict, "--json")
    assert result.exit_code == 1
    verdict = json.loads(result.output)
    assert verdict["verdict"] == "fail" and verdict["checks"][0]["metric"] == "diversity.self_bleu_4"


def test_a_narrow_terminal_folds_metric_names_rather_than_cutting_them(runner, tmp_path):
    """At 40 columns the summary and the gate cut each metric's name to the same first
    letters (``contamination.contaminat…``), so that per-benchmark metrics read alike."""
    out = tmp_path / "audit"
    assert invoke(runner, "report", SAMPLE, "--config", SAMPLE_CONFIG, "--out", out, "-q").exit_code == 0
    shown = invoke(runner, "gate", "--report", out, "--config", SAMPLE_CONFIG, "-t", "max_contamination_rate=0",
                   env={"COLUMNS": "40"})
    table = [line for line in shown.output.splitlines() if line.startswith("│")]  # (a finding below may quote text cut short)
    assert shown.exit_code == 1 and "…" not in "".join(table), shown.output
    assert max(len(line) for line in shown.output.splitlines()) <= 40
    first_cells = "".join(line.split("│")[1].strip() for line in shown.output.splitlines() if line.startswith("│"))
    for name in ("duplicates.exact_duplicate_rate", "diversity.self_bleu_4", "contamination.contamination_rate"):
        assert name in first_cells, first_cells
    summary = invoke(runner, "show", out, env={"COLUMNS": "40"})
    assert summary.exit_code == 0 and "diversity.self_bleu_4_sampled" in "".join(
        line.split("│")[1].strip() for line in summary.output.split("metrics")[1].splitlines() if line.startswith("│"))


def test_thresholds_given_on_the_command_line(runner, tmp_path):
    """--threshold KEY=VALUE gates without a config file, replaces the file's entry of that
    key and keeps its others, takes a benchmark's own key, and is checked as the file's are."""
    out = tmp_path / "audit"
    assert invoke(runner, "report", SAMPLE, "--config", SAMPLE_CONFIG, "--out", out, "-q").exit_code == 0
    duplicates = json.loads((out / "report.json").read_text())["metrics"]["duplicates"]["exact_duplicate_rate"]["value"]

    def verdict(*flags):
        result = invoke(runner, "gate", "--report", out, "--json", *flags)
        assert result.exit_code in (0, 1), result.output
        return {c["threshold_key"]: c["passed"] for c in json.loads(result.output)["checks"]}

    assert verdict("-t", f"max_exact_duplicate_rate={duplicates + 0.01}") == {"max_exact_duplicate_rate": True}
    assert verdict("--threshold", f"max_exact_duplicate_rate={duplicates - 0.01}") == {"max_exact_duplicate_rate": False}
    assert verdict("--config", SAMPLE_CONFIG, "-t", "max_exact_duplicate_rate=0.5") == {
        "max_exact_duplicate_rate": True, "max_self_bleu_4": False, "min_distinct_4": False}  # the file's others kept
    assert verdict("-t", "max_benchmark_leak_rate.gsm8k=0") == {"max_benchmark_leak_rate.gsm8k": False}  # not computed: missing
    for flag, says in (("max_self_bleu_4", "--threshold 'max_self_bleu_4': give KEY=VALUE"),
                       ("max_self_bleu=0.5", "unknown threshold 'max_self_bleu' (did you mean max_self_bleu_4?)"),
                       ("max_self_bleu_4=high", 'threshold max_self_bleu_4 = "high": give a number'),
                       ("max_self_bleu_4=2", "self_bleu_4 lies in [0, 1]")):
        result = invoke(runner, "gate", "--report", out, "-t", flag)
        assert result.exit_code == 2 and says in result.output and len(result.output.strip().splitlines()) == 1, result.output



def test_a_saved_report_without_configured_thresholds_is_judged_by_its_own(runner, tmp_path):
    """A CI job that gates a report another job made may lack the config file: the report
    holds the thresholds it was judged by, and they judge it again (it was 'no gate
    thresholds configured', exit 2); a report made without any still says so."""
    out, bare = tmp_path / "audit", tmp_path / "bare"
    assert invoke(runner, "report", SAMPLE, "--config", SAMPLE_CONFIG, "--out", out, "-q").exit_code == 0
    saved = json.loads((out / "report.json").read_text())["gate"]
    assert len(saved["checks"]) >= 3 and saved["verdict"] == "fail"
    again = invoke(runner, "gate", "--report", out, "--json")
    assert again.exit_code == 1 and json.loads(again.stdout) == saved, again.output
    said = invoke(runner, "gate", "--report", out)
    assert "note: no gate thresholds are configured: judging by the ones the report was made with" in said.stderr
    assert invoke(runner, "report", CLEAN, "--fields", "output", "--out", bare, "-q").exit_code == 0
    refused = invoke(runner, "gate", "--report", bare)
    assert refused.exit_code == 2 and "no gate thresholds configured (the report was made without any)" in refused.output


def test_a_threshold_on_a_metric_not_computed_fails_and_says_why(runner, tmp_path):
    config = tmp_path / "q.toml"
    config.write_text('analyzers = ["diversity"]\n[input]\nfields = ["output"]\n[gate]\nmax_exact_duplicate_rate = 0.5\n'
                      'max_self_bleu_3 = 1\nmin_prdc_recall = 0\n[gate.max_benchmark_leak_rate]\ngsm8k = 0\n')
    result = invoke(runner, "gate", CLEAN, "--config", config, "--junit", tmp_path / "junit.xml")
    assert result.exit_code == 1
    lines = " ".join(result.output.split())  # the console wraps long lines
    assert "duplicates.exact_duplicate_rate is missing from the report: it needs the duplicates analyzer (threshold" in lines
    assert ("diversity.self_bleu_3 is missing from the report: it needs the diversity analyzer with --self-bleu-n 3 "
            "([diversity] self_bleu_n) (threshold <= 1)") in lines
    assert "embeddings.prdc_recall is missing from the report: it needs the embeddings analyzer with a reference" in lines
    assert ("contamination.benchmark_leak_rate.gsm8k is missing from the report: it needs the contamination analyzer "
            "to report it for 'gsm8k'") in lines
    failures = [f.get("message") for f in ET.parse(tmp_path / "junit.xml").getroot().iter("failure")]
    assert len(failures) == 4 and all("is missing from the report: it needs the " in m for m in failures)
    # Doing what the message says reports the metric: the gate judges it.
    followed = invoke(runner, "gate", CLEAN, "--config", config, "--self-bleu-n", "3", "--json")
    checks = {c["metric"]: c["value"] for c in json.loads(followed.output)["checks"]}
    assert checks["diversity.self_bleu_3"] is not None and checks["duplicates.exact_duplicate_rate"] is None


def test_a_missing_metric_this_version_does_not_know_is_still_explained():
    """A saved report of another version may gate a metric this one does not declare."""
    from qcaudit.gate import Check

    check = Check(threshold_key="max_retired_rate", metric="retired.retired_rate", threshold=0.5, value=None, passed=False)
    assert check.message == "retired.retired_rate is missing from the report: it needs the retired analyzer (threshold <= 0.5)"


def test_config_errors_name_the_key(runner, tmp_path):
    cases = {
        "[gate]\nmax_self_blue_4 = 0.5\n": "unknown threshold 'max_self_blue_4' (did you mean max_self_bleu_4?)",
        "[gate]\nmax_leak_rate = 0\n": "unknown threshold 'max_leak_rate' (did you mean max_benchmark_leak_rate?)",
        "[gate]\nmax_vibes = 0\n": "unknown threshold 'max_vibes': use min_<metric>",
        # equally near max_self_bleu_1..8: the headline order; the orders listed as one run
        "[gate]\nmax_self_bleu = 0.5\n": "unknown threshold 'max_self_bleu' (did you mean max_self_bleu_4?)",
        "[gate]\nmax_distinct = 0.5\n": "unknown threshold 'max_distinct' (did you mean max_distinct_1?)",
        "[gate]\nmax_diversity_of_vibes = 0.5\n": "detector_tpr_at_1pct_fpr, distinct_1..8, distinct_1..8_sampled, entropy_1..8, exact_",
        "[diversity]\nmax_grams = 3\n": "unknown key 'diversity.max_grams'; the keys there are histogram_bins, max_n, sample_repeats",
        "[dedup]\nnear = true\n": "unknown key 'dedup'; the keys there are analyzers, answers, benchmarks, contamination, detectors, diversity",
        "[diversity]\nmax_ngram = 3\n": "unknown key 'diversity.max_ngram' (did you mean diversity.max_n?)",
        "[contamination]\nsemantic_threshhold = 0.9\n": "(did you mean contamination.semantic_threshold?)",
        "[diversty]\nmax_n = 3\n": "unknown key 'diversty' (did you mean diversity?)",
        "[diversity]\nvibes = 3\n": "unknown key 'diversity.vibes'",
        # a top-level key written below a table's header (TOML puts it inside), a table inside another
        "[input]\nfields = ['text']\nanalyzers = ['diversity']\n":
            "unknown key 'input.analyzers': 'analyzers' is not a key of [input] but a key of the top level: write it above",
        "[diversity]\nmax_n = 3\ngate = 1\n": "unknown key 'diversity.gate': 'gate' is not a key of [diversity] but a table [gate]",
        "[contamination]\nbenchmarks = 'b.jsonl'\n": "'benchmarks' is not a key of [contamination] but tables [benchmarks.NAME]",
        "[analyzers]\nenabled = ['diversity']\n": "q.toml: analyzers: a list (analyzers = [...]), not a table",
        "[embedding]\ndevice = 'cuda:1'\n": "embedding.device: give cuda, and choose the GPU with CUDA_VISIBLE_DEVICES=1",
        "[reward]\nmodel = 'rm'\ndevice = 'cuda:0'\n": "reward.device: give cuda, and choose the GPU with CUDA_VISIBLE_DEVICES=0",
        "[embedding]\ndevice = 'mps'\n": "embedding.device: Apple's GPUs (mps) are not supported: give cpu",
        "[diversity]\nmax_n = 0\n": "diversity.max_n",
        "[gate]\nmin_distinct_2 = 'high'\n": 'gate: threshold min_distinct_2 = "high": give a number or a table of numbers',
        "[gate]\nmax_self_bleu_4 = true\n": "threshold max_self_bleu_4 = true: give a number",
        "[gate]\nmax_benchmark_leak_rate = {gsm8k = 'x'}\n": 'threshold max_benchmark_leak_rate.gsm8k = "x": give a number',
        # a metric named as report.json writes it, unquoted: TOML reads a table min_diversity
        "[gate]\nmin_diversity.distinct_2 = 0.5\n": "unknown threshold 'min_diversity.distinct_2' (did you mean min_distinct_2?)",
        "[gate]\nmin_embeddings.vendi_1 = 50\n": "unknown threshold 'min_embeddings.vendi_1' (did you mean min_vendi_1?)",
        # a metric given a table of bounds, as other tools write a test
        "[gate]\n'contamination.contaminated_rate' = {max = 0}\n":
            "unknown threshold 'contamination.contaminated_rate.max' (did you mean max_contamination_rate?)",
        "analyzers = ['vibes']\n": "unknown analyzer 'vibes'; available: diversity,",
        "analyzers = ['Diversty']\n": "unknown analyzer 'Diversty' (did you mean diversity?); available: diversity,",
        "[gate\n": "not valid TOML",
        "analyzers = []\n": "q.toml: analyzers: none chosen; name at least one of: diversity,",
        "[contamination]\nmethods = []\n": "contamination.methods: List should have at least 1 item",
        "analyzers = ['contamination']\n": "q.toml: the contamination analyzer needs benchmarks",  # a whole-config check
        "[text]\ntokenizer = 'regex:a{2,1}'\n": "invalid pattern: invalid repetition count range, the start must be <= the end",
    }
    for text, message in cases.items():
        config = tmp_path / "q.toml"
        config.write_text(text)
        result = invoke(runner, "report", CLEAN, "--config", config, "--out", tmp_path / "never")
        assert result.exit_code == 2, (text, result.output)
        assert message in result.output and result.output.strip().count("\n") == 0, (text, result.output)
        assert not message.endswith("?)") or result.output.strip().endswith(message), result.output  # no list after it
    assert not (tmp_path / "never").exists()


def test_a_config_read_from_dev_null_or_a_pipe(tmp_path, monkeypatch):
    """`--config /dev/null` (no settings, whatever ./qcaudit.toml holds) and a pipe, as the
    shell's `--config <(...)` gives, are read; another device is refused (all three were
    "does not exist")."""
    import os
    import threading

    from qcaudit.config import load_config
    from qcaudit.errors import QcauditError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "qcaudit.toml").write_text("[diversity]\nmax_n = 2\n")
    assert load_config(None).diversity.max_n == 2
    assert load_config(os.devnull).diversity.max_n == load_config({}).diversity.max_n != 2
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_text("[diversity]\nmax_n = 3\n"))
    writer.start()
    assert load_config(pipe).diversity.max_n == 3
    writer.join()
    with pytest.raises(QcauditError, match="^config file /dev/zero is not a file; give a TOML file$"):
        load_config("/dev/zero")


def test_a_config_file_that_leads_with_a_byte_order_mark_is_read(runner, tmp_path):
    """Notepad and other Windows editors save UTF-8 with a BOM, which TOML parsers refuse."""
    config = tmp_path / "q.toml"
    config.write_bytes(b'\xef\xbb\xbfanalyzers = ["diversity"]\n[diversity]\nmax_n = 2\n')
    result = invoke(runner, "report", CLEAN, "--config", config, "--out", tmp_path / "o", "--json")
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)["metrics"]) == {"diversity"}
    assert "distinct_2" in json.loads(result.output)["metrics"]["diversity"]
    assert "distinct_3" not in json.loads(result.output)["metrics"]["diversity"]


def test_pyproject_tool_section_and_cli_overrides(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.qcaudit.input]\ntext_column = "instruction"\n[tool.qcaudit.diversity]\nmax_n = 2\n'
    )
    result = invoke(runner, "report", CLEAN, "--out", "a", "--self-bleu-n", "2", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["dataset"]["text_source"] == "column 'instruction'"
    assert set(report["metrics"]["diversity"]) >= {"distinct_2", "self_bleu_2"}
    assert "distinct_3" not in report["metrics"]["diversity"]


def test_a_text_the_config_file_chose_and_the_input_lacks_names_the_file(runner, tmp_path, monkeypatch):
    """A qcaudit.toml in the working directory, written for other data, chose the text
    without a word: the error said only that a column was unknown."""
    import qcaudit

    monkeypatch.chdir(tmp_path)
    pl.DataFrame({"text": ["one row of text", "another row here"]}).write_parquet(tmp_path / "plain.parquet")
    for name, config, says in (("qcaudit.toml", '[input]\nfields = ["instruction", "output"]\n', "qcaudit.toml"),
                               ("pyproject.toml", '[tool.qcaudit.input]\ntext_column = "prompt"\n', "pyproject.toml [tool.qcaudit]")):
        (tmp_path / name).write_text(config)
        result = invoke(runner, "report", "plain.parquet", "--out", "a")
        assert result.exit_code == 2 and " ".join(result.output.split()).endswith(
            f"available columns: text; the text was chosen by [input] in {says}"), result.output
        with pytest.raises(qcaudit.QcauditError, match=re.escape(f"the text was chosen by [input] in {says}")):
            qcaudit.audit(pl.Series(["one row", "two rows"]), analyzers=["duplicates"])
        with pytest.raises(qcaudit.QcauditError, match=re.escape(f"the text was chosen by [input] in {says}")):  # other settings given
            qcaudit.audit(pl.Series(["one row", "two rows"]), analyzers=["duplicates"], settings={"text.lowercase": True})
        # a text chosen by a flag or keyword is the user's own: no file to name
        result = invoke(runner, "report", "plain.parquet", "--out", "a", "--fields", "instruction")
        assert result.exit_code == 2 and "chosen by" not in result.output and "unknown column 'instruction'" in result.output
        with pytest.raises(qcaudit.QcauditError) as raised:
            qcaudit.audit(pl.Series(["one row", "two rows"]), fields=["instruction"])
        assert "chosen by" not in str(raised.value)
        (tmp_path / name).unlink()
    assert not (tmp_path / "a").exists()


def test_a_bad_option_is_not_blamed_on_the_config_file(runner, tmp_path, monkeypatch):
    """A bad value given on the command line is named as a setting, not as the config file's
    (a pyproject.toml without [tool.qcaudit], in the user's project, took the blame); a bad
    value in the file is still named with the file."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "theirs"\n')
    result = invoke(runner, "report", CLEAN, "--out", "a", "--tokenizer", "nope")
    assert result.exit_code == 2 and result.output.startswith("error: settings: text: unknown tokenizer 'nope'")
    (tmp_path / "pyproject.toml").write_text('[tool.qcaudit.diversity]\nmax_n = 2\n')
    result = invoke(runner, "report", CLEAN, "--out", "a", "--max-n", "0")
    assert result.exit_code == 2 and result.output.startswith("error: settings: diversity.max_n: ")
    (tmp_path / "pyproject.toml").write_text('[tool.qcaudit.diversity]\nmax_n = 0\n')
    result = invoke(runner, "report", CLEAN, "--out", "a", "--self-bleu-n", "2")
    assert result.exit_code == 2 and result.output.startswith("error: pyproject.toml [tool.qcaudit]: diversity.max_n: ")
    assert not (tmp_path / "a").exists()


def test_bad_input_is_one_line_exit_2_and_leaves_nothing(runner, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a b"}\n{"text": \n')
    out = tmp_path / "out"
    result = invoke(runner, "report", bad, "--out", out)
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "line 2" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert invoke(runner, "report", SAMPLE, "--text-column", "nope", "--out", out).exit_code == 2
    assert invoke(runner, "gate").exit_code == 2
    assert not out.exists()


def test_console_script_hides_tracebacks_unless_verbose(tmp_path):
    missing = tmp_path / "missing.parquet"
    command = [sys.executable, "-m", "qcaudit.cli", "report", str(missing), "--out", str(tmp_path / "o")]
    quiet = subprocess.run(command, capture_output=True, text=True)
    assert quiet.returncode == 2
    assert quiet.stderr.strip() == f"error: {missing} does not exist" and "Traceback" not in quiet.stderr
    verbose = subprocess.run([*command, "--verbose"], capture_output=True, text=True)
    assert verbose.returncode != 0 and "Traceback" in verbose.stderr


def test_html_escapes_dataset_text(runner, tmp_path):
    payload = '</script><script>alert("pwned")</script><img src=x onerror=alert(1)>'
    data = tmp_path / "evil.parquet"
    pl.DataFrame({"text": [payload] * 3 + ["a normal row of text", "another normal row"]}).write_parquet(data)
    out = tmp_path / "audit"
    assert invoke(runner, "report", data, "--out", out, "-q").exit_code == 0
    html = (out / "report.html").read_text()
    assert 'alert("pwned")' not in html and "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(&#34;pwned&#34;)" in html


def test_audit_api_returns_the_same_report(tmp_path):
    import qcaudit
    from qcaudit.config import load_config

    report = qcaudit.audit(CLEAN, load_config(SAMPLE_CONFIG))
    assert report.gate.verdict == "pass"
    assert report.rows.height == pl.read_parquet(CLEAN).height
    from qcaudit.report.html import write_report

    written = write_report(report, tmp_path)
    assert written["html"].is_file()
    assert json.loads(written["json"].read_text())["metrics"] == report.metrics
    assert report.value("diversity.distinct_4") == report.metrics["diversity"]["distinct_4"]["value"]


def test_the_command_lines_text_choice_replaces_the_files(runner, tmp_path):
    """The sample config joins fields; --text-column for one run replaces them (and
    --fields a file's text_column) instead of clashing; both on one command line clash."""
    from qcaudit import audit

    (tmp_path / "column.toml").write_text('[input]\ntext_column = "output"\n')
    for config, option, value, source in ((SAMPLE_CONFIG, "--text-column", "instruction", "column 'instruction'"),
                                          (tmp_path / "column.toml", "--fields", "instruction,input", "fields instruction, input")):
        result = invoke(runner, "report", CLEAN, "--config", config, option, value, "--analyzers", "duplicates",
                        "--out", tmp_path / "out", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["dataset"]["text_source"].startswith(source)
    assert audit(CLEAN, SAMPLE_CONFIG, text_column="instruction", analyzers="duplicates").dataset["text_source"] == "column 'instruction'"
    both = invoke(runner, "report", CLEAN, "--text-column", "instruction", "--fields", "input", "--out", tmp_path / "never")
    assert both.exit_code == 2 and "not both" in both.output and not (tmp_path / "never").exists()


def test_a_gate_without_thresholds_is_refused_before_the_audit(runner, tmp_path, monkeypatch):
    import qcaudit.pipeline

    monkeypatch.setattr(qcaudit.pipeline, "audit", lambda *a, **k: pytest.fail("the data was audited"))
    (tmp_path / "none.toml").write_text("[input]\nfields = ['output']\n")
    result = invoke(runner, "gate", CLEAN, "--config", tmp_path / "none.toml")
    assert result.exit_code == 2 and "no gate thresholds configured" in result.output, result.output


@pytest.mark.parametrize("config, says", [("missing.toml", "does not exist"), (".", "is a directory")])
def test_a_config_that_is_no_file_is_one_line_before_the_audit(runner, tmp_path, monkeypatch, config, says):
    """--config naming no file or a directory (given empty: test_hostile_inputs) is refused
    in one line, exit 2, before any data is read."""
    import qcaudit.pipeline

    monkeypatch.setattr(qcaudit.pipeline, "audit", lambda *a, **k: pytest.fail("the data was audited"))
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "report", CLEAN, "--config", config, "--out", tmp_path / "never")
    assert result.exit_code == 2 and says in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "never").exists()


def test_one_gate_table_serves_audits_and_drift_runs(runner, tmp_path, monkeypatch):
    """Drift's thresholds do not judge an audit, nor an audit's a drift run, whether the
    gate runs with the audit or on a saved report of either kind."""
    both = tmp_path / "both.toml"
    both.write_text("[input]\nfields = ['output']\n[gate]\nmin_distinct_2 = 0.01\nmax_alarm_fired = 0\n")
    audited = invoke(runner, "report", CLEAN, "--config", both, "--analyzers", "diversity", "--out", tmp_path / "a", "--json")
    assert audited.exit_code == 0, audited.output
    assert [c["metric"] for c in json.loads(audited.output)["gate"]["checks"]] == ["diversity.distinct_2"]
    half = pl.read_parquet(CLEAN).height // 2
    gens = [tmp_path / "g0.parquet", tmp_path / "g1.parquet"]
    pl.read_parquet(CLEAN).head(half).write_parquet(gens[0])
    pl.read_parquet(CLEAN).tail(half).write_parquet(gens[1])
    drifted = invoke(runner, "drift", *gens, "--config", both, "--out", tmp_path / "d", "--json")
    assert drifted.exit_code == 0, drifted.output
    assert [c["metric"] for c in json.loads(drifted.output)["gate"]["checks"]] == ["drift.alarm_fired"]
    for report, metric in ((tmp_path / "a", "diversity.distinct_2"), (tmp_path / "d", "drift.alarm_fired")):
        judged = invoke(runner, "gate", "--report", report, "--config", both, "--json")
        assert judged.exit_code == 0, judged.output
        assert [c["metric"] for c in json.loads(judged.output)["checks"]] == [metric]

    monkeypatch.setattr("qcaudit.pipeline.audit", lambda *a, **k: pytest.fail("the data was audited"))
    (tmp_path / "drift_only.toml").write_text("[input]\nfields = ['output']\n[gate]\nmax_alarm_fired = 0\n")
    refused = invoke(runner, "gate", CLEAN, "--config", tmp_path / "drift_only.toml")
    assert refused.exit_code == 2, refused.output
    assert "the [gate] thresholds (max_alarm_fired) judge drift runs (qcaudit drift), not an audit" in refused.output
    refused = invoke(runner, "gate", "--report", tmp_path / "d", "--config", SAMPLE_CONFIG)
    assert refused.exit_code == 2 and "judge audits, not a drift run" in refused.output, refused.output


def test_write_report_from_python_writes_what_the_command_writes(runner, tmp_path):
    import qcaudit

    assert invoke(runner, "report", CLEAN, "--fields", "output", "--out", tmp_path / "cli", "-q").exit_code == 0
    written = qcaudit.write_report(qcaudit.audit(CLEAN, fields=["output"]), tmp_path / "py")
    assert sorted(p.name for p in written.values()) == sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert json.loads(written["json"].read_text())["metrics"] == json.loads((tmp_path / "cli" / "report.json").read_text())["metrics"]
    assert "Lexical diversity" in written["html"].read_text()
    with pytest.raises(TypeError, match="write_report takes the Report that qcaudit.audit returns .* not a dict"):
        qcaudit.write_report(json.loads(written["json"].read_text()), tmp_path / "from_dict")
    assert not (tmp_path / "from_dict").exists()


def test_audit_keywords_are_the_command_line_flags(runner, tmp_path):
    """audit()'s keywords select what the CLI's flags select (analyzers also as the flag
    writes them, with commas); a path works as the config, and so does the file's content
    as a dict; a bad keyword setting, or a keyword of the wrong kind, is one QcauditError
    naming it."""
    from qcaudit import audit
    from qcaudit.errors import QcauditError

    out = tmp_path / "cli"
    assert invoke(runner, "report", CLEAN, "--fields", "instruction,input,output", "--analyzers", "diversity",
                  "--out", out, "-q").exit_code == 0
    by_keywords = audit(CLEAN, fields=["instruction", "input", "output"], analyzers="diversity", gate={"max_self_bleu_4": 0.01})
    assert by_keywords.metrics == json.loads((out / "report.json").read_text())["metrics"]
    assert by_keywords.gate.verdict == "fail" and by_keywords.gate.checks[0].metric == "diversity.self_bleu_4"
    by_file = audit(CLEAN, SAMPLE_CONFIG, analyzers=["diversity"])
    assert by_file.metrics == by_keywords.metrics and by_file.config["gate"] == tomllib.loads(SAMPLE_CONFIG.read_text())["gate"]
    by_dict = audit(CLEAN, tomllib.loads(SAMPLE_CONFIG.read_text()), analyzers="diversity, duplicates")  # the file's tables
    assert by_dict.config == audit(CLEAN, SAMPLE_CONFIG, analyzers=["diversity", "duplicates"]).config
    assert by_dict.config["analyzers"] == ["diversity", "duplicates"]
    bench = tmp_path / "bench.jsonl"
    bench.write_text(json.dumps({"question": pl.read_parquet(CLEAN)["instruction"][0]}) + "\n")
    leaked = audit(CLEAN, text_column="instruction", benchmarks={"toy": bench}, settings={"contamination.methods": ["ngram"]})
    assert leaked.value("contamination.contaminated_rows") >= 1 and "contamination" in leaked.config["analyzers"]
    for bad, needle in (({"settings": {"diversity.nope": 1}}, "diversity.nope"), ({"gate": {"max_nothing": 1}}, "max_nothing"),
                        ({"analyzers": ["nope"]}, "unknown analyzer 'nope'"),
                        ({"benchmarks": {"toy": pl.DataFrame({"question": ["q"]})}},
                         r"benchmark 'toy' is a DataFrame: give its test set's path .* frame\.write_parquet\('toy\.parquet'\)"),
                        ({"benchmarks": {"toy": ["What is 2 + 2?"]}}, "benchmark 'toy' is a list: give its test set's path"),
                        ({"gate": [("max_exact_duplicate_rate", 0.1)]}, r"audit\(\.\.\., gate=\.\.\.\) takes a dict of thresholds"),
                        ({"progress": "yes"}, r"progress=\.\.\.\) takes True, False or a rich Progress, not a str"),
                        ({"config": 3}, "takes a path, a dict of settings or a CoreConfig, not a int"),
                        ({"config": {"diversity": {"max_n": "x"}}}, "config: diversity.max_n: Input should be a valid integer")):
        with pytest.raises(QcauditError, match=needle) as caught:
            audit(CLEAN, **bad)
        assert "\n" not in str(caught.value)


def test_audit_takes_a_table_in_memory_as_it_takes_the_file(tmp_path):
    """A Polars DataFrame or LazyFrame, a pandas DataFrame, a pyarrow Table, RecordBatchReader,
    dataset or Array of structs, a dict of columns, a list of rows as dicts or a generator of
    them gives the file's report, and a Series, numpy array or pyarrow Array of texts that of
    the file's column; a list of strings (of paths? of texts?), a generator of them and bytes
    are refused in one line."""
    import pyarrow as pa
    import pyarrow.dataset

    import qcaudit

    frame = pl.read_parquet(CLEAN)
    arrow = frame.to_arrow()
    from_file = qcaudit.audit(CLEAN, fields=["instruction", "output"], analyzers=["diversity", "duplicates"])
    for table in (frame, frame.lazy(), frame.to_pandas(), arrow, frame.to_dict(as_series=False), frame.to_dicts(),
                  (row for row in frame.iter_rows(named=True)), pa.RecordBatchReader.from_batches(arrow.schema, arrow.to_batches(50)),
                  pyarrow.dataset.dataset(arrow), pa.array(frame.to_dicts())):
        report = qcaudit.audit(table, fields=["instruction", "output"], analyzers=["diversity", "duplicates"])
        assert report.metrics == from_file.metrics and report.rows.equals(from_file.rows), type(table)
        assert report.dataset["sources"] == [f"<{type(table).__name__}>"] and report.dataset["rows"] == frame.height
    column = qcaudit.audit(CLEAN, text_column="output", analyzers=["diversity"])
    for texts in (frame["output"], frame["output"].to_pandas(), frame["output"].to_numpy(), arrow["output"], arrow["output"].combine_chunks()):
        assert qcaudit.audit(texts, analyzers=["diversity"]).metrics == column.metrics, type(texts)
    for cut in (pa.RecordBatchReader.from_batches(arrow.schema, arrow.to_batches(15)), pyarrow.dataset.dataset(arrow)):
        assert qcaudit.audit(cut, limit=40, analyzers=["diversity"], fields=["instruction", "output"]).rows.equals(
            qcaudit.audit(frame.head(40), analyzers=["diversity"], fields=["instruction", "output"]).rows)
    yielded = []

    def rows():
        for row in frame.iter_rows(named=True):
            yielded.append(row)
            yield row

    first = qcaudit.audit(rows(), limit=40, analyzers=["diversity"], fields=["instruction", "output"])
    assert len(yielded) == first.dataset["rows"] == 40
    assert first.metrics == qcaudit.audit(frame.head(40), analyzers=["diversity"], fields=["instruction", "output"]).metrics
    for bad, needle in ((frame["instruction"].to_list(), "cannot read a list of strings as a dataset: texts and paths look alike"),
                        (b"text", "cannot read bytes as a dataset"), (frame.clear(), "holds no rows"),
                        (pa.RecordBatchReader.from_batches(arrow.schema, []), "the RecordBatchReader yielded no rows"),
                        (None, "cannot read None as a dataset"), (iter([]), "the list_iterator yielded no rows"),
                        (7, "cannot read an int as a dataset"), ([], "cannot read a list as a dataset: it is empty"),
                        ((text for text in frame["output"]), "cannot read a generator as a dataset: an iterator must yield rows as dicts")):
        with pytest.raises(qcaudit.QcauditError, match=needle) as caught:
            qcaudit.audit(bad)
        assert "\n" not in str(caught.value)


def test_a_pandas_frame_of_mixed_columns_reads_as_the_same_rows_in_json_lines(tmp_path):
    """pandas keeps a column that mixes text with numbers (a CSV's, a JSON file's) as Python
    objects, which Polars' conversion refused ("cannot read a DataFrame as a dataset: give
    ... a pandas DataFrame"): such a column reads as JSON Lines of the same values read, the
    numbers as their text and a missing value (None, NaN) as null; the caller's frame is
    left as it was; a dict of columns or a table that names a column twice says why."""
    import numpy as np
    import pandas as pd

    import qcaudit

    values = ["one two three", None, "four five six", 3.5, 7, "one two three", float("nan")]
    frame = pd.DataFrame({"text": values, "id": range(len(values))})
    lines = tmp_path / "same.jsonl"
    lines.write_text("".join(json.dumps({"text": None if isinstance(v, float) and np.isnan(v) else v, "id": i}) + "\n"
                             for i, v in enumerate(values)))
    from_pandas = qcaudit.audit(frame, analyzers=["diversity", "duplicates"])
    from_lines = qcaudit.audit(lines, analyzers=["diversity", "duplicates"])
    assert from_pandas.rows["text"].to_list() == from_lines.rows["text"].to_list() == [
        "one two three", None, "four five six", "3.5", "7", "one two three", None]
    assert from_pandas.metrics == from_lines.metrics
    assert frame["text"].tolist()[3:5] == [3.5, 7]  # (left as it was)
    with pytest.raises(qcaudit.QcauditError, match=r"^cannot read the dict of columns as a table: .*height of column 'b'"):
        qcaudit.audit({"a": ["x y", "z w"], "b": ["v u"]})
    semicolons = tmp_path / "semicolons.csv"
    semicolons.write_text("text;label\na b;1\nc d;2\n")
    with pytest.raises(qcaudit.QcauditError, match=re.escape("one column is named 'text;label': it was read from a file that "
                                                              "separates its fields by ';'; read it so (pandas: read_csv(path, sep=';'))")):
        qcaudit.audit(pd.read_csv(semicolons))  # (what pandas reads of it without sep=)
    assert qcaudit.audit(semicolons, analyzers="diversity").rows["text"].to_list() == ["a b", "c d"]  # the file itself
    twice = pd.DataFrame([["a b", "c d"]], columns=["text", "text"])  # (pandas allows it; it raised AttributeError)
    with pytest.raises(qcaudit.QcauditError, match=r"^cannot read the pandas DataFrame: it names more than one column 'text'"):
        qcaudit.audit(twice)
    complex_numbers = pd.DataFrame({"text": ["a b", "c d"], "z": np.array([1j, 2])})  # (it raised ArrowNotImplementedError)
    with pytest.raises(qcaudit.QcauditError, match=r"^cannot read the pandas DataFrame: column 'z' holds complex128, which Arrow cannot"):
        qcaudit.audit(complex_numbers)
    with pytest.raises(qcaudit.QcauditError, match=r"^cannot read the Table as a table: column appears more than once"):
        qcaudit.audit(pl.DataFrame({"text": ["a b"], "id": ["c d"]}).to_arrow().rename_columns(["text", "text"]))


def test_audit_shows_progress_when_asked_and_only_then(capfd):
    """``audit(..., progress=True)``: the command line's progress on stderr (plain lines where
    stderr is no terminal: a notebook's or a log's), for that call alone; none by default."""
    import qcaudit
    from qcaudit.progress import row_progress

    capfd.readouterr()
    quiet = qcaudit.audit(CLEAN, analyzers=["diversity"])
    assert capfd.readouterr().err == ""
    shown = qcaudit.audit(CLEAN, analyzers=["diversity"], progress=True)
    lines = capfd.readouterr().err.splitlines()
    rows = pl.read_parquet(CLEAN).height
    audited = [line for line in lines if line.startswith("audit (diversity): ")]
    assert audited and audited[-1].startswith(f"audit (diversity): {rows:,}/{rows:,} rows (100%)"), lines
    assert lines[-1] == "diversity: 4-grams", lines  # the steps after the pass, as plain lines too
    assert shown.metrics == quiet.metrics
    with row_progress("after", 10) as after:  # switched off again once the call returns
        after.advance(10)
    qcaudit.audit(CLEAN, analyzers=["diversity"], progress=False)
    assert capfd.readouterr().err == ""


def test_audit_takes_a_hugging_face_dataset_as_its_rows_are_selected():
    """A ``datasets`` Dataset gives the file's report; after ``shuffle``, ``select`` and
    ``filter`` its rows are those it yields, in its order (its ``data`` table holds them
    all, in the file's); an IterableDataset its rows, with a limit only that many; a
    DatasetDict (splits) is refused."""
    datasets = pytest.importorskip("datasets", reason="the datasets package (dev extra) is not installed")
    import qcaudit

    frame = pl.read_parquet(CLEAN)
    dataset = datasets.Dataset.from_polars(frame)
    chosen = {"fields": ["instruction", "output"], "analyzers": ["diversity", "duplicates"]}
    from_file = qcaudit.audit(CLEAN, **chosen)
    for table in (dataset, dataset.to_iterable_dataset()):
        report = qcaudit.audit(table, **chosen)
        assert report.metrics == from_file.metrics and report.rows.equals(from_file.rows), type(table)
    subset = dataset.shuffle(seed=0).select(range(200)).filter(lambda row: len(row["output"]) > 288)
    assert 2 < len(subset) < 200
    report = qcaudit.audit(subset, **chosen)
    assert report.rows["text"].to_list() == [f"{row['instruction']}\n{row['output']}" for row in subset]
    assert report.metrics == qcaudit.audit(subset.to_polars(), **chosen).metrics
    with pytest.raises(qcaudit.QcauditError, match=r"a DatasetDict holds a dataset's splits \(train, test\); "
                                                   r"give one split, e\.g\. data\['train'\]"):
        qcaudit.audit(datasets.DatasetDict({"train": dataset, "test": dataset}))
    texts = frame["output"].to_list()
    yielded = []

    def endless():  # a stream from the Hub may never end (this one: 10,000 rows): with a limit, only that many are read
        for i in range(10_000):
            yielded.append(i)
            yield {"text": texts[i % len(texts)] + f" ({i})"}

    streamed = qcaudit.audit(datasets.IterableDataset.from_generator(endless), limit=50, analyzers=["diversity"])
    assert streamed.dataset["rows"] == 50 and len(yielded) <= 51
    assert streamed.rows["text"].to_list() == [f"{texts[i]} ({i})" for i in range(50)]


@pytest.mark.parametrize("argv, commands", [([], ("report", "cache")), (["cache"], ("info", "compact", "clear"))])
def test_a_command_group_alone_prints_its_help_as_a_usage_error(capsys, argv, commands):
    """``qcaudit`` and ``qcaudit cache`` alone: the help on stdout, as written, and exit 2
    (``qcaudit cache`` printed its help squashed into one error line)."""
    from qcaudit.cli import run

    assert run(argv) == 2
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.startswith(f"Usage: qcaudit {' '.join(argv)}".rstrip() + " [OPTIONS] COMMAND")
    listed = captured.out.split("Commands:\n", 1)[1].splitlines()
    assert all(any(line.split()[0] == c for line in listed if line.strip()) for c in commands)


def test_version_flag_help_text_as_written_and_metric_lookup_names_the_choices(runner, tmp_path):
    from qcaudit import __version__, audit
    from qcaudit.config import load_config

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == __version__
    shown = runner.invoke(app, ["gate", "--help"]).output
    assert "the [gate] thresholds" in shown  # a TOML table name, not swallowed as markup
    assert "gate [OPTIONS] [DATA]" in " ".join(shown.split())
    assert "<str>" not in shown and "<bool>" not in shown and "--text-column COLUMN" in shown and "-b, --benchmark NAME=PATH" in shown
    assert shown.index("Input: which part of each row is the text:") < shown.index("Watermark")  # panels, analyzers' last
    usage = " ".join(runner.invoke(app, ["report", "--help"]).output.split())
    assert "report [OPTIONS] DATA " in usage and "{DATA}" not in usage
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": ["one two three", "four five six", "one two"]}).write_parquet(data)
    report = audit(data, load_config(None, {"analyzers": ["duplicates"]}))
    with pytest.raises(KeyError, match=r"it has: duplicates\.exact_duplicate_rate"):
        report.value("duplicates.nope")
    # a metric by its name alone, as the gate names it, where one analyzer reports it
    assert report.value("exact_duplicate_rate") == report.metrics["duplicates"]["exact_duplicate_rate"]["value"]
    with pytest.raises(KeyError, match="no metric 'nope' in this report"):
        report.value("nope")
    shared = report.model_copy(update={"metrics": report.metrics | {"other": {"exact_duplicate_rate": {"value": 0.5}}}})
    with pytest.raises(KeyError, match="reported by duplicates and other: name one, e.g. duplicates.exact_duplicate_rate"):
        shared.value("exact_duplicate_rate")
    assert shared.value("other.exact_duplicate_rate") == 0.5


def test_a_report_shows_itself_in_a_notebook_escaped(tmp_path):
    from qcaudit import audit
    from qcaudit.config import load_config

    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": ["<script>alert(1)</script> one two", "three four five", "three four five"]}).write_parquet(data)
    report = audit(data, load_config(None, {"analyzers": ["diversity", "duplicates"], "gate": {"max_exact_duplicate_rate": 0.1}}))
    shown = report._repr_html_()
    assert "gate: <b>FAIL</b>" in shown and "duplicates.exact_duplicate_rate" in shown and "≤ 0.1" in shown
    assert f"{report.value('diversity.self_bleu_4'):.4g}" in shown  # a headline metric
    assert "<script>" not in shown


def test_a_report_prints_itself_on_one_line_escaped(tmp_path):
    """``repr(report)`` at a Python prompt: what was read, the gate, the metrics by analyzer
    and the rows' shape on one line (the model's fields were tens of kilobytes: every table
    and the rows' text), a file name's escape sequence shown as its code point; and
    ``dir(qcaudit)`` lists what the package hands out on first use (tab completion)."""
    import qcaudit

    data = tmp_path / "\x1b[31mred.parquet"
    pl.DataFrame({"text": ["one two three", "three four five", "three four five"]}).write_parquet(data)
    report = qcaudit.audit(data, analyzers=["diversity", "duplicates"], gate={"max_exact_duplicate_rate": 0.1})
    counts = {analyzer: len(metrics) for analyzer, metrics in report.metrics.items()}
    assert repr(report) == str(report) == (
        f"Report(3 rows of {tmp_path}/<U+001B>[31mred.parquet (parquet); gate: fail; metrics: diversity "
        f"({counts['diversity']}), duplicates ({counts['duplicates']}); rows: DataFrame 3 × {report.rows.width})")
    assert repr(qcaudit.audit(data, analyzers=["diversity"], lazy_rows=True)).endswith("rows: LazyFrame)")
    assert {"audit", "write_report", "QcauditError"} <= set(dir(qcaudit))


def test_each_filter_command_shows_only_the_options_that_apply(runner, tmp_path):
    """dedup and decontaminate run one analyzer: its flags, the input and run settings, and
    their own tuning flag; not the other analyzers' (watermark, detectors) nor --analyzers."""
    dedup = runner.invoke(app, ["dedup", "--help"]).output
    decontaminate = runner.invoke(app, ["decontaminate", "--help"]).output
    for shown in (dedup, decontaminate):
        assert "--watermark-gamma" not in shown and "--scoring-model" not in shown and "--analyzers" not in shown
        assert "--fields" in shown and "--max-memory" in shown
    assert "--threshold JACCARD" in dedup and "--methods METHOD,..." in decontaminate
    report = runner.invoke(app, ["report", "--help"]).output
    assert "--watermark-gamma" in report and "--threshold" not in report  # dedup's own flag is dedup's alone
    rows = ["the cat sat on the mat today", "the cat sat on the mat today!", "a dog ran in the park at noon", "two three four five six"]
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": rows}).write_parquet(data)
    kept = {}
    for threshold in ("0.3", "0.95"):
        out = tmp_path / f"kept-{threshold}.parquet"
        result = runner.invoke(app, ["dedup", str(data), "--output", str(out), "--threshold", threshold, "-q"])
        assert result.exit_code == 0, result.output
        kept[threshold] = pl.read_parquet(out).height
    assert kept["0.3"] < kept["0.95"] <= len(rows)  # a lower threshold merges more rows
    for flag in ("-o", "--out", "--output"):  # one meaning everywhere: where the command writes
        assert runner.invoke(app, ["report", str(data), flag, str(tmp_path / f"r{flag}"), "-q"]).exit_code == 0
        assert (tmp_path / f"r{flag}" / "report.json").is_file()


def test_a_filters_summary_counts_in_words_and_names_rows_it_could_not_judge(runner, tmp_path):
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": ["the cat sat on the mat today", "the cat sat on the mat today", None, "  "]}).write_parquet(data)
    said = " ".join(runner.invoke(app, ["dedup", str(data), "-o", str(tmp_path / "k.parquet")]).output.split())
    assert f"kept 3 rows (2 of them without text, which no filter judges) -> {tmp_path / 'k.parquet'}; removed 1" in said
    pl.DataFrame({"text": ["one row alone"]}).write_parquet(data)
    said = " ".join(runner.invoke(app, ["dedup", str(data), "-o", str(tmp_path / "k.parquet")]).output.split())
    assert f"kept 1 row -> {tmp_path / 'k.parquet'}; removed 0" in said




@given(st.dictionaries(st.sampled_from(["distinct_", "self_bleu_", "vendi_", "rm_"]),
                       st.sets(st.integers(0, 12), min_size=1, max_size=6), max_size=4),
       st.sets(st.sampled_from(["mmd", "vendi_inf", "tokens_p05", "distinct_2_sampled"]), max_size=4))
def test_a_run_of_numbered_metrics_is_listed_once_and_stands_for_exactly_them(numbered, plain):
    """The unknown-threshold message lists ``distinct_1..8`` for distinct_1, ..., distinct_8:
    what it lists, expanded, is every name once and nothing else; a run stands for three
    names or more, consecutive, and names are listed alone only when no such run holds them."""
    import re

    from qcaudit.config import _numbered_runs

    names = sorted({f"{head}{n}" for head, numbers in numbered.items() for n in numbers} | plain)
    listed = _numbered_runs(names)
    expanded = []
    for item in listed:
        run = re.fullmatch(r"(.*_)(\d+)\.\.(\d+)(.*)", item)
        if run:
            assert int(run[3]) - int(run[2]) >= 2
            expanded += [f"{run[1]}{n}{run[4]}" for n in range(int(run[2]), int(run[3]) + 1)]
        else:
            expanded.append(item)
    assert sorted(expanded) == names and len(expanded) == len(names)
    for head, numbers in numbered.items():  # a consecutive set of three or more is one run
        ordered = sorted(numbers)
        whole = len(ordered) >= 3 and ordered == list(range(ordered[0], ordered[-1] + 1))
        assert (f"{head}{ordered[0]}..{ordered[-1]}" in listed) == whole


def test_extra_arguments_say_why_a_command_line_may_hold_them(capsys, tmp_path, monkeypatch):
    """``qcaudit report data/*.parquet`` unquoted: the shell hands over every file; ``--analyzers
    diversity duplicates``: a list written as words. Each error says which, in one line."""
    from qcaudit.cli import run

    monkeypatch.chdir(tmp_path)
    for name in ("a.parquet", "b.parquet"):
        pl.DataFrame({"text": ["one row of words", "and another row"]}).write_parquet(tmp_path / name)
    cases = {("report", "a.parquet", "b.parquet"): "several files were given (a glob the shell expanded?): give their folder",
             ("report", "a.parquet", "--analyzers", "diversity", "duplicates"): "an option's list is comma-separated",
             ("report", "a.parquet", "--out", "x"): None}
    for argv, hint in cases.items():
        code = run(list(argv))
        err = capsys.readouterr().err
        if hint is None:
            assert code == 0 and "comma-separated" not in err and "several files" not in err
            continue
        assert code == 2 and "Got unexpected extra argument" in err and hint in err and err.strip().count("\n") == 0, err
        other = "several files" if "comma" in hint else "comma-separated"
        assert other not in err


def test_an_option_named_like_a_gate_threshold_says_how_thresholds_are_given(capsys, tmp_path, monkeypatch):
    """``qcaudit gate data --max-contaminated-rows 0`` (a threshold written as a flag, as
    other tools take them) says ``-t max_contaminated_rows=VALUE``; report's error names the
    gate command; an existing option without its value or an unrelated unknown one gets no
    such hint."""
    from qcaudit.cli import run

    monkeypatch.chdir(tmp_path)
    pl.DataFrame({"text": ["one row of words", "and another row"]}).write_parquet(tmp_path / "a.parquet")
    cases = {("gate", "a.parquet", "--max-contaminated-rows", "0"): "a gate threshold is -t max_contaminated_rows=VALUE",
             ("report", "a.parquet", "--min_distinct_2", "0.3"): "a gate threshold is qcaudit gate -t min_distinct_2=VALUE",
             ("report", "a.parquet", "--max-n"): None, ("gate", "a.parquet", "--maximum", "2"): None}
    for argv, hint in cases.items():
        assert run(list(argv)) == 2
        err = capsys.readouterr().err
        assert err.strip().count("\n") == 0 and (hint in err if hint else "gate threshold" not in err), err


def test_each_filter_command_runs_from_python_as_on_the_command_line(runner, tmp_path):
    """qcaudit.dedup and qcaudit.decontaminate (each filter command by its name) return in
    memory the rows the command writes: the kept and the removed (with why) as Polars frames
    from a path or a Polars frame; a pandas frame's own rows, its index and values as given;
    a Hugging Face Dataset's own rows. dir(qcaudit) lists them; a filter without what it judges
    by, or a keyword of the wrong kind, is one QcauditError."""
    import datasets

    import qcaudit

    frame = pl.read_parquet(SAMPLE)
    bench = tmp_path / "bench.jsonl"
    bench.write_text("".join(json.dumps({"question": q}) + "\n" for q in frame["instruction"][:3]))
    for command, flags, keywords in (("dedup", [], {}), ("decontaminate", ["-b", f"toy={bench}", "--methods", "ngram,substring"],
                                                                   {"benchmarks": {"toy": bench}, "methods": "ngram,substring"})):
        out = tmp_path / f"{command}.parquet"
        assert invoke(runner, command, SAMPLE, *flags, "--fields", "instruction,input,output", "-o", out, "-q").exit_code == 0
        written_kept, written_removed = pl.read_parquet(out), pl.read_parquet(tmp_path / f"{command}.removed.parquet")
        assert written_removed.height > 0 and written_kept.height + written_removed.height == frame.height
        function = getattr(qcaudit, command)
        for data in (SAMPLE, frame):
            kept, removed, report = function(data, fields=["instruction", "input", "output"], **keywords)
            assert kept.equals(written_kept) and removed.equals(written_removed), (command, type(data))
            assert report.rows.height == frame.height
        as_pandas = frame.to_pandas()
        as_pandas.index = [f"r{i}" for i in range(len(as_pandas))]
        kept, removed, _ = function(as_pandas, fields=["instruction", "input", "output"], **keywords)
        gone = written_removed["row_id"].to_list()
        assert kept.equals(as_pandas.drop(index=as_pandas.index[gone])) and list(removed.index) == list(as_pandas.index[gone])
        reasons = [name for name in written_removed.columns if name not in frame.columns and name != "row_id"]
        assert reasons and removed[reasons].reset_index(drop=True).equals(written_removed.select(reasons).to_pandas())
        kept, removed, _ = function(datasets.Dataset.from_polars(frame), fields=["instruction", "input", "output"], **keywords)
        assert isinstance(kept, datasets.Dataset) and kept.to_polars().equals(written_kept)
        assert removed.to_polars().equals(written_removed.drop("row_id"))
    assert {"dedup", "decontaminate", "filter"} <= set(dir(qcaudit))
    for call, needle in ((lambda: qcaudit.decontaminate(frame), "decontaminate: the contamination analyzer needs benchmarks"),
                         (lambda: qcaudit.dedup(frame, settings=[1]), r"dedup\(\.\.\., settings=\.\.\.\) takes a dict"),
                         (lambda: qcaudit.dedup(frame, settings={"duplicates.nope": 1}), "duplicates.nope")):
        with pytest.raises(qcaudit.QcauditError, match=needle):
            call()


def test_the_rows_a_filter_removed_filtered_again_keep_their_own_reasons(runner, tmp_path, capfd):
    """A removed-rows file holds removed_by and duplicate_of; filtered again, its kept rows
    are its own (they lost those two columns and gained removed_by_right, Polars' join
    suffix), and its removed rows hold them as input_removed_by and input_duplicate_of
    beside the new reasons, as an input row_id is input_row_id: from parquet, from JSON Lines
    (its records as written), and from Python with pandas and a Hugging Face Dataset."""
    import datasets

    import qcaudit

    for suffix in ("parquet", "jsonl"):
        first = tmp_path / f"first.{suffix}"
        assert invoke(runner, "dedup", SAMPLE, "-o", first, "-q").exit_code == 0
        gone = tmp_path / f"first.removed.{suffix}"
        again = tmp_path / f"again.{suffix}"
        assert invoke(runner, "dedup", gone, "-o", again, "-q").exit_code == 0
        read = pl.read_parquet if suffix == "parquet" else pl.read_ndjson
        before, kept, removed = read(gone), read(again), read(tmp_path / f"again.removed.{suffix}")
        assert kept.columns == before.columns and kept.height + removed.height == before.height
        assert kept.equals(before.filter(~pl.col("row_id").is_in(removed["input_row_id"].implode())))
        assert removed.columns == ["row_id", "input_row_id", *[c for c in before.columns if c != "row_id"][:-2],
                                   "input_removed_by", "input_duplicate_of", "removed_by", "duplicate_of"]
        by_row = before.join(removed, left_on="row_id", right_on="input_row_id", suffix="_again")
        assert by_row["removed_by"].equals(by_row["input_removed_by"], check_names=False)
        assert removed["removed_by"].is_not_null().all() and removed["duplicate_of"].max() < before.height
    before = pl.read_parquet(tmp_path / "first.removed.parquet")
    capfd.readouterr()
    for table in (before.to_pandas(), datasets.Dataset.from_polars(before)):
        kept, removed, _ = qcaudit.dedup(table)
        columns = list(removed.columns if hasattr(removed, "iloc") else removed.column_names)
        assert columns[-4:] == ["input_removed_by", "input_duplicate_of", "removed_by", "duplicate_of"], columns
        assert list(kept.columns if hasattr(kept, "iloc") else kept.column_names) == before.columns
    assert "Flattening" not in capfd.readouterr().err  # (datasets' bar, as a column was added to the removed rows)


def test_a_filter_commands_flags_are_its_python_functions_keywords(runner, tmp_path):
    """Each flag of a filter command is a keyword of its Python function, named as the flag
    (``qcaudit dedup --threshold 0.5`` is ``qcaudit.dedup(data, threshold=0.5)``) and shown in
    its signature; a list or its names with commas, as the flag takes them; a keyword that is
    no flag of the command is a TypeError that names its flags."""
    import inspect

    import qcaudit

    out = tmp_path / "kept.parquet"
    default = qcaudit.dedup(SAMPLE, fields=["instruction", "input", "output"])
    assert invoke(runner, "dedup", SAMPLE, "--fields", "instruction,input,output", "--threshold", "0.5", "-o", out,
                  "-q").exit_code == 0
    kept, removed, report = qcaudit.dedup(SAMPLE, fields=["instruction", "input", "output"], threshold=0.5)
    assert kept.equals(pl.read_parquet(out)) and report.config["duplicates"]["near_threshold"] == 0.5
    assert removed.height > default.removed.height  # (a lower threshold finds more near duplicates)
    assert "threshold" in inspect.signature(qcaudit.dedup).parameters
    assert {"methods", "judge_model"} <= set(inspect.signature(qcaudit.decontaminate).parameters)
    assert {"reward_model", "strategy", "top_k"} <= set(inspect.signature(qcaudit.filter).parameters)
    bench = tmp_path / "bench.jsonl"
    bench.write_text(json.dumps({"question": pl.read_parquet(SAMPLE)["instruction"][0]}) + "\n")
    methods = [qcaudit.decontaminate(SAMPLE, benchmarks={"toy": bench}, methods=given).report.config["contamination"]["methods"]
               for given in ("substring, ngram", ["substring", "ngram"])]
    assert methods == [["substring", "ngram"]] * 2
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'thresold' \(did you mean 'threshold'\?\); its flags as "
                                        "keywords: .*threshold"):
        qcaudit.dedup(SAMPLE, thresold=0.5)
    with pytest.raises(TypeError, match=r"'benchmark' \(did you mean 'benchmarks'\?\)"):  # (-b is benchmarks= in Python)
        qcaudit.decontaminate(SAMPLE, benchmark=["toy=bench.jsonl"])
    with pytest.raises(TypeError, match=r"'colour'; its flags"):
        qcaudit.dedup(SAMPLE, colour="red")
    with pytest.raises(qcaudit.QcauditError, match="near_threshold"):
        qcaudit.dedup(SAMPLE, threshold=5)


def test_audit_takes_each_analyzer_flag_as_a_keyword(tmp_path):
    """qcaudit.audit(data, max_n=3) is qcaudit report --max-n 3: the same settings and metrics
    as the setting by its dotted key; a keyword that is no flag is a TypeError naming them."""
    import qcaudit

    by_flag = qcaudit.audit(SAMPLE, analyzers="diversity", max_n=3, self_bleu_n=3)
    by_key = qcaudit.audit(SAMPLE, analyzers="diversity", settings={"diversity.max_n": 3, "diversity.self_bleu_n": 3})
    default = qcaudit.audit(SAMPLE, analyzers="diversity")
    assert by_flag.config["diversity"] == by_key.config["diversity"] != default.config["diversity"]
    assert by_flag.metrics == by_key.metrics
    assert "self_bleu_3" in by_flag.metrics["diversity"] and "self_bleu_3" not in default.metrics["diversity"]
    import inspect

    for function, own in ((qcaudit.audit, "lazy_rows"), (qcaudit.sample, "rate")):  # (help() and a notebook's completion)
        parameters = inspect.signature(function).parameters
        assert {own, "max_n", "reward_model", "device", "prompt_fields"} <= set(parameters) and "flags" not in parameters
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'maxn' \(did you mean 'max_n'\?\); its flags as keywords: "):
        qcaudit.audit(SAMPLE, maxn=3)


def test_the_command_lines_own_flags_are_keywords_too(runner, tmp_path):
    """The flags every auditing command has beside the analyzers' (--prompt-fields,
    --response-field, --lowercase, --batch-rows, --device, --engine, ...) are keywords of the
    Python functions, named as the flags, shown in the filters' signatures: the same report
    as the command line's."""
    import inspect

    import qcaudit

    out = tmp_path / "out"
    flags = ["--prompt-fields", "instruction,input", "--response-field", "output", "--lowercase", "--batch-rows", "200"]
    assert invoke(runner, "report", SAMPLE, "--analyzers", "diversity", *flags, "--out", out, "-q").exit_code == 0
    by_keyword = qcaudit.audit(SAMPLE, analyzers="diversity", prompt_fields=["instruction", "input"], response_field="output",
                               lowercase=True, batch_rows=200)
    written = json.loads((out / "report.json").read_text())
    assert by_keyword.config == written["config"] and by_keyword.metrics == written["metrics"]
    assert by_keyword.config["input"]["prompt"] == ["instruction", "input"] and by_keyword.config["text"]["lowercase"] is True
    assert {"prompt_fields", "lowercase", "device", "engine", "threshold"} <= set(inspect.signature(qcaudit.dedup).parameters)
    with pytest.raises(TypeError, match=r"'devise' \(did you mean 'device'\?\)"):
        qcaudit.audit(SAMPLE, devise="cpu")
    with pytest.raises(TypeError, match=r"dedup\(\) got an unexpected keyword argument 'analyzers'; its flags"):
        qcaudit.dedup(SAMPLE, analyzers="diversity")  # (a filter runs its own analyzer)


def test_a_python_callers_errors_name_keywords_where_the_command_names_flags(runner, tmp_path):
    """The messages are the command line's; from audit(), sample(), a filter and
    audit_drift() the flags they name are said as the function's keywords."""
    import qcaudit

    untitled = pl.DataFrame({"a": ["some words here", "more words"], "n": [1, 2]})  # (one column of text alone is the text)
    texts = untitled.rename({"a": "text"})
    for call, said in ((lambda: qcaudit.audit(untitled), "choose one with text_column= or fields= from: a"),
                       (lambda: qcaudit.sample(untitled), "choose one with text_column= or fields= from: a"),
                       (lambda: qcaudit.dedup(untitled), "choose one with text_column= or fields= from: a"),
                       (lambda: qcaudit.audit_drift([untitled, untitled]), "choose one with text_column= or fields= from: a"),
                       (lambda: qcaudit.decontaminate(texts), "needs benchmarks: benchmarks={NAME: PATH} or [benchmarks.NAME]"),
                       (lambda: qcaudit.audit(texts, analyzers="contamination"), "needs benchmarks: benchmarks={NAME: PATH}"),
                       (lambda: qcaudit.audit(texts, header=False), "header=False ([input] header = false) is for CSV")):
        with pytest.raises(qcaudit.QcauditError) as caught:
            call()
        assert said in str(caught.value) and "--" not in str(caught.value)
    untitled.write_parquet(tmp_path / "untitled.parquet")  # (the command line's own messages keep its flags)
    for command in ("report", "sample", "dedup"):
        ran = runner.invoke(app, [command, str(tmp_path / "untitled.parquet"), "-o", str(tmp_path / (command if command == "report" else f"{command}.parquet"))])
        assert ran.exit_code == 2 and "choose one with --text-column or --fields from: a" in ran.output, ran.output


def test_flags_as_keywords_says_only_the_flags_a_keyword_sets():
    from qcaudit.pipeline import flags_as_keywords

    keywords = {"text_column", "header", "benchmarks", "watermark_ignore_repeated"}
    assert flags_as_keywords("use --text-column or --no-header; --benchmark NAME=PATH, --benchmark, --out DIR, --text-columns",
                             keywords) == ("use text_column= or header=False; benchmarks={NAME: PATH}, benchmarks=, --out DIR, "
                                           "--text-columns")
    assert flags_as_keywords("--no-watermark-ignore-repeated and --watermark-ignore-repeated", keywords) == (
        "watermark_ignore_repeated=False and watermark_ignore_repeated=")
    assert flags_as_keywords("a -- b, x--y", keywords) == "a -- b, x--y"
    keywords = {"ifd_model", "max_n", "tokenizer", "role", "analyzers"}
    assert flags_as_keywords("--ifd-model PATH or [ifd] model; --max-n 5 or more; use --tokenizer cjk or --tokenizer hf:PATH; "
                             "--role needs a chat column; (--analyzers embeddings,topics)", keywords) == (
        "ifd_model=PATH or [ifd] model; max_n=5 or more; use tokenizer=cjk or tokenizer=hf:PATH; role= needs a chat column; "
        "(analyzers=embeddings,topics)")


def test_sample_from_python_chooses_the_rows_the_command_writes(runner, tmp_path):
    """qcaudit.sample gives the rows `qcaudit sample` writes (same size, rate and seed flags,
    same audit keywords); a setting out of range is one QcauditError."""
    import qcaudit

    out, reviews = tmp_path / "review.parquet", []
    for flags, keywords in ((["--rate", "0.05", "--seed", "3"], {"rate": 0.05, "seed": 3}), (["--size", "12"], {"size": 12})):
        assert invoke(runner, "sample", SAMPLE, "--fields", "instruction,input,output", *flags, "-o", out, "-q").exit_code == 0
        reviews.append(qcaudit.sample(pl.read_parquet(SAMPLE), fields=["instruction", "input", "output"], **keywords))
        assert reviews[-1].equals(pl.read_parquet(out)) and reviews[-1].height == (12 if "size" in keywords else 45)
    other_seed = qcaudit.sample(SAMPLE, fields=["instruction", "input", "output"], rate=0.05, seed=4)
    assert other_seed.height == 45 and other_seed["row_id"].to_list() != reviews[0]["row_id"].to_list()
    with pytest.raises(qcaudit.QcauditError, match=r"sample.rate: Input should be less than or equal to 1 \(got 1.5\)"):
        qcaudit.sample(SAMPLE, rate=1.5)
    assert invoke(runner, "sample", SAMPLE, "--fields", "instruction,input,output", "--size", "12", "--self-bleu-n", "3", "-o",
                  out, "-q").exit_code == 0
    by_flag = qcaudit.sample(SAMPLE, fields=["instruction", "input", "output"], size=12, self_bleu_n=3)
    assert by_flag.equals(pl.read_parquet(out)) and "self_bleu_3" in by_flag.columns and "self_bleu_4" not in by_flag.columns


def test_a_command_run_in_process_leaves_the_programs_logging_as_it_was(tmp_path, capsys):
    """qcaudit.cli.run (a notebook's or a test's in-process command) shows qcaudit's warnings
    on stderr while it runs, none with -q; afterwards the "qcaudit" logger's level,
    propagation and handlers are the program's again, so a later audit's warning reaches the
    program's own handler (it was lost at ERROR after any run with -q)."""
    import logging

    import qcaudit
    from qcaudit.cli import run

    logger = logging.getLogger("qcaudit")
    before = logger.level, logger.propagate, list(logger.handlers)
    data = tmp_path / "one.jsonl"
    data.write_text("".join(json.dumps({"text": text, "n": n}) + "\n" for text, n in (("some words here", None), ("other words there", None),
                                                                                    ("a third row", 3))))
    for quiet in ([], ["-q"]):
        assert run(["report", str(data), "--fields", "text,n", "--out", str(tmp_path / "out"), *quiet]) == 0
        assert ("warning: field 'n' holds" in capsys.readouterr().err) is not quiet
        assert (logger.level, logger.propagate, list(logger.handlers)) == before
    seen = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: seen.append(record.getMessage())
    logger.addHandler(handler)
    try:
        qcaudit.audit(data, fields=["text", "n"], analyzers="diversity")
    finally:
        logger.removeHandler(handler)
    assert any("field 'n' holds" in message for message in seen)
