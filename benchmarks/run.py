"""Run the side-by-side benchmarks and print ratios.

Usage::

    hatch run bench:all                 # every suite
    hatch run bench:all http_parse ws   # some suites (bench_<name>.py)
    hatch run bench:all --quick         # one timed run per case instead of five

Each case runs in a fresh worker process (see ``_harness.py``). For every
workload the table shows each implementation's time per operation, CPU time
per operation, throughput, peak memory growth, and the ratio
``peer time / our time``: above 1 means we are faster than that peer.
Targets declared by a suite are checked and printed as met or missed; they
are reported, never asserted, so a noisy machine cannot fail a build.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import OURS, Case, Target  # noqa: E402
from peers import peers_python  # noqa: E402


def load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_worker(python: str, path: Path, case: Case, repeat: int) -> dict[str, Any]:
    proc = subprocess.run(
        [python, str(HERE / "_harness.py"), str(path), case.workload, case.impl, str(repeat)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        return {"workload": case.workload, "impl": case.impl, "error": proc.stderr.strip()[-400:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.2f} {unit}"
    return f"{seconds / 1e-9:.2f} ns"


def report(suite: str, results: list[dict[str, Any]], targets: list[Target]) -> None:
    print(f"\n## {suite}\n")
    by_workload: dict[str, dict[str, dict[str, Any]]] = {}
    for r in results:
        by_workload.setdefault(r["workload"], {})[r["impl"]] = r
    header = "| workload | impl | time/op | cpu/op | throughput | peak mem growth | ours vs impl (wall) | ours vs impl (cpu) |"
    print(header)
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for workload, impls in by_workload.items():
        ours = impls.get(OURS)
        for impl, r in impls.items():
            if "error" in r:
                print(
                    f"| {workload} | {impl} | error: {r['error'].splitlines()[-1] if r['error'] else '?'} |  |  |  |  |  |"
                )
                continue
            per_op = r["wall"] / r["ops"]
            cpu_op = r["cpu"] / r["ops"]
            if r["nbytes"]:
                thr = f"{r['nbytes'] / r['wall'] / 1e6:.0f} MB/s"
            else:
                thr = f"{r['ops'] / r['wall']:,.0f} op/s"
            mem = f"{r['rss_growth'] / 2**20:.1f} MiB"
            if ours and "error" not in ours and impl != OURS:
                ratio = f"{r['wall'] / ours['wall']:.2f}×"
                cratio = f"{r['cpu'] / ours['cpu']:.2f}×" if ours["cpu"] > 0 else "n/a"
            else:
                ratio = cratio = "—"
            print(
                f"| {workload} | {impl} | {fmt_time(per_op)} | {fmt_time(cpu_op)} | {thr} | {mem} | {ratio} | {cratio} |"
            )
    if targets:
        print("\nTargets (ratio = peer time / our time):\n")
        for t in targets:
            impls = by_workload.get(t.workload, {})
            ours, peer = impls.get(OURS), impls.get(t.peer)
            if not ours or not peer or "error" in ours or "error" in peer:
                print(f"- {t.workload} vs {t.peer} ({t.metric}): not measured")
                continue
            got = peer[t.metric] / ours[t.metric] if ours[t.metric] else float("inf")
            verdict = "met" if got >= t.ratio else "MISSED"
            print(
                f"- {t.workload} vs {t.peer} ({t.metric}): {got:.2f}× (target ≥ {t.ratio}×) {verdict}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("suites", nargs="*", help="suite names (bench_<name>.py); default: all")
    parser.add_argument("--quick", action="store_true", help="one timed run per case")
    parser.add_argument("--impl", action="append", help="only these implementations")
    args = parser.parse_args()
    paths = sorted(HERE.glob("bench_*.py"))
    if args.suites:
        wanted = {f"bench_{s}.py" for s in args.suites}
        paths = [p for p in paths if p.name in wanted]
    peers = str(peers_python())
    for path in paths:
        module = load(path)
        results = []
        for case in module.cases():
            if args.impl and case.impl not in args.impl:
                continue
            python = sys.executable if case.side == "ours" else peers
            repeat = 1 if args.quick else case.repeat
            print(
                f"  running {path.stem}: {case.workload} / {case.impl} ...",
                file=sys.stderr,
                flush=True,
            )
            results.append(run_worker(python, path, case, repeat))
        report(path.stem.removeprefix("bench_"), results, list(getattr(module, "TARGETS", [])))


if __name__ == "__main__":
    main()
