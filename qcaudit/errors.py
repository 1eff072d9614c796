"""Errors and the process exit codes they end in.

Exit codes: 0 ok, 1 the gate failed, 2 bad input or usage, 3 an internal error (a bug),
128 + N when signal N stopped the run (130 for Ctrl-C, 143 for SIGTERM).
"""

import os

EXIT_OK, EXIT_GATE_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_SIGNAL_BASE = 128


def message_of(exc: BaseException) -> str:
    """An exception's message, ``str(exc)``, or a word that it has one no one can read: an
    exception from a plug-in's code may fail in its own ``__str__``, and the line that says
    what went wrong must not end in a traceback of its own."""
    try:
        return str(exc)
    except Exception as unreadable:  # noqa: BLE001 (any failure of a plug-in's __str__)
        return f"(its message cannot be read: {type(unreadable).__name__})"


def first_line(exc: BaseException) -> str:
    """An exception's message in one line, for a message of our own: its first non-blank
    line (with the next where it ends in a colon, as huggingface_hub's "Validation error for
    field 'hidden_size':" does before the reason), or its type's name where it has none
    (``OSError()``'s message is empty)."""
    lines = [line.strip() for line in message_of(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    return f"{lines[0]} {lines[1]}" if lines[0].endswith(":") and len(lines) > 1 else lines[0]


def os_error_line(exc: OSError) -> str:
    """An operating system's error in one line: ``PATH: reason`` where it names a file, as a
    shell says it (``[Errno 36]`` and the path's quotes left out), else :func:`first_line`."""
    if exc.strerror and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror}"
    if isinstance(exc, FileNotFoundError) and not _working_directory_exists():  # (what a relative path is resolved against)
        return ("the working directory no longer exists (deleted or moved after the shell entered it): "
                "cd to one that does, or give absolute paths")
    return first_line(exc)


def _working_directory_exists() -> bool:
    try:
        os.getcwd()
    except FileNotFoundError:
        return False
    return True


class QcauditError(Exception):
    """Bad input, usage or configuration. The message says what is wrong and what to do."""


class Interrupted(BaseException):
    """A signal (SIGINT, SIGTERM, SIGHUP) stopped the run. A BaseException, so that no
    ``except Exception`` swallows it and every ``finally`` on the way out removes its
    temporaries."""

    #: The signal that stopped the run, once the signal handler has seen one: an extension
    #: module whose initialisation the signal cut short reports an ImportError instead of
    #: passing the Interrupted on, and the command line asks this to tell the two apart.
    received: int | None = None

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return EXIT_SIGNAL_BASE + self.signum
