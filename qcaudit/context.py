"""The run context: what every analyzer of one run shares, built once per run.

An analyzer asks the context for the run's tokenisation, its sentence encoder (loaded on
first use, then shared: contamination and embedding diversity encode with one model), the
device the user chose, other datasets read with the run's text selection, and the progress
display. Nothing here is specific to an analyzer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl
from rich.progress import Progress

from qcaudit.embed import Encoder
from qcaudit.io import TEXT_STATUS, TextSelection, load_dataset
from qcaudit.text import Tokenization


def text_selection(config: Any) -> TextSelection:
    """The ``[input]`` section as the loader takes it."""
    return TextSelection(config.input.text_column, tuple(config.input.fields), tuple(config.input.role))


@dataclass
class RunContext:
    """``embedding`` is the run's ``[embedding]`` section (model, device, batch size, cache, backend)."""

    tokenization: Tokenization = field(default_factory=Tokenization)
    embedding: Any = None
    selection: TextSelection = field(default_factory=TextSelection)
    progress: Progress = field(default_factory=lambda: Progress(disable=True))

    @classmethod
    def from_config(cls, config: Any, progress: Progress | None = None) -> RunContext:
        return cls(
            tokenization=Tokenization(**config.text.model_dump()),
            embedding=config.embedding,
            selection=text_selection(config),
            progress=progress or Progress(disable=True),
        )

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
        selected as this run selects its own."""
        rows = load_dataset(path, self.selection).texts()
        return rows.filter(pl.col(TEXT_STATUS) == "ok")
