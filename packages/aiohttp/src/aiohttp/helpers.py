"""``aiohttp.helpers``: aiohttp 3.x's helper names, and the older documents' ones (deprecated).

3.x names come from aiohttp-client (``BasicAuth``, ``strip_auth_from_url``,
timers and ``ceil_timeout``, ``is_ip_address``, ``.netrc`` and proxy
environment helpers) and aiohttp-http (MIME types, Content-Disposition,
``guess_filename``); ``ChainMapProxy``, ``ETag``, ``ETAG_ANY``, ``DEBUG``
and ``reify`` are defined here. The older names ``FormData``, ``Timeout``,
``ensure_future``, ``create_future``, ``noop`` and ``FrozenList`` warn with a
:class:`DeprecationWarning` naming their replacement on every use.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

import aiohttp_multipart
from aiohttp_client import (
    BasicAuth,
    ProxyInfo,
    TimeoutHandle,
    TimerContext,
    basicauth_from_netrc,
    ceil_timeout,
    get_env_proxy_for_url,
    is_ip_address,
    netrc_from_env,
    proxies_from_env,
    strip_auth_from_url,
)
from aiohttp_http import (
    BaseTimerContext,
    MimeType,
    TimerNoop,
    content_disposition_header,
    guess_filename,
    parse_mimetype,
)

from . import _legacy, _signals
from ._deprecation import deprecated_getattr

#: True in Python's development mode or with ``PYTHONASYNCIODEBUG`` set.
DEBUG: bool = sys.flags.dev_mode or (
    not sys.flags.ignore_environment and bool(os.environ.get("PYTHONASYNCIODEBUG"))
)

#: The ``If-Match: *`` / ``If-None-Match: *`` wildcard.
ETAG_ANY = "*"


@dataclass(frozen=True)
class ETag:
    """An entity tag (RFC 9110 §8.8.3): its opaque ``value`` and whether it is weak."""

    value: str
    is_weak: bool = False


class ChainMapProxy(Mapping[Any, Any]):
    """A read-only view over several mappings; the first one holding a key wins.

    Args:
        maps: the mappings, searched in order (the sequence is copied).
    """

    __slots__ = ("_maps",)

    def __init__(self, maps: Iterable[Mapping[Any, Any]]) -> None:
        self._maps = tuple(maps)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        raise TypeError(f"Inheritance class {cls.__name__} from ChainMapProxy is forbidden")

    def __getitem__(self, key: Any) -> Any:
        for mapping in self._maps:
            try:
                return mapping[key]
            except KeyError:
                pass
        raise KeyError(key)

    def __len__(self) -> int:
        return len(set().union(*self._maps))

    def __iter__(self) -> Iterator[Any]:
        seen: dict[Any, None] = {}
        for mapping in self._maps:
            seen.update(dict.fromkeys(mapping))
        return iter(seen)

    def __contains__(self, key: object) -> bool:
        return any(key in mapping for mapping in self._maps)

    def __bool__(self) -> bool:
        return any(self._maps)

    def __repr__(self) -> str:
        return f"ChainMapProxy({', '.join(map(repr, self._maps))})"


_T = TypeVar("_T")


class reify(Generic[_T]):
    """A read-only property computed once per instance (aiohttp 3.x's ``reify``).

    The first access calls the wrapped method and stores the value in the
    instance's ``_cache`` dict (which the class provides, so that classes
    with ``__slots__`` can use it); later accesses return the stored value.

    Raises:
        AttributeError: on assignment (the property is read-only), or when
            the instance has no ``_cache``.
    """

    def __init__(self, wrapped: Callable[[Any], _T]) -> None:
        self.wrapped = wrapped
        self.name = wrapped.__name__
        self.__doc__ = wrapped.__doc__

    @overload
    def __get__(self, inst: None, owner: type[Any] | None = None) -> reify[_T]: ...

    @overload
    def __get__(self, inst: object, owner: type[Any] | None = None) -> _T: ...

    def __get__(self, inst: object | None, owner: type[Any] | None = None) -> reify[_T] | _T:
        if inst is None:
            return self
        cache: dict[str, Any] = inst._cache  # type: ignore[attr-defined]
        try:
            value: _T = cache[self.name]
        except KeyError:
            value = self.wrapped(inst)
            cache[self.name] = value
        return value

    def __set__(self, inst: object, value: _T) -> None:
        raise AttributeError("reified property is read-only")


__all__ = [
    "DEBUG",
    "ETAG_ANY",
    "BaseTimerContext",
    "BasicAuth",
    "ChainMapProxy",
    "ETag",
    "MimeType",
    "ProxyInfo",
    "TimeoutHandle",
    "TimerContext",
    "TimerNoop",
    "basicauth_from_netrc",
    "ceil_timeout",
    "content_disposition_header",
    "get_env_proxy_for_url",
    "guess_filename",
    "is_ip_address",
    "netrc_from_env",
    "parse_mimetype",
    "proxies_from_env",
    "reify",
    "strip_auth_from_url",
]

_getattr = deprecated_getattr(
    __name__,
    {
        "FormData": (lambda: aiohttp_multipart.FormData, "aiohttp.FormData"),
        "Timeout": (
            lambda: _legacy.Timeout,
            "aiohttp.ClientTimeout (or asyncio.timeout() on Python 3.11+)",
        ),
        "ensure_future": (lambda: asyncio.ensure_future, "asyncio.ensure_future"),
        "create_future": (lambda: _legacy.create_future, "loop.create_future()"),
        "noop": (lambda: _legacy.noop, "asyncio.sleep(0)"),
        "FrozenList": (lambda: _signals.FrozenList, "frozenlist.FrozenList"),
    },
)


def __getattr__(name: str) -> Any:
    """Serve the older helper names, each with a :class:`DeprecationWarning`."""
    return _getattr(name)
