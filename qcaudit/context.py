"""The run context: what every analyzer of one run shares, built once per run.

An analyzer asks the context for the run's tokenisation, its sentence encoder (loaded on
first use, then shared: contamination and embedding diversity encode with one model), the
device the user chose, other datasets read with the run's text selection, the text of a few
rows of this run's input, the memory budget its state must keep within, a scratch directory
for what it spills (removed when the run ends, however it ends), and the progress display.
Nothing here is specific to an analyzer.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl
from rich.progress import Progress

from qcaudit.cache import new_scratch
from qcaudit.columns import ROW_ID, TEXT_STATUS
from qcaudit.embed import Encoder
from qcaudit.io import Dataset, SelectionMismatch, TextSelection, load_dataset
from qcaudit.tables import input_name
from qcaudit.text import Tokenization

log = logging.getLogger("qcaudit")


def text_selection(config: Any) -> TextSelection:
    """The ``[input]`` section as the loader takes it."""
    section = config.input
    return TextSelection(section.text_column, tuple(section.fields), tuple(section.role), tuple(section.prompt),
                         section.response, section.chosen, section.rejected, section.reasoning,
                         section.preferred_by, section.label, tuple(section.ratings))


def load_beside(data: Any, selection: TextSelection, what: str, limit: int | None = None, header: bool = True) -> Dataset:
    """Another dataset read beside the audited one (``what``: a reference, a real baseline),
    its text selected as the run's. One of another layout (real chats beside synthetic
    Alpaca rows), which lacks the columns the run names, is read as its own columns say,
    with a warning saying how."""
    try:
        return load_dataset(data, selection, limit, header)
    except SelectionMismatch as error:
        dataset = load_dataset(data, limit=limit, header=header)
        log.warning("%s %s: %s; its text is read as its own columns say: %s", what, input_name(data), error, dataset.text_source)
        return dataset


def load_input(data: Any, config: Any) -> Dataset:
    """A dataset to audit, read as the ``[input]`` section says: its text, whether a CSV's
    first line names its columns, and its first ``limit`` rows where a limit is set
    (benchmarks and references are read whole). A text chosen by a config file that fits
    none of the input's columns says which file chose it."""
    try:
        return load_dataset(data, text_selection(config), config.input.limit, config.input.header)
    except SelectionMismatch as error:
        if not getattr(config, "selection_file", None):
            raise
        raise SelectionMismatch(f"{error}; the text was chosen by [input] in {config.selection_file}") from None


@dataclass
class RunContext:
    """``embedding`` is the run's ``[embedding]`` section (model, device, batch size, cache, backend)."""

    tokenization: Tokenization = field(default_factory=Tokenization)
    embedding: Any = None
    selection: TextSelection = field(default_factory=TextSelection)
    #: An analyzer's phases after the rows (``add_task("diversity: 3-grams")``): their names are
    #: rich markup, so a name that holds something of the user's escapes it
    #: (:func:`qcaudit.untrusted.console`; a log line shows the text).
    progress: Progress = field(default_factory=lambda: Progress(disable=True))
    #: Bytes an analyzer's state may hold in memory before it spills to :meth:`scratch`.
    memory_budget: int = 2**62
    #: The input being audited (the engine sets it), for :meth:`texts_of_rows`.
    dataset: Dataset | None = None
    _scratch: Path | None = None

    @classmethod
    def from_config(cls, config: Any, progress: Progress | None = None) -> RunContext:
        return cls(
            tokenization=Tokenization(**config.text.model_dump()),
            embedding=config.embedding,
            selection=text_selection(config),
            progress=progress or Progress(disable=True),
            memory_budget=config.engine.memory_budget,
        )

    def scratch(self) -> Path:
        """A directory of this run's own for spilled state, made on first use under the
        cache directory; :meth:`close` removes it, and the next run removes those of runs
        that were killed outright (SIGKILL, a power cut)."""
        if self._scratch is None:
            self._scratch = new_scratch()
        return self._scratch

    def close(self) -> None:
        """Remove the scratch directory (the engine calls this when the run ends, also on a
        signal: :class:`qcaudit.errors.Interrupted` unwinds through it)."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def texts_of_rows(self, row_ids: Iterable[int]) -> dict[int, str | None]:
        """The text of a few rows of the audited input (for tables that quote rows)."""
        return self._audited.texts_of(row_ids)

    def parts_of_rows(self, row_ids: Iterable[int], parts: tuple[str, ...]) -> dict[int, dict[str, str | None]]:
        """The ``parts`` (``text``, or a part an analyzer reads: :data:`qcaudit.io.PARTS`) of a
        few rows of the audited input, by ``row_id`` (for tables that quote rows)."""
        return {row[ROW_ID]: row for row in self._audited.parts_of(row_ids, parts).iter_rows(named=True)}

    def has_part(self, part: str) -> bool:
        """Whether the audited input gives each row's ``part`` (:data:`qcaudit.io.PARTS`), for
        an analyzer that reads a part where there is one."""
        return self._audited.has_part(part)

    @property
    def _audited(self) -> Dataset:
        if self.dataset is None:
            raise RuntimeError("the engine sets the dataset before analyzers finalize")
        return self.dataset

    @property
    def device(self) -> str:
        """The device the user asked models to run on: ``auto``, ``cpu`` or ``cuda``."""
        return self.embedding.device if self.embedding is not None else "auto"

    @cached_property
    def encoder(self) -> Encoder:
        """The run's sentence encoder; its weights load when it first encodes."""
        return Encoder.from_settings(self.embedding) if self.embedding is not None else Encoder()

    def texts_of(self, path: str | Path) -> pl.DataFrame:
        """``row_id`` and ``text`` of the rows with text in another dataset (a reference),
        selected as this run selects its own text (:func:`load_beside`): a reference needs no
        prompt or answer columns."""
        text_only = TextSelection(self.selection.text_column, self.selection.fields, self.selection.roles,
                                  reasoning=self.selection.reasoning)
        return load_beside(path, text_only, "reference").texts().filter(pl.col(TEXT_STATUS) == "ok")
