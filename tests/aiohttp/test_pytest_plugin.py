"""aiohttp.pytest_plugin: the fixtures work under pytest-asyncio, and the plugin is opt-in."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

USES_FIXTURES = """
    import aiohttp_http
    from aiohttp.test_utils import RawTestServer, TestClient

    CREATED = []

    async def handler(request):
        return aiohttp_http.Response(text="hello " + request.path)

    async def test_client_from_handler(aiohttp_client):
        client = await aiohttp_client(handler, server_kwargs={"max_line_size": 200})
        assert isinstance(client, TestClient)
        assert client.server.server.max_line_size == 200
        resp = await client.get("/a")
        assert resp.status == 200
        assert await resp.text() == "hello /a"
        CREATED.append(client)

    async def test_raw_server_and_client_from_it(aiohttp_raw_server, aiohttp_client):
        server = await aiohttp_raw_server(handler)
        assert isinstance(server, RawTestServer) and server.started
        client = await aiohttp_client(server)
        assert await (await client.get("/b")).text() == "hello /b"
        CREATED.append(server)

    def test_unused_port(aiohttp_unused_port):
        assert aiohttp_unused_port() > 0

    def test_teardown_closed_everything():
        assert len(CREATED) == 2
        assert all(obj.closed for obj in CREATED)
"""

UNRELATED = """
    def test_plain():
        assert True

    import pytest

    @pytest.mark.parametrize("name", ["aiohttp_client", "aiohttp_raw_server", "aiohttp_unused_port"])
    def test_fixture_is_absent(request, name):
        with pytest.raises(pytest.FixtureLookupError):
            request.getfixturevalue(name)
"""


@pytest.fixture
def entry_point(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make importlib.metadata see a distribution declaring the ``pytest11`` entry point."""
    site = pytester.path / "site"
    info = site / "aiohttp_entry_point_probe-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: aiohttp-entry-point-probe\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(
        "[pytest11]\naiohttp = aiohttp.pytest_plugin:entry_point\n"
    )
    monkeypatch.syspath_prepend(str(site))
    return site


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "-o",
        "asyncio_mode=auto",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
        *args,
    )


def test_fixtures_work_with_dash_p(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USES_FIXTURES)
    result = _run(pytester, "-p", "aiohttp.pytest_plugin")
    result.assert_outcomes(passed=4)


def test_fixtures_work_with_pytest_plugins_in_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["aiohttp.pytest_plugin"]')
    pytester.makepyfile(USES_FIXTURES)
    _run(pytester).assert_outcomes(passed=4)


def test_fixtures_work_in_pytest_asyncio_strict_mode(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\npytestmark = pytest.mark.asyncio\n" + USES_FIXTURES.replace("\n    ", "\n")
    )
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "-o",
        "asyncio_mode=strict",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
        "-p",
        "aiohttp.pytest_plugin",
    )
    result.assert_outcomes(passed=4)


def test_entry_point_alone_is_inert(pytester: pytest.Pytester, entry_point: Path) -> None:
    pytester.makepyfile(UNRELATED)
    result = _run(pytester, "--trace-config")
    result.assert_outcomes(passed=4)
    # The entry point is loaded (so its option exists) but registered no fixtures.
    result.stdout.fnmatch_lines(["*aiohttp*EntryPoint*"])
    fixtures = _run(pytester, "--fixtures")
    assert "aiohttp_client" not in fixtures.stdout.str()


def test_entry_point_with_command_line_option(pytester: pytest.Pytester, entry_point: Path) -> None:
    pytester.makepyfile(USES_FIXTURES)
    _run(pytester, "--aiohttp-plugin").assert_outcomes(passed=4)


def test_entry_point_with_ini_option(pytester: pytest.Pytester, entry_point: Path) -> None:
    pytester.makeini(
        "[pytest]\naiohttp_plugin = true\nasyncio_mode = auto\n"
        "asyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(USES_FIXTURES)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_entry_point_with_dash_p(pytester: pytest.Pytester, entry_point: Path) -> None:
    pytester.makepyfile(USES_FIXTURES)
    _run(pytester, "-p", "aiohttp.pytest_plugin").assert_outcomes(passed=4)


def test_without_the_entry_point_the_fixtures_are_unknown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        async def test_needs_it(aiohttp_client):
            pass
        """
    )
    result = _run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'aiohttp_client' not found*"])
