"""Write the JSON Schema of report.json (``reports/report-v<N>.schema.json``) from
:class:`qcaudit.report.model.ReportDocument`. A test checks the file is up to date."""

from __future__ import annotations

import json
from pathlib import Path

from qcaudit.report.model import SCHEMA_FILE, ReportDocument

TARGET = Path(__file__).resolve().parents[1] / "reports" / SCHEMA_FILE


def schema_text() -> str:
    return json.dumps(ReportDocument.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    TARGET.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {TARGET}")
