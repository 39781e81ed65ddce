"""Smoke test of an installed aiohttp_ws: run in a fresh environment by the packaging tests."""

import aiohttp_ws

for name in aiohttp_ws.__all__:
    assert hasattr(aiohttp_ws, name), name
assert int(aiohttp_ws.__version__.split(".")[0]) >= 1
print("aiohttp_ws smoke ok")
