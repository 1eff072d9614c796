"""Long texts read by a tokenizer a part at a time: a prefix for their first tokens, a suffix for their last, pieces for all.

A tokenizer reads the whole of a text at once, and holds each token's offsets, string and
word beside its id: for the 256 tokens the default encoder reads of a 3.1 MB row, its
tokenizer held 560 MB and 3.8 s. Where the tokenizer parts text into words at spaces before
anything else (or, a SentencePiece BPE tokenizer reading a whole text as one word, has no
token that joins a space to what stands before it), and normalises a character without
looking past a space (:func:`reads_words_apart`), the words before a word end (a space
after a visible character; where the tokenizer sets them apart, a Chinese ideograph or a
punctuation mark: :class:`WordEnds`) are tokenised alike whatever follows it, so that

- a text's first tokens are those of a prefix that ends at a word end and holds them
  (:func:`first_tokens`: a prefix of ``max_tokens`` x :data:`CHARS_PER_TOKEN`
  characters, and a longer one where that was not enough: a text of long words or much
  white space), for the encoder and the language models that truncate, and those of a
  pair's two texts truncated "longest first" for a reward model (:func:`first_pair_tokens`);
- and, where the normaliser also leaves a text's start alone (:func:`reads_pieces_alike`),
  its tokens are those of its pieces, each ending at a word end, one after the other:
  :func:`all_tokens` reads pieces of about :data:`PIECE_CHARS` for the watermark detector and
  the diversity metrics' tokenizer, which read every token, and :func:`last_tokens` a suffix
  that starts at a word end for IFD, which keeps a prompt's last tokens.

Each gives the ids of the whole text (tested against it on WordPiece, byte-level BPE by
GPT-2's expression (with and without a space written before each text), by Llama 3's and
by Qwen2's, SentencePiece unigram, and SentencePiece BPE in Llama 2's, transformers' and
Gemma's forms). A tokenizer not known to read words apart reads whole texts.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

#: Characters a token, a little over the default tokenizer's: its tokens average 3.3
#: characters in GSM8K's whole rows and in Code Alpaca's rows, 3.9 and 4.1 at their 95th
#: percentile. A first prefix is this many characters a token wanted, so that an English one
#: is seldom read again longer and a Chinese one (a token a character) is not four times what
#: is wanted (256 rows of 20,000 characters: 0.1 s and 14 MB in English, 0.2 s and 44 MB in
#: Chinese, against 0.35-0.46 s and 52 MB, 1.3 s and 175 MB at 16 characters a token;
#: 2026-12-06); the encoder's time left counts no more of a text than this times what the
#: model reads (:meth:`qcaudit.embed.Encoder._encode`).
CHARS_PER_TOKEN = 4

#: Pre-tokenizers that part text into words at every space (``tokenizers``' names; for
#: ``ByteLevel`` with its regular expression on, for ``Metaspace`` with ``split`` on, for
#: ``Split`` with an expression of :data:`_SPLITS_AT_SPACES`).
_PARTING_AT_SPACES = frozenset({"BertPreTokenizer", "Whitespace", "WhitespaceSplit", "ByteLevel", "Metaspace", "Split"})
#: ``Split`` expressions (isolating what they match) after which a word never runs on into a
#: space that follows a visible character, so that they part text at each such space: Llama
#: 3's (Meta's ``pat_str``, as its ``tokenizer.json`` holds it) and Qwen2's (the same, numbers
#: a digit at a time; Qwen3.5's, combining marks counted as letters), and OpenAI's o200k
#: (GPT-OSS's, Phi-4-mini's: words split at a capital, a contraction joined to its word). Each
#: alternative's match ends where a space begins, unless it is white space throughout, and
#: only ``(?!\S)`` looks ahead.
_O200K_SPLIT = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
                r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
                r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")
_SPLITS_AT_SPACES = frozenset({
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    _O200K_SPLIT,
})
#: Of those, the expressions that join a contraction to the word before it ("it's"), so that
#: an apostrophe does not end a word.
_JOINING_CONTRACTIONS = frozenset({_O200K_SPLIT})
#: ``Split`` expressions that match digits alone, so that they neither part nor join text
#: at a space: Falcon's, which parts numbers in threes after its other pre-tokenizers.
_SPLITS_OF_DIGITS = frozenset({"[0-9][0-9][0-9]"})
#: The character SentencePiece writes for a space (U+2581), which begins each of its pieces
#: but those of spaces alone.
_SPACE_MARK = "\u2581"
_MARK_AFTER_ANOTHER = re.compile(f"[^{_SPACE_MARK}]{_SPACE_MARK}")
_BYTE_TOKEN = re.compile("<0x[0-9A-F]{2}>")
#: Those of them that drop the spaces they part at (so that the spaces BERT's normaliser
#: sets around an ideograph make no token).
_DROPPING_SPACES = frozenset({"BertPreTokenizer", "Whitespace", "WhitespaceSplit"})
#: Punctuation marks a word may end before, where the tokenizer sets them apart: ASCII's, and
#: the marks of Chinese and Japanese text, which holds no space. Llama 3's and Qwen2's
#: expressions part each from a letter or a number before it (no alternative that matches
#: one runs on into a mark); a SentencePiece BPE vocabulary may hold some only as tokens of
#: their own.
_MARKS = string.punctuation + "，。、；：？！「」『』（）《》【】"
#: Letters and digits that end a word before such a mark under those expressions, as a
#: character class: ASCII's, CJK ideographs, kana and Hangul syllables, which Unicode's
#: composed form (Qwen2's normaliser) leaves as they are (it splits some other letters into
#: a letter and a combining mark, which would run on into the mark).
_WORD_CHARACTERS = "A-Za-z0-9\u4e00-\u9fff\u3400-\u4dbf\u3041-\u3096\u30a1-\u30fa\uac00-\ud7a3"
#: The code points BERT's normaliser sets apart as Chinese (``handle_chinese_chars``; its
#: ``_is_chinese_char``): the CJK Unified Ideographs and their extensions, and the
#: compatibility ideographs.
_IDEOGRAPHS = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
               (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
_IDEOGRAPH_RANGES = "".join(f"{chr(low)}-{chr(high)}" for low, high in _IDEOGRAPHS)  # (as in a character class)
_IDEOGRAPH = re.compile(f"[{_IDEOGRAPH_RANGES}]")
_BLOCK = 256  # (characters searched at a time for the last ideograph or mark: Chinese text finds one in the first)
#: Normalizers that change a text character by character (or, ``Precompiled``, by the
#: character sequences of a Unicode normal form, which a space ends), never across a space.
_LOCAL_NORMALIZERS = {"BertNormalizer", "Lowercase", "NFC", "NFD", "NFKC", "NFKD", "StripAccents", "Strip", "Precompiled",
                      "Prepend"}
#: Normalizers that leave ASCII punctuation marks as they are, apart from what stands before them.
_MARK_KEEPING_NORMALIZERS = frozenset({"BertNormalizer", "Lowercase", "NFC", "NFD", "NFKC", "NFKD", "StripAccents"})
#: ``Replace`` patterns that rewrite runs of spaces (or other white space: DeBERTa-v2's, as
#: transformers builds it without SentencePiece's character map), which begin after a
#: prefix's last word.
_SPACE_RUNS = {" {2,}", " +", "\\s+", "\\s{2,}", "\\s{2,}|[\\n\\r\\t]"}


@dataclass(frozen=True)
class WordEnds:
    """Where a tokenizer's words end, so that a text may be read in parts: before a space
    that follows a visible character (not SentencePiece's mark for a space); for
    ``before_ideographs``, before a Chinese ideograph too (BERT's normaliser sets each apart
    with spaces, and Chinese text has none); before each of ``before_marks``, punctuation
    marks the tokenizer sets apart whatever stands before them (BERT's pre-tokenizer each
    ASCII one: minified code, base64 and URLs hold no space, but these; Llama 2's vocabulary
    Chinese ones, and digits); before each of ``marks_after_words``, marks that GPT-2's, Llama 3's,
    Qwen2's and o200k's expressions part from a letter or a digit before them
    (:data:`_WORD_CHARACTERS`); and, ``at_digits``, between an ASCII letter and a digit,
    which those expressions part either way round (a hex string holds no other end)."""

    before_ideographs: bool = False
    before_marks: str = ""
    marks_after_words: str = ""
    at_digits: bool = False

    @cached_property
    def others(self) -> re.Pattern | None:
        """The characters besides spaces that a word ends before, as one expression."""
        kinds = (_IDEOGRAPH_RANGES if self.before_ideographs else "") + "".join(map(re.escape, self.before_marks))
        anywhere = [f"[{kinds}]"] if kinds else []
        after_words = ([f"(?<=[{_WORD_CHARACTERS}])[{''.join(map(re.escape, self.marks_after_words))}]"]
                       if self.marks_after_words else [])
        digits = ["(?<=[A-Za-z])[0-9]|(?<=[0-9])[A-Za-z]"] if self.at_digits else []
        found = anywhere + after_words + digits
        return re.compile("|".join(found)) if found else None


def reads_words_apart(tokenizer) -> WordEnds | None:
    """Where ``tokenizer`` (``tokenizers``' ``Tokenizer`` or a fast transformers tokenizer)
    ends words that it tokenises alike whatever follows them, when it keeps a text's first
    tokens as it truncates; None when it does not: its pre-tokenizer must part text at
    spaces (or its BPE merges never join one to what stands before it:
    :func:`_marks_merges_keep_apart`), its normalizer not look across one, and no added
    token hold a space (nor, for an end before an ideograph, an ideograph; nor, for one
    before a punctuation mark, that mark, as BERT's ``[CLS]`` holds ``[`` and ``]``)."""
    backend = getattr(tokenizer, "backend_tokenizer", tokenizer)
    if getattr(tokenizer, "truncation_side", "right") != "right" or not hasattr(backend, "get_added_tokens_decoder"):
        return None
    try:
        pre_tokenizer, normalizer = _described(backend.pre_tokenizer), _described(backend.normalizer)
        added = "".join(token.content for token in backend.get_added_tokens_decoder().values())
        at_spaces = _parts_at_spaces(pre_tokenizer)
        one_word_marks = None if at_spaces else _marks_merges_keep_apart(backend, pre_tokenizer, normalizer, added)
        apart = ((backend.truncation or {}).get("direction", "right") == "right" and " " not in added
                 and (at_spaces or one_word_marks is not None) and _local(normalizer))
    except (AttributeError, TypeError, ValueError):  # (a tokenizer object of another make: read whole texts)
        return None
    if not apart:
        return None
    marks = "".join(sorted(set(string.punctuation) - set(added))) if (
        pre_tokenizer and pre_tokenizer.get("type") == "BertPreTokenizer" and _only(normalizer, _MARK_KEEPING_NORMALIZERS)
    ) else one_word_marks or ""
    composed = _only(normalizer, {"NFC"})  # (ASCII letters, digits and the marks stay as they are)
    after_words = "".join(sorted(set(_parts_marks_from_words(pre_tokenizer)) - set(added))) if composed else ""
    at_digits = composed and _parted(_members(pre_tokenizer), _parts_digits)
    return WordEnds(_sets_ideographs_apart(normalizer) and _parts_at_spaces(pre_tokenizer, _DROPPING_SPACES)
                    and not _IDEOGRAPH.search(added),  # (an added token of ideographs is one word)
                    marks, after_words, at_digits)


def _described(part) -> dict | None:
    """A tokenizer's part as JSON (the part alone: the whole tokenizer's holds its vocabulary)."""
    return json.loads(part.__getstate__()) if part is not None else None


def _sets_ideographs_apart(normalizer: dict | None) -> bool:
    if not normalizer:
        return False
    if normalizer.get("type") == "Sequence":
        return any(_sets_ideographs_apart(member) for member in normalizer.get("normalizers", []))
    return normalizer.get("type") == "BertNormalizer" and bool(normalizer.get("handle_chinese_chars", True))


def _only(normalizer: dict | None, kinds: set[str] | frozenset[str]) -> bool:
    """Whether ``normalizer`` is none, or of one of ``kinds``, or a sequence of them."""
    if not normalizer:
        return True
    if normalizer.get("type") == "Sequence":
        return all(_only(member, kinds) for member in normalizer.get("normalizers", []))
    return normalizer.get("type") in kinds


def _parts_at_spaces(pre_tokenizer: dict | None, kinds: frozenset[str] = _PARTING_AT_SPACES) -> bool:
    if not pre_tokenizer:
        return False
    kind = pre_tokenizer.get("type")
    if kind == "Sequence":  # (each member parts further what the one before parted; an expression not known may part anywhere)
        members = pre_tokenizer.get("pretokenizers", [])
        return (any(_parts_at_spaces(member, kinds) for member in members)
                and not any(member.get("type") == "Split" and not _splits_at_spaces(member) and not _splits_digits(member)
                            for member in members))
    if kind == "Split":
        return kind in kinds and _splits_at_spaces(pre_tokenizer)
    if kind == "ByteLevel" and not pre_tokenizer.get("use_regex", True):
        return False
    if kind == "Metaspace" and not pre_tokenizer.get("split", True):
        return False
    return kind in kinds


def _marks_merges_keep_apart(backend, pre_tokenizer: dict | None, normalizer: dict | None, added: str) -> str | None:
    """For a SentencePiece-style BPE tokenizer that reads a whole text as one word (Llama
    2's and Mistral's: no pre-tokenizer, each space written as :data:`_SPACE_MARK` by the
    normaliser, or, as transformers builds them, ``Metaspace`` with ``split`` off; Gemma's:
    a ``Split`` at the space after the normaliser wrote them all as the mark), the
    punctuation marks (of :data:`_MARKS`) and digits it tokenises the text before alike
    whatever follows; None where it does not do so for a space either.

    BPE merges each side of a character as it would alone where no token of the vocabulary
    holds that character after another one, so that no merge joins it to what stands before
    it: the space mark (after another character than itself: SentencePiece trains no piece
    across a space unless told to, and Llama 2's 32,000 hold none), and marks and digits
    that are tokens of their own and never inside one (Llama 2's hold "，", "。" and each
    digit so, as SentencePiece splits digits; not "," or "."; the fallback's bytes, whose
    names hold digits, are no text's). The vocabulary must hold the space mark (unknown
    characters on both sides would make one token), no normaliser member may write the mark
    for anything but a space (nor, for the marks, map one to another character: NFKC and
    NFKD), and the model must merge, not look whole words up (``ignore_merges``) nor mark a
    word's parts (a prefix or suffix)."""
    if pre_tokenizer is None or _splits_at_the_space(pre_tokenizer):  # (Gemma's: no space is left to split at)
        if not _writes_the_mark_for_spaces(normalizer, required=True):
            return None
    elif not (pre_tokenizer.get("type") == "Metaspace" and pre_tokenizer.get("replacement") == _SPACE_MARK
              and not pre_tokenizer.get("split", True) and _writes_the_mark_for_spaces(normalizer, required=False)):
        return None
    model = backend.model
    if (type(model).__name__ != "BPE" or model.dropout or getattr(model, "ignore_merges", False)
            or model.continuing_subword_prefix or model.end_of_word_suffix or _SPACE_MARK in added):
        return None
    vocabulary = backend.get_vocab(with_added_tokens=False)
    if _SPACE_MARK not in vocabulary or any(_MARK_AFTER_ANOTHER.search(token) for token in vocabulary):
        return None
    if not _only(normalizer, {"NFC", "NFD", "Prepend", "Replace"}):  # (NFKC writes "，" as ",")
        return ""
    inside = {character for token in vocabulary if not _unmerged_byte(token, vocabulary) for character in token[1:]}
    return "".join(sorted(mark for mark in set(_MARKS + string.digits) - set(added) - inside if mark in vocabulary))


def _unmerged_byte(token: str, vocabulary: dict[str, int]) -> bool:
    """Whether ``token`` is a byte of the fallback for unknown characters (``<0x41>``) that
    no merge can make (no two tokens join into it): its name's characters are no text's."""
    return (_BYTE_TOKEN.fullmatch(token) is not None
            and not any(token[:cut] in vocabulary and token[cut:] in vocabulary for cut in range(1, len(token))))


def _splits_at_the_space(pre_tokenizer: dict) -> bool:
    return pre_tokenizer.get("type") == "Split" and pre_tokenizer.get("pattern") == {"String": " "} and not pre_tokenizer.get("invert")


def _writes_the_mark_for_spaces(normalizer: dict | None, required: bool) -> bool:
    """Whether ``normalizer`` writes :data:`_SPACE_MARK` for each space (where ``required``)
    and for nothing else but at a text's start (``Prepend``), changing nothing else but by a
    Unicode normal form (none of which writes the mark)."""
    members = (normalizer.get("normalizers", []) if normalizer.get("type") == "Sequence" else [normalizer]) if normalizer else []
    spaces = [member for member in members
              if member.get("type") == "Replace" and member.get("pattern") == {"String": " "} and member.get("content") == _SPACE_MARK]
    others = [member for member in members if member not in spaces and member.get("type") not in ("Prepend", "NFC", "NFD", "NFKC", "NFKD")]
    return not others and (bool(spaces) or not required)


def _parts_marks_from_words(pre_tokenizer: dict | None) -> str:
    """The punctuation marks (of :data:`_MARKS`) that ``pre_tokenizer`` parts from a letter
    or a digit before them (:func:`_parted`, by a member of :func:`_parts_marks`): all but,
    for an expression that joins a contraction to its word (o200k's), the apostrophe."""
    members = _members(pre_tokenizer)
    if not _parted(members, _parts_marks):
        return ""
    joining = any(member.get("pattern", {}).get("Regex") in _JOINING_CONTRACTIONS for member in members if member.get("type") == "Split")
    return _MARKS.replace("'", "") if joining else _MARKS


def _members(pre_tokenizer: dict | None) -> list[dict]:
    if not pre_tokenizer:
        return []
    return pre_tokenizer.get("pretokenizers", []) if pre_tokenizer.get("type") == "Sequence" else [pre_tokenizer]


def _parted(members: list[dict], parts: Callable[[dict], bool]) -> bool:
    """Whether the first of a pre-tokenizer's ``members`` that ``parts`` (so that a word
    ends there, whatever follows) comes after nothing but members that set digits or marks
    apart (``Digits``, ``Punctuation`` that isolates marks), which leave every character
    as it is, and before nothing but those, such members, byte mapping and splits of
    digits: bytes mapped before an expression would turn a mark into letters."""
    parting = [i for i, member in enumerate(members) if parts(member)]
    if not parting:
        return False
    return (all(_sets_apart(member) for member in members[: parting[0]])
            and all(i in parting or _sets_apart(member) or member.get("type") == "ByteLevel"
                    or (member.get("type") == "Split" and _splits_digits(member)) for i, member in enumerate(members) if i > parting[0]))


def _sets_apart(member: dict) -> bool:
    return member.get("type") == "Digits" or _isolates_marks(member)


def _isolates_marks(member: dict) -> bool:
    return member.get("type") == "Punctuation" and member.get("behavior", "Isolated") in ("Isolated", "Contiguous")


def _parts_by_expression(member: dict) -> bool:
    """Whether ``member`` parts words by one of :data:`_SPLITS_AT_SPACES` (Llama 3's,
    Qwen2's, Qwen3.5's, o200k) or GPT-2's expression (``ByteLevel`` with it on: GPT-2's,
    GPT-NeoX's, RoBERTa's): a mark from a letter or digit before it, and letters from digits."""
    kind = member.get("type")
    return (kind == "Split" and _splits_at_spaces(member)) or (kind == "ByteLevel" and member.get("use_regex", True))


def _parts_marks(member: dict) -> bool:
    """Whether ``member`` parts a punctuation mark from a letter or digit before it: an
    expression (:func:`_parts_by_expression`), ``Punctuation`` that isolates marks (Falcon's)."""
    return _parts_by_expression(member) or _isolates_marks(member)


def _parts_digits(member: dict) -> bool:
    """Whether ``member`` parts a run of digits from letters on either side: an expression
    (letters and numbers are alternatives of their own), ``Digits``."""
    return _parts_by_expression(member) or member.get("type") == "Digits"


def _adds_a_prefix(pre_tokenizer: dict | None) -> bool:
    """Whether ``pre_tokenizer`` (or a member) writes a space before a text that does not
    start with one (``ByteLevel``'s ``add_prefix_space``, ``Metaspace``'s prepend scheme)."""
    if not pre_tokenizer:
        return False
    if pre_tokenizer.get("type") == "Sequence":
        return any(_adds_a_prefix(member) for member in pre_tokenizer.get("pretokenizers", []))
    return ((pre_tokenizer.get("type") == "ByteLevel" and bool(pre_tokenizer.get("add_prefix_space")))
            or (pre_tokenizer.get("type") == "Metaspace" and pre_tokenizer.get("prepend_scheme", "always") != "never"))


def _splits_digits(split: dict) -> bool:
    return not split.get("invert") and split.get("pattern", {}).get("Regex") in _SPLITS_OF_DIGITS


def _splits_at_spaces(split: dict) -> bool:
    return (split.get("behavior") == "Isolated" and not split.get("invert")
            and split.get("pattern", {}).get("Regex") in _SPLITS_AT_SPACES)


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


def prefix_end(text: str, limit: int, start: int = 0, ends: WordEnds = WordEnds()) -> int | None:
    """Where a part of ``text`` from ``start``, of at most ``limit`` characters, may end: at
    its last word end (:func:`_word_ends`). ``len(text)`` when the rest of the text is no
    longer than ``limit``, and None when it holds no word end."""
    if len(text) - start <= limit:
        return len(text)
    return max(_word_ends(text, start + 1, start + limit + 1, ends, last=True), default=None)


def suffix_start(text: str, limit: int, ends: WordEnds = WordEnds()) -> int | None:
    """Where a suffix of ``text`` of at most ``limit`` characters may start: at its first
    word end (:func:`_word_ends`); 0 when the text is no longer than ``limit``, and None when
    the suffix holds no word end."""
    if len(text) <= limit:
        return 0
    return min(_word_ends(text, max(len(text) - limit, 1), len(text), ends, last=False), default=None)


def _word_ends(text: str, low: int, high: int, ends: WordEnds, last: bool) -> list[int]:
    """The last (or the first) place in ``low:high`` where a word ends before ``text[k]``
    (0 < ``low``), of each kind found: a space after a visible character (neither white
    space nor one a normalizer may delete: a control or format character), and one of
    ``ends.others`` (an ideograph, a punctuation mark). Searched by ``str.rfind``/``str.find``
    and a regular expression, not a character at a time: a row of megabytes without a space
    is searched again at each doubled length."""
    found = []
    space = text.rfind(" ", low, high) if last else text.find(" ", low, high)
    while space != -1 and _ends_no_word(text[space - 1]):
        space = text.rfind(" ", low, space) if last else text.find(" ", space + 1, high)
    if space != -1:
        found.append(space)
    if ends.others is not None:
        other = _last_match(ends.others, text, low, high) if last else ends.others.search(text, low, high)
        if other is not None:
            found.append(other.start())
    return found


def _ends_no_word(character: str) -> bool:
    """Whether a space after ``character`` ends no word: white space, a character a
    normaliser may delete, and SentencePiece's mark for a space, which a token of spaces
    alone joins to the space after it."""
    return character.isspace() or not character.isprintable() or character == _SPACE_MARK


def _last_match(pattern: re.Pattern, text: str, low: int, high: int) -> re.Match | None:
    """``pattern``'s last match within ``low:high``, searched in blocks from the end."""
    for block_end in range(high, low, -_BLOCK):
        matches = list(pattern.finditer(text, max(low, block_end - _BLOCK), block_end))
        if matches:
            return matches[-1]
    return None


def whole_ids(tokenizer) -> Callable[[list[str]], list[list[int]]]:
    """A transformers ``tokenizer`` reading texts whole: each one's ids, without special
    tokens or truncation (the reader :func:`last_tokens`, :func:`all_tokens` and
    :func:`first_pair_tokens` take), and without its warning of a text longer than its model
    reads: these ids are counted, cut or scored apart before a model sees any of them."""
    def read(texts: list[str]) -> list[list[int]]:
        return tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]

    return read


def first_tokens(tokenize: Callable[[list[str]], list[list[int]]], texts: Sequence[str], max_tokens: int,
                 words_apart: WordEnds | None) -> list[list[int]]:
    """``tokenize(texts)`` (a tokenizer that truncates at ``max_tokens``, special tokens
    counted), each long text read from a prefix that holds its first ``max_tokens`` tokens
    and ends at a word end, as ``words_apart`` says them (:func:`reads_words_apart`; None:
    whole texts): a prefix too short for them, or without an end, is read again twice as
    long, up to the whole text."""
    if words_apart is None:
        return tokenize(list(texts))
    return [ids for _, ids in _prefixes(tokenize, texts, max_tokens, words_apart)]


def first_pair_tokens(tokenize_pairs: Callable[[list[str], list[str]], list[list[int]]],
                      tokenize: Callable[[list[str]], list[list[int]]], firsts: Sequence[str], seconds: Sequence[str],
                      budget: int, words_apart: WordEnds | None, alike: WordEnds | None) -> list[list[int]]:
    """``tokenize_pairs(firsts, seconds)`` (a tokenizer that truncates a pair "longest
    first" to ``budget`` tokens besides its special tokens), each long text of a pair read
    from a prefix that holds at least ``budget`` of its tokens, the most it can keep, where
    ``words_apart`` (:func:`reads_words_apart`; None: whole texts); ``tokenize`` is the same
    tokenizer on one text, without special tokens or truncation.

    Whole texts would cost more than their own tokens: for a pair whose texts both run past
    the budget, the ``tokenizers`` library keeps every combination of the two texts'
    overflowing parts (a pair of 6,000-word texts truncated at 64 tokens: 2.2 GB).

    Its longest-first truncation of texts of n1 <= n2 tokens keeps all n1 and budget - n1
    of the other where n1 <= budget / 2; else budget / 2 of each, the odd token to the
    longer text (the second where they tie). Prefixes that hold ``budget`` tokens leave the
    case and what each text keeps as they were, and which text is longer unless both hold
    ``budget``: then, the budget odd, each long text's tokens are counted (in pieces where
    ``alike``: :func:`all_tokens`), and the text that keeps the odd token is read from a
    prefix longer, in tokens, than the other's."""
    if words_apart is None or budget < 1:
        return tokenize_pairs(list(firsts), list(seconds))
    long = [i for i, (first, second) in enumerate(zip(firsts, seconds, strict=True))
            if max(len(first), len(second)) > budget * CHARS_PER_TOKEN]
    read_firsts, read_seconds = list(firsts), list(seconds)
    for i, (first_end, first_ids), (second_end, second_ids) in zip(
            long, _prefixes(tokenize, [firsts[i] for i in long], budget, words_apart),
            _prefixes(tokenize, [seconds[i] for i in long], budget, words_apart), strict=True):
        first, second = firsts[i][:first_end], seconds[i][:second_end]
        if budget % 2 == 1 and min(len(first_ids), len(second_ids)) >= budget:
            counts = [len(ids) if end == len(text) else len(all_tokens(tokenize, [text], alike)[0])
                      for text, end, ids in ((firsts[i], first_end, first_ids), (seconds[i], second_end, second_ids))]
            if counts[1] >= counts[0]:  # the second keeps the odd token
                (end, _), = _prefixes(tokenize, [seconds[i]], len(first_ids) + 1, words_apart)
                second = seconds[i][:end]
            else:
                (end, _), = _prefixes(tokenize, [firsts[i]], len(second_ids) + 1, words_apart)
                first = firsts[i][:end]
        read_firsts[i], read_seconds[i] = first, second
    return tokenize_pairs(read_firsts, read_seconds)


def _prefixes(tokenize: Callable[[list[str]], list[list[int]]], texts: Sequence[str], count: int,
              words_apart: WordEnds) -> list[tuple[int, list[int]]]:
    """Each text's prefix (where it ends) that ends at a word end and holds its first
    ``count`` tokens, or the whole text, with the ids ``tokenize`` gave it."""
    if not texts:
        return []

    def prefix(text: str, limit: int) -> tuple[int, int] | None:
        end = prefix_end(text, limit, 0, words_apart)
        return None if end is None else (0, end)

    return [(end, ids) for (_, end), ids in _growing(tokenize, texts, count, prefix)]


def last_tokens(tokenize: Callable[[list[str]], list[list[int]]], texts: Sequence[str], count: int,
                alike: WordEnds | None) -> list[list[int]]:
    """Ids that end as ``tokenize(texts)``'s do (a tokenizer that neither truncates nor adds
    special tokens), at least the last ``count`` of each text (all of a text with fewer): a
    long text is read from a suffix that starts at a word end and holds them, where ``alike``
    (:func:`reads_pieces_alike`: a text's tokens are those of its parts, one after the other;
    None: whole texts), read again twice as long where it did not."""
    if alike is None:
        return tokenize(list(texts))

    def suffix(text: str, limit: int) -> tuple[int, int] | None:
        start = suffix_start(text, limit, alike)
        return None if start is None else (start, len(text))

    return [ids for _, ids in _growing(tokenize, texts, count, suffix)]


def _growing(tokenize: Callable[[list[str]], list[list[int]]], texts: Sequence[str], count: int,
             part: Callable[[str, int], tuple[int, int] | None]) -> list[tuple[tuple[int, int], list[int]]]:
    """Each text's part (a slice's bounds) and the ids read from it: ``part(text, limit)``
    (None where none ends well), ``limit`` first ``count`` x :data:`CHARS_PER_TOKEN`
    characters and doubled for the texts whose part held fewer than ``count`` tokens and
    was not the whole text."""
    limit = count * CHARS_PER_TOKEN
    if all(len(text) <= limit for text in texts):
        return [((0, len(text)), ids) for text, ids in zip(texts, tokenize(list(texts)), strict=True)]
    found: list[tuple[tuple[int, int], list[int]] | None] = [None] * len(texts)
    pending = list(range(len(texts)))
    while pending:
        parts = {i: part(texts[i], limit) for i in pending}
        tried = [i for i in pending if parts[i] is not None]
        still = [i for i in pending if parts[i] is None]
        read = tokenize([texts[i][parts[i][0] : parts[i][1]] for i in tried]) if tried else []
        for i, ids in zip(tried, read, strict=True):
            if parts[i] == (0, len(texts[i])) or len(ids) >= count:
                found[i] = (parts[i], ids)
            else:
                still.append(i)
        pending, limit = sorted(still), limit * 2
    return found


#: Characters of a long text read a call, for :func:`all_tokens`: a 64 KB piece's tokens
#: and offsets take a few MB in the tokenizer, whatever the text's length.
PIECE_CHARS = 65_536


def reads_pieces_alike(tokenizer) -> WordEnds | None:
    """Where ``tokenizer`` ends words such that a text's ids are those of its pieces, one
    after the other, each ending at a word end (:func:`pieces`); None where they are not:
    it must read words apart (:func:`reads_words_apart`), and its normaliser not strip or
    add at a text's start, where a piece's leading space is the text's (and where its
    pre-tokenizer writes a space before a text, a piece starts at a space only)."""
    return pieces_alike(tokenizer, reads_words_apart(tokenizer))


def pieces_alike(tokenizer, words_apart: WordEnds | None) -> WordEnds | None:
    """:func:`reads_pieces_alike` from ``reads_words_apart(tokenizer)`` already read (which
    may read the whole vocabulary)."""
    if words_apart is None:
        return None
    backend = getattr(tokenizer, "backend_tokenizer", tokenizer)
    if _touches_the_start(_described(backend.normalizer)):
        return None
    if _adds_a_prefix(_described(backend.pre_tokenizer)):  # (before a piece that starts at a mark, not at a space)
        return replace(words_apart, before_marks="", marks_after_words="", at_digits=False)
    return words_apart


def _touches_the_start(normalizer: dict | None) -> bool:
    if not normalizer:
        return False
    if normalizer.get("type") == "Sequence":
        return any(_touches_the_start(member) for member in normalizer.get("normalizers", []))
    return normalizer.get("type") in ("Strip", "Prepend")


def pieces(text: str, size: int, ends: WordEnds = WordEnds()) -> list[str]:
    """``text`` in pieces of at most ``size`` characters, each ending at a word end where
    :func:`prefix_end` finds one (a piece runs on to the next word end where it does not)."""
    found, start = [], 0
    while start < len(text):
        end = prefix_end(text, size, start, ends)
        if end is None:  # no word end within ``size``: the first after it
            end = min(_word_ends(text, start + size + 1, len(text), ends, last=False), default=len(text))
        found.append(text[start:end])
        start = end
    return found


def all_tokens(tokenize: Callable[[list[str]], list[list[int]]], texts: Sequence[str], alike: WordEnds | None) -> list[list[int]]:
    """``tokenize(texts)`` (a tokenizer that neither truncates nor adds special tokens), each
    text longer than :data:`PIECE_CHARS` read in :func:`pieces` where ``alike``
    (:func:`reads_pieces_alike`; None: whole texts), their ids joined."""
    if alike is None or all(len(text) <= PIECE_CHARS for text in texts):
        return tokenize(list(texts))
    short = [i for i, text in enumerate(texts) if len(text) <= PIECE_CHARS]
    found: list[list[int] | None] = [None] * len(texts)
    for i, ids in zip(short, tokenize([texts[i] for i in short]) if short else [], strict=True):
        found[i] = ids
    for i in (i for i, text in enumerate(texts) if len(text) > PIECE_CHARS):
        joined: list[int] = []
        for piece in pieces(texts[i], PIECE_CHARS, alike):
            joined.extend(tokenize([piece])[0])
        found[i] = joined
    return found
