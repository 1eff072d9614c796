#!/usr/bin/env bash
# Make .venv with qcaudit (editable) and its test tools.
#
# torch: a torch that is already importable (for example a CUDA build on a GPU machine) is
# kept: the venv sees the interpreter's site-packages. Where torch is absent, the CPU build
# torch==2.13.0 is installed first, so that no later requirement pulls the CUDA wheels.
# PYTHON=/path/to/python picks the interpreter (3.11+).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
extras=${QCAUDIT_EXTRAS:-dev}

if [ ! -x .venv/bin/python ]; then
    "$python" -m venv --system-site-packages .venv
fi
pip() { .venv/bin/python -m pip --disable-pip-version-check -q "$@"; }
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
    pip install "torch==2.13.0"
fi
pip install -e ".[$extras]"
