"""The progress display of ``-o`` and the demo, driven by a fake clock."""

from __future__ import annotations

import io

import pytest

from aiohttp._progress import Progress, format_eta, format_rate, format_size

MiB = 1024 * 1024


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class TtyStringIO(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (1536, "1.5 KiB"),
        (int(3.2 * MiB), "3.2 MiB"),
        (MiB - 1, "1.0 MiB"),  # not "1024.0 KiB"
        (5 * 1024**3, "5.0 GiB"),
        (3 * 1024**6, "3072.0 PiB"),
    ],
)
def test_format_size(size: int, text: str) -> None:
    assert format_size(size) == text


def test_format_rate_and_eta() -> None:
    assert format_rate(1.1 * MiB) == "1.1 MiB/s"
    assert format_rate(10) == "10 B/s"
    assert format_eta(3) == "0:03"
    assert format_eta(2.6) == "0:03"
    assert format_eta(62) == "1:02"
    assert format_eta(3723) == "1:02:03"
    assert format_eta(-5) == "0:00"


def test_terminal_bar_redraws_in_place_with_size_rate_and_eta() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(out, 10 * MiB, label="file.bin", tty=True, clock=clock)
    for _ in range(4):
        clock.now += 1.0
        progress.update(MiB)
    text = out.getvalue()
    assert "\n" not in text  # nothing but redraws so far
    frames = text.split("\r")[1:]
    assert len(frames) == 5  # the first bar, then one per update
    assert frames[0].startswith("file.bin  [....................]   0%  0 B / 10.0 MiB")
    assert frames[-1].rstrip() == (
        "file.bin  [########............]  40%  4.0 MiB / 10.0 MiB  1.0 MiB/s  ETA 0:06"
    )
    progress.finish()
    last = out.getvalue().split("\r")[-1]
    assert last.rstrip(" \n") == "file.bin  4.0 MiB in 4.0 s (1.0 MiB/s), 6.0 MiB short of 10.0 MiB"
    assert out.getvalue().endswith("\n")


def test_terminal_redraws_are_throttled() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(out, None, tty=True, min_interval=0.5, clock=clock)
    for _ in range(10):
        clock.now += 0.125
        progress.update(1000)
    assert out.getvalue().count("\r") == 1 + 2  # the first bar, then at 0.5 s and 1.0 s
    assert out.getvalue().split("\r")[-1].rstrip() == "7.8 KiB  7.8 KiB/s"


def test_shorter_lines_wipe_the_longer_previous_one() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(out, 100, label="x", tty=True, clock=clock)
    first = out.getvalue()
    clock.now += 1
    progress.finish()
    wiped = out.getvalue()[len(first) :]
    assert wiped.startswith("\rx  0 B in 1.0 s")
    assert len(wiped.rstrip("\n")) >= len(first)


def test_plain_lines_with_a_known_total() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(out, 8 * MiB, label="big.iso", tty=False, clock=clock)
    for _ in range(64):
        clock.now += 0.125
        progress.update(MiB // 8)
    progress.finish()
    assert out.getvalue().splitlines() == [
        "big.iso  receiving 8.0 MiB",
        "big.iso  25%  2.0 MiB / 8.0 MiB  1.0 MiB/s",
        "big.iso  50%  4.0 MiB / 8.0 MiB  1.0 MiB/s",
        "big.iso  75%  6.0 MiB / 8.0 MiB  1.0 MiB/s",
        "big.iso  8.0 MiB in 8.0 s (1.0 MiB/s)",
    ]
    assert "\r" not in out.getvalue()


def test_plain_lines_skip_quarters_passed_in_one_update() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(out, 100, tty=False, clock=clock)
    clock.now += 1
    progress.update(80)
    progress.update(20)
    progress.finish()
    assert out.getvalue().splitlines() == [
        "receiving 100 B",
        "80%  80 B / 100 B  80 B/s",
        "100 B in 1.0 s (100 B/s)",
    ]


def test_plain_lines_without_a_total_come_at_doubling_times() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(out, None, label="stream", tty=False, clock=clock)
    for _ in range(100):
        clock.now += 1.0
        progress.update(1024)
    progress.finish()
    lines = out.getvalue().splitlines()
    assert lines[0] == "stream  receiving size unknown"
    assert lines[1:-1] == [
        "stream  10.0 KiB  1.0 KiB/s",
        "stream  20.0 KiB  1.0 KiB/s",
        "stream  40.0 KiB  1.0 KiB/s",
        "stream  80.0 KiB  1.0 KiB/s",
    ]
    assert lines[-1] == "stream  100.0 KiB in 100.0 s (1.0 KiB/s)"


def test_tty_none_asks_the_stream() -> None:
    assert Progress(TtyStringIO(), 10).tty is True
    assert Progress(io.StringIO(), 10).tty is False


def test_finish_is_idempotent_and_updates_after_it_are_ignored() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(out, 10, tty=False, clock=clock)
    progress.finish()
    text = out.getvalue()
    progress.finish()
    progress.update(5)
    assert out.getvalue() == text
    assert progress.finished and progress.done == 0


def test_more_than_announced_shows_100_percent() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(out, 10, tty=True, clock=clock)
    clock.now += 1
    progress.update(20)
    assert "[####################] 100%  20 B / 10 B  20 B/s  ETA 0:00" in out.getvalue()


def test_a_broken_stream_does_not_fail_the_transfer() -> None:
    out = io.StringIO()
    out.close()
    progress = Progress(out, 10, tty=True)
    progress.update(5)
    progress.finish()
    assert progress.done == 5
