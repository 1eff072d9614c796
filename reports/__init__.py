"""HTML report templates, installed as the package ``qcaudit.templates``."""
