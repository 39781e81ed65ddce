"""Which packages a change touches, and which test folders must run for it.

A change to one package tests that package and every package that builds on
it (its dependants); a change to anything shared (hatch.toml, the root
configuration, tests/packaging, tests/interop, tools, workflows) tests all.

Usage: ``python tools/affected.py --base REV`` prints a JSON object
``{"packages": [...], "tests": "tests/ws tests/client ..."}``; with
``--github-output`` it also appends ``packages=`` and ``tests=`` lines to
the file named by ``$GITHUB_OUTPUT``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

# distribution -> (test folder, siblings it depends on)
GRAPH: dict[str, tuple[str, tuple[str, ...]]] = {
    "aiohttp-ws": ("tests/ws", ()),
    "aiohttp-http": ("tests/http", ()),
    "aiohttp-multipart": ("tests/multipart", ("aiohttp-http",)),
    "aiohttp-client": ("tests/client", ("aiohttp-http", "aiohttp-ws", "aiohttp-multipart")),
    "aiohttp": (
        "tests/aiohttp",
        ("aiohttp-http", "aiohttp-ws", "aiohttp-multipart", "aiohttp-client"),
    ),
}
SHARED_TESTS = ("tests/interop", "tests/packaging")


def dependants(changed: set[str]) -> set[str]:
    """``changed`` plus every distribution that depends on one of them, transitively."""
    out = set(changed)
    grew = True
    while grew:
        grew = False
        for dist, (_, deps) in GRAPH.items():
            if dist not in out and out & set(deps):
                out.add(dist)
                grew = True
    return out


def affected(paths: list[str]) -> set[str]:
    """The distributions whose tests a change to ``paths`` must run."""
    changed: set[str] = set()
    for path in paths:
        parts = path.split("/")
        if parts[0] == "benchmarks" or path.endswith(".md"):
            continue  # benchmarks and prose never change what the tests prove
        if parts[0] == "packages" and len(parts) > 1 and parts[1] in GRAPH:
            changed.add(parts[1])
        elif (
            parts[0] == "tests"
            and len(parts) > 1
            and any(GRAPH[d][0] == f"tests/{parts[1]}" for d in GRAPH)
        ):
            changed.update(d for d in GRAPH if GRAPH[d][0] == f"tests/{parts[1]}")
        else:
            return set(GRAPH)  # shared configuration or tooling: everything
    return dependants(changed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="the revision to compare HEAD with")
    parser.add_argument("--github-output", action="store_true")
    args = parser.parse_args()
    proc = subprocess.run(
        ["git", "diff", "--name-only", f"{args.base}...HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    # An unknown base (a new branch, a force push) means: test everything.
    paths = proc.stdout.split() if proc.returncode == 0 else ["<unknown>"]
    dists = sorted(affected(paths))
    tests = [GRAPH[d][0] for d in dists]
    if dists:
        tests.extend(SHARED_TESTS)
    result = {"packages": dists, "tests": " ".join(tests)}
    print(json.dumps(result))
    if args.github_output:
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as fh:
            fh.write(f"packages={json.dumps(dists)}\n")
            fh.write(f"tests={result['tests']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
