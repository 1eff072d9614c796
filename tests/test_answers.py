"""The answers analyzer: each response's final answer against the row's reference answer."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcaudit import audit
from qcaudit.config import load_config
from qcaudit.report.html import render_html
from qcaudit.sampling import write_sample
from tests.test_dashboard import HOSTILE, _app, _page
from tests.test_hostile_inputs import one_line_error, qc  # noqa: F401  (a fixture)

GSM8K = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks" / "gsm8k" / "train.jsonl"

#: How a solution may end in its answer (a LaTeX solution's box, GSM8K's mark, MetaMathQA's sentence).
ENDINGS = ("So the total is $\\boxed{{{}}}$.", "#### {}", "The answer is: {}")


def _written(value: Fraction, as_decimal: bool) -> str:
    """A number as a reference or a solution writes it: a whole number, a decimal, a fraction."""
    if value.denominator == 1:
        return str(value.numerator)
    return str(float(value)) if as_decimal else f"\\frac{{{value.numerator}}}{{{value.denominator}}}"


_VALUE = st.builds(Fraction, st.integers(-50, 50), st.sampled_from([1, 1, 2, 4]))


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), _VALUE), st.one_of(st.none(), _VALUE), st.sampled_from(ENDINGS),
                               st.booleans()), min_size=1, max_size=12))
def test_a_final_answer_matches_where_its_value_is_the_reference_s(tmp_path_factory, rows):
    """Solutions whose working holds other numbers end in an answer (boxed, after ``####``, or
    in a sentence) of a known value; the reference gives its value as a whole number, a
    decimal or a fraction. A row matches where the two values are equal (Python's fractions,
    the reference), over the rows with both a response and a reference; a response without
    its value holds no answer."""
    records = []
    for answer, reference, ending, decimal in rows:
        solution = None if answer is None else "First 3 + 4 = 7, then 7 - 2 = 5. " + ending.format(_written(answer, decimal))
        records.append({"problem": "Find it.", "generated_solution": solution,
                        "expected_answer": None if reference is None else _written(reference, not decimal)})
    path = tmp_path_factory.mktemp("answers") / "rows.parquet"
    pl.DataFrame(records, schema=dict.fromkeys(records[0], pl.String)).write_parquet(path)
    report = audit(path, load_config(None, {"answers.reference": "expected_answer", "analyzers": ["answers"]}))
    checked = [(answer, reference) for answer, reference, _, _ in rows if answer is not None and reference is not None]
    assert report.value("answers.checked") == len(checked)
    per_row = report.rows.sort("row_id")
    expected = [None if answer is None or reference is None else answer == reference for answer, reference, _, _ in rows]
    assert per_row["answer_match"].to_list() == expected
    if checked:
        assert report.value("answers.answer_match_rate") == pytest.approx(sum(a == r for a, r in checked) / len(checked))
        assert report.value("answers.answer_found_rate") == 1.0


def test_gsm8k_solutions_match_their_own_answers_and_not_another_s():
    """GSM8K's training solutions (worked steps, then ``#### N``) against the number after
    their mark: all match (lines 627 and 1743 of train.jsonl say "answered" in their
    working, which Math-Verify took for an answer before the mark was read first); against
    the next row's number, only where the two are equal."""
    if not GSM8K.exists():
        pytest.skip(f"GSM8K is not at {GSM8K} (../shared/data)")
    rows = [json.loads(line) for line in GSM8K.read_text().splitlines()[:2000]]
    finals = [row["answer"].rsplit("####", 1)[1].strip().replace(",", "") for row in rows]
    shifted = finals[1:] + finals[:1]
    frame = pl.DataFrame({"question": [row["question"] for row in rows], "answer": [row["answer"] for row in rows],
                          "final": finals, "other": shifted})
    own = audit(frame, load_config(None, {"answers.reference": "final"}))
    assert own.value("answers.checked") == 2000 and own.value("answers.answer_match_rate") == 1.0
    other = audit(frame, load_config(None, {"answers.reference": "other"}))
    assert other.value("answers.answer_match_rate") == pytest.approx(sum(a == b for a, b in zip(finals, shifted)) / 2000)


@pytest.mark.parametrize("reference, dtype, found", [
    ("expected_answer", pl.String, True), ("Ground_Truth", pl.Int64, True), ("gold_answer", pl.List(pl.String), False),
    ("answer", pl.String, False),  # (GSM8K's whole solution, too common a name to be a reference)
])
def test_a_reference_found_by_name_beside_a_response_turns_the_analyzer_on(reference, dtype, found):
    """OpenMathInstruct's layout (a problem, a generated solution, its expected answer) is
    checked without naming the reference, as is any column named as a reference answer, of
    text or numbers, beside a response: the report's settings name it. A column of another
    name or kind, or one beside no response, does not."""
    values = [4, 7] if dtype == pl.Int64 else [["4"], ["7"]] if dtype == pl.List(pl.String) else ["4", "7"]
    frame = pl.DataFrame({"problem": ["2+2?", "3+3?"], "generated_solution": ["So \\boxed{4}.", "So \\boxed{6}."],
                          reference: pl.Series(values, dtype=dtype)})
    report = audit(frame)
    assert ("answers" in report.config["analyzers"]) == found
    if found:
        assert report.config["answers"]["reference"] == reference and report.value("answers.answer_match_rate") == 0.5
    assert "answers" not in audit(frame.drop("generated_solution")).config["analyzers"]  # (no response)


def test_verify_keeps_the_rows_whose_answer_is_the_reference_s_and_those_it_cannot_check(qc, tmp_path):  # noqa: F811
    """``qcaudit verify`` (rejection sampling's step) writes the rows whose final answer is the
    reference's, and those without a solution or a reference, which it cannot check, with the
    input's columns; the others beside them with why and the answer found. ``qcaudit.verify``
    returns the same split in memory. The reference is found by name as the report finds it;
    without one it is one line and exit 2, and writes nothing."""
    import qcaudit

    rows = [("2+2?", "So \\boxed{4}.", "4"), ("3+3?", "So \\boxed{7}.", "6"), ("1+1?", "I cannot say.", "2"),
            ("5+5?", None, "10"), ("6+6?", "So \\boxed{12}.", None), ("1/2+0?", "It is $\\frac{1}{2}$.", "0.5")]
    frame = pl.DataFrame(rows, schema=["problem", "generated_solution", "expected_answer"], orient="row")
    frame.write_parquet(data := tmp_path / "math.parquet")
    ran = qc("verify", data, "--reference-answer", "expected_answer", "-o", kept := tmp_path / "kept.parquet")
    assert ran.code == 0, ran.err
    assert pl.read_parquet(kept).equals(frame[[0, 3, 4, 5]])
    removed = pl.read_parquet(tmp_path / "kept.removed.parquet")
    assert removed["problem"].to_list() == ["3+3?", "1+1?"] and removed["final_answer"].to_list() == ["7", None]
    assert removed["removed_by"].to_list() == ["final answer not the reference's", "no final answer"]
    split = qcaudit.verify(frame, reference_answer="expected_answer")
    assert split.kept.equals(frame[[0, 3, 4, 5]]) and split.removed["problem"].to_list() == ["3+3?", "1+1?"]
    assert qc("verify", data, "-o", found := tmp_path / "found.parquet").code == 0  # (expected_answer: found by name)
    assert pl.read_parquet(found).equals(frame[[0, 3, 4, 5]])
    frame.rename({"expected_answer": "answer"}).write_parquet(unnamed := tmp_path / "unnamed.parquet")
    one_line_error(qc("verify", unnamed, "-o", tmp_path / "k.parquet"), "--reference-answer COLUMN")
    assert not (tmp_path / "k.parquet").exists()


def test_the_rows_not_matched_are_listed_first_in_input_order_with_their_reference_s_end(tmp_path):
    """The page lists the first :data:`SHOWN` rows whose answer is not the reference's, in
    input order whatever the batches, each reference as its last characters (a worked
    solution's final answer is at its end)."""
    from qcaudit.analyzers.answers import REFERENCE_CHARS, SHOWN

    rows = SHOWN + 9
    references = [" ".join(["we work it out"] * 40) + f" #### {i}" for i in range(rows)]
    frame = pl.DataFrame({"problem": [f"Q{i}?" for i in range(rows)], "solution": ["So \\boxed{-1}."] * rows,
                          "reference": references})
    frame.write_parquet(data := tmp_path / "math.parquet")
    for batch_rows in (rows, 7):
        settings = {"answers.reference": "reference", "analyzers": ["answers"], "engine.batch_rows": batch_rows}
        report = audit(data, load_config(None, settings))
        listed = report.tables["answers"]["mismatched"]
        assert [r["row_id"] for r in listed] == list(range(SHOWN))
        assert [r["reference"] for r in listed] == ["…" + reference[-REFERENCE_CHARS:] for reference in references[:SHOWN]]


def test_answers_flag_review_and_refuse_in_one_line(qc, tmp_path, monkeypatch):  # noqa: F811
    """A wrong or missing final answer is flagged with its reason in the review sample, and
    the HTML page and the dashboard say the share and list the rows (their reference escaped);
    the analyzer named without a reference, a reference column the input lacks, or data
    without a response is one line and exit 2 (and exit 2 with --verbose)."""
    rows = [{"problem": "2+2?", "solution": "It is \\boxed{4}.", "answer": "4"},
            {"problem": "3+3?", "solution": "It is \\boxed{7}.", "answer": "6"},
            {"problem": "1+1?", "solution": "I cannot say.", "answer": HOSTILE}]
    (data := tmp_path / "math.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = load_config(None, {"answers.reference": "answer", "sample.size": 3, "sample.flagged_share": 1.0})
    report = audit(data, config)
    assert report.value("answers.answer_match_rate") == pytest.approx(1 / 3)
    assert report.value("answers.answer_found_rate") == pytest.approx(2 / 3)
    page = render_html(report)
    assert "final answer is the reference" in page and "Final answers not the reference" in page
    assert "<img" not in page and "&lt;img src=x" in page  # (the reference is dataset text, escaped)
    write_sample(data, config, review := tmp_path / "review.csv")
    reasons = pl.read_csv(review).sort("row_id")["reason"].to_list()
    assert reasons[1] == "final answer 7 is not the reference's" and reasons[2] == "no final answer found in the response"
    ran = qc("report", data, "--reference-answer", "answer", "--out", out := tmp_path / "audit", "-q")
    assert ran.code == 0, ran.err
    at = _page(_app(monkeypatch, out), "Final answers")
    assert [metric.value for metric in at.metric][:1] == [f"{1 / 3:.1%}"]
    one_line_error(qc("report", data, "--analyzers", "answers", "--out", tmp_path / "o"), "--reference-answer COLUMN")
    one_line_error(qc("report", data, "--reference-answer", "expected", "--out", tmp_path / "o"), "unknown column 'expected'")
    (plain := tmp_path / "plain.jsonl").write_text(json.dumps({"text": "The answer is 4.", "gold": "4"}) + "\n")  # (no response)
    one_line_error(qc("report", plain, "--reference-answer", "gold", "--out", tmp_path / "o"), "needs each row's response")
    assert qc("report", plain, "--reference-answer", "gold", "--out", tmp_path / "o", "--verbose").code == 2
    assert not (tmp_path / "o").exists()
