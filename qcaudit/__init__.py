"""qcaudit: quality control and auditing for LLM training data."""

__version__ = "0.1.0"


def audit(*args, **kwargs):
    """Audit a dataset and return the :class:`~qcaudit.report.model.Report` (see :func:`qcaudit.audit.audit`)."""
    from qcaudit.audit import audit as _audit

    return _audit(*args, **kwargs)
