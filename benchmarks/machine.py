"""What the benchmarks ran on, for their table titles: CPU figures depend on the CPU's
vector instructions (int8 matrix products are several times faster with AVX-512 VNNI than
with AVX2 alone), so a figure is quoted with the CPU that gave it."""

from __future__ import annotations

import os
import platform
from pathlib import Path

#: Vector instruction sets that decide CPU throughput, as /proc/cpuinfo names them, strongest first.
VECTOR_FLAGS = ("amx_int8", "avx512_bf16", "avx512_vnni", "avx_vnni", "avx512f", "avx2")


def cpu() -> str:
    """``"<model name>, <cores> cores, <vector instructions>"``, e.g. ``AMD EPYC, 2 cores, avx2``."""
    name, flags = platform.processor() or platform.machine(), set()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                name = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    vector = [flag for flag in VECTOR_FLAGS if flag in flags]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{name}, {cores} cores" + (f", {' '.join(vector)}" if vector else "")
