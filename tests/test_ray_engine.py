"""The Ray engine against the local one: the same report.json and rows.parquet on the same
input, whatever the row ranges and files; a worker killed mid-run is retried by Ray with the
same result; a bad shard is one line and exit 2. One local Ray cluster of 2 CPUs serves the
whole module (the engine joins a running Ray instead of starting its own)."""

from __future__ import annotations

import json
import os
import socket
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from qcaudit import registry
from qcaudit.config import load_config
from qcaudit.errors import QcauditError
from qcaudit.columns import ROW_ID, TEXT_STATUS
from qcaudit.registry import Analyzer, AnalyzerResult
from qcaudit.signatures import Metric
from tests.conftest import SAMPLES
from tests.test_architecture import EXAMPLE, corpora, plugin  # noqa: F401  (a fixture)
from tests.test_hostile_inputs import one_line_error, qc  # noqa: F401  (a fixture)

ray = pytest.importorskip("ray", reason="the Ray engine needs ray (pip install 'qcaudit[ray]')")
ROOT = Path(__file__).resolve().parents[1]
#: The analyzer below kills the first worker that runs it, once per marker file.
KILL_MARKER = "QCAUDIT_TEST_KILL_MARKER"


class KillsItsWorker(Analyzer):
    """Counts rows with text; the first call anywhere kills its own process (os._exit), as a
    node lost mid-run would."""

    name = "kills_its_worker"

    def partial(self, batch: pl.DataFrame) -> int:
        marker = os.environ.get(KILL_MARKER)
        if marker:
            try:
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                pass
            else:
                os._exit(1)
        return int((batch[TEXT_STATUS] == "ok").sum())

    def merge(self, a: int, b: int) -> int:
        return a + b

    def finalize(self, state: int) -> AnalyzerResult:
        return AnalyzerResult({"rows_with_text": Metric(state, "rows_with_text")}, pl.DataFrame({ROW_ID: pl.Series([], dtype=pl.UInt32)}))


@pytest.fixture(scope="module", autouse=True)
def local_ray(tmp_path_factory):
    marker = tmp_path_factory.mktemp("kill") / "killed-once"
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests"), str(EXAMPLE.parent)]), KILL_MARKER: str(marker),
           "QCAUDIT_CACHE_DIR": os.environ["QCAUDIT_CACHE_DIR"]}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": env})
    yield marker
    ray.shutdown()


def _both(data: Path, overrides: dict, workers: int = 2) -> tuple:
    from qcaudit import audit

    local = audit(data, load_config(None, overrides))
    on_ray = audit(data, load_config(None, overrides | {"engine.kind": "ray", "engine.ray_workers": workers}))
    return local, on_ray


def _same(local, on_ray) -> None:
    assert on_ray.dataset == local.dataset
    assert on_ray.metrics == local.metrics
    assert on_ray.tables == local.tables
    assert on_ray.rows.equals(local.rows)


# (4 random examples an analyzer a run, each about 7 s on 2 cores; the examples differ from run to run)
@pytest.mark.parametrize("name", ["diversity", "duplicates", "short_rows"])
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=corpora(), batch_rows=st.integers(1, 12), files=st.integers(1, 3), shuffle=st.sampled_from(["on", "auto"]),
       partitions=st.sampled_from([None, 1, 3]))
def test_ray_and_local_give_the_same_report(plugin, tmp_path_factory, name, rows, batch_rows, files, shuffle, partitions):  # noqa: F811
    """Global passes shuffled or sent to the driver (``auto`` on this one-node Ray)."""
    if name == "diversity" and sum(bool(r and r.strip()) for r in rows) < 2:
        return
    folder = tmp_path_factory.mktemp("shards")
    cut = [len(rows) * i // files for i in range(files + 1)]
    for i in range(files):  # a directory of shards: row_id runs on across them
        pl.DataFrame({"text": rows[cut[i]:cut[i + 1]]}, schema={"text": pl.String}).write_parquet(folder / f"part-{i}.parquet")
    _same(*_both(folder, {"analyzers": [name], "engine.batch_rows": batch_rows, "engine.ray_shuffle": shuffle,
                          "engine.ray_shuffle_partitions": partitions}))


def test_every_model_free_and_embedding_analyzer_on_the_sample(tmp_path):
    """Contamination included: map-only, each actor checks its batches against the benchmark
    (semantic method too) and the driver only counts; diversity's n-grams and duplicates'
    LSH buckets through the shuffle."""
    sample = pl.read_parquet(SAMPLES / "instructions.parquet")
    bench = tmp_path / "bench.jsonl"
    bench.write_text("".join(json.dumps({"question": q}) + "\n" for q in sample["output"][:40:4]))
    overrides = {"analyzers": ["diversity", "duplicates", "embeddings", "watermark", "contamination"], "engine.batch_rows": 128,
                 "engine.ray_shuffle": "on",
                 "input.fields": ["instruction", "input", "output"], "embeddings.map_points": 50,
                 "watermark.tokenizer": str(ROOT / "tests" / "fixtures" / "watermark" / "tokenizer"),
                 "benchmarks.toy.path": str(bench), "benchmarks.toy.adapter": "fields", "benchmarks.toy.fields": ["question"]}
    local, on_ray = _both(SAMPLES / "instructions.parquet", overrides)
    assert local.metrics["duplicates"]["exact_duplicate_rate"]["value"] > 0
    assert local.metrics["contamination"]["contaminated_rows"]["value"] > 0
    _same(local, on_ray)


def test_the_command_line_writes_the_same_files(qc, tmp_path):  # noqa: F811
    """By a URI (file://: the actors open the input through fsspec as the driver does)."""
    data = SAMPLES.resolve().as_uri() + "/instructions.parquet"
    common = ("--config", SAMPLES / "qcaudit.toml", "--batch-rows", "300", "-q")
    assert qc("report", data, "--out", tmp_path / "local", *common).code == 0
    assert qc("report", data, "--out", tmp_path / "ray", "--engine", "ray", "--ray-workers", "2", *common).code == 0
    local, on_ray = (json.loads((tmp_path / d / "report.json").read_text()) for d in ("local", "ray"))
    assert on_ray["metrics"] == local["metrics"] and on_ray["tables"] == local["tables"]
    assert on_ray["config"]["engine"]["kind"] == "ray"
    assert pl.read_parquet(tmp_path / "ray" / "rows.parquet").equals(pl.read_parquet(tmp_path / "local" / "rows.parquet"))


class RefusesRowFive(Analyzer):
    """Bad input found inside a worker: row 5 is refused, as a malformed record would be."""

    name = "refuses_row_five"

    def partial(self, batch: pl.DataFrame) -> None:
        if (batch[ROW_ID] == 5).any():
            raise QcauditError("row 5: refused <as bad input>")


class RefusesRowFiveAhead(RefusesRowFive):
    """The same, found while preparing (on the CPU actors, with ``ray_prepare = "on"``)."""

    name = "refuses_row_five_ahead"

    def prepare(self, batch: pl.DataFrame) -> pl.DataFrame:
        super().partial(batch)
        return batch

    def partial(self, batch: pl.DataFrame) -> None:
        return None


@pytest.fixture
def killer(monkeypatch):
    monkeypatch.setattr(registry, "_REGISTERED", dict(registry._REGISTERED))
    registry.register(KillsItsWorker)
    registry.register(RefusesRowFive)
    registry.register(RefusesRowFiveAhead)
    registry.analyzers.cache_clear()
    yield
    registry.analyzers.cache_clear()


def test_a_worker_killed_mid_run_is_retried_and_changes_nothing(local_ray, killer, tmp_path):
    """Killed while the map stage of a shuffled run is materialised: the range is run again,
    its pieces enter the shuffle once, and diversity's report is the local engine's."""
    from qcaudit import audit

    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": [f"row {i} of {i % 13}" if i % 7 else None for i in range(200)]}).write_parquet(data)
    overrides = {"analyzers": ["kills_its_worker", "diversity"], "engine.batch_rows": 20, "engine.ray_shuffle": "on"}
    report = audit(data, load_config(None, overrides | {"engine.kind": "ray", "engine.ray_workers": 2}))
    assert local_ray.exists()  # a worker did die
    assert report.value("kills_its_worker.rows_with_text") == sum(1 for i in range(200) if i % 7)
    local = audit(data, load_config(None, overrides))
    assert report.metrics["diversity"] == local.metrics["diversity"] and report.rows.equals(local.rows)


def test_a_shuffled_run_shows_its_map_stage_and_its_shuffle_in_a_log(qc, tmp_path):  # noqa: F811
    """Both long steps of a shuffled run report as plain lines when stderr is not a terminal:
    the rows the actors have done, then the shuffle's partitions reduced."""
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": [f"row {i} of {i % 5}" for i in range(60)]}).write_parquet(data)
    (tmp_path / "shuffle.toml").write_text('[engine]\nray_shuffle = "on"\nray_shuffle_partitions = 2\n')
    ran = qc("report", data, "--analyzers", "diversity,duplicates", "--engine", "ray", "--batch-rows", "20",
             "--config", tmp_path / "shuffle.toml", "--out", tmp_path / "o")
    assert ran.code == 0, ran.err
    lines = ran.err.splitlines()
    mapped = [line for line in lines if line.startswith("audit on ray (3 row ranges")]
    shuffled = [line for line in lines if line.startswith("shuffle on ray (")]
    assert mapped and "60/60 rows (100%)" in mapped[-1]
    # diversity: 4 orders x 2 partitions; duplicates: 9 bands x up to 2 partitions
    assert shuffled and "partitions (100%)" in shuffled[-1] and "\x1b[" not in ran.err
    assert lines.index(mapped[-1]) < lines.index(shuffled[-1])


@pytest.mark.parametrize("name", ["refuses_row_five", "refuses_row_five_ahead"])
def test_bad_input_met_in_a_worker_is_one_line_and_exit_2(killer, qc, tmp_path, name):  # noqa: F811
    data = tmp_path / "d.parquet"
    pl.DataFrame({"text": [f"row {i}" for i in range(40)]}).write_parquet(data)
    (tmp_path / "apart.toml").write_text('[engine]\nray_prepare = "on"\n')
    ran = qc("report", data, "--analyzers", name, "--engine", "ray", "--ray-workers", "1", "--batch-rows", "4",
             "--config", tmp_path / "apart.toml", "--out", tmp_path / "o", "-q")  # (a slow run would print a progress line first)
    one_line_error(ran, "row 5: refused <as bad input>")
    assert not (tmp_path / "o").exists()


def test_a_bad_shard_is_one_line_and_exit_2(qc, tmp_path):  # noqa: F811
    folder = tmp_path / "shards"
    folder.mkdir()
    pl.DataFrame({"text": ["fine row", "another row"]}).write_parquet(folder / "part-0.parquet")
    (folder / "part-1.parquet").write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1")  # not parquet inside
    on_ray = qc("report", folder, "--out", tmp_path / "out", "--engine", "ray", "-q")
    one_line_error(on_ray, "cannot read one of 2 parquet files")
    assert on_ray.err == qc("report", folder, "--out", tmp_path / "out", "-q").err  # as locally
    assert not (tmp_path / "out").exists()


def test_the_engine_settings_are_checked(qc, tmp_path):  # noqa: F811
    one_line_error(qc("report", SAMPLES / "instructions.parquet", "--engine", "spark", "--out", tmp_path / "o"), "engine.kind")
    one_line_error(qc("report", SAMPLES / "instructions.parquet", "--engine", "ray", "--ray-workers", "0", "--out", tmp_path / "o"),
                   "engine.ray_workers")


@pytest.mark.parametrize("prepare", ["off", "on"])
def test_the_detectors_run_on_the_actors_with_the_local_verdicts(tiny_models, prepare):  # noqa: F811
    """Each actor loads the detectors' LMs once and scores its ranges (tokenised in the
    actor, or by the CPU actors ahead of it); scores equal the local run's to float
    round-off (another process, maybe other thread counts), verdicts and counts exactly."""
    m = tiny_models
    overrides = {"analyzers": ["detectors"], "detectors.methods": ["likelihood", "fast_detect_gpt", "binoculars"],
                 "detectors.scoring_model": str(m["observer"]), "detectors.observer_model": str(m["observer"]),
                 "detectors.performer_model": str(m["performer"]), "engine.batch_rows": 40, "engine.ray_prepare": prepare}
    local, on_ray = _both(m["data"], overrides, workers=2 if prepare == "off" else 1)
    for column in ("detector_likelihood", "detector_fast_detect_gpt", "detector_binoculars"):
        assert on_ray.rows[column].to_numpy() == pytest.approx(local.rows[column].to_numpy(), rel=1e-5, abs=1e-6, nan_ok=True)
    assert on_ray.rows["machine_generated"].equals(local.rows["machine_generated"])
    for name, entry in local.metrics["detectors"].items():
        assert on_ray.metrics["detectors"][name]["value"] == pytest.approx(entry["value"], rel=1e-5, abs=1e-6), name


def test_tokenising_on_cpu_actors_apart_from_the_model_actors_changes_nothing(qc, tmp_path):  # noqa: F811
    """``ray_prepare = "on"``: a pool of CPU actors reads and tokenises each range for the
    embeddings and the semantic contamination check, the model actors only encode; the
    files equal the local run's."""
    sample = pl.read_parquet(SAMPLES / "instructions.parquet").head(240)
    data = tmp_path / "d.parquet"
    sample.write_parquet(data)
    bench = tmp_path / "bench.jsonl"
    bench.write_text("".join(json.dumps({"question": q}) + "\n" for q in sample["output"][:40:4]))
    config = tmp_path / "apart.toml"
    config.write_text(f'[input]\nfields = ["instruction", "input", "output"]\n[engine]\nray_prepare = "on"\n'
                      f'[embeddings]\nmap_points = 40\n[contamination]\nmethods = ["semantic"]\n'
                      f'[benchmarks.toy]\npath = "{bench}"\nadapter = "fields"\nfields = ["question"]\n')
    common = ("--analyzers", "embeddings,contamination", "--config", config, "--batch-rows", "60")
    assert qc("report", data, "--out", tmp_path / "local", "-q", *common).code == 0
    ran = qc("report", data, "--out", tmp_path / "ray", "--engine", "ray", "--ray-workers", "1", *common)
    assert ran.code == 0, ran.err
    assert any(line.startswith("audit on ray (4 row ranges, 1 actors, tokenising on up to 1 CPU actors)")
               for line in ran.err.splitlines())
    local, on_ray = (json.loads((tmp_path / d / "report.json").read_text()) for d in ("local", "ray"))
    assert local["metrics"]["contamination"]["contaminated_rows"]["value"] > 0
    assert on_ray["metrics"] == local["metrics"] and on_ray["tables"] == local["tables"]
    assert pl.read_parquet(tmp_path / "ray" / "rows.parquet").equals(pl.read_parquet(tmp_path / "local" / "rows.parquet"))


def test_the_pools_fit_the_cluster_and_a_pool_that_could_never_start_is_refused():
    """Model actors by the cluster's CPUs (one left for tokenising apart) and GPUs; on the
    local Ray started for the run, which cannot grow, GPUs it lacks or model actors that
    leave no CPU to tokenise are one line; a joined cluster may grow, so it is asked."""
    from qcaudit.ray_engine import _pools

    def engine(**settings):
        return load_config(None, {f"engine.{key}": value for key, value in settings.items()}).engine

    assert _pools({"CPU": 16.0}, engine(), apart=False, fixed=True) == (16, 0)
    assert _pools({"CPU": 16.0}, engine(), apart=True, fixed=True) == (15, 1)
    assert _pools({"CPU": 16.0, "GPU": 4.0}, engine(ray_gpus_per_worker=1), apart=True, fixed=True) == (4, 12)
    assert _pools({"CPU": 16.0, "GPU": 4.0}, engine(ray_gpus_per_worker=0.5, ray_cpus_per_worker=2), apart=True, fixed=True) == (7, 2)
    assert _pools({"CPU": 8.0}, engine(ray_workers=3), apart=True, fixed=True) == (3, 5)
    with pytest.raises(QcauditError, match="ray_gpus_per_worker = 1, but the local Ray has 0 GPUs"):
        _pools({"CPU": 8.0}, engine(ray_gpus_per_worker=1), apart=True, fixed=True)
    with pytest.raises(QcauditError, match="the 2 model actors take all 2 CPUs"):
        _pools({"CPU": 2.0}, engine(ray_workers=2), apart=True, fixed=True)
    assert _pools({"CPU": 8.0}, engine(ray_gpus_per_worker=1), apart=True, fixed=False) == (7, 1)  # GPU nodes may come
    assert _pools({"CPU": 2.0}, engine(ray_workers=2), apart=True, fixed=False) == (2, 1)



@contextmanager
def _server(answer: bytes | None):
    """A TCP server on localhost that answers each connection with ``answer`` (None: says
    nothing) once it has read the client's first bytes; yields its port."""
    import threading

    listening = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        listening.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listening.accept()
            except TimeoutError:
                continue
            with connection:
                connection.recv(64)
                if answer is not None:
                    connection.sendall(answer)
                stop.wait(1.0)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listening.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listening.close()


def test_a_ray_address_where_no_ray_cluster_answers_is_refused_at_once(tmp_path, monkeypatch):
    """Ray retries an unreachable cluster for minutes, and a port that answers but is not
    Ray's GCS (its dashboard's, 8265) past five minutes; qcaudit asks the port first. The
    GCS this module's Ray runs passes; so does any server that answers as gRPC does (an
    HTTP/2 SETTINGS frame); an HTTP server and one that says nothing do not. Ray Client
    (``ray://``), through which Ray Data fails inside Ray, is refused. The command is run in
    a process of its own: this module's Ray is already running, and a running Ray is used."""
    import subprocess
    import sys

    from qcaudit import ray_engine
    from qcaudit.ray_engine import check_reachable

    check_reachable(ray.get_runtime_context().gcs_address)
    with _server(b"\x00\x00\x00\x04\x00\x00\x00\x00\x00") as port:
        check_reachable(f"127.0.0.1:{port}")
    monkeypatch.setattr(ray_engine, "CONNECT_TIMEOUT_S", 0.5)
    for answer in (b"HTTP/1.0 400 Bad Request\r\n\r\n", None):
        with _server(answer) as port, pytest.raises(QcauditError, match=f"--ray-address 127.0.0.1:{port}: what answers "
                                                                         "there is not a Ray cluster's GCS"):
            check_reachable(f"127.0.0.1:{port}")
    with pytest.raises(QcauditError, match=r"Ray Client \(ray://\) cannot run Ray Data"):
        check_reachable("ray://127.0.0.1:10001")
    with pytest.raises(QcauditError, match="--ray-address http://127.0.0.1:8265: an http address is Ray's dashboard"):
        check_reachable("http://127.0.0.1:8265")
    with pytest.raises(QcauditError, match="--ray-address somehost: give 'auto' or HOST:PORT"):
        check_reachable("somehost")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        ran = subprocess.run([sys.executable, "-m", "qcaudit", "report", str(SAMPLES / "instructions.parquet"), "--engine", "ray",
                              "--ray-address", f"127.0.0.1:{port}", "--out", str(tmp_path / "never")],
                             capture_output=True, text=True, timeout=60)
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.startswith(f"error: --ray-address 127.0.0.1:{port}: no Ray cluster answers there"), ran.stderr
    assert ran.stderr.strip().count("\n") == 0 and not (tmp_path / "never").exists()
    ran = subprocess.run([sys.executable, "-m", "qcaudit", "report", str(SAMPLES / "instructions.parquet"), "--engine", "ray",
                          "--out", str(tmp_path / "never")], capture_output=True, text=True, timeout=60,
                         env=os.environ | {"RAY_ADDRESS": "ray://127.0.0.1:10001"}, check=False)  # (Ray's own variable, as ray.init reads it)
    assert ran.returncode == 2 and ran.stderr.startswith("error: RAY_ADDRESS=ray://127.0.0.1:10001: Ray Client"), ran.stderr


def test_a_cluster_that_asks_for_its_token_is_one_line_naming_ray_auth_mode(tmp_path):
    """Ray (2.60 here) starts a cluster with token authentication and sends the token to an
    address given only with RAY_AUTH_MODE=token: joining this module's Ray by its address
    ended in "Failed to connect to Ray cluster at ...", after a warning a second. The
    variable set, the same command runs. (Ray's wait before it gives up, about 20 s, is cut
    to 2 here with its own RAY_gcs_server_port_wait_time_s.)"""
    import subprocess
    import sys

    if not hasattr(ray.exceptions, "AuthenticationError") or os.environ.get("RAY_AUTH_MODE", "").lower() == "disabled":
        pytest.skip("this Ray has no token authentication, or RAY_AUTH_MODE=disabled turns it off")
    address = ray.get_runtime_context().gcs_address
    command = [sys.executable, "-m", "qcaudit", "report", str(SAMPLES / "instructions.parquet"), "--engine", "ray",
               "--ray-address", address, "--ray-workers", "1", "--analyzers", "duplicates", "-q", "--out", str(tmp_path / "o")]
    quick = {name: value for name, value in os.environ.items() if name != "RAY_AUTH_MODE"}
    quick |= {"RAY_gcs_server_port_wait_time_s": "2", "RAY_ADDRESS": ""}
    ran = subprocess.run(command, capture_output=True, text=True, timeout=120, env=quick, check=False)
    assert ran.returncode == 2, ran.stderr
    assert ran.stderr.startswith(f"error: --ray-address {address}: the cluster asks for its token"), ran.stderr
    assert "RAY_AUTH_MODE=token" in ran.stderr and ran.stderr.strip().count("\n") == 0
    ran = subprocess.run(command, capture_output=True, text=True, timeout=300, env=quick | {"RAY_AUTH_MODE": "token"}, check=False)
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "o" / "report.json").exists()


def test_quiet_prints_nothing_when_qcaudit_starts_ray(tmp_path):
    """-q prints nothing but errors, with a Ray that qcaudit starts (in a process of its own,
    as the console script runs), though Ray's core writes a line to stderr from C++ then."""
    import subprocess
    import sys

    ran = subprocess.run([sys.executable, "-m", "qcaudit", "report", str(SAMPLES / "instructions.parquet"), "--engine", "ray",
                          "--ray-workers", "1", "-q", "--out", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=300, env=os.environ | {"RAY_ADDRESS": ""}, check=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "" and ran.stderr == ""
    assert (tmp_path / "out" / "report.json").exists()


def test_what_ray_writes_to_stderr_as_it_starts_is_kept_but_its_log_level_notice(capfd):
    from qcaudit.ray_engine import RAY_LOG_LEVEL_NOTICE, _stderr_without

    notice = b"[2026-12-01 13:16:44,005 I 2812 2812] logging.cc:303: Set ray log level from environment variable RAY_BACKEND_LOG_LEVEL to 3\n"
    with _stderr_without(RAY_LOG_LEVEL_NOTICE):
        os.write(2, b"before\n" + notice + b"[... E ...] core_worker.cc:1: a real error\n")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "before\n[... E ...] core_worker.cc:1: a real error\nafter\n"
