"""Would a static-embedding first stage save encoder time without losing a flagged row?

    python benchmarks/bench_static_prefilter.py

The idea (issue 14): distil a static embedding table from the bundled encoder in the way
model2vec does (Tulkens & van Dongen 2024: every vocabulary token run alone through the
encoder between [CLS] and [SEP], mean-pooled; PCA to 256 dimensions; SIF weights from a
Zipf estimate of token frequency), embed rows and benchmark parts with it almost for free,
and send to the full encoder only the rows whose best static similarity to a benchmark part
reaches a cut. Rows are independent in the semantic method (a row's candidates and margin
depend on the row and the items only), so such a stage changes nothing for the rows it keeps;
it is worth having if and only if a cut that keeps every row the full method flags also
drops many rows.

Per domain of the contamination evaluation suite (``contamination_suite.py``), this prints
the highest cut that loses no flagged row and the share of rows that cut still sends to the
encoder. (model2vec's own ``distill`` needs ``transformers<5.4``, older than ours, so the
distillation is written out here; its definition is model2vec's ``distill_from_model``.)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_contamination import DATA, case_rows, scored, suite_pairs, verdicts  # noqa: E402
from contamination_suite import build_cases  # noqa: E402
from qcaudit.config import Config  # noqa: E402
from qcaudit.contamination.semantic import WEIGHTS, WHOLE, TextParts  # noqa: E402
from qcaudit.embed import Encoder, default_model_path  # noqa: E402

console = Console(width=140)


def distil(path: Path, dimensions: int = 256, sif: float = 1e-4):
    """(tokenizer, table): one static vector per vocabulary id, as model2vec distils them."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, local_files_only=True).eval()
    ids = torch.arange(len(tokenizer.get_vocab()))
    out = np.zeros((len(ids), model.config.hidden_size))
    with torch.inference_mode():
        for start in range(0, len(ids), 1024):
            token = ids[start : start + 1024]
            x = torch.stack([torch.full_like(token, tokenizer.cls_token_id), token, torch.full_like(token, tokenizer.sep_token_id)], 1)
            out[start : start + 1024] = model(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state.mean(1).numpy()
    centred = out - out.mean(axis=0)
    _, vectors = np.linalg.eigh(centred.T @ centred / (len(out) - 1))
    table = centred @ vectors[:, ::-1][:, :dimensions]
    rank = 1.0 / np.arange(2, len(table) + 2)
    return tokenizer, (table * (sif / (sif + rank / rank.sum()))[:, None]).astype(np.float32)


def static_vectors(texts: list[str], tokenizer, table: np.ndarray) -> np.ndarray:
    ids = tokenizer(texts, add_special_tokens=False)["input_ids"]
    return np.stack([table[i].mean(axis=0) if i else np.zeros(table.shape[1], np.float32) for i in ids])


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # (no options: --help says what it measures)
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: this benchmark uses the real public data in ../shared/data")
    start = time.perf_counter()
    tokenizer, table = distil(default_model_path())
    console.print(f"distilled {len(table):,} token vectors in {time.perf_counter() - start:.0f} s")
    cases = build_cases()
    rows = case_rows(cases)
    flagged = verdicts(scored(suite_pairs(cases, Encoder()), WEIGHTS), rows, Config().contamination.semantic_threshold)
    best = []
    for case in cases:
        parts = TextParts.of(list(range(len(case.rows))), [WHOLE] * len(case.rows), case.rows)
        items = case.benchmark.parts
        item_vectors = static_vectors(items["text"].to_list(), tokenizer, table)
        centre = item_vectors.mean(axis=0)  # the common direction every mean of token vectors shares
        similarity = unit(static_vectors(parts.text, tokenizer, table) - centre) @ unit(item_vectors - centre).T
        best.append(pl.DataFrame({"row": parts.owner.astype(np.uint32), "static": similarity.max(axis=1)})
                    .group_by("row").agg(pl.col("static").max())
                    .with_columns(pl.lit(case.domain).alias("domain"), pl.lit(case.name).alias("case")))
    judged = flagged.join(pl.concat(best), on=["domain", "case", "row"])
    out = Table(title=f"Static first stage: the highest cut that keeps every flagged row ({time.strftime('%Y-%m-%d')})")
    for column in ("domain", "rows", "flagged by the full method", "cut", "rows still sent to the encoder"):
        out.add_column(column, justify="left" if column == "domain" else "right")
    for domain in judged["domain"].unique().sort():
        part = judged.filter(pl.col("domain") == domain)
        cut = float(part.filter(pl.col("flagged"))["static"].min())
        out.add_row(domain, f"{part.height:,}", f"{int(part['flagged'].sum()):,}", f"{cut:.3f}", f"{(part['static'] >= cut).mean():.1%}")
    console.print(out)


if __name__ == "__main__":
    main()
