"""report.json against its published JSON Schema (reports/report-v1.schema.json), checked with
jsonschema, a validator independent of the pydantic model the schema comes from."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import jsonschema
import polars as pl
import pytest

from qcaudit.cli import app
from qcaudit.report.model import SCHEMA_FILE

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads((ROOT / "reports" / SCHEMA_FILE).read_text(encoding="utf-8"))


def test_the_published_schema_is_the_models(schema):
    spec = importlib.util.spec_from_file_location("write_report_schema", ROOT / "scripts" / "write_report_schema.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert json.loads(script.schema_text()) == schema, "run: python scripts/write_report_schema.py"
    jsonschema.Draft202012Validator.check_schema(schema)


def _reports(runner, tmp_path) -> list[dict]:
    """An audit with its sample config's gate, one with every lexical option, and a drift report."""
    audited = runner.invoke(app, ["report", str(SAMPLES / "instructions.parquet"), "--config", str(SAMPLES / "qcaudit.toml"),
                                  "--out", str(tmp_path / "a"), "--json"])
    assert audited.exit_code == 0, audited.output
    lexical = runner.invoke(app, ["report", str(SAMPLES / "instructions_clean.parquet"), "--max-n", "2", "--lowercase",
                                  "--analyzers", "diversity", "--out", str(tmp_path / "b"), "--json"])
    assert lexical.exit_code == 0, lexical.output
    generations = []
    for i in range(3):
        path = tmp_path / f"gen{i}.parquet"
        pl.DataFrame({"text": [f"row {j} of generation {i} says {'much ' * (j % 5)}" for j in range(40)]}).write_parquet(path)
        generations.append(str(path))
    drift = runner.invoke(app, ["drift", *generations, "--out", str(tmp_path / "d"), "--json"])
    assert drift.exit_code == 0, drift.output
    written = [json.loads((tmp_path / name / "report.json").read_text()) for name in ("a", "b", "d")]
    assert written[0] == json.loads(audited.output)  # --json prints what report.json holds
    return written


def test_every_report_json_validates_and_damage_does_not(runner, tmp_path, schema):
    validator = jsonschema.Draft202012Validator(schema)
    reports = _reports(runner, tmp_path)
    for report in reports:
        validator.validate(report)
    damaged = copy.deepcopy(reports[0])
    damaged["metrics"]["diversity"]["self_bleu_4"]["value"] = "high"
    assert not validator.is_valid(damaged)
    for key in ("schema_version", "gate", "dataset"):
        broken = copy.deepcopy(reports[0])
        del broken[key]
        assert not validator.is_valid(broken), key
    extra = copy.deepcopy(reports[0]) | {"surprise": 1}
    assert not validator.is_valid(extra)


def test_a_damaged_report_is_refused_at_the_place_of_its_first_fault(runner, tmp_path):
    """A value that fits none of the union of a metric's types is said once, at the value's
    place, not as the first type's failure (``value.int: Input should be a valid integer``)."""
    from qcaudit.errors import QcauditError
    from qcaudit.report.model import Report

    report = _reports(runner, tmp_path)[0]
    damages = {"metrics.diversity.self_bleu_4.value: Input should be a valid integer, a valid number, a valid boolean or "
               "a valid list (got str)": lambda r: r["metrics"]["diversity"]["self_bleu_4"].update(value="high"),
               "metrics.diversity.self_bleu_4.value: Field required": lambda r: r["metrics"]["diversity"]["self_bleu_4"].pop("value"),
               "dataset: Field required": lambda r: r.pop("dataset")}
    for said, damage in damages.items():
        broken = copy.deepcopy(report)
        damage(broken)
        (tmp_path / "r.json").write_text(json.dumps(broken))
        with pytest.raises(QcauditError) as caught:
            Report.read(tmp_path / "r.json")
        assert str(caught.value) == f"{tmp_path / 'r.json'}: malformed report: {said}"


def test_a_report_of_another_schema_version_says_which_and_what_to_do(runner, tmp_path):
    """A CI job's pinned qcaudit gating a report that a newer one wrote is told to upgrade
    (it said only "not a qcaudit report of schema version 1"); any other version is named."""
    from qcaudit import __version__
    from qcaudit.report.model import SCHEMA_VERSION

    report = _reports(runner, tmp_path)[0]
    path = tmp_path / "r.json"
    newer = (f"written by a newer qcaudit (qcaudit 9.9, report schema {SCHEMA_VERSION + 1}); this one ({__version__}) reads "
             f"schema {SCHEMA_VERSION}: upgrade qcaudit, or audit the data again with this version")
    other = (f"report schema '{SCHEMA_VERSION}' (qcaudit 9.9); this qcaudit ({__version__}) reads schema {SCHEMA_VERSION}: "
             "audit the data again with this version")
    for version, said in ((SCHEMA_VERSION + 1, newer), (str(SCHEMA_VERSION), other)):
        path.write_text(json.dumps(report | {"schema_version": version, "qcaudit_version": "9.9"}))
        for command in (["gate", "--report", str(path)], ["show", str(path)], ["card", str(path)]):
            ran = runner.invoke(app, command)
            assert ran.exit_code == 2, (command, ran.output)
            assert ran.output.strip() == f"error: {path}: {said}", ran.output


def _leaves(value, place=()):
    """Every place in a report's tables (dicts by key, lists by their first item) with what is there."""
    yield place, value
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*place, key))
    elif isinstance(value, list) and value:
        yield from _leaves(value[0], (*place, 0))


def test_damaged_tables_are_refused_in_one_line_or_drawn_whole(runner, tmp_path):
    """report.json's schema leaves each section's tables to its analyzer, so a report of another
    qcaudit version, or edited by hand, can hold tables that validate and that its views cannot
    read. Every place in the tables of an audit and of a drift report, replaced by a value of
    another kind, is either refused when read (one line naming the file and the section's
    tables) or drawn whole by the console, the card and the HTML page; before, such a report
    ended in an internal error (a KeyError, a format code for a str) halfway through 'show'."""
    import io

    from rich.console import Console

    from qcaudit.errors import QcauditError
    from qcaudit.report.card import card
    from qcaudit.report.console import print_sections, print_summary
    from qcaudit.report.html import render_html
    from qcaudit.report.sections import read_report

    path = tmp_path / "r.json"
    refused = drawn = 0
    for report in (r for i, r in enumerate(_reports(runner, tmp_path)) if i != 1):
        for section, tables in report["tables"].items():
            for place, value in _leaves(tables):
                for other in (None, "x", 7, [], {}):
                    if type(other) is type(value) and other == value:
                        continue
                    broken = copy.deepcopy(report)
                    if place:
                        *outer, last = place
                        holder = broken["tables"][section]
                        for key in outer:
                            holder = holder[key]
                        holder[last] = other
                    else:
                        broken["tables"][section] = other
                    path.write_text(json.dumps(broken))
                    try:
                        loaded = read_report(path)
                    except QcauditError as exc:
                        said = str(exc)
                        assert "\n" not in said
                        assert said.startswith(f"{path}: malformed report: ") and f"tables.{section}" in said, (
                            place, other, said)
                        refused += 1
                        continue
                    print_summary(Console(file=io.StringIO()), loaded)
                    print_sections(Console(file=io.StringIO()), loaded)
                    card(loaded)
                    render_html(loaded)
                    drawn += 1
    assert refused > 50 and drawn > 50, (refused, drawn)


def test_damaged_tables_are_one_line_and_exit_2_from_every_command_that_draws(runner, tmp_path):
    from qcaudit import __version__

    report = _reports(runner, tmp_path)[0]
    damages = {
        "tables.diversity": ("Histogram.edges: 'str' instances are not allowed as a Sequence value",
                             lambda t: t["diversity"]["histograms"]["n_tokens"].update(edges="0 1 2")),
        "tables.duplicates": ("KeyError: 'exact_dup_group'", lambda t: t["duplicates"]["top_groups"][0].pop("exact_dup_group")),
    }
    for section, (why, damage) in damages.items():
        broken = copy.deepcopy(report)
        damage(broken["tables"])
        folder = tmp_path / section
        folder.mkdir()
        (folder / "report.json").write_text(json.dumps(broken))
        # (the dashboard at an address no machine has: were the report not refused first, it could not start either)
        for command in (["show", str(folder)], ["card", str(folder)], ["dashboard", str(folder), "--host", "192.0.2.1"]):
            result = runner.invoke(app, command)
            assert result.exit_code == 2, (command, result.output)
            assert result.output == (f"error: {folder / 'report.json'}: malformed report: qcaudit {__version__} cannot draw "
                                     f"{section} ({why}); 'qcaudit report' remakes the report\n"), command
