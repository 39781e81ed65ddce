"""Shared machinery for the side-by-side benchmarks.

Theory of operation: a benchmark module ``bench_<suite>.py`` describes its
workloads as :class:`Case` objects, one per (workload, implementation).  The
runner (``run.py``) starts one fresh worker process per case, so every
implementation is timed and its peak memory measured in a process of its own.
Cases of our packages run with the interpreter of the Hatch ``bench``
environment; cases of peer libraries run with the interpreter of the peers'
virtual environment (``.bench-peers``, made by ``peers.py``), because the real
aiohttp has the import name of our umbrella.

A benchmark module imports only the standard library and this module at its
top level; implementations are imported inside ``make`` so that the worker can
set a case's environment (``AIOHTTP_NO_EXTENSIONS=1``) before the import.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Side = Literal["ours", "peers"]

#: The implementation name every ratio is computed against.
OURS = "ours"


@dataclass(frozen=True)
class Case:
    """One workload run by one implementation.

    ``make()`` prepares the data and returns the callable to time; the
    callable performs the whole workload once (``ops`` operations moving
    ``nbytes`` bytes) and may return a dict of extra figures to report.
    """

    workload: str
    impl: str
    side: Side
    make: Callable[[], Callable[[], Any]]
    ops: int = 1
    nbytes: int = 0
    repeat: int = 5
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """A ratio the issue asks for: ours must be at least ``ratio`` times ``peer``."""

    workload: str
    peer: str
    ratio: float
    metric: Literal["wall", "cpu"] = "wall"


def maxrss_bytes() -> int:
    """The peak resident set size of this process so far, in bytes."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def run_case(case: Case, repeat: int | None = None) -> dict[str, Any]:
    """Time ``case`` in this process: a warm-up run, then the best of ``repeat`` runs."""
    for key, value in case.env.items():
        os.environ[key] = value
    fn = case.make()
    base_rss = maxrss_bytes()
    extra = fn() or {}  # warm-up; also the run whose extra figures are kept
    runs = repeat if repeat is not None else case.repeat
    best_wall = best_cpu = float("inf")
    for _ in range(max(1, runs)):
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        w1, c1 = time.perf_counter(), time.process_time()
        best_wall = min(best_wall, w1 - w0)
        best_cpu = min(best_cpu, c1 - c0)
    return {
        "workload": case.workload,
        "impl": case.impl,
        "wall": best_wall,
        "cpu": best_cpu,
        "ops": case.ops,
        "nbytes": case.nbytes,
        "rss_growth": max(0, maxrss_bytes() - base_rss),
        "extra": extra if isinstance(extra, dict) else {},
    }


def worker_main(argv: list[str]) -> None:
    """Entry point of a worker process: ``_harness.py MODULE_PATH WORKLOAD IMPL REPEAT``."""
    import importlib.util

    path, workload, impl, repeat = argv
    spec = importlib.util.spec_from_file_location("bench_module", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for case in module.cases():
        if case.workload == workload and case.impl == impl:
            print(json.dumps(run_case(case, int(repeat))))
            return
    raise SystemExit(f"no case {workload!r}/{impl!r} in {path}")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    worker_main(sys.argv[1:])
