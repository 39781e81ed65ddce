"""Shared fixtures of the aiohttp-ws tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ._frames import build_frame

BuildFrame = Callable[..., bytes]


@pytest.fixture
def frame() -> BuildFrame:
    """The independent frame builder."""
    return build_frame
