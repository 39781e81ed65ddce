"""Smoke test of an installed aiohttp_http: run in a fresh environment by the packaging tests."""

import aiohttp_http

for name in aiohttp_http.__all__:
    assert hasattr(aiohttp_http, name), name
assert int(aiohttp_http.__version__.split(".")[0]) >= 1
print("aiohttp_http smoke ok")
