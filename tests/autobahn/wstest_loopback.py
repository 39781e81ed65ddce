"""Run Autobahn|Testsuite's ``wstest`` with every listening socket bound to 127.0.0.1.

Python 2.7 (it runs in .autobahn/venv27), written to be valid Python 3 too.
``wstest`` listens on every interface (``listenWS`` passes ``interface=''``,
and the embedded web server too); this wrapper replaces the reactor's
``listenTCP`` and ``listenSSL`` so that whatever it asks for, the socket is
bound to the loopback address only. Usage, with wstest's own options::

    .autobahn/venv27/bin/python tests/autobahn/wstest_loopback.py -m fuzzingserver -s spec.json
"""

import sys

LOOPBACK = "127.0.0.1"


def force_loopback(reactor):
    """Make ``reactor.listenTCP``/``listenSSL`` ignore the interface asked for."""
    listen_tcp = reactor.listenTCP
    listen_ssl = reactor.listenSSL

    def listen_tcp_loopback(port, factory, backlog=50, interface=""):
        return listen_tcp(port, factory, backlog, LOOPBACK)

    def listen_ssl_loopback(port, factory, context_factory, backlog=50, interface=""):
        return listen_ssl(port, factory, context_factory, backlog, LOOPBACK)

    reactor.listenTCP = listen_tcp_loopback
    reactor.listenSSL = listen_ssl_loopback


def main():
    """Patch the reactor, then hand over to ``wstest``'s command line."""
    # wstest imports choosereactor first of all: it installs the best reactor.
    from autobahntestsuite import choosereactor  # noqa: F401
    from twisted.internet import reactor

    force_loopback(reactor)

    from autobahntestsuite import wstest

    sys.argv[0] = "wstest"
    wstest.run()


if __name__ == "__main__":
    main()
