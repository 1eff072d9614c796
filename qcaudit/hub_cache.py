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


def cached_revisions(name: str, repo_type: str = "model") -> list[str]:
    """The revisions of repository ``name`` the cache holds, as each can be asked for: its
    snapshots' branches and tags (``main``, ``refs/convert/parquet``), or the commit of a
    snapshot that none names; empty where it holds none (told first by its folder's absence,
    which spares scanning the whole cache for a name that is no repository's)."""
    from huggingface_hub import constants, scan_cache_dir
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.file_download import repo_folder_name
    from huggingface_hub.utils import CacheNotFound

    try:
        if not (Path(constants.HF_HUB_CACHE) / repo_folder_name(repo_id=name, repo_type=repo_type)).is_dir():
            return []
    except HFValidationError:  # (a path that is no repository's name: data/*.parquet)
        return []
    try:
        repos = scan_cache_dir(constants.HF_HUB_CACHE).repos
    except CacheNotFound:
        return []
    held = [sorted(revision.refs) or [revision.commit_hash] for repo in repos if (repo.repo_id, repo.repo_type) == (name, repo_type)
            for revision in repo.revisions]
    return sorted(ref for refs in held for ref in refs)
