"""Contamination detection: accuracy on planted benchmark items, verifier calibration, speed.

    python benchmarks/bench_contamination.py accuracy    # recall / false positives (README tables)
    python benchmarks/bench_contamination.py calibrate   # fit the semantic verifier's weights
    python benchmarks/bench_contamination.py speed       # n-gram check: 1,000,000 rows x 10,000 items
    python benchmarks/bench_contamination.py embed       # embedding throughput, no cache

Data: ../shared/data (GSM8K test items planted into GSM8K train, whose clean rows are hard
negatives of the same style; HumanEval and MMLU items planted too). The speed run compares
with lm-evaluation-harness's janitor (the reference n-gram check) when it is importable:
``pip install --no-deps lm_eval``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "benchmarks"))

from qcaudit.benchmarks import ITEM_ID, ITEM_TEXT, load_benchmark  # noqa: E402
from qcaudit.config import Config  # noqa: E402
from qcaudit.contamination.planting import PERTURBATIONS, REWORDINGS, found_planted_item, perturb, reword  # noqa: E402
from qcaudit.contamination.semantic import FEATURES, nearest_items, verify  # noqa: E402
from qcaudit.embed import Encoder  # noqa: E402
from qcaudit.pipeline import audit  # noqa: E402

BENCHMARKS = {
    "gsm8k": DATA / "benchmarks/gsm8k/test.jsonl",
    "humaneval": DATA / "benchmarks/humaneval/HumanEval.jsonl.gz",
    "mmlu": DATA / "benchmarks/mmlu",
}
console = Console(width=140)


def gsm8k_train() -> list[str]:
    return pl.read_ndjson(DATA / "benchmarks/gsm8k/train.jsonl")["question"].to_list()


def run_audit(rows: list[str], methods: list[str], names: list[str]) -> pl.DataFrame:
    """The contamination analyzer, end to end, on ``rows``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.parquet"
        pl.DataFrame({"text": rows}).write_parquet(path)
        config = Config.model_validate({
            "input": {"text_column": "text"}, "analyzers": ["contamination"],
            "benchmarks": {n: {"path": str(BENCHMARKS[n])} for n in names},
            "contamination": {"methods": methods},
        })
        return audit(path, config).rows


def accuracy() -> None:
    rng = random.Random(0)
    train = gsm8k_train()
    lexical = Table(title="Lexical methods: planted copies found with the right item (recall; an item identical after normalisation counts)")
    for column in ("benchmark", "planted as", "rows", "ngram", "substring", "either"):
        lexical.add_column(column, justify="left" if column in ("benchmark", "planted as") else "right")
    for name in BENCHMARKS:
        items = load_benchmark(name, BENCHMARKS[name]).items
        planted, truth, kinds = [], [], []
        for kind in PERTURBATIONS:
            for item_id, text in items.iter_rows():
                planted.append(perturb(text, kind, rng, host=rng.choice(train)))
                truth.append(item_id)
                kinds.append(kind)
        rows = run_audit(planted, ["ngram", "substring"], [name])
        frame = rows.with_columns(pl.Series("truth", truth), pl.Series("kind", kinds))
        for kind in PERTURBATIONS:
            part = frame.filter(pl.col("kind") == kind)
            hit = {m: found_planted_item(part[f"{m}_item_id"], part["truth"], items) for m in ("ngram", "substring")}
            either = (hit["ngram"] | hit["substring"]).mean()
            lexical.add_row(name, kind, f"{part.height:,}", f"{hit['ngram'].mean():.2%}", f"{hit['substring'].mean():.2%}", f"{either:.2%}")
    console.print(lexical)

    clean = run_audit(train, ["ngram", "substring", "semantic"], ["gsm8k"])
    console.print(
        "GSM8K train (clean, same style as the test set), rows flagged: "
        + ", ".join(f"{m} {int(clean[f'{m}_flagged'].fill_null(False).sum())}" for m in ("ngram", "substring", "semantic"))
        + f" of {len(train):,}"
    )
    items = load_benchmark("gsm8k", BENCHMARKS["gsm8k"]).items
    semantic = Table(title="Semantic method: GSM8K test items reworded by rule, planted among GSM8K train rows")
    for column in ("rewording", "rows", "semantic recall", "any-method recall", "train rows flagged (FPR)"):
        semantic.add_column(column, justify="left" if column == "rewording" else "right")
    false_positives = int(clean["semantic_flagged"].fill_null(False).sum())
    for kind in REWORDINGS:
        reworded = [reword(text, kind, rng) for text in items[ITEM_TEXT].to_list()]
        rows = run_audit(reworded, ["ngram", "substring", "semantic"], ["gsm8k"])
        truth = items[ITEM_ID]
        flagged = rows["semantic_flagged"].fill_null(False)
        sem = (found_planted_item(rows["semantic_item_id"], truth, items) & flagged).mean()
        anyhit = found_planted_item(rows["contamination_item_id"], truth, items).mean()
        semantic.add_row(kind, f"{len(reworded):,}", f"{sem:.2%}", f"{anyhit:.2%}", f"{false_positives} ({false_positives / len(train):.3%})")
    console.print(semantic)


def _pairs(encoder: Encoder, rng: random.Random):
    """Verifier features of true pairs (rewordings) and of GSM8K train's nearest items."""
    items = load_benchmark("gsm8k", BENCHMARKS["gsm8k"]).items
    texts = items[ITEM_TEXT].to_list()
    kinds = [REWORDINGS[i % len(REWORDINGS)] for i in range(len(texts))]
    reworded = [reword(t, k, rng) for t, k in zip(texts, kinds, strict=True)]
    item_vectors = encoder.encode(items[ITEM_TEXT])
    pos = verify(reworded, texts, nearest_items(encoder.encode(pl.Series(reworded)), item_vectors, 5, 0.5))
    train = gsm8k_train()
    neg = verify(train, texts, nearest_items(encoder.encode(pl.Series(train)), item_vectors, 5, 0.5))
    return pos, neg, kinds


def _fit_nonnegative(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Class-balanced logistic regression whose feature weights are kept >= 0 (each feature
    can only add evidence), by refitting without any feature that came out negative."""
    active = list(range(X.shape[1]))
    balance = np.where(y == 1, (len(y) - y.sum()) / max(y.sum(), 1), 1.0)
    while True:
        design = np.hstack([np.ones((len(X), 1)), X[:, active]])
        w = np.zeros(design.shape[1])
        for _ in range(100):
            p = 1 / (1 + np.exp(-(design @ w)))
            gradient = design.T @ (balance * (p - y)) + 1e-2 * w
            hessian = (design * (balance * p * (1 - p))[:, None]).T @ design + 1e-2 * np.eye(len(w))
            w -= np.linalg.solve(hessian, gradient)
        negative = [a for a, wa in zip(active, w[1:], strict=True) if wa < 0]
        if not negative:
            full = np.zeros(X.shape[1] + 1)
            full[0] = w[0]
            full[[a + 1 for a in active]] = w[1:]
            return full
        active = [a for a in active if a not in negative]


def _cut_for_fpr(negative_scores: np.ndarray, n_negatives: int, fpr: float) -> float:
    """A score cut with at most ``fpr * n_negatives`` negatives above it (midway to the next)."""
    allowed = int(fpr * n_negatives)
    ranked = np.sort(negative_scores)[::-1]
    if len(ranked) <= allowed:
        return float(ranked[-1]) - 1.0 if len(ranked) else 0.0
    return float((ranked[allowed - 1] + ranked[allowed]) / 2) if allowed else float(ranked[0]) + 1e-6


def calibrate() -> None:
    rng = random.Random(0)
    pos, neg, kinds = _pairs(Encoder(), rng)
    truth = pos.filter(pl.col("row") == pl.col("item"))
    wrong = pos.filter(pl.col("row") != pl.col("item"))
    X = np.vstack([truth.select(FEATURES).to_numpy(), neg.select(FEATURES).to_numpy(), wrong.select(FEATURES).to_numpy()])
    y = np.concatenate([np.ones(truth.height), np.zeros(neg.height + wrong.height)])
    w = _fit_nonnegative(X, y)
    z_neg = neg.select(FEATURES).to_numpy() @ w[1:] + w[0]
    row_max = pl.DataFrame({"row": neg["row"], "z": z_neg}).group_by("row").agg(pl.col("z").max())["z"].to_numpy()
    z_cut = _cut_for_fpr(row_max, len(gsm8k_train()), 0.001)
    z_pos = truth.select(FEATURES).to_numpy() @ w[1:] + w[0]
    weights = {"intercept": round(float(w[0]), 3)} | {f: round(float(v), 3) for f, v in zip(FEATURES, w[1:], strict=True)}
    console.print(f"WEIGHTS = {json.dumps(weights)}")
    # Held out: fit without the rewordings that apply all rules, measure recall on them.
    combined = np.array([kinds[r] == "all" for r in truth["row"].to_list()])
    keep = np.concatenate([~combined, np.ones(neg.height + wrong.height, bool)])
    w_out = _fit_nonnegative(X[keep], y[keep])
    z_neg_out = neg.select(FEATURES).to_numpy() @ w_out[1:] + w_out[0]
    out_max = pl.DataFrame({"row": neg["row"], "z": z_neg_out}).group_by("row").agg(pl.col("z").max())["z"].to_numpy()
    cut_out = _cut_for_fpr(out_max, len(gsm8k_train()), 0.001)
    z_out = truth.select(FEATURES).to_numpy()[combined] @ w_out[1:] + w_out[0]
    console.print(f"held out: fitted without the 'all' rewordings, recall on them at 0.1% FPR: {(z_out > cut_out).mean():.2%}")
    console.print(f"threshold for <= 0.1% of GSM8K train rows: score {1 / (1 + np.exp(-z_cut)):.4f} (z {z_cut:.2f}); "
                  f"in-sample recall {(z_pos > z_cut).mean():.2%} of {len(kinds):,} rewordings")


def speed(rows: int = 1_000_000, items: int = 10_000, reference_rows: int = 1_000_000) -> None:
    from bench_lexical import make_corpus

    texts = pl.concat([
        pl.read_ndjson(DATA / "benchmarks/gsm8k/train.jsonl")["question"],
        pl.read_ndjson(DATA / "benchmarks/gsm8k/test.jsonl")["question"],
        pl.Series([r["instruction"] + " " + r["output"] for r in json.loads((DATA / "corpora/codealpaca_4k.json").read_text())]),
    ])[:items]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        pl.DataFrame({"question": texts}).write_ndjson(tmp / "items.jsonl")
        make_corpus(rows, tmp / "corpus.parquet")
        corpus = pl.read_parquet(tmp / "corpus.parquet")["text"]
        planted = pl.concat([corpus[: rows - 1000], texts[:1000]])
        timings = {}
        for size in sorted({reference_rows, rows}):
            pl.DataFrame({"text": planted[-size:]}).write_parquet(tmp / f"rows{size}.parquet")
            config = Config.model_validate({
                "input": {"text_column": "text"}, "analyzers": ["contamination"],
                "benchmarks": {"items": {"path": str(tmp / "items.jsonl"), "adapter": "gsm8k"}},
                "contamination": {"methods": ["ngram"]},
            })
            start = time.perf_counter()
            report = audit(tmp / f"rows{size}.parquet", config)
            timings[size] = (time.perf_counter() - start, int(report.rows["contaminated"].sum()))
        table = Table(title=f"N-gram check (13-grams) against {len(texts):,} benchmark items, same data, same run")
        for column in ("rows", "tool", "seconds", "rows flagged", "time / qcaudit"):
            table.add_column(column, justify="left" if column == "tool" else "right")
        for size, (seconds, flagged) in timings.items():
            table.add_row(f"{size:,}", "qcaudit", f"{seconds:.1f}", f"{flagged:,}", "")
        reference = _janitor(texts.to_list(), planted[-reference_rows:].to_list())
        if reference:
            seconds, flagged = reference
            table.add_row(f"{reference_rows:,}", "lm-eval janitor (python)", f"{seconds:.1f}", f"{flagged:,}",
                          f"{seconds / timings[reference_rows][0]:.1f}x")
        console.print(table)


def _janitor(items: list[str], rows: list[str]) -> tuple[float, int] | None:
    """lm-evaluation-harness's janitor on the same data: register items, test each row's 13-grams."""
    try:
        from lm_eval.decontamination.janitor import Janitor, word_ngrams
    except ImportError:
        console.print("lm_eval is not installed (pip install --no-deps lm_eval): no reference timing")
        return None
    start = time.perf_counter()
    janitor = Janitor(ngram_n=13)
    for item in items:
        janitor.register_contaminant_python(item)
    flagged = sum(
        any(janitor.normalize_string(gram) in janitor.dirt_ngrams for gram in word_ngrams(row, 13)) for row in rows
    )
    return time.perf_counter() - start, flagged


def embed(rows: int = 2000) -> None:
    """Rows per second of the default encoder on GSM8K train questions, cache off."""
    texts = pl.Series(gsm8k_train()[:rows])
    encoder = Encoder(use_cache=False)
    encoder.encode(texts[:64])  # load the model and warm up
    start = time.perf_counter()
    encoder.encode(texts)
    seconds = time.perf_counter() - start
    import torch

    device = "cuda" if torch.cuda.is_available() else f"cpu ({torch.get_num_threads()} threads)"
    console.print(f"all-MiniLM-L6-v2 on {device}: {rows:,} GSM8K questions in {seconds:.1f} s = {rows / seconds:,.0f} rows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["accuracy", "calibrate", "speed", "embed"])
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: these benchmarks use the real public data in ../shared/data")
    {"accuracy": accuracy, "calibrate": calibrate, "speed": speed, "embed": embed}[args.what]()


if __name__ == "__main__":
    main()
