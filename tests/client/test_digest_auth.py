"""Digest access authentication (RFC 7616): header grammar, computation, the middleware.

The test server below checks the Authorization header with its own
computation of the RFC 7616 §3.4 formulas.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from multidict import CIMultiDict
from yarl import URL

from aiohttp_client import (
    ClientError,
    DigestAuthError,
    DigestAuthMiddleware,
    DigestChallenge,
    build_client_middlewares,
    digest_authorization,
    parse_digest_challenge,
    parse_www_authenticate,
)

# --- RFC 7616 §3.9.1 ------------------------------------------------------------------

RFC_CHALLENGE: dict[str, Any] = {
    "realm": "http-auth@example.org",
    "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    "opaque": "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
    "qop": ("auth", "auth-int"),
}
RFC_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


@pytest.mark.parametrize(
    ("algorithm", "response"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_rfc7616_example(algorithm: str, response: str) -> None:
    challenge = DigestChallenge(algorithm=algorithm, **RFC_CHALLENGE)
    header = digest_authorization(
        challenge,
        method="GET",
        uri="/dir/index.html",
        username="Mufasa",
        password="Circle of Life",
        nc=1,
        cnonce=RFC_CNONCE,
    )
    assert header == (
        'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", '
        f"algorithm={algorithm}, "
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, '
        f'cnonce="{RFC_CNONCE}", qop=auth, response="{response}", '
        'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
    )


def test_rfc7616_example_challenge_headers_parse() -> None:
    values = [
        'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, '
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", '
        'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
        'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, '
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", '
        'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    ]
    challenge = parse_digest_challenge(values)
    assert challenge == DigestChallenge(algorithm="SHA-256", **RFC_CHALLENGE)


# --- grammar --------------------------------------------------------------------------


def test_parse_www_authenticate_several_challenges_in_one_value() -> None:
    value = (
        'Basic realm="simple", Newauth realm="apps", type=1, title="Login to \\"apps\\"", '
        'Digest realm="x", nonce="n,1", Negotiate abc+/==, Bearer'
    )
    assert parse_www_authenticate(value) == [
        ("basic", {"realm": "simple"}),
        ("newauth", {"realm": "apps", "type": "1", "title": 'Login to "apps"'}),
        ("digest", {"realm": "x", "nonce": "n,1"}),
        ("negotiate", {"": "abc+/=="}),
        ("bearer", {}),
    ]


def test_parse_www_authenticate_is_case_insensitive_and_tolerates_spaces() -> None:
    assert parse_www_authenticate('  DIGEST  Realm = "r" ,NONCE=abc ,  ') == [
        ("digest", {"realm": "r", "nonce": "abc"})
    ]


def test_parse_www_authenticate_stops_at_garbage() -> None:
    assert parse_www_authenticate('Digest realm="r", nonce="n", "junk') == [
        ("digest", {"realm": "r", "nonce": "n"})
    ]
    assert parse_www_authenticate("") == []


def test_parse_digest_challenge_fields() -> None:
    challenge = parse_digest_challenge(
        [
            'Basic realm="b"',
            'Digest realm="r", nonce="n", opaque="o", algorithm=sha-256-sess, '
            'qop="auth-int", stale=TRUE, userhash=true, charset=utf-8, '
            'domain="/a /b http://other.example/c"',
        ]
    )
    assert challenge == DigestChallenge(
        realm="r",
        nonce="n",
        opaque="o",
        algorithm="SHA-256-SESS",
        qop=("auth-int",),
        stale=True,
        userhash=True,
        charset="UTF-8",
        domain=("/a", "/b", "http://other.example/c"),
    )
    assert challenge.session
    assert challenge.hash_name == "sha256"


def test_parse_digest_challenge_picks_the_first_supported() -> None:
    challenge = parse_digest_challenge(
        ['Digest realm="r", nonce="n", algorithm=SHA3-512', 'Digest realm="r", nonce="m"']
    )
    assert challenge is not None
    assert challenge.nonce == "m"
    assert challenge.algorithm == "MD5"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            'Digest realm="r", nonce="n", algorithm=SHA3-512',
            "Unsupported Digest algorithm 'SHA3-512'",
        ),
        ('Digest realm="r", nonce="n", algorithm=MD5-SESSION', "Unsupported Digest algorithm"),
        ('Digest realm="r"', "lacks a realm or a nonce"),
        ('Digest nonce="n"', "lacks a realm or a nonce"),
        ('Digest realm="r", nonce="n", qop="auth-conf"', "Unsupported Digest qop"),
    ],
)
def test_parse_digest_challenge_refuses_what_it_cannot_answer(value: str, message: str) -> None:
    with pytest.raises(DigestAuthError, match=message):
        parse_digest_challenge([value])
    assert issubclass(DigestAuthError, ClientError)


def test_parse_digest_challenge_without_digest_is_none() -> None:
    assert parse_digest_challenge(['Basic realm="b"', "Bearer"]) is None
    assert parse_digest_challenge([]) is None
    huge = 'Digest realm="r", nonce="' + "n" * 20000 + '"'
    assert parse_digest_challenge([huge]) is None
    assert parse_digest_challenge([huge], max_size=30000) is not None


# --- computation ----------------------------------------------------------------------


def h(algorithm: str, data: str | bytes) -> str:
    name = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}[algorithm]
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.new(name, raw).hexdigest()


def expected_response(
    params: dict[str, str], method: str, password: str, body: bytes = b"", username: str = ""
) -> str:
    """RFC 7616 §3.4.1-§3.4.3, computed independently from the client code."""
    algorithm = params["algorithm"].upper()
    base = algorithm.removesuffix("-SESS")
    ha1 = h(base, f"{username or params['username']}:{params['realm']}:{password}")
    if algorithm.endswith("-SESS"):
        ha1 = h(base, f"{ha1}:{params['nonce']}:{params['cnonce']}")
    a2 = f"{method}:{params['uri']}"
    if params.get("qop") == "auth-int":
        a2 += ":" + h(base, body)
    if "qop" not in params:
        return h(base, f"{ha1}:{params['nonce']}:{h(base, a2)}")
    return h(
        base,
        f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:{params['qop']}:{h(base, a2)}",
    )


ALGORITHMS = ["MD5", "MD5-SESS", "SHA-256", "SHA-256-SESS", "SHA-512-256", "SHA-512-256-SESS"]


@pytest.mark.parametrize(
    ("algorithm", "qop"),
    [(a, q) for a in ALGORITHMS for q in ("auth", "auth-int", None) if q or "SESS" not in a],
)
def test_every_algorithm_and_qop(algorithm: str, qop: str | None) -> None:
    challenge = DigestChallenge(
        realm="r", nonce="abc", algorithm=algorithm, qop=(qop,) if qop else ()
    )
    header = digest_authorization(
        challenge,
        method="PUT",
        uri="/p?q=1",
        username="user",
        password="pw",
        nc=7,
        cnonce="cn",
        body=b"payload",
    )
    [(scheme, params)] = parse_www_authenticate(header)
    assert scheme == "digest"
    assert params["algorithm"] == algorithm
    if qop:
        assert params["qop"] == qop
        assert params["nc"] == "00000007"
    else:
        assert "qop" not in params
        assert "nc" not in params
        assert "cnonce" not in params
    assert params["response"] == expected_response(params, "PUT", "pw", b"payload")


def test_userhash_and_utf8_username() -> None:
    challenge = DigestChallenge(
        realm="api@example.org",
        nonce="n",
        algorithm="SHA-512-256",
        qop=("auth",),
        userhash=True,
        charset="UTF-8",
    )
    header = digest_authorization(
        challenge,
        method="GET",
        uri="/doc/index.html",
        username="J\u00e4s\u00f8n Doe",
        password="Secret, or not?",
        nc=1,
        cnonce="c",
    )
    [(_, params)] = parse_www_authenticate(header)
    assert params["username"] == h("SHA-512-256", "J\u00e4s\u00f8n Doe:api@example.org")
    assert params["userhash"] == "true"
    assert params["response"] == expected_response(
        params, "GET", "Secret, or not?", username="J\u00e4s\u00f8n Doe"
    )


def test_non_ascii_username_uses_the_extended_notation() -> None:
    challenge = DigestChallenge(realm="r", nonce="n", qop=("auth",), charset="UTF-8")
    header = digest_authorization(
        challenge, method="GET", uri="/", username="J\u00e4s\u00f8n", password="p", nc=1, cnonce="c"
    )
    assert "username*=UTF-8''J%C3%A4s%C3%B8n" in header
    assert 'username="' not in header


def test_latin1_credentials_without_charset() -> None:
    challenge = DigestChallenge(realm="r", nonce="n", qop=("auth",))
    header = digest_authorization(
        challenge, method="GET", uri="/", username="u", password="p\u00e4ss", nc=1, cnonce="c"
    )
    [(_, params)] = parse_www_authenticate(header)
    ha1 = hashlib.md5(b"u:r:p\xe4ss").hexdigest()
    ha2 = hashlib.md5(b"GET:/").hexdigest()
    assert params["response"] == hashlib.md5(f"{ha1}:n:00000001:c:auth:{ha2}".encode()).hexdigest()


def test_quotes_are_escaped_in_the_header() -> None:
    challenge = DigestChallenge(realm='a "quoted" realm', nonce="n", opaque='o"p')
    header = digest_authorization(
        challenge, method="GET", uri="/", username='we"ird', password="p", nc=1, cnonce="c"
    )
    [(_, params)] = parse_www_authenticate(header)
    assert params["realm"] == 'a "quoted" realm'
    assert params["username"] == 'we"ird'
    assert params["opaque"] == 'o"p'


def test_session_algorithm_without_qop_is_refused() -> None:
    with pytest.raises(DigestAuthError, match="needs a qop"):
        parse_digest_challenge(['Digest realm="r", nonce="n", algorithm=MD5-sess'])
    challenge = DigestChallenge(realm="r", nonce="n", algorithm="SHA-256-SESS")
    with pytest.raises(DigestAuthError, match="needs a qop"):
        digest_authorization(
            challenge, method="GET", uri="/", username="u", password="p", nc=1, cnonce="c"
        )


def test_qop_not_offered_is_refused() -> None:
    challenge = DigestChallenge(realm="r", nonce="n", qop=("auth",))
    with pytest.raises(DigestAuthError, match="was not offered"):
        digest_authorization(
            challenge,
            method="GET",
            uri="/",
            username="u",
            password="p",
            nc=1,
            cnonce="c",
            qop="auth-int",
        )


# --- the middleware against a digest-auth server ------------------------------------


@dataclass
class FakeRequest:
    method: str
    url: URL
    headers: CIMultiDict[str] = field(default_factory=CIMultiDict)
    body: Any = None


@dataclass
class FakeResponse:
    status: int
    headers: CIMultiDict[str] = field(default_factory=CIMultiDict)
    released: bool = False

    def release(self) -> None:
        self.released = True


class DigestServer:
    """Answers 401 with a Digest challenge until the request carries valid credentials."""

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        algorithm: str = "SHA-256",
        qop: str = "auth",
        realm: str = "test@127.0.0.1",
        extra: str = "",
        body: bytes = b"",
    ) -> None:
        self.users = users or {"alice": "s3cret"}
        self.algorithm, self.qop, self.realm, self.extra = algorithm, qop, realm, extra
        self.body = body
        self.nonce_index = 0
        self.seen_nc: list[str] = []
        self.requests: list[FakeRequest] = []
        self.responses: list[FakeResponse] = []
        self.stale_next = False

    @property
    def nonce(self) -> str:
        return f"nonce-{self.nonce_index}"

    def challenge(self, stale: bool = False) -> FakeResponse:
        value = (
            f'Digest realm="{self.realm}", nonce="{self.nonce}", opaque="xyz", '
            f'algorithm={self.algorithm}, qop="{self.qop}"{self.extra}'
        )
        if stale:
            value += ", stale=true"
        response = FakeResponse(
            401, CIMultiDict([("WWW-Authenticate", 'Basic realm="b"'), ("WWW-Authenticate", value)])
        )
        self.responses.append(response)
        return response

    async def __call__(self, request: FakeRequest) -> FakeResponse:
        self.requests.append(
            FakeRequest(request.method, request.url, CIMultiDict(request.headers), request.body)
        )
        header = request.headers.get("Authorization")
        if header is None:
            return self.challenge()
        [(scheme, params)] = parse_www_authenticate(header)
        assert scheme == "digest"
        password = self.users.get(params.get("username", ""))
        if params["nonce"] != self.nonce:
            return self.challenge(stale=password is not None)
        if self.stale_next:
            self.stale_next = False
            self.nonce_index += 1
            return self.challenge(stale=True)
        assert params["uri"] == request.url.raw_path_qs
        assert params["opaque"] == "xyz"
        assert params["realm"] == self.realm
        assert re.fullmatch(r"[0-9a-f]{8}", params["nc"])
        if password is None or params["response"] != expected_response(
            params, request.method, password, self.body
        ):
            return self.challenge()
        self.seen_nc.append(params["nc"])
        response = FakeResponse(200)
        self.responses.append(response)
        return response


async def test_answers_a_challenge_once() -> None:
    server = DigestServer()
    chain = build_client_middlewares(server, [DigestAuthMiddleware("alice", "s3cret")])
    response = await chain(FakeRequest("GET", URL("http://127.0.0.1/private?x=1")))
    assert response.status == 200
    assert len(server.requests) == 2
    assert "Authorization" not in server.requests[0].headers
    assert server.responses[0].released
    assert not response.released
    assert server.seen_nc == ["00000001"]


async def test_preemptive_reuses_the_challenge_with_increasing_nc() -> None:
    server = DigestServer()
    middleware = DigestAuthMiddleware("alice", "s3cret")
    chain = build_client_middlewares(server, [middleware])
    for path in ("/a", "/b", "/c"):
        assert (await chain(FakeRequest("GET", URL(f"http://127.0.0.1{path}")))).status == 200
    assert len(server.requests) == 4  # one 401, then three authenticated requests
    assert server.seen_nc == ["00000001", "00000002", "00000003"]


async def test_preemptive_false_waits_for_each_challenge() -> None:
    server = DigestServer()
    chain = build_client_middlewares(
        server, [DigestAuthMiddleware("alice", "s3cret", preemptive=False)]
    )
    for _ in range(2):
        assert (await chain(FakeRequest("GET", URL("http://127.0.0.1/")))).status == 200
    assert len(server.requests) == 4


async def test_preemptive_stays_on_the_challenge_origin_and_domain() -> None:
    server = DigestServer(extra=', domain="/api/"')
    chain = build_client_middlewares(server, [DigestAuthMiddleware("alice", "s3cret")])
    await chain(FakeRequest("GET", URL("http://127.0.0.1/api/one")))
    await chain(FakeRequest("GET", URL("http://127.0.0.1/api/two")))
    await chain(FakeRequest("GET", URL("http://127.0.0.1/other")))
    await chain(FakeRequest("GET", URL("http://127.0.0.1:8080/api/one")))
    await chain(FakeRequest("GET", URL("https://127.0.0.1/api/one")))
    sent = [("Authorization" in r.headers, r.url.path) for r in server.requests]
    assert sent == [
        (False, "/api/one"),
        (True, "/api/one"),
        (True, "/api/two"),
        (False, "/other"),  # outside the domain: challenged again
        (True, "/other"),
        (False, "/api/one"),  # another origin (port)
        (True, "/api/one"),
        (False, "/api/one"),  # another origin (scheme)
        (True, "/api/one"),
    ]


async def test_stale_nonce_is_retried_once_with_the_new_nonce() -> None:
    server = DigestServer()
    chain = build_client_middlewares(server, [DigestAuthMiddleware("alice", "s3cret")])
    await chain(FakeRequest("GET", URL("http://127.0.0.1/")))
    server.stale_next = True
    response = await chain(FakeRequest("GET", URL("http://127.0.0.1/")))
    assert response.status == 200
    assert len(server.requests) == 4
    assert server.seen_nc == ["00000001", "00000001"]  # the count restarts with a new nonce


async def test_wrong_password_never_loops() -> None:
    server = DigestServer()
    chain = build_client_middlewares(server, [DigestAuthMiddleware("alice", "wrong")])
    response = await chain(FakeRequest("GET", URL("http://127.0.0.1/")))
    assert response.status == 401
    assert len(server.requests) == 2
    # Pre-emptive credentials refused for the same nonce: no second try.
    response = await chain(FakeRequest("GET", URL("http://127.0.0.1/")))
    assert response.status == 401
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    "body",
    [b"form=data", bytearray(b"form=data"), "form=data"],
)
async def test_auth_int_hashes_the_body(body: Any) -> None:
    server = DigestServer(qop="auth-int", algorithm="MD5-sess", body=b"form=data")
    chain = build_client_middlewares(server, [DigestAuthMiddleware("alice", "s3cret")])
    response = await chain(FakeRequest("POST", URL("http://127.0.0.1/form"), body=body))
    assert response.status == 200


async def test_auth_int_reads_a_payload_body() -> None:
    class Payload:
        async def as_bytes(self) -> bytes:
            return b"form=data"

    class RequestBody:
        payload = Payload()

    server = DigestServer(qop="auth-int", body=b"form=data")
    chain = build_client_middlewares(server, [DigestAuthMiddleware("alice", "s3cret")])
    response = await chain(FakeRequest("POST", URL("http://127.0.0.1/"), body=RequestBody()))
    assert response.status == 200
    empty = DigestServer(qop="auth-int")
    chain = build_client_middlewares(empty, [DigestAuthMiddleware("alice", "s3cret")])
    assert (await chain(FakeRequest("GET", URL("http://127.0.0.1/")))).status == 200


async def test_auth_int_with_an_unreadable_body_is_refused() -> None:
    server = DigestServer(qop="auth-int")
    chain = build_client_middlewares(server, [DigestAuthMiddleware("alice", "s3cret")])
    with pytest.raises(DigestAuthError, match="Cannot hash a object body"):
        await chain(FakeRequest("POST", URL("http://127.0.0.1/"), body=object()))


async def test_unknown_algorithm_raises_after_releasing() -> None:
    server = DigestServer(algorithm="SHA3-256")
    chain = build_client_middlewares(server, [DigestAuthMiddleware("alice", "s3cret")])
    with pytest.raises(DigestAuthError, match="Unsupported Digest algorithm 'SHA3-256'"):
        await chain(FakeRequest("GET", URL("http://127.0.0.1/")))
    assert server.responses[0].released
    assert len(server.requests) == 1


async def test_non_digest_401_and_other_statuses_pass_through() -> None:
    async def basic_only(request: Any) -> FakeResponse:
        return FakeResponse(401, CIMultiDict({"WWW-Authenticate": 'Basic realm="x"'}))

    middleware = DigestAuthMiddleware("alice", "s3cret")
    response = await build_client_middlewares(basic_only, [middleware])(
        FakeRequest("GET", URL("http://h/"))
    )
    assert response.status == 401
    assert not response.released

    async def ok(request: Any) -> FakeResponse:
        return FakeResponse(204)

    response = await build_client_middlewares(ok, [middleware])(
        FakeRequest("GET", URL("http://h/"))
    )
    assert response.status == 204


def test_constructor_refuses_none() -> None:
    with pytest.raises(ValueError, match="login and a password"):
        DigestAuthMiddleware(None, "p")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="login and a password"):
        DigestAuthMiddleware("u", None)  # type: ignore[arg-type]


async def test_cnonce_factory_is_used() -> None:
    server = DigestServer()
    chain = build_client_middlewares(
        server, [DigestAuthMiddleware("alice", "s3cret", cnonce_factory=lambda: "fixed")]
    )
    await chain(FakeRequest("GET", URL("http://127.0.0.1/")))
    assert 'cnonce="fixed"' in server.requests[1].headers["Authorization"]
