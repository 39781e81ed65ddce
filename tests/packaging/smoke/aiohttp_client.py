"""Smoke test of an installed aiohttp_client: run in a fresh environment by the packaging tests."""

import aiohttp_client

for name in aiohttp_client.__all__:
    assert hasattr(aiohttp_client, name), name
assert int(aiohttp_client.__version__.split(".")[0]) >= 1
print("aiohttp_client smoke ok")
