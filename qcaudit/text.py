"""Text primitives: normalisation, tokenisation and 64-bit token hashes.

Every analyzer that counts tokens or n-grams goes through :class:`Tokenization`, so one
setting means the same thing everywhere and is recorded the same way in metric signatures.

Tokenizers (named options, see the README):

- ``whitespace``: split on runs of whitespace and nothing else, exactly as Python's
  ``str.split()`` does (Unicode whitespace plus the ASCII separators 0x1C-0x1F).
- ``regex``: every match of a pattern (Rust regex syntax, as Polars uses); the default
  pattern ``\\w+|[^\\w\\s]`` keeps words and single punctuation marks.
- ``cjk``: for text written without spaces between words: every CJK ideograph is a token of
  its own and the rest splits on whitespace, as BERT's ``BasicTokenizer`` does with
  ``tokenize_chinese_chars`` (without its punctuation split).
- ``hf:PATH``: a Hugging Face tokenizer loaded from a local directory, or by the name of a
  model the user's Hugging Face cache holds (never the hub).

Tokens are hashed to 64-bit integers inside Polars expressions; the n-gram engine works
on those hashes only, so no Python loop touches a token on the hot path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import polars as pl

from qcaudit.errors import QcauditError
from qcaudit.long_texts import all_tokens, reads_pieces_alike, whole_ids

#: Python's ``str.split()`` treats 0x1C-0x1F as whitespace; Unicode (and Rust's ``\s``) does not.
WHITESPACE_TOKEN_PATTERN = r"[^\s\x1c-\x1f]+"
DEFAULT_REGEX_PATTERN = r"\w+|[^\w\s]"
#: The code points BERT's ``BasicTokenizer._is_chinese_char`` takes for CJK ideographs.
CJK_IDEOGRAPHS = (r"\x{4E00}-\x{9FFF}\x{3400}-\x{4DBF}\x{20000}-\x{2A6DF}\x{2A700}-\x{2B73F}\x{2B740}-\x{2B81F}"
                  r"\x{2B820}-\x{2CEAF}\x{F900}-\x{FAFF}\x{2F800}-\x{2FA1F}")
CJK_TOKEN_PATTERN = rf"[{CJK_IDEOGRAPHS}]|[^\s\x1c-\x1f{CJK_IDEOGRAPHS}]+"
#: The tokenizers named by one word, and their token patterns.
NAMED_PATTERNS = {"whitespace": WHITESPACE_TOKEN_PATTERN, "regex": DEFAULT_REGEX_PATTERN, "cjk": CJK_TOKEN_PATTERN}
PUNCTUATION_PATTERN = r"\p{P}"
TOKEN_HASH_SEED = 0x5EED
#: Characters a token from which text reads as written without spaces between words (English
#: averages about 6 with its space; to the whitespace tokenizer a row of Chinese is one token).
UNSPACED_CHARS_PER_TOKEN = 15
HF_BATCH_SIZE = 4096


@dataclass(frozen=True)
class TokenStream:
    """All tokens of a corpus, flattened in row order.

    ``rows[i]`` is the row the i-th token belongs to (non-decreasing) and ``hashes[i]`` its
    64-bit hash. ``lengths[r]`` is the number of tokens in row r (0 for null or empty rows).
    """

    rows: np.ndarray
    hashes: np.ndarray
    n_rows: int

    @cached_property
    def lengths(self) -> np.ndarray:
        return np.bincount(self.rows, minlength=self.n_rows).astype(np.int64)


#: Rows tokenised at a time (:meth:`Tokenization.tokens`): Polars' exploded table of a whole
#: generation's tokens peaked at four times the stream's size (1,000,000 rows of 50 words: 2.6 GB).
TOKENISED_ROWS = 100_000


@dataclass(frozen=True)
class Tokenization:
    """A named tokenizer plus the normalisation applied before it."""

    tokenizer: str = "whitespace"
    lowercase: bool = False
    strip_punctuation: bool = False

    def __post_init__(self) -> None:
        name = self.tokenizer
        if name in NAMED_PATTERNS:
            return
        if name.startswith("regex:"):
            _check_token_pattern(name[len("regex:"):])
            return
        if name.startswith("hf:"):
            if not name[3:].strip():
                raise QcauditError(f"tokenizer {name!r}: give the folder after hf:, e.g. 'hf:/models/llama-3-8b'")
            from qcaudit.hf import in_cache

            path = Path(name[3:]).expanduser()
            if path.is_dir() or in_cache(name[3:]):  # (a path is no repository's name: not in the cache)
                return
            raise QcauditError(
                f"tokenizer {name!r}: {path} is neither a folder nor a name your Hugging Face cache holds; give a local "
                "folder holding Hugging Face tokenizer files (tokenizer.json or vocab files), or a model the cache holds"
            )
        raise QcauditError(
            f"unknown tokenizer {name!r}: use 'whitespace', 'regex', 'regex:PATTERN', 'cjk' or 'hf:PATH'"
        )

    @property
    def regex_pattern(self) -> str | None:
        """The token pattern for the Polars tokenizers; None for a Hugging Face tokenizer."""
        if self.tokenizer in NAMED_PATTERNS:
            return NAMED_PATTERNS[self.tokenizer]
        if self.tokenizer.startswith("regex:"):
            return self.tokenizer[len("regex:") :]
        return None

    @property
    def name(self) -> str:
        """The tokenizer as signatures name it: ``whitespace``, ``cjk``, ``regex(PATTERN)``, ``hf(FOLDER)``."""
        if self.tokenizer.startswith("hf:"):
            return f"hf({Path(self.tokenizer[3:]).name})"
        if self.tokenizer in ("whitespace", "cjk"):
            return self.tokenizer
        return f"regex({self.regex_pattern})"

    def signature_fields(self) -> str:
        """The settings that change every count, in sacrebleu's ``key:value`` style."""
        return (
            f"tok:{self.name}|lc:{'yes' if self.lowercase else 'no'}"
            f"|punct:{'strip' if self.strip_punctuation else 'keep'}"
        )

    def normalise(self, text: pl.Expr) -> pl.Expr:
        """Apply the configured normalisation to a String expression."""
        if self.lowercase:
            text = text.str.to_lowercase()
        if self.strip_punctuation:
            text = text.str.replace_all(PUNCTUATION_PATTERN, "")
        return text

    def tokens(self, texts: pl.Series) -> TokenStream:
        """Tokenise a String Series (nulls give empty rows) and hash every token; a long
        Series in chunks of :data:`TOKENISED_ROWS` rows, joined (the same stream)."""
        if len(texts) <= TOKENISED_ROWS:
            return self._tokens(texts)
        chunks = [self._tokens(texts.slice(start, TOKENISED_ROWS)) for start in range(0, len(texts), TOKENISED_ROWS)]
        offsets = np.cumsum([0, *(chunk.n_rows for chunk in chunks[:-1])])
        return TokenStream(rows=np.concatenate([chunk.rows + np.uint32(offset) for chunk, offset in zip(chunks, offsets, strict=True)]),
                           hashes=np.concatenate([chunk.hashes for chunk in chunks]), n_rows=len(texts))

    def _tokens(self, texts: pl.Series) -> TokenStream:
        texts = texts.cast(pl.String).rename("text")
        pattern = self.regex_pattern
        if pattern is None:
            return self._hf_tokens(texts)
        try:
            exploded = (
                pl.DataFrame(texts)
                .select(self.normalise(pl.col("text")).str.extract_all(pattern).alias("tok"))
                .with_row_index("row")
                .explode("tok")
                .drop_nulls("tok")
                .select(pl.col("row"), pl.col("tok").hash(TOKEN_HASH_SEED).alias("hash"))
            )
        except pl.exceptions.ComputeError as exc:
            raise QcauditError(f"tokenizer {self.tokenizer!r}: invalid pattern: {_regex_error(exc)}") from None
        return TokenStream(
            rows=exploded["row"].to_numpy(),
            hashes=exploded["hash"].to_numpy(),
            n_rows=len(texts),
        )

    def _hf_tokens(self, texts: pl.Series) -> TokenStream:
        tokenizer = load_hf_tokenizer(self.tokenizer[3:])
        normalised = pl.DataFrame(texts).select(self.normalise(pl.col("text")).fill_null(""))
        values = normalised.to_series().to_list()
        read, alike, ids = whole_ids(tokenizer), reads_pieces_alike(tokenizer), []
        for start in range(0, len(values), HF_BATCH_SIZE):
            ids.extend(all_tokens(read, values[start : start + HF_BATCH_SIZE], alike))  # (a long text read in pieces)
        exploded = (
            pl.DataFrame({"tok": ids}, schema={"tok": pl.List(pl.UInt64)})
            .with_row_index("row")
            .explode("tok")
            .drop_nulls("tok")
            .select(pl.col("row"), pl.col("tok").hash(TOKEN_HASH_SEED).alias("hash"))
        )
        return TokenStream(
            rows=exploded["row"].to_numpy(),
            hashes=exploded["hash"].to_numpy(),
            n_rows=len(texts),
        )


def _check_token_pattern(pattern: str) -> None:
    """A token pattern must compile (Rust syntax, as Polars) and never match the empty
    string (tried on a few characters): empty matches would count as tokens between
    characters."""
    probe = pl.Series(["", "ab, c-d 1\n"])
    try:
        matches_empty = not pattern or probe.str.extract_all(pattern).list.eval(pl.element() == "").list.any().any()
    except pl.exceptions.PolarsError as exc:
        raise QcauditError(f"tokenizer 'regex:{pattern}': invalid pattern: {_regex_error(exc)}") from None
    if matches_empty:
        raise QcauditError(f"tokenizer 'regex:{pattern}': the pattern matches the empty string; a token must hold at least one character (e.g. 'regex:\\w+')")


def ending(text: pl.Expr, chars: int) -> pl.Expr:
    """The last ``chars`` characters of ``text``, after an ellipsis where it is longer: how a
    response ends, where a generation stopped."""
    return pl.when(text.str.len_chars() > chars).then("…" + text.str.slice(-chars)).otherwise(text)


#: A text is read as written in another script than Latin (Chinese, Japanese, Cyrillic,
#: Arabic, ...) when it holds at least this many letters and most of them are of another script.
OTHER_SCRIPT_MIN_LETTERS = 8


def written_in_other_scripts(texts: pl.Series) -> pl.Series:
    """Per text, whether it is written in another script than Latin (:func:`in_other_scripts`)."""
    return pl.select(in_other_scripts(pl.lit(texts))).to_series()


def in_other_scripts(text: pl.Expr) -> pl.Expr:
    """Whether ``text`` is written in another script than Latin: of its letters (Unicode's
    ``L`` categories; at least :data:`OTHER_SCRIPT_MIN_LETTERS`), more than half are not of the
    Latin script (digits and symbols are no letters; the Greek letters of a formula among
    Latin words leave a text Latin). Null is no text."""
    letters = text.str.count_matches(r"\p{L}")
    latin = text.str.count_matches(r"\p{Latin}")
    return ((letters >= OTHER_SCRIPT_MIN_LETTERS) & (2 * latin < letters)).fill_null(False)


def unspaced_text_warning(chars: int, tokens: int, tokenizer: str) -> str | None:
    """A warning when the whitespace or default regex tokenizer found so few tokens for the
    characters that the text must be written without spaces between words (Chinese,
    Japanese, Thai): each row is then a token or two, and its n-gram metrics say little."""
    if tokenizer not in ("whitespace", "regex") or not tokens or chars / tokens < UNSPACED_CHARS_PER_TOKEN:
        return None
    return (f"the rows average {chars / tokens:.0f} characters a token: to the {tokenizer} tokenizer, text written "
            "without spaces between words (Chinese, Japanese, Thai) is a token or two a row, and its n-gram metrics say "
            "little; use --tokenizer cjk (Chinese, Japanese) or --tokenizer hf:PATH")


def _regex_error(exc: Exception) -> str:
    """The reason in Polars' several-line regex error ("error: unclosed group"), else its
    first line."""
    lines = str(exc).strip().splitlines()
    return next((line.removeprefix("error: ") for line in lines if line.startswith("error: ")), lines[0] if lines else repr(exc))


def load_hf_tokenizer(path: str):
    """Load a Hugging Face tokenizer from a local directory, offline (:func:`qcaudit.hf.load_splitting_tokenizer`)."""
    from qcaudit.hf import load_splitting_tokenizer

    return load_splitting_tokenizer(str(Path(path).expanduser()), "hf tokenizer")
