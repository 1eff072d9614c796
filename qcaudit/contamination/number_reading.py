"""The numbers a text writes, in digits and in words, as the contamination methods read them.

A rewording keeps an item's numbers and may write them another way: "3.5" as "three and a
half", "1/4" as "a quarter of", "80,000" as "80000". :func:`numbers` reads a text's numbers as
one multiset (digits with thousands separators dropped, English number words up to ninety,
"three and a half" as 3.5, "a quarter of" and "three-fifths" as 1/4 and 3/5), and leaves out
what looks like a number and counts nothing: a numbered list's markers, and number words that
refer rather than count ("which one of", "the one in", "the two of them").
:func:`unpunctuated_numbers` reads them as the lexical methods do, without punctuation
between digits. A translation's numbers are read in its language: :func:`numbers_written`
(number words of six European languages and Chinese numerals, and digits of any script).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}


def first_letters_lookahead(words: str) -> str:
    """A lookahead on the first letters of ``words`` (alternatives split by "|"): put before a
    word pattern, it lets the regex engine pass over most positions of a text at once (the
    number patterns below read every row; about twice as fast)."""
    return "(?=[" + "".join(sorted({word[0] for word in words.split("|")})) + "])"


_NUMBER_WORD = "|".join(NUMBER_WORDS)
#: A number written in digits ("80,000", "3.5").
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_NUMBER = re.compile(_DIGITS.pattern + r"|\b" + first_letters_lookahead(_NUMBER_WORD) + "(?:" + _NUMBER_WORD + r")\b",
                     re.IGNORECASE)
#: A comma between digits that groups thousands ("80,000"); any other comma is a decimal point.
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
#: Punctuation between digits, which the lexical methods delete ("7:11", "19.50", "80,000").
_PUNCTUATION_IN_NUMBER = re.compile(r"(?<=\d)[^\w\s]+(?=\d)")
#: A number that opens a line of a numbered list ("2. ", "(2) ", "2) "): a marker, not a number of the text.
_NUMBERED_LINE = re.compile(r"^[ \t]*\(?\d{1,2}[).][ \t]+", re.MULTILINE)
#: A whole number and a half in words ("three and a half", "2 and a half"): one number, 3.5.
_AND_A_HALF = re.compile(r"\b" + first_letters_lookahead(_NUMBER_WORD + "|" + "|".join("0123456789")) + "(" + _NUMBER_WORD
                         + r"|\d+)\s+and\s+a\s+half\b", re.IGNORECASE)
#: A fraction in words, read as its digits ("a quarter of" as 1/4, "three-fifths" as 3/5), as a
#: paraphrase writes "1/4" for "a quarter of" and back: "a" or "one" only before "of" or a
#: unit ("a quarter pound"), as "a third time" and "a quarter" (the coin) are none, or joined
#: by a hyphen ("one-fourth"); no halves, which a paraphrase writes as "half", "50%" or "30
#: minutes" as often as "1/2".
_DENOMINATORS = {"third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
                 "tenth": 10}
_UNITS = ("pound|ounce|ton|gram|kilogram|kg|cup|teaspoon|tablespoon|gallon|quart|pint|liter|litre|mile|kilometer|km|meter|"
          "metre|yard|foot|feet|inch|acre|hour|minute|day|week|month|year|dollar|page|tank")
_NUMERATORS = "two|three|four|five|six|seven|eight|nine"
_FRACTION = re.compile(
    (r"\b{2}(?:(a|one)\s+({0})(?=\s+(?:of|(?:{1})s?)\b)|(one)-({0})|({3})[\s-]+({0})s)\b").format(
        "|".join(_DENOMINATORS), _UNITS, first_letters_lookahead("a|one|" + _NUMERATORS), _NUMERATORS),
    re.IGNORECASE,
)
#: A number word that refers rather than counts: "one" standing for a thing ("which one of
#: the following", "the one in the song", "one of the difficulties", "no one", "one
#: another") and "the two of them" (all of those named before): no number of the text's,
#: which a paraphrase drops ("which of the following", "between them"). Group 1 or 2 is
#: the word before it, which stays.
_REFERRING_BEFORE = "the|which|this|that|each|every|any|no|another|other|first|second|last|next|new|old|same"
_REFERRING_NUMBER = re.compile(
    r"\b" + first_letters_lookahead(_REFERRING_BEFORE + "|one") + "(?:(" + _REFERRING_BEFORE + r")\s+one\b(?!-)"
    r"|one(?=\s+(?:of|another|that|who|whom|which|whose)\b)"
    r"|(the)\s+(?:two|three|four|five|six|seven|eight|nine|ten)(?=\s+of\s+(?:them|us|you)\b))",
    re.IGNORECASE,
)


def numbers(text: str) -> Counter:
    """The multiset of numbers in ``text``: digits (thousands separators dropped) and number
    words; not the number of a numbered list's marker (``2. `` or ``(2) `` opening a line),
    nor a number word that refers rather than counts (``_REFERRING_NUMBER``: "which one of",
    "the two of them")."""
    return Counter(map(number_key, _NUMBER.findall(_as_numbers_read(text))))


def number_positions(text: str) -> Iterator[tuple[str, int]]:
    """Each number token of ``text`` (digits or an English number word) as :func:`number_key`
    writes it, and where it starts; read as written (no fraction or "and a half" read, no
    marker left out), for finding where a text's numbers stand."""
    return ((number_key(match.group()), match.start()) for match in _NUMBER.finditer(text))


def numbers_in_digits(text: str) -> Counter:
    """The numbers ``text`` writes in digits, as :func:`numbers` counts them (not a numbered
    list's marker): what a translation keeps of them as they are (:func:`numbers_written`)."""
    return Counter(map(number_key, _DIGITS.findall(_NUMBERED_LINE.sub("", text))))


#: Number words of the languages other than English that translations of benchmark items are
#: most often made into and written in Latin or Cyrillic script (German, French, Spanish,
#: Italian, Portuguese, Russian): 2 to 12, the tens, a hundred and a thousand, in the forms a
#: sentence most often gives them, as :data:`NUMBER_WORDS` are English's. Read only in a text
#: that is not English (:func:`numbers_written`): "once" is eleven in Spanish. Left out: a
#: word that is also a common word of one of these languages (Italian "sei", six, is German
#: "be"; Spanish "dos", two, Portuguese "of the"; French "neuf", nine, is "new").
OTHER_NUMBER_WORDS = {
    # German ("dreimal", three times: a word of its own, read with its "-mal")
    "null": 0, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
    "elf": 11, "zwölf": 12, "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60, "siebzig": 70,
    "achtzig": 80, "neunzig": 90, "hundert": 100, "tausend": 1000,
    # French
    "zéro": 0, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "dix": 10,
    "onze": 11, "douze": 12, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100,
    "mille": 1000,
    # Spanish
    "cero": 0, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
    "once": 11, "doce": 12, "veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70,
    "ochenta": 80, "noventa": 90, "cien": 100, "mil": 1000,
    # Italian
    "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sette": 7, "otto": 8, "nove": 9, "dieci": 10, "undici": 11,
    "dodici": 12, "venti": 20, "trenta": 30, "quaranta": 40, "cinquanta": 50, "sessanta": 60, "settanta": 70,
    "ottanta": 80, "novanta": 90, "cento": 100,
    # Portuguese (its words that another language above writes alike are not repeated)
    "dois": 2, "duas": 2, "três": 3, "quatro": 4, "sete": 7, "oito": 8, "dez": 10, "doze": 12, "vinte": 20,
    "trinta": 30, "quarenta": 40, "cinquenta": 50, "sessenta": 60, "oitenta": 80, "cem": 100,
    # Russian (with the forms after a preposition: "из трёх яиц", of three eggs)
    "ноль": 0, "два": 2, "две": 2, "двух": 2, "три": 3, "трёх": 3, "трех": 3, "четыре": 4, "четырёх": 4, "четырех": 4,
    "пять": 5, "пяти": 5, "шесть": 6, "шести": 6, "семь": 7, "семи": 7, "восемь": 8, "восьми": 8, "девять": 9,
    "девяти": 9, "десять": 10, "десяти": 10, "одиннадцать": 11, "двенадцать": 12, "двадцать": 20, "тридцать": 30,
    "сорок": 40, "пятьдесят": 50, "шестьдесят": 60, "семьдесят": 70, "восемьдесят": 80, "девяносто": 90, "сто": 100,
    "тысяча": 1000, "тысячи": 1000,
}
_OTHER_NUMBER_WORD = re.compile(r"\b(" + "|".join(sorted(OTHER_NUMBER_WORDS, key=len, reverse=True)) + r")(?:mal)?\b",
                                re.IGNORECASE)
#: Chinese (and Japanese) numerals: digits, and the units that multiply what precedes them.
_CJK_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
               "九": 9}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "萬": 10_000}
#: Chinese numerals, or digits before units, longer than this are no number (and not read).
CJK_NUMBER_MAX_CHARS = 16
#: A run of Chinese numerals ("二十三", 23), or digits and units ("8万", 80,000; "1.5万"); not
#: after 第, which makes an ordinal ("第三", the third), as English "third" is no number; nor
#: (:func:`numbers_written`) a run that opens with 万 (万一, "in case") or the 百 of a
#: percentage (百分之二十, as "20%" is 20), nor one of :data:`_CJK_NO_NUMBER`. Digits are read
#: from the first of their run only: from each digit of a long run, they would be read to the
#: run's end again, a time that grows with the square of its length.
_CJK_NUMERAL = "[" + "".join(_CJK_DIGITS) + "".join(_CJK_UNITS) + "]"
_CJK_NUMBER = re.compile(r"(?<!第)(?:(?<!\d)(\d+(?:\.\d+)?))?(" + _CJK_NUMERAL + "+)")
#: Runs of Chinese numerals in words that count nothing: 十分 ("very"; not 十分钟, ten
#: minutes, nor Japanese 十分間), 千万 ("by all means"), and a run about so many: after 几,
#: 数 or 成 (几十, "dozens"; 数百, "hundreds of"; 成千上万) or before 几 (十几, "a dozen or
#: so"). A translation writes them where its item writes "very" or "dozens", and they are no
#: number of the item's. (A run before 几 is read to :data:`CJK_NUMBER_MAX_CHARS` at most, as
#: no longer run is a number: read to its end from each of its numerals, a long run would take
#: a time that grows with the square of its length.)
_CJK_NO_NUMBER = re.compile(r"十(?=分(?![钟鐘之間间]))|千[万萬]|(?<=[几幾数數成])" + _CJK_NUMERAL + "+|"
                            + _CJK_NUMERAL + f"{{1,{CJK_NUMBER_MAX_CHARS}}}(?=[几幾])")


class WrittenNumbers(NamedTuple):
    """A text's numbers (:func:`numbers_written`): those written in ``digits``, those written
    in ``words``, and whether its number words could be ``read`` (English, or a language of
    :data:`OTHER_NUMBER_WORDS` or Chinese numerals found in it)."""

    digits: Counter
    words: Counter
    read: bool

    @property
    def every(self) -> Counter:
        """All of the text's numbers, in digits and in words."""
        return self.digits + self.words


def numbers_written(text: str, other_languages: bool = False) -> WrittenNumbers:
    """The numbers of ``text`` as :func:`numbers` counts them, written in digits and in words.
    ``other_languages``: ``text`` is not English (a translation), and its words are also read
    in :data:`OTHER_NUMBER_WORDS` and as Chinese numerals ("三", "二十"; "8万" is 80,000 written
    in digits); its number words are ``read`` when it holds one of those."""
    words: Counter = Counter()
    if other_languages and not text.isascii():

        def in_digits(match: re.Match) -> str:
            given, run = match.groups()
            if len(run) > CJK_NUMBER_MAX_CHARS or (given is not None and len(given) > CJK_NUMBER_MAX_CHARS):
                return match.group()  # (no number is written so: a run of numerals in a list, a test of the reader)
            if given is None and (run[0] in "万萬" or (run in ("百", "千") and match.string.startswith("分之", match.end()))):
                return match.group()  # (万一, "in case"; 百分之二十, twenty percent: the 20 alone is a number)
            if given is None and (idiom := _CJK_NO_NUMBER.match(match.string, match.start(2))) and idiom.end() == match.end(2):
                return match.group()  # (十分, "very"; 几十, "dozens"; ...)
            if given is not None and all(unit in _CJK_UNITS for unit in run):
                value = float(given) * math.prod(_CJK_UNITS[unit] for unit in run)
                return f" {value:.15g} " if value < 1e15 else match.group()
            words[str(_cjk_value(run))] += 1
            return f" {given} " if given else " "

        text = _CJK_NUMBER.sub(in_digits, text)
    if other_languages:
        words += Counter(str(OTHER_NUMBER_WORDS[word.lower()]) for word in _OTHER_NUMBER_WORD.findall(text))
    counted = numbers(text)  # (digits and English words; "2 and a half" is 2.5, in words)
    digits = numbers_in_digits(text) & counted
    return WrittenNumbers(digits, words + (counted - digits), read=not other_languages or bool(words))


def _cjk_value(run: str) -> int:
    """The value of a run of Chinese numerals: "二十三" 23, "十五" 15, "三百零五" 305, "两万" 20,000
    (a unit with no digit before it is one of it); digits in a row ("一二三") as each read in turn."""
    total = section = digit = 0
    for char in run:
        if char in _CJK_DIGITS:
            digit = digit * 10 + _CJK_DIGITS[char] if digit else _CJK_DIGITS[char]
        elif _CJK_UNITS[char] == 10_000:
            total, section, digit = (total + section + digit or 1) * 10_000, 0, 0
        else:
            section, digit = section + (digit or 1) * _CJK_UNITS[char], 0
    return total + section + digit


def _as_numbers_read(text: str) -> str:
    """``text`` as its numbers are read: "three and a half" written 3.5 and "a quarter of"
    1/4, as a paraphrase writes them, and without what looks like a number and counts
    nothing (numbered lists' markers, number words that refer rather than count)."""
    # An ASCII text without "half" holds no match of _AND_A_HALF, and one without a
    # denominator none of _FRACTION: those are not searched (most texts, in the verifier's
    # every pass). Other texts are: IGNORECASE matches "ſ" for "s", which lower() keeps.
    ascii_lowered = text.lower() if text.isascii() else None
    if ascii_lowered is None or "half" in ascii_lowered:
        text = _AND_A_HALF.sub(lambda m: f"{NUMBER_WORDS.get(m.group(1).lower(), m.group(1))}.5", text)
    if ascii_lowered is None or any(denominator in ascii_lowered for denominator in _DENOMINATORS):
        text = _FRACTION.sub(_fraction, text)
    return _REFERRING_NUMBER.sub(lambda m: m.group(1) or m.group(2) or "", _NUMBERED_LINE.sub("", text))


def _fraction(match: re.Match) -> str:
    """A :data:`_FRACTION` match as digits: "a quarter" as 1/4, "three-fifths" as 3/5."""
    numerator, denominator = (group.translate(_IGNORECASE_ALIKE).lower() for group in match.groups() if group)
    return f"{NUMBER_WORDS.get(numerator, 1)}/{_DENOMINATORS[denominator]}"


#: The letters other than an ASCII letter's two cases that ``re.IGNORECASE`` matches for it
#: ("ſixth" matches "sixth"), as that letter: a word a pattern matched, so spelled, is then
#: found in the pattern's tables (a KeyError on "one ſixth of" until 2026-12-04).
_IGNORECASE_ALIKE = str.maketrans({"\u017f": "s", "\u212a": "k", "\u0131": "i", "\u0130": "i"})  # (ſ, Kelvin sign, ı, İ)


def unpunctuated_numbers(text: str) -> list[str]:
    """The numbers of ``text`` as the lexical methods read it, without punctuation: runs of
    digits ("7:11" is "711", "$19.50" is "1950") and number words as their digits."""
    found = _NUMBER.findall(_PUNCTUATION_IN_NUMBER.sub("", _as_numbers_read(text)))
    return [str(NUMBER_WORDS.get(token.lower(), ascii_digits(token))) for token in found]


def held_by_digits(number: str, unpunctuated: list[str]) -> int:
    """How many of a text's :func:`unpunctuated_numbers` hold ``number`` (as :func:`numbers`
    writes it) by its digits: "1" and "00" in "100", which was "$1.00" or "1:00"."""
    digits = number.replace(".", "")
    return sum(digits in found for found in unpunctuated)


def number_key(token: str) -> str:
    """A number as :func:`numbers` counts it: a number word as its digits, digits of other
    scripts as ASCII ones (full-width "１６" in Chinese or Japanese text, Arabic-Indic "١٦"),
    thousands separators dropped, a decimal comma as a point, trailing zeros of a fraction
    dropped."""
    word = NUMBER_WORDS.get(token.lower())
    if word is not None:
        return str(word)
    token = ascii_digits(token)
    value = _THOUSANDS.sub("", token).replace(",", ".") if "," in token else token
    return value.rstrip("0").rstrip(".") if "." in value else value


def ascii_digits(token: str) -> str:
    """``token`` with the decimal digits of any script as ASCII digits."""
    if token.isascii():
        return token
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in token)
