"""The older documents' signals: lists of receivers awaited in order.

A signal is a list (append, insert, remove, ...) until :meth:`FrozenList.freeze`
makes it read-only; ``await signal.send(...)`` calls every receiver in order
and awaits what a receiver returns when it is awaitable. Reached through the
deprecated ``aiohttp.signals`` module, whose every name warns.
"""

from __future__ import annotations

import inspect
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, MutableSequence
from typing import Any, overload

__all__ = ["BaseSignal", "DebugSignal", "FrozenList", "PostSignal", "PreSignal", "Signal"]

#: Where :class:`DebugSignal` reports each send.
logger = logging.getLogger("aiohttp.signals")

Receiver = Callable[..., Any]


class FrozenList(MutableSequence[Receiver]):
    """A list that :meth:`freeze` turns read-only (mutations then raise ``RuntimeError``)."""

    __slots__ = ("_frozen", "_items")

    def __init__(self, items: Iterable[Receiver] | None = None) -> None:
        self._frozen = False
        self._items: list[Receiver] = list(items) if items is not None else []

    @property
    def frozen(self) -> bool:
        """Whether the list is read-only."""
        return self._frozen

    def freeze(self) -> None:
        """Make the list read-only, for good."""
        self._frozen = True

    def _check(self) -> None:
        if self._frozen:
            raise RuntimeError(f"Cannot modify frozen {type(self).__name__}")

    @overload
    def __getitem__(self, index: int) -> Receiver: ...
    @overload
    def __getitem__(self, index: slice) -> MutableSequence[Receiver]: ...
    def __getitem__(self, index: int | slice) -> Receiver | MutableSequence[Receiver]:
        return self._items[index]

    @overload
    def __setitem__(self, index: int, value: Receiver) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[Receiver]) -> None: ...
    def __setitem__(self, index: int | slice, value: Any) -> None:
        self._check()
        self._items[index] = value

    def __delitem__(self, index: int | slice) -> None:
        self._check()
        del self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Receiver]:
        return iter(self._items)

    def insert(self, index: int, value: Receiver) -> None:
        """Insert a receiver before ``index``."""
        self._check()
        self._items.insert(index, value)

    def __eq__(self, other: object) -> bool:
        return list(self) == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} frozen={self._frozen} {self._items!r}>"


class BaseSignal(FrozenList):
    """A list of receivers; :meth:`_send` calls each in order and awaits awaitable results."""

    __slots__ = ()

    async def _send(self, *args: Any, **kwargs: Any) -> None:
        for receiver in list(self):
            result = receiver(*args, **kwargs)
            if inspect.isawaitable(result):
                await result


class Signal(BaseSignal):
    """A coroutine-based signal owned by an application (``Signal(app)``).

    When ``app.debug`` is true and the app has ``on_pre_signal`` /
    ``on_post_signal`` (a :class:`PreSignal` and a :class:`PostSignal`), they
    are sent around every send with an ordinal and this signal's name.
    Sending does not require the signal to be frozen (as in the older
    releases); freezing only forbids adding or removing receivers.
    """

    __slots__ = ("_app", "_name")

    def __init__(self, app: Any = None) -> None:
        super().__init__()
        self._app = app
        self._name = f"{type(self).__module__}:{type(self).__qualname__}"

    async def send(self, *args: Any, **kwargs: Any) -> None:
        """Call every receiver with ``*args, **kwargs``, in order, awaiting each."""
        pre = getattr(self._app, "on_pre_signal", None)
        post = getattr(self._app, "on_post_signal", None)
        debug = bool(getattr(self._app, "debug", False)) and pre is not None and post is not None
        if not debug:
            await self._send(*args, **kwargs)
            return
        assert isinstance(pre, PreSignal) and isinstance(post, PostSignal)
        ordinal = pre.ordinal()
        await pre.send(ordinal, self._name, *args, **kwargs)
        await self._send(*args, **kwargs)
        await post.send(ordinal, self._name, *args, **kwargs)


class DebugSignal(BaseSignal):
    """A signal sent around another one, with an ordinal and the other's name.

    Each send is logged at DEBUG level on the ``aiohttp.signals`` logger
    (``"<class> #<ordinal> <name>"``), then the receivers are called with
    ``(ordinal, name, *args, **kwargs)``.
    """

    __slots__ = ()

    async def send(self, ordinal: int | None, name: str, *args: Any, **kwargs: Any) -> None:
        """Log the send, then call every receiver with ``(ordinal, name, *args, **kwargs)``."""
        logger.debug("%s #%s %s", type(self).__name__, ordinal, name)
        await self._send(ordinal, name, *args, **kwargs)


class PreSignal(DebugSignal):
    """Sent before a :class:`Signal`; :meth:`ordinal` numbers the sends from 1."""

    __slots__ = ("_counter",)

    def __init__(self, items: Iterable[Receiver] | None = None) -> None:
        super().__init__(items)
        self._counter = itertools.count(1)

    def ordinal(self) -> int:
        """The next ordinal (1, 2, ...)."""
        return next(self._counter)


class PostSignal(DebugSignal):
    """Sent after a :class:`Signal` with the ordinal its :class:`PreSignal` gave."""

    __slots__ = ()
