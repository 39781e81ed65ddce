"""Checks a release tag before one package is built and published.

A tag ``<distribution>-v<version>`` releases exactly one distribution. This
script checks that the distribution exists under packages/, that the tag's
version equals the package's literal ``__version__``, and, for the umbrella,
that every sibling version range it pins is satisfied by a release already on
the index (so ``pip install aiohttp`` can resolve the moment it is published), and
reports whether the package may be uploaded to PyPI at all.

Usage: ``python tools/release_check.py TAG [--skip-index]``; prints the
package folder on success and ``name=``/``version=``/``path=``/``publish=`` lines to
``$GITHUB_OUTPUT`` when that variable is set.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
import urllib.request
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
TAG = re.compile(
    r"^(?P<name>[a-z][a-z0-9-]*)-v(?P<version>\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?)$"
)
SIBLINGS = {"aiohttp-http", "aiohttp-ws", "aiohttp-multipart", "aiohttp-client"}


class ReleaseError(Exception):
    """The tag does not describe a releasable state of the repository."""


def literal_version(init: Path) -> str:
    """The value of the literal ``__version__ = "..."`` in ``init``."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise ReleaseError(f"{init} has no literal __version__")


def check_tag(tag: str) -> tuple[str, str, Path]:
    """Return (distribution, version, package folder) for a valid tag."""
    match = TAG.match(tag)
    if not match:
        raise ReleaseError(f"tag {tag!r} is not of the form <distribution>-v<version>")
    name, version = match["name"], match["version"]
    folder = ROOT / "packages" / name
    if not (folder / "pyproject.toml").exists():
        raise ReleaseError(f"tag {tag!r} names {name!r}, which is not a package under packages/")
    module = tomllib.loads((folder / "pyproject.toml").read_text())["tool"]["hatch"]["version"][
        "path"
    ]
    actual = literal_version(folder / module)
    if actual != version:
        raise ReleaseError(f"tag says {name} {version}, but {module} has __version__ = {actual!r}")
    return name, version, folder


def publish_to_pypi(folder: Path) -> bool:
    """Whether the package may be uploaded: ``[tool.aiohttp-packages] publish-to-pypi``."""
    meta = tomllib.loads((folder / "pyproject.toml").read_text())
    return bool(meta.get("tool", {}).get("aiohttp-packages", {}).get("publish-to-pypi", True))


def pinned_siblings(folder: Path) -> dict[str, str]:
    """Sibling distribution -> the specifier the package pins it to."""
    from packaging.requirements import Requirement

    deps = tomllib.loads((folder / "pyproject.toml").read_text())["project"]["dependencies"]
    return {r.name: str(r.specifier) for r in map(Requirement, deps) if r.name in SIBLINGS}


def released_versions(name: str, index: str = "https://pypi.org/pypi") -> list[str]:
    """Versions of ``name`` on the index (none when the project does not exist)."""
    try:
        with urllib.request.urlopen(f"{index}/{name}/json", timeout=30) as resp:
            return list(json.load(resp)["releases"])
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return []
        raise


def check_pins_exist(folder: Path) -> None:
    """Raise unless each pinned sibling range is met by a release on the index."""
    from packaging.specifiers import SpecifierSet

    missing = []
    for name, spec in pinned_siblings(folder).items():
        if not any(v for v in released_versions(name) if SpecifierSet(spec).contains(v)):
            missing.append(f"{name}{spec}")
    if missing:
        raise ReleaseError("no release on the index satisfies: " + ", ".join(missing))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tag")
    parser.add_argument("--skip-index", action="store_true", help="do not query the index")
    args = parser.parse_args()
    try:
        name, version, folder = check_tag(args.tag)
        if name == "aiohttp" and not args.skip_index:
            check_pins_exist(folder)
    except ReleaseError as exc:
        print(f"release check failed: {exc}", file=sys.stderr)
        return 1
    print(folder.relative_to(ROOT), "(publish)" if publish_to_pypi(folder) else "(build only)")
    if "GITHUB_OUTPUT" in os.environ:
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as fh:
            fh.write(f"name={name}\nversion={version}\npath={folder.relative_to(ROOT)}\n")
            fh.write(f"publish={'true' if publish_to_pypi(folder) else 'false'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
