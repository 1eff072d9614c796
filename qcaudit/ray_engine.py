"""The Ray engine: the analyzers' partial states computed on a pool of Ray actors.

The input is cut into row ranges of ``[engine] batch_rows`` rows (``row_id`` is the position
in the input, as locally). A Ray Data dataset of those ranges goes through
``map_batches`` with an actor class: each actor opens the input once, builds the analyzers
once (so a model an analyzer loads, the run's encoder say, loads once per actor, on the
GPUs the actor declares), and turns each range it is given into the analyzers' states
(``partial``). The states come back to the driver in input order, where
:func:`qcaudit.engine.run_analyzers` merges them as they arrive (spilling past the memory budget, as
locally) and the analyzers finalise: no metric has a second implementation, and the report
equals the local engine's.

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
from collections.abc import Iterator
from typing import Any

import numpy as np

from qcaudit.context import RunContext
from qcaudit.engine import Inputs, Partials, batch_partials
from qcaudit.errors import QcauditError
from qcaudit.io import Dataset
from qcaudit.progress import row_progress
from qcaudit.registry import Analyzer


def partial_stage(dataset: Dataset, config: Any, classes: list[type[Analyzer]], inputs: Inputs) -> type:
    """The actor class of the pool, with the run's input and settings built in (shipped with
    the class, so a restarted actor needs nothing else from the object store)."""

    class PartialStage:
        def __init__(self) -> None:
            context = RunContext.from_config(config)
            context.dataset = dataset
            self.analyzers = [cls.from_config(config, context) for cls in classes]

        def __call__(self, ranges: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
            """Each row range's statuses and states, pickled (Ray Data carries them as bytes);
            bad input comes back as its error, which Ray would otherwise flatten to text."""
            out = []
            for start, stop in zip(ranges["start"], ranges["stop"], strict=True):
                try:
                    found: Any = batch_partials(self.analyzers, dataset.rows_between(int(start), int(stop), inputs.category, inputs.kept, inputs.parts))
                except QcauditError as exc:
                    found = QcauditError(str(exc))
                out.append(pickle.dumps(found, protocol=5))
            return {"partials": np.array(out, dtype=object)}

    return PartialStage


def ray_partials(dataset: Dataset, config: Any, analyzers: list[Analyzer], inputs: Inputs) -> Iterator[Partials]:
    """Every row range's partials, in input order, computed by the actor pool (a
    :data:`qcaudit.engine.PartialsSource`); Ray is started for the run (and stopped after
    it) unless it is running or ``ray_address`` names a cluster."""
    ray, data = _ray()
    engine = config.engine
    total = dataset.row_count()
    starts = list(range(0, total, engine.batch_rows)) or [0]
    ranges = [{"start": s, "stop": min(s + engine.batch_rows, total)} for s in starts]
    started = not ray.is_initialized()
    if started:
        # Ray core logs at error level that Ray Data's actors keep constructor arguments in the
        # object store (ray-project/ray#53727), on every run; set the variable to see it.
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
        ray.init(address=engine.ray_address, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.WARNING, configure_logging=False)
    try:
        context = data.DataContext.get_current()
        context.execution_options.preserve_order = True  # states arrive in input order
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        workers = engine.ray_workers or max(1, int(ray.cluster_resources().get("CPU", 1) // engine.ray_cpus_per_worker))
        actors = min(workers, len(ranges))
        stage = partial_stage(dataset, config, [type(a) for a in analyzers], inputs)
        computed = data.from_items(ranges, override_num_blocks=len(ranges)).map_batches(
            stage, batch_size=1, compute=data.ActorPoolStrategy(size=actors),
            num_cpus=engine.ray_cpus_per_worker, num_gpus=engine.ray_gpus_per_worker or None,
        )
        label = f"audit on ray ({len(ranges):,} row ranges, {actors} actors)"
        with row_progress(label, total) as report:
            for row in computed.iter_rows():
                found = pickle.loads(row["partials"])
                if isinstance(found, QcauditError):
                    raise found
                report.advance(sum(found.statuses.values()))
                yield found
    finally:
        if started:
            ray.shutdown()


def _ray():
    try:
        import ray
        import ray.data
    except ImportError:
        raise QcauditError("--engine ray needs Ray: pip install 'qcaudit[ray]'") from None
    for name in ("ray", "ray.data"):  # Ray Data reports each execution at INFO; the progress is ours
        logging.getLogger(name).setLevel(logging.ERROR)
    return ray, ray.data
