"""``aiohttp.pytest_plugin``: fixtures that start test servers and clients (opt-in).

Installing the umbrella registers :data:`entry_point` as the pytest plugin
``aiohttp`` (entry point group ``pytest11``), but it stays **inert**: it only
adds the options below, and registers this module (its fixtures) when the test
run asks for them with one of

* ``--aiohttp-plugin`` on the command line,
* ``aiohttp_plugin = true`` in the ini file (``[tool.pytest.ini_options]``).

Naming the module loads its fixtures directly, with or without the entry
point: ``-p aiohttp.pytest_plugin`` or ``pytest_plugins = ["aiohttp.pytest_plugin"]``
in the root ``conftest.py`` (aiohttp 3.x's way).

Fixtures (async; pytest-asyncio runs them on the test's loop, in auto or
strict mode):

* ``aiohttp_raw_server``: ``await aiohttp_raw_server(handler, port=None, **kwargs)``
  starts a :class:`~aiohttp.test_utils.RawTestServer`.
* ``aiohttp_client``: ``await aiohttp_client(handler_or_raw_server, **kwargs)``
  starts a :class:`~aiohttp.test_utils.TestClient` (``server_kwargs`` go to
  the server made for a bare handler, other ``kwargs`` to the session).
* ``aiohttp_unused_port``: a function returning a free port.

Everything a fixture created is closed at teardown, clients before servers.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar, cast

try:
    import pytest
except ImportError as exc:  # pragma: no cover - pytest loads this module
    raise ImportError("aiohttp.pytest_plugin is a pytest plugin: install pytest") from exc

from .test_utils import RawTestServer, TestClient, unused_port

_fixture: Any
try:
    from pytest_asyncio import fixture as _fixture
except ImportError:  # pragma: no cover - pytest-asyncio is how the fixtures get a loop
    _fixture = pytest.fixture

_F = TypeVar("_F", bound=Callable[..., Any])


def _async_fixture(func: _F) -> _F:
    """Declare an async fixture (pytest-asyncio's decorator: works in strict mode too)."""
    return cast(_F, _fixture(func))


__all__ = [
    "AiohttpClient",
    "AiohttpRawServer",
    "EntryPoint",
    "aiohttp_client",
    "aiohttp_raw_server",
    "aiohttp_unused_port",
    "entry_point",
    "is_enabled",
]

#: The option and ini name that enable the plugin.
OPTION = "aiohttp_plugin"

AiohttpRawServer = Callable[..., Awaitable[RawTestServer]]
AiohttpClient = Callable[..., Awaitable[TestClient]]


class EntryPoint:
    """What the ``pytest11`` entry point registers: the opt-in switch, no fixtures.

    Only adds ``--aiohttp-plugin`` and the ini option ``aiohttp_plugin``; when
    either is set, registers this module (its fixtures). It is an object of
    this module rather than the module itself so that ``-p aiohttp.pytest_plugin``
    and ``pytest_plugins = ["aiohttp.pytest_plugin"]`` keep working with the
    entry point installed (pytest refuses one module under two names).
    """

    def pytest_addoption(self, parser: pytest.Parser) -> None:
        """Add ``--aiohttp-plugin`` and the ini option ``aiohttp_plugin``."""
        group = parser.getgroup("aiohttp")
        group.addoption(
            "--aiohttp-plugin",
            action="store_true",
            dest=OPTION,
            default=False,
            help="enable the aiohttp fixtures (aiohttp_raw_server, aiohttp_client, ...)",
        )
        parser.addini(
            OPTION,
            type="bool",
            default=False,
            help="enable the aiohttp fixtures (aiohttp_raw_server, aiohttp_client, ...)",
        )

    def pytest_configure(self, config: pytest.Config) -> None:
        """Register the fixtures when the run enabled them; otherwise do nothing."""
        if is_enabled(config):
            module = sys.modules[__name__]
            if not config.pluginmanager.is_registered(module):
                config.pluginmanager.register(module, __name__)


def is_enabled(config: pytest.Config) -> bool:
    """Whether the run asked for the fixtures (``--aiohttp-plugin`` or ``aiohttp_plugin = true``)."""
    return bool(config.getoption(OPTION, default=False) or config.getini(OPTION))


#: The object the ``pytest11`` entry point names (``aiohttp.pytest_plugin:entry_point``).
entry_point = EntryPoint()


@_async_fixture
async def aiohttp_raw_server() -> AsyncIterator[AiohttpRawServer]:
    """Factory: ``await aiohttp_raw_server(handler, *, port=None, **server_kwargs)``."""
    servers: list[RawTestServer] = []

    async def factory(handler: Any, *, port: int | None = None, **kwargs: Any) -> RawTestServer:
        server = RawTestServer(handler, port=port, **kwargs)
        servers.append(server)
        await server.start_server()
        return server

    try:
        yield factory
    finally:
        for server in reversed(servers):
            await server.close()


@_async_fixture
async def aiohttp_client() -> AsyncIterator[AiohttpClient]:
    """Factory: ``await aiohttp_client(handler_or_raw_server, *, server_kwargs=None, **kwargs)``.

    A :class:`RawTestServer` is used as is (started if needed); a handler
    coroutine function gets a new server with ``server_kwargs``. ``kwargs``
    go to :class:`TestClient` (``cookie_jar``, session arguments).
    """
    clients: list[TestClient] = []

    async def factory(
        target: Any, *, server_kwargs: dict[str, Any] | None = None, **kwargs: Any
    ) -> TestClient:
        if isinstance(target, RawTestServer):
            server = target
        elif callable(target):
            server = RawTestServer(target, **(server_kwargs or {}))
        else:
            raise TypeError(f"aiohttp_client() takes a RawTestServer or a handler, got {target!r}")
        client = TestClient(server, **kwargs)
        clients.append(client)
        await client.start_server()
        return client

    try:
        yield factory
    finally:
        for client in reversed(clients):
            await client.close()


@pytest.fixture
def aiohttp_unused_port() -> Callable[[], int]:
    """A function returning a free TCP port on 127.0.0.1."""
    return unused_port
