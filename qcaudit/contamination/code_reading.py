"""What a text reads as code: whether it is code, its names, literals and comments, and its fingerprint.

Only text that :func:`looks_like_code` is read as code. Its names (:func:`code_identifiers`), the
numbers and strings its code holds outside comments and docstrings (:func:`code_literals`),
the prose of its comments and docstrings (:func:`code_comments`), and a fingerprint: winnowing
(Schleimer et al. 2003, as MOSS and Dolos) over a token stream with comments dropped,
identifiers, numbers and strings replaced by their kind and keywords of Python, C and
JavaScript mapped to one spelling (:func:`code_tokens`), so renamed, reformatted and ported
code keeps much of its fingerprint (:func:`code_fingerprints`).
"""

from __future__ import annotations

import re
import zlib
from collections import Counter

from qcaudit.contamination.number_reading import number_key

_IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
#: A line that only code has: a definition, a block opener, a statement end, a return. (A line's
#: indent is ``[^\S\n]*``, whitespace but a line break: ``^\s*`` from every line start of a run of
#: blank lines would read to the run's end, a time that grows with the square of the run.)
_CODE_LINE = re.compile(
    r"\bdef \w+\s*\(|\bfunction\b\s*\w*\s*\(|=>|[;{]\s*$|^[^\S\n]*(?:if|for|while|elif|else)\b[^\n]*:\s*$|^[^\S\n]*return\b",
    re.MULTILINE,
)
#: What each kind of :data:`_CODE_LINE` holds word for word: a definition's "def " or
#: "function", an arrow, a statement's end, a block opener's colon, "return".
_CODE_LINE_MARKS = ("def ", "function", "=>", ";", "{", ":", "return")
#: How far into a text :func:`looks_like_code` reads.
CODE_SCAN_CHARS = 20_000
PYTHON_KEYWORDS = set("""False None True and as assert async await break class continue def del elif
else except finally for from global if import in is lambda nonlocal not or pass raise return try while
with yield int str float list dict set tuple bool len range print self""".split())

#: Keywords of Python, C and JavaScript, each mapped to one spelling (``def``/``function``/a C
#: type before a name are all a definition; ``elif``/``else if``; ``&&``/``and``).
KEYWORD_CLASSES = {
    "def": "def", "function": "def", "lambda": "def", "return": "return", "yield": "return",
    "if": "if", "elif": "elif", "else": "else", "for": "for", "while": "while", "do": "while",
    "break": "break", "continue": "continue", "in": "in", "of": "in", "not": "!", "and": "&&", "or": "||",
    "True": "true", "true": "true", "False": "false", "false": "false", "None": "null", "null": "null",
    "NULL": "null", "undefined": "null", "nullptr": "null", "try": "try", "except": "catch", "catch": "catch",
    "raise": "throw", "throw": "throw", "class": "class", "import": "import", "from": "import",
    "include": "import", "require": "import", "new": "new", "switch": "switch", "case": "case",
}
TYPE_WORDS = set("""int long short char float double void bool boolean string str list dict set tuple auto
const let var unsigned signed static struct vector map size_t std""".split())
#: A string literal in single or double quotes, on one line.
_STRING = r""""(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'"""
_QUOTED_STRING = re.compile(_STRING)
_CODE_TOKEN = re.compile(
    rf"""(?P<string>{_STRING})|(?P<number>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_]\w*)"""
    r"""|(?P<op>==|!=|<=|>=|\*\*|//|&&|\|\||\+=|-=|\+\+|--|[-+*/%<>=!&|^~])|(?P<punct>[()\[\]{}:,.;?])"""
)
#: A C preprocessor directive or a shebang line: no comment, though it opens with "#".
_DIRECTIVE = re.compile(r"#\s*(?:include|define|undef|if|ifdef|ifndef|elif|else|endif|pragma|import|error|line)\b|#!")
#: Where a comment or a docstring may open: ``#`` and ``//`` run to their line's end, the others
#: to their closer (:data:`_CLOSERS`); :func:`comment_spans` reads them.
_COMMENT_OPENER = re.compile(r"#|//|/\*|\"\"\"|'''")
_CLOSERS = {"/*": "*/", '"""': '"""', "'''": "'''"}
#: Fingerprints are hashes of K_GRAM normalised tokens, one kept (the smallest) per window of WINNOW.
K_GRAM, WINNOW = 5, 4
#: A quoted string is example evidence (:func:`quoted_strings`) from 2 characters ("a" is any
#: example's) to 40 (a sentence is prose, not an example's value).
EXAMPLE_STRING_CHARS = (2, 40)


def looks_like_code(text: str) -> bool:
    """At least two lines that only code has (a semicolon in prose is not enough), among the
    first :data:`CODE_SCAN_CHARS` characters. A text that holds none of
    :data:`_CODE_LINE_MARKS` there has none and is not searched (most prose: the verifier
    asks this of every row in several passes)."""
    if not any(text.find(mark, 0, CODE_SCAN_CHARS) >= 0 for mark in _CODE_LINE_MARKS):
        return False
    return len(_CODE_LINE.findall(text, 0, CODE_SCAN_CHARS)) >= 2


def code_identifiers(code: str) -> Counter:
    """The names ``code`` uses (Python's keywords and one-letter names left out), for a text
    already known to be code."""
    return Counter(t for t in _IDENTIFIER.findall(code) if t not in PYTHON_KEYWORDS and len(t) > 1)


def comment_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text``'s comments and docstrings are, from the left: a ``#`` or ``//`` comment
    to its line's end, a ``/* */`` comment or a triple-quoted string to its closer. An opener
    never closed opens nothing (the ``/*`` of ``"src/*"``), and the text is read on after it.

    These are the spans that one regular expression of those five alternatives (each closed
    one lazily, ``/\\*.*?\\*/``) finds, in time linear in the text: such an expression looks
    for a closer afresh from every opener, so a text of many openers never closed took a time
    that grows with the square of its length (the verifier read a 20,000-character row of
    ``/* `` in 1.3 s, 2026-12-05); here a closer found missing is not looked for again."""
    spans: list[tuple[int, int]] = []
    missing_from: dict[str, int] = {}  # a closer that is nowhere from this position on
    at = 0
    while opener := _COMMENT_OPENER.search(text, at):
        start, inside = opener.span()
        if opener.group() in ("#", "//"):
            end = text.find("\n", inside)
            end = len(text) if end < 0 else end
        else:
            closer = _CLOSERS[opener.group()]
            found = -1 if missing_from.get(closer, len(text) + 1) <= inside else text.find(closer, inside)
            if found < 0:
                missing_from[closer] = min(inside, missing_from.get(closer, inside))
                at = start + 1
                continue
            end = found + len(closer)
        spans.append((start, end))
        at = end
    return spans


def _without_comments(text: str) -> str:
    """``text`` with each of its comments and docstrings (:func:`comment_spans`) made one space."""
    kept, at = [], 0
    for start, end in comment_spans(text):
        kept += [text[at:start], " "]
        at = end
    kept.append(text[at:])
    return "".join(kept)


def code_tokens(text: str) -> list[str]:
    """``text`` as a normalised token stream: comments and docstrings dropped, names,
    numbers and strings replaced by their kind, keywords mapped to one spelling, type names
    dropped (C declares them, Python does not), and brackets that only group dropped."""
    tokens = []
    for match in _CODE_TOKEN.finditer(_without_comments(text)):
        kind, token = match.lastgroup, match.group()
        if kind == "name":
            if token in TYPE_WORDS:
                continue
            tokens.append(KEYWORD_CLASSES.get(token, "N"))
        elif kind == "number":
            tokens.append("0")
        elif kind == "string":
            tokens.append("S")
        elif kind == "op":
            tokens.append(KEYWORD_CLASSES.get(token, token))
        elif token not in "{};:()":  # block and grouping syntax differs between languages
            tokens.append(token)
    return tokens


def code_comments(text: str) -> str:
    """The prose of a code text's comments and docstrings, their markers dropped, one a line
    ("" for text that does not look like code)."""
    if not looks_like_code(text):
        return ""
    lines = []
    for start, end in comment_spans(text):
        comment = text[start:end]
        if _DIRECTIVE.match(comment) or (comment[0] == "#" and start and not text[start - 1].isspace()):
            continue  # (C's #include, #define, ...; the # of "C#" or of a colour, "#fff")
        for line in comment.strip("#/*\"'").splitlines():
            line = line.strip().lstrip("#/*").strip()
            if line:
                lines.append(line)
    return "\n".join(lines)


def code_literals(code: str) -> Counter:
    """The numbers and strings of ``code`` outside comments and docstrings, each string as
    :func:`_string_key` writes it, each number as
    :func:`~qcaudit.contamination.number_reading.numbers` writes it."""
    found = Counter()
    for match in _CODE_TOKEN.finditer(_without_comments(code)):
        if match.lastgroup == "number":
            found[number_key(match.group())] += 1
        elif match.lastgroup == "string":
            found[_string_key(match.group())] += 1
    return found


def _string_key(literal: str) -> str:
    """A string literal (with its quotes) as its contents between double quotes, white space
    collapsed: ``'a b'`` in Python is ``"a b"`` in C."""
    return '"' + " ".join(literal[1:-1].split()) + '"'


def code_fingerprints(text: str) -> frozenset[int]:
    """Winnowed hashes of the normalised token stream's K_GRAM-grams (empty for non-code)."""
    return winnowed_fingerprints(text) if looks_like_code(text) else frozenset()


def winnowed_fingerprints(code: str) -> frozenset[int]:
    """:func:`code_fingerprints` of a text already known to be code."""
    tokens = code_tokens(code)
    grams = [zlib.crc32(" ".join(tokens[i : i + K_GRAM]).encode()) for i in range(len(tokens) - K_GRAM + 1)]
    if len(grams) <= WINNOW:
        return frozenset(grams)
    return frozenset(min(grams[i : i + WINNOW]) for i in range(len(grams) - WINNOW + 1))


def quoted_strings(text: str) -> Counter:
    """The strings in quotes in ``text`` of EXAMPLE_STRING_CHARS characters, each as
    :func:`_string_key` writes it (``'xyzXYZ'`` as ``"xyzXYZ"``)."""
    low, high = EXAMPLE_STRING_CHARS
    return Counter(_string_key(m) for m in _QUOTED_STRING.findall(text) if low <= len(m) - 2 <= high)
