"""Tiny language models trained in the test session on real captions (COCO, ../shared/data).

Two GPT-2s (different seeds: the Binoculars observer and performer, and the scoring model)
and a T5 taught to fill ``<extra_id_k>`` spans (DetectGPT's mask model), all on the BPE
tokenizer of the watermark fixtures. A few hundred CPU steps each: enough to make samples
from the LM measurably different from held-out human captions, which is all the tests ask.
An untrained GPT-2 on the same tokenizer serves tests of a model's plumbing.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import torch
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast, T5Config, T5ForConditionalGeneration

from qcaudit.detectors.perturb import mask_spans

TOKENIZER = Path(__file__).parent / "fixtures" / "watermark" / "tokenizer"
SENTINELS = 8


def untrained_gpt2(path: Path, positions: int = 1024, layers: int = 1, width: int = 32, seed: int = 0) -> Path:
    """A randomly initialised GPT-2 (one layer of width 32 unless told) on the fixtures' BPE
    tokenizer, saved to ``path``: enough to test the plumbing of a model (the judge's, LM
    scoring on CUDA), and at a real model's shape, to time one: ``width // 64`` heads (64 wide at
    GPT-2's widths, 768 and up), two under a width of 64."""
    tokenizer = PreTrainedTokenizerFast.from_pretrained(TOKENIZER)
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer), n_positions=positions, n_embd=width, n_layer=layers,
                                       n_head=width // 64 if width >= 64 else 2,
                                       bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id))
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def documents(captions: list[str], per_doc: int = 3) -> list[str]:
    """Short documents: consecutive captions joined, each capitalised and ended with a period."""
    clean = [c.strip().rstrip(".") for c in captions if c.strip()]
    return [" ".join(f"{c[0].upper()}{c[1:]}." for c in clean[i:i + per_doc]) for i in range(0, len(clean) - per_doc + 1, per_doc)]


def train_gpt2(docs: list[str], out: Path, seed: int, steps: int = 500) -> Path:
    tokenizer = PreTrainedTokenizerFast.from_pretrained(TOKENIZER)
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=96, n_embd=64, n_layer=2, n_head=2,
                        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id)
    model = GPT2LMHeadModel(config)
    ids = [[tokenizer.bos_token_id] + tokenizer(d)["input_ids"][:94] + [tokenizer.eos_token_id] for d in docs]
    _train(model, lambda batch: _causal_batch([ids[i] for i in batch]), len(ids), steps, seed)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def train_t5_filler(docs: list[str], out: Path, seed: int, steps: int = 600) -> Path:
    base = PreTrainedTokenizerFast.from_pretrained(TOKENIZER)
    backend = copy.deepcopy(base.backend_tokenizer)
    sentinels = [f"<extra_id_{k}>" for k in range(SENTINELS)]
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, pad_token="<pad>", eos_token="</s>",
                                        additional_special_tokens=sentinels)
    torch.manual_seed(seed)
    config = T5Config(vocab_size=len(tokenizer), d_model=64, d_ff=128, d_kv=16, num_layers=2, num_heads=2,
                      pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                      decoder_start_token_id=tokenizer.pad_token_id)
    model = T5ForConditionalGeneration(config)
    rng = np.random.default_rng(seed)
    pairs = [_span_pair(d, rng) for d in docs]
    pairs = [p for p in pairs if p]

    def batch_of(indices):
        sources = tokenizer([pairs[i][0] for i in indices], padding=True, return_tensors="pt")
        targets = tokenizer([pairs[i][1] for i in indices], padding=True, return_tensors="pt").input_ids
        targets[targets == tokenizer.pad_token_id] = -100
        return {"input_ids": sources.input_ids, "attention_mask": sources.attention_mask, "labels": targets}

    _train(model, batch_of, len(pairs), steps, seed)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def _span_pair(doc: str, rng: np.random.Generator) -> tuple[str, str] | None:
    """(masked text, target) as T5 learns span filling: target = each sentinel then its span."""
    masked = mask_spans(doc, 2, 0.15, rng)
    if masked is None:
        return None
    words, original, target = masked.split(" "), doc.split(" "), []
    cursor = 0
    for word in words:  # walk both word lists; a sentinel stands for two original words
        if word.startswith("<extra_id_"):
            target += [word, *original[cursor:cursor + 2]]
            cursor += 2
        else:
            cursor += 1
    target.append(f"<extra_id_{sum(w.startswith('<extra_id_') for w in words)}>")
    return masked, " ".join(target)


def _causal_batch(seqs: list[list[int]]) -> dict:
    width = max(len(s) for s in seqs)
    ids = torch.zeros((len(seqs), width), dtype=torch.long)
    labels = torch.full((len(seqs), width), -100, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
        labels[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def _train(model, make_batch, count: int, steps: int, seed: int, batch_size: int = 32) -> None:
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        loss = model(**make_batch(rng.integers(0, count, batch_size).tolist())).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


@torch.inference_mode()
def sample(model_dir: Path, count: int, seed: int, temperature: float = 1.0, max_new_tokens: int = 50) -> list[str]:
    tokenizer = PreTrainedTokenizerFast.from_pretrained(model_dir)
    model = GPT2LMHeadModel.from_pretrained(model_dir).eval()
    torch.manual_seed(seed)
    start = torch.full((count, 1), tokenizer.bos_token_id)
    out = model.generate(start, do_sample=True, top_k=0, temperature=temperature, max_new_tokens=max_new_tokens, min_new_tokens=max_new_tokens,
                         pad_token_id=tokenizer.eos_token_id)
    return [t.strip() for t in tokenizer.batch_decode(out[:, 1:], skip_special_tokens=True)]
