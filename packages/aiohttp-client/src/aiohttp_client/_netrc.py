"""Credentials from a ``.netrc`` file, used when a session has ``trust_env=True``.

The file is the one named by the ``NETRC`` environment variable, else
``~/.netrc`` (and ``~/_netrc`` on Windows when ``.netrc`` does not exist).
A missing, unreadable or malformed file never raises: it is logged at debug
level and treated as "no credentials".
"""

from __future__ import annotations

import logging
import netrc
import os
import sys
from pathlib import Path

from ._auth import BasicAuth

__all__ = ["basicauth_from_netrc", "get_netrc_auth", "netrc_from_env"]

logger = logging.getLogger("aiohttp_client.netrc")


def _netrc_path() -> Path | None:
    env = os.environ.get("NETRC")
    if env:
        return Path(env)
    try:
        home = Path.home()
    except RuntimeError:  # no home directory can be determined
        logger.debug("No home directory: cannot look for a .netrc file")
        return None
    path = home / ".netrc"
    if sys.platform == "win32" and not path.exists():
        alternative = home / "_netrc"
        if alternative.exists():
            return alternative
    return path


def netrc_from_env() -> netrc.netrc | None:
    """Load the ``.netrc`` file named by ``NETRC`` or found in the home directory.

    Returns:
        the parsed :class:`netrc.netrc`, or ``None`` when the file is missing,
        unreadable or malformed (the reason is logged at debug level).
    """
    path = _netrc_path()
    if path is None:
        return None
    try:
        return netrc.netrc(str(path))
    except FileNotFoundError:
        logger.debug("No .netrc file at %s", path)
    except netrc.NetrcParseError as exc:
        logger.debug("Could not parse .netrc file %s: %s", path, exc)
    except (OSError, UnicodeDecodeError) as exc:
        logger.debug("Could not read .netrc file %s: %s", path, exc)
    return None


def basicauth_from_netrc(netrc_obj: netrc.netrc | None, host: str) -> BasicAuth:
    """Return the credentials of ``host`` (or of the ``default`` entry) in ``netrc_obj``.

    Raises:
        LookupError: if ``netrc_obj`` is ``None`` or has no entry for ``host``
            and no ``default`` entry.
    """
    if netrc_obj is None:
        raise LookupError(f"No .netrc file to look up credentials for {host!r}")
    entry = netrc_obj.authenticators(host)
    if entry is None:
        raise LookupError(f"No entry for {host!r} found in the .netrc file")
    login, account, password = entry
    # A machine line may give only "account"; use it as the user name then.
    username = login if (login or account is None) else account
    return BasicAuth(username or "", password or "")


def get_netrc_auth(host: str) -> BasicAuth | None:
    """Find ``.netrc`` credentials for ``host``; ``None`` if there are none.

    Never raises for a missing or malformed file, nor for an entry whose
    login cannot be used for Basic authentication (a ``":"`` in it).
    """
    netrc_obj = netrc_from_env()
    if netrc_obj is None:
        return None
    try:
        return basicauth_from_netrc(netrc_obj, host)
    except LookupError:
        logger.debug("No .netrc credentials for %r", host)
    except ValueError as exc:
        logger.debug("Unusable .netrc credentials for %r: %s", host, exc)
    return None
