"""Text normalisers that undo cheap attacks on a watermark before detection (off by default).

``unicode`` does what the reference detector's ``UnicodeSanitizer`` does (lm-watermarking,
``normalizers.py``): NFC, every invisible or exotic space, joiner, direction mark,
variation selector and filler replaced by a space, runs of spaces collapsed, control
characters (newlines and tabs included) dropped. It is tested equal to the reference.

``homoglyphs`` maps letters of a minority script to a look-alike in the text's dominant
script (Cyrillic ``а`` in Latin text becomes ``a``), using the Unicode confusables table
that the ``homoglyphs`` package ships. The reference's canoniser picks among several
look-alikes in set order, which changes with Python's hash seed; ours picks the smallest
code point, so it is deterministic and need not agree with a given reference run.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from importlib import resources

# Code points the reference's "whitespaces" rule set replaces by a space: exotic spaces,
# zero-width characters, direction marks and embeddings, word joiner, invisible separator,
# BOM, fillers, interlinear annotation marks and variation selectors.
_INVISIBLE = re.compile(
    "[\u00a0\u1680\u180e\u2000-\u200f\u202a-\u202f\u205f\u2060\u2063\u3000\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]"
)
_SPACES = re.compile(" +")


def unicode_sanitize(text: str) -> str:
    text = _SPACES.sub(" ", _INVISIBLE.sub(" ", unicodedata.normalize("NFC", text)))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


@functools.cache
def _confusables() -> dict[str, list[str]]:
    with resources.files("homoglyphs").joinpath("confusables.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def _script(ch: str) -> str | None:
    """The script word of a letter's Unicode name (LATIN, CYRILLIC, GREEK...); None otherwise."""
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else None


def homoglyph_canonize(text: str) -> str:
    scripts = Counter(s for s in map(_script, text) if s)
    if len(scripts) < 2:
        return text
    target = scripts.most_common(1)[0][0]
    table = _confusables()
    out = []
    for ch in text:
        script = _script(ch)
        if script and script != target:
            look_alikes = sorted(c for c in table.get(ch, ()) if _script(c) == target)
            ch = look_alikes[0] if look_alikes else ch
        out.append(ch)
    return "".join(out)


NORMALIZERS: dict[str, Callable[[str], str]] = {"unicode": unicode_sanitize, "homoglyphs": homoglyph_canonize}


def normalizer(names: list[str]) -> Callable[[str], str]:
    """Apply the named normalisers in order."""
    unknown = [n for n in names if n not in NORMALIZERS]
    if unknown:
        raise ValueError(f"unknown normaliser {unknown[0]!r}; available: {', '.join(NORMALIZERS)}")
    steps = [NORMALIZERS[n] for n in names]

    def apply(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    return apply
