"""``qcaudit card``: the audit as a section of a Hugging Face dataset card (README.md), for
the people who publish the data: YAML metadata (the size category, a tag) and Markdown with
the gate's verdict, the headline metrics beside their values on public data, and each
section's notes (what was checked for contamination, the collapse alarm).

Dataset-derived strings (file, column and benchmark names) are written as Markdown code
spans with table pipes escaped, so none is read as a link, an image, HTML or a table cell.
A local input is named by its file or folder name alone: a published card must not show
where the data lay on the machine that audited it (``/home/alice/...``); a URI is kept.
The section sits between :data:`START` and :data:`END`; :func:`merge_card` replaces it in
an existing card and keeps everything else but for the ``qcaudit`` tag it adds to the
card's metadata.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from qcaudit import __version__
from qcaudit.errors import QcauditError
from qcaudit.gate import GateResult
from qcaudit.report.model import SCHEMA_VERSION, Report, audited_rows
from qcaudit.report.references import reference_corpora
from qcaudit.report.sections import sections
from qcaudit.untrusted import markdown, prose
from qcaudit.views import Notice, shown_sources

START, END = "<!-- qcaudit:start -->", "<!-- qcaudit:end -->"
#: Hugging Face's size categories: (rows below, label).
SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                   (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"),
                   (10_000_000_000, "1B<n<10B"), (100_000_000_000, "10B<n<100B"), (1_000_000_000_000, "100B<n<1T"))


def size_category(rows: int) -> str:
    return next((label for below, label in SIZE_CATEGORIES if rows < below), "n>1T")


def _cell(text: object) -> str:
    """Dataset text in a Markdown table cell: a code span, its pipes escaped."""
    return markdown(text).replace("|", "\\|")


def _published(source: str) -> str:
    """How a card names an input: a URI as given; a local path by its last part (a glob by
    its folder and pattern, ``shards/*.parquet``), without the directories above it."""
    if "://" in source:
        return source
    path = PurePath(source)
    return f"{path.parent.name}/{path.name}" if any(c in path.name for c in "*?") and path.parent.name else path.name or source


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def card_section(report: Report) -> str:
    """The Markdown section (between the markers) that summarises ``report``."""
    data, gate = report.dataset, report.gate
    sources = shown_sources(data["sources"], lambda source: _cell(_published(source)))
    lines = [START, "## Data quality audit", "",
             f"Audited with qcaudit {__version__} (report schema {SCHEMA_VERSION}): {audited_rows(data)} of {sources} "
             f"({_cell(data['format'])}); the text is {_cell(data['text_source'])}.", ""]
    lines += [f"**Quality gate: {_verdict(gate)}**", "", *_checks_table(gate)]
    headline = [(section, line) for section in sections(report) for line in section.metrics
                if line.headline and isinstance(line.value, int | float) and not isinstance(line.value, bool)]
    if headline:
        public = any(line.references for _, line in headline)  # (none for drift's metrics: no column of dashes)
        lines += ["### Headline metrics", "",
                  _row("metric", "value", "better", *["on public data"] * public, "what it measures"),
                  _row("---", "---:", "---", *["---"] * public, "---")]
        for section, line in headline:
            shown = " · ".join(r.shown for r in line.references) or "—"
            lines.append(_row(_cell(f"{section.name}.{line.name}"), f"{line.value:.4g}", line.direction or "—",
                              *[shown] * public, line.definition.replace("|", "\\|")))
        lines.append("")
        if public:
            corpora = "; ".join(f"{c['label']} ({c['rows']:,} rows)" for c in reference_corpora().values())
            lines += [f"Public data: {corpora}, audited with the default settings. Self-BLEU and distinct-n of a whole "
                      "dataset change with its size; the `_sampled` ones compare across datasets.", ""]
    lines += _notes(report)
    lines += ["Every value's settings are recorded in its signature in `report.json` (`qcaudit show DIR` prints the "
              "whole report).", END]
    return "\n".join(lines) + "\n"


def _verdict(gate: GateResult) -> str:
    return {"pass": "PASS", "fail": "FAIL"}.get(gate.verdict, "no thresholds set")


def _checks_table(gate: GateResult) -> list[str]:
    """The gate's checks as a Markdown table and a blank line (nothing without checks)."""
    if not gate.checks:
        return []
    lines = [_row("check", "value", "threshold", "result"), _row("---", "---:", "---:", "---")]
    for c in gate.checks:
        value = "—" if c.value is None else f"{c.value:.4g}"
        threshold = f"{'≥' if c.threshold_key.startswith('min_') else '≤'} {c.threshold:g}"
        lines.append(_row(_cell(c.metric), value, threshold, "pass" if c.passed else "**FAIL**"))
    return [*lines, ""]


def gate_summary(gate: GateResult, report: Report) -> str:
    """The gate's verdict on ``report`` for a CI job's summary page (GitHub Actions' step
    summary): which data it judged, the checks as the card tables them, and for a metric the
    report lacks, what would report it; for a failed check whose analyzer says, what lies
    behind its value (the benchmark items found)."""
    failed, data = sum(not c.passed for c in gate.checks), report.dataset
    judged = f"{failed} of {len(gate.checks)} checks failed on {audited_rows(data)} of {shown_sources(data['sources'], _cell)}."
    lines = [f"### qcaudit gate: {_verdict(gate)}", "", judged, "", *_checks_table(gate)]
    lines += [f"- {prose(c.message)}" for c in gate.checks if c.value is None or c.finding]
    return "\n".join(lines).rstrip("\n") + "\n\n"


def _notes(report: Report) -> list[str]:
    """Each section's notices (what was checked, verdicts, cautions), as the report states
    them: "Checked against gsm8k (1,319 items)", the collapse alarm."""
    notes = [f"- {section.title}: {prose(view.text)}" for section in sections(report) for view in section.views
             if isinstance(view, Notice)]
    return ["### Notes", "", *notes, ""] if notes else []


def card(report: Report) -> str:
    """A whole dataset card: YAML metadata, then the section."""
    return _metadata(report) + card_section(report)


def _metadata(report: Report) -> str:
    """A card's YAML metadata: the dataset's size category and a tag."""
    rows = report.dataset.get("input_rows") or report.dataset["rows"]
    return "\n".join(["---", "size_categories:", f"- {size_category(rows)}", "tags:", "- qcaudit", "---", ""])


def merge_card(existing: str, report: Report, name: str = "the card") -> str:
    """``existing`` (the card ``name``) with its qcaudit section replaced by this report's, its
    other text and its metadata kept, the ``qcaudit`` tag added to the metadata; a card
    without the section (the README.md that ``push_to_hub`` writes) gets it at its end, and
    this card's metadata where it has none. Markers out of order, or more than one pair (a
    second section would keep an older audit's numbers), are refused rather than guessed at.
    What is added ends its lines as the card does (a card written on Windows,
    ``\r\n``), so that nothing else in it changes."""
    existing = _tagged(existing)
    newline = "\r\n" if "\r\n" in existing else "\n"
    section = card_section(report).replace("\n", newline)
    start, end = existing.find(START), existing.find(END)
    if start < 0 and end < 0:
        added = existing.rstrip("\r\n") + newline * 2 + section
        return added if existing.lstrip().startswith("---") else _metadata(report).replace("\n", newline) + added
    if existing.count(START) > 1 or existing.count(END) > 1:
        raise QcauditError(f"{name}: it holds {existing.count(START)} {START} and {existing.count(END)} {END} lines; keep "
                           "one pair, where the section goes, or none, to add it at the end")
    if start < 0 or end < start:
        raise QcauditError(f"{name}: its {START} and {END} lines are not a pair in that order; mend them, or remove both "
                           "to add the section at the end")
    return existing[:start] + section.rstrip("\r\n") + existing[end + len(END):]


#: A card's YAML metadata block: the text between its first two ``---`` lines.
_FRONT_MATTER = re.compile(r"\A(---[ \t]*\r?\n)(.*?\r?\n)?(---[ \t]*(?:\r?\n|\Z))", re.DOTALL)


def _tagged(card_text: str) -> str:
    """``card_text`` with ``qcaudit`` among its metadata's tags: added to a block list or a
    flow list, or as a ``tags`` key of its own; every other line as it was. A card whose
    metadata qcaudit cannot edit so (not a mapping, tags not a list) is returned as it was:
    the edit is checked by reading the metadata back, all as before but the one tag."""
    import yaml

    found = _FRONT_MATTER.match(card_text)
    if found is None:
        return card_text
    front = found[2] or ""
    try:
        before = yaml.safe_load(front) or {}
    except yaml.YAMLError:
        return card_text
    if not isinstance(before, dict) or "qcaudit" in (before.get("tags") or []):
        return card_text
    edited = _with_tag_line(front)
    try:
        after = yaml.safe_load(edited) if edited is not None else None
    except yaml.YAMLError:
        after = None
    if after != before | {"tags": [*(before.get("tags") or []), "qcaudit"]}:
        return card_text
    return found[1] + edited + card_text[found.end(2) if found[2] else found.end(1):]


def _with_tag_line(front: str) -> str | None:
    """The metadata text ``front`` with a line (or list entry) that adds the tag, or None
    where its ``tags`` key is written in a way this does not edit."""
    lines = front.splitlines(keepends=True)
    newline = "\r\n" if front.endswith("\r\n") else "\n"
    at = next((i for i, line in enumerate(lines) if re.match(r"tags[ \t]*:", line)), None)
    if at is None:
        return front + f"tags:{newline}- qcaudit{newline}"
    value = lines[at].split(":", 1)[1].strip()
    if value.startswith("[") and value.endswith("]"):
        inner = value[1:-1].strip()
        return "".join([*lines[:at], f"tags: [{inner + ', ' if inner else ''}qcaudit]{newline}", *lines[at + 1:]])
    if value not in ("", "null", "~"):
        return None
    items = at + 1
    while items < len(lines) and (lines[items].startswith((" ", "\t", "-")) or not lines[items].strip()):
        items += 1
    while items > at + 1 and not lines[items - 1].strip():
        items -= 1
    dash = re.match(r"[ \t]*- ", lines[at + 1]) if at + 1 < items else None
    entry = f"{dash[0] if dash else '- '}qcaudit{newline}"
    head = [*lines[:at], f"tags:{newline}"] if value else lines[:at + 1]
    return "".join([*head, *lines[at + 1:items], entry, *lines[items:]])

