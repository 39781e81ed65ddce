"""Vendoring: a library copies our packages into its own ``_vendor/`` folder.

The copy has its absolute imports of the vendored packages rewritten the way
the ``vendoring`` tool does (``import aiohttp_ws`` becomes
``from scratchlib._vendor import aiohttp_ws``, ``from aiohttp_http import X``
becomes ``from scratchlib._vendor.aiohttp_http import X``), then the smoke
script of each vendored package runs against the copy in a fresh environment
that has only the package's third-party dependencies installed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ._layout import DISTS

pytestmark = [pytest.mark.packaging, pytest.mark.slow]

SMOKE = Path(__file__).parent / "smoke"
VENDOR_PREFIX = "scratchlib._vendor"


def rewrite(source: str, vendored: set[str]) -> str:
    """Rewrite absolute imports of ``vendored`` modules to point into the vendor folder."""
    names = "|".join(sorted(vendored))
    source = re.sub(
        rf"^(\s*)import ({names})(\s*(?:#.*)?)$",
        rf"\1from {VENDOR_PREFIX} import \2\3",
        source,
        flags=re.M,
    )
    source = re.sub(
        rf"^(\s*)import ({names})\.", rf"\1import {VENDOR_PREFIX}.\2.", source, flags=re.M
    )
    return re.sub(
        rf"^(\s*)from ({names})([.\s])", rf"\1from {VENDOR_PREFIX}.\2\3", source, flags=re.M
    )


def vendor(into: Path, modules: set[str]) -> Path:
    """Make ``into/scratchlib`` with ``modules`` copied into its ``_vendor`` package."""
    lib = into / "scratchlib"
    vendor_dir = lib / "_vendor"
    vendor_dir.mkdir(parents=True)
    (lib / "__init__.py").write_text('"""A scratch library that vendors aiohttp packages."""\n')
    (vendor_dir / "__init__.py").write_text("")
    for dist in DISTS.values():
        if dist.module in modules:
            shutil.copytree(dist.src, vendor_dir / dist.module)
    for path in vendor_dir.rglob("*.py"):
        path.write_text(rewrite(path.read_text(), modules))
    return lib


def test_rewrite_follows_the_vendoring_tool() -> None:
    src = "import aiohttp_ws\nfrom aiohttp_http import hdrs\nfrom aiohttp_http.hdrs import HOST\nimport json\n"
    assert rewrite(src, {"aiohttp_ws", "aiohttp_http"}) == (
        "from scratchlib._vendor import aiohttp_ws\n"
        "from scratchlib._vendor.aiohttp_http import hdrs\n"
        "from scratchlib._vendor.aiohttp_http.hdrs import HOST\n"
        "import json\n"
    )


@pytest.mark.parametrize(
    ("modules", "third_party"),
    [
        ({"aiohttp_ws"}, []),
        ({"aiohttp_http"}, ["multidict"]),
        ({"aiohttp_http", "aiohttp_multipart"}, ["multidict"]),
    ],
    ids=["ws", "http", "multipart+http"],
)
def test_vendored_copy_works_with_only_declared_dependencies(
    modules: set[str], third_party: list[str], tmp_path: Path, fresh_env: object, dist_dir: Path
) -> None:
    env = fresh_env
    if third_party:
        env.install(*third_party, find_links=dist_dir)  # type: ignore[attr-defined]
    vendor(tmp_path, modules)
    prelude = f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
    for module in sorted(modules):
        # The real package is not installed: only the vendored copy can answer.
        absent = env.python_run(  # type: ignore[attr-defined]
            f"import importlib.util; print(importlib.util.find_spec({module!r}) is None)"
        )
        assert absent.strip() == "True"
        script = rewrite((SMOKE / f"{module}.py").read_text(), modules)
        out = env.python_run(prelude + script)  # type: ignore[attr-defined]
        assert out.strip().endswith(f"{module} smoke ok"), out
        where = env.python_run(  # type: ignore[attr-defined]
            prelude + f"from scratchlib._vendor import {module} as m; print(m.__file__)"
        )
        assert str(tmp_path / "scratchlib" / "_vendor" / module) in where
