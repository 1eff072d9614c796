"""Read an input's files into one lazy Polars table: a file, a directory of shards
(searched recursively; Hive partition folders, ``round=3/``, read as columns), a glob or a
URI; parquet, Arrow (Hugging Face ``datasets``' files), JSON Lines, JSON, CSV, TSV and plain
text, the text formats also compressed (:mod:`qcaudit.compression`). Text files are checked
first (:mod:`qcaudit.inputcheck`), and a reader's failure becomes one line naming the file.
What the table's rows mean (their text) is :mod:`qcaudit.io`'s."""

from __future__ import annotations

import fnmatch
import io
import json
import logging
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache, partial
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple, TypeVar
from urllib.parse import unquote

import polars as pl

from qcaudit.cache import made_once
from qcaudit.compression import (
    DAMAGED,
    DECOMPRESS_COMMANDS,
    compression,
    decompressed,
    open_compressed,
    open_decompressed,
    scanned_as_it_is,
    without_compression,
)
from qcaudit.errors import QcauditError, first_line
from qcaudit.hub_cache import cached_revisions, cached_snapshot
from qcaudit.inputcheck import (
    BOM,
    DELIMITED,
    HEAD_CHECKED,
    JSON_TEXTS,
    TextFileCheck,
    check_text_file,
    damaged,
    lines_end_in_cr,
    mixed_shapes,
    refuse_stand_in,
)
from qcaudit.json_array import JSON_WHITESPACE
from qcaudit.remote import (
    GLOB_CHARS,
    format_suffix,
    hidden,
    is_uri,
    local_copy,
    name_of,
    read_parquet,
    remote_files,
    streamed_by_polars,
)
from qcaudit.text_columns import chat_layout, is_text_parts, text_of_parts

log = logging.getLogger("qcaudit")

_FORMATS = {".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv",
            ".txt": "txt", ".arrow": "arrow", ".feather": "arrow", ".ipc": "arrow"}
#: Spreadsheets' suffixes (Excel's, LibreOffice's, Numbers'), named in the refusal of one.
_SPREADSHEETS = frozenset({".xlsx", ".xls", ".xlsm", ".xlsb", ".ods", ".numbers"})
#: Bytes a copy made to read a file (:func:`_zstd_copy`) reads and writes at a time.
COPY_BYTES = 2**20
#: The formats read a line a record: a file of them whose lines end in a carriage return
#: alone is read through a copy with line feeds (:func:`_with_line_feeds`).
_LINE_FORMATS = frozenset({"csv", "tsv", "txt"})
#: A plain text file is one row a line, in a column of this name; read in pieces of about
#: this many characters (a Polars string holds at most 4 GB).
TXT_COLUMN, TXT_PIECE_CHARS = "text", 64 * 2**20
#: Hugging Face's metadata files: what ``datasets``' ``save_to_disk`` writes beside its .arrow
#: shards, and a Hub repository's legacy ``dataset_infos.json``; a directory that holds data of
#: another format beside them is read as that data alone (:func:`_data_files`). (A
#: ``DatasetDict``'s folder, with a ``dataset_dict.json`` and a folder a split, is refused:
#: reading it whole would mix splits.)
HF_DATASET_METADATA = frozenset({"state.json", "dataset_info.json", "dataset_infos.json"})
#: An input file: a local path, or a URI (:mod:`qcaudit.remote`).
InputFile = Path | str
#: Input files of one kind, local paths or URIs, given and returned as they were.
_Files = TypeVar("_Files", Path, str)


def is_dataset_file(path: str | Path) -> bool:
    """Whether ``path`` is named as a file of a format qcaudit reads as a dataset
    (``.parquet``, ``.jsonl.gz``, ...)."""
    return format_suffix(path) in _FORMATS


def input_files(path: str | Path, split: str | None = None) -> list[InputFile]:
    """The files ``path`` names: an existing file or directory (searched recursively) is
    taken as it is, whatever characters its name holds; only a path that does not exist is
    read as a glob. A leading ``~`` is the home directory, as in a shell (config files name
    paths so too), unless a file of that very name exists. A URI is listed on its own
    filesystem, the same way. A file whose name is not UTF-8 (bytes a Linux file name may
    hold, which Polars cannot be given) is refused, named with those bytes escaped.

    A folder that holds several splits of a dataset is refused, unless ``split`` names the one
    to read (a benchmark's items are its ``test`` split): :func:`_one_split`."""
    files = _listed_files(path, split)
    for file in files:
        if not utf8_name(file):
            raise QcauditError(f"{shown_name(file)}: the file's name is not UTF-8; rename it (qcaudit reads files named in UTF-8)")
    return files


#: What tells that a local input file changed: its path, and its size, time of last change
#: (ns) and inode (:func:`_identity`).
FileStamp = tuple[str, tuple[int, int, int]]


def _identity(status: os.stat_result) -> tuple[int, int, int]:
    return status.st_size, status.st_mtime_ns, status.st_ino


def file_stamps(files: list[InputFile]) -> tuple[FileStamp, ...]:
    """The stamps of the local files among ``files``, taken before the first read (a URI's
    are not: its store has no cheap equivalent)."""
    return tuple((str(file), _identity(file.stat())) for file in files if isinstance(file, Path))


def check_unchanged(stamps: tuple[FileStamp, ...], appended: bool = False) -> None:
    """Refuse to go on when a file changed since its stamp was taken: the input is read more
    than once (counted, read by each pass of the analyzers, read again for the rows written),
    and a file another process writes meanwhile gave a report whose metrics and rows came
    from two versions of it, or an internal error where they did not fit. With ``appended``
    (a quick look that reads only the first rows) a file that only grew, as one a generator
    is still appending to, is taken as unchanged."""
    for path, identity in stamps:
        size, _, inode = identity
        try:
            status = os.stat(path)
        except OSError:
            status = None
        grew = status is not None and appended and status.st_ino == inode and status.st_size >= size
        if status is None or (not grew and _identity(status) != identity):
            raise QcauditError(f"{shown_name(path)} changed while it was read ({'deleted' if status is None else 'written'} "
                               "by another process): the report would mix two versions of it; run again once nothing writes it")


def utf8_name(path: str | Path) -> bool:
    """Whether ``path`` is UTF-8: a Linux file name may hold other bytes, which Python keeps
    as lone surrogates and Polars cannot be given (it raised a TypeError)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(path: str | Path) -> str:
    """``path`` as a message shows it, bytes that are not UTF-8 escaped (``bad\\xffname``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _listed_files(path: str | Path, split: str | None) -> list[InputFile]:
    if is_uri(path):
        listed = remote_files(str(path), frozenset(s for s, fmt in _FORMATS.items() if fmt != "arrow"))
        files = _data_files(listed.files)
        if listed.directory is not None:
            files = _whole_split(listed.directory, files, [PurePosixPath(f.removeprefix(listed.directory + "/")) for f in files],
                                 split)
        return files
    if not os.path.lexists(path):
        path = os.path.expanduser(path)
    target = Path(path)
    if target.is_symlink() and not target.exists():
        raise QcauditError(f"{path} is a broken or looping symbolic link")
    if target.is_dir():
        return _directory_files(target, split=split)
    if target.exists():
        _refuse_special_file(target)
        return [target]
    globbed = bool(GLOB_CHARS.intersection(str(path)))
    if globbed and (files := _each_file_once(_glob(str(path)))):
        return files
    if str(path) == "-":  # (the input is read more than once: once to audit, again to write its rows)
        raise QcauditError("standard input ('-') is not read: write the data to a file first (.jsonl, .parquet, ...)")
    if (cached := _hub_cache_files(target, split)) is not None:
        return cached
    if globbed:
        raise QcauditError(f"no file matches {path}")
    # (a relative path, from a config file too, is read from the current directory: say which)
    raise QcauditError(f"{path} does not exist" + ("" if target.is_absolute() else f" in {Path.cwd()}") + _hub_hint(target))


def _glob(pattern: str) -> list[Path]:
    """What ``pattern`` matches, in sorted order: ``**`` any depth of folders, but not
    through a linked folder, as :func:`_directory_files` searches one (``pathlib``'s rule;
    Python's ``glob`` follows links, 40 deep into a link that loops and 2**40 paths through
    two), a trailing ``**`` every file below; as in a shell, a wildcard never matches a name
    that starts with ``.`` unless the pattern's part starts with one too."""
    parts = Path(pattern).parts
    first = next(i for i, part in enumerate(parts) if GLOB_CHARS.intersection(part))
    root, wild = Path(*parts[:first]), [*parts[first:-1], "**/*" if parts[-1] == "**" else parts[-1]]
    dotted = [part for part in wild if part.startswith(".")]

    def not_hidden(match: Path) -> bool:
        return all(not name.startswith(".") or any(fnmatch.fnmatchcase(name, part) for part in dotted)
                   for name in match.parts[len(root.parts):])

    return sorted((match for match in root.glob("/".join(wild)) if not_hidden(match)), key=str)


def _each_file_once(paths: Iterable[Path]) -> list[Path]:
    """The files among ``paths`` (in their order), each file once. A symbolic link that
    reaches no file is refused, not passed over: a snapshot folder of Hugging Face's cache
    copied without its blobs is such links (relative ones), and a folder with some would be
    audited in part. A second name of a file (a link to it; a glob's match through a linked
    folder its wildcard names, ``latest`` beside ``v3`` for ``*/x.parquet``, or through a
    link that loops back) is dropped with a warning: its rows were read twice."""
    first_name: dict[str, Path] = {}
    again = []
    for path in paths:
        if path.is_symlink() and not path.exists():
            raise QcauditError(f"{shown_name(path)} is a broken or looping symbolic link")
        if not path.is_file():
            continue
        real = os.path.realpath(path)
        if real in first_name:
            again.append(path)
        else:
            first_name[real] = path
    if again:
        _warn_second_names(shown_name(again[0]), shown_name(first_name[os.path.realpath(again[0])]), len(again) - 1)
    return list(first_name.values())


@cache
def _warn_second_names(second: str, first: str, more: int) -> None:
    """Once a process: an input's files are listed each time it is read."""
    others = f" (and {more} more names of files read already)" if more else ""
    log.warning("%s is the file %s (a symbolic link)%s; each file is read once", second, first, others)


#: Files that are not a regular file's bytes, by what ``stat`` says they are.
_SPECIAL_FILES = ((stat.S_ISFIFO, "a pipe"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                  (stat.S_ISSOCK, "a socket"))


def _refuse_special_file(target: Path) -> None:
    """A pipe or a device is refused: the input is read more than once (to audit it, again
    to write its rows), and a pipe with no writer would wait forever, /dev/zero never end."""
    mode = target.stat().st_mode
    kind = next((name for test, name in _SPECIAL_FILES if test(mode)), None)
    if kind:
        raise QcauditError(f"{target} is {kind}, not a file: qcaudit reads its input more than once; write the data to a file first")


#: What a name of a Hub dataset may be written with that is not part of it: a scheme of
#: one colon (``hf:owner/name``, as some tools take it) and the Hub's ``datasets/`` folder.
_HUB_NAME_PREFIX = re.compile(r"^(?:hf:/*)?(?:datasets/)?")


#: A Hub dataset's name and the revision written after it, as ``hf://`` paths write one
#: (``OWNER/NAME@v2/...``): a branch, a tag or a commit, or one of the Hub's refs whose name
#: holds slashes, its parquet conversion (``@refs/convert/parquet``) or a pull request's
#: (``@refs/pr/3``), either URL-quoted or not.
_HUB_REVISION = re.compile(r"^((?:hf:/*)?(?:datasets/)?[^/@]+/[^/@]+)@(refs/(?:convert/\w+|pr/\d+)(?=/|$)|[^/]*)")
#: Names the Hub gives a revision besides its own (``@~parquet``, as ``hf://`` paths write it).
_HUB_REVISION_ALIASES = {"~parquet": "refs/convert/parquet"}


def without_hub_revision(path: str) -> tuple[str, str | None]:
    """``path`` without the revision written after a Hub dataset's name, and that revision
    (None where it names none): ``openai/gsm8k@refs/convert/parquet/main`` is
    (``openai/gsm8k/main``, ``refs/convert/parquet``)."""
    found = _HUB_REVISION.match(path)
    if not found:
        return path, None
    revision = unquote(found.group(2))
    return found.group(1) + path[found.end():], _HUB_REVISION_ALIASES.get(revision, revision)


def _hub_parts(target: Path) -> tuple[tuple[str, ...], str | None]:
    """The parts of ``target`` read as a Hub dataset's ``OWNER/NAME[@REVISION][/PATH]``, the
    ways of writing it that are not part of it left out (:data:`_HUB_NAME_PREFIX`), and the
    revision it names (:func:`without_hub_revision`)."""
    path, revision = without_hub_revision(target.as_posix())
    return PurePosixPath(_HUB_NAME_PREFIX.sub("", path, count=1)).parts, revision


def _hub_hint(target: Path) -> str:
    """For a missing ``OWNER/NAME`` without a data file's suffix, which reads as a Hugging Face Hub
    dataset's name (also written ``hf:OWNER/NAME`` or ``datasets/OWNER/NAME``) that this
    machine's Hugging Face cache does not hold (:func:`_hub_cache_files`), how to get it
    there, or to name the Hub's copy (fsspec's ``hf`` filesystem reads it)."""
    if target.is_absolute() or format_suffix(target) in _FORMATS or target.parent.exists():  # (a name may hold a dot: OpenHermes-2.5)
        return ""
    parts, revision = _hub_parts(target)
    if len(parts) != 2:
        return ""
    repo = "/".join(parts)
    return (f"; a dataset on the Hugging Face Hub is read from this machine's Hugging Face cache once there (none is): "
            f"'{_hub_download(repo, revision)}' or datasets' load_dataset puts it there; or read it over the network as "
            f"hf://datasets/{repo}" + (f"@{revision}" if revision else ""))


def _hub_download(repo: str, revision: str | None) -> str:
    """The command that puts a Hub dataset's revision in the local Hugging Face cache."""
    return f"hf download {repo} --repo-type dataset" + (f" --revision {revision}" if revision else "")


def _hub_cache_files(target: Path, split: str | None) -> list[Path] | None:
    """For a relative ``OWNER/NAME[@REVISION][/PATH]`` that names no local file, where this
    machine's Hugging Face cache (``HF_HUB_CACHE``, else ``HF_HOME/hub``) holds a snapshot of
    the Hub dataset ``OWNER/NAME``, as ``datasets``' ``load_dataset`` and ``hf download`` leave
    it: the files of its main revision (or of ``REVISION``, a branch, tag or commit the cache
    holds, written as ``hf://`` paths write it) that ``PATH`` names (a folder, a file or a
    glob; without it, the snapshot's folder), read offline as a local folder's are (several
    splits refused unless ``split`` names one: :func:`_directory_files`). None where the cache
    holds no such dataset; refused, naming the revisions it holds, where it holds the
    dataset at other revisions only (``hf download --revision``, or the parquet conversion
    that ``datasets`` reads for a dataset the Hub converted)."""
    parts, revision = _hub_parts(target)
    if target.is_absolute() or len(parts) < 2 or ".." in parts:
        return None
    repo = f"{parts[0]}/{parts[1]}"
    shown = "/".join([f"{repo}@{revision}" if revision else repo, *parts[2:]])
    if (snapshot := cached_snapshot(repo, "dataset", revision)) is None:
        if revisions := cached_revisions(repo, "dataset"):
            raise QcauditError(f"{shown}: the Hugging Face cache holds {repo} at {', '.join(revisions)}, not at {revision or 'main'}: "
                               f"name one ({repo}@{revisions[0]}" + "".join(f"/{part}" for part in parts[2:])
                               + f"), or put {revision or 'main'} there ('{_hub_download(repo, revision)}')")
        return None
    inside = snapshot.joinpath(*parts[2:])
    if inside.is_dir():
        return _directory_files(inside, shown, split)
    if inside.is_file():
        return [inside]
    if GLOB_CHARS.intersection(shown) and (files := _each_file_once(_glob(str(inside)))):
        return files
    held = ", ".join(sorted(p.relative_to(snapshot).as_posix() for p in snapshot.rglob("*") if format_suffix(p) in _FORMATS)[:5])
    raise QcauditError(f"{shown}: the Hugging Face cache's copy of {repo} ({snapshot}) holds no {'/'.join(parts[2:])}"
                       + (f"; it holds {held}" if held else ""))


def _data_files(files: list[InputFile]) -> list[InputFile]:
    """A directory's data files: its .txt files are data only when it holds no other kind (a
    LICENSE.txt or notes.txt beside parquet shards is not a shard), and Hugging Face's
    metadata files (:data:`HF_DATASET_METADATA`: a Hub repository's legacy
    ``dataset_infos.json``, ``save_to_disk``'s ``state.json``) only when it holds nothing but JSON."""
    kinds = {_FORMATS.get(format_suffix(f)) for f in files}
    if kinds != {"txt"}:
        files = [f for f in files if _FORMATS.get(format_suffix(f)) != "txt"]
    if kinds - {"json", "txt"}:
        files = [f for f in files if name_of(f).name not in HF_DATASET_METADATA]
    return files


#: Names of a dataset's splits, as Hugging Face names its shards (``train-00000-of-00002.parquet``),
#: its files (``train.jsonl``; ``gsm8k-test.arrow`` in ``datasets``' own cache) or the folders
#: that hold them (``train/0000.parquet``).
SPLIT_NAMES = frozenset({"train", "test", "validation", "valid", "dev", "eval"})
#: A split's name in a file's name, set off as ``datasets`` finds one (its
#: ``DEFAULT_PATTERNS_SPLIT_IN_FILENAME``): at either end or between ``-``, ``.``, ``_``, a
#: space or a digit.
_SPLIT_IN_NAME = re.compile(rf"(?:^|[-._ \d])({'|'.join(sorted(SPLIT_NAMES))})(?=$|[-._ \d])")
#: A numbered shard of a set of known size, as Hugging Face and ``datasets``' ``save_to_disk``
#: name them: ``train-00001-of-00004.parquet``, ``data-00000-of-00002.arrow`` (Hub uploads
#: may add ``-<hash>`` before the suffix).
_NUMBERED_SHARD = re.compile(r"^(.*)-(\d{5})-of-(\d{5})(?:-[0-9a-f]+)?\.")


#: A file's or folder's name (before its suffixes) that names a dataset's split, or a shard of
#: one, and nothing else: ``test``, ``test-00000-of-00001``, ``test-*``, Hive's ``split=test``,
#: ``datasets``' ``data-00000-of-00001``, a shard numbered alone (``0000``).
_SPLIT_OR_SHARD = re.compile(rf"(?:split=)?(?:{'|'.join(sorted(SPLIT_NAMES))}|data)?(?:[-_]?\d+(?:-of-\d+)?(?:-[0-9a-f]+)?)?[-_]?\**")


def names_split_or_shard(stem: str) -> bool:
    """Whether ``stem``, a file's name without its suffixes or a folder's, says only which split
    or shard it holds (:data:`_SPLIT_OR_SHARD`), not whose: what names the data is a folder
    above it."""
    return _SPLIT_OR_SHARD.fullmatch(stem) is not None


def _directory_files(target: Path, shown: str | None = None, split: str | None = None) -> list[Path]:
    """A directory's data files, searched recursively, in sorted path order; one that holds
    several splits of a dataset is refused unless ``split`` names one, whose files alone are
    then read (:func:`_one_split`), and part of a numbered set of shards is refused; named as
    ``shown`` (else its path)."""
    shown = shown or str(target)
    if (target / "dataset_dict.json").is_file():  # datasets' DatasetDict.save_to_disk: one folder a split
        splits = sorted(p.name for p in target.iterdir() if p.is_dir())
        if split in splits:
            log.warning("%s holds several splits of a dataset (%s); its %s split is read (%s/%s)", shown, ", ".join(splits), split,
                        shown, split)
            return _directory_files(target / split, f"{shown}/{split}")
        raise QcauditError(f"{shown} holds a dataset's splits ({', '.join(splits)}); give one split's folder, e.g. {shown}/train")
    files = _each_file_once(sorted(p for p in target.rglob("*") if format_suffix(p) in _FORMATS and not hidden(p.relative_to(target))))
    if not files:
        raise QcauditError(f"{shown} holds no .parquet, .jsonl, .json, .csv, .tsv, .txt or .arrow file")
    files = _data_files(files)
    return _whole_split(shown, files, [PurePosixPath(p.relative_to(target).as_posix()) for p in files], split)


def _whole_split(root: str, files: list[_Files], relative: list[PurePosixPath], split: str | None) -> list[_Files]:
    """A directory's data files (their paths under ``root``, a local folder or a URI:
    ``relative``) checked before they are read as one table: those of one split
    (:func:`_one_split`: read whole, a test split would be audited as training data), with
    none of a numbered set of shards missing (:func:`_refuse_missing_shards`: part of the data
    would pass for all of it)."""
    chosen = _one_split(root, relative, split)
    _refuse_missing_shards(root, [relative[i] for i in chosen])
    return [files[i] for i in chosen]


def _split_of(file: PurePosixPath) -> tuple[str | None, PurePosixPath]:
    """The split a data file belongs to, by its name or a folder's (Hive's ``split=test``
    too), and the folder that holds that split (which tells a dataset's configurations,
    ``main/test-*.parquet`` beside ``socratic/test-*.parquet``, apart); None where its path
    names no split."""
    in_name = _SPLIT_IN_NAME.search(file.name)
    if in_name:
        return in_name.group(1), file.parent
    folders = [part.partition("=")[2] or part for part in file.parent.parts]
    named = [i for i, folder in enumerate(folders) if folder in SPLIT_NAMES]
    if named:
        return folders[named[-1]], PurePosixPath(*file.parent.parts[: named[-1] + 1])
    return None, file.parent


def _one_split(root: str, files: list[PurePosixPath], split: str | None) -> list[int]:
    """The positions of the files to read among a directory's ``files`` (paths under
    ``root``): all of them where they hold one split of a dataset or none; where they hold
    several, the files of ``split``, with a warning that says so, else refused. A ``split``
    held in several folders is refused either way (:func:`_refuse_configurations`)."""
    found = [_split_of(file) for file in files]
    firsts: dict[str, PurePosixPath] = {}  # each split's first file
    for file, (name, _) in zip(files, found):
        if name is not None:
            firsts.setdefault(name, file)
    if split in firsts:
        _refuse_configurations(root, sorted({folder for name, folder in found if name == split}), split)
    if len(firsts) <= 1:
        return list(range(len(files)))
    shown = ", ".join(f"{name} ({root}/{firsts[name]})" for name in sorted(firsts))
    if split not in firsts:
        raise QcauditError(f"{root} holds several splits of a dataset: {shown}; give one split's folder or files "
                           + ("(a glob such as 'data/train-*.parquet')" if split is None else f"(it holds no {split} split)"))
    log.warning("%s holds several splits of a dataset (%s); its %s split is read (%s/%s)", root, ", ".join(sorted(firsts)),
                split, root, firsts[split])
    return [i for i, (name, _) in enumerate(found) if name == split]


def _refuse_configurations(root: str, folders: list[PurePosixPath], split: str) -> None:
    """A ``split`` held in several folders is one in each of a dataset's configurations
    (GSM8K's ``main`` and ``socratic``; cais/mmlu's subjects beside ``all``, which holds them
    all again), whether or not other splits lie beside it: read together, the same items
    would be read twice, or two datasets as one. A glob of the files meant still reads them."""
    if len(folders) > 1:
        named = ", ".join(f"{root}/{folder}" if folder.parts else root for folder in folders[:4]) + (", ..." if len(folders) > 4 else "")
        every = f" ({root}/all, by its name, holds them all)" if PurePosixPath("all") in folders else ""
        raise QcauditError(f"{root} holds a {split} split in each of {len(folders)} folders ({named}); give one of them{every}, "
                           "or a glob of the files meant together")


def _refuse_missing_shards(root: str, files: list[PurePosixPath]) -> None:
    """A folder whose shards say how many there are (``train-00000-of-00004.parquet``) and
    lack some was downloaded or copied in part. The shards present still read by naming them
    (a glob)."""
    sets: dict[tuple[PurePosixPath, str, int, str], set[int]] = {}
    for file in files:
        shard = _NUMBERED_SHARD.match(file.name)
        if shard:
            prefix, index, total = shard.group(1), int(shard.group(2)), int(shard.group(3))
            sets.setdefault((file.parent, prefix, total, file.name[shard.end() - 1 :]), set()).add(index)
    for (parent, prefix, total, suffix), present in sorted(sets.items()):
        missing = [i for i in range(total) if i not in present]
        if missing:
            folder = root if parent == PurePosixPath() else f"{root}/{parent}"
            named = ", ".join(f"{prefix}-{i:05d}-of-{total:05d}" for i in missing[:3]) + (", ..." if len(missing) > 3 else "")
            raise QcauditError(f"{folder} lacks {len(missing)} of {prefix}'s {total} shards ({named}): finish the download, "
                               f"or read the shards present by name, e.g. '{folder}/{prefix}-*{suffix}'")


def format_of(files: list[InputFile]) -> str:
    formats: dict[str, InputFile] = {}  # each format's first file
    for f in files:
        fmt = _FORMATS.get(format_suffix(f))
        if fmt is None:
            spreadsheet = format_suffix(f) in _SPREADSHEETS
            raise QcauditError(
                f"{f}: " + ("a spreadsheet, which is not read; save its sheet as CSV (UTF-8)" if spreadsheet else "unknown format")
                + "; use .parquet, .jsonl, .json, .csv, .tsv or .txt (one row a line; optionally .gz, .zst, .bz2 or .xz), or .arrow"
            )
        if fmt in ("parquet", "arrow") and compression(name_of(f)):
            raise QcauditError(f"{f}: a compressed {fmt} file is not read ({fmt} compresses its own columns); decompress it "
                               f"first ({DECOMPRESS_COMMANDS[compression(name_of(f))]} -k)")
        formats.setdefault(fmt, f)
    if len(formats) > 1:
        found = ", ".join(f"{fmt} ({formats[fmt]})" for fmt in sorted(formats))
        raise QcauditError(f"mixed input formats: {found}; give files of one format")
    return next(iter(formats))


def read_files(files: list[InputFile], csv_header: bool = True) -> list[tuple[InputFile, pl.DataFrame]]:
    """Read each of ``files`` (:func:`input_files`) eagerly, one frame per file.

    For small tables such as benchmarks, where each file may carry meaning (an MMLU subject).
    """
    fmt = format_of(files)
    tables = []
    for file in files:
        frame = (scan_files([file], fmt) if fmt in ("parquet", "arrow") else _read_text_file(file, fmt, csv_header)).frame
        try:
            tables.append((file, frame.collect()))
        except pl.exceptions.PolarsError as exc:
            raise read_failure([file], exc) from None
    return tables


class ScannedFiles(NamedTuple):
    """An input's files read as one table, and each file's columns where the files' columns
    differ (none where there is one file or all have the same); ``rows``: the rows the files
    hold, where the table holds only each file's first rows (a quick look: :func:`scan_files`);
    ``text_or_turns``: the columns of JSON files that hold a text in some rows and a list of
    turns in others (:attr:`~qcaudit.inputcheck.TextFileCheck.text_or_turns`), which Polars
    reads as text, the lists written as JSON."""

    frame: pl.LazyFrame
    file_schemas: list[pl.Schema]
    rows: int | None = None
    text_or_turns: tuple[str, ...] = ()


def _scan_parquet(files: list[InputFile]) -> ScannedFiles:
    """Parquet shards as one table, streamed. Shards whose schemas differ (a column that later
    shards add, a number stored as an integer in one and a float in another) are joined as
    the text formats' are: a column a shard lacks is null there, types widen to a common one."""
    paths = [str(f) if is_uri(f) else f for f in files]
    streamed = all(not is_uri(f) or streamed_by_polars(f) for f in paths)  # (else each read whole through fsspec)
    if len(files) == 1 and streamed:
        return ScannedFiles(pl.scan_parquet(paths, glob=False), [])
    try:
        shards = [pl.scan_parquet(f, glob=False) if streamed else read_parquet(f) for f in paths]
        schemas = [shard.collect_schema() for shard in shards]  # (each file's footer)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise read_failure(files, exc) from None
    if all(schema == schemas[0] for schema in schemas):
        return ScannedFiles(pl.scan_parquet(paths, glob=False) if streamed else pl.concat(shards, how="vertical"), [])
    return ScannedFiles(pl.concat(shards, how="diagonal_relaxed"), schemas)


def scan_files(files: list[InputFile], fmt: str, csv_header: bool = True, limit: int | None = None) -> ScannedFiles:
    """An input's files as one table. ``limit`` (a quick look at the input's first rows): of
    local text files (:data:`~qcaudit.inputcheck.HEAD_CHECKED`), only the first
    ``limit`` rows of each are checked and read, and the rest counted (:attr:`ScannedFiles.rows`),
    so that a quick look at a file of many gigabytes costs a count of its lines, and a fault
    further on does not stop it."""
    partitions = _hive_partitions(files)
    if partitions:
        scanned = [scan_files([file], fmt, csv_header, limit) for file in files]
        joined = _joined([part._replace(frame=_with_partition(part.frame, values))
                          for part, values in zip(scanned, partitions, strict=True)])
        counted = [part.rows for part in scanned]
        return joined._replace(rows=None if None in counted else sum(counted))
    if fmt == "parquet":
        return _scan_parquet(files)
    if limit is not None and fmt in HEAD_CHECKED and not any(map(is_uri, files)):
        heads = [_text_file_head(f, fmt, limit, csv_header) for f in files]
        return _joined(heads)._replace(rows=sum(head.rows for head in heads))
    return _joined([ScannedFiles(_read_arrow(f), []) if fmt == "arrow" else _read_text_file(f, fmt, csv_header) for f in files])


def _text_file_head(path: Path, fmt: str, rows: int, csv_header: bool) -> ScannedFiles:
    """The first ``rows`` rows of a JSON Lines, text, CSV or TSV file, checked and read from
    memory, with the rows the whole file holds. A .jsonl file that holds a JSON array is read whole."""
    read = _with_line_feeds(path, fmt)
    if read != path:
        with _named_as(read, path):
            return _text_file_head(read, fmt, rows, csv_header)
    check = check_text_file(path, fmt, csv_header, head_rows=rows)
    if check.rows == 0:
        raise QcauditError(f"{path} holds no rows")
    if check.head is None:  # (the check read the array whole, as a document; not checked again)
        frame = _read_in_memory(path, path.read_bytes(), check.reading, csv_header)
    else:
        frame = _read_bytes(path, check.head, check.reading, csv_header)
    return ScannedFiles(frame, [], check.rows, check.text_or_turns)


#: A folder of a Hive-partitioned dataset (Spark's, Ray Data's or pyarrow's ``partitioning="hive"``
#: output): ``round=3``, the value of column ``round`` for every file below it.
_HIVE_FOLDER = re.compile(r"^([^=]+)=(.*)$")
#: The value Hive writes for a null partition key.
_HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def _hive_partitions(files: list[InputFile]) -> list[dict[str, str | None]] | None:
    """Per file, the Hive partition columns its folders name (``round=3/part-0.parquet``:
    ``{"round": "3"}``), from the folders below the files' common folder (a partition that
    all files share is no column: an input of one partition's folder reads as before); None
    when no folder names one. Values are percent-decoded, as Spark escapes them."""
    if len(files) < 2:
        return None
    folders = [str(file).replace("\\", "/").split("/")[:-1] for file in files]
    shared = 0
    while all(len(parts) > shared and parts[shared] == folders[0][shared] for parts in folders):
        shared += 1
    partitions = []
    for parts in folders:
        found = {m.group(1): m.group(2) for part in parts[shared:] if (m := _HIVE_FOLDER.match(part))}
        partitions.append({key: None if value == _HIVE_NULL else unquote(value) for key, value in found.items()})
    return partitions if any(partitions) else None


def _with_partition(frame: pl.LazyFrame, values: dict[str, str | None]) -> pl.LazyFrame:
    """``frame`` with its file's partition columns, where the file does not hold that column
    itself: whole numbers as integers, anything else as text."""
    held = set(frame.collect_schema().names())
    columns = []
    for key, value in values.items():
        if key in held:
            continue
        whole = value is not None and re.fullmatch(r"-?\d{1,18}", value) is not None
        columns.append(pl.lit(int(value) if whole else value, dtype=pl.Int64 if whole else pl.String).alias(key))
    return frame.with_columns(columns)


def _joined(files: list[ScannedFiles]) -> ScannedFiles:
    """One input's files, each read, as one table; their schemas where they differ."""
    if len(files) == 1:
        return files[0]._replace(rows=None)
    frames = [file.frame for file in files]
    text_or_turns = tuple(dict.fromkeys(name for file in files for name in file.text_or_turns))
    try:
        schemas = [frame.collect_schema() for frame in frames]
    except pl.exceptions.PolarsError:  # (its reading fails, and says why, where every input's does)
        return ScannedFiles(pl.concat(frames, how="diagonal_relaxed"), [], text_or_turns=text_or_turns)
    same = all(schema == schemas[0] for schema in schemas)
    return ScannedFiles(pl.concat(_chat_contents_alike(frames, schemas), how="diagonal_relaxed"), [] if same else schemas,
                        text_or_turns=text_or_turns)


def _chat_contents_alike(frames: list[pl.LazyFrame], schemas: list[pl.Schema]) -> list[pl.LazyFrame]:
    """The files of one input (with their schemas), with each chat column whose turns hold
    their content as text in some files and as content parts in others read as text in all
    (the text parts joined), so that one column type holds them."""
    for name in {name for schema in schemas for name in schema.names()}:
        if len({schema[name] for schema in schemas if name in schema}) == 1:
            continue
        for i, schema in enumerate(schemas):
            layout = chat_layout(schema.get(name))
            if layout and is_text_parts(layout.content_dtype):
                as_text = text_of_parts(pl.field(layout.content), layout.content_dtype).alias(layout.content)
                frames[i] = frames[i].with_columns(pl.col(name).list.eval(pl.element().struct.with_fields(as_text)))
    return frames


def _read_arrow(path: InputFile) -> pl.LazyFrame:
    """An Arrow IPC file: the file format scanned lazily, or the stream format that Hugging
    Face ``datasets`` writes, memory-mapped (as ``datasets`` itself reads it)."""
    if is_uri(path):
        raise QcauditError(f"{path}: Arrow files are read from a local disk; copy it first, or write parquet")
    try:
        frame = pl.scan_ipc(path, glob=False)
        frame.collect_schema()
        return frame
    except (pl.exceptions.PolarsError, OSError):  # (an empty file: "Invalid argument (os error 22)")
        pass
    import pyarrow as pa
    import pyarrow.ipc

    try:
        table = pyarrow.ipc.open_stream(pa.memory_map(str(path))).read_all()
    except (pa.ArrowException, OSError) as exc:
        raise read_failure([path], exc) from None
    return pl.from_arrow(table).lazy()


def _read_text_file(path: InputFile, fmt: str, csv_header: bool = True) -> ScannedFiles:
    """Check a jsonl/json/csv/tsv/txt file (:mod:`qcaudit.inputcheck`), then read it. JSON Lines,
    CSV/TSV and plain text are scanned where they lie, compressed or not (Polars decompresses
    gzip and Zstandard as it reads: ``benchmarks/bench_compressed_read.py``, 1,000,000 rows of
    .jsonl.gz, 2026-12-02: 167 MB peak against 662 MB read into memory; a bzip2 or xz file, or
    a Zstandard one that opens with a skippable frame, as ``pzstd`` writes, is read from a
    Zstandard copy, :func:`_zstd_copy`, as is a CSV, TSV or text file whose lines
    end in a carriage return alone, :func:`_with_line_feeds`); a JSON document's rows (an
    array's items, of objects or of texts, an object's records, a table's rows) through a JSON
    Lines copy written as they are checked (:func:`_json_lines_copy`); JSON Lines and plain
    text that open with a byte-order mark or (JSON Lines) whose name holds a glob character,
    and a JSON array in a file named .jsonl, are read into memory first. A file named by a
    URI is read from its local copy. Its columns that hold a text in some rows and a list of
    turns in others are named (:attr:`ScannedFiles.text_or_turns`)."""
    if is_uri(path):
        return _read_remote_text_file(str(path), fmt, csv_header)
    if not scanned_as_it_is(path):  # (bzip2, xz, a pzstd file)
        refuse_stand_in(path, fmt)  # (a Git LFS pointer named .jsonl.xz is not xz)
        copy = _made_once("a Zstandard copy", path, partial(_zstd_copy, path))
        with _named_as(copy, path):
            return _read_text_file(copy, fmt, csv_header)
    read = _with_line_feeds(path, fmt)
    if read != path:
        with _named_as(read, path):
            return _read_text_file(read, fmt, csv_header)
    check, copy = _made_once("a JSON Lines copy", path, partial(_json_lines_copy, path)) if fmt == "json" else (
        check_text_file(path, fmt, csv_header), None)
    if check.rows == 0:
        raise QcauditError(f"{path} holds no rows")
    return ScannedFiles(_read_checked(path, check, copy, csv_header), [], text_or_turns=check.text_or_turns)


def _read_checked(path: Path, check: TextFileCheck, copy: Path | None, csv_header: bool) -> pl.LazyFrame:
    """A local file read as its ``check`` chose, from the JSON Lines ``copy`` of a .json file's
    rows where the check wrote one (:func:`_read_text_file`)."""
    if copy is not None and check.reading == JSON_TEXTS:
        return _json_texts(pl.scan_lines(copy, name=TXT_COLUMN, glob=False))
    if copy is not None:
        return _chat_contents_read_as_text(lambda overrides: pl.scan_ndjson(copy, infer_schema_length=None, schema_overrides=overrides))
    fmt = check.reading
    if fmt == JSON_TEXTS and not check.bom:
        return _json_texts(pl.scan_lines(path, name=TXT_COLUMN, glob=False))
    if fmt == "jsonl" and not check.bom and not GLOB_CHARS.intersection(str(path)):
        # (it expands globs and cannot be told not to)
        return _chat_contents_read_as_text(lambda overrides: pl.scan_ndjson(path, infer_schema_length=None, schema_overrides=overrides))
    if fmt in DELIMITED:
        return pl.scan_csv(path, infer_schema_length=10000, has_header=csv_header, glob=False, **DELIMITED[fmt])
    if fmt == "txt" and not check.bom:  # (lines split as _text_lines splits them)
        return pl.scan_lines(path, name=TXT_COLUMN, glob=False)
    return _read_in_memory(path, path.read_bytes(), fmt, csv_header)


def _made_once(kind: str, path: Path, make: Callable[[Path], Any]) -> Any:
    """``make(directory)``: ``kind`` ("a JSON Lines copy") of the local file ``path``, made
    once for each state of the file on disk (:func:`~qcaudit.cache.made_once`)."""
    status = path.stat()
    return made_once((kind, path.resolve(), status.st_size, status.st_mtime_ns, status.st_ino), f"{kind} of {path}", make)


def _json_lines_copy(path: Path, directory: Path) -> tuple[TextFileCheck, Path | None]:
    """Check a .json file; where it holds one document (an array, of objects or of texts; an
    object of records, or a table as pandas writes one), also write its rows as JSON Lines in
    ``directory``, one a line, as they are checked, for Polars to scan (read whole, an array
    took several times its size in memory: ``bench_compressed_read.py --format json``,
    ``json-texts`` and ``json-keyed``): the check, and the copy or None (JSON Lines, scanned
    where they lie)."""
    with open(directory / "items.jsonl", "w", encoding="utf-8") as lines:
        check = check_text_file(path, "json", json_lines=lines)
    return check, directory / "items.jsonl" if check.copied else None


def _zstd_copy(path: Path, directory: Path, line_feeds: bool = False) -> Path:
    """A file that Polars cannot scan (bzip2, xz, pzstd's Zstandard) recompressed as Zstandard
    in ``directory`` as it is read, a MB at a time (read whole, it was held decompressed in
    memory): the copy, named as the file is but for its compression. With ``line_feeds``,
    each line end (a carriage return, and a carriage return and line feed) is a line feed in
    the copy, as Python's universal newlines read a file."""
    copy = directory / f"{without_compression(PurePosixPath(path.name))}.zst"
    try:
        with open_decompressed(path) as source, open_compressed(copy, copy) as target:
            if not line_feeds:
                shutil.copyfileobj(source, target, COPY_BYTES)
                return copy
            held = b""  # (a carriage return that ends a read: its line feed may open the next)
            while chunk := source.read(COPY_BYTES):
                data, held = held + chunk, b"\r" if chunk.endswith(b"\r") else b""
                target.write(data[:len(data) - len(held)].replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
            target.write(held.replace(b"\r", b"\n"))
    except DAMAGED as exc:
        raise damaged(path, exc) from None
    return copy


def _with_line_feeds(path: Path, fmt: str) -> Path:
    """``path``, or where it is a CSV, TSV or text file whose lines end in a carriage return
    alone (:func:`~qcaudit.inputcheck.lines_end_in_cr`: classic Mac OS's line ends, which
    Excel for Mac still writes as "CSV (Macintosh)", and which pandas and Python's universal
    newlines read as line ends; Polars reads one line), a copy of it whose line ends are line
    feeds, made once (:func:`_zstd_copy`)."""
    if fmt not in _LINE_FORMATS or not lines_end_in_cr(path):
        return path
    return _made_once("a copy with line feeds", path, partial(_zstd_copy, path, line_feeds=True))


@contextmanager
def _named_as(copy: Path, path: Path) -> Iterator[None]:
    """Messages of a read of ``copy`` name ``path``, the file the user gave."""
    try:
        yield
    except QcauditError as exc:
        raise QcauditError(str(exc).replace(str(copy), str(path))) from None


def _read_remote_text_file(uri: str, fmt: str, csv_header: bool) -> ScannedFiles:
    """A text file named by a URI: copied to local disk as it is fetched
    (:func:`~qcaudit.remote.local_copy`), then checked and read as a local file is; messages
    name the URI."""
    local = local_copy(uri)
    try:
        return _read_text_file(local, fmt, csv_header)
    except QcauditError as exc:
        raise QcauditError(str(exc).replace(str(local), uri)) from None


def _read_in_memory(path: InputFile, raw: bytes, fmt: str, csv_header: bool) -> pl.LazyFrame:
    return _read_bytes(path, decompressed(raw, name_of(path)).removeprefix(BOM), fmt, csv_header)


def _read_bytes(path: InputFile, data: bytes, fmt: str, csv_header: bool) -> pl.LazyFrame:
    """The file ``path`` from its ``data``, decompressed and without a byte-order mark, read
    as ``fmt`` (a reading :func:`~qcaudit.inputcheck.check_text_file` chose)."""
    try:
        if fmt == "txt":
            return pl.DataFrame(_text_lines(data.decode("utf-8"))).lazy()
        if fmt == JSON_TEXTS:
            return _json_texts(pl.scan_lines(io.BytesIO(data), name=TXT_COLUMN)).collect().lazy()
        if fmt in DELIMITED:
            return pl.read_csv(io.BytesIO(data), infer_schema_length=10000, has_header=csv_header, **DELIMITED[fmt]).lazy()
        if fmt == "json":  # (an array in a file named .jsonl: a .json file's rows are read from the check's copy)
            try:
                return pl.read_json(io.BytesIO(data), infer_schema_length=None).lazy()
            except pl.exceptions.PolarsError:
                data = _json_lines_of_array(data)  # as JSON lines, chats that mix text and content parts read
                if data is None:
                    raise
        return json_lines_read(data).lazy()  # parsed once, not again each time the rows are read
    except pl.exceptions.PolarsError as exc:
        raise read_failure([path], exc) from None


def json_lines_read(data: bytes) -> pl.DataFrame:
    """JSON Lines ``data`` read as a file of them is: chats whose turns' content is a text in
    some and content parts in others read (:func:`_chat_contents_read_as_text`)."""
    return _chat_contents_read_as_text(lambda overrides: pl.scan_ndjson(data, infer_schema_length=None,
                                                                        schema_overrides=overrides)).collect()


def _json_lines_of_array(data: bytes) -> bytes | None:
    """A JSON array of objects as JSON lines; None for any other JSON."""
    try:
        records = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        return None
    return "\n".join(json.dumps(record) for record in records).encode()


def _chat_contents_read_as_text(read: Callable[[dict[str, pl.DataType]], pl.LazyFrame]) -> pl.LazyFrame:
    """A JSON (lines) file read by ``read(schema_overrides)``, read again with its chat columns'
    content as text where Polars took it for a list of strings: what it makes of turns whose
    content is text in some and a list of content parts in others, and then cannot read.
    As text, the lists are written as JSON, and :func:`~qcaudit.text_columns.turn_content` reads them back."""
    frame = read({})
    try:
        schema = frame.collect_schema()
    except pl.exceptions.PolarsError:
        return frame  # (its reading fails, and says why, where every input's does)
    overrides = {}
    for name, dtype in schema.items():
        layout = chat_layout(dtype)
        if layout and layout.content_dtype == pl.List(pl.String):
            overrides[name] = pl.List(pl.Struct({f.name: pl.String if f.name == layout.content else f.dtype for f in dtype.inner.fields}))
    return read(overrides) if overrides else frame


def _json_texts(lines: pl.LazyFrame) -> pl.LazyFrame:
    """The texts of a file read as :data:`~qcaudit.inputcheck.JSON_TEXTS`, from its lines
    (column ``text``): one JSON string or null a line, decoded by Polars (a string's newlines
    are escaped in it, so a line is never cut inside one); blank lines pass, as the check
    passes them."""
    line = pl.col(TXT_COLUMN)
    return lines.filter(line.str.strip_chars(JSON_WHITESPACE) != "").select(line.str.json_decode(pl.String))


def _text_lines(text: str) -> pl.Series:
    """The lines of a plain text file (a final newline opens no line; a line's ``\\r`` of a
    CRLF ending dropped), split by Polars in pieces of about :data:`TXT_PIECE_CHARS`."""
    text = text.removesuffix("\n")
    pieces, start = [], 0
    while True:
        end = text.find("\n", start + TXT_PIECE_CHARS) if start + TXT_PIECE_CHARS < len(text) else -1
        pieces.append(pl.Series(TXT_COLUMN, [text[start:] if end < 0 else text[start:end]]).str.split("\n").explode())
        if end < 0:
            return pl.concat(pieces).str.strip_suffix("\r")
        start = end + 1


def read_failure(files: list[InputFile], exc: Exception) -> QcauditError:
    """A one-line error for a reader failure: a file that stands in for the data, named so
    (:func:`~qcaudit.inputcheck.refuse_stand_in`); for JSON that Polars could not read, the
    place in the records that mixes kinds of values, where one does (no column type holds them)."""
    fmt = _FORMATS.get(format_suffix(files[0]), "")
    for file in files:
        if not is_uri(file):
            refuse_stand_in(Path(file), fmt)
    if fmt in ("jsonl", "json"):
        for file in files:
            try:
                mixed = mixed_shapes(local_copy(file) if is_uri(file) else Path(file), fmt)
            except (ValueError, OSError, RecursionError, QcauditError):  # no better reason to give than the reader's
                mixed = None
            if mixed:
                return QcauditError(f"cannot read {file} as {fmt}: {mixed}; a column needs one kind of value in each place "
                                    "(drop or flatten that field)")
    where = str(files[0]) if len(files) == 1 else f"one of {len(files)} {fmt} files"
    return QcauditError(f"cannot read {where}" + (f" as {fmt}" if fmt else "") + f": {first_line(exc)}")
