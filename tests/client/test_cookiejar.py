"""CookieJar (RFC 6265 storage and retrieval), its limits, persistence and DummyCookieJar."""

from __future__ import annotations

import json
import os
import pickle
import stat
from collections import defaultdict
from collections.abc import Sequence
from http.cookies import BaseCookie, Morsel, SimpleCookie
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from yarl import URL

import aiohttp_client as ac

NOW = 1_700_000_000.0


class FakeClock:
    """A wall clock the test moves by hand."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def jar(clock: FakeClock) -> ac.CookieJar:
    return ac.CookieJar(clock=clock)


def sent(jar: ac.AbstractCookieJar, url: str) -> dict[str, str]:
    """The cookies a request to ``url`` would carry, as name -> coded value."""
    return {name: morsel.coded_value for name, morsel in jar.filter_cookies(URL(url)).items()}


def receive(jar: ac.AbstractCookieJar, url: str, *headers: str) -> None:
    jar.update_cookies_from_headers(list(headers), URL(url))


# --- domain rules -------------------------------------------------------------


def test_cookie_without_domain_is_host_only(jar: ac.CookieJar) -> None:
    receive(jar, "http://www.example.com/", "a=1")
    assert sent(jar, "http://www.example.com/") == {"a": "1"}
    assert sent(jar, "http://sub.www.example.com/") == {}
    assert sent(jar, "http://example.com/") == {}


def test_cookie_with_domain_is_sent_to_the_domain_and_its_subdomains(jar: ac.CookieJar) -> None:
    receive(jar, "http://www.example.com/", "a=1; Domain=example.com")
    assert sent(jar, "http://example.com/") == {"a": "1"}
    assert sent(jar, "http://deep.sub.example.com/") == {"a": "1"}
    assert sent(jar, "http://badexample.com/") == {}
    assert sent(jar, "http://example.org/") == {}


@pytest.mark.parametrize(
    ("host", "header"),
    [
        ("www.example.com", "a=1; Domain=other.com"),  # does not domain-match the host
        ("example.com", "a=1; Domain=www.example.com"),  # a subdomain of the host
        ("www.example.com", "a=1; Domain=com"),  # a bare top-level domain
        ("www.example.co", "a=1; Domain=co"),
        ("www.example.com", "a=1; Domain=.com"),
    ],
)
def test_cookie_with_foreign_or_top_level_domain_is_ignored(
    jar: ac.CookieJar, host: str, header: str
) -> None:
    receive(jar, f"http://{host}/", header)
    assert len(jar) == 0


def test_single_label_host_may_name_itself_as_domain(jar: ac.CookieJar) -> None:
    receive(jar, "http://localhost/", "a=1; Domain=localhost")
    assert sent(jar, "http://localhost/") == {"a": "1"}
    assert [m["domain"] for m in jar] == ["localhost"]


def test_domain_with_trailing_dot_is_treated_as_absent(jar: ac.CookieJar) -> None:
    receive(jar, "http://www.example.com/", "a=1; Domain=example.com.")
    assert sent(jar, "http://www.example.com/") == {"a": "1"}
    assert sent(jar, "http://example.com/") == {}


def test_domain_and_host_compare_case_insensitively(jar: ac.CookieJar) -> None:
    receive(jar, "http://WWW.Example.COM/", "a=1; Domain=EXAMPLE.com")
    assert sent(jar, "http://www.example.com/") == {"a": "1"}


def test_international_domain_attribute_is_idna_encoded(jar: ac.CookieJar) -> None:
    receive(jar, "http://www.bücher.example/", "a=1; Domain=bücher.example")
    assert sent(jar, "http://xn--bcher-kva.example/") == {"a": "1"}


def test_cookies_from_ip_hosts_are_refused_by_default(jar: ac.CookieJar) -> None:
    receive(jar, "http://127.0.0.1/", "a=1")
    jar.update_cookies({"b": "2"}, URL("http://[::1]/"))
    assert len(jar) == 0


def test_unsafe_jar_keeps_ip_cookies_for_that_exact_address(clock: FakeClock) -> None:
    jar = ac.CookieJar(unsafe=True, clock=clock)
    receive(jar, "http://127.0.0.1/", "a=1")
    receive(jar, "http://127.0.0.1/", "b=2; Domain=0.0.1")
    assert sent(jar, "http://127.0.0.1/") == {"a": "1"}
    assert sent(jar, "http://127.0.0.2/") == {}


def test_safe_jar_sends_no_domain_cookie_to_ip_hosts(jar: ac.CookieJar) -> None:
    jar.update_cookies({"shared": "s"})
    receive(jar, "http://example.com/", "a=1")
    assert sent(jar, "http://127.0.0.1/") == {"shared": "s"}


# --- shared cookies and update_cookies input shapes ----------------------------


def test_cookies_without_response_url_are_shared_with_every_request(jar: ac.CookieJar) -> None:
    jar.update_cookies({"shared": "yes"})
    assert sent(jar, "http://example.com/deep/path") == {"shared": "yes"}
    assert sent(jar, "https://other.org/") == {"shared": "yes"}
    assert sent(jar, "/relative") == {"shared": "yes"}
    assert dict(jar.filter_cookies()) == dict(jar.filter_cookies(URL("http://example.com/")))


@pytest.mark.parametrize(
    "cookies",
    [
        {"a": "1", "b": "2"},
        [("a", "1"), ("b", "2")],
        SimpleCookie("a=1; b=2"),
        {"a": SimpleCookie("a=1")["a"], "b": "2"},
    ],
    ids=["dict", "pairs", "SimpleCookie", "morsel-values"],
)
def test_update_cookies_accepts_mappings_pairs_and_morsels(
    jar: ac.CookieJar, cookies: ac.LooseCookies
) -> None:
    jar.update_cookies(cookies, URL("http://example.com/"))
    assert sent(jar, "http://example.com/") == {"a": "1", "b": "2"}


def test_update_cookies_honours_morsel_attributes(jar: ac.CookieJar) -> None:
    cookie = SimpleCookie()
    cookie["a"] = "1"
    cookie["a"]["domain"] = ".example.com"
    cookie["a"]["path"] = "/api"
    cookie["a"]["secure"] = True
    cookie["a"]["samesite"] = "Strict"
    jar.update_cookies(cookie, URL("https://www.example.com/"))
    (morsel,) = list(jar)
    assert (morsel["domain"], morsel["path"], morsel["secure"], morsel["samesite"]) == (
        "example.com",
        "/api",
        True,
        "Strict",
    )
    assert sent(jar, "https://example.com/api/v1") == {"a": "1"}
    assert sent(jar, "http://example.com/api/v1") == {}
    assert sent(jar, "https://example.com/") == {}


@pytest.mark.parametrize("name", ["", "a=b", "a;b", "a\x00"])
def test_update_cookies_skips_invalid_names(jar: ac.CookieJar, name: str) -> None:
    jar.update_cookies({name: "1", "ok": "2"}, URL("http://example.com/"))
    assert sent(jar, "http://example.com/") == {"ok": "2"}


def test_update_cookies_accepts_a_str_url(jar: ac.CookieJar) -> None:
    jar.update_cookies({"a": "1"}, "http://example.com/")  # type: ignore[arg-type]
    assert sent(jar, "http://example.com/") == {"a": "1"}


def test_malformed_set_cookie_values_are_skipped(jar: ac.CookieJar) -> None:
    receive(jar, "http://example.com/", "garbage", "=nothing", "ok=1", "bad\x00=2")
    assert sent(jar, "http://example.com/") == {"ok": "1"}


# --- paths and order ---------------------------------------------------------


@pytest.mark.parametrize(
    ("response_path", "stored_path"),
    [("/", "/"), ("/login", "/"), ("/app/login", "/app"), ("/app/sub/", "/app/sub"), ("", "/")],
)
def test_default_path_comes_from_the_response_url(
    jar: ac.CookieJar, response_path: str, stored_path: str
) -> None:
    receive(jar, f"http://example.com{response_path}", "a=1")
    assert [m["path"] for m in jar] == [stored_path]


def test_path_attribute_limits_where_the_cookie_is_sent(jar: ac.CookieJar) -> None:
    receive(jar, "http://example.com/", "a=1; Path=/docs")
    assert sent(jar, "http://example.com/docs") == {"a": "1"}
    assert sent(jar, "http://example.com/docs/web/") == {"a": "1"}
    assert sent(jar, "http://example.com/docsets") == {}
    assert sent(jar, "http://example.com/") == {}


def test_cookies_are_ordered_longest_path_first_then_oldest(
    jar: ac.CookieJar, clock: FakeClock
) -> None:
    receive(jar, "http://example.com/", "root=1; Path=/")
    clock.now += 1
    receive(jar, "http://example.com/", "deep=1; Path=/a/b")
    clock.now += 1
    receive(jar, "http://example.com/", "mid=1; Path=/a")
    clock.now += 1
    receive(jar, "http://example.com/", "root2=1; Path=/")
    assert list(sent(jar, "http://example.com/a/b/c")) == ["deep", "mid", "root", "root2"]


def test_same_name_on_several_paths_sends_the_most_specific(jar: ac.CookieJar) -> None:
    receive(jar, "http://example.com/", "a=root; Path=/", "a=deep; Path=/x")
    assert sent(jar, "http://example.com/x/y") == {"a": "deep"}
    assert sent(jar, "http://example.com/") == {"a": "root"}
    assert len(jar) == 2


def test_replacing_a_cookie_keeps_its_creation_time(jar: ac.CookieJar, clock: FakeClock) -> None:
    receive(jar, "http://example.com/", "a=1")
    clock.now += 1
    receive(jar, "http://example.com/", "b=1")
    clock.now += 1
    receive(jar, "http://example.com/", "a=2")
    assert list(sent(jar, "http://example.com/")) == ["a", "b"]
    assert sent(jar, "http://example.com/")["a"] == "2"


# --- Secure and prefixes --------------------------------------------------------


def test_secure_cookie_is_sent_only_over_https_and_wss(jar: ac.CookieJar) -> None:
    receive(jar, "https://example.com/", "s=1; Secure", "p=1")
    assert sent(jar, "https://example.com/") == {"s": "1", "p": "1"}
    assert sent(jar, "wss://example.com/") == {"s": "1", "p": "1"}
    assert sent(jar, "http://example.com/") == {"p": "1"}
    assert sent(jar, "ws://example.com/") == {"p": "1"}


@pytest.mark.parametrize(
    "origins",
    [
        "http://localhost:8080",
        URL("http://localhost:8080/any/path"),
        ["http://other", "http://localhost:8080"],
    ],
)
def test_treat_as_secure_origin_allows_secure_cookies_over_http(
    clock: FakeClock, origins: ac.StrOrURL
) -> None:
    jar = ac.CookieJar(treat_as_secure_origin=origins, clock=clock)
    receive(jar, "http://localhost:8080/", "__Secure-s=1; Secure")
    assert sent(jar, "http://localhost:8080/x") == {"__Secure-s": "1"}
    assert sent(jar, "http://localhost:8081/x") == {}


def test_treat_as_secure_origin_must_be_absolute() -> None:
    with pytest.raises(ValueError, match="not an absolute URL"):
        ac.CookieJar(treat_as_secure_origin="/relative")


@pytest.mark.parametrize(
    ("url", "header", "kept"),
    [
        ("https://example.com/", "__Secure-a=1; Secure", True),
        ("https://example.com/", "__secure-a=1; Secure", True),
        ("https://example.com/", "__Secure-a=1", False),  # no Secure attribute
        ("http://example.com/", "__Secure-a=1; Secure", False),  # insecure origin
        ("https://example.com/", "__Host-a=1; Secure; Path=/", True),
        ("https://example.com/", "__HOST-a=1; Secure; Path=/", True),
        ("https://example.com/", "__Host-a=1; Secure", True),  # default path of "/" is "/"
        ("https://example.com/x/y", "__Host-a=1; Secure", False),  # default path is /x
        ("https://example.com/", "__Host-a=1; Path=/", False),
        ("https://example.com/", "__Host-a=1; Secure; Path=/; Domain=example.com", False),
        ("https://example.com/", "__Host-a=1; Secure; Path=/sub", False),
        ("http://example.com/", "__Host-a=1; Secure; Path=/", False),
    ],
)
def test_cookie_prefixes_are_enforced(jar: ac.CookieJar, url: str, header: str, kept: bool) -> None:
    receive(jar, url, header)
    assert (len(jar) == 1) is kept


def test_insecure_origin_cannot_overwrite_a_secure_cookie(jar: ac.CookieJar) -> None:
    receive(jar, "https://example.com/", "sid=good; Secure; Domain=example.com")
    receive(jar, "http://www.example.com/", "sid=evil")
    receive(jar, "http://example.com/", "sid=evil; Domain=example.com")
    assert [m.value for m in jar] == ["good"]
    receive(jar, "http://example.com/", "other=1")
    assert len(jar) == 2


# --- expiry -------------------------------------------------------------------


def test_max_age_expires_the_cookie_on_the_jar_clock(jar: ac.CookieJar, clock: FakeClock) -> None:
    receive(jar, "http://example.com/", "a=1; Max-Age=10")
    clock.now += 9
    assert sent(jar, "http://example.com/") == {"a": "1"}
    clock.now += 1
    assert sent(jar, "http://example.com/") == {}
    assert len(jar) == 0
    assert list(jar) == []


def test_max_age_takes_priority_over_expires(jar: ac.CookieJar, clock: FakeClock) -> None:
    receive(jar, "http://example.com/", "a=1; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=100")
    receive(jar, "http://example.com/", "b=1; Max-Age=0; Expires=Fri, 01 Jan 2100 00:00:00 GMT")
    assert sent(jar, "http://example.com/") == {"a": "1"}


def test_expires_date_is_honoured(jar: ac.CookieJar, clock: FakeClock) -> None:
    receive(jar, "http://example.com/", "a=1; Expires=Wed, 15 Nov 2023 00:00:00 GMT")
    clock.now = 1_700_006_399.0  # 2023-11-14T23:59:59Z
    assert sent(jar, "http://example.com/") == {"a": "1"}
    clock.now = 1_700_006_400.0
    assert sent(jar, "http://example.com/") == {}


@pytest.mark.parametrize(
    "header", ["a=; Max-Age=0", "a=; Max-Age=-1", "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]
)
def test_an_expired_cookie_deletes_the_stored_one(jar: ac.CookieJar, header: str) -> None:
    receive(jar, "http://example.com/", "a=1", "b=1")
    receive(jar, "http://example.com/", header)
    assert sent(jar, "http://example.com/") == {"b": "1"}


def test_unparseable_expires_makes_a_session_cookie(jar: ac.CookieJar, clock: FakeClock) -> None:
    receive(jar, "http://example.com/", "a=1; Expires=someday")
    clock.now += 10**9
    assert sent(jar, "http://example.com/") == {"a": "1"}


def test_huge_max_age_is_clamped(jar: ac.CookieJar, clock: FakeClock) -> None:
    receive(jar, "http://example.com/", "a=1; Max-Age=" + "9" * 400)
    clock.now = 253402300798.0
    assert sent(jar, "http://example.com/") == {"a": "1"}
    clock.now = 253402300800.0
    assert sent(jar, "http://example.com/") == {}


def test_max_age_morsel_from_update_cookies_expires(jar: ac.CookieJar, clock: FakeClock) -> None:
    cookie = SimpleCookie()
    cookie["a"] = "1"
    cookie["a"]["max-age"] = "5"
    jar.update_cookies(cookie, URL("http://example.com/"))
    clock.now += 5
    assert len(jar) == 0


def test_expiry_heap_stays_bounded_under_rewrites(jar: ac.CookieJar, clock: FakeClock) -> None:
    for i in range(500):
        receive(jar, "http://example.com/", f"a={i}; Max-Age=1000")
    assert len(jar) == 1
    assert len(jar._expirations) <= 2 * len(jar) + 65


# --- quoting ------------------------------------------------------------------


def test_quote_cookie_quotes_values_that_need_it(clock: FakeClock) -> None:
    jar = ac.CookieJar(clock=clock)
    jar.update_cookies({"a": "x y", "b": "plain"}, URL("http://example.com/"))
    filtered = jar.filter_cookies(URL("http://example.com/"))
    assert isinstance(filtered, SimpleCookie)
    assert filtered["a"].coded_value == '"x y"'
    assert filtered["a"].value == "x y"
    assert filtered["b"].coded_value == "plain"


def test_without_quote_cookie_values_are_sent_as_stored(clock: FakeClock) -> None:
    jar = ac.CookieJar(quote_cookie=False, clock=clock)
    assert jar.quote_cookie is False
    jar.update_cookies({"a": "x y"}, URL("http://example.com/"))
    receive(jar, "http://example.com/", 'q="quoted"')
    filtered = jar.filter_cookies(URL("http://example.com/"))
    assert type(filtered) is BaseCookie
    assert filtered["a"].coded_value == "x y"
    assert filtered["q"].coded_value == "quoted"


def test_set_cookie_values_are_sent_back_exactly_as_received(jar: ac.CookieJar) -> None:
    receive(jar, "http://example.com/", 'q="a b"', "r=x%20y", "s=[1,2]")
    assert sent(jar, "http://example.com/") == {"q": '"a b"', "r": "x%20y", "s": "[1,2]"}


def test_filter_cookies_returns_copies(jar: ac.CookieJar) -> None:
    receive(jar, "http://example.com/", "a=1")
    jar.filter_cookies(URL("http://example.com/"))["a"].set("a", "changed", "changed")
    assert sent(jar, "http://example.com/") == {"a": "1"}


# --- iteration, clear --------------------------------------------------------------


def test_iteration_yields_morsels_with_domain_and_path(jar: ac.CookieJar) -> None:
    receive(jar, "https://www.example.com/a/b", "a=1; HttpOnly; SameSite=Strict; Secure")
    (morsel,) = list(jar)
    assert isinstance(morsel, Morsel)
    assert (morsel.key, morsel.value, morsel["domain"], morsel["path"]) == (
        "a",
        "1",
        "www.example.com",
        "/a",
    )
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Strict"
    assert morsel["secure"] is True


def test_clear_with_and_without_predicate(jar: ac.CookieJar) -> None:
    receive(jar, "http://example.com/", "a=1", "b=2", "c=3")
    jar.clear(lambda morsel: morsel.key in {"a", "c"})
    assert sent(jar, "http://example.com/") == {"b": "2"}
    jar.clear()
    assert len(jar) == 0
    assert sent(jar, "http://example.com/") == {}


def test_clear_domain_removes_the_domain_and_subdomains(jar: ac.CookieJar) -> None:
    receive(jar, "http://example.com/", "root=1")
    receive(jar, "http://www.example.com/", "www=1")
    receive(jar, "http://example.org/", "other=1")
    jar.clear_domain(".Example.com")
    assert [m.key for m in jar] == ["other"]


# --- limits ------------------------------------------------------------------------


def test_default_limits_are_documented_values() -> None:
    jar = ac.CookieJar()
    assert (jar.max_cookies, jar.max_cookies_per_domain, jar.max_cookie_size) == (3000, 50, 4096)
    assert (
        ac.DEFAULT_MAX_COOKIES,
        ac.DEFAULT_MAX_COOKIES_PER_DOMAIN,
        ac.DEFAULT_MAX_COOKIE_SIZE,
    ) == (
        3000,
        50,
        4096,
    )


@pytest.mark.parametrize("limit", ["max_cookies", "max_cookies_per_domain", "max_cookie_size"])
def test_limits_must_be_positive(limit: str) -> None:
    with pytest.raises(ValueError, match=limit):
        ac.CookieJar(**{limit: 0})  # type: ignore[arg-type]


def test_per_domain_limit_evicts_the_least_recently_used(clock: FakeClock) -> None:
    jar = ac.CookieJar(max_cookies_per_domain=3, clock=clock)
    receive(jar, "http://example.com/", "a=1", "b=1", "c=1")
    receive(jar, "http://example.com/a", "a=2")  # another path: a new cookie, "a" on "/" is oldest
    assert sorted((m.key, m["path"]) for m in jar) == [("a", "/"), ("b", "/"), ("c", "/")]
    sent(jar, "http://example.com/")  # sending makes a, b, c recently used
    receive(jar, "http://example.com/", "d=1")
    assert len(jar) == 3
    receive(jar, "http://other.example/", "x=1", "y=1", "z=1")
    assert len(jar) == 6


def test_per_domain_limit_evicts_expired_cookies_first(clock: FakeClock) -> None:
    jar = ac.CookieJar(max_cookies_per_domain=2, clock=clock)
    receive(jar, "http://example.com/", "old=1", "short=1; Max-Age=5")
    clock.now += 10
    receive(jar, "http://example.com/", "new=1")
    assert sorted(m.key for m in jar) == ["new", "old"]


def test_total_limit_evicts_the_least_recently_used_anywhere(clock: FakeClock) -> None:
    jar = ac.CookieJar(max_cookies=3, clock=clock)
    for host in ("a.example", "b.example", "c.example"):
        receive(jar, f"http://{host}/", "k=1")
    sent(jar, "http://a.example/")  # a.example's cookie becomes the most recently used
    receive(jar, "http://d.example/", "k=1")
    assert sorted(m["domain"] for m in jar) == ["a.example", "c.example", "d.example"]


def test_oversized_cookies_are_ignored(clock: FakeClock) -> None:
    jar = ac.CookieJar(max_cookie_size=16, clock=clock)
    receive(jar, "http://example.com/", "a=" + "x" * 16, "b=" + "x" * 15)
    jar.update_cookies({"c": "y" * 100}, URL("http://example.com/"))
    assert [m.key for m in jar] == ["b"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a.example", "b.example", "c.d.example"]), st.text(max_size=40)),
        max_size=40,
    )
)
def test_any_headers_keep_the_jar_within_its_limits(headers: Sequence[tuple[str, str]]) -> None:
    jar = ac.CookieJar(
        max_cookies=8, max_cookies_per_domain=3, max_cookie_size=32, clock=FakeClock()
    )
    for host, header in headers:
        receive(jar, f"https://{host}/p/q", header)
    assert len(jar) <= 8
    per_domain: dict[str, int] = defaultdict(int)
    for morsel in jar:
        per_domain[morsel["domain"]] += 1
        assert len(morsel.key) + len(morsel.coded_value) <= 32
    assert all(count <= 3 for count in per_domain.values())
    for host, _ in headers:
        jar.filter_cookies(URL(f"https://{host}/p/q"))


# --- persistence -------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path: Path, clock: FakeClock) -> None:
    jar = ac.CookieJar(clock=clock)
    receive(jar, "https://www.example.com/app/x", "host=1; Secure; HttpOnly; SameSite=Lax")
    receive(jar, "https://www.example.com/", "dom=2; Domain=example.com; Max-Age=100")
    receive(jar, "https://www.example.com/", 'q="a b"; Expires=Fri, 01 Jan 2100 00:00:00 GMT')
    jar.update_cookies({"shared": "s"})
    path = tmp_path / "cookies.json"
    jar.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(path.read_text())["format"] == "aiohttp-client-cookiejar"

    other = ac.CookieJar(clock=clock)
    receive(other, "http://previous.example/", "stale=1")
    other.load(str(path))
    assert [(m.key, m.value, m["domain"], m["path"]) for m in other] == [
        (m.key, m.value, m["domain"], m["path"]) for m in jar
    ]
    for url in (
        "https://www.example.com/app/x",
        "http://www.example.com/",
        "https://sub.example.com/",
    ):
        assert sent(other, url) == sent(jar, url)
    assert sent(other, "https://sub.example.com/") == {"dom": "2", "shared": "s"}  # host-only kept
    clock.now += 100
    assert "dom" not in sent(other, "https://www.example.com/")  # expiry kept


def test_load_drops_expired_cookies_and_applies_limits(tmp_path: Path, clock: FakeClock) -> None:
    jar = ac.CookieJar(clock=clock)
    receive(jar, "http://example.com/", "a=1; Max-Age=5", "b=1", "c=1", "d=1")
    path = tmp_path / "cookies.json"
    jar.save(path)
    clock.now += 5
    small = ac.CookieJar(max_cookies_per_domain=2, clock=clock)
    small.load(path)
    assert sorted(m.key for m in small) == ["c", "d"]


def _aiohttp_style_pickle() -> bytes:
    cookies: defaultdict[tuple[str, str], SimpleCookie] = defaultdict(SimpleCookie)
    cookies[("example.com", "")]["a"] = "1"
    return pickle.dumps(cookies, pickle.HIGHEST_PROTOCOL)


class _Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (self.marker,))


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_load_refuses_pickle_files_without_unpickling(
    tmp_path: Path, jar: ac.CookieJar, protocol: int
) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "cookies.pickle"
    path.write_bytes(pickle.dumps(_Exploit(marker), protocol))
    with pytest.raises(ValueError, match=r"pickle|not a JSON cookie jar"):
        jar.load(path)
    assert not marker.exists()


def test_load_names_aiohttp_pickle_format(tmp_path: Path, jar: ac.CookieJar) -> None:
    path = tmp_path / "cookies.pickle"
    path.write_bytes(_aiohttp_style_pickle())
    with pytest.raises(ValueError, match=r"is a pickle file .*refusing to load"):
        jar.load(path)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"not json", "not a JSON cookie jar file"),
        (b"\xff\xfe", "not a JSON cookie jar file"),
        (b"[]", "not a cookie jar file"),
        (b'{"format": "other", "cookies": []}', "not a cookie jar file"),
        (
            b'{"format": "aiohttp-client-cookiejar", "version": 99, "cookies": []}',
            "unsupported .* version 99",
        ),
        (
            b'{"format": "aiohttp-client-cookiejar", "version": 1, "cookies": [1]}',
            "cookie #0 is invalid: not an object",
        ),
        (
            b'{"format": "aiohttp-client-cookiejar", "version": 1, "cookies": [{"name": "a", "value": 1}]}',
            "value is not a string",
        ),
        (
            b'{"format": "aiohttp-client-cookiejar", "version": 1, "cookies": [{"name": "a", "secure": "yes"}]}',
            "secure is not a boolean",
        ),
        (
            b'{"format": "aiohttp-client-cookiejar", "version": 1, "cookies": [{"name": "a", "expires": "soon"}]}',
            "expires is not a number",
        ),
        (
            b'{"format": "aiohttp-client-cookiejar", "version": 1, "cookies": [{"name": "a=b"}]}',
            "bad name",
        ),
        (
            b'{"format": "aiohttp-client-cookiejar", "version": 1, "cookies": [{"name": "a", "path": "x"}]}',
            "path does not start",
        ),
        (
            b'{"format": "aiohttp-client-cookiejar", "version": 1, "cookies": [{"name": "a", "samesite": "x"}]}',
            "samesite is not",
        ),
        (
            b'{"format": "aiohttp-client-cookiejar", "version": 1, "cookies": [{"name": "a", "value": "\\u0000"}]}',
            "control character",
        ),
    ],
)
def test_load_rejects_invalid_files_and_keeps_the_jar(
    tmp_path: Path, jar: ac.CookieJar, content: bytes, match: str
) -> None:
    receive(jar, "http://example.com/", "keep=1")
    path = tmp_path / "cookies.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=match):
        jar.load(path)
    assert [m.key for m in jar] == ["keep"]


def test_load_missing_file_raises_os_error(tmp_path: Path, jar: ac.CookieJar) -> None:
    with pytest.raises(FileNotFoundError):
        jar.load(tmp_path / "absent.json")


# --- DummyCookieJar and the abstract base ----------------------------------------------


def test_dummy_cookie_jar_stores_and_sends_nothing() -> None:
    jar = ac.DummyCookieJar()
    jar.update_cookies({"a": "1"}, URL("http://example.com/"))
    receive(jar, "http://example.com/", "b=2")
    assert len(jar) == 0
    assert list(jar) == []
    assert jar.filter_cookies(URL("http://example.com/")) == SimpleCookie()
    assert jar.quote_cookie is True
    jar.clear()
    jar.clear_domain("example.com")
    assert isinstance(jar, ac.AbstractCookieJar)


class _ListJar(ac.AbstractCookieJar):
    """A minimal third-party jar relying on the default update_cookies_from_headers."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[tuple[str, str, URL]] = []

    @property
    def quote_cookie(self) -> bool:
        return True

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(())

    def __len__(self) -> int:
        return len(self.received)

    def clear(self, predicate: ac.ClearCookiePredicate | None = None) -> None:
        self.received.clear()

    def clear_domain(self, domain: str) -> None:
        self.received.clear()

    def update_cookies(self, cookies: ac.LooseCookies, response_url: URL = URL()) -> None:  # noqa: B008
        assert isinstance(cookies, list)
        for name, morsel in cookies:
            assert isinstance(morsel, Morsel)
            self.received.append((name, morsel.value, response_url))

    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        return SimpleCookie()


def test_abstract_jar_parses_set_cookie_headers_for_subclasses() -> None:
    jar = _ListJar()
    url = URL("http://example.com/")
    jar.update_cookies_from_headers(["a=1; Path=/", "garbage", 'b="2"'], url)
    assert jar.received == [("a", "1", url), ("b", "2", url)]


def test_abstract_cookie_jar_cannot_be_instantiated() -> None:
    with pytest.raises(TypeError):
        ac.AbstractCookieJar()  # type: ignore[abstract]
