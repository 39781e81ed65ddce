"""The public surface of aiohttp_client: __all__, documentation of each name."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import aiohttp_client

README = Path(__file__).parents[2] / "packages" / "aiohttp-client" / "README.md"
CHANGES = Path(__file__).parents[2] / "packages" / "aiohttp-client" / "CHANGES.md"
PUBLIC = [name for name in aiohttp_client.__all__ if name != "__version__"]


def test_every_exported_name_exists() -> None:
    for name in aiohttp_client.__all__:
        assert hasattr(aiohttp_client, name), name
    assert len(set(aiohttp_client.__all__)) == len(aiohttp_client.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_exported_name_is_documented_in_the_readme(name: str) -> None:
    assert re.search(rf"`{re.escape(name)}\b", README.read_text(encoding="utf-8")), name


@pytest.mark.parametrize("name", PUBLIC)
def test_every_exported_class_and_function_has_a_docstring(name: str) -> None:
    obj = getattr(aiohttp_client, name)
    defined_here = getattr(obj, "__module__", "").startswith("aiohttp_client")
    if defined_here and (inspect.isclass(obj) or inspect.isfunction(obj)):
        assert inspect.getdoc(obj), name


def test_changelog_has_an_unreleased_section() -> None:
    assert "## 1.0.0 (unreleased)" in CHANGES.read_text(encoding="utf-8")
