"""Repositories that this machine's Hugging Face cache holds, found offline.

The cache is huggingface_hub's (``HF_HUB_CACHE``, else ``HF_HOME/hub``, else
``~/.cache/huggingface/hub``), where ``transformers``, ``sentence-transformers``,
``datasets``' ``load_dataset`` and ``hf download`` leave what they fetch: a model named by
its Hub name, a dataset's files. Asked with ``local_files_only``, no request leaves the
machine.
"""

from __future__ import annotations

from pathlib import Path


def cached_snapshot(name: str, repo_type: str = "model", revision: str | None = None) -> Path | None:
    """The folder of the cache's snapshot of repository ``name`` (of ``repo_type``: ``model``
    or ``dataset``) at ``revision`` (a branch, a tag or a commit the cache holds; default
    its main branch); None where the cache holds none, or ``name`` is no repository's name."""
    # (huggingface_hub: a dependency of transformers, imported on first use)
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        return Path(snapshot_download(name, repo_type=repo_type, revision=revision, local_files_only=True,
                                      cache_dir=constants.HF_HUB_CACHE))
    except (LocalEntryNotFoundError, HFValidationError):
        return None
