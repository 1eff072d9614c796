"""Contamination detection: accuracy on planted benchmark items, verifier calibration, speed.

    python benchmarks/bench_contamination.py accuracy    # lexical methods: planted copies, GSM8K train
    python benchmarks/bench_contamination.py suite       # every method on the evaluation suite (README)
    python benchmarks/bench_contamination.py calibrate   # fit the verifier, and without words; leave-one-domain-out check
    python benchmarks/bench_contamination.py alignment   # the same with BERTScore-style token alignment added
    python benchmarks/bench_contamination.py judge-reach # which rephrasings a judge model gets to see, per setting
    python benchmarks/bench_contamination.py judge --judge-model PATH  # a judge model's accuracy, beside the verifier's
    python benchmarks/bench_contamination.py speed       # n-gram check: 1,000,000 rows x 10,000 items
    python benchmarks/bench_contamination.py instruction # reworded questions asked as instructions with answers
    python benchmarks/bench_contamination.py small       # benchmarks of 1, 5 and 20 items: the rarity floor
    python benchmarks/bench_contamination.py copies      # benchmarks that hold every item twice
    python benchmarks/bench_contamination.py long        # rephrasings inside long documents: spans, and without
    python benchmarks/bench_contamination.py cross       # datasets against every benchmark at once: flags of another domain
    python benchmarks/bench_contamination.py nearest     # each HumanEval task's nearest Code Alpaca row, judged by hand
    python benchmarks/bench_contamination.py layouts     # multiple-choice rephrasings with their options laid out 8 ways
    python benchmarks/bench_contamination.py free        # the free paraphrases alone (the suite's last table)
    python benchmarks/bench_contamination.py ports       # HumanEval ported to C and JavaScript, rewritten in Python, alone

Data: ../shared/data (GSM8K test items planted into GSM8K train, whose clean rows are hard
negatives of the same style; HumanEval and MMLU items planted too). The evaluation suite
(rephrasings by rule in four domains, with hard negatives) is ``contamination_suite.py``. The speed run compares
with lm-evaluation-harness's janitor (the reference n-gram check) when it is importable:
``pip install --no-deps lm_eval``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "benchmarks"))

from qcaudit.benchmarks import ITEM_ID, ITEM_TEXT, Benchmark, load_benchmark  # noqa: E402
from qcaudit.config import Config  # noqa: E402
from qcaudit.contamination.planting import PERTURBATIONS, found_planted_item, perturb, reword  # noqa: E402
from contamination_suite import (  # noqa: E402
    DOMAINS, PORT_COMMENTS, Case, build_cases, codealpaca_rows, commented_ports_case, free_cases, humaneval, long_document_cases,
    option_layout_cases, ported_case, rewrites_without_examples_case,
)
from codealpaca_nearest import CLOSE, NEAREST_ROW, SAME  # noqa: E402
from qcaudit.analyzers.contamination import asked_questions, judge_candidates, lexical_matches  # noqa: E402
from qcaudit.contamination import evidence  # noqa: E402
from qcaudit.contamination.judge import Judge, judged_pairs  # noqa: E402
from qcaudit.contamination.ngram import build_ngram_index  # noqa: E402
from qcaudit.contamination.semantic import SCORED, WEIGHTS, WEIGHTS_WITHOUT_WORDS, ItemEvidence, TextParts  # noqa: E402
from qcaudit.contamination import semantic_search  # noqa: E402
from qcaudit.contamination.semantic_search import SemanticItems, embed_rows, semantic_pairs  # noqa: E402
from qcaudit.contamination.substring import sample_patterns  # noqa: E402
from qcaudit.detectors.evaluation import auroc  # noqa: E402
from qcaudit.embed import Encoder, resolve_device  # noqa: E402
from qcaudit.errors import QcauditError  # noqa: E402
from qcaudit.pipeline import audit  # noqa: E402
from qcaudit.progress import show_progress  # noqa: E402

BENCHMARKS = {
    "gsm8k": DATA / "benchmarks/gsm8k/test.jsonl",
    "humaneval": DATA / "benchmarks/humaneval/HumanEval.jsonl.gz",
    "mmlu": DATA / "benchmarks/mmlu",
}
console = Console(width=140)
#: The suite's cases and the two probes, in the groups that the judge's tables report.
GROUPS = {"math": ["gsm8k"], "multiple choice": ["abstract_algebra", "high_school_us_history", "sociology"],
          "code": ["humaneval"], "prose": ["self_instruct"], "code ports": ["humaneval_ports"],
          "free paraphrases": ["gsm8k_free", "abstract_algebra_free", "sociology_free"]}


def gsm8k_train() -> list[str]:
    return pl.read_ndjson(DATA / "benchmarks/gsm8k/train.jsonl")["question"].to_list()


def run_audit(rows: list[str], methods: list[str], names: list[str], paths: dict[str, Path] = BENCHMARKS) -> pl.DataFrame:
    """The contamination analyzer, end to end, on ``rows``, against the benchmarks ``names``
    (files or folders in ``paths``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.parquet"
        pl.DataFrame({"text": rows}).write_parquet(path)
        config = Config.model_validate({
            "input": {"text_column": "text"}, "analyzers": ["contamination"],
            "benchmarks": {n: {"path": str(paths[n])} for n in names},
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
            for item_id, text in items.select(ITEM_ID, ITEM_TEXT).iter_rows():
                planted.append(perturb(text, kind, rng, host=rng.choice(train)))
                truth.append(item_id)
                kinds.append(kind)
        rows = run_audit(planted, ["ngram", "substring"], [name])
        frame = rows.with_columns(pl.Series("truth", truth), pl.Series("kind", kinds))
        for kind in PERTURBATIONS:
            part = frame.filter(pl.col("kind") == kind)
            hit = {m: found_planted_item(part[f"{m}_item_id"], part["truth"], items) & part[f"{m}_flagged"].fill_null(False)
                   for m in ("ngram", "substring")}
            either = (hit["ngram"] | hit["substring"]).mean()
            lexical.add_row(name, kind, f"{part.height:,}", f"{hit['ngram'].mean():.2%}", f"{hit['substring'].mean():.2%}", f"{either:.2%}")
    console.print(lexical)

    clean = run_audit(train, ["ngram", "substring", "semantic"], ["gsm8k"])
    console.print(
        "GSM8K train (clean, same style as the test set), rows flagged: "
        + ", ".join(f"{m} {int(clean[f'{m}_flagged'].fill_null(False).sum())}" for m in ("ngram", "substring", "semantic"))
        + f" of {len(train):,}"
    )


def cross_benchmarks() -> None:
    """Datasets against every benchmark at once, as a user checks one against all of their
    evaluations (GSM8K test, HumanEval and each MMLU subject): GSM8K train's rows whole
    (question and worked answer, as ``qcaudit report train.jsonl`` reads them), Code
    Alpaca's (instruction, input and output) and 10,000 lines of news. A flag against a
    benchmark of another domain is wrong (a word problem does not rephrase an algebra
    question, a Python exercise neither; news none of them); GSM8K train's flags against
    GSM8K test are its clean rows' false positives, Code Alpaca's against HumanEval are read
    in docs/contamination-accuracy.md."""
    train = pl.read_ndjson(DATA / "benchmarks/gsm8k/train.jsonl")
    datasets = {
        "GSM8K train": (train["question"] + "\n" + train["answer"]).to_list(),
        "Code Alpaca": codealpaca_rows(),
        "news": (DATA / "corpora/emnlp2017_news.txt").read_text(encoding="utf-8").splitlines(),
    }
    methods = ["ngram", "substring", "semantic"]
    paths = {name: path for name, path in BENCHMARKS.items() if name != "mmlu"}
    paths |= {file.name.removesuffix("_test.csv"): file for file in sorted(BENCHMARKS["mmlu"].glob("*_test.csv"))}
    table = Table(title="Each dataset against every benchmark at once: rows flagged (ngram / substring / semantic)")
    table.add_column("benchmark")
    for dataset, rows in datasets.items():
        table.add_column(f"{dataset} ({len(rows):,} rows)", justify="right")
    counts = {}
    for dataset, rows in datasets.items():
        flagged = run_audit(rows, methods, list(paths), paths)
        counts[dataset] = {name: " / ".join(str(int((flagged[f"{m}_flagged"] & (flagged[f"{m}_benchmark"] == name)).fill_null(False).sum()))
                                            for m in methods) for name in paths}
    for name in paths:
        table.add_row(name, *(counts[dataset][name] for dataset in datasets))
    console.print(table)


def judged_nearest() -> None:
    """Real Code Alpaca against the whole of HumanEval, read as LLM Decontaminator's judge reads
    it: each task's nearest row, labelled by hand the same problem, close, or another problem
    (``codealpaca_nearest.py``). ``qcaudit report codealpaca_4k.json -b humaneval=...`` with
    every method, as a user runs it; a SAME row is found when flagged against its task. The
    nearest rows are found again with this run's encoder, and the pairs that moved are counted
    (the labels belong to the stored pairs)."""
    texts, tasks = codealpaca_rows(), humaneval()[1]
    encoder = Encoder()
    rows, prompts = (encoder.encode(pl.Series(t, dtype=pl.String)) for t in (texts, [task["prompt"] for task in tasks]))
    cosine = (prompts / np.linalg.norm(prompts, axis=1, keepdims=True)) @ (rows / np.linalg.norm(rows, axis=1, keepdims=True)).T
    moved = sum(int(cosine[n].argmax()) != row for n, row in NEAREST_ROW.items())
    config = Config.model_validate({"analyzers": ["contamination"], "benchmarks": {"humaneval": {"path": str(BENCHMARKS["humaneval"])}}})
    found = audit(DATA / "corpora/codealpaca_4k.json", config).rows.sort("row_id")
    groups = {"same problem": SAME, "close (an input or output changed)": CLOSE,
              "another problem": frozenset(NEAREST_ROW) - SAME - CLOSE}
    table = Table(title="Each HumanEval task's nearest Code Alpaca row, judged by hand: rows flagged "
                        f"(semantic / any method); {moved} of 164 nearest rows differ with this run's encoder")
    for column in ("pairs", "tasks", "flagged against the task", "flagged against another task", "not flagged"):
        table.add_column(column, justify="left" if column == "pairs" else "right")
    for name, numbers in groups.items():
        counts = {}
        for method, flag, item in (("semantic", "semantic_flagged", "semantic_item_id"),
                                   ("any", "contaminated", "contamination_item_id")):
            verdict = found.select(pl.col(flag).fill_null(False), item).rows()
            right = sum(verdict[NEAREST_ROW[n]][0] and verdict[NEAREST_ROW[n]][1] == f"HumanEval/{n}" for n in numbers)
            flagged = sum(verdict[NEAREST_ROW[n]][0] for n in numbers)
            counts[method] = (right, flagged - right, len(numbers) - flagged)
        table.add_row(name, str(len(numbers)), *(f"{counts['semantic'][i]} / {counts['any'][i]}" for i in range(3)))
    console.print(table)
    cuts = Table(title="The same pairs at other cuts of the verifier's score (semantic method; the shipped cut "
                       f"{config.contamination.semantic_threshold})")
    for column in ("cut", *(f"{name}: flagged" for name in groups), "same problem: against the task"):
        cuts.add_column(column, justify="right")
    best = found.select(pl.col("semantic_score").fill_null(0.0), "semantic_item_id").rows()
    for cut in (0.5, 0.7, 0.8, 0.9, 0.95, config.contamination.semantic_threshold, 0.99):
        flagged = [sum(best[NEAREST_ROW[n]][0] >= cut for n in numbers) for numbers in groups.values()]
        right = sum(best[NEAREST_ROW[n]][0] >= cut and best[NEAREST_ROW[n]][1] == f"HumanEval/{n}" for n in SAME)
        cuts.add_row(str(cut), *(f"{count} of {len(numbers)}" for count, numbers in zip(flagged, groups.values(), strict=True)),
                     f"{right} of {len(SAME)}")
    console.print(cuts)


def instruction_rows(positives: int = 300, negatives: int = 2000) -> None:
    """Alpaca-style rows (instruction, input, output): GSM8K test questions reworded by rule,
    each with its own worked answer, among GSM8K train questions with theirs. How much each
    way of reading a row finds, and how long it takes: ``qcaudit report`` in a new process
    with an empty cache, every method on, as a user runs it."""
    rng = random.Random(0)
    test = pl.read_ndjson(DATA / "benchmarks/gsm8k/test.jsonl").with_row_index("n")
    train = pl.read_ndjson(DATA / "benchmarks/gsm8k/train.jsonl").sample(negatives, seed=0)
    chosen = test.sample(positives, seed=0)
    kinds = ["synonyms", "reorder", "rename", "units", "all"]
    rows = pl.DataFrame({
        "instruction": [reword(q, kinds[i % len(kinds)], rng) for i, q in enumerate(chosen["question"])] + train["question"].to_list(),
        "input": "",
        "output": chosen["answer"].to_list() + train["answer"].to_list(),
    })
    truth = pl.Series("truth", [f"gsm8k/{n}" for n in chosen["n"]] + [None] * negatives, dtype=pl.String)
    unnamed = rows.rename({"instruction": "q", "input": "i", "output": "a"})  # columns of no layout: no prompt found
    readings = {  # the table's name: (the rows, the text flags)
        "output alone (the default before 2026-11-30)": (rows, ["--text-column", "output"]),
        "whole row, no prompt embedded apart": (unnamed, ["--fields", "q,i,a"]),
        "whole row and its prompt (the default)": (rows, []),
        "instruction alone": (rows, ["--text-column", "instruction"]),
    }
    table = Table(title=f"GSM8K test questions reworded by rule as Alpaca instructions with their answers ({positives}), "
                        f"among GSM8K train rows ({negatives:,}); all three methods; a new process, empty cache ({date.today()})")
    for column in ("text read", "reworded found", "recall", "train rows flagged", "seconds"):
        table.add_column(column, justify="left" if column == "text read" else "right")
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, (frame, flags)) in enumerate(readings.items()):
            data, out, cache = Path(tmp) / f"rows{i}.parquet", Path(tmp) / f"out{i}", Path(tmp) / f"cache{i}"
            frame.write_parquet(data)
            command = [sys.executable, "-m", "qcaudit", "report", str(data), "-b", f"gsm8k={BENCHMARKS['gsm8k']}",
                       "--analyzers", "contamination", *flags, "--out", str(out), "-q"]
            start = time.perf_counter()
            subprocess.run(command, check=True, env={**os.environ, "QCAUDIT_CACHE_DIR": str(cache)})
            seconds = time.perf_counter() - start
            found = pl.read_parquet(out / "rows.parquet").sort("row_id").with_columns(truth)
            right = found.filter(pl.col("contamination_item_id") == pl.col("truth")).height
            wrong = found.filter(pl.col("truth").is_null() & pl.col("contaminated")).height
            table.add_row(name, f"{right}/{positives}", f"{right / positives:.1%}", f"{wrong}/{negatives:,}", f"{seconds:.1f}")
    console.print(table)


def suite_pairs(cases: list[Case], encoder: Encoder, top_k: int = 5, min_cosine: float = 0.2) -> pl.DataFrame:
    """Every candidate pair of every case, with the verifier's features and ``correct``: the
    row rephrases this item (or one identical to it after normalisation)."""
    frames = []
    for case in cases:
        start = time.perf_counter()
        parts, vectors = embed_rows(case.rows, encoder)
        pairs = semantic_pairs(SemanticItems.of(case.benchmark, encoder), case.rows, parts, vectors, encoder, top_k, min_cosine)
        frame = _labelled(pairs, case)
        frames.append(frame.with_columns(pl.Series("kind", case.kind, dtype=pl.String).gather(frame["row"]).alias("kind")))
        console.print(f"  {case.domain}/{case.name}: {len(case.rows):,} rows, {pairs.height:,} candidate pairs "
                      f"({time.perf_counter() - start:.0f} s)")
    return pl.concat(frames)


def case_rows(cases: list[Case]) -> pl.DataFrame:
    """One line per row of every case: ``domain``, ``case``, ``row``, ``truth``, ``kind``."""
    return pl.concat([
        pl.DataFrame({"domain": c.domain, "case": c.name, "row": np.arange(len(c.rows), dtype=np.uint32),
                      "truth": pl.Series(c.truth, dtype=pl.String), "kind": c.kind})
        for c in cases
    ])


def scored(pairs: pl.DataFrame, weights: dict[str, float], without_words: dict[str, float] | None = None) -> pl.DataFrame:
    """``pairs`` scored by ``weights``; with ``without_words``, the pairs whose words are not
    compared (``words_compared`` 0: a side in another script) by those, as the analyzer scores
    them with an encoder given by path."""
    def z(w: dict[str, float]) -> pl.Expr:
        return sum(pl.col(f) * v for f, v in w.items() if f != "intercept") + w["intercept"]

    logit = z(weights) if without_words is None else pl.when(pl.col("words_compared") == 0).then(z(without_words)).otherwise(z(weights))
    return pairs.with_columns((1 / (1 + (-logit).exp())).alias("score"))


def verdicts(pairs: pl.DataFrame, rows: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Per row: ``flagged`` (its best pair scores at least ``threshold``) and ``correct``
    (that pair is the row's true item)."""
    best = (
        pairs.filter(pl.col("score") >= threshold)
        .sort(["score", "item"], descending=[True, False])  # ties go to the first item, as in the analyzer
        .unique(["domain", "case", "row"], keep="first", maintain_order=True)
        .select("domain", "case", "row", pl.lit(True).alias("flagged"), "correct")
    )
    return rows.join(best, on=["domain", "case", "row"], how="left").with_columns(
        pl.col("flagged").fill_null(False), pl.col("correct").fill_null(False)
    )


def domain_scores(judged: pl.DataFrame) -> pl.DataFrame:
    """Precision, recall and F1 per domain: a hit is a row flagged with its true item; a row
    flagged with any other item, or flagged with no true item, is a false positive."""
    return (
        judged.group_by("domain")
        .agg(
            pl.col("truth").is_not_null().sum().alias("positives"),
            (pl.col("flagged") & pl.col("correct")).sum().alias("tp"),
            (pl.col("flagged") & ~pl.col("correct")).sum().alias("fp"),
            (pl.col("flagged") & (pl.col("kind") == "gsm8k_train")).sum().alias("gsm8k_train_fp"),
        )
        .with_columns(
            (pl.col("tp") / (pl.col("tp") + pl.col("fp"))).fill_nan(0.0).alias("precision"),
            (pl.col("tp") / pl.col("positives")).alias("recall"),
        )
        .with_columns((2 * pl.col("precision") * pl.col("recall") / (pl.col("precision") + pl.col("recall"))).fill_nan(0.0).alias("f1"))
        .sort("domain")
    )


#: The operating point keeps GSM8K train (7,473 clean rows) to at most this many false positives.
MAX_GSM8K_TRAIN_FP = 3


def choose_threshold(pairs: pl.DataFrame, rows: pl.DataFrame) -> float:
    """The score cut with the best mean F1 over the domains present, among cuts that keep
    GSM8K train's false positives within :data:`MAX_GSM8K_TRAIN_FP`."""
    best, best_f1 = 0.5, -1.0
    for cut in np.unique(np.concatenate([np.linspace(0.05, 0.95, 19), 1 - np.logspace(-1, -6, 26)])):
        table = domain_scores(verdicts(pairs, rows, cut))
        if int(table["gsm8k_train_fp"].sum()) > MAX_GSM8K_TRAIN_FP:
            continue
        f1 = float(table["f1"].mean())
        if f1 > best_f1:
            best, best_f1 = float(cut), f1
    return best


def fit(pairs: pl.DataFrame, features: tuple[str, ...] = SCORED) -> dict[str, float]:
    X, y = pairs.select(features).to_numpy(), pairs["correct"].cast(pl.Int8).to_numpy()
    w = _fit_nonnegative(X, y)
    return {"intercept": round(float(w[0]), 3)} | {f: round(float(v), 3) for f, v in zip(features, w[1:], strict=True)}


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


def _print_scores(title: str, table: pl.DataFrame) -> None:
    out = Table(title=title)
    for column in ("domain", "positives", "flagged right", "false positives", "GSM8K train FP", "precision", "recall", "F1"):
        out.add_column(column, justify="left" if column == "domain" else "right")
    for r in table.iter_rows(named=True):
        out.add_row(r["domain"], f"{r['positives']:,}", f"{r['tp']:,}", f"{r['fp']:,}", f"{r['gsm8k_train_fp']:,}",
                    f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}")
    console.print(out)


def calibrate() -> None:
    """Fit the verifier on the whole suite; check it leave one domain out. Then the same
    without word evidence (:data:`~qcaudit.contamination.semantic.WEIGHTS_WITHOUT_WORDS`, for
    pairs across scripts), its intercept moved so that its cut falls at the shipped threshold."""
    cases = build_cases()
    pairs, rows = suite_pairs(cases, Encoder()), case_rows(cases)
    fitted_and_checked(pairs, rows, SCORED, "")
    weights, cut = fitted_and_checked(without_words(pairs), rows, WORDLESS, "without words: ")
    shipped = Config().contamination.semantic_threshold
    moved = weights | {"intercept": round(weights["intercept"] + _logit(shipped) - _logit(cut), 3)}
    console.print(f"WEIGHTS_WITHOUT_WORDS = {json.dumps(moved)}  (cut {cut:.6g} moved to the shipped {shipped:g})")


#: The scored features less ``word_recall``: the verifier of a pair whose words cannot be compared.
WORDLESS = tuple(f for f in SCORED if f != "word_recall")


def without_words(pairs: pl.DataFrame, statements: bool = True) -> pl.DataFrame:
    """The suite's pairs as a translation's would read: no word recall, and no answer option
    found (a translation's options are in its own words; those of numbers would be found, so
    this is the harder case), ``words_compared`` 0, and (``statements``, as a model given by
    path reads them) how alike two-statement texts' statements are weighed as evidence. A
    stand-in for pairs across scripts."""
    evidence = ["number_agreement", "example_agreement", "code_overlap", *(["statement_agreement"] if statements else [])]
    return pairs.with_columns(pl.lit(0.0).alias("word_recall"), pl.lit(0.0).alias("words_compared"),
                              pl.max_horizontal(evidence).alias("specific_evidence"))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def fitted_and_checked(pairs: pl.DataFrame, rows: pl.DataFrame, features: tuple[str, ...], label: str) -> tuple[dict[str, float], float]:
    """The verifier on ``features``, fitted on the whole suite (weights and cut printed and
    returned) and leave one domain out."""
    weights = fit(pairs, features)
    threshold = choose_threshold(scored(pairs, weights), rows)
    console.print(f"{label}WEIGHTS = {json.dumps(weights)}")
    console.print(f"{label}semantic_threshold = {threshold:.6g}")
    _print_scores(f"{label}Fitted on every domain (in sample)", domain_scores(verdicts(scored(pairs, weights), rows, threshold)))
    held_out = []
    for domain in DOMAINS:
        train = pairs.filter(pl.col("domain") != domain)
        w = fit(train, features)
        cut = choose_threshold(scored(train, w), rows.filter(pl.col("domain") != domain))
        test = scored(pairs.filter(pl.col("domain") == domain), w)
        held_out.append(domain_scores(verdicts(test, rows.filter(pl.col("domain") == domain), cut)))
    _print_scores(f"{label}Leave one domain out: fitted and cut on the other three, scored on this one", pl.concat(held_out))
    return weights, threshold


def alignment() -> None:
    """Token alignment as one more verifier feature, measured against the shipped four: the
    greedy-matching F1 of BERTScore (Zhang et al. 2020) between the row and the matched item
    part, under the encoder's own token embeddings (sentence-transformers'
    ``output_value="token_embeddings"``, fp32), fitted and checked as ``calibrate`` does."""
    from sentence_transformers import SentenceTransformer

    from qcaudit.embed import default_model_path

    cases = build_cases()
    rows = case_rows(cases)
    pairs = suite_pairs(cases, Encoder())
    model = SentenceTransformer(str(default_model_path()), device="cpu")

    def tokens(texts: list[str]) -> list[np.ndarray]:
        """Each text's unit-length token vectors, [CLS] and [SEP] left out."""
        found = model.encode(texts, output_value="token_embeddings", batch_size=32, convert_to_numpy=False)
        return [(t[1:-1] / t[1:-1].norm(dim=1, keepdim=True).clamp_min(1e-9)).numpy().astype(np.float16) for t in found]

    frames = []
    for case in cases:
        start = time.perf_counter()
        mine = pairs.filter(pl.col("case") == case.name)
        parts = case.benchmark.parts
        first: dict[tuple[int, str], int] = {}
        for position, key in enumerate(zip(parts["item"].to_list(), parts["part"].to_list(), strict=True)):
            first.setdefault(key, position)
        item_part = [first.get((i, kind), first[(i, "whole")]) for i, kind in zip(mine["item"].to_list(), mine["item_part"].to_list(), strict=True)]
        row_ids, part_ids = sorted(set(mine["row"].to_list())), sorted(set(item_part))
        row_tokens = dict(zip(row_ids, tokens([case.rows[r] for r in row_ids]), strict=True))
        part_tokens = dict(zip(part_ids, tokens([parts["text"][p] for p in part_ids]), strict=True))
        f1 = []
        for row, part in zip(mine["row"].to_list(), item_part, strict=True):
            similarity = row_tokens[row].astype(np.float32) @ part_tokens[part].astype(np.float32).T
            precision, recall = similarity.max(axis=1).mean(), similarity.max(axis=0).mean()
            f1.append(float(2 * precision * recall / max(precision + recall, 1e-9)))
        frames.append(mine.with_columns(pl.Series("token_alignment", f1)))
        console.print(f"  {case.domain}/{case.name}: {mine.height:,} pairs aligned ({time.perf_counter() - start:.0f} s)")
    pairs = pl.concat(frames)
    fitted_and_checked(pairs, rows, SCORED, "Shipped features: ")
    fitted_and_checked(pairs, rows, (*SCORED, "token_alignment"), "With token alignment: ")


def suite(backend: str = "auto") -> None:
    """Each method and the combination on the evaluation suite, at the shipped settings
    (``backend``: the embedding backend, to check that a faster one keeps the accuracy)."""
    cases = build_cases()
    rows = case_rows(cases)
    pairs = suite_pairs(cases, Encoder(runtime=backend))
    cut = Config().contamination.semantic_threshold
    semantic = verdicts(scored(pairs, WEIGHTS), rows, cut)
    _print_scores(f"Semantic method (verifier, threshold {cut:g}, embeddings {backend})", domain_scores(semantic))
    for title, weights in (("scored as the default encoder's pairs across scripts", None),
                           ("scored as a model given by path has them (WEIGHTS_WITHOUT_WORDS)", WEIGHTS_WITHOUT_WORDS)):
        _print_scores(f"Semantic method on the pairs without words or word options (as translations), {title}",
                      domain_scores(verdicts(scored(without_words(pairs, statements=weights is not None), WEIGHTS, weights), rows, cut)))
    cosine = pairs.with_columns(pl.col("cosine").alias("score"))
    oracle = max(np.linspace(0.5, 0.99, 50), key=lambda c: float(domain_scores(verdicts(cosine, rows, c))["f1"].mean()))
    _print_scores(f"Plain cosine, best single cut ({oracle:.2f}) chosen on this suite", domain_scores(verdicts(cosine, rows, oracle)))
    lexical = lexical_verdicts(cases)
    _print_scores("N-gram (13) and substring methods, either", domain_scores(lexical))
    _print_scores("Combined (a lexical flag first, else the semantic one)", domain_scores(combined_verdicts(semantic, lexical)))
    encoder = Encoder(runtime=backend)
    probe([ported_case()], encoder, cut, oracle, PORTS_TITLE)
    probe(free_cases(), encoder, cut, oracle, FREE_TITLE)


def combined_verdicts(semantic: pl.DataFrame, lexical: pl.DataFrame) -> pl.DataFrame:
    """Per row, the three methods as ``qcaudit report`` runs them by default: flagged by any,
    with a lexical method's item where one flagged it, else the semantic method's."""
    combined = semantic.join(lexical.select("domain", "case", "row", pl.col("flagged").alias("lf"), pl.col("correct").alias("lc")),
                             on=["domain", "case", "row"])
    return combined.with_columns(
        (pl.col("flagged") | pl.col("lf")).alias("flagged"),
        pl.when(pl.col("lf")).then(pl.col("lc")).otherwise(pl.col("correct")).alias("correct"),
    ).drop("lf", "lc")


def probe(cases: list[Case], encoder: Encoder, cut: float, cosine_cut: float, title: str) -> None:
    """The shipped verifier (and plain cosine at the suite's best cut) on a probe that nothing
    is fitted on: how the verifier carries over from rule-made rewrites. Per case and kind:
    rows found with their item, rows flagged wrongly, the same for the three methods
    combined (what ``qcaudit report`` flags by default), and how often the true item is a
    candidate at all and the nearest by cosine."""
    rows = case_rows(cases)
    pairs = suite_pairs(cases, encoder)
    keys = ["case", "row"]
    semantic = verdicts(scored(pairs, WEIGHTS), rows, cut)
    combined = combined_verdicts(semantic, lexical_verdicts(cases))
    cosine = verdicts(pairs.with_columns(pl.col("cosine").alias("score")), rows, cosine_cut)
    nearest = pairs.sort(["cosine", "item"], descending=[True, False]).unique(keys, keep="first")
    table = rows.select(*keys, "kind").join(semantic.select(*keys, "flagged", "correct"), on=keys).join(
        combined.select(*keys, pl.col("flagged").alias("all_flagged"), pl.col("correct").alias("all_correct")), on=keys).join(
        cosine.select(*keys, pl.col("flagged").alias("cos_flagged"), pl.col("correct").alias("cos_correct")), on=keys)
    table = table.join(pairs.filter("correct").select(keys).unique().with_columns(pl.lit(True).alias("candidate")), on=keys, how="left")
    table = table.join(nearest.select(*keys, pl.col("correct").alias("nearest")), on=keys, how="left")
    summary = table.group_by("case", "kind").agg(
        pl.len().alias("rows"),
        (pl.col("flagged") & pl.col("correct")).sum().alias("found"), (pl.col("flagged") & ~pl.col("correct")).sum().alias("wrong"),
        (pl.col("all_flagged") & pl.col("all_correct")).sum().alias("all_found"),
        (pl.col("all_flagged") & ~pl.col("all_correct")).sum().alias("all_wrong"),
        (pl.col("cos_flagged") & pl.col("cos_correct")).sum().alias("cos_found"),
        (pl.col("cos_flagged") & ~pl.col("cos_correct")).sum().alias("cos_wrong"),
        pl.col("candidate").fill_null(False).sum().alias("candidate"), pl.col("nearest").fill_null(False).sum().alias("nearest"),
    ).sort("case", "kind")
    out = Table(title=f"{title} (not fitted on; verifier cut {cut:g}, cosine cut {cosine_cut:.2f})")
    for column in ("case", "kind", "rows", "verifier: found", "flagged wrongly", "all three: found", "flagged wrongly  ",
                   "cosine: found", "flagged wrongly ", "true item a candidate", "true item nearest"):
        out.add_column(column, justify="left" if column in ("case", "kind") else "right")
    for r in summary.iter_rows(named=True):
        other = r["kind"].endswith("(other task)") or r["kind"].endswith("(other item)")
        out.add_row(r["case"], r["kind"], str(r["rows"]), "" if other else str(r["found"]), str(r["wrong"]),
                    "" if other else str(r["all_found"]), str(r["all_wrong"]),
                    "" if other else str(r["cos_found"]), str(r["cos_wrong"]), "" if other else str(r["candidate"]),
                    "" if other else str(r["nearest"]))
    console.print(out)


PORTS_TITLE = "HumanEval ported by hand to idiomatic C and JavaScript, and rewritten in Python"
FREE_TITLE = "GSM8K and MMLU items paraphrased freely by hand"
COMMENTED_PORTS_TITLE = "The hand ports under a comment of their task's description or docstring; the rewrites without examples"
#: Plain cosine's best cut on the suite, as docs/contamination-accuracy.md gives it: the
#: probes run alone compare with it rather than fit a cut of their own.
SUITE_COSINE_CUT = 0.8


def probe_alone(cases: list[Case], title: str) -> None:
    """:func:`probe` without the suite: the shipped verifier, and plain cosine at :data:`SUITE_COSINE_CUT`."""
    probe(cases, Encoder(), Config().contamination.semantic_threshold, SUITE_COSINE_CUT, title)


def hand_ports() -> None:
    """The probe of HumanEval ported and rewritten by hand (the suite's table before the last)
    alone, then the ports under a comment of their task's description or docstring, and the
    rewrites without their docstrings' examples."""
    probe_alone([ported_case()], PORTS_TITLE)
    probe_alone([*(commented_ports_case(comment) for comment in PORT_COMMENTS), rewrites_without_examples_case()],
                COMMENTED_PORTS_TITLE)


def free_paraphrases() -> None:
    """The probe of items paraphrased freely by hand (the suite's last table) alone."""
    probe_alone(free_cases(), FREE_TITLE)


def option_layouts() -> None:
    """Multiple-choice rephrasings whose options are laid out as datasets lay them out
    (:data:`~contamination_suite.OPTION_LAYOUTS`): found and flagged wrongly per layout."""
    probe_alone(option_layout_cases(), "MMLU rephrasings, options laid out 8 ways")


def small_benchmarks(sizes: tuple[int, ...] = (1, 5, 20)) -> None:
    """The semantic method against benchmarks of a few items: each suite case's benchmark cut
    to its first n items, the rephrasings of the items cut away counted as negatives (the
    hardest: same style, same subject). Verdicts with the rarity floor
    (:data:`~qcaudit.contamination.evidence.RARITY_MIN_ITEMS`) and without it, same run."""
    cut = Config().contamination.semantic_threshold
    encoder = Encoder()
    table = Table(title=f"Benchmarks of a few items: found / flagged wrongly (verifier cut {cut:g}; "
                        f"rarity floor {evidence.RARITY_MIN_ITEMS} items, and none)")
    for column in ("case", "items", "rephrasings", "found", "flagged wrongly", "found, no floor", "flagged wrongly, no floor"):
        table.add_column(column, justify="left" if column == "case" else "right")
    floor = evidence.RARITY_MIN_ITEMS
    for case in build_cases():
        parts, vectors = embed_rows(case.rows, encoder)
        for n in (*sizes, case.benchmark.items.height):
            items = case.benchmark.items.head(n)
            kept = set(items[ITEM_ID].to_list())
            small = Case(case.domain, case.name, Benchmark(case.benchmark.name, items), case.rows,
                         [t if t in kept else None for t in case.truth], case.kind)
            cells = []
            for min_items in (floor, 1):
                evidence.RARITY_MIN_ITEMS = min_items
                try:
                    pairs = semantic_pairs(SemanticItems.of(small.benchmark, encoder), small.rows, parts, vectors, encoder, 5, 0.2)
                finally:
                    evidence.RARITY_MIN_ITEMS = floor
                cells += _found_and_wrong(verdicts(_labelled(pairs, small), case_rows([small]), cut))
            table.add_row(case.name, str(items.height), str(sum(t is not None for t in small.truth)), *cells)
    console.print(table)


def copied_items() -> None:
    """The semantic method against each suite case's benchmark as it is and with every item
    in it twice (a copy under another id; a flag with either counts as found): the two
    should judge alike."""
    cut = Config().contamination.semantic_threshold
    encoder = Encoder()
    table = Table(title=f"Every item twice: found / flagged wrongly (verifier cut {cut:g})")
    for column in ("case", "rewordings", "found", "flagged wrongly", "found, items twice", "flagged wrongly, items twice"):
        table.add_column(column, justify="left" if column == "case" else "right")
    for case in build_cases():
        parts, vectors = embed_rows(case.rows, encoder)
        cells = []
        for twice in (False, True):
            items = case.benchmark.items
            if twice:
                items = pl.concat([items, items.with_columns(pl.format("{}/copy", ITEM_ID).alias(ITEM_ID))])
            copied = Case(case.domain, case.name, Benchmark(case.benchmark.name, items), case.rows, case.truth, case.kind)
            pairs = _labelled(semantic_pairs(SemanticItems.of(copied.benchmark, encoder), case.rows, parts, vectors, encoder, 5, 0.2), copied)
            pairs = pairs.with_columns(pl.col("correct") | (pl.col(ITEM_ID).str.strip_suffix("/copy") == pl.col("truth")))
            cells += _found_and_wrong(verdicts(pairs, case_rows([copied]), cut))
        table.add_row(case.name, str(sum(t is not None for t in case.truth)), *cells)
    console.print(table)


def long_documents() -> None:
    """Rephrasings inside long documents (:func:`~contamination_suite.long_document_cases`):
    found and flagged wrongly as shipped (each long row also read at its spans,
    :func:`qcaudit.contamination.semantic.spans`, for the items embedding search proposed
    and those whose words it holds, ``worded_candidates``), with spans for the first alone,
    and without spans (the whole row and its windows alone, as before spans); same run,
    same vectors; and the spans embedded as shipped, beside the row parts."""
    cut = Config().contamination.semantic_threshold
    encoder = Encoder()
    cases = build_cases()
    chosen = [cases[0], next(c for c in cases if c.name == "sociology"), cases[-1]]
    table = Table(title=f"Rephrasings inside news documents: found / flagged wrongly (verifier cut {cut:g})")
    for column in ("case", "rephrasings", "negatives", "news only", "found", "flagged wrongly", "found, spans of embedding candidates only",
                   "flagged wrongly, the same", "found, no spans", "flagged wrongly, no spans", "row parts", "spans embedded"):
        table.add_column(column, justify="left" if column == "case" else "right")
    shipped = (semantic_search.spans, semantic_search.worded_candidates)
    no_words = pl.DataFrame(schema={"row": pl.UInt32, "row_part": pl.UInt32, "item_part": pl.UInt32})
    for case in [*chosen, *long_document_cases(chosen)]:
        short = case in chosen  # (the case as it is: its rows alone)
        parts, vectors = embed_rows(case.rows, encoder)
        embedded, cells = [], []
        for variant in ("shipped", "embedding candidates", "no spans"):
            def counted(*args, variant=variant, embedded=embedded):
                found = shipped[0](*args) if variant != "no spans" else TextParts.of([], [], [])
                embedded.append(len(found.text))
                return found
            semantic_search.spans = counted
            if variant != "shipped":
                semantic_search.worded_candidates = lambda *args: no_words
            try:
                pairs = semantic_pairs(SemanticItems.of(case.benchmark, encoder), case.rows, parts, vectors, encoder, 5, 0.2)
            finally:
                semantic_search.spans, semantic_search.worded_candidates = shipped
            cells += _found_and_wrong(verdicts(_labelled(pairs, case), case_rows([case]), cut))
        counts = [sum(k == kind for k in case.kind) for kind in ("rephrasing", "negative", "news only")]
        if short:
            counts = [sum(t is not None for t in case.truth), sum(t is None for t in case.truth), 0]
        table.add_row(case.name, *map(str, counts), *cells, f"{len(parts.text):,}", f"{embedded[0]:,}")
    console.print(table)


def _found_and_wrong(judged: pl.DataFrame) -> list[str]:
    """The rows :func:`verdicts` found with their true item, and those it flagged wrongly."""
    return [str((judged["flagged"] & judged["correct"]).sum()), str((judged["flagged"] & ~judged["correct"]).sum())]


def _labelled(pairs: pl.DataFrame, case: Case) -> pl.DataFrame:
    """``pairs`` of ``case`` with the columns :func:`verdicts` reads."""
    items = case.benchmark.items
    ids = items[ITEM_ID].to_list()
    frame = pairs.with_columns(
        pl.Series(ITEM_ID, [ids[i] for i in pairs["item"].to_list()], dtype=pl.String),
        pl.Series(case.truth, dtype=pl.String).gather(pairs["row"]).alias("truth"),
        pl.lit(case.domain).alias("domain"), pl.lit(case.name).alias("case"),
    )
    return frame.with_columns(found_planted_item(frame[ITEM_ID], frame["truth"], items).alias("correct"))


def judge_reach() -> None:
    """How many rephrasings a judge model could find at most: the share of rows whose true
    item is among the pairs the judge reads (``judged_pairs``: each row's ``judge_top_k``
    best candidates by verifier score at or above ``judge_min_cosine``), per domain and
    probe, and the pairs it reads per row (its cost: one forward pass each), per setting."""
    cases = [*build_cases(), ported_case(), *free_cases()]
    pairs = suite_pairs(cases, Encoder())
    table = Table(title="Judge reach: true item among the judged pairs (share of rephrasings) / judged pairs per row")
    table.add_column("judge_min_cosine, judge_top_k")
    for group in GROUPS:
        table.add_column(group, justify="right")
    for floor in (0.5, 0.4, 0.3, 0.2):
        for k in (1, 2, 3):
            cells = []
            for names in GROUPS.values():
                chosen = [case for case in cases if case.name in names]
                reached = judged = 0
                for case in chosen:
                    mine = pairs.filter(pl.col("case") == case.name)
                    read = judged_pairs(mine, floor, k).join(mine.select("row", "item", "correct"), on=["row", "item"])
                    reached += read.filter("correct")["row"].n_unique()
                    judged += read.height
                positives = sum(t is not None for case in chosen for t in case.truth)
                cells.append(f"{reached / positives:.1%} / {judged / sum(len(case.rows) for case in chosen):.2f}")
            table.add_row(f"{floor}, {k}", *cells)
    console.print(table)


def judge_accuracy(model: str, engine: str, device: str, rows_per_case: int | None) -> None:
    """A judge model on the suite and both probes, beside the verifier on the same rows.

    The judge reads what the analyzer gives it (``judge_candidates`` at the shipped
    ``judge_min_cosine`` and ``judge_top_k``) and flags a row at ``judge_threshold``. Per
    group: the verifier's F1, the judge's precision, recall, F1 and false positives on GSM8K
    train, and how well each ranks the pairs the judge read (AUC: a row's true item above
    other items). ``rows_per_case``: a seeded sample of each case's rows."""
    cases = [*build_cases(), ported_case(), *free_cases()]
    if rows_per_case:
        cases = [case.sample(rows_per_case) for case in cases]
    settings = Config().contamination
    judge = Judge(model, device, settings.judge_batch_size, use_cache=False, engine=engine)
    judge.check()
    pairs = suite_pairs(cases, Encoder())
    show_progress(True)
    start = time.perf_counter()
    judged = pl.concat([
        judge_candidates(pairs.filter(pl.col("case") == case.name), case.rows, case.benchmark, settings, judge) for case in cases
    ])
    seconds = time.perf_counter() - start
    group_of = pl.col("case").replace_strict({name: g for g, names in GROUPS.items() for name in names})
    rows = case_rows(cases).with_columns(group_of.alias("domain"))
    judged = judged.with_columns(group_of.alias("domain"))
    read = judged.filter(pl.col("judge_probability").is_not_null())
    where = _gpu_name() if resolve_device(device) == "cuda" else "CPU"
    console.print(f"{judge.signature} on {where}: {read.height:,} pairs in {seconds:.0f} s "
                  f"({read.height / max(seconds, 1e-9):.1f} pairs/s), {date.today().isoformat()}")
    by_verifier = domain_scores(verdicts(judged, rows, settings.semantic_threshold))
    by_judge = domain_scores(verdicts(judged.with_columns(pl.col("judge_probability").fill_null(0.0).alias("score")),
                                      rows, settings.judge_threshold))
    table = Table(title=f"Judge (threshold {settings.judge_threshold:g}) beside the verifier (threshold "
                        f"{settings.semantic_threshold:g}), same rows; AUC over the pairs the judge read")
    for column in ("group", "rows", "rephrasings", "verifier F1", "judge precision", "judge recall", "judge F1",
                   "judge: GSM8K train FP", "pairs judged", "AUC judge", "AUC verifier"):
        table.add_column(column, justify="left" if column == "group" else "right")
    for group in GROUPS:
        v = by_verifier.filter(pl.col("domain") == group).row(0, named=True)
        j = by_judge.filter(pl.col("domain") == group).row(0, named=True)
        mine = read.filter(pl.col("domain") == group)
        table.add_row(group, f"{rows.filter(pl.col('domain') == group).height:,}", f"{v['positives']:,}", f"{v['f1']:.3f}",
                      f"{j['precision']:.3f}", f"{j['recall']:.3f}", f"{j['f1']:.3f}", f"{j['gsm8k_train_fp']:,}",
                      f"{mine.height:,}", _auc(mine["judge_probability"], mine["correct"]), _auc(mine["score"], mine["correct"]))
    console.print(table)


def _auc(scores: pl.Series, positive: pl.Series) -> str:
    """The chance that a true pair outscores another (``auroc``), or "" without both kinds."""
    value = auroc(scores.filter(positive).to_numpy(), scores.filter(~positive).to_numpy())
    return "" if np.isnan(value) else f"{value:.3f}"


def _gpu_name() -> str:
    import torch

    return torch.cuda.get_device_name(0)


def lexical_verdicts(cases: list[Case]) -> pl.DataFrame:
    """Rows flagged by the n-gram or the substring method, as the analyzer flags them at its
    defaults (``lexical_number_check``: a match flags a row only when the row holds the item's
    numbers; ``lexical_question_check``: and its question, of an item that asks one about a passage)."""
    settings = Config().contamination
    frames = []
    for case in cases:
        texts = pl.Series(case.rows, dtype=pl.String)
        bench, items = case.benchmark, case.benchmark.items
        evidence, questions = ItemEvidence.of(TextParts.of_items(bench.parts), bench.choices), asked_questions(bench)
        lookups = {"ngram": build_ngram_index(items[ITEM_TEXT], settings.ngram_n, settings.ngram_min_tokens),
                   "substring": sample_patterns(items[ITEM_TEXT], settings.substring_count, settings.substring_length, settings.seed)}
        hits = pl.concat([
            lexical_matches(method, bench, texts, settings, lookup, evidence, questions)[0].filter("flagged")
            .select("row", ITEM_ID, pl.col("shared" if method == "ngram" else "hits").cast(pl.Float64).alias("score"))
            for method, lookup in lookups.items()
        ])
        position = dict(zip(items[ITEM_ID], range(items.height), strict=True))
        truth = pl.Series(case.truth, dtype=pl.String)
        hits = hits.with_columns(pl.col(ITEM_ID).replace_strict(position, return_dtype=pl.UInt32).alias("item"),
                                 truth.gather(hits["row"]).alias("truth"))
        hits = hits.with_columns(found_planted_item(hits[ITEM_ID], hits["truth"], items).alias("correct"),
                                 pl.lit(case.domain).alias("domain"), pl.lit(case.name).alias("case"))
        frames.append(hits.select("domain", "case", "row", "item", "score", "correct"))
    return verdicts(pl.concat(frames), case_rows(cases), 0.0)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["accuracy", "suite", "calibrate", "alignment", "judge-reach", "judge", "speed", "instruction", "small", "copies", "long", "cross", "nearest", "layouts", "free", "ports"])
    parser.add_argument("--backend", default="auto", choices=["auto", "torch", "onnx-int8"], help="embedding backend (suite)")
    parser.add_argument("--judge-model", help="local instruct model, a folder or a cached name (judge)")
    parser.add_argument("--judge-engine", default="auto", choices=["auto", "transformers", "vllm"], help="judge")
    parser.add_argument("--device", default="auto", help="where the judge runs: auto, cpu, cuda (judge)")
    parser.add_argument("--rows-per-case", type=int, help="judge a seeded sample of each case's rows (judge on a CPU)")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"{DATA} is absent: these benchmarks use the real public data in ../shared/data")
    if args.what == "suite":
        suite(args.backend)
    elif args.what == "judge":
        if not args.judge_model:
            parser.error("judge needs --judge-model")
        if args.rows_per_case is not None and args.rows_per_case < 1:
            parser.error("--rows-per-case must be at least 1")
        try:
            judge_accuracy(args.judge_model, args.judge_engine, args.device, args.rows_per_case)
        except QcauditError as exc:
            sys.exit(f"error: {exc}")
    else:
        {"accuracy": accuracy, "calibrate": calibrate, "alignment": alignment, "judge-reach": judge_reach, "speed": speed,
         "instruction": instruction_rows, "small": small_benchmarks, "copies": copied_items, "long": long_documents, "cross": cross_benchmarks, "nearest": judged_nearest,
         "layouts": option_layouts, "free": free_paraphrases, "ports": hand_ports}[args.what]()


if __name__ == "__main__":
    main()
