"""Smoke test of an installed aiohttp umbrella: run in a fresh environment by the packaging tests."""

import contextlib
import io

import aiohttp
import aiohttp_client
from aiohttp.__main__ import main
from aiohttp.client_exceptions import ClientError

for name in aiohttp.__all__:
    assert hasattr(aiohttp, name), name
out = io.StringIO()
with contextlib.redirect_stdout(out):
    assert main(["info"]) == 0
text = out.getvalue()
for dist in ("aiohttp-ws", "aiohttp-http", "aiohttp-multipart", "aiohttp-client", "aiohttp"):
    assert f"  {dist} " in text, text
assert "not installed" not in text, text
assert "(standard library only)" in text  # aiohttp-ws
assert aiohttp.ClientSession is aiohttp_client.ClientSession
assert ClientError is aiohttp_client.ClientError
print("aiohttp smoke ok")
