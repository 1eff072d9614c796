"""Fetch plotly.js's "basic" partial bundle (bar, scatter and pie traces) from the npm
registry into ``reports/vendor/``, where the HTML report inlines it.

The full plotly.js that the plotly package ships is 4.8 MB; the basic bundle, published by
Plotly as ``plotly.js-basic-dist-min``, is 1.2 MB and draws every chart kind the report has
(:mod:`qcaudit.report.figures` uses only bar and scatter traces). This is a maintainer's
script, run when plotly is upgraded; users and CI use the committed copy (MIT licence
beside it). The tarball is checked against the registry's sha512 integrity before use.

    python scripts/vendor_plotly_basic.py 4.1.1
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

PACKAGE = "plotly.js-basic-dist-min"
WANTED = {"package/plotly-basic.min.js": "plotly-basic.min.js", "package/LICENSE": "LICENSE-plotly.js.txt"}
VENDOR = Path(__file__).resolve().parent.parent / "reports" / "vendor"


def fetch(version: str) -> None:
    with urllib.request.urlopen(f"https://registry.npmjs.org/{PACKAGE}/{version}", timeout=60) as response:
        dist = json.load(response)["dist"]
    with urllib.request.urlopen(dist["tarball"], timeout=120) as response:
        tarball = response.read()
    algorithm, _, expected = dist["integrity"].partition("-")
    if algorithm != "sha512" or base64.b64encode(hashlib.sha512(tarball).digest()).decode() != expected:
        sys.exit(f"{PACKAGE} {version}: the tarball does not match the registry's integrity {dist['integrity']}")
    VENDOR.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member, name in WANTED.items():
            (VENDOR / name).write_bytes(archive.extractfile(member).read())
    print(f"{PACKAGE} {version} -> {VENDOR}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/vendor_plotly_basic.py VERSION   (plotly.js's version, e.g. 4.1.1)")
    fetch(sys.argv[1])
