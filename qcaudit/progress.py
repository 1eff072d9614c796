"""Progress of long steps (embedding rows, judging pairs): done, per second, time left.

In a terminal it is a live bar on stderr; when stderr is not a terminal (CI logs, ``nohup``,
a pipe) it is a plain line every :data:`LINE_SECONDS` seconds and one at the end, e.g.
``embedding: 3,072/8,792 rows (35%), 61 rows/s, 1m34s left``. The command line switches it
on unless ``--quiet``; from Python it stays off unless asked for (``audit(..., progress=True)``:
:func:`progress_shown`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

LINE_SECONDS = 5.0
_settings: dict = {"enabled": False, "console": None}


def phases(console, disable: bool):
    """Each analyzer's phases after the rows are read ("diversity: 3-grams", "duplicates:
    MinHash-LSH") on ``console``: a transient rich bar with the time spent in a terminal or
    a notebook, plain lines elsewhere (:func:`_plain_phases`); a ``rich.progress.Progress``
    to enter."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    if not disable and not (_draws_bars(console) or console.is_jupyter):
        return _plain_phases(console.file)
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                    console=console, transient=True, disable=disable)


def _plain_phases(stream):
    """A rich ``Progress`` that draws nothing and writes each phase as plain lines on
    ``stream`` (a CI log): its name when it begins, its count every :data:`LINE_SECONDS` where
    it has a total, and its time when it took that long or more. A phase's name is rich
    markup, as a bar shows it (a benchmark's name in it escaped: :func:`qcaudit.untrusted.console`);
    a line shows its text."""
    from rich.progress import Progress, Task, TaskID
    from rich.text import Text

    def _text(description: str) -> str:
        return Text.from_markup(description).plain

    class PlainPhases(Progress):
        def __init__(self) -> None:
            super().__init__(disable=True)
            self.began: dict[TaskID, float] = {}
            self.last_line: dict[TaskID, float] = {}

        def add_task(self, description: str, *args, **kwargs) -> TaskID:
            task = super().add_task(description, *args, **kwargs)
            self._begin(task)
            return task

        def update(self, task_id: TaskID, **changes) -> None:
            before = self._task(task_id).description
            super().update(task_id, **changes)
            if self._task(task_id).description != before:
                self._end(task_id, before)
                self._begin(task_id)
            elif changes.get("advance"):
                self._count(task_id)

        def advance(self, task_id: TaskID, advance: float = 1) -> None:
            super().advance(task_id, advance)
            self._count(task_id)

        def remove_task(self, task_id: TaskID) -> None:
            self._end(task_id, self._task(task_id).description)
            super().remove_task(task_id)

        def _task(self, task_id: TaskID) -> Task:
            return next(task for task in self.tasks if task.id == task_id)

        def _begin(self, task: TaskID) -> None:
            self.began[task] = self.last_line[task] = time.monotonic()
            print(_text(self._task(task).description), file=stream, flush=True)

        def _count(self, task: TaskID) -> None:
            now, state = time.monotonic(), self._task(task)
            if state.total and now - self.last_line[task] >= LINE_SECONDS:
                self.last_line[task] = now
                print(f"{_text(state.description)}: {state.completed:,.0f}/{state.total:,.0f}", file=stream, flush=True)

        def _end(self, task: TaskID, description: str) -> None:
            took = time.monotonic() - self.began[task]
            if took >= LINE_SECONDS:
                print(f"{_text(description)}: done in {_duration(took)}", file=stream, flush=True)

    return PlainPhases()


@contextmanager
def api_progress(progress: object) -> Iterator:
    """The Progress a Python API call's ``progress=`` keyword asks for: with ``True``, the
    command line's (:func:`progress_shown`, for the call alone); a rich Progress as given;
    else None (nothing shown)."""
    if progress is True:
        with progress_shown() as shown:
            yield shown
    else:
        yield progress or None


@contextmanager
def progress_shown(console=None) -> Iterator:
    """Progress on for what runs inside, as the command line shows it, then as it was before:
    each long step's rows done, rate and time left (a bar in a terminal, plain lines
    elsewhere: a notebook's or a log's stderr), and the analyzers' phases where a bar can be
    drawn. For the Python API's ``audit(..., progress=True)``; yields the phases' Progress."""
    from rich.console import Console

    console = console or Console(stderr=True)
    previous = dict(_settings)
    show_progress(True, console)
    try:
        with phases(console, disable=False) as shown:
            yield shown
    finally:
        _settings.update(previous)


def show_progress(enabled: bool, console=None) -> None:
    """Switch row progress on or off for this process (the CLI: on unless ``--quiet``); bars
    go to ``console`` (a rich Console on stderr, shared with the CLI's own spinner: rich
    nests live displays on one console)."""
    _settings.update(enabled=enabled, console=console)


def note(message: str) -> None:
    """One line on the progress console, where progress is on, for a step that gives no
    count but may keep a run silent for a while (exporting a model once into the cache):
    above a live bar in a terminal, a plain line in a log."""
    if not _settings["enabled"]:
        return
    console = _console()
    if _draws_bars(console) or console.is_jupyter:
        console.print(message, markup=False, highlight=False)
    else:
        print(message, file=console.file, flush=True)


def _draws_bars(console) -> bool:
    """Whether ``console`` takes a bar redrawn in place: a terminal as rich judges one, with
    animation (not TERM=dumb, not TTY_INTERACTIVE=0), that is one. Under FORCE_COLOR, which
    CI sets for coloured logs, rich takes a log for a terminal, and a bar redrawn ten times a
    second filled the log where a plain line every few seconds belongs (TTY_INTERACTIVE=1
    asks for bars all the same)."""
    try:
        tty = console.file.isatty()
    except (AttributeError, ValueError):  # (a stream without isatty, or a closed one)
        tty = False
    return console.is_interactive and (tty or os.environ.get("TTY_INTERACTIVE") == "1")


def _console():
    """The console progress goes to: the command line's, else a rich Console on stderr."""
    from rich.console import Console

    return _settings["console"] or Console(stderr=True)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def _rate(per_second: float) -> str:
    """Whole numbers from 10 a second up; two significant digits below (a judge model on a
    CPU reads about one pair a second)."""
    return f"{per_second:,.0f}" if per_second >= 10 else f"{per_second:.2g}"


def progress_line(label: str, done: int, total: int, elapsed: float, unit: str = "rows",
                  work: tuple[float, float] | None = None) -> str:
    """``label: done/total rows (pct), rate rows/s, time left`` (rate and time once known);
    ``unit`` names what is counted; ``work``: (done, total) of the step's work where its rows
    differ in cost (:func:`time_left`)."""
    line = f"{label}: {done:,}/{total:,} {unit} ({done / total:.0%})" if total else f"{label}: {done:,} {unit}"
    if done and elapsed > 0:
        line += f", {_rate(done / elapsed)} {unit}/s"
        if total and done < total:
            line += f", {_duration(time_left(elapsed, *(work or (done, total))))} left"
        elif total:
            line += f", done in {_duration(elapsed)}"
    return line


def text_costs(texts: Sequence[str]) -> np.ndarray:
    """What each text costs a model, for the time left (:func:`time_left`): its characters,
    and one, so that an empty text counts."""
    import numpy as np

    return np.array([len(text) for text in texts], dtype=np.float64) + 1.0


def time_left(elapsed: float, done: float, total: float) -> float:
    """The seconds left of a step that did ``done`` of its ``total`` work in ``elapsed``
    seconds, at that rate. Its work is its rows, or what they cost where rows differ (the
    encoder's texts, shortest first, by their characters: counted in texts, the time left of
    GSM8K's whole rows read a third of the time they took, throughout)."""
    return (total - done) * elapsed / done if done else 0.0


class _Work:
    """What a step has done of its work, for the time left: its rows, or, given ``total``,
    what they cost (each advance then says its part)."""

    def __init__(self, rows: int, total: float | None) -> None:
        self.weighed = total is not None
        self.total, self.done = (total if self.weighed else float(rows)), 0.0

    def add(self, rows: int, work: float | None) -> None:
        self.done += work if self.weighed and work is not None else rows


class _Lines:
    """Plain lines, at most one every LINE_SECONDS, and the last one."""

    def __init__(self, label: str, total: int, stream, unit: str, work: float | None) -> None:
        self.label, self.total, self.stream, self.unit = label, total, stream, unit
        self.done, self.work, self.start = 0, _Work(total, work), time.monotonic()
        self.last = self.start

    def advance(self, rows: int, work: float | None = None) -> None:
        self.done += rows
        self.work.add(rows, work)
        now = time.monotonic()
        if now - self.last >= LINE_SECONDS or self.done >= self.total:
            self.last = now
            line = progress_line(self.label, self.done, self.total, now - self.start, self.unit, (self.work.done, self.work.total))
            print(line, file=self.stream, flush=True)


class _Bar:
    """A transient rich bar with the count, the rate and the time left."""

    def __init__(self, label: str, total: int, console, unit: str, work: float | None) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TextColumn("{task.fields[left]}"), console=console, transient=True,
        )
        self.start, self.unit, self.work = time.monotonic(), unit, _Work(total, work)
        self.task = self.progress.add_task(label, total=total, rate="", left="")
        self.progress.start()

    def advance(self, rows: int, work: float | None = None) -> None:
        self.progress.advance(self.task, rows)
        self.work.add(rows, work)
        done = self.progress.tasks[0].completed
        elapsed = time.monotonic() - self.start
        if elapsed > 0 and done:
            left = time_left(elapsed, self.work.done, self.work.total)
            self.progress.update(self.task, rate=f"{_rate(done / elapsed)} {self.unit}/s", left=f"{_duration(left)} left" if left else "")

    def close(self) -> None:
        self.progress.stop()


class _Silent:
    def advance(self, rows: int, work: float | None = None) -> None:
        pass


@contextmanager
def row_progress(label: str, total: int, wanted: bool = True, unit: str = "rows",
                 work: float | None = None) -> Iterator[_Lines | _Bar | _Silent]:
    """A reporter with ``advance(rows)`` for a step over ``total`` rows (or other ``unit``);
    silent unless progress is switched on and ``wanted``. ``label`` may name something of
    the user's (a benchmark): it is shown on one line, its markup not read. ``work``: the
    step's total work where its rows differ in cost, each ``advance(rows, work)`` saying its
    part; the time left is then the work left at the rate so far (:func:`time_left`)."""
    if not (_settings["enabled"] and wanted and total):
        yield _Silent()
        return
    from qcaudit.untrusted import console as for_rich
    from qcaudit.untrusted import one_line

    console = _console()
    if _draws_bars(console):
        bar = _Bar(for_rich(label), total, console, unit, work)
        try:
            yield bar
        finally:
            bar.close()
    else:
        yield _Lines(one_line(label), total, console.file, unit, work)
