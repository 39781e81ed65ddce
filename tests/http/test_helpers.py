"""guess_filename and the timer hook."""

from __future__ import annotations

import io
import pathlib

import pytest

from aiohttp_http import BaseTimerContext, TimerNoop, guess_filename


class Named:
    def __init__(self, name: object) -> None:
        self.name = name


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (Named("/srv/uploads/report.pdf"), "report.pdf"),
        (Named("relative/file.txt"), "file.txt"),
        (Named("plain.txt"), "plain.txt"),
        (Named(pathlib.PurePosixPath("/a/b/c.bin")), "c.bin"),
        (Named("<stdin>"), None),
        (Named(3), None),
        (Named(b"bytes.txt"), None),
        (Named(""), None),
        (Named("/srv/uploads/"), "uploads"),
        (io.BytesIO(b""), None),
        (object(), None),
    ],
)
def test_guess_filename(obj: object, expected: str | None) -> None:
    assert guess_filename(obj) == expected


def test_guess_filename_default() -> None:
    assert guess_filename(object(), "fallback") == "fallback"
    assert guess_filename(Named("x.txt"), "fallback") == "x.txt"


def test_guess_filename_of_a_real_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "real.dat"
    path.write_bytes(b"")
    with path.open("rb") as file:
        assert guess_filename(file) == "real.dat"


def test_timer_noop_is_a_reusable_context_manager() -> None:
    timer = TimerNoop()
    assert isinstance(timer, BaseTimerContext)
    with timer as entered:
        assert entered is timer
    with timer:
        pass


def test_base_timer_context_is_abstract() -> None:
    with pytest.raises(TypeError):
        BaseTimerContext()  # type: ignore[abstract]
