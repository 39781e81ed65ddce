"""``aiohttp.signals``: the older documents' signals (deprecated).

Every name warns with a :class:`DeprecationWarning` naming its replacement:
a list of async callbacks frozen before use, as ``aiosignal.Signal`` (and
aiohttp-client's ``TraceConfig`` signals) provide.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _signals
from ._deprecation import deprecated_getattr

_REPLACEMENT = "aiosignal.Signal (a frozen list of async callbacks)"


def _load(name: str) -> Callable[[], Any]:
    return lambda: getattr(_signals, name)


_ALIASES = {
    "BaseSignal": (_load("BaseSignal"), _REPLACEMENT),
    "DebugSignal": (_load("DebugSignal"), _REPLACEMENT),
    "PostSignal": (_load("PostSignal"), _REPLACEMENT),
    "PreSignal": (_load("PreSignal"), _REPLACEMENT),
    "Signal": (_load("Signal"), _REPLACEMENT),
    "FrozenList": (_load("FrozenList"), "frozenlist.FrozenList"),
}

__all__ = sorted(_ALIASES)

_getattr = deprecated_getattr(__name__, _ALIASES)


def __getattr__(name: str) -> Any:
    """Serve the legacy signal classes, each with a :class:`DeprecationWarning`."""
    return _getattr(name)
