"""Generations cut at their token limit: the truncation analyzer against a CommonMark parser.

    python benchmarks/bench_truncation.py [--every 3] [--seed 0]

Code Alpaca's 4,535 machine-written answers (../shared/data) are written as a chat model
answers a coding question: a sentence, the code in a fenced block, a sentence about it. Every
``--every``-th answer is cut at a seeded random character, as a token limit cuts it, and
saved with ``finish_reason`` ``length``; the others with ``stop``. Same rows, same run:

- which answers end inside their code block, by markdown-it-py (a CommonMark parser: a line
  written after the answer falls inside a fence) and by :func:`unclosed_code_block`, the
  line scan the analyzer runs, with the time each takes and how many answers they disagree on;
- the whole audit (``--analyzers truncation``): its ``cut_off_rate`` against the planted share,
  its ``unclosed_code_rate`` against markdown-it-py's, and its time.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import polars as pl
from markdown_it import MarkdownIt
from rich.console import Console
from rich.table import Table

from qcaudit import audit
from qcaudit.analyzers.truncation import unclosed_code_block
from qcaudit.config import load_config

ROOT = Path(__file__).resolve().parents[1]
CODE_ALPACA = ROOT.parent / "shared" / "data" / "corpora" / "codealpaca_4k.json"
sys.path.insert(0, str(ROOT / "benchmarks"))

from machine import cpu  # noqa: E402

#: A line after an answer, which CommonMark reads inside a fence only where the answer ends in one.
AFTER = "zzafterwards"


def answers(every: int, seed: int) -> pl.DataFrame:
    """Code Alpaca's rows as a chat model's answers, every ``every``-th cut at a random character."""
    rng = random.Random(seed)
    rows = []
    for i, row in enumerate(json.loads(CODE_ALPACA.read_text(encoding="utf-8"))):
        said = f"Here is one way to do it:\n\n```python\n{row['output'].strip()}\n```\n\nThis answers: {row['instruction']}"
        stopped = i % every == 0
        rows.append({"prompt": row["instruction"], "response": said[:rng.randrange(1, len(said))] if stopped else said,
                     "finish_reason": "length" if stopped else "stop"})
    return pl.DataFrame(rows)


def by_commonmark(texts: list[str]) -> list[bool]:
    parser = MarkdownIt("commonmark")
    return [any(t.type == "fence" and AFTER in t.content for t in parser.parse(f"{text}\n{AFTER}")) for text in texts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not CODE_ALPACA.is_file():
        sys.exit(f"skipped: {CODE_ALPACA} is absent (../shared/data)")
    frame = answers(args.every, args.seed)
    texts = frame["response"].to_list()
    start = time.perf_counter()
    reference = by_commonmark(texts)
    reference_s = time.perf_counter() - start
    start = time.perf_counter()
    ours = [unclosed_code_block(text) for text in texts]
    ours_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        frame.write_parquet(path := Path(folder) / "answers.parquet")
        start = time.perf_counter()
        report = audit(path, load_config(None, {"analyzers": ["truncation"]}), progress=False)
        audit_s = time.perf_counter() - start

    console = Console(width=160)
    table = Table(title=f"{len(texts):,} Code Alpaca answers, every {args.every}th cut at a random character; {cpu()}; {date.today()}")
    for name in ("", "answers ending in a code block", "disagreements with markdown-it-py", "seconds", "answers/s", "× markdown-it-py"):
        table.add_column(name, justify="left" if not name else "right")
    table.add_row("markdown-it-py (the reference)", f"{sum(reference):,}", "", f"{reference_s:.2f}", f"{len(texts) / reference_s:,.0f}", "1.0")
    table.add_row("qcaudit's line scan", f"{sum(ours):,}", f"{sum(a != b for a, b in zip(ours, reference, strict=True)):,}",
                  f"{ours_s:.2f}", f"{len(texts) / ours_s:,.0f}", f"{reference_s / ours_s:.1f}")
    table.add_row("qcaudit report --analyzers truncation (whole audit)",
                  f"{report.value('truncation.unclosed_code_rate') * len(texts):,.0f}", "", f"{audit_s:.2f}", f"{len(texts) / audit_s:,.0f}",
                  f"{reference_s / audit_s:.1f}")
    console.print(table)
    planted = (frame["finish_reason"] == "length").mean()
    console.print(f"cut_off_rate {report.value('truncation.cut_off_rate'):.4f} (planted {planted:.4f}); unclosed_code_rate "
                  f"{report.value('truncation.unclosed_code_rate'):.4f} (markdown-it-py {sum(reference) / len(texts):.4f})")


if __name__ == "__main__":
    main()
