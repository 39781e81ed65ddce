"""Each distribution, built and installed alone into a fresh virtual environment.

Proves what a user who installs one package gets: it imports, its smoke
behaviour works, and the installed set is exactly what its metadata declares
(nothing of a sibling it does not need, no stray third-party package).
"""

from __future__ import annotations

import json
import re
import tarfile
import zipfile
from pathlib import Path

import pytest

from ._layout import DISTS, ROOT, Dist

pytestmark = [pytest.mark.packaging, pytest.mark.slow]

SMOKE = Path(__file__).parent / "smoke"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _artifact(dist_dir: Path, dist: Dist, suffix: str) -> Path:
    stem = dist.name.replace("-", "_")
    found = sorted(dist_dir.glob(f"{stem}-*{suffix}"))
    assert len(found) == 1, found
    return found[0]


CLOSURE = """
import importlib.metadata as m, json, re, sys
from packaging.requirements import Requirement
"""

# Walk Requires-Dist of the installed distributions from the root, evaluating
# markers for this interpreter: the set a resolver had to install.
CLOSURE_CODE = r"""
import importlib.metadata as m, json, re
def norm(n): return re.sub(r"[-_.]+", "-", n).lower()
def reqs(name):
    out = []
    for raw in m.requires(name) or []:
        spec, _, marker = raw.partition(";")
        name_part = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec).group(1)
        if marker.strip():
            env = {"python_version": "%d.%d" % __import__("sys").version_info[:2],
                   "platform_python_implementation": __import__("platform").python_implementation(),
                   "sys_platform": __import__("sys").platform, "os_name": __import__("os").name,
                   "implementation_name": __import__("sys").implementation.name,
                   "platform_system": __import__("platform").system(), "extra": ""}
            expr = marker.strip()
            for k, v in env.items():
                expr = re.sub(r"\b%s\b" % k, repr(v), expr)
            if not eval(expr):
                continue
        out.append(norm(name_part))
    return out
root = ROOT_NAME
seen, todo = set(), [root]
while todo:
    n = todo.pop()
    if n in seen: continue
    seen.add(n)
    todo.extend(reqs(n))
print(json.dumps(sorted(seen)))
"""


@pytest.mark.parametrize("name", list(DISTS), ids=str)
def test_wheel_installs_alone_with_exactly_its_dependencies(
    name: str, dist_dir: Path, fresh_env: object
) -> None:
    dist = DISTS[name]
    env = fresh_env
    wheel = _artifact(dist_dir, dist, ".whl")
    env.install(str(wheel), find_links=dist_dir)  # type: ignore[attr-defined]
    installed = env.installed()  # type: ignore[attr-defined]
    closure = json.loads(env.python_run(CLOSURE_CODE.replace("ROOT_NAME", repr(dist.name))))  # type: ignore[attr-defined]
    assert set(installed) == set(closure), "installed more (or less) than the metadata declares"
    siblings_installed = {n for n in installed if n in DISTS} - {dist.name}
    expected_siblings = {d.name for d in DISTS.values() if d.module in _transitive_siblings(dist)}
    assert siblings_installed == expected_siblings
    if dist.name == "aiohttp-ws":
        assert set(installed) == {"aiohttp-ws"}, "aiohttp-ws must install nothing else"
    if dist.name in {"aiohttp-http", "aiohttp-multipart"}:
        assert not {
            "yarl",
            "chardet",
            "async-timeout",
            "aiohttp-client",
            "aiohttp-ws",
            "aiohttp",
        } & set(installed)


def _transitive_siblings(dist: Dist) -> set[str]:
    out: set[str] = set()
    todo = list(dist.siblings)
    while todo:
        module = todo.pop()
        if module in out:
            continue
        out.add(module)
        todo.extend(next(d for d in DISTS.values() if d.module == module).siblings)
    return out


@pytest.mark.parametrize("name", list(DISTS), ids=str)
def test_installed_wheel_imports_and_its_smoke_behaviour_works(
    name: str, dist_dir: Path, fresh_env: object
) -> None:
    dist = DISTS[name]
    env = fresh_env
    env.install(str(_artifact(dist_dir, dist, ".whl")), find_links=dist_dir)  # type: ignore[attr-defined]
    script = (SMOKE / f"{dist.module}.py").read_text()
    out = env.python_run(script)  # type: ignore[attr-defined]
    assert out.strip().endswith(f"{dist.module} smoke ok"), out
    # The package came from our wheel, not from the workspace or another project.
    origin = json.loads(
        env.python_run(  # type: ignore[attr-defined]
            f"import json, importlib.metadata as m, {dist.module} as p;"
            f"d = m.distribution({dist.name!r});"
            "print(json.dumps([p.__file__, p.__version__, d.version, d.metadata['Project-URL'] or '']))"
        )
    )
    path, module_version, dist_version, _ = origin
    assert str(env.path) in path and str(ROOT / "packages") not in path  # type: ignore[attr-defined]
    assert module_version == dist_version
    assert int(module_version.split(".")[0]) >= 1


def test_aiohttp_ws_we_import_is_ours_not_the_abandoned_namesake(
    dist_dir: Path, fresh_env: object
) -> None:
    """PyPI holds an unrelated aiohttp-ws 0.1.dev1 with the same import name: prove we got ours."""
    env = fresh_env
    env.install("aiohttp-ws>=1.0", find_links=dist_dir)  # type: ignore[attr-defined]
    info = json.loads(
        env.python_run(  # type: ignore[attr-defined]
            "import json, importlib.metadata as m, aiohttp_ws;"
            "d = m.distribution('aiohttp-ws');"
            "print(json.dumps([d.version, d.metadata.get_all('Project-URL'), d.metadata['License-Expression'],"
            " sorted(aiohttp_ws.__all__)]))"
        )
    )
    version, urls, licence, names = info
    assert version == next(iter(_versions(dist_dir, "aiohttp_ws")))
    assert any("aiohttp-packages" in u for u in urls)
    assert licence == "Apache-2.0"
    assert "__version__" in names


def _versions(dist_dir: Path, stem: str) -> set[str]:
    return {p.name.split("-")[1] for p in dist_dir.glob(f"{stem}-*.whl")}


@pytest.mark.parametrize("name", list(DISTS), ids=str)
def test_sdist_holds_the_source_and_licence_and_no_tests(name: str, dist_dir: Path) -> None:
    dist = DISTS[name]
    sdist = _artifact(dist_dir, dist, ".tar.gz")
    with tarfile.open(sdist) as tar:
        members = [m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name]
    assert "LICENSE" in members
    assert "pyproject.toml" in members and "README.md" in members and "CHANGES.md" in members
    assert f"src/{dist.module}/__init__.py" in members
    assert f"src/{dist.module}/py.typed" in members
    assert not [m for m in members if m.startswith("tests/") or "/tests/" in m or "conftest" in m]
    # every source module of the package is in the sdist
    source = {str(p.relative_to(dist.src.parent.parent)) for p in dist.src.rglob("*.py")}
    assert source <= set(members)


@pytest.mark.parametrize("name", list(DISTS), ids=str)
def test_wheel_is_typed_and_licensed(name: str, dist_dir: Path) -> None:
    dist = DISTS[name]
    with zipfile.ZipFile(_artifact(dist_dir, dist, ".whl")) as whl:
        names = whl.namelist()
        meta = whl.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert f"{dist.module}/py.typed" in names
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "Classifier: Typing :: Typed" in meta
    assert "License-Expression: Apache-2.0" in meta
    assert "Requires-Python: >=3.10" in meta
    assert not [n for n in names if n.startswith("tests/")]
