"""Which of qcaudit's regular expressions take a time that grows faster than the text they read.

A dataset's text is untrusted, and a regular expression that backtracks (``^\\s*X`` from every
line start of a run of blank lines, ``/\\*.*?\\*/`` from every opener never closed) reads a run of
n characters in time n²: one built row can stall an audit. This probe compiles nothing of its
own: it imports every module of the package, takes each regular expression compiled at module
level, and times ``findall``, ``search`` and ``sub`` on a long run of one fragment (a blank
line, a comment opener, a digit, ...) and on a run twice as long. A time that grows more than
``--ratio`` times (about 2 for a linear reader, 4 for a quadratic one) while the longer run takes
at least ``--floor`` seconds is printed; the exit code is 1 when any is.

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
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qcaudit  # noqa: E402
from benchmarks.machine import cpu  # noqa: E402

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


def seconds(pattern: re.Pattern, text: str) -> float:
    """The time of the three ways a reader scans a text: every match, the first, replaced."""
    started = time.perf_counter()
    pattern.findall(text)
    pattern.search(text)
    pattern.sub("", text)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=4000, help="characters of the shorter run (the longer is twice)")
    parser.add_argument("--ratio", type=float, default=3.0, help="growth from the shorter run to the longer that is reported")
    parser.add_argument("--floor", type=float, default=0.02, help="seconds the longer run must take to be reported")
    args = parser.parse_args()

    patterns = module_patterns()
    console = Console()
    console.print(f"{len(patterns)} patterns x {len(FRAGMENTS)} fragments, runs of {args.chars:,} and "
                  f"{2 * args.chars:,} characters; {cpu()}", markup=False)
    grown = []
    for name, pattern in patterns:
        for fragment in FRAGMENTS:
            short, long = (fragment * (chars // len(fragment)) + "!" for chars in (args.chars, 2 * args.chars))
            shorter, longer = seconds(pattern, short), seconds(pattern, long)
            if longer >= args.floor and longer > args.ratio * shorter:
                grown.append((name, fragment, shorter, longer))
    table = Table(title="regular expressions whose time grows faster than the run they read")
    for column in ("pattern", "fragment", "s (shorter)", "s (longer)", "growth"):
        table.add_column(column, justify="left" if column in ("pattern", "fragment") else "right")
    for name, fragment, shorter, longer in grown:
        table.add_row(name, repr(fragment), f"{shorter:.3f}", f"{longer:.3f}", f"{longer / shorter:.1f}x")
    console.print(table if grown else "none")
    return 1 if grown else 0


if __name__ == "__main__":
    sys.exit(main())
