"""Retrying failed requests: ``Retry-After`` parsing and :class:`RetryMiddleware`.

Beyond aiohttp. The middleware re-sends a request whose answer has a
retryable status (429, 500, 502, 503, 504 by default) or whose sending
raised a retryable exception (connection errors and timeouts), at most
``attempts`` times in all. Between attempts it waits for the response's
``Retry-After`` (RFC 9110 §10.2.3) when there is one, else for a
"full jitter" exponential backoff: a random time in
``[0, min(max_backoff, backoff * 2 ** (retry - 1))]``. Only idempotent
methods (RFC 9110 §9.2.2) are retried unless ``retry_non_idempotent=True``.
The failed response is released before the next attempt; the last one is
returned (or its exception raised) unchanged.
"""

from __future__ import annotations

import asyncio
import calendar
import random as random_module
import re
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from typing import Any

from ._exceptions import ClientConnectionError
from ._middlewares import ClientHandlerType, release_response

__all__ = [
    "DEFAULT_RETRY_ATTEMPTS",
    "DEFAULT_RETRY_EXCEPTIONS",
    "DEFAULT_RETRY_METHODS",
    "DEFAULT_RETRY_STATUSES",
    "RetryMiddleware",
    "parse_retry_after",
]

#: Attempts in all (the first one included).
DEFAULT_RETRY_ATTEMPTS = 3
#: Statuses worth another try.
DEFAULT_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Idempotent methods (RFC 9110 §9.2.2), retried by default.
DEFAULT_RETRY_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
#: Exceptions worth another try: connection failures and timeouts
#: (``ServerTimeoutError`` and its subclasses are both).
DEFAULT_RETRY_EXCEPTIONS: tuple[type[BaseException], ...] = (
    ClientConnectionError,
    asyncio.TimeoutError,
)
#: Longest ``Retry-After`` honoured, in seconds; a longer one ends the retries.
DEFAULT_MAX_RETRY_AFTER = 120.0

# RFC 9110 §5.6.7 HTTP-date: IMF-fixdate, obsolete RFC 850 and asctime forms.
_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_LONG_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_TIME = r"(\d{2}):(\d{2}):(\d{2})"
_IMF_FIXDATE = re.compile(rf"{_DAY}, (\d{{2}}) {_MONTH} (\d{{4}}) {_TIME} GMT")
_RFC850_DATE = re.compile(rf"{_LONG_DAY}, (\d{{2}})-{_MONTH}-(\d{{2}}) {_TIME} GMT")
_ASCTIME_DATE = re.compile(rf"{_DAY} {_MONTH} ([ \d]\d) {_TIME} (\d{{4}})")
_MONTHS = {
    name: index
    for index, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_DELTA_SECONDS = re.compile(r"[0-9]+")


def _timestamp(year: int, month: str, day: int, hh: str, mm: str, ss: str) -> float | None:
    hour, minute, second = int(hh), int(mm), int(ss)
    if not (1 <= day <= 31 and hour < 24 and minute < 60 and second <= 60):
        return None
    try:
        return float(calendar.timegm((year, _MONTHS[month], day, hour, minute, second, 0, 0, 0)))
    except (ValueError, OverflowError):
        return None


def _parse_http_date(value: str, now: float) -> float | None:
    match = _IMF_FIXDATE.fullmatch(value)
    if match is not None:
        day, month, year, hh, mm, ss = match.groups()
        return _timestamp(int(year), month, int(day), hh, mm, ss)
    match = _RFC850_DATE.fullmatch(value)
    if match is not None:
        day, month, yy, hh, mm, ss = match.groups()
        # RFC 9110 §5.6.7: a two-digit year more than 50 years in the future
        # means the most recent past year with those digits.
        current = time.gmtime(now).tm_year
        year = current - current % 100 + int(yy)
        if year > current + 50:
            year -= 100
        return _timestamp(year, month, int(day), hh, mm, ss)
    match = _ASCTIME_DATE.fullmatch(value)
    if match is not None:
        month, day, hh, mm, ss, year = match.groups()
        return _timestamp(int(year), month, int(day.strip()), hh, mm, ss)
    return None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Return the delay in seconds a ``Retry-After`` value asks for (RFC 9110 §10.2.3).

    Args:
        value: the header value: ``delta-seconds`` (digits only) or an HTTP-date
            in any of the three RFC 9110 §5.6.7 forms.
        now: the current POSIX time for dates (``time.time()`` by default).

    Returns:
        the delay (``0.0`` for a date in the past), or ``None`` when ``value``
        is missing or malformed.
    """
    if value is None:
        return None
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        return float(int(text))
    current = time.time() if now is None else now
    when = _parse_http_date(text, current)
    if when is None:
        return None
    return max(0.0, when - current)


class RetryMiddleware:
    """Retry requests that failed in a transient way, with backoff and ``Retry-After``.

    Use it as ``ClientSession(middlewares=[RetryMiddleware()])``. The request
    body must be re-sendable (bytes, forms, files; not an async iterator).

    Args:
        attempts: attempts in all, the first included (:data:`DEFAULT_RETRY_ATTEMPTS`).
        backoff: base of the exponential backoff in seconds.
        max_backoff: cap of a single backoff wait in seconds.
        jitter: wait a random time up to the backoff ("full jitter") instead of
            the backoff itself.
        statuses: response statuses that are retried.
        exceptions: exception classes that are retried
            (:data:`DEFAULT_RETRY_EXCEPTIONS`).
        methods: methods retried (:data:`DEFAULT_RETRY_METHODS`); upper case.
        retry_non_idempotent: retry every method.
        respect_retry_after: wait for a response's ``Retry-After`` when present.
        max_retry_after: a longer ``Retry-After`` stops retrying and the response
            is returned (:data:`DEFAULT_MAX_RETRY_AFTER`).
        sleep: the coroutine function used to wait (``asyncio.sleep``).
        random: returns a float in ``[0, 1)`` for the jitter (``random.random``).
        clock: the current POSIX time, for ``Retry-After`` dates (``time.time``).

    Raises:
        ValueError: ``attempts`` below 1, a negative delay, or a status outside
            100..599.
        TypeError: ``exceptions`` holds something else than exception classes.
    """

    def __init__(
        self,
        attempts: int = DEFAULT_RETRY_ATTEMPTS,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        jitter: bool = True,
        statuses: Iterable[int] = DEFAULT_RETRY_STATUSES,
        exceptions: Iterable[type[BaseException]] = DEFAULT_RETRY_EXCEPTIONS,
        methods: Collection[str] = DEFAULT_RETRY_METHODS,
        retry_non_idempotent: bool = False,
        respect_retry_after: bool = True,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
        *,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        random: Callable[[], float] = random_module.random,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise ValueError(f"attempts must be an integer >= 1, got {attempts!r}")
        for name, number in (
            ("backoff", backoff),
            ("max_backoff", max_backoff),
            ("max_retry_after", max_retry_after),
        ):
            if number < 0:
                raise ValueError(f"{name} must not be negative, got {number!r}")
        status_set = frozenset(statuses)
        for status in status_set:
            if not 100 <= status <= 599:
                raise ValueError(f"statuses must be HTTP statuses (100..599), got {status!r}")
        exception_tuple = tuple(exceptions)
        for exc_type in exception_tuple:
            if not (isinstance(exc_type, type) and issubclass(exc_type, BaseException)):
                raise TypeError(f"exceptions must be exception classes, got {exc_type!r}")
        self.attempts = attempts
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.jitter = jitter
        self.statuses = status_set
        self.exceptions = exception_tuple
        self.methods = frozenset(method.upper() for method in methods)
        self.retry_non_idempotent = retry_non_idempotent
        self.respect_retry_after = respect_retry_after
        self.max_retry_after = float(max_retry_after)
        self._sleep = sleep
        self._random = random
        self._clock = clock

    def backoff_delay(self, retry: int) -> float:
        """The wait before retry number ``retry`` (1 for the first retry), without ``Retry-After``."""
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** (retry - 1))
        return ceiling * self._random() if self.jitter else ceiling

    def _retryable_method(self, method: str) -> bool:
        return self.retry_non_idempotent or method.upper() in self.methods

    async def __call__(self, request: Any, handler: ClientHandlerType) -> Any:
        """Send ``request`` through ``handler``, retrying as configured.

        Raises:
            Exception: the last attempt's exception, or a non-retryable one at once.
        """
        retry = 0
        while True:
            retry += 1
            last = retry >= self.attempts or not self._retryable_method(request.method)
            try:
                response = await handler(request)
            except self.exceptions:
                if last:
                    raise
                await self._sleep(self.backoff_delay(retry))
                continue
            if last or response.status not in self.statuses:
                return response
            delay = self.backoff_delay(retry)
            if self.respect_retry_after:
                asked = parse_retry_after(response.headers.get("Retry-After"), now=self._clock())
                if asked is not None:
                    if asked > self.max_retry_after:
                        return response
                    delay = asked
            await release_response(response)
            await self._sleep(delay)
