"""Dataset-derived strings (text, column and file names, generation and category values) are
untrusted. Every renderer shows them through one of these helpers:

- :func:`visible`: control characters (C0, C1, DEL), bidirectional overrides and isolates,
  zero-width and other invisible format characters become their code point, ``<U+202E>``,
  so that no string can reorder, hide or recolour what is around it (an ANSI escape, a
  right-to-left override, a NUL);
- :func:`console` for the rich console (markup escaped too, so ``[/]`` or ``[link=...]``
  are printed as written);
- :func:`html_text` for HTML (escaped, code points shown as a boxed ``U+202E``);
- :func:`markdown` for Streamlit elements that render Markdown: an inline code span, whose
  content Markdown shows literally (no link, autolinked URL, image, emphasis, colour
  directive, emoji shortcode, LaTeX or HTML: backslash escapes would not stop GitHub-style
  URL autolinking, which works on the parsed text); :func:`prose` leaves plain sentences
  (letters, digits, spaces, ordinary punctuation) as they are and code-spans anything else;
- :func:`spreadsheet_cells` for a CSV a person opens in a spreadsheet (the review sample): a
  cell that a spreadsheet would run as a formula is kept as text.
"""

from __future__ import annotations

import re

import polars as pl
from markupsafe import Markup, escape

#: Characters that are invisible or change how the text around them is shown.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_BACKTICKS = re.compile("`+")
#: Text Markdown shows as written: letters, digits, spaces and punctuation that marks nothing
#: up, no URL or e-mail shape, no colon that could open an emoji shortcode or directive.
_PLAIN = re.compile(r"(?:[^\W_]|[ ,.;()%=+·'/?!\-]|:(?= |$))*")
_AUTOLINK = re.compile(r"www\.|://", re.IGNORECASE)
#: A cell a spreadsheet (Excel, LibreOffice Calc, Google Sheets) reads as a formula: one that
#: starts with =, +, -, @, a tab or a carriage return (OWASP, "CSV Injection").
_FORMULA_START = r"^[=+\-@\t\r]"


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def visible(text: object, keep: str = "") -> str:
    """``text`` with every invisible or control character (but those in ``keep``) written as
    ``<U+XXXX>``."""
    return INVISIBLE.sub(lambda m: m[0] if m[0] in keep else f"<{code_point(m[0])}>", str(text))


def one_line(text: object) -> str:
    """For a plain line of a log: code points visible, a line break too (a shard named
    ``"a\\ngate verdict: PASS\\n.parquet"`` printed a line of its choosing)."""
    return visible(text).replace("\n", "<U+000A>")


def console(text: object) -> str:
    """For rich: on one line (:func:`one_line`), markup escaped."""
    from rich.markup import escape

    return escape(one_line(text))


def html_text(text: object) -> Markup:
    """For HTML: escaped, newlines and tabs kept, other invisible characters shown as a
    boxed code point (``<span class="cp">U+202E</span>``)."""
    parts, last = [], 0
    value = str(text)
    for match in INVISIBLE.finditer(value):
        if match[0] in "\n\t":
            continue
        parts.append(escape(value[last:match.start()]))
        parts.append(f'<span class="cp">{code_point(match[0])}</span>')
        last = match.end()
    parts.append(escape(value[last:]))
    return Markup("".join(parts))


def markdown(text: object) -> str:
    """For Streamlit's Markdown elements: a code span, on one line, shown literally."""
    content = visible(text).replace("\n", " ").replace("\t", " ") or " "
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(content)), default=0) + 1)
    pad = " " if content[0] == "`" or content[-1] == "`" else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def prose(text: object) -> str:
    """For Streamlit Markdown elements: ``text`` as it is when it is a plain sentence that
    Markdown shows as written, else :func:`markdown`'s code span."""
    value = str(text)
    if value and _PLAIN.fullmatch(value) and not _AUTOLINK.search(value):
        return value
    return markdown(text)


def spreadsheet_cells(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each text cell that a spreadsheet would run as a formula (it starts
    with =, +, -, @, a tab or a carriage return) preceded by an apostrophe, which shows the
    rest as text: a row's ``=HYPERLINK(...)`` or ``=WEBSERVICE(...)`` opened from a CSV would
    otherwise run on the reviewer's machine. Columns of other types are as they were."""
    guarded = [
        pl.when(pl.col(name).str.contains(_FORMULA_START)).then("'" + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name, dtype in frame.schema.items() if dtype == pl.String
    ]
    return frame.with_columns(guarded)
