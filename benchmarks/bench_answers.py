"""The answers analyzer against Math-Verify called directly, same rows, same run.

    python benchmarks/bench_answers.py [--rows 2000]

The rows are GSM8K train's solutions (worked steps, then ``#### N``). Each is checked twice:

- against its own final number, which every solution should match;
- against the next row's number, which should match only where the two numbers are equal.

The reference tool is Math-Verify as a user would call it: ``verify(parse(reference),
parse(solution))`` on the whole texts, in a loop. qcaudit is the whole audit
(``qcaudit.audit`` with the answers analyzer alone): reading the rows, the same Math-Verify
calls on the part after GSM8K's mark, and the report.

The table gives, for each tool:

- rows per second, and the ratio of the two;
- the match rate against each reference;
- the rows the two tools disagree on.

Data: ../shared/data (GSM8K).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
GSM8K = ROOT.parent / "shared" / "data" / "benchmarks" / "gsm8k" / "train.jsonl"
sys.path.insert(0, str(ROOT / "benchmarks"))

from machine import cpu  # noqa: E402

import qcaudit  # noqa: E402


def reference_tool(solutions: list[str], references: list[str]) -> list[bool]:
    """Math-Verify called directly on each whole solution and reference."""
    from math_verify import parse, verify

    return [verify(parse(gold), parse(solution)) for solution, gold in zip(solutions, references, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    if not GSM8K.is_file():
        sys.exit(f"{GSM8K} is absent: this benchmark uses GSM8K from ../shared/data")
    rows = [json.loads(line) for line in GSM8K.read_text().splitlines()[: args.rows]]
    solutions = [row["answer"] for row in rows]
    own = [solution.rsplit("####", 1)[1].strip().replace(",", "") for solution in solutions]
    frame = pl.DataFrame({"question": [row["question"] for row in rows], "answer": solutions, "own": own,
                          "next": own[1:] + own[:1]})
    table = Table(title=f"Final answers of {len(rows):,} GSM8K training solutions ({cpu()}, {date.today()})")
    for column in ("reference", "tool", "seconds", "rows/s", "ratio", "match rate", "rows the tools disagree on"):
        table.add_column(column, justify="left" if column in ("reference", "tool") else "right")
    for name in ("own", "next"):
        start = time.perf_counter()
        direct = reference_tool(solutions, frame[name].to_list())
        direct_seconds = time.perf_counter() - start
        start = time.perf_counter()
        report = qcaudit.audit(frame, analyzers="answers", settings={"answers.reference": name})
        ours_seconds = time.perf_counter() - start
        ours = report.rows.sort("row_id")["answer_match"].to_list()
        disagree = sum(a != b for a, b in zip(direct, ours, strict=True))
        said = "its own number" if name == "own" else "the next row's number"
        table.add_row(said, "Math-Verify directly", f"{direct_seconds:.2f}", f"{len(rows) / direct_seconds:,.0f}", "1.00",
                      f"{sum(direct) / len(rows):.4f}", "")
        table.add_row(said, "qcaudit answers (whole audit)", f"{ours_seconds:.2f}", f"{len(rows) / ours_seconds:,.0f}",
                      f"{direct_seconds / ours_seconds:.2f}", f"{report.value('answers.answer_match_rate'):.4f}", f"{disagree:,}")
    Console(width=160).print(table)


if __name__ == "__main__":
    main()
