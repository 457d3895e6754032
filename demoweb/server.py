"""The HTTP side of the fixture web: one threaded server per host on a shared port, a request log,
conditional GET, gzip, and :class:`FixtureWeb`, the public entry point."""

from __future__ import annotations

import contextlib
import gzip
import logging
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

from .catalog import TAGS
from .routes import FaultState, Response, Router
from .world import WEEKS, Article, ExpectedArticle, World

logger = logging.getLogger(__name__)

DEFAULT_HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
COMPRESSIBLE = ("text/", "application/rss", "application/atom", "application/xml",
                "application/feed+json", "application/json", "application/javascript")


@dataclass(frozen=True)
class LoggedRequest:
    """One request the fixture web received (logged before the response is sent)."""

    host: str
    path: str  # path with query, as requested
    method: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    time: float = 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, host: str, port: int, web: FixtureWeb) -> None:
        self.web = web
        self.site_host = host
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hanging up (crawler timeouts, size limits) are normal here: log quietly."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            logger.debug("demoweb %s: client %s went away: %s", self.site_host, client_address,
                         error)
            return
        logger.exception("demoweb %s: error serving %s", self.site_host, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def version_string(self) -> str:
        return "demoweb/1.0"

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        logger.debug("%s %s", self.server.site_host, format % args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._send_simple("POST", 405, b"Method Not Allowed\n", [("Allow", "GET, HEAD")])

    def _send_simple(self, method: str, status: int, body: bytes,
                     headers: list[tuple[str, str]]) -> None:
        self.server.web._log(self.server.site_host, self.path, method, status, self.headers)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _serve(self, method: str) -> None:
        web = self.server.web
        host = self.server.site_host
        try:
            response = web._route(host, self.path)
        except Exception:  # pragma: no cover - a bug in the fixture; answer 500, keep serving
            logger.exception("demoweb failed on %s%s", host, self.path)
            response = Response(500, "text/plain; charset=utf-8", b"internal error\n")
        response = _conditional(response, self.headers)
        web._log(host, self.path, method, response.status, self.headers)
        if response.delay and web._stopping.wait(response.delay):
            self.close_connection = True
            return
        body = response.body
        headers = list(response.headers)
        if (response.status == 200 and response.compressible and response.stream is None
                and len(body) >= 1024 and response.content_type.startswith(COMPRESSIBLE)
                and "gzip" in (self.headers.get("Accept-Encoding") or "")):
            body = gzip.compress(body, compresslevel=5, mtime=0)
            headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        length = response.length if response.stream is not None else len(body)
        try:
            self.send_response(response.status)
            if response.status != 304:
                self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(length if response.status != 304 else 0))
            if response.etag:
                self.send_header("ETag", response.etag)
            if response.last_modified:
                self.send_header("Last-Modified", _http_date(response.last_modified))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            if method == "HEAD" or response.status == 304:
                return
            if response.stream is not None:
                for chunk in response.stream():
                    if web._stopping.is_set():
                        self.close_connection = True
                        return
                    self.wfile.write(chunk)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            self.close_connection = True


def _http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


def _conditional(response: Response, headers: object) -> Response:
    """304 Not Modified when If-None-Match / If-Modified-Since match the response validators."""
    if response.status != 200 or not (response.etag or response.last_modified):
        return response
    get = headers.get  # type: ignore[attr-defined]
    inm = get("If-None-Match")
    if inm is not None:
        if response.etag is None:
            return response
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        if "*" in tags or response.etag in tags:
            return _not_modified(response)
        return response
    ims = get("If-Modified-Since")
    if ims and response.last_modified is not None:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return response
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        if int(response.last_modified.timestamp()) <= since.timestamp():
            return _not_modified(response)
    return response


def _not_modified(response: Response) -> Response:
    return Response(304, response.content_type, b"", etag=response.etag,
                    last_modified=response.last_modified)


class FixtureWeb:
    """A multi-host web of generated sites on loopback, for tests, the demo and benchmarks.

    ``hosts``: three or more distinct loopback addresses (127.0.0.x); the first three are an
    English news site, a Chinese news portal (GBK) and a bilingual blog; further hosts repeat those
    kinds without faults. ``port=0`` picks a port free on every host. ``week`` is the clock
    (0: archive only, 1 or 2). ``scale`` multiplies the articles per host. ``page_kb=(low, high)``
    pads article pages to that size range in KB. ``crawl_delay`` is the Chinese news host's
    robots.txt ``Crawl-delay`` in seconds (None: no such line). Use as a context manager or call
    :meth:`start` / :meth:`stop`.
    """

    def __init__(
        self,
        hosts: tuple[str, ...] = DEFAULT_HOSTS,
        port: int = 0,
        week: int = 1,
        scale: int = 1,
        seed: int = 0,
        page_kb: tuple[int, int] | None = None,
        crawl_delay: float | None = 1.0,
    ) -> None:
        self.world = World(tuple(hosts), scale=scale, seed=seed, page_kb=page_kb,
                           crawl_delay=crawl_delay)
        self.hosts: tuple[str, ...] = tuple(hosts)
        self.port: int = port
        self._week = 0
        self.set_week(week)
        self.requests: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self._faults = FaultState()
        self._stopping = threading.Event()
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self.router = Router(self.world, self.base_url, self._faults, self._stopping)

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind every host on one shared port and serve from daemon threads."""
        if self._servers:
            return self
        self._stopping.clear()
        self._servers = self._bind_all()
        self.port = self._servers[0].server_address[1]
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                      name=f"demoweb-{server.site_host}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _bind_all(self) -> list[_Server]:
        attempts = 1 if self.port else 50
        last_error: OSError | None = None
        for _ in range(attempts):
            servers: list[_Server] = []
            try:
                first = _Server(self.hosts[0], self.port, self)
                servers.append(first)
                port = first.server_address[1]
                for host in self.hosts[1:]:
                    servers.append(_Server(host, port, self))
                return servers
            except OSError as error:
                last_error = error
                for server in servers:
                    server.server_close()
        raise OSError(f"demoweb: cannot bind {self.hosts} on port {self.port}: {last_error}")

    def stop(self) -> None:
        """Stop serving: aborts slow and streaming responses and closes open connections."""
        self._stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
            with server.connections_lock:
                open_connections = list(server.connections)
            for conn in open_connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers, self._threads = [], []

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- clock, log, faults -------------------------------------------------------------------

    @property
    def week(self) -> int:
        """The current week of the clock."""
        return self._week

    def set_week(self, week: int) -> None:
        """Move the clock: week 2 publishes the second week's articles (feeds, sitemaps, home
        pages follow). Week 0 shows the archive only."""
        if week != 0 and week not in WEEKS:
            raise ValueError(f"week must be 0 or one of {WEEKS}")
        self._week = week

    def _route(self, host: str, target: str) -> Response:
        return self.router.route(self.world.by_host[host], target, self._week)

    def _log(self, host: str, path: str, method: str, status: int, headers: object) -> None:
        entry = LoggedRequest(host, path, method, status, dict(headers.items()),  # type: ignore
                              time.time())
        with self._log_lock:
            self.requests.append(entry)

    def clear_log(self) -> None:
        """Forget all logged requests."""
        with self._log_lock:
            self.requests.clear()

    def reset_faults(self) -> None:
        """Reset fault counters: the 500-then-ok article fails once more, the churn restarts."""
        self._faults.reset()

    def request_count(self, path: str, host: str | None = None, method: str | None = None) -> int:
        """How many logged requests hit ``path`` (exact path with query, or a full URL)."""
        if path.startswith("http://"):
            rest = path[len("http://"):]
            host_port, _, tail = rest.partition("/")
            host, path = host_port.split(":")[0], "/" + tail
        with self._log_lock:
            entries = list(self.requests)
        return sum(1 for r in entries if r.path == path and (host is None or r.host == host)
                   and (method is None or r.method == method))

    # -- addresses and ground truth -----------------------------------------------------------

    def base_url(self, host: str) -> str:
        """``http://host:port`` for one of the hosts."""
        return f"http://{host}:{self.port}"

    def _expected(self, article: Article) -> ExpectedArticle:
        url = self.base_url(article.site.host) + article.path
        original = (self.base_url(article.original.site.host) + article.original.path
                    if article.original else None)
        linked = self.world.linked_from(article, max(self._week, article.week))
        return ExpectedArticle(
            id=article.id, host=article.site.host, path=article.path, url=url,
            language=article.lang, on_topic=article.on_topic, week=article.week,
            published=article.published, title=article.title, reachable=bool(linked),
            allowed=article.kind != "private", syndicated_of=original,
            encoding=article.encoding, fault=article.fault, topic=article.topic,
            author=article.author.name, canonical=original or url,
            updated=article.updated_at(self._week), kind=article.kind, linked_from=linked,
        )

    def expected_articles(self, week: int | None = None) -> list[ExpectedArticle]:
        """Ground truth. ``week=None``: every article visible now (archive and weeks up to the
        clock); ``week=N``: the articles published in week N (0 = archive). Sorted by host then
        publication time. Flags describe the web at the current clock; articles of a later week
        are described as they will be once the clock reaches their week."""
        out = []
        for site in self.world.sites:
            for article in site.articles:
                if week is None and article.week > self._week:
                    continue
                if week is not None and article.week != week:
                    continue
                out.append(self._expected(article))
        return out

    def article_text(self, article: str | ExpectedArticle) -> str:
        """The true body text of an article (paragraphs separated by blank lines), by id, URL or
        ExpectedArticle. Boilerplate (ads, "read more" links, comments) is not part of it."""
        key = article.id if isinstance(article, ExpectedArticle) else article
        found = self.world.by_id.get(key)
        if found is None:
            for site in self.world.sites:
                base = self.base_url(site.host)
                if key.startswith(base):
                    found = site.by_path.get(key[len(base):].split("?")[0])
        if found is None:
            raise KeyError(key)
        return "\n\n".join(self.world.composition(found).paragraphs)

    def fault_urls(self) -> dict[str, str]:
        """Absolute URLs of the deliberate faults, by name."""
        sites = {s.kind: s for s in self.world.sites if s.faults}
        a, b, c = sites["news-en"], sites["news-zh"], sites["blog"]
        out = {
            "robots-disallowed": self.base_url(a.host) + "/private/",
            "redirect-loop": self.base_url(a.host) + "/loop/a",
            "pdf": self.base_url(a.host) + "/files/gpt-4o-briefing-2026.pdf",
            "malformed-feed": self.base_url(a.host) + "/feeds/sport.xml",
            "404-in-sitemap": self.base_url(a.host) + a.withdrawn_path,
            "404": self.base_url(b.host) + b.missing_path,
            "404-blog": self.base_url(c.host) + c.missing_path,
            "binary-as-html": self.base_url(b.host) + "/news/report-2026.html",
            "disallowed-search": self.base_url(b.host) + "/search/?q=GPT-4o",
            "unadvertised-feed": self.base_url(b.host) + "/atom.xml",
            "guid-churn-feed": self.base_url(c.host) + "/feed.xml",
            "malformed-sitemap": self.base_url(c.host) + "/sitemap-legacy.xml",
        }
        for site in (a, b, c):
            for article in site.articles:
                if article.fault:
                    out[article.fault] = self.base_url(site.host) + article.path
        return out

    def non_article_urls(self) -> list[str]:
        """Home, section, tag, author and static pages: listing pages a crawler must not store."""
        out = []
        for site in self.world.sites:
            base = self.base_url(site.host)
            out.append(base + "/")
            out += [f"{base}/{slug}/" for slug in site.sections]
            out += [f"{base}/tag/{slug}/" for slug in TAGS]
            out += [f"{base}/author/{a.slug}/" for g in site.authors.values() for a in g]
            out += [f"{base}/about/", f"{base}/contact/", f"{base}/privacy/"]
        return out

    def topic_toml(self, name: str = "GPT-4o Demo") -> str:
        """A seedwire topic file (TOML) pointing at every host of this web."""
        keywords = ('{ "GPT-4o" = 3.0, "OpenAI" = 2.0, "多模态" = 2.0, "图像生成" = 2.0, '
                    '"multimodal" = 1.5, "image generation" = 1.5, "ChatGPT" = 1.0, '
                    '"语音" = 1.0 }')
        lines = ["[topic]", f"name = {_toml_str(name)}", 'languages = ["zh", "en"]',
                 f"keywords = {keywords}", "exclude = []", ""]
        for site in self.world.sites:
            lines += ["[[sources]]", f'site = "{self.base_url(site.host)}/"',
                      "feeds = []", "sitemaps = []", ""]
        for article in self._cited():
            lines += ["[[cite]]", f'url = "{self.base_url(article.site.host)}{article.path}"',
                      f"title = {_toml_str(article.title)}",
                      f'date = "{article.published.date().isoformat()}"', ""]
        return "\n".join(lines)

    def _cited(self) -> list[Article]:
        """One on-topic archive article from each news site: the pages a topic file cites."""
        out = []
        for site in self.world.sites:
            if site.faults and site.kind in ("news-en", "news-zh"):
                out.append(next(a for a in site.articles if a.week == 0 and a.on_topic))
        return out


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
