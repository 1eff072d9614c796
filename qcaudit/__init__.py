"""qcaudit: quality control and auditing for LLM training data.

>>> import qcaudit
>>> report = qcaudit.audit("data/samples/instructions.parquet")  # doctest: +SKIP
>>> report.value("diversity.self_bleu_4")  # doctest: +SKIP
>>> qcaudit.audit(polars_or_pandas_frame, text_column="prompt")  # doctest: +SKIP
>>> qcaudit.write_report(report, "audit")  # report.json, rows.parquet, report.html  # doctest: +SKIP
>>> qcaudit.audit_drift(["gen0.parquet", "gen1.parquet", "gen2.parquet"])  # doctest: +SKIP
>>> kept, removed, report = qcaudit.dedup(frame)  # each filter command, in memory  # doctest: +SKIP
>>> review = qcaudit.sample(frame, rate=0.05)  # the rows a person should review  # doctest: +SKIP

Bad input, usage or settings raise :class:`QcauditError` with a one-line message.

The package root imports nothing (``qcaudit --help`` stays quick, and Ctrl-C at start-up
finds :mod:`qcaudit.__main__`'s guard in place: the command imports this module first):
:class:`QcauditError`, :func:`audit`, :func:`audit_drift`, :func:`sample`, :func:`write_report` and the filter
commands' functions (:func:`qcaudit.filtering.python_filter`) are imported on first use.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["QcauditError", "__version__", "audit", "audit_drift", "sample", "write_report"]


def __getattr__(name: str) -> object:
    if name == "QcauditError":
        from qcaudit.errors import QcauditError

        return QcauditError
    if name == "audit":
        from qcaudit.pipeline import audit, python_api

        return python_api(audit)
    if name == "audit_drift":
        from qcaudit.drift_run import audit_drift

        return audit_drift
    if name == "write_report":
        from qcaudit.report.html import write_report

        return write_report
    if name == "sample":
        from qcaudit.pipeline import python_api
        from qcaudit.sampling import sample

        return python_api(sample)
    if not name.startswith("_"):  # the filter commands' functions: qcaudit.dedup, qcaudit.drop_truncated, ...
        from qcaudit.filtering import python_filter
        from qcaudit.registry import row_filters

        if (command := name.replace("_", "-")) in row_filters():
            return python_filter(command)
    raise AttributeError(f"module 'qcaudit' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The names imported on first use among the module's own, the filter commands' among
    them, for ``dir()`` and a notebook's tab completion."""
    from qcaudit.registry import row_filters

    return sorted({*globals(), *__all__, *(command.replace("-", "_") for command in row_filters())})
