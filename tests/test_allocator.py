"""qcaudit.allocator: freed large blocks are reused without the kernel mapping and zeroing
their pages again, and a user's own malloc settings are left alone.

Each check runs in a fresh interpreter: malloc's settings last for the whole process."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

from qcaudit.allocator import _user_tunes_malloc

GLIBC = platform.libc_ver()[0] == "glibc"

#: Touch a 256 MiB block, free it, take one of the same size and count the page faults of
#: touching that one (ctypes' malloc: numpy's huge-page advice would hide the faults), inside
#: the block ("keep"), without it ("plain"), or after it has ended ("after").
FAULTS_OF_A_REUSED_BLOCK = """
import ctypes, json, resource, sys
from qcaudit.allocator import freed_blocks_reused
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
size = 256 * 2**20

def faults_of_reuse():
    first = libc.malloc(size); ctypes.memset(first, 1, size); libc.free(first)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    second = libc.malloc(size); ctypes.memset(second, 2, size); libc.free(second)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

took = None
if sys.argv[1] == "plain":
    faults = faults_of_reuse()
else:
    with freed_blocks_reused() as took:
        faults = faults_of_reuse()
    if sys.argv[1] == "after":
        faults = faults_of_reuse()
print(json.dumps({"took": took, "faults": faults, "pages": size // resource.getpagesize()}))
"""


def _faults(mode: str, **env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if not _user_tunes_malloc({k: v})} | env
    ran = subprocess.run([sys.executable, "-c", FAULTS_OF_A_REUSED_BLOCK, mode], capture_output=True, text=True,
                         env=environ, check=True)
    return json.loads(ran.stdout)


@pytest.mark.skipif(not GLIBC, reason="the setting is glibc's malloc's")
def test_a_freed_block_is_reused_without_new_page_faults_inside_the_block_alone():
    kept, plain, after = _faults("keep"), _faults("plain"), _faults("after")
    assert kept["took"] is True
    assert plain["faults"] > plain["pages"] // 2  # the control: a fresh mapping, every page faulted in again
    assert kept["faults"] < kept["pages"] // 100
    assert after["faults"] > after["pages"] // 2  # glibc's defaults are back once the block ends


@pytest.mark.skipif(not GLIBC, reason="the setting is glibc's malloc's")
def test_a_users_own_malloc_settings_are_kept():
    assert _faults("keep", MALLOC_MMAP_MAX_="65536")["took"] is False
    assert _faults("keep", GLIBC_TUNABLES="glibc.malloc.trim_threshold=1000")["took"] is False


def test_which_environments_tune_malloc():
    assert _user_tunes_malloc({"MALLOC_ARENA_MAX": "2"})
    assert _user_tunes_malloc({"GLIBC_TUNABLES": "glibc.rtld.optional_static_tls=1:glibc.malloc.tcache_count=0"})
    assert not _user_tunes_malloc({"GLIBC_TUNABLES": "glibc.rtld.optional_static_tls=1", "MALLOC": "x", "PATH": "/bin"})


def test_the_command_sets_polars_to_keep_freed_pages_before_polars_loads_unless_the_user_did():
    """The console script sets Polars' jemalloc (``_RJEM_MALLOC_CONF``) to keep freed pages
    before Polars is imported, and jemalloc takes it (its own statistics say so); a user's own
    setting is left as it is."""
    probe = ("import os, sys; sys.argv = ['qcaudit', '--version']\n"
             "import qcaudit.__main__ as entry\n"
             "try:\n    entry.main()\nexcept SystemExit:\n    pass\n"
             "print(os.environ.get('_RJEM_MALLOC_CONF'), 'polars' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    conf, polars_loaded = ran.stdout.split()[-2:]  # (Polars puts its own defaults first as it loads: the last of a key wins)
    assert conf.endswith("dirty_decay_ms:10000,muzzy_decay_ms:10000") and polars_loaded == "True"
    mine = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env=env | {"_RJEM_MALLOC_CONF": "dirty_decay_ms:0"})
    assert mine.stdout.split()[-2].endswith("dirty_decay_ms:0") and "10000" not in mine.stdout
    stats = subprocess.run([sys.executable, "-c", "import polars as pl; pl.DataFrame({'a': [1]})"], capture_output=True, text=True,
                           check=True, env=env | {"_RJEM_MALLOC_CONF": "dirty_decay_ms:10000,muzzy_decay_ms:10000,stats_print:true"})
    assert "opt.dirty_decay_ms: 10000" in stats.stdout + stats.stderr
