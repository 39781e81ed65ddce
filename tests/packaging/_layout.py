"""The five distributions and the layering rules DESIGN.md draws, as data.

The packaging tests read this table; it is the single place to change when a
package gains a sibling or a third-party dependency.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "packages"


@dataclass(frozen=True)
class Dist:
    name: str  # distribution name on PyPI
    module: str  # import name
    siblings: frozenset[str]  # import names of the siblings it may import
    third_party: frozenset[str]  # distribution names of its runtime dependencies
    optional: frozenset[str] = frozenset()  # import names used only behind a try/except ImportError

    @property
    def src(self) -> Path:
        return PACKAGES / self.name / "src" / self.module


DISTS = {
    d.name: d
    for d in (
        Dist("aiohttp-ws", "aiohttp_ws", frozenset(), frozenset()),
        Dist(
            "aiohttp-http",
            "aiohttp_http",
            frozenset(),
            frozenset({"multidict"}),
            optional=frozenset({"brotli", "brotlicffi", "backports", "compression"}),
        ),
        Dist(
            "aiohttp-multipart",
            "aiohttp_multipart",
            frozenset({"aiohttp_http"}),
            frozenset({"multidict"}),
        ),
        Dist(
            "aiohttp-client",
            "aiohttp_client",
            frozenset({"aiohttp_http", "aiohttp_ws", "aiohttp_multipart"}),
            frozenset({"multidict", "yarl", "async-timeout", "chardet"}),
            optional=frozenset({"aiodns", "truststore"}),
        ),
        Dist(
            "aiohttp",
            "aiohttp",
            frozenset({"aiohttp_http", "aiohttp_ws", "aiohttp_multipart", "aiohttp_client"}),
            frozenset(),
            # the opt-in pytest plugin, used only where pytest is installed
            optional=frozenset({"pytest", "pytest_asyncio"}),
        ),
    )
}

#: Import name -> distribution name, for the third-party packages we allow.
THIRD_PARTY_MODULES = {
    "multidict": "multidict",
    "yarl": "yarl",
    "async_timeout": "async-timeout",
    "chardet": "chardet",
}

SIBLING_DISTS = {d.module: d.name for d in DISTS.values()}
