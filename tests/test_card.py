"""``qcaudit card``: a Hugging Face dataset-card section from a saved report."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
import yaml

from qcaudit.cli import app
from qcaudit.report.card import END, START, _published, size_category
from qcaudit.untrusted import markdown

HOSTILE = "a|b [link](http://x.example) <img src=x onerror=alert(1)>"
BENCH = "b|<b>x</b>[l](y)"  # a benchmark name is a TOML key (no dot) before "=PATH" (no "=")


@pytest.fixture
def report_dir(runner, tmp_path):
    """A report whose file, column and benchmark names are hostile Markdown."""
    data = tmp_path / f"{HOSTILE.replace('/', '_')}.parquet"
    rows = [f"row {i} about topic {i % 7} with words {i * 3}" for i in range(60)]
    pl.DataFrame({HOSTILE: rows + rows[:5]}).write_parquet(data)
    bench = tmp_path / "bench.jsonl"
    bench.write_text(json.dumps({"question": rows[3]}) + "\n")
    config = tmp_path / "q.toml"
    config.write_text("[gate]\nmax_exact_duplicate_rate = 0.01\n[contamination]\nmethods = [\"substring\"]\n")
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", str(data), "--text-column", HOSTILE, "-b", f"{BENCH}={bench}", "--config", str(config),
                                 "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_the_card_has_metadata_the_gate_and_headline_metrics_and_no_live_markup(runner, report_dir):
    result = runner.invoke(app, ["card", str(report_dir)])
    assert result.exit_code == 0, result.output
    text = result.output
    _, front, body = text.split("---\n", 2)
    metadata = yaml.safe_load(front)
    report = json.loads((report_dir / "report.json").read_text())
    assert metadata == {"size_categories": [size_category(report["dataset"]["rows"])], "tags": ["qcaudit"]}
    assert body.lstrip().startswith(START) and body.rstrip().endswith(END)
    data = report["dataset"]["sources"][0]
    assert data.startswith(str(report_dir.parent)) and str(report_dir.parent) not in body  # no local directory in a card
    assert f"rows of {markdown(data.rsplit('/', 1)[1]).replace('|', chr(92) + '|')} (`parquet`)" in body
    assert "**Quality gate: FAIL**" in body and "`duplicates.exact_duplicate_rate`" in body
    value = report["metrics"]["duplicates"]["exact_duplicate_rate"]["value"]
    assert f"| `duplicates.exact_duplicate_rate` | {value:.4g} | ↓ lower | GSM8K train 0 ·" in body
    # the section's notice; hostile, so a code span; its benchmark file by name, as the data's (no local directory)
    assert f"- Contamination: `Checked against {BENCH} (1 items from bench.jsonl, read as gsm8k; 1 found in the data: {BENCH}/0)." in body
    outside_code = re.sub(r"(`+).*?\1", "", body)  # every hostile name sits in a code span
    assert "<img" not in outside_code and "](http" not in outside_code
    for table in re.split(r"\n\n+", body):  # an escaped pipe never splits a cell: every row as wide as the header
        rows = [line for line in table.splitlines() if line.startswith("|")]
        assert len({len(re.findall(r"(?<!\\)\|", row)) for row in rows}) <= 1, table


def test_the_card_replaces_only_its_own_section(runner, report_dir, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("---\nlicense: mit\n---\n# My data\n\nIntro.\n\n" + START + "\nOUTDATED SECTION\n" + END + "\n\n## Uses\nAnything.\n")
    assert runner.invoke(app, ["card", str(report_dir), "-o", str(readme)]).exit_code == 0
    merged = readme.read_text()
    assert merged.startswith("---\nlicense: mit\ntags:\n- qcaudit\n---\n# My data\n\nIntro.\n\n" + START)
    assert merged.endswith(END + "\n\n## Uses\nAnything.\n")
    assert "OUTDATED SECTION" not in merged and "**Quality gate: FAIL**" in merged
    # a card without the section (as push_to_hub writes one) gets it at its end, and metadata where it has none
    hub = tmp_path / "hub.md"
    hub.write_text("---\ndataset_info:\n  features: []\n---\n# someone's card\n")
    assert runner.invoke(app, ["card", str(report_dir), "-o", str(hub)]).exit_code == 0
    added = hub.read_text()
    assert added.startswith("---\ndataset_info:\n  features: []\ntags:\n- qcaudit\n---\n# someone's card\n\n" + START)
    assert added.endswith(END + "\n")
    assert runner.invoke(app, ["card", str(report_dir), "-o", str(hub)]).exit_code == 0 and hub.read_text() == added  # once
    plain = tmp_path / "plain.md"
    plain.write_text("# someone's card\n")
    assert runner.invoke(app, ["card", str(report_dir), "-o", str(plain)]).exit_code == 0
    assert re.fullmatch(r"---\nsize_categories:\n- n<1K\ntags:\n- qcaudit\n---\n# someone's card\n\n" + START + r".*" + END + "\n",
                        plain.read_text(), re.DOTALL)
    unpaired = tmp_path / "unpaired.md"
    unpaired.write_text(f"# card\n{END}\n{START}\n")
    refused = runner.invoke(app, ["card", str(report_dir), "-o", str(unpaired)])
    assert refused.exit_code == 2 and "are not a pair in that order" in " ".join(refused.output.split())
    assert unpaired.read_text() == f"# card\n{END}\n{START}\n"
    two = f"# card\n{START}\nold audit\n{END}\n{START}\nolder audit\n{END}\n"  # one would be left with its old numbers
    unpaired.write_text(two)
    refused = runner.invoke(app, ["card", str(report_dir), "-o", str(unpaired)])
    assert refused.exit_code == 2 and f"it holds 2 {START} and 2 {END} lines; keep one pair" in " ".join(refused.output.split())
    assert unpaired.read_text() == two
    fresh = tmp_path / "new.md"
    written = runner.invoke(app, ["card", str(report_dir), "-o", str(fresh)])
    assert written.exit_code == 0 and written.output.startswith("wrote ")
    assert fresh.read_text().startswith("---\nsize_categories:")
    quiet = runner.invoke(app, ["card", str(report_dir), "-o", str(tmp_path / "quiet.md"), "-q"])
    assert quiet.exit_code == 0 and quiet.output == "" and (tmp_path / "quiet.md").read_text() == fresh.read_text()
    assert runner.invoke(app, ["card", str(tmp_path / "missing")]).exit_code == 2
    folder = runner.invoke(app, ["card", str(report_dir), "-o", str(tmp_path)])
    assert folder.exit_code == 2 and f"--output {tmp_path} is a directory; give the name of a file" in " ".join(folder.output.split())
    for name in ("report.json", "report.html"):  # the card was merged into the report's own file: the report was lost
        before = (report_dir / name).read_bytes()
        own = runner.invoke(app, ["card", str(report_dir / "report.json"), "-o", str(report_dir / name)])
        assert own.exit_code == 2 and "is one of the report's own files; write the card elsewhere" in " ".join(own.output.split())
        assert (report_dir / name).read_bytes() == before


@pytest.mark.parametrize("existing", ["---\r\nlicense: mit\r\ntags:\r\n- text\r\n---\r\n\r\n# My data\r\n\r\nIntro.\r\n",
                                      "# My data\r\nIntro.\r\n", f"# My data\r\n\r\n{START}\r\nold\r\n{END}\r\n\r\n## Uses\r\nAny.\r\n"])
def test_a_card_written_with_windows_line_endings_keeps_them(runner, report_dir, tmp_path, existing):
    """Each of a card's lines that ended in \\r\\n ends so after the merge, the section's and
    the metadata's added lines too: every line of it was rewritten with \\n alone."""
    readme = tmp_path / "README.md"
    readme.write_bytes(existing.encode())
    assert runner.invoke(app, ["card", str(report_dir), "-o", str(readme)]).exit_code == 0
    merged = readme.read_bytes().decode()
    assert merged.count("\n") == merged.count("\r\n") > existing.count("\r\n")
    kept = [line for line in existing.split("\r\n") if line and line != "old"]
    assert all(f"{line}\r\n" in merged for line in kept) and "\r\nold\r\n" not in merged
    assert merged.replace("\r\n", "\n").count(START) == 1
    assert runner.invoke(app, ["card", str(report_dir), "-o", str(readme)]).exit_code == 0 and readme.read_bytes().decode() == merged


@pytest.mark.parametrize("metadata, tagged", [
    ("license: mit\n", "license: mit\ntags:\n- qcaudit\n"),  # no tags: a key of its own
    ("tags:\n- a\n- b\nlicense: mit\n", "tags:\n- a\n- b\n- qcaudit\nlicense: mit\n"),  # a block list, as push_to_hub writes
    ("tags:\n  - a\n\nconfigs:\n- config_name: default\n", "tags:\n  - a\n  - qcaudit\n\nconfigs:\n- config_name: default\n"),
    ("tags: [a, b]\n", "tags: [a, b, qcaudit]\n"), ("tags: []\n", "tags: [qcaudit]\n"), ("tags:\n", "tags:\n- qcaudit\n"),
    ("dataset_info:\n  features:\n  - name: tags\n    dtype: string\n",
     ("dataset_info:\n  features:\n  - name: tags\n    dtype: string\ntags:\n- qcaudit\n")),  # a nested key named tags is not the card's
    ("tags:\n- qcaudit\n", "tags:\n- qcaudit\n"),  # once
    ("tags: one\n", "tags: one\n"), ("tags: [a\n", "tags: [a\n"), ("- a list\n", "- a list\n"),  # not edited: kept as written
])
def test_an_existing_cards_metadata_gets_the_tag_and_keeps_every_other_line(runner, report_dir, tmp_path, metadata, tagged):
    """The tag is added to the metadata of a card qcaudit did not write; the result read back
    is the metadata as it was with the one tag more (yaml), where it can be edited at all."""
    readme = tmp_path / "README.md"
    readme.write_text(f"---\n{metadata}---\n# card\n")
    assert runner.invoke(app, ["card", str(report_dir), "-o", str(readme)]).exit_code == 0
    merged = readme.read_text()
    assert merged.startswith(f"---\n{tagged}---\n# card\n\n{START}"), merged[:300]
    if tagged != metadata:
        before, after = yaml.safe_load(metadata) or {}, yaml.safe_load(tagged)
        assert after == before | {"tags": [*(before.get("tags") or []), "qcaudit"]}


def test_every_renderer_says_how_many_inputs_it_leaves_unnamed(runner, tmp_path):
    """Five shards audited: the console's first line, the notebook's view, the HTML page and
    the card name the first three and "and 2 more" (they named three as if they were all; the
    page named every one, thousands of shards in its header)."""
    from qcaudit import audit

    for i in range(5):
        pl.DataFrame({"text": [f"row {i} {j} of shard words" for j in range(20)]}).write_parquet(tmp_path / f"part-{i}.parquet")
    glob = str(tmp_path / "part-*.parquet")
    printed = runner.invoke(app, ["report", glob, "--analyzers", "diversity", "--out", str(tmp_path / "audit")])
    assert printed.exit_code == 0, printed.output
    first_line = " ".join(printed.output.split("metrics")[0].split())
    assert "part-0.parquet, " in first_line and "part-2.parquet and 2 more (parquet): 100 rows" in first_line
    report = audit(glob, analyzers=["diversity"])
    assert "part-2.parquet and 2 more (parquet)" in report._repr_html_()
    page = (tmp_path / "audit" / "report.html").read_text()  # the page names three, and lists all under a summary
    assert "part-2.parquet and 2 more (parquet)" in page and "<summary>all 5 inputs</summary>" in page and "part-4.parquet" in page
    carded = runner.invoke(app, ["card", str(tmp_path / "audit"), "-o", str(tmp_path / "card.md")])
    assert carded.exit_code == 0 and "`part-2.parquet` and 2 more (`parquet`)" in (tmp_path / "card.md").read_text()


def test_a_drift_reports_card_has_no_column_of_public_values_it_lacks(runner, tmp_path):
    """drift's metrics have no values on public data: their card had a column of dashes and
    a paragraph naming the public corpora under it."""
    paths = []
    for generation in range(3):
        paths.append(tmp_path / f"gen{generation}.parquet")
        words = [f"w{i}" for i in range(200 // (generation + 1))]
        pl.DataFrame({"text": [" ".join(words[(j * 7 + k) % len(words)] for k in range(12)) for j in range(60)]}).write_parquet(paths[-1])
    assert runner.invoke(app, ["drift", *map(str, paths), "--out", str(tmp_path / "drift"), "-q"]).exit_code == 0
    drifted = runner.invoke(app, ["card", str(tmp_path / "drift")])
    assert drifted.exit_code == 0, drifted.output
    assert "| metric | value | better | what it measures |" in drifted.output and "`drift.distinct_2`" in drifted.output
    assert "on public data" not in drifted.output and "Public data:" not in drifted.output
    table = [line for line in drifted.output.splitlines() if line.startswith("| ")]
    assert len({len(re.findall(r"(?<!\\)\|", row)) for row in table}) == 1, table


@pytest.mark.parametrize("rows, label", [(0, "n<1K"), (999, "n<1K"), (1000, "1K<n<10K"), (7473, "1K<n<10K"), (2_000_000, "1M<n<10M")])
def test_size_categories_are_hugging_faces(rows, label):
    assert size_category(rows) == label


@pytest.mark.parametrize("source, shown", [
    ("/home/alice/project/train.parquet", "train.parquet"), ("data/shards/", "shards"), ("train.jsonl", "train.jsonl"),
    ("/home/alice/corpus/shards/*.parquet", "shards/*.parquet"), ("*.parquet", "*.parquet"),
    ("s3://bucket/data/", "s3://bucket/data/"), ("hf://datasets/org/name/train.parquet", "hf://datasets/org/name/train.parquet"),
])
def test_a_card_names_a_local_input_without_its_directories(source, shown):
    assert _published(source) == shown
