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
