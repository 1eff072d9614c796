"""Exact Self-BLEU-4 + distinct-1..4: qcaudit vs nltk's loop (Texygen) and fast-bleu.

Same synthetic corpus for every tool (rows of ~50 whitespace tokens drawn from a Zipfian
vocabulary of 50,000 words, seeded), each run in its own process so peak RSS is its own.
Prints one table: seconds, peak RSS, the Self-BLEU value and the ratio to qcaudit.

    python benchmarks/bench_lexical.py              # full run, up to 1,000,000 rows
    python benchmarks/bench_lexical.py --quick      # small sizes only
    python benchmarks/bench_lexical.py --corpus-only corpus.parquet   # just write the corpus
    python benchmarks/bench_lexical.py --distinct 1000000   # public distinct_n, one order a call

Needs the bench extra (nltk, fast-bleu): pip install -e ".[bench]".
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

VOCAB, ZIPF_EXPONENT, MIN_TOKENS, MAX_TOKENS = 50_000, 1.1, 30, 70
BUDGET_SECONDS, BUDGET_RSS_GB = 60.0, 8.0


def make_corpus(rows: int, path: Path, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    probabilities = 1.0 / np.arange(1, VOCAB + 1) ** ZIPF_EXPONENT
    probabilities /= probabilities.sum()
    lengths = rng.integers(MIN_TOKENS, MAX_TOKENS + 1, rows)
    tokens = rng.choice(VOCAB, size=int(lengths.sum()), p=probabilities)
    words = pl.Series("w", [f"w{i}" for i in range(VOCAB)])
    frame = pl.DataFrame({"row": np.repeat(np.arange(rows), lengths), "w": words.gather(tokens)})
    texts = frame.group_by("row", maintain_order=True).agg(pl.col("w").str.join(" ").alias("text"))
    texts.select("text").write_parquet(path)


def run_tool(tool: str, path: Path, rows: int) -> dict:
    """Time one tool on the first ``rows`` rows, reading the parquet file included."""
    start = time.perf_counter()
    column = pl.read_parquet(path, n_rows=rows)["text"]
    texts = column.to_list() if tool != "qcaudit" else None
    if tool == "qcaudit":
        from qcaudit.lexical import iter_order_stats, self_bleu_per_row
        from qcaudit.text import Tokenization

        tokens = Tokenization().tokens(column)
        orders = list(iter_order_stats(tokens, range(1, 5)))
        value = float(self_bleu_per_row(tokens.lengths, orders).mean())
        distinct = [o.distinct_ratio for o in orders]
    elif tool == "nltk":
        from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

        tokenised = [t.split() for t in texts]
        smoothing = SmoothingFunction().method1
        scores = [
            sentence_bleu(tokenised[:i] + tokenised[i + 1 :], hyp, (0.25,) * 4, smoothing_function=smoothing)
            for i, hyp in enumerate(tokenised)
        ]
        value, distinct = float(np.mean(scores)), None
    elif tool == "fast-bleu":
        from fast_bleu import SelfBLEU

        scores = SelfBLEU([t.split() for t in texts], {4: (0.25,) * 4}).get_score()[4]
        value, distinct = float(np.mean(scores)), None
    else:
        raise ValueError(tool)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rss_gb": peak_rss_gb(), "self_bleu": value, "distinct": distinct}


#: The reference tools and the module each imports.
REFERENCE_MODULES = {"nltk": "nltk", "fast-bleu": "fast_bleu"}


def peak_rss_gb() -> float:
    """This process's peak RSS (VmHWM; getrusage would count the parent's peak across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024**2
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def measure(tool: str, path: Path, rows: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", tool, str(path), str(rows)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def time_distinct(rows: int) -> None:
    """``distinct_n(texts, n)`` for n = 1..4, each call alone, against reading the same
    values off every order's full statistics (what the diversity analyzer computes)."""
    from qcaudit.lexical import iter_order_stats
    from qcaudit.metrics import distinct_n
    from qcaudit.text import Tokenization

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.parquet"
        make_corpus(rows, path)
        texts = pl.read_parquet(path)["text"]
    start = time.perf_counter()
    full = [o.distinct_ratio for o in iter_order_stats(Tokenization().tokens(texts), range(1, 5))]
    full_seconds = time.perf_counter() - start
    table = Table(title=f"distinct_n on {rows:,} rows ({time.strftime('%Y-%m-%d')})")
    for column in ("n", "distinct_n(texts, n) s", "value", "equal to the all-orders statistics"):
        table.add_column(column, justify="right")
    texts = texts.to_list()
    for n in range(1, 5):
        start = time.perf_counter()
        value = distinct_n(texts, n)
        table.add_row(str(n), f"{time.perf_counter() - start:.1f}", f"{value:.6f}", "yes" if value == full[n - 1] else "NO")
    Console(width=130).print(table)
    print(f"all four orders' statistics at once (tokenising included): {full_seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (about a minute)")
    parser.add_argument("--corpus-only", type=Path, metavar="PATH",
                        help="write the 1,000,000-row corpus to PATH and stop (to time 'qcaudit report' on it)")
    parser.add_argument("--distinct", type=int, metavar="ROWS",
                        help="time qcaudit.metrics.distinct_n(texts, n), n = 1..4, against all orders' statistics at once")
    parser.add_argument("--worker", nargs=3, metavar=("TOOL", "PATH", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.corpus_only:
        make_corpus(1_000_000, args.corpus_only)
        return
    if args.distinct:
        time_distinct(args.distinct)
        return
    if args.worker:
        tool, path, rows = args.worker
        print(json.dumps(run_tool(tool, Path(path), int(rows))))
        return

    plan = {"nltk": [100, 200, 400], "fast-bleu": [400, 2000, 5000], "qcaudit": [100, 200, 400, 2000, 5000, 100_000, 1_000_000]}
    if args.quick:
        plan = {"nltk": [100, 200], "fast-bleu": [200, 1000], "qcaudit": [100, 200, 1000, 100_000]}
    console = Console(width=130)
    for tool, module in REFERENCE_MODULES.items():
        if importlib.util.find_spec(module) is None:
            console.print(f"{tool} is not installed (pip install {tool}): no timing beside it")
            plan.pop(tool)
    largest = max(max(sizes) for sizes in plan.values())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.parquet"
        with console.status(f"generating {largest:,} rows"):
            make_corpus(largest, path)
        results: dict[tuple[str, int], dict] = {}
        for tool, sizes in plan.items():
            for rows in sizes:
                with console.status(f"{tool} on {rows:,} rows"):
                    results[tool, rows] = measure(tool, path, rows)

    table = Table(title="Exact Self-BLEU-4 (+ distinct-1..4 for qcaudit), same corpus, same run")
    for column in ("rows", "tool", "seconds", "peak RSS GB", "Self-BLEU-4", "|diff| vs qcaudit", "time / qcaudit"):
        table.add_column(column, justify="left" if column == "tool" else "right")
    for (tool, rows), r in sorted(results.items(), key=lambda item: (item[0][1], item[0][0] != "qcaudit")):
        ours = results.get(("qcaudit", rows))
        diff = f"{abs(r['self_bleu'] - ours['self_bleu']):.1e}" if ours and tool != "qcaudit" else ""
        ratio = f"{r['seconds'] / ours['seconds']:.1f}x" if ours and tool != "qcaudit" else ""
        table.add_row(f"{rows:,}", tool, f"{r['seconds']:.2f}", f"{r['rss_gb']:.2f}", f"{r['self_bleu']:.6f}", diff, ratio)
    console.print(table)
    top = results[("qcaudit", largest)]
    verdict = top["seconds"] < BUDGET_SECONDS and top["rss_gb"] < BUDGET_RSS_GB
    console.print(
        f"qcaudit at {largest:,} rows: {top['seconds']:.1f} s, {top['rss_gb']:.2f} GB peak RSS "
        f"(budget {BUDGET_SECONDS:.0f} s, {BUDGET_RSS_GB:.0f} GB at 1,000,000 rows): "
        + ("within budget" if verdict else "OVER BUDGET")
    )


if __name__ == "__main__":
    main()
