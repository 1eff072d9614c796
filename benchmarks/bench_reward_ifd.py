"""Reward-model and IFD scoring speed: qcaudit's batched scoring against the reference way
(each row alone with transformers, as the Cherry-LLM and reward-bench scripts loop), same
rows, same model, same run.

The models are built here (no download): a GPT-2-shaped reward model (sequence classifier,
one logit) and causal LM of ``--layers`` layers and ``--width`` hidden size on the BPE
tokenizer of the test fixtures; rows are (prompt, response) pairs of 10-40 and 20-120
words. Prints rows/s of both and the ratio; checks the scores agree (max |diff|).

    python benchmarks/bench_reward_ifd.py                    # CPU, 6 layers x 512
    python benchmarks/bench_reward_ifd.py --device cuda      # a GPU (fp32 for a like-for-like check)
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from rich.console import Console
from rich.table import Table
from transformers import GPT2Config, GPT2ForSequenceClassification, GPT2LMHeadModel, PreTrainedTokenizerFast

from qcaudit.analyzers.ifd import IfdSettings, _Model, ifd_inputs, ifd_losses
from qcaudit.reward_model import load_reward_model, reward_inputs, score_pairs

TOKENIZER = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "watermark" / "tokenizer"
WORDS = "the of and to a in is that for it as was with be by on not he this are or his from at which but have an they".split()


def rows(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    text = lambda lo, hi: " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))  # noqa: E731
    return [text(10, 40) for _ in range(n)], [text(20, 120) for _ in range(n)]


def build(folder: Path, layers: int, width: int) -> tuple[Path, Path]:
    tokenizer = PreTrainedTokenizerFast.from_pretrained(TOKENIZER)
    config = dict(vocab_size=len(tokenizer), n_positions=512, n_embd=width, n_layer=layers, n_head=8,
                  bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    torch.manual_seed(0)
    GPT2ForSequenceClassification(GPT2Config(**config, num_labels=1, pad_token_id=tokenizer.eos_token_id)).save_pretrained(folder / "rm")
    GPT2LMHeadModel(GPT2Config(**config)).save_pretrained(folder / "lm")
    for name in ("rm", "lm"):
        tokenizer.save_pretrained(folder / name)
    return folder / "rm", folder / "lm"


def reward_alone(model, tokenizer, prompts, responses, device) -> np.ndarray:
    ids = reward_inputs(tokenizer, prompts, responses, 512)
    with torch.inference_mode():
        return np.array([float(model(input_ids=torch.tensor([i], device=device)).logits[0, 0]) for i in ids])


def ifd_alone(model, tokenizer, prompts, responses, device) -> np.ndarray:
    conditioned, starts, alone = ifd_inputs(tokenizer, prompts, responses, None, 512)
    out = []
    with torch.inference_mode():
        for ids, start, answer in zip(conditioned, starts, alone, strict=True):
            losses = []
            for seq, first in ((ids, start), (answer, 1)):
                labels = torch.tensor([[-100] * first + seq[first:]], device=device)
                losses.append(float(model(input_ids=torch.tensor([seq], device=device), labels=labels).loss))
            out.append(losses[0] / losses[1])
    return np.array(out)


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=256)
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    prompts, responses = rows(args.rows)
    table = Table(title=f"{args.rows} rows, GPT-2 shape {args.layers} x {args.width}, {args.device}, "
                        f"{torch.get_num_threads()} threads, {time.strftime('%Y-%m-%d')}")
    for column in ("score", "qcaudit rows/s", "one row at a time rows/s", "speed-up", "max |diff|"):
        table.add_column(column, justify="right")
    with tempfile.TemporaryDirectory() as folder:
        rm_path, lm_path = build(Path(folder), args.layers, args.width)
        scorer = load_reward_model(str(rm_path), args.device, "float32", 512, args.batch_size)
        ours, ours_s = timed(lambda: score_pairs(scorer, prompts, responses))
        ref, ref_s = timed(lambda: reward_alone(scorer.model, scorer.tokenizer, prompts, responses, scorer.device))
        table.add_row("reward", f"{args.rows / ours_s:.1f}", f"{args.rows / ref_s:.1f}", f"{ref_s / ours_s:.2f}x",
                      f"{np.abs(ours - ref).max():.1e}")
        tokenizer = PreTrainedTokenizerFast.from_pretrained(lm_path)
        lm = GPT2LMHeadModel.from_pretrained(lm_path).to(args.device).eval()
        settings = IfdSettings(model=str(lm_path), batch_size=args.batch_size, max_tokens=512)
        (conditioned, alone), ours_s = timed(lambda: ifd_losses(_Model(tokenizer, lm, args.device), prompts, responses, settings))
        ref, ref_s = timed(lambda: ifd_alone(lm, tokenizer, prompts, responses, args.device))
        table.add_row("IFD", f"{args.rows / ours_s:.1f}", f"{args.rows / ref_s:.1f}", f"{ref_s / ours_s:.2f}x",
                      f"{np.abs(conditioned / alone - ref).max():.1e}")
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
