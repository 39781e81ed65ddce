"""Resolvers (threaded and aiodns) and the bounded DNS cache."""

from __future__ import annotations

import asyncio
import socket
from types import SimpleNamespace
from typing import Any, ClassVar

import aiodns
import pytest

import aiohttp_client as ac
from aiohttp_client import _resolver

BOUND = 5.0


class FakeLoop:
    """Stands in for the event loop's getaddrinfo/getnameinfo."""

    def __init__(self, infos: list[Any] | BaseException) -> None:
        self.infos = infos
        self.nameinfo_calls: list[tuple[Any, int]] = []

    async def getaddrinfo(self, host: str, port: int, **kwargs: Any) -> list[Any]:
        assert kwargs["type"] == socket.SOCK_STREAM
        if isinstance(self.infos, BaseException):
            raise self.infos
        return self.infos

    async def getnameinfo(self, sockaddr: Any, flags: int) -> tuple[str, str]:
        self.nameinfo_calls.append((sockaddr, flags))
        return f"{sockaddr[0]}%eth{sockaddr[3]}", str(sockaddr[1])


FLAGS = socket.NI_NUMERICHOST | socket.NI_NUMERICSERV


async def test_threaded_resolver_returns_one_result_per_address() -> None:
    loop = FakeLoop(
        [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.1", 443)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2001:db8::1", 443, 0, 0)),
        ]
    )
    resolver = ac.ThreadedResolver(loop)  # type: ignore[arg-type]
    results = await resolver.resolve("example.com", 443, socket.AF_UNSPEC)
    assert results == [
        {
            "hostname": "example.com",
            "host": "192.0.2.1",
            "port": 443,
            "family": socket.AF_INET,
            "proto": 6,
            "flags": FLAGS,
        },
        {
            "hostname": "example.com",
            "host": "2001:db8::1",
            "port": 443,
            "family": socket.AF_INET6,
            "proto": 6,
            "flags": FLAGS,
        },
    ]
    await resolver.close()


async def test_threaded_resolver_keeps_ipv6_scope_ids() -> None:
    loop = FakeLoop([(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fe80::1", 80, 0, 3))])
    results = await ac.ThreadedResolver(loop).resolve("link-local", 80, socket.AF_INET6)  # type: ignore[arg-type]
    assert results[0]["host"] == "fe80::1%eth3"
    assert results[0]["port"] == 80
    assert loop.nameinfo_calls == [(("fe80::1", 80, 0, 3), FLAGS)]


async def test_threaded_resolver_skips_ipv6_without_full_address() -> None:
    loop = FakeLoop(
        [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", 80)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80)),
        ]
    )
    results = await ac.ThreadedResolver(loop).resolve("localhost", 80)  # type: ignore[arg-type]
    assert [r["host"] for r in results] == ["127.0.0.1"]


async def test_threaded_resolver_failure_names_the_host() -> None:
    loop = FakeLoop(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))
    with pytest.raises(
        OSError, match=r"DNS lookup failed for 'nowhere.invalid': Name or service not known"
    ) as info:
        await ac.ThreadedResolver(loop).resolve("nowhere.invalid")  # type: ignore[arg-type]
    assert info.value.errno == socket.EAI_NONAME
    assert isinstance(info.value.__cause__, socket.gaierror)


async def test_threaded_resolver_empty_answer_is_an_error() -> None:
    with pytest.raises(OSError, match="no usable address"):
        await ac.ThreadedResolver(FakeLoop([])).resolve("empty.example")  # type: ignore[arg-type]


async def test_threaded_resolver_resolves_numeric_hosts_with_the_real_loop() -> None:
    resolver = ac.DefaultResolver()
    results = await asyncio.wait_for(resolver.resolve("127.0.0.1", 8080), BOUND)
    assert results[0]["host"] == "127.0.0.1"
    assert results[0]["port"] == 8080
    assert results[0]["family"] == socket.AF_INET


def test_default_resolver_is_the_threaded_one() -> None:
    assert ac.DefaultResolver is ac.ThreadedResolver


# --- AsyncResolver ---------------------------------------------------------------------


class FakeDNSResolver:
    """Stands in for aiodns.DNSResolver."""

    instances: ClassVar[list[FakeDNSResolver]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs
        self.nodes: list[Any] | BaseException = []
        self.closed = False
        FakeDNSResolver.instances.append(self)

    async def getaddrinfo(self, host: str, **kwargs: Any) -> Any:
        if isinstance(self.nodes, BaseException):
            raise self.nodes
        return SimpleNamespace(nodes=self.nodes)

    async def getnameinfo(self, sockaddr: Any, flags: int) -> Any:
        return SimpleNamespace(node=f"{sockaddr[0]}%{sockaddr[3]}", service=None)

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_aiodns(monkeypatch: pytest.MonkeyPatch) -> type[FakeDNSResolver]:
    FakeDNSResolver.instances = []
    monkeypatch.setattr(aiodns, "DNSResolver", FakeDNSResolver)
    return FakeDNSResolver


async def test_async_resolver_maps_aiodns_nodes(fake_aiodns: type[FakeDNSResolver]) -> None:
    resolver = ac.AsyncResolver(nameservers=["192.0.2.53"])
    (fake,) = fake_aiodns.instances
    assert fake.kwargs["nameservers"] == ["192.0.2.53"]
    assert fake.kwargs["loop"] is asyncio.get_running_loop()
    fake.nodes = [
        SimpleNamespace(family=socket.AF_INET, addr=(b"192.0.2.1", 443)),
        SimpleNamespace(family=socket.AF_INET6, addr=(b"2001:db8::1", 443, 0, 0)),
        SimpleNamespace(family=socket.AF_INET6, addr=(b"fe80::1", 443, 0, 2)),
    ]
    results = await resolver.resolve("example.com", 443, socket.AF_UNSPEC)
    assert [(r["host"], r["port"], r["family"]) for r in results] == [
        ("192.0.2.1", 443, socket.AF_INET),
        ("2001:db8::1", 443, socket.AF_INET6),
        ("fe80::1%2", 443, socket.AF_INET6),
    ]
    assert all(r["hostname"] == "example.com" and r["flags"] == FLAGS for r in results)
    await resolver.close()
    assert fake.closed


async def test_async_resolver_failure_names_the_host(fake_aiodns: type[FakeDNSResolver]) -> None:
    resolver = ac.AsyncResolver()
    fake_aiodns.instances[0].nodes = aiodns.error.DNSError(4, "Domain name not found")
    with pytest.raises(
        OSError, match=r"DNS lookup failed for 'nowhere.invalid': Domain name not found"
    ):
        await resolver.resolve("nowhere.invalid")


async def test_async_resolver_empty_answer_is_an_error(fake_aiodns: type[FakeDNSResolver]) -> None:
    with pytest.raises(OSError, match="no usable address"):
        await ac.AsyncResolver().resolve("empty.example")


async def test_async_resolver_without_aiodns_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_resolver, "_HAS_AIODNS", False)
    with pytest.raises(
        RuntimeError, match=r"aiodns package: pip install 'aiohttp-client\[aiodns\]'"
    ):
        ac.AsyncResolver()


async def test_async_resolver_with_real_aiodns_opens_and_closes() -> None:
    resolver = ac.AsyncResolver()
    await resolver.close()


# --- DNSCacheTable --------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def result(host: str) -> ac.ResolveResult:
    return ac.ResolveResult(
        hostname="h", host=host, port=80, family=socket.AF_INET, proto=0, flags=FLAGS
    )


def test_dns_cache_rotates_addresses_round_robin() -> None:
    cache = ac.DNSCacheTable()
    addrs = [result("192.0.2.1"), result("192.0.2.2"), result("192.0.2.3")]
    cache.add(("h", 80), addrs)
    hosts = [[r["host"] for r in cache.next_addrs(("h", 80))] for _ in range(4)]
    assert hosts == [
        ["192.0.2.1", "192.0.2.2", "192.0.2.3"],
        ["192.0.2.2", "192.0.2.3", "192.0.2.1"],
        ["192.0.2.3", "192.0.2.1", "192.0.2.2"],
        ["192.0.2.1", "192.0.2.2", "192.0.2.3"],
    ]


def test_dns_cache_entries_expire_after_the_ttl() -> None:
    clock = FakeClock()
    cache = ac.DNSCacheTable(ttl=10, clock=clock)
    cache.add(("h", 80), [result("192.0.2.1")])
    clock.now += 10
    assert not cache.expired(("h", 80))
    assert cache.get(("h", 80)) == [result("192.0.2.1")]
    clock.now += 0.5
    assert cache.expired(("h", 80))
    assert cache.get(("h", 80)) is None
    assert ("h", 80) not in cache


def test_dns_cache_without_ttl_never_expires() -> None:
    clock = FakeClock()
    cache = ac.DNSCacheTable(ttl=None, clock=clock)
    cache.add(("h", 80), [result("192.0.2.1")])
    clock.now += 10**9
    assert not cache.expired(("h", 80))


def test_dns_cache_evicts_the_least_recently_used_beyond_max_entries() -> None:
    cache = ac.DNSCacheTable(max_entries=2)
    cache.add(("a", 80), [result("192.0.2.1")])
    cache.add(("b", 80), [result("192.0.2.2")])
    cache.next_addrs(("a", 80))  # "a" is now the most recently used
    cache.add(("c", 80), [result("192.0.2.3")])
    assert ("a", 80) in cache
    assert ("b", 80) not in cache
    assert len(cache) == 2
    assert cache.max_entries == 2
    assert ac.DNSCacheTable().max_entries == ac.DEFAULT_DNS_CACHE_MAX_ENTRIES == 1024


def test_dns_cache_remove_clear_and_missing_keys() -> None:
    cache = ac.DNSCacheTable()
    cache.add(("a", 80), [result("192.0.2.1")])
    cache.add(("b", 80), [result("192.0.2.2")])
    cache.remove(("a", 80))
    cache.remove(("missing", 1))
    assert ("a", 80) not in cache
    assert cache.get(("missing", 1)) is None
    with pytest.raises(KeyError):
        cache.next_addrs(("missing", 1))
    cache.clear()
    assert len(cache) == 0


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"ttl": -1}, "ttl"), ({"max_entries": 0}, "max_entries")]
)
def test_dns_cache_validates_its_bounds(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ac.DNSCacheTable(**kwargs)
