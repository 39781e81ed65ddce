"""Static proof of the layering: every module's imports against DESIGN.md's table."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import pytest
from packaging.requirements import Requirement

from ._layout import DISTS, PACKAGES, SIBLING_DISTS, THIRD_PARTY_MODULES, Dist


def _imports(path: Path, module: str) -> list[tuple[int, str, bool]]:
    """(line, absolute dotted name, guarded) for each import in ``path``.

    ``guarded`` is true for imports inside a ``try`` whose handlers catch
    ImportError (optional dependencies) or under ``if TYPE_CHECKING``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package_parts = module.split(".")
    if path.name != "__init__.py":
        package_parts = package_parts[:-1]
    found: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, guarded: bool) -> None:
        if isinstance(node, ast.Try):
            catches = any(
                h.type is None
                or any(
                    isinstance(n, ast.Name) and n.id in {"ImportError", "ModuleNotFoundError"}
                    for n in ast.walk(h.type)
                )
                for h in node.handlers
            )
            for child in node.body:
                visit(child, guarded or catches)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, guarded)
            return
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, guarded)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, guarded) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
                found.append((node.lineno, name, guarded))
            else:
                assert node.module is not None
                found.append((node.lineno, node.module, guarded))
                # `from pkg import _private` reaches into a private module too
                found.extend(
                    (node.lineno, f"{node.module}.{alias.name}", guarded)
                    for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                )
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    visit(tree, False)
    return found


def _modules(dist: Dist) -> list[tuple[Path, str]]:
    out = []
    for path in sorted(dist.src.rglob("*.py")):
        rel = path.relative_to(dist.src.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((path, ".".join(parts)))
    return out


def layering_violations(dist: Dist) -> list[str]:
    """Every import in ``dist`` that DESIGN.md's layering table forbids."""
    problems = []
    allowed_third = {m for m, d in THIRD_PARTY_MODULES.items() if d in dist.third_party}
    for path, module in _modules(dist):
        for line, name, guarded in _imports(path, module):
            top = name.split(".")[0]
            where = f"{path.relative_to(dist.src.parent)}:{line}"
            if top == dist.module or top in sys.stdlib_module_names or top == "__future__":
                if top == "compression" and not guarded:
                    problems.append(f"{where}: {name} (3.14+ only) must be guarded")
                continue
            if top in SIBLING_DISTS:
                if top not in dist.siblings:
                    problems.append(f"{where}: imports {name}, a package it may not import")
                elif any(part.startswith("_") for part in name.split(".")[1:]):
                    problems.append(f"{where}: imports {name}, a private module of a sibling")
                continue
            if top in allowed_third:
                continue
            if guarded and top in dist.optional:
                continue
            problems.append(f"{where}: imports {name}, which is not a declared dependency")
    return problems


@pytest.mark.parametrize("dist", DISTS.values(), ids=lambda d: d.name)
def test_imports_follow_the_layering_table(dist: Dist) -> None:
    assert layering_violations(dist) == []


@pytest.mark.parametrize("dist", DISTS.values(), ids=lambda d: d.name)
def test_declared_dependencies_are_exactly_the_allowed_ones(dist: Dist) -> None:
    meta = tomllib.loads((PACKAGES / dist.name / "pyproject.toml").read_text())
    declared = {Requirement(r).name for r in meta["project"]["dependencies"]}
    siblings = {SIBLING_DISTS[m] for m in dist.siblings}
    assert declared == siblings | set(dist.third_party)


@pytest.mark.parametrize("dist", DISTS.values(), ids=lambda d: d.name)
def test_sibling_requirements_are_compatible_ranges(dist: Dist) -> None:
    meta = tomllib.loads((PACKAGES / dist.name / "pyproject.toml").read_text())
    for raw in meta["project"]["dependencies"]:
        req = Requirement(raw)
        if req.name in {d.name for d in DISTS.values()}:
            sibling = DISTS[req.name]
            version = _version_of(sibling)
            major, minor = version.split(".")[:2]
            assert {str(s) for s in req.specifier} == {
                f">={major}.{minor}",
                f"<{int(major) + 1}",
            }, raw
            assert req.specifier.contains(version), (raw, version)


def _version_of(dist: Dist) -> str:
    tree = ast.parse((dist.src / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            assert isinstance(node.value, ast.Constant)
            return str(node.value.value)
    raise AssertionError(f"no literal __version__ in {dist.module}")


@pytest.mark.parametrize("dist", DISTS.values(), ids=lambda d: d.name)
def test_versions_start_at_one_or_above(dist: Dist) -> None:
    # An abandoned aiohttp-ws 0.1.dev1 exists on PyPI: no resolver may confuse it with ours.
    assert int(_version_of(dist).split(".")[0]) >= 1


def test_checker_catches_forbidden_imports(tmp_path: Path) -> None:
    """The checker itself fails on each kind of violation (so a green run means something)."""
    src = tmp_path / "aiohttp_multipart"
    src.mkdir()
    (src / "__init__.py").write_text(
        "import yarl\n"
        "from aiohttp_client import ClientSession\n"
        "from aiohttp_http._parser import X\n"
        "from aiohttp_http import _streams\n"
        "import aiohttp\n"
        "from aiohttp_http import hdrs\n"
        "import multidict\n"
        "from . import sub\n"
    )

    class Fake(Dist):
        @property
        def src(self) -> Path:
            return src

    fake = Fake(
        "aiohttp-multipart",
        "aiohttp_multipart",
        frozenset({"aiohttp_http"}),
        frozenset({"multidict"}),
    )
    problems = layering_violations(fake)
    joined = "\n".join(problems)
    assert "yarl" in joined
    assert "aiohttp_client" in joined
    assert "aiohttp_http._parser" in joined
    assert "aiohttp_http._streams" in joined
    assert "imports aiohttp," in joined
    assert len(problems) == 5, joined
