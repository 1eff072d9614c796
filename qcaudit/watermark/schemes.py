"""Seeding schemes of the Kirchenbauer et al. (2023) watermark, vectorised over n-gram windows.

A scheme names a pseudo-random function (PRF) of the ``context_width`` tokens before each
token (with ``self_salt``, of the window ending at the token itself), a hash key, and so
the seed of the green list that token is tested against. Names, PRFs and integer
semantics follow the reference implementation, ``jwkirchenbauer/lm-watermarking``
(``alternative_prf_schemes.py``): its PRFs run on int64 torch tensors, so products wrap
modulo 2**64 exactly where numpy's int64 arrays wrap; the factors it multiplies as Python
integers (``salt * x.sum().item()``) are multiplied here as Python integers too. The seed
is the PRF value modulo 2**64 - 1, as the reference seeds its generator.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import torch

DEFAULT_HASH_KEY = 15485863  # the millionth prime, the reference's default salt
SEED_MODULUS = 2**64 - 1
_TABLE_SIZE = 1_000_003
_TABLE_SEED = 2971215073

#: Public scheme names -> (prf, context width, self salt); the key defaults to DEFAULT_HASH_KEY.
NAMED_SCHEMES = {
    "lefthash": ("additive_prf", 1, False),
    "simple_1": ("additive_prf", 1, False),
    "selfhash": ("anchored_minhash_prf", 4, True),
    "algorithm-3": ("anchored_minhash_prf", 4, True),
    "minhash": ("minhash_prf", 4, False),
    "skipgram": ("skipgram_prf", 5, False),
}


@dataclass(frozen=True)
class SeedingScheme:
    prf: str
    context_width: int
    self_salt: bool
    hash_key: int

    @property
    def ngram_length(self) -> int:
        """Tokens in each scored n-gram: the context plus the token, less one when the
        token salts its own context."""
        return self.context_width + 1 - int(self.self_salt)

    def describe(self) -> str:
        return f"ff-{self.prf}-{self.context_width}-{self.self_salt}-{self.hash_key}"


def parse_scheme(name: str, hash_key: int | None = None) -> SeedingScheme:
    """A named scheme (``lefthash``, ``selfhash``, ``minhash``, ``skipgram`` and aliases) or a
    free-form ``ff-<prf>-<context>-<True|False>[-<key>]``; ``hash_key`` overrides the key."""
    if name in NAMED_SCHEMES:
        prf, width, self_salt = NAMED_SCHEMES[name]
        key = DEFAULT_HASH_KEY
    elif name.startswith("ff-"):
        parts = name.split("-")
        if len(parts) not in (4, 5):
            raise ValueError(f"free-form scheme {name!r}: use ff-<prf>-<context width>-<True|False>[-<hash key>]")
        prf, self_salt = parts[1], parts[3] == "True"
        try:
            width = int(parts[2])
            key = int(parts[4]) if len(parts) == 5 else DEFAULT_HASH_KEY
        except ValueError:
            raise ValueError(f"free-form scheme {name!r}: context width and hash key must be integers") from None
    else:
        raise ValueError(f"unknown seeding scheme {name!r}; use one of {', '.join(NAMED_SCHEMES)} or ff-<prf>-<context>-<self salt>[-<key>]")
    if prf not in PRFS:
        raise ValueError(f"unknown PRF {prf!r} in scheme {name!r}; available: {', '.join(PRFS)}")
    if hash_key is not None:
        key = hash_key
    if width < 1:
        raise ValueError(f"scheme {name!r}: context width must be at least 1")
    if not 0 <= key < 2**63:
        raise ValueError(f"hash key {key} must be in [0, 2**63), an int64 as in the reference")
    return SeedingScheme(prf, width, self_salt, key)


@functools.cache
def _permutation_table() -> np.ndarray:
    """The reference's fixed permutation of 1,000,003 integers (torch CPU generator)."""
    generator = torch.Generator(device="cpu")
    generator.manual_seed(_TABLE_SEED)
    return torch.randperm(_TABLE_SIZE, generator=generator).numpy()


def hashint(values: np.ndarray) -> np.ndarray:
    """The reference's integer hash: a lookup in the fixed permutation, plus one."""
    return _permutation_table()[np.remainder(values, _TABLE_SIZE)] + 1


def _times_key(values: np.ndarray, key: int) -> np.ndarray:
    """``key * v.item()``: a Python-integer product, which never wraps."""
    return np.array([key * int(v) for v in values], dtype=object)


def _multiplicative(w: np.ndarray, key: int) -> np.ndarray:
    return _times_key(np.prod(w, axis=1), key)


def _additive(w: np.ndarray, key: int) -> np.ndarray:
    return _times_key(w.sum(axis=1), key)


def _minfunc(w: np.ndarray, key: int) -> np.ndarray:
    return _times_key(w.min(axis=1), key)


def _simple_skip(w: np.ndarray, key: int) -> np.ndarray:
    return np.prod(hashint(key * w[:, ::2]), axis=1)


def _skipgram(w: np.ndarray, key: int) -> np.ndarray:
    return hashint(key * w[:, 0])


def _anchored_skipgram(w: np.ndarray, key: int) -> np.ndarray:
    return hashint(key * w[:, 0]) * hashint(key * w[:, -1])


def _minhash(w: np.ndarray, key: int) -> np.ndarray:
    return hashint(key * w).min(axis=1)


def _anchored_minhash(w: np.ndarray, key: int) -> np.ndarray:
    return (key * hashint(w) * hashint(w[:, -1:])).min(axis=1)


def _minskipgram(w: np.ndarray, key: int) -> np.ndarray:
    hashed = hashint(key * w)
    pairs = list(combinations(range(w.shape[1]), 2))
    if not pairs:  # the reference fails on a one-token context; so do we, with a reason
        raise ValueError("minskipgram_prf needs a context width of at least 2")
    return np.stack([hashed[:, i] * hashed[:, j] for i, j in pairs], axis=1).min(axis=1)


def _noncomm(w: np.ndarray, key: int) -> np.ndarray:
    state = np.full(w.shape[0], key, dtype=np.int64)
    for column in w.T:
        state = np.remainder(state * hashint(state * column), 2**32)
    return state


def _position(w: np.ndarray, key: int) -> np.ndarray:
    return (key * w * np.arange(1, w.shape[1] + 1, dtype=np.int64)).sum(axis=1)


PRFS = {
    "multiplicative_prf": _multiplicative,
    "additive_prf": _additive,
    "minfunc_prf": _minfunc,
    "simple_skip_prf": _simple_skip,
    "skipgram_prf": _skipgram,
    "anchored_skipgram_prf": _anchored_skipgram,
    "minhash_prf": _minhash,
    "anchored_minhash_prf": _anchored_minhash,
    "minskipgram_prf": _minskipgram,
    "noncomm_prf": _noncomm,
    "position_prf": _position,
}


def green_list_seeds(scheme: SeedingScheme, windows: np.ndarray) -> np.ndarray:
    """uint64 seeds for ``windows`` (int64, one row of ``context_width`` token ids each)."""
    with np.errstate(over="ignore"):
        values = PRFS[scheme.prf](np.ascontiguousarray(windows, dtype=np.int64), scheme.hash_key)
    if values.dtype == object:
        return np.array([v % SEED_MODULUS for v in values], dtype=np.uint64)
    # Python's modulo of a (possibly negative, wrapped) int64 by 2**64 - 1, in uint64 arithmetic.
    unsigned = values.astype(np.int64).view(np.uint64)
    return np.where(values < 0, unsigned - np.uint64(1), unsigned)
