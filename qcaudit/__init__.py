"""qcaudit: quality control and auditing for LLM training data.

>>> import qcaudit
>>> report = qcaudit.audit("data/samples/instructions.parquet")  # doctest: +SKIP
>>> report.value("diversity.self_bleu_4")  # doctest: +SKIP
"""

__version__ = "0.1.0"

from qcaudit.pipeline import audit  # noqa: E402  (modules below read __version__)

__all__ = ["__version__", "audit"]
