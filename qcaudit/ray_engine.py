"""The Ray engine: the analyzers' partial states computed on a pool of Ray actors.

The input is cut into row ranges of ``[engine] batch_rows`` rows, fewer where the first rows
are long (:meth:`qcaudit.io.Dataset.rows_a_batch`; ``row_id`` is the position in the input,
as locally). A Ray Data dataset of those ranges goes through
``map_batches`` with an actor class: each actor opens the input once, builds the analyzers
once (so a model an analyzer loads, the run's encoder say, loads once per actor, on the
GPUs the actor declares), and turns each range it is given into the analyzers' states
(``partial``). The states come back to the driver in input order, where
:func:`qcaudit.engine.run_analyzers` merges them as they arrive (spilling past the memory budget, as
locally) and the analyzers finalise: no metric has a second implementation, and the report
equals the local engine's.

An analyzer with a global pass (:meth:`qcaudit.registry.Analyzer.exchange`: diversity's
n-gram counts, duplicates' LSH buckets) need not send its table to the driver. Each actor
takes the batch's pieces out of the state, keyed by partition; the map stage is
materialised in the object store (spilled to disk by Ray past its memory), its states go to
the driver in input order, and the pieces go through Ray Data's shuffle:
``groupby(key).map_groups`` gathers every key's pieces on one worker, which reduces them to
rows of integers, and a second ``groupby(...).sum`` adds those up across keys. Only the
summed rows (diversity: per row and order two counts, and the histogram of n-gram counts;
duplicates: an edge from each row in a shared bucket to the bucket's first row) reach the
driver, as one last state per analyzer. On a one-node Ray the tables stay in the states instead and go to
the driver, as locally (``[engine] ray_shuffle = "auto"``): there the shuffle moves every
n-gram through the object store and saves no machine anything; ``"on"`` forces it.

The CPU work ahead of a model (:meth:`qcaudit.registry.Analyzer.prepare`: tokenising for the
sentence encoder) runs in the model actors, or, when they ask for GPUs (``[engine]
ray_prepare``), on a pool of CPU actors ahead of them that read and prepare each range, so
that a GPU does not wait on its CPU.

Ray retries the work of an actor that dies (a killed worker, a lost node); an error of the
input or the settings inside an actor (:class:`~qcaudit.errors.QcauditError`) comes back
as data, is not retried, and reaches the user as the same one line as locally.

Every node must see the input at the same path (a shared filesystem, or the same files on
each node) and have qcaudit installed; models are local paths, present on every node.
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

import numpy as np
import polars as pl

from qcaudit.context import RunContext
from qcaudit.engine import Inputs, Partials, batch_partials, prepared
from qcaudit.errors import QcauditError, first_line
from qcaudit.io import Dataset
from qcaudit.progress import row_progress
from qcaudit.registry import SUM_INDEX, SUM_VALUES, Analyzer

#: Bits of a shuffle key below the analyzer's index (its own key: order x partition).
KEY_BITS = 40
#: Input rows per shuffle partition by default: about 5 million n-gram occurrences of an
#: order (80 MB) meet on one worker.
ROWS_PER_PARTITION = 100_000
#: Seconds between progress updates while the map stage is materialised.
POLL_SECONDS = 0.5


def prepare_stage(dataset: Dataset, config: Any, classes: list[type[Analyzer]], inputs: Inputs) -> type:
    """The actor class of the CPU pool ahead of the model actors: it reads each row range and
    adds the analyzers' prepared columns (:meth:`~qcaudit.registry.Analyzer.prepare`:
    tokenisation); no model loads here."""

    class PrepareStage:
        def __init__(self) -> None:
            self.analyzers = _built(dataset, config, classes)

        def __call__(self, ranges: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
            """Each range's prepared rows, pickled, or its error (bad input)."""
            batches = []
            for start, stop in zip(ranges["start"], ranges["stop"], strict=True):
                try:
                    rows = dataset.rows_between(int(start), int(stop), inputs.category, inputs.kept, inputs.parts)
                    found: Any = prepared(self.analyzers, rows)
                except QcauditError as exc:
                    found = QcauditError(str(exc))
                batches.append(pickle.dumps(found, protocol=5))
            return {"start": ranges["start"], "stop": ranges["stop"], "batch": np.array(batches, dtype=object)}

    return PrepareStage


def partial_stage(dataset: Dataset, config: Any, classes: list[type[Analyzer]], inputs: Inputs, partitions: int = 0,
                  done: Any = None) -> type:
    """The actor class of the pool, with the run's input and settings built in (shipped with
    the class, so a restarted actor needs nothing else from the object store). It takes row
    ranges, which it reads itself, or rows a :func:`prepare_stage` prepared.
    With ``partitions``, each state's global-pass pieces leave it for the shuffle (with their
    keys listed, to count the shuffle's work), and each range done is told to ``done`` (the
    driver's progress)."""

    class PartialStage:
        def __init__(self) -> None:
            self.analyzers = _built(dataset, config, classes)

        def __call__(self, given: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
            """Each row range's statuses and states, pickled (Ray Data carries them as bytes),
            and with ``partitions`` its pieces, each keyed by analyzer and the analyzer's own
            key; bad input comes back as its error, which Ray would otherwise flatten to text."""
            out, pieces, keys = [], [], []
            for i, (start, stop) in enumerate(zip(given["start"], given["stop"], strict=True)):
                mine: list[tuple[int, dict[str, Any]]] = []  # this range's pieces
                try:
                    found: Any = batch_partials(self.analyzers, self._rows(given, i))
                    for j, analyzer in enumerate(self.analyzers if partitions else ()):
                        found.states[j], own = analyzer.exchange(found.states[j], partitions)
                        mine += [((j << KEY_BITS) | key, piece) for key, piece in own]
                except QcauditError as exc:
                    found = QcauditError(str(exc))
                out.append(pickle.dumps(found, protocol=5))
                pieces.append(pickle.dumps(mine, protocol=5))
                keys.append(pickle.dumps([key for key, _ in mine], protocol=5))
                if done is not None:
                    done.add.remote(int(start), int(stop) - int(start))
            return {"partials": np.array(out, dtype=object), "pieces": np.array(pieces, dtype=object),
                    "keys": np.array(keys, dtype=object)}

        def _rows(self, given: dict[str, np.ndarray], i: int) -> pl.DataFrame:
            """The ``i``-th range's rows: prepared by the CPU pool, or read here (and then
            ``partial`` does the preparing work itself)."""
            if "batch" in given:
                batch = pickle.loads(given["batch"][i])
                if isinstance(batch, QcauditError):
                    raise batch
                return batch
            return dataset.rows_between(int(given["start"][i]), int(given["stop"][i]), inputs.category, inputs.kept, inputs.parts)

    return PartialStage


def _built(dataset: Dataset, config: Any, classes: list[type[Analyzer]]) -> list[Analyzer]:
    """The run's analyzers, built in an actor as on the driver."""
    context = RunContext.from_config(config)
    context.dataset = dataset
    return [cls.from_config(config, context) for cls in classes]


def reduce_stage(config: Any, classes: list[type[Analyzer]], done: Any):
    """The function each key's gathered pieces go through: the owning analyzer's ``reduce``,
    its rows tagged with the analyzer's index; each key done is told to ``done``."""

    def reduce(group: dict[str, np.ndarray]) -> pl.DataFrame:
        key = int(group["key"][0])
        analyzer = classes[key >> KEY_BITS].from_config(config, RunContext.from_config(config))
        sums = analyzer.reduce([pickle.loads(piece) for piece in group["piece"]])
        done.add.remote(key, 1)
        return sums.select(pl.lit(key >> KEY_BITS, pl.Int64).alias("analyzer"), *SUM_INDEX, *SUM_VALUES).to_arrow()

    return reduce


def _pieces(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each range's list of pieces as rows of (key, pickled piece)."""
    keys, pieces = [], []
    for listed in batch["pieces"]:
        for key, piece in pickle.loads(listed):
            keys.append(key)
            pieces.append(pickle.dumps(piece, protocol=5))
    return {"key": np.array(keys, dtype=np.int64), "piece": np.array(pieces, dtype=object)}


#: The line Ray's core writes to the process's stderr (from C++, past Python's logging) when
#: RAY_BACKEND_LOG_LEVEL is set: "[date pid] logging.cc:303: Set ray log level from environment variable ...".
RAY_LOG_LEVEL_NOTICE = re.compile(r"logging\.cc:\d+: Set ray log level from environment variable")


#: A line of Ray's core log (C++): "[2026-12-03 11:51:19,863 W 9492 9492] gcs_client.cc:210: ...".
RAY_CORE_LOG_LINE = re.compile(r"^\[\d{4}-\d\d-\d\d [\d:,.]+ [A-Z] \d+ \d+\] \S+\.(?:cc|h):\d+:")


@contextmanager
def _stderr_without(notice: re.Pattern[str]) -> Iterator[None]:
    """Run the block with the process's stderr (file descriptor 2, which C++ writes to)
    captured, then write what it wrote back to stderr without the lines ``notice`` matches,
    nor, where the block failed, Ray's core log lines: a cluster that cannot be joined is
    retried for seconds, a warning a second, and the error says what they would."""
    sys.stderr.flush()
    saved = os.dup(2)
    failed = False
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [line for line in captured.read().decode("utf-8", "replace").splitlines(keepends=True)
                    if not notice.search(line) and not (failed and RAY_CORE_LOG_LINE.match(line))]
            sys.stderr.write("".join(kept))
            sys.stderr.flush()


def ray_partials(dataset: Dataset, config: Any, analyzers: list[Analyzer], inputs: Inputs) -> Iterator[Partials]:
    """Every row range's partials, in input order, computed by the actor pool (a
    :data:`qcaudit.engine.PartialsSource`); Ray is started for the run (and stopped after
    it) unless it is running or ``ray_address`` names a cluster."""
    ray, data = _ray()
    engine = config.engine
    total, step = dataset.row_count(), dataset.rows_a_batch(engine.batch_rows)
    starts = list(range(0, total, step)) or [0]
    ranges = [{"start": s, "stop": min(s + step, total)} for s in starts]
    started = not ray.is_initialized()
    address, named = _address(engine.ray_address)
    if started:
        check_reachable(address, named)
        # Ray core logs at error level that Ray Data's actors keep constructor arguments in the
        # object store (ray-project/ray#53727), on every run; set the variable to see it.
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
        try:
            with _stderr_without(RAY_LOG_LEVEL_NOTICE):  # which Ray's core prints, at info level, for the variable
                ray.init(address=address, include_dashboard=False, log_to_driver=False,
                         logging_level=logging.WARNING, configure_logging=False)
        except ConnectionError as exc:
            raise QcauditError(_not_joined(named, exc, ray)) from None
    try:
        context = data.DataContext.get_current()
        context.execution_options.preserve_order = True  # states arrive in input order
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        classes = [type(a) for a in analyzers]
        resources = ray.cluster_resources()
        apart = (engine.ray_prepare == "on" or (engine.ray_prepare == "auto" and engine.ray_gpus_per_worker > 0)) and any(
            type(a).prepare is not Analyzer.prepare for a in analyzers)
        workers, preparers = _pools(resources, engine, apart, fixed=started and address is None)
        actors = min(workers, len(ranges))
        shuffle = engine.ray_shuffle == "on" or (engine.ray_shuffle == "auto" and sum(n["Alive"] for n in ray.nodes()) > 1)
        exchanging = [shuffle and type(a).exchange is not Analyzer.exchange for a in analyzers]
        partitions = 0
        if any(exchanging):
            partitions = engine.ray_shuffle_partitions or min(2**16, max(2 * workers, -(-total // ROWS_PER_PARTITION)))
        rows_done = _done_counter(ray).remote() if partitions else None
        source = data.from_items(ranges, override_num_blocks=len(ranges))
        if apart:
            source = source.map_batches(prepare_stage(dataset, config, classes, inputs), batch_size=1, num_cpus=1,
                                        compute=data.ActorPoolStrategy(min_size=1, max_size=preparers))
        computed = source.map_batches(
            partial_stage(dataset, config, classes, inputs, partitions, rows_done), batch_size=1,
            compute=data.ActorPoolStrategy(size=actors), num_cpus=engine.ray_cpus_per_worker,
            num_gpus=engine.ray_gpus_per_worker or None,
        )
        label = f"audit on ray ({len(ranges):,} row ranges, {actors} actors"
        label += f", tokenising on up to {preparers} CPU actors)" if apart else ")"
        if partitions:
            computed = _waiting(ray, computed.materialize, rows_done, label, total, "rows")
        keys: set[int] = set()
        with row_progress(label, total, wanted=not partitions) as report:
            for row in computed.select_columns(["partials", "keys"]).iter_rows():
                found = pickle.loads(row["partials"])
                if isinstance(found, QcauditError):
                    raise found
                keys.update(pickle.loads(row["keys"]))
                report.advance(sum(found.statuses.values()))
                yield found
        if partitions:
            keys_done = _done_counter(ray).remote()
            sums = _waiting(ray, lambda: _shuffled(data, computed, config, classes, keys_done), keys_done,
                            f"shuffle on ray ({len(keys):,} partitions)", len(keys), "partitions") if keys else _no_sums()
            yield Partials({}, [analyzer.summed(sums.filter(pl.col("analyzer") == i).drop("analyzer")) if exchanging[i] else None
                                for i, analyzer in enumerate(analyzers)])
    finally:
        if started:
            ray.shutdown()


def _pools(resources: dict[str, float], engine: Any, apart: bool, fixed: bool) -> tuple[int, int]:
    """(model actors, most tokenising actors: 0 unless ``apart``). Model actors: ``ray_workers``,
    else as many as the cluster's CPUs (less one for tokenising apart) and, when each asks
    for GPUs, its GPUs hold. On a ``fixed`` cluster (the local Ray started for the run, which
    cannot grow) a pool that could never start is one line instead of a wait: GPUs it does
    not have, or model actors that leave no CPU for tokenising. A joined cluster may add
    nodes as the pool asks (an autoscaler), so there the pool is asked for as it is."""
    cpus, gpus = resources.get("CPU", 1), resources.get("GPU", 0)
    if fixed and engine.ray_gpus_per_worker > gpus:
        raise QcauditError(f"[engine] ray_gpus_per_worker = {engine.ray_gpus_per_worker:g}, but the local Ray has {gpus:g} GPUs")
    workers = engine.ray_workers
    if workers is None:
        workers = int((cpus - (1 if apart else 0)) // engine.ray_cpus_per_worker)
        if engine.ray_gpus_per_worker and gpus:
            workers = min(workers, int(gpus // engine.ray_gpus_per_worker))
        workers = max(1, workers)
    if not apart:
        return workers, 0
    preparers = int(cpus - workers * engine.ray_cpus_per_worker)
    if preparers < 1 and fixed:
        raise QcauditError(f"[engine] ray_prepare: the {workers} model actors take all {cpus:g} CPUs; "
                           f"lower ray_workers to leave one for tokenising, or set ray_prepare = \"off\"")
    return workers, max(1, preparers)


def _waiting(ray, work: Callable[[], Any], done, label: str, total: int, unit: str) -> Any:
    """``work()`` run to its end (the map stage into the object store: its pieces are needed
    twice, for the states and for the shuffle; or the shuffle), with what ``done`` counts
    shown meanwhile."""
    with ThreadPoolExecutor(1) as pool, row_progress(label, total, unit=unit) as report:
        future = pool.submit(work)
        shown = 0
        while True:
            finished = wait([future], timeout=POLL_SECONDS).done
            now = ray.get(done.total.remote())
            if now > shown:  # a reporter prints its last line again on every advance once complete
                report.advance(now - shown)
                shown = now
            if finished:
                return future.result()


def _shuffled(data, computed, config: Any, classes: list[type[Analyzer]], keys_done) -> pl.DataFrame:
    """Every analyzer's global-pass pieces gathered by key, reduced, and summed by index:
    two Ray Data shuffles; only the sums come back."""
    pieces = computed.select_columns(["pieces"]).map_batches(_pieces)
    reduced = pieces.groupby("key").map_groups(reduce_stage(config, classes, keys_done), batch_format="numpy")
    summed = reduced.groupby(["analyzer", *SUM_INDEX]).sum(list(SUM_VALUES))
    nothing = _no_sums()
    frames = [pl.from_arrow(batch).rename({f"sum({name})": name for name in SUM_VALUES}).select(nothing.columns)
              for batch in summed.iter_batches(batch_format="pyarrow", batch_size=None)]
    return pl.concat([nothing, *frames])


def _no_sums() -> pl.DataFrame:
    return pl.DataFrame(schema=dict.fromkeys(["analyzer", *SUM_INDEX, *SUM_VALUES], pl.Int64))


def _done_counter(ray):
    """An actor that adds up what the workers report done, each piece of work counted once
    by its id (a range's start, a shuffle key) whatever Ray retries."""

    @ray.remote(num_cpus=0)
    class Done:
        def __init__(self) -> None:
            self.done: dict[int, int] = {}

        def add(self, work: int, amount: int) -> None:
            self.done[work] = amount

        def total(self) -> int:
            return sum(self.done.values())

    return Done


#: Seconds to wait for a named Ray cluster's port to answer: Ray itself retries for minutes.
CONNECT_TIMEOUT_S = 5.0
#: What an HTTP/2 client sends first (its preface and an empty SETTINGS frame); a gRPC
#: server, as Ray's GCS is, answers with a SETTINGS frame of its own (frame type 4).
HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
HTTP2_SETTINGS = 4


def _address(configured: str | None) -> tuple[str | None, str]:
    """The cluster to join (None: start Ray for the run), and how the user gave it, for
    errors: ``--ray-address``, or else Ray's own variable RAY_ADDRESS (which Ray sets in the
    jobs it runs), as ``ray.init`` would read it."""
    if configured:
        return configured, f"--ray-address {configured}"
    from_environment = os.environ.get("RAY_ADDRESS", "").strip()
    return from_environment or None, f"RAY_ADDRESS={from_environment}"


def check_reachable(address: str | None, named: str | None = None) -> None:
    """Refuse, in one line, a ``HOST:PORT`` where no Ray cluster answers: nothing listens
    (``ray.init`` would retry there for minutes, printing its own warnings), or what answers
    does not speak gRPC, as Ray's GCS does (Ray's dashboard, port 8265, whose address Ray's
    job commands take: ``ray.init`` retried it past five minutes). A ``ray://`` address (Ray
    Client) is refused: Ray Data, which the engine runs on, fails through it inside Ray
    (``'Worker' object has no attribute 'core_worker'``, Ray 2.60); so is an ``http://``
    one, the dashboard's, as ``ray job submit`` takes it (``RAY_ADDRESS=http://HOST:8265``).
    ``auto`` and no address are Ray's to resolve (it fails fast when nothing runs).
    ``named``: how the user gave the address (``--ray-address ADDRESS``, the default)."""
    if address is None or address == "auto":
        return
    named = named or f"--ray-address {address}"
    if address.startswith("ray://"):
        raise QcauditError(f"{named}: Ray Client (ray://) cannot run Ray Data, which the Ray engine runs on; "
                           "run qcaudit on one of the cluster's nodes with --ray-address auto, or give the head's GCS "
                           "address, HOST:6379")
    if address.startswith(("http://", "https://")):
        raise QcauditError(f"{named}: an http address is Ray's dashboard, as 'ray job submit' takes it; the Ray engine "
                           "joins the cluster's GCS: HOST:6379 unless 'ray start --port' chose another, or --ray-address "
                           "auto on one of the cluster's nodes")
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise QcauditError(f"{named}: give 'auto' or HOST:PORT (the head node's GCS address, HOST:6379 "
                           "unless 'ray start --port' chose another)")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S) as connection:
            grpc = _speaks_grpc(connection)
    except OSError as exc:
        raise QcauditError(f"{named}: no Ray cluster answers there ({exc.strerror or exc}); "
                           "start one with 'ray start --head', or leave --ray-address out to start Ray for the run") from None
    if not grpc:
        raise QcauditError(f"{named}: what answers there is not a Ray cluster's GCS (it does not speak "
                           "gRPC; Ray's dashboard, at 8265, takes HTTP): give the head node's GCS address, HOST:6379 "
                           "unless 'ray start --port' chose another")


def _speaks_grpc(connection: socket.socket) -> bool:
    """Whether the server at the other end answers an HTTP/2 preface with its SETTINGS
    frame, as every gRPC server does. A cluster that takes TLS (``RAY_USE_TLS``) is not
    asked: its first bytes are a TLS handshake's."""
    if os.environ.get("RAY_USE_TLS", "").strip().lower() in ("1", "true"):
        return True
    try:
        connection.sendall(HTTP2_PREFACE)
        header = b""
        while len(header) < 9:
            received = connection.recv(9 - len(header))
            if not received:
                break
            header += received
    except TimeoutError:  # (an OSError: another server waits for something else)
        return False
    return len(header) == 9 and header[3] == HTTP2_SETTINGS


def _not_joined(named: str, exc: ConnectionError, ray: Any) -> str:
    """The one line for a cluster ``ray.init`` could not join, with Ray's reason: its own
    error names the address only ("Failed to connect to Ray cluster at ..."); the reason is
    the last line of the traceback that the error it chains quotes as text."""
    causes = []
    cause: BaseException | None = exc
    while cause is not None and len(causes) < 8:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    quoted = [line.strip() for line in str(causes[-1]).splitlines() if line.strip()]
    reason = quoted[-1] if quoted else first_line(exc)
    if "InvalidAuthToken" in reason or any(isinstance(c, getattr(ray.exceptions, "AuthenticationError", ())) for c in causes):
        return (f"{named}: the cluster asks for its token (Ray's token authentication), which Ray sends to "
                "an address given only with RAY_AUTH_MODE=token: set it, with the cluster's token in ~/.ray/auth_token or "
                "RAY_AUTH_TOKEN, or give --ray-address auto on one of the cluster's nodes")
    return f"{named}: Ray could not join the cluster there: {reason}"


def _ray():
    try:
        import ray
        import ray.data
    except ImportError:
        raise QcauditError("--engine ray needs Ray: pip install 'qcaudit[ray]'") from None
    for name in ("ray", "ray.data"):  # Ray Data reports each execution at INFO; the progress is ours
        logging.getLogger(name).setLevel(logging.ERROR)
    return ray, ray.data
