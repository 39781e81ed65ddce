"""The repository tools the workflows call: affected-package selection and release checks."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from ._layout import DISTS, ROOT


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


affected = _load("affected")
release_check = _load("release_check")


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (
            ["packages/aiohttp-ws/src/aiohttp_ws/_reader.py"],
            {"aiohttp-ws", "aiohttp-client", "aiohttp"},
        ),
        (
            ["packages/aiohttp-http/src/aiohttp_http/_parser.py"],
            {"aiohttp-http", "aiohttp-multipart", "aiohttp-client", "aiohttp"},
        ),
        (["packages/aiohttp-multipart/README.md"], set()),
        (["tests/multipart/test_reader.py"], {"aiohttp-multipart", "aiohttp-client", "aiohttp"}),
        (["packages/aiohttp/src/aiohttp/__main__.py"], {"aiohttp"}),
        (["hatch.toml"], set(DISTS)),
        (["benchmarks/bench_ws.py"], set()),
    ],
)
def test_a_change_tests_the_package_and_its_dependants(
    paths: list[str], expected: set[str]
) -> None:
    assert affected.affected(paths) == expected


def test_the_graph_of_the_ci_tool_matches_the_layering_table() -> None:
    for dist in DISTS.values():
        _, deps = affected.GRAPH[dist.name]
        assert {DISTS[d].module for d in deps} >= dist.siblings


def test_release_tag_must_match_the_package_version() -> None:
    version = release_check.literal_version(DISTS["aiohttp-http"].src / "__init__.py")
    name, got, folder = release_check.check_tag(f"aiohttp-http-v{version}")
    assert (name, got, folder.name) == ("aiohttp-http", version, "aiohttp-http")
    with pytest.raises(release_check.ReleaseError, match="__version__"):
        release_check.check_tag("aiohttp-http-v999.0.0")
    with pytest.raises(release_check.ReleaseError, match="not a package"):
        release_check.check_tag("requests-v1.0.0")
    with pytest.raises(release_check.ReleaseError, match="not of the form"):
        release_check.check_tag("v1.0.0")


def test_names_not_yet_ours_on_pypi_are_built_but_not_published() -> None:
    assert not release_check.publish_to_pypi(ROOT / "packages" / "aiohttp-ws")
    assert not release_check.publish_to_pypi(ROOT / "packages" / "aiohttp")
    for name in ("aiohttp-http", "aiohttp-multipart", "aiohttp-client"):
        assert release_check.publish_to_pypi(ROOT / "packages" / name)


def test_umbrella_release_requires_its_pins_on_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = ROOT / "packages" / "aiohttp"
    pins = release_check.pinned_siblings(folder)
    assert set(pins) == {"aiohttp-http", "aiohttp-ws", "aiohttp-multipart", "aiohttp-client"}
    monkeypatch.setattr(release_check, "released_versions", lambda name: ["0.1.dev1"])
    with pytest.raises(release_check.ReleaseError, match="no release on the index satisfies"):
        release_check.check_pins_exist(folder)
    monkeypatch.setattr(release_check, "released_versions", lambda name: ["1.0.0"])
    release_check.check_pins_exist(folder)
