"""Small helpers shared by the payloads and the streams (aiohttp 3.x's ``aiohttp.helpers``)."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import TypeVar, overload

__all__ = ["BaseTimerContext", "TimerNoop", "guess_filename"]

_T = TypeVar("_T")


@overload
def guess_filename(obj: object) -> str | None: ...


@overload
def guess_filename(obj: object, default: _T) -> str | _T: ...


def guess_filename(obj: object, default: object = None) -> object:
    """Return the base name of the file behind *obj*, or *default*.

    Looks at ``obj.name`` (what :func:`open` sets; a path object is accepted);
    pseudo names such as ``"<stdin>"``, bytes names and file descriptors are
    ignored.

    Args:
        obj: any object, typically a file object.
        default: returned when no usable name is found.
    """
    name = getattr(obj, "name", None)
    if isinstance(name, os.PathLike):
        name = os.fspath(name)
    if isinstance(name, str) and name and not (name[0] == "<" and name[-1] == ">"):
        base = Path(name).name
        if base:
            return base
    return default


class BaseTimerContext(ABC):
    """A context manager that wraps each wait of a stream (aiohttp's timer hook).

    :class:`~aiohttp_http.StreamReader` enters it around every wait for data,
    so an implementation can enforce a read timeout, for example by
    cancelling the task on expiry and turning the cancellation into
    :class:`TimeoutError` in :meth:`__exit__`.
    """

    def assert_timeout(self) -> None:
        """Raise :class:`TimeoutError` if the timer has already expired; no-op by default."""
        return None

    @abstractmethod
    def __enter__(self) -> BaseTimerContext:
        """Start guarding one wait."""

    @abstractmethod
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> bool | None:
        """Stop guarding; may translate the exception that ended the wait."""


class TimerNoop(BaseTimerContext):
    """A timer that never fires: the default of :class:`~aiohttp_http.StreamReader`."""

    __slots__ = ()

    def __enter__(self) -> BaseTimerContext:
        """Return self; nothing to start."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        """Do nothing; exceptions propagate unchanged."""
        return None
