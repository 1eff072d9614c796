"""DetectGPT perturbations (Mitchell et al. 2023): mask word spans, let a T5-style model refill them.

As in the reference (Fast-DetectGPT's ``scripts/detect_gpt.py``, after DetectGPT's own):
words are the text split on single spaces; ``int(mask_fraction * words / span_length)``
spans of ``span_length`` words are masked at random starts, never touching or abutting
another span (one word of buffer); each masked span becomes ``<extra_id_k>``; the mask
model samples a fill (nucleus ``top_p``) and stops at the sentinel after the last; the fills
between sentinels replace the spans. A text whose fill comes back short is masked afresh
and refilled, at most ``MAX_ATTEMPTS`` times (the reference retries forever); one that
still fails yields no perturbation. Unlike the reference, a text long enough for one span
always gets at least one, and each text draws its masks and fills from generators of its
own, seeded by the run's seed and the text: a text's perturbations are the same whichever
texts come with it (any batch, shard or machine), so DetectGPT scores batch by batch.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import torch

BUFFER = 1
MAX_ATTEMPTS = 5
MAX_FILL_TOKENS = 150  # the reference's max_length for the fill
_SENTINEL = re.compile(r"<extra_id_\d+>")
_MASK = "<<<mask>>>"


def mask_spans(text: str, span_length: int, mask_fraction: float, rng: np.random.Generator) -> str | None:
    """``text`` with spans replaced by ``<extra_id_0>``, ``<extra_id_1>``...; None if too short."""
    words = text.split(" ")
    if len(words) <= span_length + 2 * BUFFER:
        return None
    wanted = max(1, int(mask_fraction * len(words) / span_length))
    masked = 0
    for _ in range(100 * wanted):  # the reference loops until done; dense masks could never finish
        if masked == wanted:
            break
        start = int(rng.integers(0, len(words) - span_length))
        end = start + span_length
        if _MASK not in words[max(0, start - BUFFER):min(len(words), end + BUFFER)]:
            words[start:end] = [_MASK]
            masked += 1
    sentinel = iter(range(len(words)))
    return " ".join(f"<extra_id_{next(sentinel)}>" if word == _MASK else word for word in words)


def _fills(decoded: str) -> list[str]:
    decoded = decoded.replace("<pad>", "").replace("</s>", "").strip()
    return [fill.strip() for fill in _SENTINEL.split(decoded)[1:-1]]


def _apply(masked: str, fills: list[str]) -> str | None:
    words = masked.split(" ")
    count = sum(1 for w in words if w.startswith("<extra_id_"))
    if len(fills) < count:
        return None
    for k in range(count):
        words[words.index(f"<extra_id_{k}>")] = fills[k]
    return " ".join(words)


@torch.inference_mode()
def _fill(model, tokenizer, masked: list[str], top_p: float, device: str) -> list[str | None]:
    counts = [sum(1 for w in m.split(" ") if w.startswith("<extra_id_")) for m in masked]
    stop = tokenizer.convert_tokens_to_ids(f"<extra_id_{max(counts)}>")
    encoded = tokenizer(masked, return_tensors="pt", padding=True).to(device)
    out = model.generate(**encoded, max_length=MAX_FILL_TOKENS, do_sample=True, top_p=top_p, top_k=0,
                         num_return_sequences=1, eos_token_id=stop)
    decoded = tokenizer.batch_decode(out, skip_special_tokens=False)
    return [_apply(m, _fills(d)) for m, d in zip(masked, decoded)]


def perturb(texts: list[str], model, tokenizer, *, n: int, span_length: int, mask_fraction: float,
            top_p: float, seed: int, batch_size: int, device: str, advance=lambda k: None) -> list[list[str]]:
    """``n`` perturbations of each text (fewer where filling kept failing), each text's from
    its own seed (:func:`text_seed`), filled in batches of at most ``batch_size`` of its own
    perturbations; the caller's random state is left as it was."""
    out = []
    devices = [torch.device(device).index or 0] if torch.device(device).type == "cuda" else []
    for text in texts:
        own_seed = text_seed(seed, text)
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(own_seed)
            out.append(_perturb_text(text, model, tokenizer, n, span_length, mask_fraction, top_p,
                                     np.random.default_rng(own_seed), batch_size, device))
        advance(n)
    return out


def text_seed(seed: int, text: str) -> int:
    """The seed of one text's perturbations: the run's seed and the text's own bytes."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8, key=str(seed).encode()).digest(), "little")


def _perturb_text(text: str, model, tokenizer, n: int, span_length: int, mask_fraction: float, top_p: float,
                  rng: np.random.Generator, batch_size: int, device: str) -> list[str]:
    out: list[str] = []
    for start in range(0, n, batch_size):
        pending = min(batch_size, n - start)  # perturbations still to make in this batch
        for _ in range(MAX_ATTEMPTS):
            masked = [m for m in (mask_spans(text, span_length, mask_fraction, rng) for _ in range(pending)) if m is not None]
            if not masked:
                break
            filled = [f for f in _fill(model, tokenizer, masked, top_p, device) if f is not None]
            out += filled
            pending = len(masked) - len(filled)
            if not pending:
                break
    return out
