"""Long texts read a part at a time: the first tokens from a prefix, the last from a suffix, all from pieces;
the same ids as the whole text's."""

from __future__ import annotations

import json
import random
import string
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers, processors
from tokenizers.models import BPE, Unigram
from tokenizers.trainers import BpeTrainer, UnigramTrainer

from qcaudit import long_texts
from qcaudit.embed import default_model_path
from qcaudit.long_texts import (
    WordEnds,
    all_tokens,
    first_pair_tokens,
    first_tokens,
    last_tokens,
    pieces,
    prefix_end,
    reads_pieces_alike,
    reads_words_apart,
    suffix_start,
)

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = Path(__file__).parent.parent / "data" / "samples" / "instructions.parquet"

# Pieces that tokenizers treat in their own ways: Chinese ideographs (BERT sets each apart:
# a part may end before one) beside Japanese kana and Korean, which it does not; words longer than WordPiece reads (100
# characters become one [UNK]), runs of spaces and other white space (BERT's and GPT-2's differ;
# \x1c is white space to Python and not to GPT-2), characters a normalizer deletes (a control
# character, a zero-width space), accents and a combining one, Chinese, a contraction, digits
# and punctuation: marks BERT sets apart (a part may end before one), runs GPT-2 keeps
# together, and BERT's added tokens, which hold "[" and "]" (a part must not end inside one).
PIECES = ["word", "Tokens", "a" * 30, "b" * 120, " ", " ", " ", "   ", "\n", "\n ", "\t", "\u3000", "\x1c", "\xa0", "é",
          "e\u0301", "中文", "'s", "12", "3.5", "!?", "ünï", "x", "\x00", "\u200b", "¨",
          "汉字很多的句子", "豈", "\U00020000", "ひらがな", "한국어",  # (ideographs BERT sets apart, and other scripts it does not)
          "+", "/", "=", "[", "]", "[CLS]", "[SEP]", "{", "};", "\"", "a.b", "x=>", "-", "_", "$", "(", ")", "…", "«",
          "\u2581", "\u2581\u2581",  # (SentencePiece's mark for a space, written in a text as it is)
          "，", "。", "「", "」", "\u0958", "\u0301", "İ",  # (Chinese marks; letters NFC or lowercasing splits before a combining mark)
          "a3f9", "0x1F", "e5"]  # (letters and digits that expressions part from each other)
text = st.lists(st.sampled_from(PIECES), max_size=250).map("".join)
texts = st.lists(text, min_size=1, max_size=4)


def _wordpiece() -> Tokenizer:
    """The default encoder's own tokenizer (WordPiece, BERT's normalizer and pre-tokenizer)."""
    return Tokenizer.from_file(str(default_model_path() / "tokenizer.json"))


def _byte_level() -> Tokenizer:
    """A GPT-2 style byte-level BPE tokenizer (the watermark tests' fixture)."""
    return Tokenizer.from_file(str(FIXTURES / "watermark" / "tokenizer" / "tokenizer.json"))


def _sentencepiece() -> Tokenizer:
    """A SentencePiece-style unigram tokenizer as multilingual encoders have (NFKC, control
    characters deleted, runs of spaces made one, Metaspace), trained here on the bundled sample."""
    import polars as pl

    tokenizer = Tokenizer(Unigram())
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace("\x00", ""),
                                                 normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    corpus = pl.read_parquet(SAMPLE)["output"].to_list()
    tokenizer.train_from_iterator(corpus, UnigramTrainer(vocab_size=300, special_tokens=["<s>", "</s>", "<unk>"], unk_token="<unk>"))
    tokenizer.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 1)])
    return tokenizer


def _deberta_v2_style() -> Tokenizer:
    """As :func:`_sentencepiece`, with the normaliser transformers gives DeBERTa-v2 and -v3
    without SentencePiece's character map: runs of white space and each tab or line break
    written as one space, NFC, the end stripped (so not :data:`PIECEWISE`)."""
    return _described(_sentencepiece(), lambda d: d.update(normalizer={"type": "Sequence", "normalizers": [
        {"type": "Replace", "pattern": {"Regex": r"\s{2,}|[\n\r\t]"}, "content": " "}, {"type": "NFC"},
        {"type": "Strip", "strip_left": False, "strip_right": True}]}))


#: Llama 3's pre-tokenizer expression (Meta's ``pat_str``), as its ``tokenizer.json`` holds it;
#: Qwen2's reads numbers a digit at a time.
LLAMA3_SPLIT = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2_SPLIT = LLAMA3_SPLIT.replace(r"\p{N}{1,3}", r"\p{N}")
#: Qwen3.5's (as its ``tokenizer.json`` holds it): combining marks are letters.
QWEN35_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")
#: OpenAI's o200k expression (GPT-OSS's and Phi-4-mini's tokenizers): a contraction joins its word.
O200K_SPLIT = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
               r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
               r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")


def _llama3_style(expression: str = LLAMA3_SPLIT, also: tuple[str, ...] = ()) -> Tokenizer:
    """A byte-level BPE tokenizer parted as Llama 3's is (its expression, then bytes mapped
    without one), a begin-of-text token before each text, trained here on the bundled sample
    (and the texts ``also``)."""
    import polars as pl

    tokenizer = Tokenizer(BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(expression), "isolated"),
                                                       pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    corpus = pl.read_parquet(SAMPLE)["output"].to_list() + list(also)
    tokenizer.train_from_iterator(corpus, BpeTrainer(vocab_size=500, special_tokens=["<|begin_of_text|>"],
                                                     initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer.post_processor = processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A $B",
                                                             special_tokens=[("<|begin_of_text|>", 0)])
    return tokenizer


def _qwen2_style(also: tuple[str, ...] = (), expression: str = QWEN2_SPLIT) -> Tokenizer:
    """As :func:`_llama3_style`, by Qwen2's expression (or Qwen3.5's), its text in Unicode's composed form (NFC) first."""
    tokenizer = _llama3_style(expression, tuple(unicodedata.normalize("NFC", text) for text in also))
    tokenizer.normalizer = normalizers.NFC()
    return tokenizer


def _gpt2_style(add_prefix_space: bool = False) -> Tokenizer:
    """A byte-level BPE tokenizer parted by GPT-2's expression (``ByteLevel`` with it on);
    ``add_prefix_space``, a space written before each text that does not start with one (as
    some RoBERTa-style tokenizers are set)."""
    return _byte_level_trained(pre_tokenizers.ByteLevel(add_prefix_space=add_prefix_space))


def _byte_level_trained(pre_tokenizer) -> Tokenizer:
    """A byte-level BPE tokenizer parted by ``pre_tokenizer``, trained here on the bundled
    sample and :data:`PIECES_CORPUS`."""
    import polars as pl

    tokenizer = Tokenizer(BPE())
    tokenizer.pre_tokenizer = pre_tokenizer
    corpus = pl.read_parquet(SAMPLE)["output"].to_list() + list(PIECES_CORPUS)
    tokenizer.train_from_iterator(corpus, BpeTrainer(vocab_size=600, special_tokens=["<|endoftext|>"],
                                                     initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return tokenizer


#: Falcon's pre-tokenizer, as tiiuae/falcon-7b's ``tokenizer.json`` holds it.
FALCON_PRE_TOKENIZER = {"type": "Sequence", "pretokenizers": [
    {"type": "Punctuation", "behavior": "Contiguous"},
    {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
    {"type": "Digits", "individual_digits": False},
    {"type": "Split", "pattern": {"Regex": "[0-9][0-9][0-9]"}, "behavior": "Isolated", "invert": False}]}


def _falcon_style() -> Tokenizer:
    """A byte-level BPE tokenizer parted as Falcon's is (marks, GPT-2's expression, digits,
    numbers in threes)."""
    described = {**json.loads(Tokenizer(BPE()).to_str()), "pre_tokenizer": FALCON_PRE_TOKENIZER}
    return _byte_level_trained(Tokenizer.from_str(json.dumps(described)).pre_tokenizer)


def _llama2_style() -> Tokenizer:
    """A SentencePiece BPE tokenizer as transformers builds Llama 2's and Mistral's: a whole
    text one word (``Metaspace`` with ``split`` off), bytes for unknown characters, tokens of
    runs of spaces; trained here on the bundled sample and :data:`PIECES_CORPUS`, words apart,
    as SentencePiece trains (no token holds the space mark after another character), and, as
    in Llama 2's vocabulary, Chinese marks and digits tokens of their own and never inside
    one (Chinese words and ASCII marks are; the fallback's byte tokens' names hold digits)."""
    import polars as pl

    tokenizer = Tokenizer(BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Metaspace(prepend_scheme="first"),
                                                       pre_tokenizers.Split(Regex("[，。「」]"), "isolated"),
                                                       pre_tokenizers.Digits(individual_digits=True)])
    corpus = pl.read_parquet(SAMPLE)["output"].to_list() + list(PIECES_CORPUS)
    tokenizer.train_from_iterator(corpus, BpeTrainer(vocab_size=600, special_tokens=["<unk>", "<s>", "</s>"]))
    described = json.loads(tokenizer.to_str())
    model = described["model"]
    for token in ["\u2581\u2581", "\u2581" * 4] + [f"<0x{byte:02X}>" for byte in range(256)]:
        model["vocab"][token] = len(model["vocab"])
    model.update(byte_fallback=True, fuse_unk=True,
                 merges=[["\u2581", "\u2581"], ["\u2581\u2581", "\u2581\u2581"]] + model["merges"])
    described["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False}
    tokenizer = Tokenizer.from_str(json.dumps(described))
    tokenizer.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A $B", special_tokens=[("<s>", 1)])
    return tokenizer


def _llama2_file() -> Tokenizer:
    """As :func:`_llama2_style`, in the form of Llama 2's own ``tokenizer.json``: no
    pre-tokenizer; its normaliser writes the mark before the text and for each space."""
    def spaces_normalised(described: dict) -> None:
        described.update(pre_tokenizer=None, normalizer={"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "\u2581"}, {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]})

    return _described(_llama2_style(), spaces_normalised)


def _gemma_file() -> Tokenizer:
    """As :func:`_llama2_style`, in the form of Gemma's: its normaliser writes the mark for
    each space (and none before the text), then a ``Split`` at the space finds none."""
    def spaces_normalised(described: dict) -> None:
        described.update(normalizer={"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"},
                         pre_tokenizer={"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithPrevious", "invert": False})

    return _described(_llama2_style(), spaces_normalised)


#: Texts of :data:`PIECES` drawn at random (seeded), for tokenizers parted by expressions to
#: learn merges within the parts they make of them (runs of marks, a space before a mark).
PIECES_CORPUS = tuple("".join(random.Random(seed).choices(PIECES, k=2_000)) for seed in range(10))

#: Tokenizers that read a text from parts; those of :data:`PIECEWISE` read its pieces alike too.
TOKENIZERS = {"wordpiece": _wordpiece, "byte-level BPE": _byte_level, "GPT-2 style": _gpt2_style,
              "GPT-2 style, a space before each text": lambda: _gpt2_style(add_prefix_space=True), "Falcon style": _falcon_style,
              "sentencepiece unigram": _sentencepiece, "DeBERTa-v2 style": _deberta_v2_style,
              "Llama 3 style": lambda: _llama3_style(also=PIECES_CORPUS), "Qwen2 style": lambda: _qwen2_style(PIECES_CORPUS),
              "Qwen3.5 style": lambda: _qwen2_style(PIECES_CORPUS, QWEN35_SPLIT),
              "o200k style": lambda: _llama3_style(O200K_SPLIT, also=PIECES_CORPUS),
              "Llama 2 style": _llama2_style, "Llama 2's file": _llama2_file, "Gemma's form": _gemma_file}
PIECEWISE = [name for name in TOKENIZERS if name not in ("Llama 2's file", "DeBERTa-v2 style")]  # (their normalisers prepend, strip)


def _built(name: str) -> Tokenizer:
    tokenizer = TOKENIZERS[name]()
    tokenizer.no_padding()
    return tokenizer


@pytest.fixture(scope="module", params=list(TOKENIZERS))
def each_tokenizer(request):
    """Each of :data:`TOKENIZERS`, built once; a test sets the truncation it reads with."""
    return _built(request.param)


@pytest.fixture(scope="module", params=PIECEWISE)
def each_piecewise_tokenizer(request):
    """Each of :data:`PIECEWISE`, built once."""
    return _built(request.param)


@settings(max_examples=300, deadline=None)
@given(texts=texts, max_tokens=st.integers(3, 12), chars_per_token=st.sampled_from([1, 2, long_texts.CHARS_PER_TOKEN, 16]))
def test_a_prefix_gives_the_whole_texts_first_tokens(each_tokenizer, texts, max_tokens, chars_per_token):
    """Against the tokenizer reading each whole text and cutting at ``max_tokens``: texts of
    up to 30,000 characters, read from prefixes of ``max_tokens`` x CHARS_PER_TOKEN
    characters (or 16) and longer, and (to end prefixes among the tokens kept, where a wrong
    end shows) of 1 and 2 characters a token first."""
    each_tokenizer.enable_truncation(max_tokens)

    def cut(chunk: list[str]) -> list[list[int]]:
        return [encoding.ids for encoding in each_tokenizer.encode_batch(chunk)]

    assert reads_words_apart(each_tokenizer)
    with patch.object(long_texts, "CHARS_PER_TOKEN", chars_per_token):
        assert first_tokens(cut, texts, max_tokens, reads_words_apart(each_tokenizer)) == cut(texts)


def _pair_readers(tokenizer: Tokenizer, max_tokens: int):
    """The tokenizer reading pairs truncated "longest first" at ``max_tokens``, and one text
    without special tokens or truncation; and the budget."""
    tokenizer.no_padding()
    budget = max_tokens - (tokenizer.post_processor.num_special_tokens_to_add(True) if tokenizer.post_processor else 0)

    def pairs(firsts: list[str], seconds: list[str]) -> list[list[int]]:
        tokenizer.enable_truncation(max_tokens, strategy="longest_first")
        return [encoding.ids for encoding in tokenizer.encode_batch(list(zip(firsts, seconds, strict=True)))]

    def alone(texts: list[str]) -> list[list[int]]:
        tokenizer.no_truncation()
        return [encoding.ids for encoding in tokenizer.encode_batch(texts, add_special_tokens=False)]

    return pairs, alone, budget


@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(text, text), min_size=1, max_size=4),
       max_tokens=st.integers(5, 16), chars_per_token=st.sampled_from([1, 2, long_texts.CHARS_PER_TOKEN, 16]))
def test_prefixes_give_a_pairs_tokens_truncated_longest_first(each_tokenizer, pairs, max_tokens, chars_per_token):
    """A (prompt, response) pair as a reward model reads it: against the tokenizer reading
    both whole texts, budgets odd and even (where both texts are long, the odd token goes to
    the longer one)."""
    read_pairs, alone, budget = _pair_readers(each_tokenizer, max_tokens)
    firsts, seconds = [first for first, _ in pairs], [second for _, second in pairs]
    with patch.object(long_texts, "CHARS_PER_TOKEN", chars_per_token):
        found = first_pair_tokens(read_pairs, alone, firsts, seconds, budget, reads_words_apart(each_tokenizer),
                                  reads_pieces_alike(each_tokenizer))
    assert found == read_pairs(firsts, seconds)


def test_long_texts_of_a_pair_are_read_from_prefixes():
    """A long response beside a short prompt, or beside one of more than half the budget; and
    two long texts, an odd budget, where the longer (the second if they tie) keeps the odd
    token: never the whole of a long text (two whole long texts cost every combination of
    their overflowing parts)."""
    read_pairs, alone, budget = _pair_readers(_wordpiece(), 64)
    assert budget % 2 == 1
    read = []

    def spied(firsts: list[str], seconds: list[str]) -> list[list[int]]:
        read.extend([*firsts, *seconds])
        return read_pairs(firsts, seconds)

    long = "many words here " * 300
    for first, second in [(prompt, long) for prompt in ("a short prompt", " ".join(["word"] * (budget - 2)))] + [
            (long, long), (long, long + "more"), (long + "more", long), (long + " " + long, long)]:
        for pair in ((first, second), (second, first)):
            read.clear()
            assert first_pair_tokens(spied, alone, [pair[0]], [pair[1]], budget, WordEnds(), WordEnds()) == read_pairs([pair[0]], [pair[1]])
            assert max(map(len, read)) <= 4 * budget * long_texts.CHARS_PER_TOKEN < len(long) / 2
    # a word of 5 characters a token: prefixes hold as many tokens as wanted, no more, so that
    # the text that keeps the odd token must be read from one that holds a token more
    words = "word " * 1000
    for pair in ((words, words[:4500]), (words[:4500], words)):
        with patch.object(long_texts, "CHARS_PER_TOKEN", 5):
            assert first_pair_tokens(read_pairs, alone, [pair[0]], [pair[1]], budget, WordEnds(), WordEnds()) == read_pairs([pair[0]], [pair[1]])


def test_only_berts_normaliser_lets_a_part_end_before_an_ideograph():
    assert reads_words_apart(_wordpiece()).before_ideographs
    with_chinese_word = _wordpiece()
    with_chinese_word.add_tokens(["中文"])  # (one token: a part must not end inside it)
    assert not reads_words_apart(with_chinese_word).before_ideographs
    assert not reads_words_apart(_byte_level()).before_ideographs and reads_words_apart(_sentencepiece()) == WordEnds()
    chinese = WordEnds(before_ideographs=True)
    assert prefix_end("中文中文中文", 4, 0, chinese) == 4 and prefix_end("中文中文中文", 4) is None
    assert suffix_start("中文中文中文", 4, chinese) == 2 and suffix_start("ひらがなひらがな", 4, chinese) is None


def test_only_berts_pre_tokenizer_lets_a_part_end_before_a_punctuation_mark_no_added_token_holds():
    """BERT's pre-tokenizer sets each punctuation mark apart; its added tokens ([CLS], ...)
    hold "[" and "]", so a part may not end before those. A text of no space is read from a
    prefix then (a 300,000-character line of minified code: under 2,000 characters)."""
    marks = reads_words_apart(_wordpiece()).before_marks
    assert "+" in marks and "/" in marks and "," in marks and "[" not in marks and "]" not in marks
    with_unknown_mark = _wordpiece()
    with_unknown_mark.add_tokens(["a+b"])  # (one token: a part must not end inside it)
    assert "+" not in reads_words_apart(with_unknown_mark).before_marks and "/" in reads_words_apart(with_unknown_mark).before_marks
    replacing = _wordpiece()  # (a replacement might join a mark to what stands before it)
    replacing.normalizer = normalizers.Sequence([replacing.normalizer, normalizers.Replace("a+", "x")])
    assert reads_words_apart(replacing) is not None and reads_words_apart(replacing).before_marks == ""
    unicode_forms = _wordpiece()
    unicode_forms.normalizer = normalizers.Sequence([normalizers.NFKC(), unicode_forms.normalizer])
    assert reads_words_apart(unicode_forms).before_marks == reads_words_apart(_wordpiece()).before_marks
    assert prefix_end("abc+def+ghi", 8, 0, WordEnds(before_marks="+")) == 7 and prefix_end("abc+def+ghi", 8) is None
    assert suffix_start("abc+def+ghi", 8, WordEnds(before_marks="+")) == 3
    cut, read = _spied_wordpiece(256)
    minified = "function(a,b){return(a.map(x=>x+b).filter(Boolean))};" * 6_000
    assert " " not in minified
    assert first_tokens(cut, [minified], 256, reads_words_apart(_wordpiece())) == cut([minified])[:1]
    assert len(read[0]) < 2_000


def _spied_wordpiece(max_tokens: int) -> tuple[Callable[[list[str]], list[list[int]]], list[str]]:
    """The default tokenizer truncating at ``max_tokens``, and the list of texts it read."""
    tokenizer = _wordpiece()
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_tokens)
    read: list[str] = []

    def cut(chunk: list[str]) -> list[list[int]]:
        read.extend(chunk)
        return [encoding.ids for encoding in tokenizer.encode_batch(chunk)]

    return cut, read


def test_a_long_text_is_read_from_a_prefix_and_a_short_one_whole():
    cut, read = _spied_wordpiece(16)
    long, short = "many words here " * 10_000, "a short text"
    whole = cut([long, short])
    read.clear()
    assert first_tokens(cut, [long, short], 16, WordEnds()) == whole
    assert read[1] == short and len(read[0]) <= 16 * long_texts.CHARS_PER_TOKEN
    read.clear()
    first_tokens(cut, [long], 16, None)
    assert read == [long]


@pytest.mark.parametrize(("text", "limit", "end"), [
    ("one two three", 100, 13),  # short: whole
    ("one two three", 9, 7),  # before the last space within the limit
    ("one   two three", 6, 3),  # a run of spaces: before its first
    ("one two\n three", 9, 3),  # a space after other white space is not an end: the one before it is
    ("one\n two", 6, None),
    ("one\x00 two", 6, None),  # nor is a space after a character a normalizer may delete
    ("onetwothree more", 8, None),  # no space within the limit
    (" leading", 4, None),  # a space at the start ends nothing
])
def test_where_a_prefix_may_end(text, limit, end):
    assert prefix_end(text, limit) == end


@pytest.mark.parametrize(("text", "limit", "start"), [
    ("one two three", 100, 0),  # short: whole
    ("one two three", 9, 7),  # at the first space within the limit
    ("one  two", 4, None),  # a space after a space is no start
    ("one\x00 two", 5, None),  # nor one after a character a normalizer may delete
    ("one two\n three four", 12, 14),  # the space after the line break is no start: the next one is
])
def test_where_a_suffix_may_start(text, limit, start):
    assert suffix_start(text, limit) == start


def _described(tokenizer: Tokenizer, change) -> Tokenizer:
    described = json.loads(tokenizer.to_str())
    change(described)
    return Tokenizer.from_str(json.dumps(described))


@pytest.mark.parametrize(("why", "change"), [
    ("no pre-tokenizer", lambda d: d.update(pre_tokenizer=None)),
    ("a byte-level tokenizer without its expression", lambda d: d["pre_tokenizer"].update(use_regex=False)),
    ("a pre-tokenizer that splits elsewhere", lambda d: d.update(pre_tokenizer={"type": "Split", "pattern": {"String": "."},
                                                                                "behavior": "Isolated", "invert": False})),
    ("an expression not known to part at spaces (a word runs on into the spaces after it)",
     lambda d: d.update(pre_tokenizer={"type": "Split", "pattern": {"Regex": r"\S+\s*"}, "behavior": "Isolated", "invert": False})),
    ("such an expression before one that parts at spaces", lambda d: d.update(pre_tokenizer={"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": r"\S+\s*"}, "behavior": "Isolated", "invert": False}, d["pre_tokenizer"]]})),
    ("Llama 3's expression, its matches merged", lambda d: d.update(pre_tokenizer={
        "type": "Split", "pattern": {"Regex": LLAMA3_SPLIT}, "behavior": "MergedWithPrevious", "invert": False})),
    ("an added token with a space", lambda d: d["added_tokens"].append({**d["added_tokens"][0], "id": 50257, "content": "a b"})),
    ("a normalizer that replaces across a space", lambda d: d.update(normalizer={"type": "Replace", "pattern": {"String": "a b"}, "content": "c"})),
    ("an unknown normalizer", lambda d: d.update(normalizer={"type": "Sequence", "normalizers": [{"type": "Replace", "pattern": {"Regex": "x."}, "content": ""}]})),
    ("truncation that keeps the end", lambda d: d.update(truncation={"direction": "Left", "max_length": 8, "strategy": "LongestFirst", "stride": 0})),
])
def test_a_tokenizer_not_known_to_read_words_apart_reads_whole_texts(why, change):
    assert reads_words_apart(_byte_level())
    assert not reads_words_apart(_described(_byte_level(), change)), why


@pytest.mark.parametrize("chars_per_token", [1, 2, long_texts.CHARS_PER_TOKEN])
def test_a_part_ends_before_a_mark_only_after_a_letter_the_normaliser_keeps_whole(chars_per_token):
    """Qwen2's expression parts a mark from a letter before it, but its normaliser (NFC)
    writes some letters (क़, U+0958) as a letter and a combining mark, which joins the mark:
    a part may end before "，" after an ideograph, not after क़ (trained on such text, as
    the normaliser writes it, so that the combining mark and "，" make one token)."""
    text = "".join(f"字{i}\u0958，词，" for i in range(400))
    _assert_every_prefix_reads_as_the_whole(_qwen2_style(also=(text,) * 20), text, chars_per_token)


@pytest.mark.parametrize("chars_per_token", [1, 2, long_texts.CHARS_PER_TOKEN])
def test_an_apostrophe_ends_no_word_where_the_expression_joins_contractions(chars_per_token):
    """o200k's expression reads "it's" as one word (Llama 3's as "it" and "'s"): a part may
    end before the comma, not before the apostrophe (trained on such text, so that
    ",it's" is one token)."""
    text = "it's," * 2_000
    tokenizer = _llama3_style(O200K_SPLIT, also=(text,) * 20)
    assert "'" not in reads_words_apart(tokenizer).marks_after_words and "," in reads_words_apart(tokenizer).marks_after_words
    _assert_every_prefix_reads_as_the_whole(tokenizer, text, chars_per_token)


def _assert_every_prefix_reads_as_the_whole(tokenizer: Tokenizer, text: str, chars_per_token: int) -> None:
    """The first 3 to 39 tokens of ``text``, read from prefixes of ``chars_per_token``
    characters a token (and longer), are the whole text's."""
    tokenizer.no_padding()

    def cut(texts: list[str]) -> list[list[int]]:
        return [encoding.ids for encoding in tokenizer.encode_batch(texts)]

    for max_tokens in range(3, 40):
        tokenizer.enable_truncation(max_tokens)
        with patch.object(long_texts, "CHARS_PER_TOKEN", chars_per_token):
            assert first_tokens(cut, [text], max_tokens, reads_words_apart(tokenizer)) == cut([text])


def test_a_sentencepiece_bpe_part_ends_before_a_mark_that_no_token_holds_after_another_character():
    """Chinese marks and digits end a part of a text (not a piece: the pre-tokenizer writes a
    space mark before a piece's first character); ASCII marks that tokens hold after another
    character do not. The byte tokens' names (``<0x1F>``) are no text's: digits in them count
    for nothing."""
    tokenizer = _llama2_style()
    vocabulary = tokenizer.get_vocab()
    inside = {character for token in vocabulary if not token.startswith("<0x") for character in token[1:]}
    marks = reads_words_apart(tokenizer).before_marks
    assert "，" in marks and "。" in marks and "文" in inside and not set(marks) & inside
    assert "<0x31>" in vocabulary and "1" in marks and {digit for digit in string.digits if digit in vocabulary} <= set(marks)
    assert ";" in inside and "=" in inside and ";" not in marks
    assert reads_pieces_alike(tokenizer).before_marks == ""
    assert reads_words_apart(_llama2_file()).before_marks == marks
    assert reads_pieces_alike(_gemma_file()).before_marks == marks  # (nothing writes a mark before a piece)


_BYTES_REGEX = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
_BYTES_MAPPED = {**_BYTES_REGEX, "use_regex": False}


@pytest.mark.parametrize(("pre_tokenizer", "marks"), [
    ({"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": True},
                                            _BYTES_REGEX]}, True),
    ({"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": LLAMA3_SPLIT}, "behavior": "Isolated",
                                             "invert": False}, _BYTES_MAPPED]}, True),
    # (bytes mapped first: "，" is "ï¼Į" to the expression, letters that run on from the word before)
    ({"type": "Sequence", "pretokenizers": [_BYTES_MAPPED,
                                            {"type": "Split", "pattern": {"Regex": LLAMA3_SPLIT}, "behavior": "Isolated",
                                             "invert": False}]}, False),
    (FALCON_PRE_TOKENIZER, True),
    ({"type": "WhitespaceSplit"}, False),
])
def test_which_pre_tokenizers_end_a_part_before_a_mark_after_a_word(pre_tokenizer, marks):
    tokenizer = _described(_byte_level(), lambda d: d.update(pre_tokenizer=pre_tokenizer))
    assert bool(reads_words_apart(tokenizer).marks_after_words) == marks == reads_words_apart(tokenizer).at_digits
    lowercased = _described(tokenizer, lambda d: d.update(normalizer={"type": "Lowercase"}))
    assert reads_words_apart(lowercased).marks_after_words == ""  # ("İ" lowercased ends with a combining mark)


def _merging_across_a_space(described: dict) -> None:
    model = described["model"]
    model["vocab"]["e\u2581t"] = len(model["vocab"])
    model["merges"].insert(0, ["e", "\u2581t"])


@pytest.mark.parametrize(("why", "change"), [
    ("a token that holds the space mark after another character", _merging_across_a_space),
    ("whole words looked up before merging", lambda d: d["model"].update(ignore_merges=True)),
    ("a normaliser that writes the mark for another character", lambda d: d.update(normalizer={
        "type": "Replace", "pattern": {"String": "_"}, "content": "\u2581"})),
    ("a normaliser that writes the mark for a space, by an expression", lambda d: d.update(pre_tokenizer=None, normalizer={
        "type": "Replace", "pattern": {"Regex": " +"}, "content": "\u2581"})),
    ("an added token with the mark", lambda d: d["added_tokens"].append({**d["added_tokens"][0], "id": 700, "content": "x\u2581"})),
])
def test_a_sentencepiece_bpe_that_may_merge_across_a_space_reads_whole_texts(why, change):
    """A tokenizer that reads a whole text as one word reads words apart only where no merge
    can join a space to what stands before it."""
    assert reads_words_apart(_llama2_style()) and reads_words_apart(_llama2_file()) and reads_words_apart(_gemma_file())
    assert not reads_words_apart(_described(_llama2_style(), change)), why
    assert not reads_words_apart(_described(_gemma_file(), change)), why


def test_transformers_llama_tokenizer_reads_a_long_text_from_a_prefix():
    """transformers' ``LlamaTokenizer`` built from a vocabulary and merges (as it loads Llama 2's
    and Mistral's) is judged by the tokenizer it builds: the first tokens of a long text from a
    prefix, the same as the whole text's."""
    from transformers import LlamaTokenizer

    model = json.loads(_llama2_style().to_str())["model"]
    tokenizer = LlamaTokenizer(vocab=model["vocab"], merges=[tuple(merge) for merge in model["merges"]])
    text = " ".join(f"word{i} \u2581 and  more" for i in range(3_000))
    read: list[int] = []

    def cut(texts: list[str]) -> list[list[int]]:
        read.extend(map(len, texts))
        return tokenizer(texts, truncation=True, max_length=50)["input_ids"]

    found = first_tokens(cut, [text], 50, reads_words_apart(tokenizer))
    assert max(read) < len(text) / 10
    assert found == cut([text])


def test_transformers_tokenizers_are_judged_by_their_backend_and_truncation_side():
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(FIXTURES / "watermark" / "tokenizer"))
    assert reads_words_apart(tokenizer)
    tokenizer.truncation_side = "left"
    assert not reads_words_apart(tokenizer)


def test_the_encoder_tokenizes_a_three_megabyte_row_in_little_memory():
    """The default encoder's tokenizer held 560 MB and 3.8 s for the 256 tokens of a 3.1 MB
    row read whole (2026-12-05); the ids are the same read from its prefix."""
    script = """
import resource, sys
from tokenizers import Tokenizer
from qcaudit.config import Config
from qcaudit.embed import Encoder
text = " ".join(f"word{i} and some more words, {i}." for i in range(120_000))
encoder = Encoder.from_settings(Config().embedding)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
ids = encoder.tokenize([text])[0]
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
whole = Tokenizer.from_file(str(encoder.path / "tokenizer.json"))
whole.no_padding()
whole.enable_truncation(256)
print(len(text), grown, ids == whole.encode(text).ids, len(ids))
"""
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    characters, grown, same, count = ran.stdout.split()
    assert int(characters) > 3_000_000 and same == "True" and count == "256"
    assert float(grown) < 100, f"tokenizing a {characters}-character row grew the process by {grown} MB"


def test_the_encoder_tokenizes_long_chinese_rows_in_little_memory():
    """Chinese has no spaces: 256 rows of 20,000 characters held 855 MB and 12 s for their
    256 tokens each until a prefix could end before an ideograph (2026-12-06)."""
    script = """
import random, resource
from tokenizers import Tokenizer
from qcaudit.config import Config
from qcaudit.embed import Encoder
random.seed(0)
texts = ["".join(chr(random.randint(0x4E00, 0x9FFF)) if random.random() > 0.05 else "，" for _ in range(20_000)) for _ in range(256)]
encoder = Encoder.from_settings(Config().embedding)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
ids = encoder.tokenize(texts)
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
whole = Tokenizer.from_file(str(encoder.path / "tokenizer.json"))
whole.no_padding()
whole.enable_truncation(256)
print(grown, ids[:3] == [whole.encode(text).ids for text in texts[:3]], {len(found) for found in ids})
"""
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    grown, same, lengths = ran.stdout.split(maxsplit=2)
    assert same == "True" and lengths.strip() == "{256}"
    assert float(grown) < 150, f"tokenizing 256 Chinese rows of 20,000 characters grew the process by {grown} MB"


class _Reading:
    """A transformers tokenizer that records the texts it is given."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer, self.read = tokenizer, []

    def __getattr__(self, name: str):
        return getattr(self.tokenizer, name)

    def __call__(self, texts, **options):
        self.read.extend(texts)
        return self.tokenizer(texts, **options)


def test_the_language_model_scorers_read_a_long_text_from_a_prefix():
    """The detectors' and drift's LM scoring cut texts at their ``max_tokens`` too."""
    from transformers import AutoTokenizer

    from qcaudit.detectors.lm import tokenize

    tokenizer = AutoTokenizer.from_pretrained(str(FIXTURES / "watermark" / "tokenizer"))
    long = "Natalia sold clips to 48 of her friends in April. " * 20_000
    reading = _Reading(tokenizer)
    assert tokenize(reading, [long, "short"], 64) == tokenizer([long, "short"], truncation=True, max_length=64)["input_ids"]
    assert max(len(text) for text in reading.read) < 10_000  # (of a 1 MB text)


def test_ifd_reads_a_long_response_from_a_prefix_and_a_long_prompt_from_a_suffix():
    """IFD scores a response's first tokens after its prompt's last and alone: a long
    response is read from a prefix, a long prompt from a suffix, the same ids as read whole."""
    from transformers import AutoTokenizer

    from qcaudit.analyzers.ifd import ifd_inputs

    tokenizer = AutoTokenizer.from_pretrained(str(FIXTURES / "watermark" / "tokenizer"))
    response = "She sold 48 clips in April and half as many in May. " * 20_000
    reading = _Reading(tokenizer)
    conditioned, starts, alone = ifd_inputs(reading, ["How many clips?"], [response], None, 64)
    bos = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    first = tokenizer([response], add_special_tokens=False)["input_ids"][0][: 64 - len(bos)]
    assert conditioned[0][starts[0]:] == first and alone[0] == bos + first
    assert max(len(text) for text in reading.read) < 10_000  # (of a 1 MB text)
    # and a long prompt from a suffix: its last tokens before a short answer
    prompt = "Natalia sold clips to 48 of her friends in April. " * 20_000
    reading.read.clear()
    conditioned, starts, _ = ifd_inputs(reading, [prompt], ["Seventy-two."], None, 64)
    answer = tokenizer(["Seventy-two."], add_special_tokens=False)["input_ids"][0]
    before = tokenizer([f"{prompt}\n"], add_special_tokens=False)["input_ids"][0]
    assert conditioned[0] == bos + before[len(before) - (64 - len(bos) - len(answer)):] + answer
    assert max(len(text) for text in reading.read) < 10_000  # (of a 1 MB prompt)


def test_a_tokenizer_of_another_make_reads_whole_texts():
    """A slow (Python) tokenizer, or an object that only looks like a fast one, is not cut."""

    class HalfABackend:
        def get_added_tokens_decoder(self) -> dict:
            return {}

    class LooksFast:
        backend_tokenizer = HalfABackend()
        truncation_side = "right"

    assert not reads_words_apart(LooksFast())
    assert not reads_words_apart(object())


@settings(max_examples=300, deadline=None)
@given(texts=texts, piece_chars=st.sampled_from([1, 3, 16, 64]))
def test_pieces_give_the_whole_texts_tokens(each_piecewise_tokenizer, texts, piece_chars):
    """Every token, as the watermark detector and the diversity metrics read them (no
    special tokens, no truncation): the pieces' ids joined are the whole text's."""
    each_piecewise_tokenizer.no_truncation()

    def read(chunk: list[str]) -> list[list[int]]:
        return [encoding.ids for encoding in each_piecewise_tokenizer.encode_batch(chunk, add_special_tokens=False)]

    assert reads_pieces_alike(each_piecewise_tokenizer)
    with patch.object(long_texts, "PIECE_CHARS", piece_chars):
        assert all_tokens(read, texts, reads_pieces_alike(each_piecewise_tokenizer)) == read(texts)
    for text in texts:
        assert "".join(pieces(text, piece_chars, WordEnds(True, string.punctuation, "，。", at_digits=True))) == text


@settings(max_examples=300, deadline=None)
@given(texts=texts, count=st.integers(1, 12), chars_per_token=st.sampled_from([1, 2, long_texts.CHARS_PER_TOKEN, 16]))
def test_a_suffix_gives_the_whole_texts_last_tokens(each_piecewise_tokenizer, texts, count, chars_per_token):
    """The last ``count`` tokens (IFD keeps a prompt's last tokens before its answer), read
    from a suffix that starts at a space: those of the whole text."""
    each_piecewise_tokenizer.no_truncation()

    def read(chunk: list[str]) -> list[list[int]]:
        return [encoding.ids for encoding in each_piecewise_tokenizer.encode_batch(chunk, add_special_tokens=False)]

    with patch.object(long_texts, "CHARS_PER_TOKEN", chars_per_token):
        found = last_tokens(read, texts, count, reads_pieces_alike(each_piecewise_tokenizer))
    for ids, whole in zip(found, read(texts), strict=True):
        assert len(ids) >= min(count, len(whole)) and ids[-count:] == whole[-count:]


def test_a_normaliser_that_strips_or_prepends_reads_whole_texts_for_every_token():
    """A piece's leading space is the text's own; a normaliser that strips or adds at the
    start of each text would read it otherwise (the first tokens are still read from a prefix)."""
    for change in (lambda d: d.update(normalizer={"type": "Strip", "strip_left": True, "strip_right": True}),
                   lambda d: d.update(normalizer={"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "_"}]})):
        tokenizer = _described(_byte_level(), change)
        assert reads_words_apart(tokenizer) and not reads_pieces_alike(tokenizer)


def test_the_watermark_detector_reads_a_long_row_in_pieces():
    from transformers import AutoTokenizer

    from qcaudit.watermark.tokens import encode

    tokenizer = AutoTokenizer.from_pretrained(str(FIXTURES / "watermark" / "tokenizer"))
    long = "Natalia sold clips to 48 of her friends in April. " * 20_000
    reading = _Reading(tokenizer)
    assert [ids.tolist() for ids in encode(reading, [long, "short"])] == tokenizer([long, "short"], add_special_tokens=False)["input_ids"]
    assert max(len(text) for text in reading.read) <= long_texts.PIECE_CHARS
