"""Smoke test of an installed aiohttp_multipart: run in a fresh environment by the packaging tests."""

import aiohttp_multipart

for name in aiohttp_multipart.__all__:
    assert hasattr(aiohttp_multipart, name), name
assert int(aiohttp_multipart.__version__.split(".")[0]) >= 1
print("aiohttp_multipart smoke ok")
