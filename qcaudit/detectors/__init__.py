"""Zero-shot machine-text detectors: criteria over causal-LM logits, batched scoring, DetectGPT
perturbations and their evaluation (used by :mod:`qcaudit.analyzers.detectors`)."""
