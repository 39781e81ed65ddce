"""What is installed: each distribution of the project, its version and dependencies."""

from __future__ import annotations

import importlib.metadata as metadata
import re
from dataclasses import dataclass

#: The distributions of the project, from the bottom of the stack to the top.
DISTRIBUTIONS = ("aiohttp-ws", "aiohttp-http", "aiohttp-multipart", "aiohttp-client", "aiohttp")

_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class DistInfo:
    """One installed distribution: its version and the runtime requirements it declares."""

    name: str
    version: str | None
    requires: tuple[str, ...]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _runtime_requirements(dist: metadata.Distribution) -> tuple[str, ...]:
    out = []
    for raw in dist.requires or ():
        spec, _, marker = raw.partition(";")
        if "extra ==" in marker or "extra==" in marker:
            continue  # optional extras are not part of the graph
        match = _NAME.match(spec)
        if match:
            out.append(spec.strip() + (f"; {marker.strip()}" if marker.strip() else ""))
    return tuple(out)


def collect() -> list[DistInfo]:
    """Describe every distribution of the project, installed or not."""
    infos = []
    for name in DISTRIBUTIONS:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            infos.append(DistInfo(name, None, ()))
            continue
        infos.append(DistInfo(name, dist.version, _runtime_requirements(dist)))
    return infos


def render(infos: list[DistInfo]) -> str:
    """The versions and the dependency graph as a few readable lines."""
    ours = {info.name for info in infos}
    width = max(len(i.name) for i in infos)
    lines = ["Installed distributions:"]
    lines.extend(f"  {i.name:<{width}}  {i.version or 'not installed'}" for i in infos)
    lines.append("")
    lines.append("Dependency graph (siblings, then third-party runtime dependencies):")
    for info in reversed(infos):
        if info.version is None:
            continue
        siblings: list[str] = []
        third: list[str] = []
        for req in info.requires:
            match = _NAME.match(req)
            assert match is not None
            (siblings if _normalise(match.group(1)) in ours else third).append(req)
        lines.append(f"  {info.name}")
        lines.extend(f"    -> {req}" for req in siblings)
        lines.extend(f"    ~> {req}" for req in third)
        if not siblings and not third:
            lines.append("    (standard library only)")
    return "\n".join(lines)
