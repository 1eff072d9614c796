"""What a sentence-transformers model folder says about its layout, read from its small
JSON files without loading the model (or importing torch and transformers).

``modules.json`` lists the model's modules (transformer, pooling, normalize, dense, ...)
and ``1_Pooling/config.json`` how token vectors become one vector. The config has two
formats: sentence-transformers before 6 writes ``word_embedding_dimension`` and one
``pooling_mode_*`` flag per mode, 6 and later ``embedding_dimension`` and ``"pooling_mode":
"mean"`` (or a list of modes, whose vectors it concatenates).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from qcaudit.errors import QcauditError

#: The pooling modes of sentence-transformers' ``Pooling``, by the flag the older format sets.
_MODE_FLAGS = {"pooling_mode_cls_token": "cls", "pooling_mode_max_tokens": "max", "pooling_mode_mean_tokens": "mean",
               "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
               "pooling_mode_weightedmean_tokens": "weightedmean", "pooling_mode_lasttoken": "lasttoken"}


@dataclass(frozen=True)
class SentenceLayout:
    """A sentence model's modules (class names, in order) and its pooling."""

    modules: tuple[str, ...]
    pooling_modes: tuple[str, ...]
    token_dimension: int | None  # the transformer's width, as the pooling config says it

    @property
    def plain(self) -> bool:
        """A transformer, then pooling, then at most a normalisation: the vector is the
        pooled token vectors, nothing learned after them."""
        return self.modules[:2] == ("Transformer", "Pooling") and set(self.modules[2:]) <= {"Normalize"}

    @property
    def normalises(self) -> bool:
        return "Normalize" in self.modules

    @property
    def dimension(self) -> int | None:
        """The sentence vector's width for a :attr:`plain` model (each pooling mode's vector
        concatenated, as sentence-transformers does); None when the files do not say it."""
        if not self.plain or not self.token_dimension or not self.pooling_modes:
            return None
        return self.token_dimension * len(self.pooling_modes)


def sentence_layout(path: Path) -> SentenceLayout:
    """The layout of the sentence-transformers folder ``path``; a QcauditError when it has
    no ``modules.json`` with a pooling config."""
    try:
        modules = tuple(m["type"].rsplit(".", 1)[-1] for m in json.loads((path / "modules.json").read_text("utf-8")))
        pooling = json.loads((path / "1_Pooling" / "config.json").read_text("utf-8"))
        given = pooling.get("pooling_mode")
        width = pooling.get("embedding_dimension", pooling.get("word_embedding_dimension"))
        if given is None:
            modes = tuple(mode for flag, mode in _MODE_FLAGS.items() if pooling.get(flag))
        else:
            modes = (given,) if isinstance(given, str) else tuple(str(mode) for mode in given)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise QcauditError(f"{path} is not a sentence-transformers folder with a pooling config") from None
    return SentenceLayout(modules, modes, width if type(width) is int and width > 0 else None)  # (not a bool)
