"""Which of qcaudit's regular expressions and text readers take a time that grows faster than the text.

A dataset's text is untrusted, and a regular expression that backtracks (``^\\s*X`` from every
line start of a run of blank lines, ``/\\*.*?\\*/`` from every opener never closed) reads a run of
n characters in time n²: one built row can stall an audit. This probe compiles nothing of its
own: it imports every module of the package, takes each regular expression compiled at module
level, and times ``findall``, ``search`` and ``sub`` on a long run of one fragment (a blank
line, a comment opener, a digit, ...) and on a run twice as long; then the same for each of the
contamination verifier's readers of a row (:data:`READERS`), the run inside a line of code and
before a Chinese numeral so that their code and other-language paths are taken. A time that
grows more than ``--ratio`` times (about 2 for a linear reader, 4 for a quadratic one) while the
longer run takes at least ``--floor`` seconds is printed; the exit code is 1 when any is.
(Polars' string expressions, the lexical methods' and the tokenisers', run on Rust's regex
engine, which does not backtrack.)

    python benchmarks/bench_backtracking.py              # runs of 4,000 and 8,000 characters
    python benchmarks/bench_backtracking.py --chars 2000 # quicker, less telling

A pattern reported here is a stall to fix (read indents within a line, find a closer once) or,
where its caller never gives it such a run, to say why not (it reads 16 characters at most,
its text was normalised first).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qcaudit
from benchmarks.machine import cpu

#: What a run is made of: whitespace and line breaks, comment and string openers, digits and
#: number punctuation, list separators, Chinese numerals, code and markup marks.
FRAGMENTS = [
    "\n", "\n\n", " \n", "\r\n", " ", "\t", "    ", "a", "a ", "A ", "ab ", "a\n", "a,", "a, ", "a.", "a)", "(a)", "a-b", "a_b",
    "1", "0", "00", "1.", "1,", "1 ", "1-", "1/", "1%", "1)", "1e", "1.1.", "1,1", "1 a", "a1", "1a", "12 ", "1, 2, ", "[1, ",
    "-1", "$1", "1 + ", "x**", "x = ", "x=", "/*", "/* ", "*/", "//", "// ", "#", "# ", '"', "'", '"""', "'''", '""" a', "''' a",
    "\\", "(", "[", "{", "} ", "{ ", "; ", ":\n", "=> ", "<", "&", "@", "http", "def ", "def", "function ", "return ", "if ", "for ",
    "True ", ". ", ", ", " and ", "one ", "- ", "* ", "1. ", "A) ", "(a) ", "Q:", "```", "é", "三", "十", "一", "第", "三1", "1三",
]


def module_patterns() -> list[tuple[str, re.Pattern]]:
    """Every regular expression compiled at module level in the package, by its dotted name."""
    found = []
    for module in pkgutil.walk_packages(qcaudit.__path__, "qcaudit."):
        try:
            loaded = importlib.import_module(module.name)
        except ImportError:  # (a module of an extra that is not installed)
            continue
        found += [(f"{module.name}.{name}", value) for name, value in vars(loaded).items() if isinstance(value, re.Pattern)]
    return found


def scanned(pattern: re.Pattern) -> Callable[[str], object]:
    """The three ways a reader scans a text with ``pattern``: every match, the first, replaced."""
    return lambda text: (pattern.findall(text), pattern.search(text), pattern.sub("", text))


def readers() -> dict[str, Callable[[str], object]]:
    """The contamination verifier's readers of one row's text, by name."""
    from qcaudit.benchmarks import humaneval_parts
    from qcaudit.contamination import code_reading, evidence, number_reading

    return {
        "Evidence.of": evidence.Evidence.of, "RowOptions.lists": lambda text: evidence.RowOptions(text).lists,
        "formulas": evidence.formulas, "operations": evidence.operations, "statements": evidence.statements,
        "word_keys": evidence.word_keys, "read_as_english": evidence.read_as_english,
        "looks_like_code": code_reading.looks_like_code, "code_fingerprints": code_reading.code_fingerprints,
        "code_comments": code_reading.code_comments, "code_literals": code_reading.code_literals,
        "numbers_written": number_reading.numbers_written,
        "numbers_written, other languages": lambda text: number_reading.numbers_written(text, other_languages=True),
        "humaneval_parts": lambda text: humaneval_parts(f'def f():\n    """{text}\n    """\n', "    return 1\n"),
    }


def seconds(read: Callable[[str], object], text: str) -> float:
    started = time.perf_counter()
    read(text)
    return time.perf_counter() - started


def grows(shorter: float, longer: float, args: argparse.Namespace) -> bool:
    """Whether the longer run took ``--floor`` seconds or more and ``--ratio`` times the shorter's."""
    return longer >= args.floor and longer > args.ratio * shorter


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=4000, help="characters of the shorter run (the longer is twice)")
    parser.add_argument("--ratio", type=float, default=3.0, help="growth from the shorter run to the longer that is reported")
    parser.add_argument("--floor", type=float, default=0.02, help="seconds the longer run must take to be reported")
    args = parser.parse_args()

    console = Console()
    console.print(f"runs of {len(FRAGMENTS)} fragments, {args.chars:,} and {2 * args.chars:,} characters; {cpu()}", markup=False)
    patterns = {name: scanned(pattern) for name, pattern in module_patterns()}
    found = 0
    for what, read_by, wrapped in (("regular expressions", patterns, "{}!"), ("readers of a row", readers(), "def g(): return 1;\n{} 三?")):
        grown = []
        for name, read in read_by.items():
            for fragment in FRAGMENTS:
                short, long = (wrapped.format(fragment * (chars // len(fragment))) for chars in (args.chars, 2 * args.chars))
                shorter, longer = seconds(read, short), seconds(read, long)
                if grows(shorter, longer, args):  # (timed twice more: the best of three)
                    shorter = min(shorter, *(seconds(read, short) for _ in range(2)))
                    longer = min(longer, *(seconds(read, long) for _ in range(2)))
                    if grows(shorter, longer, args):
                        grown.append((name, fragment, shorter, longer))
        table = Table(title=f"{len(read_by)} {what}: those whose time grows faster than the run they read")
        for column in ("name", "fragment", "s (shorter)", "s (longer)", "growth"):
            table.add_column(column, justify="left" if column in ("name", "fragment") else "right", overflow="fold")
        for name, fragment, shorter, longer in grown:
            table.add_row(name, repr(fragment), f"{shorter:.3f}", f"{longer:.3f}", f"{longer / shorter:.1f}x")
        console.print(table if grown else f"{len(read_by)} {what}: none grows faster than the run it reads")
        found += len(grown)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
