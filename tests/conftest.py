"""Shared fixtures: paths to the real public data beside the project, a CLI runner, Zstandard files."""

from __future__ import annotations

import os
import struct
from itertools import pairwise
from pathlib import Path

import polars as pl
import pytest
import zstandard
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SAMPLES = ROOT / "data" / "samples"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow = not config.getoption("--runslow")
    gpu = [item for item in items if "gpu" in item.keywords]
    no_cuda = bool(gpu) and not _cuda_available()
    for item in items:
        if slow and "slow" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="slow: run with --runslow"))
        if no_cuda and "gpu" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="gpu: torch sees no CUDA device (run pytest -m gpu on a GPU machine)"))


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def shared_file(relative: str) -> Path:
    """A file under ../shared/data, or skip the test saying it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (the real public data lives in ../shared/data)")
    return path


def zstd(data: bytes, frames: int = 1, skippable: bool = False) -> bytes:
    """``data`` compressed by the zstandard library in ``frames`` frames one after another, as
    concatenation writes large files: a reader must read them all; ``skippable``: each frame
    after a 12-byte skippable frame that holds its size, as pzstd writes them."""
    cut = [len(data) * k // frames for k in range(frames + 1)]
    compressed = [zstandard.ZstdCompressor().compress(data[a:b]) for a, b in pairwise(cut)]
    if skippable:
        compressed = [b"\x50\x2a\x4d\x18" + struct.pack("<II", 4, len(frame)) + frame for frame in compressed]
    return b"".join(compressed)


def hub_cache_snapshot(root: Path, repo: str, files: dict[str, pl.DataFrame], commit: str = "0123abcd", ref: str = "main") -> None:
    """A snapshot of dataset ``repo`` at ``commit`` added to a Hugging Face cache under
    ``root``, laid out as huggingface_hub writes one: blobs, the snapshot's links to them, and
    ``refs/REF`` naming the commit."""
    folder = root / f"datasets--{repo.replace('/', '--')}"
    (folder / "refs" / ref).parent.mkdir(parents=True, exist_ok=True)  # (refs/convert/parquet: a ref whose name holds slashes)
    (folder / "refs" / ref).write_text(commit)
    (folder / "blobs").mkdir(exist_ok=True)
    for i, (name, frame) in enumerate(files.items()):
        frame.write_parquet(blob := folder / "blobs" / f"{commit}-{i}")
        (link := folder / "snapshots" / commit / name).parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    """Two GPT-2s and a T5 span filler trained on COCO captions; a labelled mix of text
    sampled from the first (temperature 0.7, as synthetic data is often made) and held-out
    human captions. Trained once a run (about 50 s here) for every module that uses them; half
    the steps of the first version, with the detectors' AUROCs as high (0.95-0.995; DetectGPT 0.81)."""
    import polars as pl

    from tests.tiny_lms import documents, sample, train_gpt2, train_t5_filler

    captions = shared_file("corpora/coco_captions.txt").read_text(encoding="utf-8").splitlines()
    docs = documents(captions[:9000])
    root = tmp_path_factory.mktemp("tiny_lms")
    observer = train_gpt2(docs, root / "gpt_a", seed=1, steps=150)
    performer = train_gpt2(docs, root / "gpt_b", seed=2, steps=150)
    filler = train_t5_filler(docs, root / "t5", seed=3, steps=200)
    machine = sample(observer, 60, seed=4, temperature=0.7)
    human = documents(captions[15000:15400])[:60]
    data = root / "mix.parquet"
    pl.DataFrame({"text": machine + human, "source": ["machine"] * 60 + ["human"] * 60}).write_parquet(data)
    return {"observer": observer, "performer": performer, "filler": filler, "data": data}


@pytest.fixture(autouse=True)
def _progress_off():
    """Row progress is per process (``qcaudit.cli.run`` switches it on): off again after each
    test, so that no test sees another's setting."""
    yield
    from qcaudit.progress import show_progress

    show_progress(False)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Benchmark indexes and embeddings cached per test session, never in ~/.cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv("QCAUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    patch.undo()
