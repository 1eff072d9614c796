"""Benchmark contamination detectors: n-gram overlap, substring, semantic (+ verification).

Each method maps training rows to the benchmark items they leak; the analyzer
(:mod:`qcaudit.analyzers.contamination`) combines them into per-row verdicts and metrics.
"""
