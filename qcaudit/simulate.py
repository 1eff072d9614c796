"""A small, reproducible model-collapse simulator (a data flywheel in miniature).

Fit an n-gram language model on a corpus, sample a new generation from it with the
truncation real decoders use (top-k and/or top-p), refit on the samples, repeat. Two modes,
after Shumailov et al. 2024 and Gerstgrasser et al. 2024:

- ``replace``: each model is fitted on the previous generation only (the tails vanish);
- ``accumulate``: each model is fitted on the real data plus every generation so far.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict

BOS, EOS = "<s>", "</s>"


class NgramLM:
    """A maximum-likelihood n-gram model over whitespace tokens (no smoothing: it can only
    produce what it saw, which is what makes the tails disappear)."""

    def __init__(self, order: int = 2) -> None:
        self.order = order
        self.next: dict[tuple[str, ...], Counter] = defaultdict(Counter)

    def fit(self, lines: list[str]) -> NgramLM:
        for line in lines:
            words = [BOS] * (self.order - 1) + line.split() + [EOS]
            for i in range(self.order - 1, len(words)):
                self.next[tuple(words[i - self.order + 1 : i])][words[i]] += 1
        return self

    def sample(self, rng: random.Random, top_k: int | None = None, top_p: float | None = None, max_len: int = 60) -> str:
        context = [BOS] * (self.order - 1)
        out: list[str] = []
        while len(out) < max_len:
            counts = self.next[tuple(context[len(context) - self.order + 1 :])] if self.order > 1 else self.next[()]
            choices = counts.most_common(top_k)
            if top_p is not None:
                total, kept, mass = sum(c for _, c in choices), [], 0.0
                for word, count in choices:
                    kept.append((word, count))
                    mass += count / total
                    if mass >= top_p:
                        break
                choices = kept
            words, weights = zip(*choices, strict=True)
            word = rng.choices(words, weights=weights)[0]
            if word == EOS:
                break
            out.append(word)
            context.append(word)
        return " ".join(out)


def simulate(
    real: list[str], generations: int, mode: str = "replace", order: int = 2,
    top_k: int | None = 20, top_p: float | None = 0.9, seed: int = 0,
) -> list[list[str]]:
    """Generation 0 is ``real``; each further one has as many rows, sampled as ``mode`` says."""
    if mode not in ("replace", "accumulate"):
        raise ValueError("mode must be 'replace' or 'accumulate'")
    rng = random.Random(seed)
    produced = [list(real)]
    for _ in range(generations):
        training = produced[-1] if mode == "replace" else [line for gen in produced for line in gen]
        model = NgramLM(order).fit(training)
        produced.append([model.sample(rng, top_k, top_p) for _ in range(len(real))])
    return produced
