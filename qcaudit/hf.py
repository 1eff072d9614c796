"""Hugging Face tokenizers and models from local folders only (no network at run time).

A model is a local folder (``save_pretrained`` output) or a name the user's own Hugging
Face cache already holds; either way it is opened with ``local_files_only``. On CUDA, models
run in bf16 (fp16 when the GPU lacks bf16) unless the config says otherwise; on CPU, fp32.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from qcaudit.embed import resolve_device
from qcaudit.errors import QcauditError, first_line
from qcaudit.hub_cache import cached_snapshot


def offline() -> None:
    """Never reach the hub, and no download or loading bars: qcaudit shows its own progress."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()


def model_source(name: str, what: str) -> str:
    """A local folder (checked to be one) or a name the user's Hugging Face cache may hold;
    a name written as a path (``/``, ``./``, ``~``) must be a folder."""
    path = Path(name).expanduser()
    if path.exists():
        if not path.is_dir():
            raise QcauditError(f"{what} {name!r}: give the folder that holds the Hugging Face files")
        if not any(file.suffix == ".json" for file in path.iterdir()):
            raise QcauditError(f"{what} {name!r}: the folder holds no Hugging Face config (config.json, "
                               "tokenizer_config.json); give the folder save_pretrained wrote")
        return str(path)
    if name.startswith(("/", ".", "~")):
        raise QcauditError(f"{what} {name!r}: no such folder (models load offline: give a local folder or a name "
                           "your Hugging Face cache holds)")
    return name  # a name the local Hugging Face cache may hold


def in_cache(name: str) -> bool:
    """Whether the user's Hugging Face cache holds a snapshot of the repository ``name``
    (asked offline: no request leaves the machine)."""
    return cached_snapshot(name) is not None


def add_model_files(digest, folder: Path) -> None:
    """Feed what identifies a model folder into ``digest`` (a hashlib object), for caches keyed
    by model: its config files' contents and its weight files' names, sizes and modification
    times (hashing gigabytes of weights would cost more than it saves)."""
    for file in sorted(folder.rglob("*")):
        if file.suffix == ".json":
            digest.update(file.read_bytes())
        elif file.suffix in (".safetensors", ".bin", ".pt", ".onnx"):
            stat = file.stat()
            digest.update(f"{file.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns}".encode())


@contextmanager
def loading_model(what: str, name: str, failed: str = "cannot load it offline") -> Iterator[None]:
    """Whatever loading the model folder ``name`` raises, as one line naming ``what``: "reward
    model 'X': cannot load it offline (why)". The libraries raise nearly anything for damaged
    files: OSError for missing ones (which a name the cache lacks is, offline), and a config
    that is not an object (TypeError), a field of the wrong type (huggingface_hub's
    StrictDataclassError), a tokenizer.json of another layout (KeyError, or tokenizers' bare
    Exception), weights cut short (safetensors' SafetensorError, torch's UnpicklingError);
    vLLM a RuntimeError where the GPU lacks the memory the model needs."""
    try:
        yield
    except (QcauditError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001  (see above: the files' faults come as any exception)
        if pointers := _lfs_pointers(name):
            are = "is a Git LFS pointer" if len(pointers) == 1 else "are Git LFS pointers"
            raise QcauditError(f"{what} {name!r}: {', '.join(pointers)} {are}, not the file: the model was cloned without "
                               "its large files; fetch them (git lfs pull)") from None
        why = first_line(exc) if isinstance(exc, OSError | ValueError) else f"{type(exc).__name__}: {first_line(exc)}"
        raise QcauditError(f"{what} {name!r}: {failed} ({why})") from None


def _lfs_pointers(name: str) -> list[str]:
    """The files of a local model folder that are Git LFS pointers in place of the files (a
    model repository cloned without ``git lfs``): its weights read as a damaged safetensors
    header, its tokenizer as JSON of another layout."""
    from qcaudit.inputcheck import LFS_POINTER, file_start

    folder = Path(name).expanduser()
    if not folder.is_dir():
        return []
    return [file.name for file in sorted(folder.iterdir())  # (a pointer is about 130 bytes: weights are not opened)
            if file.is_file() and file.stat().st_size < 1024 and file_start(file, len(LFS_POINTER)) == LFS_POINTER]


def _from_pretrained(auto_class, name: str, what: str, **options):
    """``auto_class.from_pretrained`` on local files only, its failure one line naming ``what``;
    transformers' own load report stays quiet (what matters in it, :func:`load_model` checks)."""
    from transformers.utils import logging as transformers_logging

    verbosity = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()
    try:
        with loading_model(what, name):
            return auto_class.from_pretrained(model_source(name, what), local_files_only=True, **options)
    finally:
        transformers_logging.set_verbosity(verbosity)


def applied_chat_template(tokenizer, messages: list[dict[str, str]], what: str, **options):
    """``tokenizer.apply_chat_template(messages, **options)``; a template that refuses the
    conversation (its own ``raise_exception``, as templates that allow only some orders of
    roles do, or a filter it names that does not exist: jinja2's TemplateError) is one line
    naming the model as ``what`` and the roles it was given."""
    from jinja2.exceptions import TemplateError

    try:
        return tokenizer.apply_chat_template(messages, **options)
    except TemplateError as exc:
        roles = ", ".join(message["role"] for message in messages)
        raise QcauditError(f"{what} {tokenizer.name_or_path!r}: its chat template refuses a conversation of {roles} "
                           f"({type(exc).__name__}: {first_line(exc)})") from None


def load_tokenizer(name: str, what: str = "tokenizer"):
    offline()
    from transformers import AutoTokenizer

    return _from_pretrained(AutoTokenizer, name, what)


def load_splitting_tokenizer(name: str, what: str):
    """A tokenizer that splits text into tokens and never feeds its model (the diversity
    metrics' ``hf:`` tokenizer, the watermark detector's): its ``model_max_length`` set to
    say nothing, as transformers' own default does, so that a long row is not warned of as
    "will result in indexing errors"."""
    tokenizer = load_tokenizer(name, what)
    tokenizer.model_max_length = int(1e30)
    return tokenizer


def load_model_config(name: str, what: str = "model"):
    """A model's config (its ``config.json``), without its weights."""
    offline()
    from transformers import AutoConfig

    return _from_pretrained(AutoConfig, name, what)


def context_length(config) -> int | None:
    """The most positions a model was built for, as its config says (``max_position_embeddings``,
    or GPT-2's ``n_positions``); None when it does not say."""
    return getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)


#: A tokenizer's ``model_max_length`` from here up says nothing (transformers' default when
#: the tokenizer does not know is 1e30).
UNSAID_MAX_LENGTH = 10**9


def token_limit(max_tokens: int, *configs, tokenizer=None) -> int:
    """``max_tokens``, lowered to the shortest context any of the models whose ``configs``
    (``model.config``, or the config file alone) are given was built for, and to the
    ``tokenizer``'s ``model_max_length`` when it says one (RoBERTa's 512, under a config of
    514 positions two of which are kept for padding). Past it a model with learned positions
    fails ("index out of range")."""
    said = getattr(tokenizer, "model_max_length", None)
    limits = [c for c in map(context_length, configs) if c]
    limits += [said] if isinstance(said, int) and said < UNSAID_MAX_LENGTH else []
    return min([max_tokens, *limits])


def torch_dtype(device: str, dtype: str):
    """``auto``: bf16 (or fp16) on CUDA, fp32 on CPU; else ``float32`` / ``bfloat16`` / ``float16``."""
    import torch

    if dtype == "auto":
        if device != "cuda":
            return torch.float32
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    try:
        return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]
    except KeyError:
        raise QcauditError(f"unknown dtype {dtype!r}: use auto, float32, bfloat16 or float16") from None


def planned_device_and_dtype(device: str, dtype: str) -> tuple[str, str]:
    """The device and dtype name a model loaded with these choices runs with, without
    loading it (for signatures the driver of a Ray run writes too)."""
    resolved = resolve_device(device)
    return resolved, str(torch_dtype(resolved, dtype)).removeprefix("torch.")


class Kind(NamedTuple):
    """A kind of model :func:`load_model` loads: what it is called in messages, transformers'
    auto class that loads it and that class's name mapping (``transformers.models.auto.modeling_auto``),
    and the class-name endings that mark it by transformers' convention."""

    description: str
    auto_class: str
    mapping: str
    suffixes: tuple[str, ...]


KINDS = {
    "causal": Kind("causal language model", "AutoModelForCausalLM", "MODEL_FOR_CAUSAL_LM_MAPPING_NAMES",
                   ("ForCausalLM", "LMHeadModel")),
    "seq2seq": Kind("sequence-to-sequence model", "AutoModelForSeq2SeqLM", "MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES",
                    ("ForConditionalGeneration",)),
    "classifier": Kind("sequence classifier (a reward model)", "AutoModelForSequenceClassification",
                       "MODEL_FOR_SEQUENCE_CLASSIFICATION_MAPPING_NAMES", ("ForSequenceClassification",)),
}


def refuse_other_architectures(config, kind: str, name: str, what: str) -> None:
    """Refuse, from its config alone, a model whose declared architectures are all foreign to
    ``kind`` (a sentence encoder's ``BertModel`` given as a causal LM): the early, cheap form
    of :func:`load_model`'s check, for a model whose weights load only later. An architecture
    fits when transformers' auto class for ``kind`` maps to it or its name ends as the kind's
    do (one newer than transformers, that vLLM runs); a config that declares none passes."""
    from transformers.models.auto import modeling_auto

    mapping = getattr(modeling_auto, KINDS[kind].mapping)
    known = {n for names in mapping.values() for n in ([names] if isinstance(names, str) else names)}
    declared = [str(a) for a in getattr(config, "architectures", None) or []]
    if declared and not any(a in known or a.endswith(KINDS[kind].suffixes) for a in declared):
        raise QcauditError(f"{what} {name!r}: not a {KINDS[kind].description} (its config declares {', '.join(declared)})")


def load_model(name: str, kind: str, device: str = "auto", dtype: str = "auto", what: str = "model"):
    """A causal LM (``kind="causal"``), a seq2seq model (``"seq2seq"``) or a sequence
    classifier (``"classifier"``, e.g. a reward model), in eval mode on its device.
    Returns (model, device).

    A checkpoint that lacks weights the model needs is refused: transformers would fill them
    at random (a sentence encoder read as a causal LM gets a random LM head, a plain LM read
    as a reward model a random score head) and every number after would be noise."""
    offline()
    import transformers

    device = resolve_device(device)
    auto_class = getattr(transformers, KINDS[kind].auto_class)
    model, loading = _from_pretrained(auto_class, name, what, dtype=torch_dtype(device, dtype), output_loading_info=True)
    missing = sorted(loading.get("missing_keys") or [])
    if missing:
        raise QcauditError(f"{what} {name!r}: not a {KINDS[kind].description} checkpoint ({type(model).__name__} would start "
                           f"{len(missing)} of its weights at random, e.g. {missing[0]})")
    return model.to(device).eval(), device
