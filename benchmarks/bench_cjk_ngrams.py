"""How often unrelated Chinese paragraphs share an n-gram, as the contamination ngram method
reads them (each CJK ideograph a token) and as lm-evaluation-harness's janitor does
(whitespace tokens, on which a Chinese paragraph is a handful of tokens).

    python benchmarks/bench_cjk_ngrams.py FILE [--min-ideographs 20]

FILE is any Chinese text; its paragraphs (lines with at least --min-ideographs ideographs,
distinct) are matched against each other, as if half were a benchmark and half training
rows. A pair that shares an n-gram would be flagged: between paragraphs of one text that
are not copies of each other, those are the method's false positives (or real quotations:
the script prints them to be read).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from qcaudit.contamination.ngram import build_ngram_index, janitor_text, ngram_matches, ngram_tokens
from qcaudit.text import Tokenization

IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--min-ideographs", type=int, default=20)
    args = parser.parse_args()
    lines = args.file.read_text(encoding="utf-8").splitlines()
    paragraphs = pl.Series(sorted({line.strip() for line in lines if len(IDEOGRAPH.findall(line)) >= args.min_ideographs}))
    pairs = len(paragraphs) * (len(paragraphs) - 1) // 2
    console = Console()
    console.print(f"{len(paragraphs):,} distinct paragraphs of {args.min_ideographs}+ ideographs, {pairs:,} pairs")

    table = Table("tokens", "n", "paragraphs checked (8+ tokens)", "pairs sharing an n-gram", "share of pairs")
    janitor = pl.Series(Tokenization("whitespace").tokens(janitor_text(paragraphs)).lengths)  # lm-eval's tokens
    table.add_row("lm-eval janitor (whitespace)", "13", f"{int((janitor >= 8).sum()):,}", "—", "—")
    checked = int((pl.Series(ngram_tokens(paragraphs).lengths) >= 8).sum())
    quoted = []
    for n in (8, 13, 20):
        matches = ngram_matches(build_ngram_index(paragraphs, n=n, min_tokens=8), paragraphs)
        shared = matches.filter(pl.col("row") < pl.col("item"))  # each unordered pair once, no paragraph with itself
        table.add_row("qcaudit ngram (ideographs)", str(n), f"{checked:,}", f"{shared.height:,}", f"{shared.height / max(pairs, 1):.4%}")
        if n == 13:
            quoted = shared.rows()
    console.print(table)
    for row, item, count in quoted:
        console.print(f"\n13-grams shared: {count}", markup=False)
        console.print(f"  {paragraphs[row][:120]}\n  {paragraphs[item][:120]}", markup=False, highlight=False)


if __name__ == "__main__":
    main()
