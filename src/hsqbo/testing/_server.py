"""
Serve a fake API as an httpx transport or as a real HTTP server on loopback.

A fake is a function from :class:`httpx.Request` to :class:`httpx.Response`.
The same function backs both ways of reaching it, so in-process tests and
clients that bring their own HTTP stack (``requests``, ``urllib3``) see one
state.
"""

from __future__ import annotations

import contextlib
import http.server
import socketserver
import threading
from collections.abc import Callable, Iterator

import httpx


__all__ = [
    "DropConnection",
    "Handler",
    "SimulatedTimeout",
    "serve",
    "transport",
]

Handler = Callable[[httpx.Request], httpx.Response]


class DropConnection(Exception):  # noqa: N818 - a signal, not an error
    """Raised by a handler to close the connection without an answer."""


class SimulatedTimeout(Exception):  # noqa: N818 - a signal, not an error
    """Raised by a handler to make the client time out."""


def transport(handler: Handler) -> httpx.MockTransport:
    """
    Return an httpx transport (sync and async) that calls *handler*.

    :class:`DropConnection` becomes :class:`httpx.RemoteProtocolError` and
    :class:`SimulatedTimeout` becomes :class:`httpx.ReadTimeout`, as a real
    network would raise them.
    """

    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        try:
            return handler(request)
        except DropConnection:
            msg = "Server disconnected without sending a response."
            raise httpx.RemoteProtocolError(msg, request=request) from None
        except SimulatedTimeout:
            msg = "The read operation timed out"
            raise httpx.ReadTimeout(msg, request=request) from None

    return httpx.MockTransport(handle)


_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length"}
)


def _address(server: socketserver.BaseServer) -> tuple[str, int]:
    address = server.server_address
    if not isinstance(address, tuple):  # pragma: no cover - TCP only
        msg = "the fake server listens on TCP only"
        raise TypeError(msg)
    return str(address[0]), int(address[1])


def _make_request_handler(
    handler: Handler,
) -> type[http.server.BaseHTTPRequestHandler]:
    class _RequestHandler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle's algorithm the
        # second waits for the client's delayed ACK, ~40 ms per request on
        # a keep-alive connection.
        disable_nagle_algorithm = True

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            host, port = _address(self.server)
            request = httpx.Request(
                self.command,
                f"http://{host}:{port}{self.path}",
                headers=list(self.headers.items()),
                content=body,
            )
            try:
                response = handler(request)
            except (DropConnection, SimulatedTimeout):
                self.close_connection = True
                return
            content = response.read()
            self.send_response(response.status_code)
            for name, value in response.headers.multi_items():
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            # Quiet: request lines would carry query strings into test logs.
            del format, args

    return _RequestHandler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextlib.contextmanager
def serve(handler: Handler) -> Iterator[str]:
    """
    Serve *handler* on ``127.0.0.1`` at a free port; yield the base URL.

    The server runs on a background thread and stops when the ``with``
    block ends.
    """
    server = _Server(("127.0.0.1", 0), _make_request_handler(handler))
    thread = threading.Thread(
        target=server.serve_forever, name="hsqbo-fake-server", daemon=True
    )
    thread.start()
    try:
        host, port = _address(server)
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
