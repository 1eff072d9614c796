"""Errors a user can fix: the CLI prints their message on one line and exits with code 2."""


class QcauditError(Exception):
    """Bad input, usage or configuration. The message says what is wrong and what to do."""
