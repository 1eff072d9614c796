"""The ``qcaudit`` console script (and ``python -m qcaudit``): signals and exit codes around
:mod:`qcaudit.cli`.

Only the standard library is imported before the signal handlers are in place, so Ctrl-C
or SIGTERM at any point, start-up included, ends in one line on stderr and exit code
128 + the signal's number (130, 143), after every temporary file has been removed on the way
out (see :class:`qcaudit.errors.Interrupted`). A second signal during that clean-up gets
the default behaviour.
"""

from __future__ import annotations

import os  # imported by the interpreter before any user code: cannot be interrupted here

try:  # Python's own Ctrl-C handler is in place until ours are: a KeyboardInterrupt here is one too
    import signal
    import sys
    import traceback

    from qcaudit.errors import EXIT_BAD_INPUT, Interrupted, QcauditError
except KeyboardInterrupt:
    os.write(2, b"interrupted by SIGINT\n")
    os._exit(130)

HANDLED_SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None)


def _raise_interrupted(signum: int, _frame) -> None:
    Interrupted.received = signum
    for handled in HANDLED_SIGNALS:
        signal.signal(handled, signal.SIG_DFL if handled != signal.SIGINT else signal.default_int_handler)
    raise Interrupted(signum)


def main() -> None:
    for handled in HANDLED_SIGNALS:
        signal.signal(handled, _raise_interrupted)
    _escape_what_the_terminal_cannot_show()
    _unset_a_terminal_size_of_zero()
    try:
        from qcaudit.allocator import polars_keeps_freed_pages

        polars_keeps_freed_pages(os.environ)  # (before Polars is imported, with the command)
        try:
            _check_polars_threads()
            from qcaudit.cli import run
        except QcauditError as exc:
            code = _refused(exc)
        else:
            code = run(sys.argv[1:])
    except (Interrupted, KeyboardInterrupt) as exc:
        code = _interrupted(exc.signum if isinstance(exc, Interrupted) else signal.SIGINT)
    except Exception:
        if Interrupted.received is None:
            raise
        code = _interrupted(Interrupted.received)  # a module's start-up cut short by the signal
    sys.exit(code)


def _unset_a_terminal_size_of_zero() -> None:
    """COLUMNS or LINES set to 0 (a terminal that reports no size, as some Docker set-ups do)
    are unset: rich takes COLUMNS=0 for a width of 0 and prints nothing at all, exit 0;
    unset, it measures the terminal, or takes 80 columns."""
    for name in ("COLUMNS", "LINES"):
        if os.environ.get(name, "").strip() == "0":
            del os.environ[name]


def _check_polars_threads() -> None:
    """POLARS_MAX_THREADS=0 makes Polars panic as it starts its threads (an internal error, exit
    3, in whatever command ran); anything else not a number it warns about and ignores."""
    threads = os.environ.get("POLARS_MAX_THREADS", "")
    if threads.isdigit() and int(threads) == 0:
        raise QcauditError("POLARS_MAX_THREADS=0: Polars needs a thread at least; unset it, or give 1 or more")


def _refused(exc: QcauditError) -> int:
    """A fault found before any command runs (POLARS_MAX_THREADS=0; an analyzer plug-in that
    fails to load as the commands are built from every analyzer's flags): one line and exit 2
    (exit 1 would read as a failed gate), the traceback too with --verbose."""
    from qcaudit.untrusted import visible

    if {"--verbose", "-v"} & set(sys.argv[1:]):
        traceback.print_exc(file=sys.stderr)
    sys.stderr.write(f"error: {visible(exc)}\n")
    return EXIT_BAD_INPUT


# Our own symbols, as ASCII a console without them can show (one character each where a
# table's cell is measured with it): the histograms' bars, ranges, lists, arrows, bounds.
ASCII_LOOKALIKES = str.maketrans({
    **dict(zip("▁▂▃▄▅▆▇█", "_.,:-=+#")),
    "…": "~", "·": "/", "↓": "v", "↑": "^", "≤": "<", "≥": ">", "≠": "!", "−": "-", "—": "-", "×": "x",
    "∞": "inf",
})


def _ascii_lookalike_or_escape(error: UnicodeEncodeError) -> tuple[str, int]:
    """The codec error handler ``qcaudit-console``: each character the stream's encoding
    lacks becomes its ASCII lookalike (:data:`ASCII_LOOKALIKES`), or else its Python escape."""
    shown = "".join(_lookalike_or_escape(char) for char in error.object[error.start:error.end])
    return shown, error.end


def _lookalike_or_escape(char: str) -> str:
    lookalike = char.translate(ASCII_LOOKALIKES)
    return lookalike if lookalike != char else char.encode("ascii", "backslashreplace").decode("ascii")


def _escape_what_the_terminal_cannot_show() -> None:
    """Characters that stdout's or stderr's encoding cannot write (a dataset's Chinese text,
    our own "…" and "▇" on a console whose encoding is ASCII or cp1252, or under
    ``PYTHONIOENCODING=ascii``) are written as an ASCII lookalike where they are our own
    symbols (a histogram's bars as ``_.,:-=+#``), as Python escapes (``\\u4e2d``) otherwise,
    instead of ending the command with a UnicodeEncodeError halfway through its output."""
    import codecs

    codecs.register_error("qcaudit-console", _ascii_lookalike_or_escape)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):  # (a stream replaced by one of another kind is left as it is)
            stream.reconfigure(errors="qcaudit-console")


def _interrupted(signum: int) -> int:
    sys.stderr.write(f"interrupted by {signal.Signals(signum).name}\n")
    return Interrupted(signum).exit_code


if __name__ == "__main__":
    main()
