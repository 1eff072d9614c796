"""A truncating tokenizer's ids of long texts, read from a prefix of each.

A tokenizer reads the whole of a text before it cuts the tokens at a maximum length: for
the 256 tokens the default encoder reads of a 3.1 MB row, its tokenizer held 560 MB and
3.8 s (the row's 800,000 tokens with their offsets and words). Where the tokenizer parts
text into words at spaces before anything else, and normalises a character without looking
past a space, a text's first tokens are those of its prefix up to a space: the words before
the space are tokenised alike whatever follows it. :func:`first_tokens` tokenises such a
prefix, long enough for ``max_tokens`` at :data:`FIRST_CHARS_PER_TOKEN` characters a token,
and a longer one where it was not (a text of long words or much white space), so that the
ids are those of the whole text, cut, for every text (tested against the whole text on
WordPiece, byte-level BPE and SentencePiece tokenizers). A tokenizer whose parts are not
known to be local (:func:`reads_words_apart`) reads the whole text, as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

#: Characters of a text read first per token wanted: about five times the default
#: tokenizer's 3.3 characters a token on GSM8K and Code Alpaca, so that a prefix seldom has
#: to be read again longer.
FIRST_CHARS_PER_TOKEN = 16

#: Pre-tokenizers that part text into words at every space (``tokenizers``' names; for
#: ``ByteLevel`` with its regular expression on, for ``Metaspace`` with ``split`` on).
_PARTING_AT_SPACES = {"BertPreTokenizer", "Whitespace", "WhitespaceSplit", "ByteLevel", "Metaspace"}
#: Normalizers that change a text character by character (or, ``Precompiled``, by the
#: character sequences of a Unicode normal form, which a space ends), never across a space.
_LOCAL_NORMALIZERS = {"BertNormalizer", "Lowercase", "NFC", "NFD", "NFKC", "NFKD", "StripAccents", "Strip", "Precompiled",
                      "Prepend"}
#: ``Replace`` patterns that rewrite runs of spaces, which begin after a prefix's last word.
_SPACE_RUNS = {" {2,}", " +", "\\s+", "\\s{2,}"}


def reads_words_apart(tokenizer) -> bool:
    """Whether ``tokenizer`` (``tokenizers``' ``Tokenizer`` or a fast transformers tokenizer)
    tokenises the words before a space alike whatever follows it, and keeps a text's first
    tokens when it truncates: its pre-tokenizer parts text at spaces, its normalizer does
    not look across one, and no added token holds a space."""
    backend = getattr(tokenizer, "backend_tokenizer", tokenizer)
    if getattr(tokenizer, "truncation_side", "right") != "right" or not hasattr(backend, "get_added_tokens_decoder"):
        return False

    def described(part) -> dict | None:  # (a part alone: the whole tokenizer's JSON holds its vocabulary)
        return json.loads(part.__getstate__()) if part is not None else None

    try:
        return ((backend.truncation or {}).get("direction", "right") == "right"
                and not any(" " in added.content for added in backend.get_added_tokens_decoder().values())
                and _parts_at_spaces(described(backend.pre_tokenizer)) and _local(described(backend.normalizer)))
    except (AttributeError, TypeError, ValueError):  # (a tokenizer object of another make: read whole texts)
        return False


def _parts_at_spaces(pre_tokenizer: dict | None) -> bool:
    if not pre_tokenizer:
        return False
    kind = pre_tokenizer.get("type")
    if kind == "Sequence":  # (each member parts further what the one before parted)
        return any(_parts_at_spaces(member) for member in pre_tokenizer.get("pretokenizers", []))
    if kind == "ByteLevel" and not pre_tokenizer.get("use_regex", True):
        return False
    if kind == "Metaspace" and not pre_tokenizer.get("split", True):
        return False
    return kind in _PARTING_AT_SPACES


def _local(normalizer: dict | None) -> bool:
    if not normalizer:
        return True
    kind = normalizer.get("type")
    if kind == "Sequence":
        return all(_local(member) for member in normalizer.get("normalizers", []))
    if kind == "Replace":
        pattern = normalizer.get("pattern", {})
        said = pattern.get("String", pattern.get("Regex"))
        return said is not None and (said in _SPACE_RUNS or ("String" in pattern and (" " not in said or not said.strip(" "))))
    return kind in _LOCAL_NORMALIZERS


def prefix_end(text: str, limit: int) -> int | None:
    """Where a prefix of ``text`` of at most ``limit`` characters may end: before the last
    space that follows a visible character, neither white space nor one a normalizer may
    delete (a control or format character): the end of a word for every tokenizer
    :func:`reads_words_apart` accepts. ``len(text)`` when the text is no longer than
    ``limit``, and None when no such space is found."""
    if len(text) <= limit:
        return len(text)
    end = text.rfind(" ", 1, limit + 1)
    while end > 0 and (text[end - 1].isspace() or not text[end - 1].isprintable()):
        end = text.rfind(" ", 1, end)
    return end if end > 0 else None


def first_tokens(tokenize: Callable[[list[str]], list[list[int]]], texts: Sequence[str], max_tokens: int,
                 words_apart: bool) -> list[list[int]]:
    """``tokenize(texts)`` (a tokenizer that truncates at ``max_tokens``, special tokens
    counted), each long text read from a prefix that holds its first ``max_tokens`` tokens
    when ``words_apart`` (:func:`reads_words_apart`): a prefix too short for them, or
    without a place to end, is read again twice as long, up to the whole text."""
    limit = max_tokens * FIRST_CHARS_PER_TOKEN
    if not words_apart or all(len(text) <= limit for text in texts):
        return tokenize(list(texts))
    found: list[list[int] | None] = [None] * len(texts)
    pending = list(range(len(texts)))
    while pending:
        ends = {i: prefix_end(texts[i], limit) for i in pending}
        tried = [i for i in pending if ends[i] is not None]
        still = [i for i in pending if ends[i] is None]
        for i, ids in zip(tried, tokenize([texts[i][: ends[i]] for i in tried]) if tried else [], strict=True):
            if ends[i] == len(texts[i]) or len(ids) >= max_tokens:
                found[i] = ids
            else:
                still.append(i)
        pending, limit = sorted(still), limit * 2
    return found
