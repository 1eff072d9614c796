"""How a reasoning model's rows are read, with and without ``--no-reasoning``.

    python benchmarks/bench_reasoning.py [--rows 300] [--planted 10]

Distilled reasoning data holds the model's reasoning beside its answer in several ways: a
chat turn's ``reasoning_content`` (DeepSeek's API, Qwen3's template), R1's ``<think>`` inline
in the answer, or flat columns (``input``, ``reasoning_content``, ``content``). qcaudit reads
the reasoning into the text by default, before the answer, and ``--no-reasoning`` reads the
answers alone. This builds such rows from GSM8K train (the question; its worked solution as
the reasoning; "The answer is N." as the answer) and audits them, same rows, same run: each
layout read the default way should give what one plain answer holding the reasoning gives
(the ``<think>`` tags aside), and under ``--no-reasoning`` what the answers alone give. Then
it restates the first ``--planted`` GSM8K test questions in the reasoning (as R1 often
restates its problem) and counts the rows the contamination analyzer flags, with and without
the reasoning read. Last, it cuts every ``--cut``-th row's reasoning in half with no answer
after it (a generation stopped at its token limit: an unclosed ``<think>``, an empty
content; after a template that opened the reasoning in the prompt, no mark at all) and checks
the reasoning analyzer's figures in each layout against Python's own
counts of what was written (``str.split()`` words, rows cut). Data: ../shared/data (GSM8K).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
GSM8K = DATA / "benchmarks" / "gsm8k"
sys.path.insert(0, str(ROOT / "benchmarks"))

from machine import cpu  # noqa: E402

import qcaudit  # noqa: E402

METRICS = ("diversity.tokens_mean", "diversity.distinct_2", "diversity.self_bleu_4")
REASONING_METRICS = ("reasoning.reasoning_rate", "reasoning.unfinished_rate", "reasoning.reasoning_tokens_mean",
                     "reasoning.answer_tokens_median")


def solved(rows: int, planted: int = 0) -> list[tuple[str, str, str]]:
    """GSM8K train's first ``rows`` rows as (question, reasoning, answer): the worked
    solution is the reasoning, "The answer is N." the answer; the first ``planted`` rows'
    reasoning restates a GSM8K test question first."""
    lines = (GSM8K / "train.jsonl").read_text().splitlines()[:rows]
    tests = [json.loads(line)["question"] for line in (GSM8K / "test.jsonl").read_text().splitlines()[:planted]]
    found = []
    for i, row in enumerate(map(json.loads, lines)):
        worked, final = row["answer"].split("####")
        reasoning = (f"The problem says: {tests[i]} " if i < len(tests) else "") + worked.strip()
        found.append((row["question"], reasoning, f"The answer is {final.strip()}."))
    return found


def cut(rows: list[tuple[str, str, str]], every: int) -> list[tuple[str, str, str | None]]:
    """``rows`` with every ``every``-th row's reasoning cut to its first half and no answer
    after it (None), as a generation stopped at its token limit leaves it."""
    return [(q, " ".join(r.split()[: len(r.split()) // 2]), None) if i % every == 0 else (q, r, a)
            for i, (q, r, a) in enumerate(rows)]


def expected(rows: list[tuple[str, str, str | None]]) -> dict[str, float]:
    """The reasoning analyzer's figures on ``rows`` as Python counts them: every row reasons;
    those without an answer are unfinished; lengths are ``str.split()`` words."""
    answers = sorted(len(a.split()) if a is not None else 0 for _, _, a in rows)
    middle = len(answers) // 2
    return {"reasoning.reasoning_rate": 1.0, "reasoning.unfinished_rate": sum(a is None for _, _, a in rows) / len(rows),
            "reasoning.reasoning_tokens_mean": sum(len(r.split()) for _, r, _ in rows) / len(rows),
            "reasoning.answer_tokens_median": (answers[middle] + answers[~middle]) / 2}


def chats(rows: list[tuple[str, str, str | None]], layout: str) -> dict[str, list]:
    """The rows in one layout: ``field`` (the reasoning in the answer's ``reasoning_content``),
    ``inline`` (in ``<think>`` before the answer), ``opened by the template`` (closed by
    ``</think>`` alone, as after a chat template that opens it: a cut one holds no mark), ``GRPO's format``
    (``<reasoning>`` before an ``<answer>``), ``flat`` (columns), ``written`` (one plain
    answer holding the reasoning, then the answer), ``answers`` (no reasoning at all). An
    answer of None is none: an empty content, or a ``<think>`` never closed."""
    if layout == "flat":
        return {"input": [q for q, _, _ in rows], "reasoning_content": [r for _, r, _ in rows],
                "content": [a or "" for _, _, a in rows]}
    answers = {"field": lambda r, a: {"content": a or "", "reasoning_content": r},
               "inline": lambda r, a: {"content": f"<think>\n{r}" + ("" if a is None else f"\n</think>\n\n{a}")},
               "opened by the template": lambda r, a: {"content": r + ("" if a is None else f"\n</think>\n\n{a}")},
               "GRPO's format": lambda r, a: {"content": f"<reasoning>\n{r}" + ("" if a is None else
                                                                                 f"\n</reasoning>\n<answer>\n{a}\n</answer>")},
               "written": lambda r, a: {"content": f"{r}\n{a}"},
               "answers": lambda r, a: {"content": a}}[layout]
    return {"messages": [[{"role": "user", "content": q}, {"role": "assistant", **answers(r, a)}] for q, r, a in rows]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--planted", type=int, default=10)
    parser.add_argument("--cut", type=int, default=10)
    args = parser.parse_args()
    if not GSM8K.is_dir():
        sys.exit(f"{GSM8K} is absent: this benchmark uses GSM8K from ../shared/data")
    rows = solved(args.rows)
    runs = {
        "one plain answer holding the reasoning (the reference)": ("written", True),
        "reasoning_content field, default reading": ("field", True),
        "reasoning inline in <think>, default reading": ("inline", True),
        "flat input, reasoning_content, content, default reading": ("flat", True),
        "the answers alone, no reasoning written (the reference)": ("answers", True),
        "reasoning_content field, --no-reasoning": ("field", False),
        "reasoning inline in <think>, --no-reasoning": ("inline", False),
        "flat columns, --no-reasoning": ("flat", False),
    }
    table = Table(title=f"{args.rows:,} GSM8K train rows as a reasoning model's; {cpu()}; {date.today()}")
    table.add_column("layout, reading")
    for metric in METRICS:
        table.add_column(metric.split(".")[1], justify="right")
    for name, (layout, reasoning) in runs.items():
        report = qcaudit.audit(chats(rows, layout), analyzers=["diversity"], reasoning=reasoning, progress=False)
        table.add_row(name, *(f"{report.value(metric):.4g}" for metric in METRICS))
    console = Console(width=160)
    console.print(table)

    planted = solved(args.rows, args.planted)
    flagged = Table(title=f"rows flagged against GSM8K test, {args.planted} of its questions restated in the reasoning")
    flagged.add_column("layout, reading")
    flagged.add_column("contaminated_rows", justify="right")
    for layout in ("field", "inline", "flat"):
        for reasoning in (True, False):
            report = qcaudit.audit(chats(planted, layout), analyzers=["contamination"], reasoning=reasoning,
                                   benchmarks={"gsm8k": GSM8K / "test.jsonl"}, progress=False)
            reading = "default reading" if reasoning else "--no-reasoning"
            flagged.add_row(f"{layout}, {reading}", f"{report.value('contamination.contaminated_rows'):.0f}")
    console.print(flagged)

    stopped = cut(rows, args.cut)
    measured = Table(title=f"the reasoning analyzer, every {args.cut}th row's reasoning cut in half with no answer, "
                           "against Python's counts")
    measured.add_column("layout")
    for metric in REASONING_METRICS:
        measured.add_column(metric.split(".")[1], justify="right")
    measured.add_row("Python's counts (the reference)", *(f"{value:.4g}" for value in expected(stopped).values()))
    for layout in ("field", "inline", "flat", "opened by the template", "GRPO's format"):
        report = qcaudit.audit(chats(stopped, layout), analyzers=["reasoning"], progress=False)
        measured.add_row(layout, *(f"{report.value(metric):.4g}" for metric in REASONING_METRICS))
    console.print(measured)


if __name__ == "__main__":
    main()
