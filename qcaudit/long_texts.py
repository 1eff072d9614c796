"""Long texts read by a tokenizer a part at a time: a prefix for their first tokens, a suffix for their last, pieces for all.

A tokenizer reads the whole of a text at once, and holds each token's offsets, string and
word beside its id: for the 256 tokens the default encoder reads of a 3.1 MB row, its
tokenizer held 560 MB and 3.8 s. Where the tokenizer parts text into words at spaces before
anything else, and normalises a character without looking past a space
(:func:`reads_words_apart`), the words before a space are tokenised alike whatever follows
it, so that

- a text's first tokens are those of a prefix that ends before a space and holds them
  (:func:`first_tokens`: a prefix of ``max_tokens`` x :data:`FIRST_CHARS_PER_TOKEN`
  characters, and a longer one where that was not enough: a text of long words or much
  white space), for the encoder and the language models that truncate;
- and, where the normaliser also leaves a text's start alone (:func:`reads_pieces_alike`),
  its tokens are those of its pieces, each ending before a space, one after the other:
  :func:`all_tokens` reads pieces of about :data:`PIECE_CHARS` for the watermark detector and
  the diversity metrics' tokenizer, which read every token, and :func:`last_tokens` a suffix
  that starts at a space for IFD, which keeps a prompt's last tokens.

Both give the ids of the whole text (tested against it on WordPiece, byte-level BPE and
SentencePiece tokenizers). A tokenizer not known to read words apart reads whole texts.
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


def prefix_end(text: str, limit: int, start: int = 0) -> int | None:
    """Where a part of ``text`` from ``start``, of at most ``limit`` characters, may end:
    before the last space that follows a visible character, neither white space nor one a
    normalizer may delete (a control or format character): the end of a word for every
    tokenizer :func:`reads_words_apart` accepts. ``len(text)`` when the rest of the text is
    no longer than ``limit``, and None when no such space is found."""
    if len(text) - start <= limit:
        return len(text)
    end = text.rfind(" ", start + 1, start + limit + 1)
    while end > start and _ends_no_word(text[end - 1]):
        end = text.rfind(" ", start + 1, end)
    return end if end > start else None


def _ends_no_word(character: str) -> bool:
    return character.isspace() or not character.isprintable()


def suffix_start(text: str, limit: int) -> int | None:
    """Where a suffix of ``text`` of at most ``limit`` characters may start: at the first
    space within it that follows a visible character (where :func:`prefix_end` may end a
    prefix); 0 when the text is no longer than ``limit``, and None when no such space is found."""
    if len(text) <= limit:
        return 0
    start = text.find(" ", len(text) - limit)
    while start != -1 and _ends_no_word(text[start - 1]):
        start = text.find(" ", start + 1)
    return start if start > 0 else None


def first_tokens(tokenize: Callable[[list[str]], list[list[int]]], texts: Sequence[str], max_tokens: int,
                 words_apart: bool) -> list[list[int]]:
    """``tokenize(texts)`` (a tokenizer that truncates at ``max_tokens``, special tokens
    counted), each long text read from a prefix that holds its first ``max_tokens`` tokens
    when ``words_apart`` (:func:`reads_words_apart`): a prefix too short for them, or
    without a place to end, is read again twice as long, up to the whole text."""
    if not words_apart:
        return tokenize(list(texts))
    return _growing(tokenize, texts, max_tokens, lambda text, limit: None if (end := prefix_end(text, limit)) is None else (0, end))


def last_tokens(tokenize: Callable[[list[str]], list[list[int]]], texts: Sequence[str], count: int,
                alike: bool) -> list[list[int]]:
    """Ids that end as ``tokenize(texts)``'s do (a tokenizer that neither truncates nor adds
    special tokens), at least the last ``count`` of each text (all of a text with fewer): a
    long text is read from a suffix that starts at a space and holds them, when ``alike``
    (:func:`reads_pieces_alike`: a text's tokens are those of its parts, one after the other),
    read again twice as long where it did not."""
    if not alike:
        return tokenize(list(texts))
    return _growing(tokenize, texts, count, lambda text, limit: None if (start := suffix_start(text, limit)) is None else (start, len(text)))


def _growing(tokenize: Callable[[list[str]], list[list[int]]], texts: Sequence[str], count: int,
             part: Callable[[str, int], tuple[int, int] | None]) -> list[list[int]]:
    """Each text's ids read from ``part(text, limit)`` (a slice, or None where none ends
    well), ``limit`` first ``count`` x :data:`FIRST_CHARS_PER_TOKEN` characters and doubled
    for the texts whose part held fewer than ``count`` tokens and was not the whole text."""
    limit = count * FIRST_CHARS_PER_TOKEN
    if all(len(text) <= limit for text in texts):
        return tokenize(list(texts))
    found: list[list[int] | None] = [None] * len(texts)
    pending = list(range(len(texts)))
    while pending:
        parts = {i: part(texts[i], limit) for i in pending}
        tried = [i for i in pending if parts[i] is not None]
        still = [i for i in pending if parts[i] is None]
        read = tokenize([texts[i][parts[i][0] : parts[i][1]] for i in tried]) if tried else []
        for i, ids in zip(tried, read, strict=True):
            if parts[i] == (0, len(texts[i])) or len(ids) >= count:
                found[i] = ids
            else:
                still.append(i)
        pending, limit = sorted(still), limit * 2
    return found


#: Characters of a long text read a call, for :func:`all_tokens`: a 64 KB piece's tokens
#: and offsets take a few MB in the tokenizer, whatever the text's length.
PIECE_CHARS = 65_536


def reads_pieces_alike(tokenizer) -> bool:
    """Whether ``tokenizer`` gives a text's ids as those of its pieces, one after the other,
    each ending before a space (:func:`pieces`): it reads words apart
    (:func:`reads_words_apart`), and its normaliser does not strip or add at a text's start,
    where a piece's leading space is the text's."""
    if not reads_words_apart(tokenizer):
        return False
    backend = getattr(tokenizer, "backend_tokenizer", tokenizer)
    return not _touches_the_start(json.loads(backend.normalizer.__getstate__()) if backend.normalizer is not None else None)


def _touches_the_start(normalizer: dict | None) -> bool:
    if not normalizer:
        return False
    if normalizer.get("type") == "Sequence":
        return any(_touches_the_start(member) for member in normalizer.get("normalizers", []))
    return normalizer.get("type") in ("Strip", "Prepend")


def pieces(text: str, size: int) -> list[str]:
    """``text`` in pieces of at most ``size`` characters, each ending before a space where
    :func:`prefix_end` finds one (a piece runs on to the next such space where it does not)."""
    found, start = [], 0
    while start < len(text):
        end = prefix_end(text, size, start)
        if end is None:  # no word ends within ``size``: the next place after it where one does
            end = start + size
            while (end := text.find(" ", end + 1)) != -1 and _ends_no_word(text[end - 1]):
                pass
            end = len(text) if end == -1 else end
        found.append(text[start:end])
        start = end
    return found


def all_tokens(tokenize: Callable[[list[str]], list[list[int]]], texts: Sequence[str], alike: bool) -> list[list[int]]:
    """``tokenize(texts)`` (a tokenizer that neither truncates nor adds special tokens), each
    text longer than :data:`PIECE_CHARS` read in :func:`pieces` when ``alike``
    (:func:`reads_pieces_alike`), their ids joined."""
    if not alike or all(len(text) <= PIECE_CHARS for text in texts):
        return tokenize(list(texts))
    short = [i for i, text in enumerate(texts) if len(text) <= PIECE_CHARS]
    found: list[list[int] | None] = [None] * len(texts)
    for i, ids in zip(short, tokenize([texts[i] for i in short]) if short else [], strict=True):
        found[i] = ids
    for i in (i for i, text in enumerate(texts) if len(text) > PIECE_CHARS):
        joined: list[int] = []
        for piece in pieces(texts[i], PIECE_CHARS):
            joined.extend(tokenize([piece])[0])
        found[i] = joined
    return found
