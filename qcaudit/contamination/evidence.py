"""Domain evidence that a row rephrases a benchmark item, beyond embedding similarity.

A rephrasing changes the words but keeps what the task is made of; a different item of the
same style (a template sibling, the next question of the same subject, another function
over lists) shares the style but not those pieces. Per text, :class:`Evidence` holds:

- numbers, as a multiset (:func:`~qcaudit.contamination.number_reading.numbers`: digits and
  number words, "three and a half" as 3.5, "a quarter of" as 1/4): math rewordings keep
  them, template siblings change them (a translation's number words are read in its
  language: :func:`~qcaudit.contamination.number_reading.numbers_written`);
- content words (lower-case, crude plural folding, stop words and number words dropped;
  capitalised words left out, as names are what a rewording renames first);
- code identifiers and literals (only in text that looks like code): the names it uses, and
  the numbers and strings its code holds outside comments and docstrings; and its winnowed
  fingerprint, which renamed and reformatted code keeps (all read by
  :mod:`~qcaudit.contamination.code_reading`).
- formulas ("Q(sqrt(2) + sqrt(3))") and the arithmetic operations the text names in words
  (a sum, a product): a rephrasing copies a formula or words it out, and asks what the item
  asks; a sibling a symbol, a term or a word apart writes the formula with other operators
  or terms, or asks another operation.
- a two-statement text's statements ("Statement 1 | ... Statement 2 | ..."), which the
  semantic method embeds one by one (a rephrasing rephrases both; a sibling states one of
  them, or its converse, and something else).

``number_consistency`` is the one feature that can speak against a pair: the share of a
(non-code) item's numbers that the row has, or, for a row with :data:`OWN_NUMBERS` numbers
or more, the share of the row's numbers that the item has, whichever is larger, relative to
:data:`NUMBERS_KEPT`; 1.0 when the item has no numbers or is code (there, numbers are
examples, not the task), and 0.0 when the row writes one of the item's formulas with other
operators, or a term more or fewer, or names operations and none of the item's
(``formula_consistency`` and ``operation_consistency``, 0.0 then). Neither side's 1s count there: a paraphrase writes
one as "a" or "single", and a 1 is what unrelated texts share most often. A template sibling keeps the
words and brings numbers of its own; a paraphrase may spell some of the item's numbers
another way ("a quarter" for 1/4, "half an hour" for 30 minutes) or leave them out, but
the numbers it has are the item's. A
multiple-choice item whose question holds numbers is compared by its question's numbers
with the row's outside the options found in it: template siblings share their options (the
orders 6, 12, 30 and 105 of elements of S_n) and differ in the question ("n = 6", "n = 10").
The other pair features (each 0 when the
item offers no such evidence, so that it only ever adds):
``number_agreement`` (recall x precision of the item's numbers x their rarity among the
benchmark's items, capped), ``example_agreement`` (the same of a code item's
:func:`example_evidence`, its docstring examples' distinctive numbers and quoted strings,
against the row's, as its code and description parts leave the examples out),
``word_recall``, ``identifier_recall``, ``option_recall`` (the
rarity-weighted share of a multiple-choice item's options found in the row) and
``code_overlap`` (the rarity-weighted share of the item's code fingerprints found in the
row, scaled down for short code, and scaled by ``literal_consistency``).

``literal_consistency`` weighs code fingerprints, which see names, numbers and strings only
as their kind: the rarity-weighted share of the item code's literals that the row's code
holds (a string also inside a string of the row's without spaces, "a" in "aeiouAEIOU"), relative to
:data:`NUMBERS_KEPT`; 1.0 when the row is not code or the item's literals are worth less
than :data:`LITERAL_EVIDENCE_MIN` (0, 1 and 2 are in most code). Renaming, reformatting and
porting code keep its strings and constants; a sibling task with the same code over other
ones (HumanEval/56 and /61 check brackets, "<>" and "()") does not.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from qcaudit.contamination.code_reading import (
    code_fingerprints,
    code_identifiers,
    code_literals,
    looks_like_code,
    quoted_strings,
    winnowed_fingerprints,
)
from qcaudit.contamination.number_reading import (
    NUMBER_WORDS,
    ascii_digits,
    first_letters_lookahead,
    number_positions,
    numbers,
)

STOP_WORDS = set("""a an the and or but if of to in on at by for with from as is are was were be been
being it its this that these those he she they his her their them him i you we our your my me do does
did how what which who whom when where why will would can could should has have had not no so than then
there here each every all any some more most much many per into out up down over under about after
before""".split())
_WORD = re.compile(r"[A-Za-z]+")
_NON_SPACE = re.compile(r"\S+")
#: A rewording may spell a number another way ("twice", "a dozen"): a row that keeps this
#: share of a (non-code) item's numbers, or whose own numbers are this share the item's, is
#: fully consistent with it.
NUMBERS_KEPT = 0.75
#: A code item's literals speak for or against a row once their rarity adds up to this much
#: (half of one literal no other item has); below it they are no evidence.
LITERAL_EVIDENCE_MIN = 0.5
#: The row's side counts from this many numbers: one or two numbers that the item also has
#: ("2", "10") say little.
OWN_NUMBERS = 3
#: Agreeing numbers count as evidence up to this much rarity (three numbers no other item has),
#: code up to this many rare fingerprints: a one-line solution is weak evidence.
NUMBER_EVIDENCE_CAP = 3.0
CODE_EVIDENCE_CAP = 8.0
#: Options count as evidence up to this much rarity: options many items offer ("0", "4",
#: "True, True") add little even when all of them are found.
OPTION_EVIDENCE_CAP = 2.0
#: A number or option that one of a handful of items holds is not yet known to be rare ("2"
#: is in most texts): among fewer items than this, their rarity is scaled as among this many.
#: Code fingerprints keep their benchmark's own scale (one is a run of normalised code tokens,
#: rare by chance). ``bench_contamination.py small`` measures benchmarks of 1 to 20 items.
RARITY_MIN_ITEMS = 100
#: An option of LONG_OPTION_TERMS numbers and content words or more, LONG_OPTION_WORDS of
#: them words of two letters or more, counts as present when this share of them is in the
#: row. Any other option ("4", "True, False", a formula such as "2x^2 + 5", whose small
#: numbers and letter x a worked solution of a word problem holds) is looked for as text.
OPTION_PRESENT = 2 / 3
LONG_OPTION_TERMS = 3
LONG_OPTION_WORDS = 2
#: ... and where they stand together: within a run of OPTION_REACH times the option's words
#: (at least OPTION_REACH_WORDS).
OPTION_REACH, OPTION_REACH_WORDS = 3, 12
#: Where a row's options may begin or end, as datasets lay them out: lines, lettered
#: options ("(A) ", "B. ", "c) ", also where a letter opens a line), inline numbered ones
#: ("(2) "), semicolons and pipes ("4; 5; 6", "Choices: 4 | 5"), and after a colon and space.
_OPTION_SPLIT = re.compile(r"\n|[;|]|(?<=:)\s|(?:^|\s)\(?[A-Da-d][).:]\s|(?:^|\s)\(\d\)\s", re.MULTILINE)
#: Where one of a row's options begins: a letter ("(A) ", "B. ", "c) ", inline or opening a
#: line), a number in brackets ("(2) "), or a bullet or a number opening a line ("- ", "2. ").
_OPTION_MARKER = re.compile(r"(?:^|\s)\(?[A-Da-d][).:]\s|(?:^|\s)\(\d\)\s|^[ \t]*(?:[-*\u2022]|\d{1,2}[).])[ \t]+", re.MULTILINE)
#: A list marker that opens a segment: a bullet, or a number or roman numeral and its
#: stop ("- 4", "2. 4", "iii) 4").
_LIST_MARKER = re.compile(r"^\s*(?:[-*\u2022]|\(?(?:\d{1,2}|[ivx]{1,4})[).])\s+", re.IGNORECASE)
#: Where a list in a sentence parts its members ("is it 4, 5, 6 or 8?"), and how many of an
#: item's short options such a list must name at least (all, of an item with fewer): one or
#: two of them in a sentence are numbers or words of its own, three in one list are options.
#: (" or " from the first space of a run only: from each space of a long run, ``\s+`` would read
#: the run to its end again.)
_LISTED = re.compile(r",?(?<!\s)\s+(?:or|and)\s+|,\s*")
LISTED_OPTIONS = 3
#: A segment with code's brackets or an ``=`` holds no list of options ("[2, 4, 6]", "f(2, 4)", "x = 2, 4").
_CODE_LIST = re.compile(r"[\[\]{}()=]")
#: A double-quoted string in a row: an option of a JSON list (``"choices": ["4", "5"]``).
_QUOTED = re.compile(r'"([^"\n]+)"')
#: A token that is an operator, which :func:`formulas` joins with the digits around it.
_OPERATOR_TOKEN = r"[-+*/^=<>\u2212\u00d7\u00f7\u00b7]+"
_FORMULA_OPERATOR = re.compile(_OPERATOR_TOKEN)
#: How :func:`formulas` writes signs: "**" as "^", a Unicode minus or division sign as ASCII,
#: a root sign as "sqrt" ("\u221a2" is "sqrt(2)" without its brackets), multiplication signs left out.
_FORMULA_SPELLING = {"**": "^", "\u2212": "-", "\u00f7": "/", "\u221a": "sqrt"}
_FORMULA_SIGNS = re.compile(r"\*\*|[*\u2212\u00d7\u00f7\u00b7\u221a]")
#: What makes a run of tokens a formula, not a number, a date or "3-year-old": an operator
#: other than "-" and "/", or a bracket.
_FORMULA_STRUCTURE = re.compile(r"[+^=<>()\[\]]")
#: The same as a run of tokens writes it, before :data:`_FORMULA_SPELLING` ("**" is "^"): a
#: run without it holds no formula (most runs are a number alone: "48", "$10").
_FORMULA_STRUCTURE_WRITTEN = re.compile(r"[+^=<>()\[\]]|\*\*")
#: Punctuation of the sentence around a formula, not of the formula ("Z_8[x].", "(1, 1)>?").
_FORMULA_ENDS = ".,;:?!'\""
#: What :func:`formula_contradicted` leaves out: brackets and subscripts' underscores.
_FORMULA_BRACKETS = re.compile(r"[()\[\]{}<>_]")
#: Round, square and curly brackets, opening and closing.
_BRACKETS = ("()", "[]", "{}")
#: A formula counts from this many letters and digits ("x^2" and "1/4" are not compared).
FORMULA_MIN_SKELETON = 4
#: The arithmetic operations :func:`operations` reads, each by the words that name it
#: ("product" and "difference" only followed by "of": a store's product is none).
_OPERATIONS = {
    "sum": "sum|add|adds|adding|added|addition|plus",
    "product": "product of|multiply|multiplies|multiplying|multiplied|multiplication",
    "difference": "difference of|subtract|subtracts|subtracting|subtracted|subtraction|minus",
    "quotient": "quotient|divide|divides|dividing|divided|division",
}
_OPERATION_WORDS = re.compile(
    r"\b" + first_letters_lookahead("|".join(_OPERATIONS.values()))
    + "(?:" + "|".join(f"(?P<{name}>{words})" for name, words in _OPERATIONS.items()) + r")\b",
    re.IGNORECASE,
)
#: The word "statement" and its plural in the languages a translation of a benchmark is most
#: often made into (German, French, Spanish, Italian, Portuguese, Russian; with and without
#: accents), and in Chinese (陈述, 说法, 命题: no space before it, no plural).
_STATEMENT_WORDS = (("statement", "statements"), ("aussage", "aussagen"), ("énoncé", "énoncés"), ("enonce", "enonces"),
                    ("affirmation", "affirmations"), ("afirmación", "afirmaciones"), ("afirmacion", "afirmaciones"),
                    ("enunciado", "enunciados"), ("affermazione", "affermazioni"), ("afirmação", "afirmações"),
                    ("afirmacao", "afirmacoes"), ("утверждение", "утверждения"))
_CJK_STATEMENT_WORDS = "陈述|陳述|说法|說法|命题|命題"


def _statement_word(plural: bool) -> str:
    """A pattern of the word "statement" in those languages: singular (a label's), or either."""
    words = [form for pair in _STATEMENT_WORDS for form in (pair if plural else pair[:1])]
    return r"(?:\b(?:" + "|".join(words) + r")\b|" + _CJK_STATEMENT_WORDS + ")"


#: How a text labels its statements: "Statement 1 |", "Statement (ii):", "statement one.",
#: "The first statement:", "First:" (a label's own punctuation dropped), and inside a line
#: "(1)" and "(ii)" (``paren``: only after the word "statement", as in "Consider two
#: statements: (1) ...; (2) ...", as a numbered list opens its lines so); in a translation
#: "Aussage 1 |", "Утверждение 2 |", "陈述一：" too. A third label ("Statement 3", "(iii)")
#: makes a text no two-statement text (options numbered inline).
_STATEMENT_LABEL = re.compile(
    r"(?:" + _statement_word(plural=False) + r"\s*\(?(?:(?P<first>1|i|one|一)|2|ii|two|二|3|iii|three|三)\)?(?!\w)"
    r"|\b(?:the\s+)?(?:(?P<first_word>first)|second|third)(?:\s+statement)?\s*(?=:)"
    r"|(?<=\S[ \t])(?P<paren>\((?:(?P<first_paren>1|i)|2|ii|3|iii)\)))\s*[|:.)\-｜：]?",
    re.IGNORECASE,
)
_STATEMENT_WORD = re.compile(_statement_word(plural=True), re.IGNORECASE)
#: A run of tokens, within a line, that hold a digit or are operators: what :func:`formulas` reads.
_FORMULA_TOKEN = r"(?:\S*\d\S*|" + _OPERATOR_TOKEN + ")"
_FORMULA_RUN = re.compile(r"(?<!\S)" + _FORMULA_TOKEN + r"(?:[ \t]+" + _FORMULA_TOKEN + r")*(?!\S)")




def formulas(text: str) -> frozenset[str]:
    """The formulas written in ``text``: within a line, runs of tokens that hold a digit or
    are operators ("Q(sqrt(2) + sqrt(3))", "2x^2 - 4x + 2"), without the operator tokens that
    open or close a run (a list's "- ", the "=" after "g(x)") and without spaces, that hold
    an operator or a bracket (:data:`_FORMULA_STRUCTURE`) and :data:`FORMULA_MIN_SKELETON`
    letters and digits, a letter among them ("(1997)" is a year). Written one way: a Unicode
    minus as "-", "**" as "^", digits of any script as ASCII ones, and multiplication signs
    left out, as implicit multiplication writes it ("2*x^2" is "2x^2")."""
    found = set()
    for match in _FORMULA_RUN.finditer(text):
        if not _FORMULA_STRUCTURE_WRITTEN.search(match.group()):
            continue
        run = match.group().split()
        while run and _FORMULA_OPERATOR.fullmatch(run[0]):
            run.pop(0)
        while run and _FORMULA_OPERATOR.fullmatch(run[-1]):
            run.pop()
        formula = _FORMULA_SIGNS.sub(lambda m: _FORMULA_SPELLING.get(m.group(), ""), ascii_digits("".join(run))).strip(_FORMULA_ENDS)
        skeleton = _skeleton(formula)
        if _FORMULA_STRUCTURE.search(formula) and len(skeleton) >= FORMULA_MIN_SKELETON and not skeleton.isdigit():
            found.add(formula)
    return frozenset(found)


def _skeleton(formula: str) -> str:
    """A formula's letters and digits in order: what stays when it is written another way."""
    return "".join(c for c in formula if c.isascii() and c.isalnum())


def formula_contradicted(item: frozenset[str], row: frozenset[str]) -> bool:
    """Whether the row writes one of the item's formulas with other operators (the same
    letters and digits in the same order: "Q(sqrt(2), sqrt(3))" against "Q(sqrt(2) +
    sqrt(3))"), or a formula that none of the item's is and that one of them extends or is
    extended by (:func:`_extends`: "Q(sqrt(2), sqrt(3))" against "Q(sqrt(2), sqrt(3),
    sqrt(18))"). A rephrasing copies a formula or words it out; it does not change its
    operators or its terms, which is all that tells apart items a symbol or a term apart
    (MMLU's abstract algebra asks the degree of six such extensions of Q, with the same
    options). Brackets and subscripts' underscores are left out of the comparison: a
    rephrasing moves and drops them ("(Z_11 x Z_15)/<(1, 1)>" for "(Z_11 x Z_15)/(<1, 1>)")."""
    written = {_skeleton(formula) for formula in row}
    compared = {_without_brackets(formula) for formula in row}
    if any(_skeleton(formula) in written and _without_brackets(formula) not in compared for formula in item):
        return True
    item_compared = {_without_brackets(formula) for formula in item}
    own = [formula for formula in row if _without_brackets(formula) not in item_compared]
    return any(_extends(a, b) or _extends(b, a) for a in item if _without_brackets(a) not in compared for b in own)


def _extends(longer: str, shorter: str) -> bool:
    """Whether formula ``longer`` is ``shorter`` with a term more, by their letters and
    digits: more inside a bracket that ``shorter`` opens ("Q(sqrt(2),sqrt(3),sqrt(18))" of
    "Q(sqrt(2),sqrt(3))"), or an operator or a letter or digit right after it ("x^3+2x+2+x^4"
    of "x^3+2x+2"). Not an equation or inequality that ``shorter`` opens ("x^2+1=0", as a
    rephrasing may ask "solve x^2 + 1 = 0" for "find the zeros of x^2 + 1"), notation around
    it ("[Q(sqrt(2)):Q]", the degree of Q(sqrt(2)) over Q), nor a list it opens
    ("6x^2+4x+6;x^2+1", options in a line). Both must close every bracket they open: a
    formula cut by a line break ("Q(sqrt(2)," at the end of a line) is not a shorter one."""
    long_skeleton, short_skeleton = _skeleton(longer), _skeleton(shorter)
    if len(long_skeleton) <= len(short_skeleton) or not long_skeleton.startswith(short_skeleton):
        return False
    if not (_closed(longer) and _closed(shorter)):
        return False
    held, begin = 0, None
    for end, character in enumerate(longer, start=1):
        if character.isascii() and character.isalnum():
            held += 1
            begin = end - 1 if begin is None else begin
            if held == len(short_skeleton):
                break
    outside, depth = _depth(longer[:begin]), _depth(longer[:end])
    rest = longer[end:]
    while depth > outside and rest[:1] in (")", "]", "}"):  # (the brackets that shorter's own terms close)
        rest, depth = rest[1:], depth - 1
    return depth > outside or rest[:1] in ("+", "-", "*", "/", "^") or (rest[:1].isascii() and rest[:1].isalnum())


def _depth(formula: str) -> int:
    """How many round, square and curly brackets ``formula`` leaves open."""
    return sum(formula.count(opening) - formula.count(closing) for opening, closing in _BRACKETS)


def _closed(formula: str) -> bool:
    """Whether ``formula`` closes as many round, square and curly brackets as it opens."""
    return all(formula.count(opening) == formula.count(closing) for opening, closing in _BRACKETS)


def _without_brackets(formula: str) -> str:
    """A formula as :func:`formula_contradicted` compares it: without brackets and underscores."""
    return _FORMULA_BRACKETS.sub("", formula)


def operations(text: str) -> frozenset[str]:
    """The arithmetic operations ``text`` names in words (:data:`_OPERATION_WORDS`)."""
    return frozenset(match.lastgroup for match in _OPERATION_WORDS.finditer(text))


def operation_contradicted(item: frozenset[str], row: frozenset[str]) -> bool:
    """Whether the row names operations and none of the item's: the sum asked of the
    polynomials whose product an item asks for. A rephrasing may name no operation ("the
    total"), not another one. (Asked only of items that hold numbers: elsewhere "add" and
    "divide" are plain verbs, "add comments", "the division of labour".)"""
    return bool(item) and bool(row) and not item & row


def statements(text: str) -> tuple[str, str] | None:
    """A two-statement text's statements (MMLU's "Statement 1 | ... Statement 2 | ...", half
    of abstract algebra's items), each after the words that open the first one's line
    ("Let A and B be sets, f: A -> B ...", which both statements are about, but not words
    about the statements themselves, "Consider the two statements below:"), the second to
    the end of its line or of its JSON string (not the options after it); None unless the
    text labels exactly two statements (:data:`_STATEMENT_LABEL`), the first one first."""
    labels = list(_STATEMENT_LABEL.finditer(text))
    if [bool(label.group("first") or label.group("first_word") or label.group("first_paren")) for label in labels] != [True, False]:
        return None
    first, second = labels
    if (first.group("paren") or second.group("paren")) and not _STATEMENT_WORD.search(text, 0, first.start()):
        return None
    line = text[text.rfind("\n", 0, first.start()) + 1 : first.start()]
    preamble = line[line.rfind('"') + 1 :].strip()  # (not a JSON record's '{"question": "')
    if _STATEMENT_WORD.search(preamble):
        preamble = ""
    one = text[first.end() : second.start()].strip()
    two = next((line.strip() for line in text[second.end() :].splitlines() if line.strip()), "").split('"')[0].strip()
    if not one or not two:
        return None
    return f"{preamble} {one}".strip(), f"{preamble} {two}".strip()


def content_words(text: str) -> Counter:
    """Lower-case words that are not stop words or number words, plurals folded crudely."""
    return Counter(filter(None, map(_content_word, _WORD.findall(text))))


@functools.lru_cache(maxsize=1 << 16)
def _content_word(word: str) -> str:
    """``word`` as :func:`content_words` counts it; "" for a word it leaves out (remembered:
    the verifier asks this of every word of every candidate, a few thousand distinct ones)."""
    if word[0].isupper() or word in STOP_WORDS or word in NUMBER_WORDS:
        return ""
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def word_keys(text: str) -> tuple[list[str], list[str], Counter]:
    """``text``'s words (split at white space), each one's content word (its first; "" where
    it has none) and :func:`content_words` of the text, for finding where in a long text an
    item's content words are. One pass: no letter run crosses white space, so the words'
    content words are the text's."""
    tokens, keys = text.split(), []

    def each_content_word() -> Iterator[str]:  # (a word's content words are not held beyond it: a long row has a million words)
        for token in tokens:
            held = [word for word in map(_content_word, _WORD.findall(token)) if word]
            keys.append(held[0] if held else "")
            yield from held

    words = Counter(each_content_word())
    return tokens, keys, words


#: Prose of at least ENGLISH_MIN_WORDS words (letter runs) is read as English when at least
#: ENGLISH_STOP_SHARE of them, or of its first line's (of as many words or more), are English
#: stop words (:data:`STOP_WORDS`). Of the evaluation suite's 19,076 English texts (its probes
#: included), 2 are read otherwise (requests for Haskell and C++ code whose code is not read
#: as code; 8 by the whole text alone, shell scripts and CSV samples after an instruction);
#: eleven translations of GSM8K and HumanEval texts into French, Spanish, German, Portuguese
#: and Italian are at 0.09 or less (scratch scripts, 2026-12-04).
ENGLISH_MIN_WORDS, ENGLISH_STOP_SHARE = 8, 0.1
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def read_as_english(text: str) -> bool:
    """Whether ``text``'s words can be compared with an English item's (a text in another
    script is not: :func:`~qcaudit.text.written_in_other_scripts`): code (its names are
    English whatever its comments' language), prose of fewer than :data:`ENGLISH_MIN_WORDS`
    words, or prose of which :data:`ENGLISH_STOP_SHARE` of the words or more are English
    stop words, or of its first line (an instruction, before the input or the code that
    follows it). A French or German translation shares few words with its English item, and
    its own stop words would count as content words."""
    words = _LETTER_RUN.findall(text)
    if len(words) < ENGLISH_MIN_WORDS or looks_like_code(text):
        return True
    first_line = _LETTER_RUN.findall(text.split("\n", 1)[0]) if "\n" in text else []
    return any(sum(word.lower() in STOP_WORDS for word in read) >= ENGLISH_STOP_SHARE * len(read)
               for read in (words, first_line) if len(read) >= ENGLISH_MIN_WORDS)




def _consistency(recall: float, precision: float, row_numbers: int) -> float:
    """How consistent a row's numbers are with the item's (see the module docstring)."""
    return min(1.0, max(recall, precision if row_numbers >= OWN_NUMBERS else 0.0) / NUMBERS_KEPT)


def number_consistency(row: Counter, item: Counter, options: OptionsFound | None = None, question_numbers: Counter | None = None,
                       keyed: bool = False) -> float:
    """How consistent a row's numbers are with a (non-code) item's (see the module docstring):
    ``item`` its numbers (its key part's when ``keyed``), ``question_numbers`` those of a
    multiple-choice item's question when it holds any, weighed against the row's numbers
    outside the ``options`` found in it; 1.0 when nothing is asked."""
    asked, held = item, row
    if question_numbers:
        asked = item if keyed else question_numbers
        held = row - (options.numbers if options is not None else Counter())
    asked, held = _without_one(asked), _without_one(held)
    return _consistency(recall(asked, held), recall(held, asked), sum(held.values())) if asked else 1.0


def _without_one(numbers: Counter) -> Counter:
    """``numbers`` less their 1s: a paraphrase writes one as "a", "an" or "single" ("a
    one-sentence description" as "a single-sentence one"), and 1 is the number two unrelated
    texts most often share ("gives one bag away" and "lost 1/4 of his marbles"), so it is
    asked of no row and is no row's own number."""
    return Counter({n: c for n, c in numbers.items() if n != "1"}) if "1" in numbers else numbers


def literal_consistency(item_literals: Counter, row: Evidence, rarity: Rarity) -> float:
    """How consistent a row's code is with a code item's literals (see the module docstring)."""
    if not row.fingerprints:  # (not code: nothing to hold them)
        return 1.0
    weights = {literal: rarity.literals.get(literal, rarity.unseen) for literal in item_literals}
    total = sum(weights.values())
    if total < LITERAL_EVIDENCE_MIN:
        return 1.0
    # a string is also held within a word-like one of the row's, a set of characters
    # written as a string ("a" in "aeiouAEIOU"), but not within a sentence ("a" in "a dog")
    within = [literal[1:-1] for literal in row.literals if literal.startswith('"') and " " not in literal]

    def held(literal: str) -> bool:
        return literal in row.literals or (literal.startswith('"') and len(literal) > 2 and any(literal[1:-1] in w for w in within))

    return min(1.0, sum(w for literal, w in weights.items() if held(literal)) / total / NUMBERS_KEPT)


def number_agreement(item: Counter, row: Counter, rarity: Rarity) -> float:
    """Recall x precision of the item's numbers (and quoted strings, :func:`example_evidence`)
    in the row's x their rarity (capped at :data:`NUMBER_EVIDENCE_CAP`)."""
    found = row.get
    evidence = sum(rarity.of_value(n) * min(count, found(n, 0)) for n, count in item.items() if n in row)
    return recall(item, row) * recall(row, item) * min(evidence, NUMBER_EVIDENCE_CAP) / NUMBER_EVIDENCE_CAP




def example_evidence(evidence: Evidence) -> Counter:
    """What a code item's docstring examples pin down and a rewrite keeps: numbers of two
    characters or more (24, 2.8, 0.3; the digits 0 to 9 fill any list a generic row gives)
    and quoted strings (``'xyzXYZ'``)."""
    return Counter({number: count for number, count in evidence.numbers.items() if len(number) >= 2}) + evidence.strings


def recall(item: Counter, row: Counter) -> float:
    """Share of the item's multiset found in the row's; 0.0 when the item has none (no evidence)."""
    total = sum(item.values())
    return _shared_count(item, row) / total if total else 0.0


def _shared_count(item: Counter, row: Counter) -> int:
    """The size of the multisets' intersection (of positive counts), ``sum((item &
    row).values())`` without building it: over the words both hold, which the dicts' own
    set intersection finds (the verifier asks this of every candidate pair)."""
    return sum(min(item[key], row[key]) for key in item.keys() & row.keys())


@dataclass(frozen=True)
class Evidence:
    """What the verifier reads from one text."""

    numbers: Counter
    words: Counter
    identifiers: Counter
    fingerprints: frozenset[int]
    literals: Counter
    strings: Counter
    formulas: frozenset[str]
    operations: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Evidence:
        code = looks_like_code(text)
        return cls(numbers(text), content_words(text), code_identifiers(text) if code else Counter(),
                   winnowed_fingerprints(text) if code else frozenset(), code_literals(text) if code else Counter(), quoted_strings(text),
                   formulas(text), operations(text))


@dataclass(frozen=True)
class Rarity:
    """How rare each number, code fingerprint, code literal, quoted string and answer option
    is among a benchmark's N items: log((N + 1) / items holding it) / log(N + 1), 1.0 for
    one item, near 0 for all of them. Numbers, literals, strings and options among fewer than
    :data:`RARITY_MIN_ITEMS` items are scaled as among that many. ``unseen`` is the rarity
    of one that a single item holds: that of one in an item's part that no item's whole
    text holds."""

    numbers: dict[str, float]
    fingerprints: dict[int, float]
    options: dict[str, float]
    literals: dict[str, float]
    strings: dict[str, float]
    unseen: float = 1.0

    @classmethod
    def of(cls, items: list[Evidence], choices: list[list[str]] | None = None) -> Rarity:
        own, floored = math.log(len(items) + 1), math.log(max(len(items), RARITY_MIN_ITEMS) + 1)

        def rarity(holders: Counter, scale: float) -> dict:
            return {key: math.log((len(items) + 1) / count) / scale for key, count in holders.items()}

        return cls(
            rarity(Counter(n for item in items for n in item.numbers), floored),
            rarity(Counter(f for item in items for f in item.fingerprints), own),
            rarity(Counter(_option_key(o) for options in choices or [] for o in set(options)), floored),
            rarity(Counter(literal for item in items for literal in item.literals), floored),
            rarity(Counter(string for item in items for string in item.strings), floored),
            unseen=own / floored,
        )

    def of_value(self, value: str) -> float:
        """The rarity of a number, or of a quoted string (``"..."``)."""
        return (self.strings if value.startswith('"') else self.numbers).get(value, self.unseen)


def _option_key(option: str) -> str:
    return " ".join(option.lower().split())


def _term_positions(text: str) -> dict[str, list[int]]:
    """Where each number and content word of ``text`` (lower-cased) stands: the positions of
    the white-space words that hold it (neither a number nor a letter run crosses white
    space, so the text is searched once, not word by word)."""
    lowered = text.lower()
    starts = [match.start() for match in _NON_SPACE.finditer(lowered)]
    positions: dict[str, list[int]] = {}
    numbers_found = number_positions(lowered)
    words_found = ((_content_word(match.group()), match.start()) for match in _WORD.finditer(lowered))
    for term, start in (*numbers_found, *words_found):
        if term:
            held, position = positions.setdefault(term, []), bisect.bisect_right(starts, start) - 1
            if not held or held[-1] != position:  # (a word that holds a term twice, "1a1", holds it)
                held.append(position)
    return positions


def _together(terms: Counter, positions: dict[str, list[int]], reach: int, options: Sequence[int] | None = None) -> bool:
    """Whether some run of ``reach`` words holds :data:`OPTION_PRESENT` of the distinct
    ``terms``: an option stated in a row stands in one place, not a word here and a word a
    paragraph later; and, given ``options`` (the row's option each word stands in:
    :meth:`RowOptions.options`), in one of the row's own options, not the end of one and the
    start of the next ("...the Pure Food and Water Act" and "antitrust suits ..." are not
    "The Sherman Antitrust Act")."""
    held = sorted((p, term) for term in terms for p in positions.get(term, ()))
    needed = math.ceil(OPTION_PRESENT * len(terms) - 1e-9)
    start = 0
    for end in range(len(held)):
        while held[end][0] - held[start][0] >= reach or (options is not None and options[held[end][0]] != options[held[start][0]]):
            start += 1
        if len({term for _, term in held[start:end + 1]}) >= needed:
            return True
    return False


class RowOptions:
    """A row as answer options are looked for in it (:func:`options_found`), read once however
    many items' options are: its numbers and content words, its segments (lines, lettered
    and numbered options, ...), and, when first asked, where each term stands and its lists
    in sentences."""

    def __init__(self, text: str):
        self.text = text
        self.terms = numbers(text) + content_words(text.lower())
        self.segments = {_option_key(_LIST_MARKER.sub("", s, count=1)) for s in _OPTION_SPLIT.split(text)}
        self.segments |= {_option_key(s) for s in _QUOTED.findall(text)}
        self.segments.discard("")  # (a blank line is no option)
        self._positions: dict[str, list[int]] | None = None
        self._options: list[int] | None = None
        self._lists: list[tuple[str, set[str]]] | None = None

    @property
    def positions(self) -> dict[str, list[int]]:
        if self._positions is None:
            self._positions = _term_positions(self.text)
        return self._positions

    @property
    def options(self) -> list[int]:
        """For each white-space word, how many option markers (a letter, "(A) ", "B. ", a
        bullet or a number opening a line, "(2) ") stand before it: the row's own option it
        belongs to (0 before the first), however its lines are wrapped."""
        if self._options is None:
            markers = [match.end() for match in _OPTION_MARKER.finditer(self.text)]
            self._options = [bisect.bisect_right(markers, match.start()) for match in _NON_SPACE.finditer(self.text)]
        return self._options

    @property
    def lists(self) -> list[tuple[str, set[str]]]:
        """The row's lists in a sentence (:data:`_LISTED`) of three members or more: the text
        before the first member's last words, and the other members. (Not a list of code,
        ``[2, 4, 6, 8]`` or ``x = 2, 4``: the numbers of a program are no options.)"""
        if self._lists is None:
            self._lists = []
            for segment in self.segments:
                if _CODE_LIST.search(segment):
                    continue
                first, *members = _LISTED.split(segment.rstrip("?.!"))
                if len(members) >= LISTED_OPTIONS - 1:
                    self._lists.append((first, set(members)))
        return self._lists

    def listed(self, keys: list[str]) -> set[str]:
        """Which of ``keys`` (an item's short options) one list of the row names, when it names
        :data:`LISTED_OPTIONS` of them (or all, of fewer)."""
        best: set[str] = set()
        for first, members in self.lists:
            named = {key for key in keys if key in members or first == key or first.endswith(" " + key)}
            best = max(best, named, key=len)
        return best if len(best) >= min(LISTED_OPTIONS, len(keys)) else set()


class OptionsFound(NamedTuple):
    """What :func:`options_found` found of an item's options in a row."""

    count: int
    share: float  # rarity-weighted
    numbers: Counter  # the numbers of the options found


class AnswerOption(NamedTuple):
    """An item's answer option as :func:`options_found` looks for it, read once per benchmark:
    its key (lower case, white space as single spaces), numbers, numbers and content words,
    whether it is read by those terms (:data:`LONG_OPTION_TERMS` of them,
    :data:`LONG_OPTION_WORDS` words of two letters or more) or as text of its own, and the
    run of words its terms must stand within (:data:`OPTION_REACH`)."""

    key: str
    numbers: Counter
    terms: Counter
    by_terms: bool
    reach: int

    @classmethod
    def of(cls, option: str) -> AnswerOption:
        words = content_words(option.lower())
        option_numbers = numbers(option)
        terms = option_numbers + words
        by_terms = sum(terms.values()) >= LONG_OPTION_TERMS and sum(n for w, n in words.items() if len(w) > 1) >= LONG_OPTION_WORDS
        return cls(_option_key(option), option_numbers, terms, by_terms, max(OPTION_REACH_WORDS, OPTION_REACH * len(option.split())))


def options_found(options: Sequence[str | AnswerOption], row: str | RowOptions, rarity: Rarity) -> OptionsFound:
    """How many of a multiple-choice item's options (their texts, or :class:`AnswerOption`
    read once) the row (its text, or :class:`RowOptions` read once for all its candidate
    items) contains (an option of words by :data:`OPTION_PRESENT` of its numbers and content
    words, standing together: :func:`_together`; any other as an option of its own: a
    segment, :data:`_OPTION_SPLIT`, or a member of a list in a sentence,
    :meth:`RowOptions.listed`), their share weighted by rarity (options that many items
    offer, "True, True" or "0", are no evidence) and their numbers."""
    row = row if isinstance(row, RowOptions) else RowOptions(row)
    options = [o if isinstance(o, AnswerOption) else AnswerOption.of(o) for o in options]
    found, weight, total, held = 0, 0.0, 0.0, Counter()
    unplaced = [o.key for o in options if not o.by_terms and o.key not in row.segments]
    listed = row.listed(unplaced) if len(unplaced) >= 2 else set()
    for option in options:
        if option.by_terms:
            present = (recall(option.terms, row.terms) >= OPTION_PRESENT
                       and _together(option.terms, row.positions, option.reach, row.options))
        else:  # a short option ("4", "True, False") or a formula counts only as an option of its own
            present = option.key in row.segments or option.key in listed
        rare = rarity.options.get(option.key, rarity.unseen)
        found += present
        weight += rare * present
        total += rare
        if present:
            held += option.numbers
    return OptionsFound(found, weight / total * min(total, OPTION_EVIDENCE_CAP) / OPTION_EVIDENCE_CAP if total else 0.0, held)


def code_candidates(row_texts: list[str], item_code: dict[int, Evidence], rarity: Rarity, min_overlap: float) -> list[tuple[int, int]]:
    """(row, item) pairs whose rarity-weighted code overlap is at least ``min_overlap``:
    candidates that embedding search misses when code is renamed or translated."""
    holders: dict[int, list[int]] = {}
    totals = {}
    for item, evidence in item_code.items():
        totals[item] = sum(rarity.fingerprints.get(f, 1.0) for f in evidence.fingerprints)
        for fingerprint in evidence.fingerprints:
            holders.setdefault(fingerprint, []).append(item)
    pairs = []
    for row, text in enumerate(row_texts):
        prints = code_fingerprints(text)
        shared: dict[int, float] = {}
        for fingerprint in prints:
            for item in holders.get(fingerprint, ()):
                shared[item] = shared.get(item, 0.0) + rarity.fingerprints.get(fingerprint, 1.0)
        pairs += [(row, item) for item, weight in shared.items() if totals[item] and weight / totals[item] >= min_overlap]
    return pairs


def pair_evidence(
    row: Evidence, item: Evidence, rarity: Rarity, item_code: Evidence | None = None, options: OptionsFound | None = None,
    item_key: Evidence | None = None, question_numbers: Counter | None = None,
) -> dict[str, float]:
    """The evidence features of one (row, item part) pair; ``item_code`` is the item's code
    (when it has a code part), ``options`` what :func:`options_found` found of the item's
    options in the row, ``item_key`` the part that tells the item from others that share
    the rest (the last line of a question that follows a passage several items share): its
    numbers and words are the ones compared, and ``question_numbers`` those of a
    multiple-choice item's question, when it holds any (see the module docstring: they are
    weighed apart from its options')."""
    code_side = item_code or item
    code = code_side.fingerprints
    item = item_key or item
    weights = {f: rarity.fingerprints.get(f, 1.0) for f in code}
    total = sum(weights.values())
    code_found = sum(w for f, w in weights.items() if f in row.fingerprints)
    literals = literal_consistency(code_side.literals, row, rarity) if total else 1.0
    formula = 0.0 if not code and formula_contradicted(item.formulas, row.formulas) else 1.0
    operation = 0.0 if not code and item.numbers and operation_contradicted(item.operations, row.operations) else 1.0
    return {
        "number_consistency": 1.0 if code else formula * operation * number_consistency(
            row.numbers, item.numbers, options, question_numbers, item_key is not None),
        "formula_consistency": formula,
        "operation_consistency": operation,
        "number_agreement": number_agreement(item.numbers, row.numbers, rarity),
        "word_recall": recall(item.words, row.words),
        "identifier_recall": recall(item.identifiers, row.identifiers),
        "option_recall": options.share if options is not None else 0.0,
        "code_overlap": code_found / total * min(total, CODE_EVIDENCE_CAP) / CODE_EVIDENCE_CAP * literals if total else 0.0,
        "literal_consistency": literals,
    }
