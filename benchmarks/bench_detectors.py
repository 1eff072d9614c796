"""Machine-text detectors: qcaudit's batched scores against the reference scripts, same texts.

    python benchmarks/bench_detectors.py --fast-detect-gpt /path/to/fast-detect-gpt/scripts \\
        --binoculars /path/to/Binoculars [--observer DIR --performer DIR] [--rows 200] [--device cpu]
    python benchmarks/bench_detectors.py ... --shape 12x768 --rows 1000 --device cuda   # speed at GPT-2 small's shape

References (checkouts, not part of this project): Fast-DetectGPT's ``scripts/`` (its
``baselines.py`` and ``fast_detect_gpt.py``; the modules they import but these functions do not
use, ``datasets`` and ``matplotlib``, are stubbed) and Binoculars (``binoculars/metrics.py``).
The reference side runs as those scripts do, one text per forward pass; qcaudit runs batches
of ``--batch-size`` padded texts. Without ``--observer``/``--performer`` two tiny GPT-2s are
trained on COCO captions first (tests/tiny_lms.py); ``--shape LAYERSxWIDTH`` builds two untrained
GPT-2s of that shape instead (GPT-2 small is 12x768), to time scoring at a real model's size.
Prints, per criterion, the largest absolute difference over all texts, then the time and
tokens/s of both sides.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np
import torch
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from qcaudit.analyzers.detectors import BASELINES  # noqa: E402
from qcaudit.detectors import criteria  # noqa: E402
from qcaudit.detectors.lm import score_texts, tokenize  # noqa: E402
from qcaudit.hf import load_model, load_tokenizer  # noqa: E402
from tests.tiny_lms import documents, sample, train_gpt2, untrained_gpt2  # noqa: E402

CAPTIONS = ROOT.parent / "shared" / "data" / "corpora" / "coco_captions.txt"


def reference_scores(texts, tokenizer, observer, performer, device):
    """Every criterion as the reference scripts compute it, one text at a time."""
    import baselines  # Fast-DetectGPT's scripts/baselines.py
    import fast_detect_gpt
    from binoculars.metrics import entropy, perplexity

    funcs = {"likelihood": baselines.get_likelihood, "logrank": baselines.get_logrank,
             "rank": baselines.get_rank, "entropy": baselines.get_entropy}
    out = {name: [] for name in [*funcs, "fast_detect_gpt", "binoculars"]}
    with torch.no_grad():
        for text in texts:
            enc = tokenizer(text, return_tensors="pt", return_token_type_ids=False, truncation=True, max_length=512).to(device)
            obs, perf = observer(**enc).logits, performer(**enc).logits
            labels = enc.input_ids[:, 1:]
            for name, fn in funcs.items():
                out[name].append(fn(obs[:, :-1], labels))
            out["fast_detect_gpt"].append(fast_detect_gpt.get_sampling_discrepancy_analytic(perf[:, :-1], obs[:, :-1], labels))
            ppl = perplexity(enc, perf)
            x_ppl = entropy(obs, perf, enc, tokenizer.pad_token_id)
            out["binoculars"].append(float((ppl / x_ppl)[0]))
    return {k: np.array(v, dtype=float) for k, v in out.items()}


def our_scores(texts, tokenizer, observer, performer, device, batch_size):
    wanted = {name: _observer_only(getattr(criteria, fn)) for name, fn in BASELINES.items()}
    wanted["fast_detect_gpt"] = lambda obs, perf, ids, mask: criteria.fast_detect_gpt(perf, obs, ids, mask)
    wanted["binoculars"] = criteria.binoculars
    return score_texts([observer, performer], tokenize(tokenizer, texts, 512), wanted, batch_size, device)


def _observer_only(fn):
    return lambda obs, perf, ids, mask: fn(obs, ids, mask)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast-detect-gpt", type=Path, required=True, help="Fast-DetectGPT's scripts/ folder")
    parser.add_argument("--binoculars", type=Path, required=True, help="the Binoculars repository root")
    parser.add_argument("--observer", help="local causal LM (default: a tiny GPT-2 trained here)")
    parser.add_argument("--performer", help="local causal LM sharing the observer's tokenizer")
    parser.add_argument("--shape", help="LAYERSxWIDTH: two untrained GPT-2s of this shape as observer and performer")
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    for stub in ("datasets", "matplotlib", "matplotlib.pyplot"):  # imported by the reference scripts, unused here
        sys.modules.setdefault(stub, types.ModuleType(stub))
    sys.path[:0] = [str(args.fast_detect_gpt), str(args.binoculars)]

    captions = CAPTIONS.read_text(encoding="utf-8").splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        if args.shape:
            layers, width = (int(n) for n in args.shape.lower().split("x"))
            args.observer = str(untrained_gpt2(Path(tmp) / "a", 1024, layers, width, seed=1))
            args.performer = str(untrained_gpt2(Path(tmp) / "b", 1024, layers, width, seed=2))
        elif not (args.observer and args.performer):
            docs = documents(captions[:9000])
            args.observer = str(train_gpt2(docs, Path(tmp) / "a", seed=1, steps=300))
            args.performer = str(train_gpt2(docs, Path(tmp) / "b", seed=2, steps=300))
        texts = documents(captions[15000:15000 + 3 * args.rows])[: args.rows // 2]
        texts += sample(Path(args.observer), args.rows - len(texts), seed=4, temperature=0.7) if Path(args.observer).is_dir() else []
        tokenizer = load_tokenizer(args.observer)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        observer, device = load_model(args.observer, "causal", args.device, "float32")
        performer = load_model(args.performer, "causal", args.device, "float32")[0]
        tokens = sum(len(ids) for ids in tokenize(tokenizer, texts, 512))

        start = time.perf_counter()
        ref = reference_scores(texts, tokenizer, observer, performer, device)
        ref_s = time.perf_counter() - start
        start = time.perf_counter()
        ours = our_scores(texts, tokenizer, observer, performer, device, args.batch_size)
        ours_s = time.perf_counter() - start

    agree = Table(title=f"Same {len(texts)} texts: qcaudit (batched, padded) vs reference scripts (one text per pass)")
    for column in ("criterion", "reference", "max |difference|", "max relative"):
        agree.add_column(column, justify="left" if column in ("criterion", "reference") else "right")
    sources = {"fast_detect_gpt": "fast_detect_gpt.get_sampling_discrepancy_analytic", "binoculars": "binoculars.metrics"}
    for name in ref:
        diff = np.abs(ref[name] - ours[name])
        agree.add_row(name, sources.get(name, f"baselines.get_{name}"), f"{diff.max():.2e}", f"{(diff / np.abs(ref[name])).max():.2e}")
    speed = Table(title=f"All six criteria, two models, {tokens:,} tokens on {device}")
    for column in ("tool", "seconds", "tokens/s", "speed-up"):
        speed.add_column(column, justify="left" if column == "tool" else "right")
    speed.add_row("reference scripts", f"{ref_s:.2f}", f"{tokens / ref_s:,.0f}", "")
    speed.add_row(f"qcaudit (batch {args.batch_size})", f"{ours_s:.2f}", f"{tokens / ours_s:,.0f}", f"{ref_s / ours_s:.1f}x")
    console = Console(width=130)
    console.print(agree)
    console.print(speed)


if __name__ == "__main__":
    main()
