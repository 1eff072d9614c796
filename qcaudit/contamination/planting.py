"""Plant known problems into clean data, to measure how much of them each method finds.

Near duplicates: :func:`near_duplicate_pairs` (copies with k words replaced, so their
shingle Jaccard is known, see :func:`shingle_jaccard`). Benchmark items, two families, both
deterministic for a seed:

- :func:`perturb`: light edits the n-gram and substring methods must still catch (case,
  whitespace, punctuation, number formatting, prefix/suffix text, embedding in a longer
  row).
- :func:`reword`: rewordings written by rule for the semantic method: synonyms, reordered
  clauses, renamed people and objects, changed units. The numbers stay; so does the task.
- :func:`rephrase_choice_item`: a multiple-choice item asked another way: the question
  alone, its last line alone (without the passage), or with the options reordered.
- :func:`rewrite_code`: a HumanEval task rewritten: identifiers renamed and code
  reformatted, loops and comprehensions swapped, translated by rule to JavaScript- or
  C-like syntax, or asked for in prose (its description reworded, no code).
"""

from __future__ import annotations

import random
import re

import numpy as np

import polars as pl

from qcaudit.benchmarks import ITEM_ID, ITEM_TEXT
from qcaudit.contamination.ngram import janitor_normalise
from qcaudit.contamination.number_reading import NUMBER_WORDS

PERTURBATIONS = ("verbatim", "upper", "lower", "whitespace", "punctuation", "numbers", "prefix_suffix", "embedded")
REWORDINGS = ("synonyms", "reorder", "rename", "units", "all")
CHOICE_REPHRASINGS = ("question_only", "stem_only", "options_reordered")
CODE_REWRITES = ("renamed", "comprehension", "javascript", "c", "instruction")

PREFIXES = ["Question: ", "Solve the following problem.\n", "Here is a task for you: ", "### Instruction\n"]
SUFFIXES = ["\nAnswer step by step.", " Show your work.", "\n\nThink carefully before answering.", " (from a practice set)"]

SYNONYMS = {
    "buys": "purchases", "bought": "purchased", "buy": "purchase", "sells": "offers for sale",
    "sold": "got rid of", "has": "owns", "had": "owned", "gives": "hands", "gave": "handed",
    "makes": "produces", "made": "produced", "each": "every", "total": "overall",
    "how many": "what number of", "how much": "what amount of", "every day": "daily",
    "per day": "a day", "twice": "two times", "store": "shop", "friends": "pals",
    "wants": "would like", "needs": "requires", "decides": "chooses", "spends": "uses up",
    "earns": "brings in", "works": "labors", "remaining": "left over", "left": "remaining",
    "altogether": "in all", "in all": "altogether", "costs": "is priced at", "cost": "price",
    "travels": "goes", "walks": "strolls", "runs": "jogs", "reads": "goes through",
    "writes": "pens", "eats": "consumes", "drinks": "sips", "collects": "gathers",
    "receives": "gets", "returns": "brings back", "saves": "puts aside", "large": "big",
    "small": "little", "fast": "quick", "begins": "starts", "finishes": "completes",
    "the rest": "the remainder", "number": "count", "amount": "quantity",
    "function": "routine", "return": "give back", "returns a": "gives back a", "list": "sequence",
    "given": "provided", "string": "text string", "integer": "whole number", "check": "test",
    "which": "that", "following": "below", "best": "most accurate",
}
NAMES = ["Avery", "Bruno", "Chiara", "Dmitri", "Esme", "Farid", "Greta", "Hiro", "Ines", "Jonas",
         "Kaveh", "Lucia", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Soren", "Tamsin"]
OBJECTS = {
    "apples": "pears", "apple": "pear", "eggs": "muffins", "egg": "muffin", "cookies": "biscuits",
    "cookie": "biscuit", "marbles": "beads", "books": "novels", "book": "novel", "pencils": "crayons",
    "candies": "sweets", "candy": "sweet", "cupcakes": "brownies", "stamps": "stickers",
    "cars": "vans", "car": "van", "dogs": "puppies", "dog": "puppy", "cats": "kittens",
    "flowers": "plants", "shirts": "sweaters", "toys": "games", "boxes": "crates", "box": "crate",
    "bags": "sacks", "bottles": "jars", "pizza": "pie", "cake": "tart", "chickens": "hens",
    "ducks": "geese", "trees": "bushes", "oranges": "lemons", "tickets": "passes",
}
UNITS = {
    "miles": "kilometers", "mile": "kilometer", "pounds": "kilograms", "pound": "kilogram",
    "feet": "meters", "foot": "meter", "inches": "centimeters", "inch": "centimeter",
    "gallons": "liters", "gallon": "liter", "ounces": "grams", "ounce": "gram",
    "dollars": "euros", "dollar": "euro", "cents": "pennies", "minutes": "mins", "hours": "hrs",
}
NOT_NAMES = {"I", "If", "In", "On", "At", "The", "A", "An", "How", "What", "When", "After", "Each",
             "She", "He", "They", "It", "There", "This", "Then", "His", "Her", "Their", "For", "To",
             "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Mr", "Mrs", "Ms"}


def perturb(text: str, kind: str, rng: random.Random, host: str = "") -> str:
    """``text`` lightly edited (``kind`` in :data:`PERTURBATIONS`); ``host`` is the longer
    row that ``embedded`` places it in."""
    if kind == "verbatim":
        return text
    if kind == "upper":
        return text.upper()
    if kind == "lower":
        return text.lower()
    if kind == "whitespace":
        return re.sub(r"\s+", lambda m: rng.choice(["  ", "\n", " \t ", "   "]), text)
    if kind == "punctuation":
        stripped = re.sub(r"[,.;:!?'\"()]", "", text)
        return re.sub(r"(\w)( )", lambda m: m.group(1) + rng.choice([" ", " ", ", ", " - "]), stripped, count=3)
    if kind == "numbers":  # toggle thousands separators: 80,000 <-> 80000
        if re.search(r"\d,\d{3}", text):
            return re.sub(r"(?<=\d),(?=\d{3})", "", text)
        return re.sub(r"\d{4,}", lambda m: f"{int(m.group()):,}", text)
    if kind == "prefix_suffix":
        return rng.choice(PREFIXES) + text + rng.choice(SUFFIXES)
    if kind == "embedded":
        cut = len(host) // 2
        return host[:cut] + " " + text + " " + host[cut:]
    raise ValueError(f"unknown perturbation {kind!r}")


def reword(text: str, kind: str, rng: random.Random) -> str:
    """``text`` reworded by rule (``kind`` in :data:`REWORDINGS`; ``all`` applies every rule)."""
    rules = {"synonyms": _synonyms, "reorder": _reorder, "rename": _rename, "units": _units}
    if kind == "all":
        for rule in rules.values():
            text = rule(text, rng)
        return text
    return rules[kind](text, rng)


def _replace_words(text: str, table: dict[str, str]) -> str:
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, table), key=len, reverse=True)) + r")\b", re.IGNORECASE)

    def swap(match: re.Match) -> str:
        word = match.group(0)
        new = table[word.lower()]
        return new[0].upper() + new[1:] if word[0].isupper() else new

    return pattern.sub(swap, text)


def _synonyms(text: str, rng: random.Random) -> str:
    return _replace_words(text, SYNONYMS)


def _units(text: str, rng: random.Random) -> str:
    text = re.sub(r"\$(\d[\d,]*(?:\.\d+)?)", r"\1 euros", text)
    return _replace_words(text, UNITS)


def _rename(text: str, rng: random.Random) -> str:
    """People become other people: a capitalised word that also appears inside a sentence
    (so not just a sentence opener such as "Once" or "Now") and is no number word. Common
    objects become other objects."""
    inside = re.findall(r"(?<![.?!]\s)(?<![.?!]\s\s)(?<!^)\b[A-Z][a-z]+\b", text.strip())
    names = sorted({w for w in inside if w not in NOT_NAMES and w.lower() not in NUMBER_WORDS})
    for old, new in zip(names, rng.sample(NAMES, min(len(names), len(NAMES))), strict=False):
        text = re.sub(rf"\b{old}\b", new, text)
    return _replace_words(text, OBJECTS)


def _reorder(text: str, rng: random.Random) -> str:
    """Put the question first and swap two clauses of the context where there are enough."""
    sentences = re.split(r"(?<=[.?!])\s+", text.strip())
    if len(sentences) < 2:
        clauses = text.split(", ")
        return ", ".join(clauses[1:] + clauses[:1]) if len(clauses) > 1 else text
    questions = [s for s in sentences if s.endswith("?")]
    context = [s for s in sentences if not s.endswith("?")]
    if len(context) >= 3:
        i = rng.randrange(1, len(context) - 1)
        context[i], context[i + 1] = context[i + 1], context[i]
    return " ".join(questions + context)


def found_planted_item(found: pl.Series, truth: pl.Series, items: pl.DataFrame) -> pl.Series:
    """Whether each row's reported item is its planted one. An item whose text normalises
    (lm-eval janitor, whitespace collapsed) to the planted item's is counted as found too:
    no lexical method can tell such items apart (e.g. HumanEval/56 and /61)."""
    key = janitor_normalise(pl.col(ITEM_TEXT)).str.extract_all(r"\S+").list.join(" ")
    norms = dict(items.select(ITEM_ID, key.alias("norm")).iter_rows())
    return pl.Series(
        [f is not None and norms.get(f) == norms.get(t) for f, t in zip(found.to_list(), truth.to_list(), strict=True)],
        dtype=pl.Boolean,
    )


def near_duplicate_pairs(edits: int, n_pairs: int, rng: np.random.Generator, length: int = 60) -> tuple[list[str], list[str]]:
    """``n_pairs`` random rows of ``length`` words and a copy of each with ``edits`` words
    replaced by fresh ones (at distinct positions)."""
    vocabulary = [f"v{i}" for i in range(5000)]
    originals = [list(rng.choice(vocabulary, length)) for _ in range(n_pairs)]
    copies = []
    for words in originals:
        copy = list(words)
        for position in rng.choice(length, edits, replace=False):
            copy[position] = f"edit{rng.integers(1 << 30)}"
        copies.append(copy)
    return [" ".join(w) for w in originals], [" ".join(w) for w in copies]


def shingle_jaccard(a: str, b: str, n: int = 5) -> float:
    """Exact Jaccard similarity of the word n-gram sets of two texts."""
    def grams(text: str) -> set[tuple[str, ...]]:
        words = text.split()
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y)


def rephrase_choice_item(question: str, choices: list[str], kind: str, rng: random.Random) -> str:
    """A multiple-choice item asked another way (``kind`` in :data:`CHOICE_REPHRASINGS`); the
    question is reworded with synonyms and reordered clauses (names stay: in history and
    social science they are the content)."""
    lines = [line for line in question.splitlines() if line.strip()]
    if kind == "stem_only":
        return _reorder(_synonyms(lines[-1], rng), rng)
    asked = _reorder(_synonyms(question, rng), rng)
    if kind == "question_only":
        return asked
    if kind == "options_reordered":
        shuffled = rng.sample(choices, len(choices))
        return asked + "\n" + "\n".join(f"({chr(65 + i)}) {c}" for i, c in enumerate(shuffled))
    raise ValueError(f"unknown rephrasing {kind!r}")


_PY_NAME = re.compile(r"\b[A-Za-z_]\w*\b")
_PY_BUILTINS = set("""False None True and as assert break class continue def del elif else except finally for
from global if import in is lambda nonlocal not or pass raise return try while with yield int str float list
dict set tuple bool len range print abs sum min max sorted enumerate zip map filter any all ord chr round
reversed isinstance type append extend pop insert join split strip lower upper count index keys values items
sort replace startswith endswith isdigit isalpha math typing List Tuple Optional Any Dict self""".split())
_SYNONYM_NAMES = ["value", "item", "acc", "current", "total", "result", "counter", "element", "data", "seq",
                  "idx", "temp", "buf", "out", "pos", "word", "num", "x", "y", "z", "left", "right", "key", "ch"]


def rewrite_code(prompt: str, solution: str, description: str, kind: str, rng: random.Random) -> str:
    """A HumanEval task rewritten (``kind`` in :data:`CODE_REWRITES`)."""
    code = _strip_docstring(prompt) + solution
    if kind == "instruction":
        return rng.choice(["Write a Python function that ", "Implement a function which ", "Create a program that "]) + (
            reword(description[:1].lower() + description[1:], "synonyms", rng)
        )
    if kind == "renamed":
        return _reformat(_rename_identifiers(code, rng))
    if kind == "comprehension":
        return _swap_loops(_rename_identifiers(code, rng))
    if kind in ("javascript", "c"):
        return _to_braces(_rename_identifiers(code, rng), kind)
    raise ValueError(f"unknown rewrite {kind!r}")


def _strip_docstring(prompt: str) -> str:
    return re.sub(r'^[ \t]*(\"\"\"|\'\'\')(.*?)\1[ \t]*\n?', "", prompt, flags=re.DOTALL | re.MULTILINE)


def _rename_identifiers(code: str, rng: random.Random) -> str:
    """Every name the code defines (function, parameters, locals) becomes another name."""
    defined = set(re.findall(r"def\s+(\w+)", code))
    for params in re.findall(r"def\s+\w+\((.*?)\)", code):
        defined.update(re.findall(r"(\w+)\s*(?::|,|$|=)", params))
    defined.update(re.findall(r"^\s*(\w+)\s*=[^=]", code, flags=re.MULTILINE))
    defined.update(re.findall(r"\bfor\s+(\w+)", code))
    defined -= _PY_BUILTINS
    fresh = iter(rng.sample(_SYNONYM_NAMES, len(_SYNONYM_NAMES)))
    table = {}
    for name in sorted(defined):
        table[name] = next(fresh, None) or f"{name}_{rng.randrange(100)}"
        table[name] += "_" if table[name] in defined else ""
    return _PY_NAME.sub(lambda m: table.get(m.group(), m.group()), code)


def _reformat(code: str) -> str:
    """Blank lines dropped, two-space indents, spaces around operators and after commas normalised."""
    lines = []
    for line in code.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = re.sub(r"\s*([=<>+\-*/]=?|==)\s*", r" \1 ", line.strip()) if "def " not in line else line.strip()
        lines.append("  " * (indent // 4) + re.sub(r"\s+", " ", body).replace("( ", "(").replace(" )", ")"))
    return "\n".join(lines) + "\n"


def _swap_loops(code: str) -> str:
    """``x = []`` + ``for a in b: x.append(e)`` becomes a list comprehension and back."""
    loop = re.compile(r"^(\s*)(\w+) = \[\]\n\1for (\w+) in (.+):\n\1\s+\2\.append\((.+)\)$", re.MULTILINE)
    if loop.search(code):
        return loop.sub(r"\1\2 = [\5 for \3 in \4]", code)
    comprehension = re.compile(r"^(\s*)return \[(.+) for (\w+) in (.+?)(?: if (.+))?\]$", re.MULTILINE)

    def unrolled(m: re.Match) -> str:
        pad, element, name, source, condition = m.groups()
        body = f"{pad}    out.append({element})"
        if condition:
            body = f"{pad}    if {condition}:\n    {body}"
        return f"{pad}out = []\n{pad}for {name} in {source}:\n{body}\n{pad}return out"

    return comprehension.sub(unrolled, code)


def _to_braces(code: str, dialect: str) -> str:
    """Python by rule in JavaScript- or C-like syntax: braces for indentation, the keywords
    and literals of the dialect, ``len(x)`` as ``x.length``, comments with ``//``."""
    out, stack = [], []
    for raw in code.splitlines():
        if not raw.strip() or raw.strip().startswith(("from ", "import ")):
            continue
        indent = len(raw) - len(raw.lstrip())
        while stack and indent <= stack[-1]:
            out.append(" " * stack.pop() + "}")
        line = raw.strip()
        line = re.sub(r"\bTrue\b", "true", re.sub(r"\bFalse\b", "false", re.sub(r"\bNone\b", "null", line)))
        line = re.sub(r"\band\b", "&&", re.sub(r"\bor\b", "||", re.sub(r"\bnot\s+", "!", line)))
        line = re.sub(r"\blen\((\w+)\)", r"\1.length", line).replace("#", "//")
        if line.startswith("def "):
            name, params = re.match(r"def\s+(\w+)\((.*?)\)", line).groups()
            params = ", ".join(re.sub(r":.*", "", p).strip() for p in params.split(",") if p.strip())
            if dialect == "c":
                params = ", ".join(f"int {p}" for p in params.split(", ") if p)
                line = f"int {name}({params}):"
            else:
                line = f"function {name}({params}):"
        line = re.sub(r"^elif (.*):$", r"else if (\1):", line)
        line = re.sub(r"^(if|while) (.*):$", r"\1 (\2):", line)
        line = re.sub(r"^for (\w+) in range\((.*)\):$", r"for (let \1 = 0; \1 < \2; \1++):", line)
        line = re.sub(r"^for (\w+) in (.*):$", r"for (const \1 of \2):", line)
        if line.endswith(":"):
            out.append(" " * indent + line[:-1] + " {")
            stack.append(indent)
        else:
            out.append(" " * indent + line + ("" if line.endswith(("{", "}")) else ";"))
    while stack:
        out.append(" " * stack.pop() + "}")
    if dialect == "c":
        out = [re.sub(r"\b(let|const) ", "int ", line) for line in out]
    return "\n".join(out) + "\n"
