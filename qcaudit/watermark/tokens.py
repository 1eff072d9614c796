"""Texts to the token ids the watermark detector scores, as the reference tokenises them.

The reference (lm-watermarking, ``WatermarkDetector.detect``) normalises the text, encodes it
with the generating model's tokenizer without special tokens, and drops a leading BOS if the
tokenizer still put one there. Its vocabulary size is ``len(tokenizer.get_vocab())`` (added
tokens included), which can differ from the model's embedding rows; pass ``vocab_size`` to
match a generator that was given another size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from qcaudit.long_texts import all_tokens, reads_pieces_alike, whole_ids


def vocabulary_size(tokenizer) -> int:
    return len(tokenizer.get_vocab())


def encode(tokenizer, texts: Sequence[str], normalize: Callable[[str], str] | None = None) -> list[np.ndarray]:
    if normalize is not None:
        texts = [normalize(text) for text in texts]
    encoded = all_tokens(whole_ids(tokenizer), list(texts), reads_pieces_alike(tokenizer))  # (a long text read in pieces: the same ids)
    bos = tokenizer.bos_token_id
    return [np.asarray(ids[1:] if ids and bos is not None and ids[0] == bos else ids, dtype=np.int64) for ids in encoded]
