"""A sentence-transformers model on ONNX Runtime with int8 weights: the CPU backend ``onnx-int8``.

The model's transformer is exported once from its own local weights (a BERT encoder written
as a graph by :mod:`qcaudit.bert_graph`, without torch; other models with ``torch.onnx``),
and its weights are quantised to int8 per output channel with ONNX Runtime's dynamic
quantisation (activations are quantised on the fly); the int8 file is kept in the cache under
the model's key, so later runs only load it. Texts come as token ids (the model's own
tokenizer, truncated at its ``max_seq_length``: :meth:`qcaudit.embed.Encoder.tokenize`),
are pooled as its ``1_Pooling`` config says (mean or CLS token) and L2-normalised when the
model normalises. Vectors differ from the fp32 model's in the second or third decimal
(cosine to them about 0.99): signatures and the cache name the backend, so numbers from
the two are never mixed.

Each text is one call of a session that runs on one thread, and ``workers`` such calls run
at once (ONNX Runtime releases the GIL): on a short text one call cannot keep several cores
busy, several calls can. One thread per call also makes a vector the same whatever the
machine's core count (not whatever its CPU: ONNX Runtime picks kernels by instruction set,
AVX-512 VNNI or AVX2, and those round differently in the last digits).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from qcaudit import bert_graph
from qcaudit.cache import cache_key, cached_dir
from qcaudit.errors import QcauditError
from qcaudit.progress import note
from qcaudit.sentence_folder import sentence_layout

INPUTS = ("input_ids", "attention_mask", "token_type_ids")

#: ONNX Runtime's graph fusions left out of the session (:func:`session`). The vectors depend on
#: them (a fused layer norm rounds otherwise, and int8 activations move a step), so they name
#: the cache's vectors of this backend (:attr:`qcaudit.embed.Encoder.store_name`).
UNFUSED = ["SkipLayerNormFusion"]


class OnnxSentenceModel:
    """An exported transformer run as the sentence model: the model's pooling, one text a call."""

    def __init__(self, model_file: Path, path: Path, workers: int):
        """``model_file``: an ONNX export of the transformer of the sentence-transformers
        folder ``path`` (whose pooling config it follows)."""
        self.mode, self.normalise = _sentence_config(path)
        self.model_file = model_file
        self.workers = max(1, workers)
        self.session = session(model_file)
        self.inputs = [i.name for i in self.session.get_inputs()]

    @classmethod
    def cached(cls, path: Path, model_key: str, workers: int, name: str) -> OnnxSentenceModel:
        """The int8 model of ``path``, exported and quantised into the cache on first use
        (``name`` is the model's, as the line that says so names it)."""

        def export(directory: Path) -> None:
            note(f"embedding: exporting {name} to int8 ONNX into the cache (once per model)")
            fp32 = directory / "model.onnx"
            export_fp32(path, fp32)
            quantise(fp32, directory / "model_int8.onnx")
            fp32.unlink()

        # format 2: a BERT encoder written by qcaudit.bert_graph, not traced by torch: the same
        # vectors to the bit (so cached vectors stay), a tenth to a fifth faster a call; a cache made
        # before gets the new file on its next run rather than keeping the traced one.
        directory = cached_dir("onnx", cache_key(model=model_key, quantisation="int8-per-channel", format=2), export)
        return cls(directory / "model_int8.onnx", path, workers)

    def encode(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        """The vectors of texts given as their token ids (:meth:`qcaudit.embed.Encoder.tokenize`),
        one text per call: dynamic quantisation scales the activations of a whole batch
        together, so a text batched with others would get a vector that depends on its
        neighbours (and on CPU single texts are no slower: no padding). The texts are shared
        out among :attr:`workers` threads."""
        if not ids:
            return np.zeros((0, 0), dtype=np.float32)
        inputs = [self._inputs(one) for one in ids]
        if self.workers == 1 or len(ids) < 2 * self.workers:
            return np.concatenate([self._one(one) for one in inputs])
        with ThreadPoolExecutor(self.workers) as pool:
            return np.concatenate(list(pool.map(self._one, inputs, chunksize=8)))

    def _inputs(self, ids: Sequence[int]) -> dict[str, np.ndarray]:
        """One text's session inputs (those the file takes): its ids, a mask of ones, segment 0."""
        row = np.asarray(ids, dtype=np.int64)[None, :]
        given = {"input_ids": row, "attention_mask": np.ones_like(row), "token_type_ids": np.zeros_like(row)}
        return {name: given[name] for name in self.inputs}

    def _one(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        """The pooled (and normalised) vector of one tokenised text (unpadded: the mean is
        over all its tokens)."""
        hidden = self.session.run(None, inputs)[0]
        vectors = hidden[:, 0] if self.mode == "cls" else hidden.mean(axis=1)
        if self.normalise:
            vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors.astype(np.float32)


def session(model_file: Path, optimised_copy: Path | None = None):
    """An ONNX Runtime session of ``model_file`` on one thread, as :class:`OnnxSentenceModel`
    runs it (``optimised_copy``: where ONNX Runtime writes the graph it runs, for a test).

    Every graph optimisation is on but the fusion of a residual addition and its layer norm
    into one ``SkipLayerNormalization``: ONNX Runtime's CPU kernel of that op took about 7 ns
    an element here against about 1 for ``Add`` then ``LayerNormalization`` (ORT 1.32, 2026-12-05;
    scratch timings of each op on 58 tokens), and unfused the whole encoder ran 1.1 to 1.3x
    faster, its vectors as close to the fp32 model's (cosine 0.9947 on average either way)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    if optimised_copy is not None:
        options.optimized_model_filepath = str(optimised_copy)
    return onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"],
                                        disabled_optimizers=UNFUSED)


def supported(path: Path) -> bool:
    """Whether this backend can run the model (and ONNX Runtime is installed)."""
    try:
        import onnxruntime  # noqa: F401

        _sentence_config(path)
    except (ImportError, QcauditError):
        return False
    return True


def _sentence_config(path: Path) -> tuple[str, bool]:
    """(pooling mode, normalises) from the model's sentence-transformers files;
    models built otherwise (dense layers, other pooling) need the torch backend."""
    try:
        layout = sentence_layout(path)
    except QcauditError as exc:
        raise QcauditError(f"embedding backend onnx-int8: {exc}") from None
    if not layout.plain:
        raise QcauditError(f"embedding backend onnx-int8 supports transformer + pooling (+ normalize) models; "
                           f"{path} has {', '.join(layout.modules)}: use backend torch")
    if layout.pooling_modes not in (("mean",), ("cls",)):
        raise QcauditError("embedding backend onnx-int8 supports mean or CLS pooling: use backend torch")
    return layout.pooling_modes[0], layout.normalises


def quantise(fp32: Path, target: Path) -> None:
    """``fp32``'s weights quantised to int8 per output channel by ONNX Runtime's dynamic
    quantisation (activations are quantised as the model runs)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quiet():
        quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True)


def export_fp32(path: Path, target: Path) -> None:
    """The transformer of the sentence-transformers folder ``path`` as an fp32 ONNX file whose
    output is the last hidden state: written by :mod:`qcaudit.bert_graph` where it spells the
    model out (no torch), else traced by torch."""
    if bert_graph.supports(path):
        bert_graph.write(path, target)
    else:
        trace_fp32(path, target)


def trace_fp32(path: Path, target: Path) -> None:
    """:func:`export_fp32` by ``torch.onnx``, from the model's own local weights; its
    tokenizer shapes the sample input that the export traces."""
    import torch
    from transformers import AutoModel

    from qcaudit.hf import load_tokenizer, loading_model, offline

    offline()
    with loading_model("embedding model", str(path)):
        model = AutoModel.from_pretrained(path, local_files_only=True).eval()
    sample = load_tokenizer(str(path), "embedding model")(["an example sentence", "another"], padding=True, return_tensors="pt")
    names = [name for name in INPUTS if name in sample]

    class Hidden(torch.nn.Module):
        """The transformer's last hidden state, from named inputs."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *tensors):
            return self.inner(**dict(zip(names, tensors, strict=True))).last_hidden_state

    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "hidden"]}
    with _quiet():
        torch.onnx.export(Hidden(model), tuple(sample[name] for name in names), str(target), input_names=names,
                          output_names=["hidden"], dynamic_axes=axes, opset_version=17, dynamo=False)


@contextmanager
def _quiet() -> Iterator[None]:
    """The exporter's and quantiser's warnings and log notes are for their developers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        try:
            yield
        finally:
            logging.disable(logging.NOTSET)
