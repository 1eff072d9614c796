"""Green-list membership, as the reference detector draws green lists, with a cache.

For a seed, the reference (``jwkirchenbauer/lm-watermarking``, ``WatermarkBase``) seeds a
torch generator, draws ``torch.randperm(vocab_size)`` and calls the first
``int(vocab_size * gamma)`` ids green. We draw exactly that on a CPU generator (so detection
runs anywhere and agrees bit for bit with a CPU run of the reference), once per distinct seed:
a batch of (seed, token) questions is grouped by seed, each seed's green list becomes a packed
bit mask kept in a least-recently-used cache, and every token asking about that seed is
answered by one lookup.
"""

from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch


class GreenLists:
    def __init__(self, vocab_size: int, gamma: float, cache_bytes: int = 256 * 2**20, workers: int | None = None):
        if vocab_size < 1:
            raise ValueError("vocabulary size must be positive")
        self.vocab_size = vocab_size
        self.green_size = int(vocab_size * gamma)
        self._capacity = max(1, cache_bytes // ((vocab_size + 7) // 8))
        self._masks: OrderedDict[int, np.ndarray] = OrderedDict()
        self._workers = workers or torch.get_num_threads()
        self.draws = 0  # green lists drawn (cache misses), for throughput reports

    def green_ids(self, seed: int) -> np.ndarray:
        """The green token ids for ``seed``, in the reference's order."""
        generator = torch.Generator(device="cpu")
        generator.manual_seed(int(seed))
        return torch.randperm(self.vocab_size, generator=generator)[: self.green_size].numpy()

    def _packed_mask(self, seed: int) -> np.ndarray:
        mask = np.zeros(self.vocab_size, dtype=bool)
        mask[self.green_ids(seed)] = True
        return np.packbits(mask)

    def is_green(self, seeds: np.ndarray, tokens: np.ndarray) -> np.ndarray:
        """For each (seed, token) pair, whether the token is on that seed's green list. Token
        ids outside the vocabulary are never green (the reference finds them in no list)."""
        tokens = np.asarray(tokens, dtype=np.int64)
        result = np.zeros(tokens.shape[0], dtype=bool)
        if tokens.size == 0:
            return result
        unique_seeds, inverse = np.unique(np.asarray(seeds, dtype=np.uint64), return_inverse=True)
        masks = self._masks_for([int(s) for s in unique_seeds])
        in_vocab = (tokens >= 0) & (tokens < self.vocab_size)
        order = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[order], np.arange(unique_seeds.size + 1))
        for index, mask in enumerate(masks):
            members = order[bounds[index]:bounds[index + 1]]
            members = members[in_vocab[members]]
            ids = tokens[members]
            result[members] = (mask[ids >> 3] >> (7 - (ids & 7))) & 1 == 1
        return result

    def _masks_for(self, seeds: list[int]) -> list[np.ndarray]:
        missing = [seed for seed in seeds if seed not in self._masks]
        if missing:
            self.draws += len(missing)
            if len(missing) > 8 and self._workers > 1:
                with ThreadPoolExecutor(self._workers) as pool:
                    drawn = list(pool.map(self._packed_mask, missing, chunksize=64))
            else:
                drawn = [self._packed_mask(seed) for seed in missing]
            fresh = dict(zip(missing, drawn))
        else:
            fresh = {}
        masks = []
        for seed in seeds:
            mask = fresh.get(seed)
            if mask is None:
                mask = self._masks[seed]
                self._masks.move_to_end(seed)
            else:
                self._masks[seed] = mask
            masks.append(mask)
        while len(self._masks) > self._capacity:
            self._masks.popitem(last=False)
        return masks
