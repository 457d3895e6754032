"""HTTP plumbing for ``seedwire serve``: requests, responses, the handler and the server.

The standard library's ``ThreadingHTTPServer`` reads each request into a :class:`Request`, hands
it to the application (anything with ``handle`` and ``bad_request``, see :class:`App`) and writes
the :class:`Response` back. Bodies over :data:`MAX_BODY` are refused before they are read, and
tokens in logged URLs are masked. :class:`SubscribeLimiter` counts requests per client address.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs

logger = logging.getLogger(__name__)

__all__ = [
    "MAX_BODY",
    "App",
    "Handler",
    "Request",
    "Response",
    "SeedwireServer",
    "SubscribeLimiter",
]

MAX_BODY = 16 * 1024
_TOKEN_IN_URL = re.compile(r"([?&])t=[^&\s\"]+")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    client: str
    headers: dict[str, str]
    body: bytes = b""

    def arg(self, name: str) -> str:
        values = self.query.get(name)
        return values[0] if values else ""

    def form(self) -> dict[str, list[str]]:
        kind = self.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in ("", "application/x-www-form-urlencoded"):
            return {}
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


class SubscribeLimiter:
    """At most ``per_hour`` subscribe requests per client address in any hour (0 = off)."""

    def __init__(self, per_hour: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_hour = per_hour
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> tuple[bool, int]:
        """(allowed, seconds until the next request would be allowed)."""
        if self.per_hour <= 0:
            return True, 0
        now = self.clock()
        with self._lock:
            if len(self._hits) > 10000:  # forget idle addresses
                for key in [k for k, v in self._hits.items() if not v or v[-1] < now - 3600]:
                    del self._hits[key]
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - 3600:
                hits.popleft()
            if len(hits) >= self.per_hour:
                return False, int(hits[0] + 3600 - now) + 1
            hits.append(now)
            return True, 0


class App(Protocol):
    """What the handler needs from the application."""

    def handle(self, request: Request) -> Response:
        """The response to a request that was read completely."""
        ...

    def bad_request(self, status: int) -> Response:
        """The page for a request that cannot be handled (400, 413)."""
        ...


class Handler(BaseHTTPRequestHandler):
    server_version = "seedwire"
    sys_version = ""
    server: SeedwireServer

    def _dispatch(self) -> None:
        raw_path, _, query = self.path.partition("?")
        raw_path = raw_path.partition("#")[0]
        length = self.headers.get("Content-Length")
        body = b""
        app = self.server.app
        try:
            size = int(length) if length else 0
        except ValueError:
            size = -1
        if size < 0 or size > MAX_BODY:
            response = app.bad_request(413 if size > 0 else 400)
            self.close_connection = True
        else:
            body = self.rfile.read(size) if size else b""
            request = Request(
                method=self.command,
                path=raw_path or "/",
                query=parse_qs(query, keep_blank_values=True),
                client=self.client_address[0],
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            try:
                response = app.handle(request)
            except UnicodeDecodeError:
                response = app.bad_request(400)
            except Exception:
                logger.exception("error handling %s %s", self.command, raw_path)
                response = Response(
                    500, b"internal error\n", [("Content-Type", "text/plain; charset=utf-8")]
                )
        self.send_response(response.status)
        for key, value in response.headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.status != 304:
            self.wfile.write(response.body)

    do_GET = do_POST = do_HEAD = _dispatch

    def do_PUT(self) -> None:
        self._dispatch()

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        line = _TOKEN_IN_URL.sub(r"\1t=…", format % args)  # links carry tokens: keep them out
        logger.info("%s %s", self.address_string(), line)


class SeedwireServer(ThreadingHTTPServer):
    daemon_threads = True
    app: App
