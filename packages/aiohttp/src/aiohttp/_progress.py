"""A transfer progress display for the command line, written to a text stream (stderr).

On a terminal the display is one line redrawn in place with ``\\r``: a bar and the
percentage, the bytes received out of the total, the average rate and the time left,
for example::

    report.pdf  [#########...........]  45%  3.2 MiB / 7.0 MiB  1.1 MiB/s  ETA 0:03

or, when the total size is unknown, the bytes received and the rate. Redraws are
throttled to one per ``min_interval`` seconds.

Anywhere else (a log file, a pipe, CI output) nothing is redrawn: there is one line at
the start, a few plain progress lines (at 25, 50 and 75 % when the total is known;
otherwise after 10 s and then each time the elapsed time doubles), and a summary line
from :meth:`Progress.finish`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress", "format_eta", "format_rate", "format_size"]

#: Width of the bar drawn on a terminal, in characters between the brackets.
BAR_WIDTH = 20
#: Without a known total, the first plain (non-terminal) progress line comes after this many
#: seconds; the next ones each time the elapsed time doubles.
FIRST_PLAIN_LINE_AFTER = 10.0

_UNITS = ("KiB", "MiB", "GiB", "TiB", "PiB")


def format_size(n: float) -> str:
    """A byte count for people: ``"512 B"``, ``"3.2 KiB"``, ``"3.2 MiB"``, ``"1.0 GiB"``."""
    if n < 1024:
        return f"{int(n)} B"
    value = float(n)
    unit = "B"
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit == _UNITS[-1]:
            break
    # 1023.96 KiB would print as "1024.0 KiB": say "1.0 MiB" instead.
    if round(value, 1) >= 1024 and unit != _UNITS[-1]:
        value /= 1024
        unit = _UNITS[_UNITS.index(unit) + 1]
    return f"{value:.1f} {unit}"


def format_rate(bytes_per_second: float) -> str:
    """A transfer rate for people: ``"1.1 MiB/s"``."""
    return f"{format_size(bytes_per_second)}/s"


def format_eta(seconds: float) -> str:
    """A duration as ``"0:03"`` (minutes:seconds) or ``"1:02:03"`` (hours:minutes:seconds)."""
    total = max(0, int(seconds + 0.5))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


class Progress:
    """Show the progress of one transfer of ``total`` bytes (``None``: size unknown).

    Args:
        stream: where to write, normally ``sys.stderr``.
        total: the expected number of bytes, or ``None`` when unknown. A transfer that
            turns out longer than announced is shown as 100 % with no time left.
        label: shown at the start of each line (a file name, a URL); may be empty.
        tty: redraw one line in place (``True``) or print plain lines (``False``);
            ``None`` asks ``stream.isatty()``.
        min_interval: on a terminal, the shortest time between two redraws, in seconds.
        clock: a monotonic clock in seconds; tests pass a fake one.

    The start line (plain mode) or a first bar (terminal) is written by the constructor.
    Call :meth:`update` with each chunk's size and :meth:`finish` once at the end, also
    after a failure, so that the terminal line is ended by a newline. Writing never raises
    on a closed or broken stream: progress is cosmetic and must not fail a download.
    """

    def __init__(
        self,
        stream: TextIO,
        total: int | None,
        *,
        label: str = "",
        tty: bool | None = None,
        min_interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self.total = total if total is None or total >= 0 else None
        self.label = label
        if tty is None:
            try:
                tty = stream.isatty()
            except (AttributeError, ValueError, OSError):
                tty = False
        self.tty = tty
        self.min_interval = min_interval
        self._clock = clock
        self._start = clock()
        self._last_draw = self._start
        self._last_width = 0
        #: Bytes received so far.
        self.done = 0
        self._finished = False
        # Plain mode: the next milestone (a quarter of the total, or an elapsed time).
        self._next_quarter = 1
        self._next_plain_time = FIRST_PLAIN_LINE_AFTER
        if self.tty:
            self._draw(self._bar_line(self._start))
        else:
            size = format_size(self.total) if self.total is not None else "size unknown"
            self._write_line(f"{self._prefix()}receiving {size}")

    @property
    def finished(self) -> bool:
        """Whether :meth:`finish` has been called."""
        return self._finished

    def elapsed(self) -> float:
        """Seconds since the transfer started."""
        return self._clock() - self._start

    def update(self, n: int) -> None:
        """Count ``n`` more bytes received and refresh the display if it is time to."""
        if self._finished:
            return
        self.done += n
        now = self._clock()
        if self.tty:
            if now - self._last_draw >= self.min_interval:
                self._draw(self._bar_line(now))
                self._last_draw = now
            return
        if self.total:
            if self.done >= self.total:
                return  # complete: the summary line of finish() says it
            quarter = self.done * 4 // self.total
            if quarter >= self._next_quarter:
                self._next_quarter = quarter + 1
                self._write_line(self._plain_line(now))
        elif now - self._start >= self._next_plain_time:
            self._next_plain_time *= 2
            self._write_line(self._plain_line(now))

    def finish(self) -> None:
        """End the display with a summary line: bytes received, time taken and average rate.

        On a terminal the summary replaces the bar and ends the line with a newline.

        Calling it again does nothing.
        """
        if self._finished:
            return
        self._finished = True
        now = self._clock()
        elapsed = now - self._start
        summary = f"{self._prefix()}{format_size(self.done)} in {elapsed:.1f} s"
        if elapsed > 0:
            summary += f" ({format_rate(self.done / elapsed)})"
        if self.total is not None and self.done < self.total:
            summary += f", {format_size(self.total - self.done)} short of {format_size(self.total)}"
        if self.tty:
            self._draw(summary)  # the summary replaces the bar
            self._write("\n")
        else:
            self._write_line(summary)

    # -- rendering ----------------------------------------------------------------------

    def _prefix(self) -> str:
        return f"{self.label}  " if self.label else ""

    def _rate(self, now: float) -> float | None:
        elapsed = now - self._start
        return self.done / elapsed if elapsed > 0 and self.done else None

    def _bar_line(self, now: float) -> str:
        rate = self._rate(now)
        rate_text = format_rate(rate) if rate is not None else "--- B/s"
        if self.total is None:
            return f"{self._prefix()}{format_size(self.done)}  {rate_text}"
        fraction = min(1.0, self.done / self.total) if self.total else 1.0
        filled = int(fraction * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        remaining = max(0, self.total - self.done)
        if remaining == 0:
            eta = format_eta(0)
        elif rate is not None:
            eta = format_eta(remaining / rate)
        else:
            eta = "-:--"
        return (
            f"{self._prefix()}[{bar}] {fraction * 100:3.0f}%  "
            f"{format_size(self.done)} / {format_size(self.total)}  {rate_text}  ETA {eta}"
        )

    def _plain_line(self, now: float) -> str:
        rate = self._rate(now)
        rate_text = f"  {format_rate(rate)}" if rate is not None else ""
        if self.total:
            percent = min(100, self.done * 100 // self.total)
            return (
                f"{self._prefix()}{percent}%  {format_size(self.done)} / "
                f"{format_size(self.total)}{rate_text}"
            )
        return f"{self._prefix()}{format_size(self.done)}{rate_text}"

    def _draw(self, line: str) -> None:
        # Spaces wipe what is left of a longer previous line; no terminal escapes needed.
        padding = " " * max(0, self._last_width - len(line))
        self._last_width = len(line)
        self._write(f"\r{line}{padding}")

    def _write_line(self, line: str) -> None:
        self._write(line + "\n")

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stderr must not fail the transfer
