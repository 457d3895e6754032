"""Request routing of the fixture web: which bytes each (host, path) answers, faults included."""

from __future__ import annotations

import gzip
import hashlib
import math
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlsplit

from .catalog import TAGS
from .feeds import FeedWriter
from .pages import COMMENTS_END, Renderer, esc
from .world import PAGE_SIZE, TZ, Article, Site, World

HUGE_BYTES = 30 * 1024 * 1024
SLOW_SECONDS = 30.0
STATIC = {
    "/static/site.css": ("text/css; charset=utf-8",
                         b"body{font-family:sans-serif;max-width:60rem;margin:auto}\n"),
    "/static/app.js": ("application/javascript; charset=utf-8",
                       b"document.documentElement.classList.add('js');\n"),
}
STATIC_PAGES = {
    "about": ("About us", "关于我们"), "contact": ("Contact", "联系方式"),
    "privacy": ("Privacy policy", "隐私政策"), "terms": ("Terms of use", "使用条款"),
    "copyright": ("Copyright", "版权声明"), "subscribe": ("Subscribe", "订阅"),
    "app": ("Apps", "客户端下载"),
}


@dataclass
class Response:
    """What the server sends: status, content type, body (or a stream), validators, delay."""

    status: int
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    stream: Callable[[], Iterator[bytes]] | None = None
    length: int | None = None
    delay: float = 0.0
    etag: str | None = None
    last_modified: datetime | None = None
    compressible: bool = True


class FaultState:
    """Per-process fault counters (500-then-ok hits, the GUID-churning feed's request count)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.hits: Counter[tuple[str, str]] = Counter()
        self.churn = 0

    def hit(self, host: str, path: str) -> int:
        """Count a request to a faulty resource; returns how many there have been."""
        with self._lock:
            self.hits[(host, path)] += 1
            return self.hits[(host, path)]

    def next_churn(self) -> int:
        """A new value for every request to the churning feed."""
        with self._lock:
            self.churn += 1
            return self.churn

    def reset(self) -> None:
        """Forget all counts (the 500-then-ok article fails again once)."""
        with self._lock:
            self.hits.clear()
            self.churn = 0


def etag_of(body: bytes) -> str:
    """A strong ETag for ``body``."""
    return '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'


def _pdf() -> bytes:
    text = b"BT /F1 18 Tf 72 720 Td (GPT-4o briefing for newsrooms) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


class Router:
    """Maps a request on one site to a :class:`Response`."""

    def __init__(self, world: World, base_url: Callable[[str], str], state: FaultState,
                 stopping: threading.Event) -> None:
        self.world = world
        self.render = Renderer(world, base_url)
        self.feeds = FeedWriter(world, base_url, self.render.lead)
        self.base_url = base_url
        self.state = state
        self.stopping = stopping
        self._cache: dict[tuple, Response] = {}
        self._pdf = _pdf()
        self._binary = random.Random(20261110).randbytes(256 * 1024)

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _encoding(site: Site) -> str:
        return "gbk" if site.kind == "news-zh" else "utf-8"

    def _html(self, site: Site, page: str, status: int = 200, encoding: str | None = None,
              header_charset: str | None = "", last_modified: datetime | None = None) -> Response:
        encoding = encoding or self._encoding(site)
        charset = encoding if header_charset == "" else header_charset
        ctype = f"text/html; charset={charset}" if charset else "text/html"
        body = page.encode(encoding, "xmlcharrefreplace")
        return Response(status, ctype, body, last_modified=last_modified)

    def _doc(self, key: tuple, make: Callable[[], tuple[bytes, str, datetime | None]]
             ) -> Response:
        """A cached feed or sitemap with ETag and Last-Modified."""
        response = self._cache.get(key)
        if response is None:
            body, ctype, modified = make()
            response = Response(200, ctype, body, etag=etag_of(body), last_modified=modified)
            self._cache[key] = response
        return response

    def not_found(self, site: Site, week: int, path: str) -> Response:
        """The HTML 404 page."""
        zh = site.lang == "zh"
        page = self.render.simple_page(
            site, week, "页面不存在" if zh else "Page not found",
            ["您访问的页面不存在或已被删除。" if zh else
             f"Sorry, nothing lives at <code>{esc(path)}</code>. It may have moved or been "
             "removed.", '<a href="/">' + ("返回首页" if zh else "Back to the home page") + "</a>"],
            "error-page")
        return self._html(site, page, 404)

    def _error(self, site: Site, week: int, status: int) -> Response:
        page = self.render.simple_page(site, week, f"Error {status}",
                                       ["Something went wrong. Please try again later."],
                                       "error-page")
        return self._html(site, page, status)

    @staticmethod
    def _redirect(location: str, status: int = 301) -> Response:
        body = f'<a href="{esc(location)}">Moved</a>'.encode()
        return Response(status, "text/html; charset=utf-8", body,
                        headers=[("Location", location)])

    @staticmethod
    def _page_number(query: dict[str, list[str]]) -> int:
        try:
            return max(1, int(query.get("page", ["1"])[0]))
        except ValueError:
            return 1

    # -- dispatch -----------------------------------------------------------------------------

    def route(self, site: Site, target: str, week: int) -> Response:
        """Answer a GET (HEAD is the same without the body) for ``target`` on ``site``."""
        parts = urlsplit(target)
        path = unquote(parts.path) or "/"
        query = parse_qs(parts.query)
        article = site.by_path.get(path)
        if article is not None:
            if article.week > week:
                return self.not_found(site, week, path)
            return self.article(article, week)
        handler = {"news-en": self._news_en, "news-zh": self._news_zh, "blog": self._blog}
        response = handler[site.kind](site, path, query, week)
        if response is None:
            response = self._common(site, path, query, week)
        if response is None and not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
            probe = self._common(site, path + "/", query, week) or handler[site.kind](
                site, path + "/", query, week)
            if probe is not None and probe.status == 200:
                return self._redirect(path + "/")
        return response or self.not_found(site, week, path)

    def article(self, article: Article, week: int) -> Response:
        """An article page, with its fault if it has one."""
        site = article.site
        if article.fault == "500-then-ok" and self.state.hit(site.host, article.path) == 1:
            return self._error(site, week, 500)
        if article.fault == "huge":
            return self._huge(article, week)
        page = self.render.article_page(article, week, article.encoding)
        response = self._html(site, page, encoding=article.encoding,
                              header_charset=article.header_charset,
                              last_modified=article.modified_at(week))
        if article.fault == "slow":
            response.delay = SLOW_SECONDS
        return response

    def _huge(self, article: Article, week: int) -> Response:
        """~30 MB of HTML: a normal article followed by an enormous comment thread, streamed."""
        page = self.render.article_page(article, week, "utf-8")
        head_text, tail_text = page.split(COMMENTS_END, 1)
        head, tail = head_text.encode(), (COMMENTS_END + tail_text).encode()
        block = self.render.comment_thread(article, random.Random(article.seed), count=200).encode()
        count = math.ceil((HUGE_BYTES - len(head) - len(tail)) / len(block))
        stopping = self.stopping

        def stream() -> Iterator[bytes]:
            yield head
            for _ in range(count):
                if stopping.is_set():
                    return
                yield block
            yield tail

        return Response(200, "text/html; charset=utf-8", stream=stream,
                        length=len(head) + count * len(block) + len(tail),
                        last_modified=article.published, compressible=False)

    def _listing(self, site: Site, week: int, heading: str, items: list[Article],
                 query: dict[str, list[str]], base: str, extra: str = "",
                 page: int | None = None, page_url: Callable[[int], str] | None = None
                 ) -> Response | None:
        page = page or self._page_number(query)
        pages = max(1, math.ceil(len(items) / PAGE_SIZE))
        if page > pages:
            return None
        chunk = items[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        url = page_url or (lambda n: base if n == 1 else f"{base}?page={n}")
        return self._html(site, self.render.listing_page(site, week, heading, chunk, page, url,
                                                         pages, extra))

    def _home(self, site: Site, week: int, extra: str) -> Response:
        items = self.world.listed(site, week)[:20]
        heading = site.name
        page = self.render.listing_page(site, week, heading, items, 1, lambda n: "/", 1, extra)
        return self._html(site, page)

    def _common(self, site: Site, path: str, query: dict[str, list[str]], week: int
                ) -> Response | None:
        if path == "/robots.txt":
            return Response(200, "text/plain; charset=utf-8", self.feeds.robots(site).encode())
        if path in STATIC:
            ctype, body = STATIC[path]
            return Response(200, ctype, body)
        parts = [p for p in path.split("/") if p]
        if len(parts) == 1 and path.endswith("/") and parts[0] in STATIC_PAGES:
            en, zh = STATIC_PAGES[parts[0]]
            title = zh if site.lang == "zh" else en
            text = (f"{site.name}是一家虚构的示例网站，内容由程序生成。" if site.lang == "zh" else
                    f"{esc(site.name)} is a fictional demonstration site with generated content.")
            return self._html(site, self.render.simple_page(site, week, title, [text]))
        if len(parts) == 2 and path.endswith("/") and parts[0] == "tag" and parts[1] in TAGS:
            items = self.world.listing(site, week, "tag", parts[1])
            label = TAGS[parts[1]][site.lang]
            heading = f"标签：{label}" if site.lang == "zh" else f"Topic: {label}"
            return self._listing(site, week, heading, items, query, path)
        if len(parts) == 2 and path.endswith("/") and parts[0] == "author":
            author = site.author(parts[1])
            if author is None:
                return None
            items = self.world.listing(site, week, "author", author.slug)
            return self._listing(site, week, author.name, items, query, path)
        if len(parts) == 1 and path.endswith("/") and parts[0] in site.sections:
            section = site.sections[parts[0]]
            items = self.world.listing(site, week, "section", section.slug)
            return self._listing(site, week, section.title, items, query, path)
        return None

    # -- per kind of site ---------------------------------------------------------------------

    def _news_en(self, site: Site, path: str, query: dict[str, list[str]], week: int
                 ) -> Response | None:
        if path == "/":
            extra = ""
            if site.faults:
                private = "".join(f'<li><a href="{a.path}">{esc(a.title)}</a></li>'
                                  for a in self.world.private(site, week))
                extra = ('<section class="members"><h2>Members only</h2>'
                         f'<ul class="members-list">{private}</ul></section>'
                         '<section class="downloads"><h2>Downloads</h2><ul><li><a href="/files/'
                         'gpt-4o-briefing-2026.pdf">GPT-4o briefing for newsrooms (PDF)</a></li>'
                         '</ul></section><section class="live"><h2>Live</h2><ul><li><a href="'
                         '/loop/a">Live blog: OpenAI developer event</a></li></ul></section>')
            return self._home(site, week, extra)
        if path == "/rss.xml" or (path == "/feeds/sport.xml" and site.faults):
            def make() -> tuple[bytes, str, datetime | None]:
                doc = self.feeds.rss2(site, week, path)
                if path == "/feeds/sport.xml":
                    doc = self.feeds.truncated(doc)
                modified = self.feeds.last_modified(self.world.feed_items(site, week), week)
                return doc.encode(), "application/rss+xml; charset=utf-8", modified
            return self._doc((site.index, week, path), make)
        if path == "/sitemap-index.xml":
            def make_index() -> tuple[bytes, str, datetime | None]:
                chunks = self.feeds.sitemap_chunks(site, week)
                entries = [(self._chunk_path(site, i), self.feeds.last_modified(c, week))
                           for i, c in enumerate(chunks)]
                doc = self.feeds.sitemap_index(site, entries)
                return doc.encode(), "application/xml; charset=utf-8", max(e[1] for e in entries)
            return self._doc((site.index, week, path), make_index)
        if path.startswith("/sitemap-articles") and path.endswith(".xml.gz"):
            chunks = self.feeds.sitemap_chunks(site, week)
            for i, chunk in enumerate(chunks):
                if self._chunk_path(site, i) == path:
                    def make_chunk(chunk: list[Article] = chunk, i: int = i
                                   ) -> tuple[bytes, str, datetime | None]:
                        extra = []
                        if i == 0 and site.faults and site.withdrawn_path:
                            extra = [(site.withdrawn_path, datetime(2026, 11, 11, 9, 0, tzinfo=TZ))]
                        doc = self.feeds.urlset(site, week, chunk, extra)
                        return (gzip.compress(doc.encode(), mtime=0), "application/x-gzip",
                                self.feeds.last_modified(chunk, week))
                    response = self._doc((site.index, week, path), make_chunk)
                    response.compressible = False
                    return response
            return None
        if path == "/sitemap-news.xml":
            def make_news() -> tuple[bytes, str, datetime | None]:
                doc = self.feeds.news_sitemap(site, week)
                return (doc.encode(), "application/xml; charset=utf-8",
                        self.feeds.last_modified(self.world.listed(site, week)[:1], week))
            return self._doc((site.index, week, path), make_news)
        if site.faults:
            if path == "/loop/a":
                return self._redirect("/loop/b", 302)
            if path == "/loop/b":
                return self._redirect("/loop/a", 302)
            if path == "/files/gpt-4o-briefing-2026.pdf":
                return Response(200, "application/pdf", self._pdf, compressible=False)
        return None

    @staticmethod
    def _chunk_path(site: Site, index: int) -> str:
        if site.kind == "news-en":
            return "/sitemap-articles.xml.gz" if index == 0 else \
                f"/sitemap-articles-{index + 1}.xml.gz"
        return f"/sitemaps/articles-{index + 1}.xml"

    def _news_zh(self, site: Site, path: str, query: dict[str, list[str]], week: int
                 ) -> Response | None:
        if path == "/":
            extra = ""
            if site.faults:
                extra = ('<div class="hot-search">热门搜索：<a href="/search/?q=GPT-4o">GPT-4o</a> '
                         '<a href="/search/?q=%E5%A4%9A%E6%A8%A1%E6%80%81">多模态</a></div>'
                         '<div class="downloads"><a href="/news/report-2026.html">2026年度数字经济'
                         f'报告全文</a></div><div class="more"><a href="{site.missing_path}">'
                         "GPT-4o多模态开发者大会回顾</a></div>")
            return self._home(site, week, extra)
        if path == "/index.rdf":
            def make() -> tuple[bytes, str, datetime | None]:
                doc = self.feeds.rss1(site, week, path)
                modified = self.feeds.last_modified(self.world.feed_items(site, week), week)
                return doc.encode("gbk", "xmlcharrefreplace"), "application/rss+xml", modified
            return self._doc((site.index, week, path), make)
        if path == "/atom.xml":
            def make_atom() -> tuple[bytes, str, datetime | None]:
                doc = self.feeds.atom(site, week, path)
                items = self.world.feed_items(site, week, flash=True)
                return (doc.encode(), "application/atom+xml; charset=utf-8",
                        self.feeds.last_modified(items, week))
            return self._doc((site.index, week, path), make_atom)
        if path == "/sitemap.xml":
            def make_index() -> tuple[bytes, str, datetime | None]:
                chunks = self.feeds.sitemap_chunks(site, week)
                entries = [(self._chunk_path(site, i), self.feeds.last_modified(c, week))
                           for i, c in enumerate(chunks)]
                doc = self.feeds.sitemap_index(site, entries)
                return doc.encode(), "application/xml; charset=utf-8", max(e[1] for e in entries)
            return self._doc((site.index, week, path), make_index)
        if path.startswith("/sitemaps/articles-"):
            chunks = self.feeds.sitemap_chunks(site, week)
            for i, chunk in enumerate(chunks):
                if self._chunk_path(site, i) == path:
                    def make_chunk(chunk: list[Article] = chunk
                                   ) -> tuple[bytes, str, datetime | None]:
                        doc = self.feeds.urlset(site, week, chunk)
                        return (doc.encode(), "application/xml; charset=utf-8",
                                self.feeds.last_modified(chunk, week))
                    return self._doc((site.index, week, path), make_chunk)
            return None
        if path == "/search/":
            q = esc(query.get("q", [""])[0])
            return self._html(site, self.render.simple_page(site, week, "搜索结果",
                                                            [f"没有找到与“{q}”相关的结果。"]))
        if site.faults and path == "/news/report-2026.html":
            return Response(200, "text/html", self._binary, compressible=False)
        return None

    def _blog(self, site: Site, path: str, query: dict[str, list[str]], week: int
              ) -> Response | None:
        items = self.world.listed(site, week)
        if path == "/" or (path.startswith("/page/") and path.endswith("/")):
            try:
                page = 1 if path == "/" else int(path.split("/")[2])
            except ValueError:
                return None
            if path == "/page/1/":
                return self._redirect("/")
            extra = ""
            if site.faults:
                others = [s for s in self.world.sites if s is not site and s.faults]
                roll = "".join(f'<li><a href="{self.base_url(s.host)}/">{esc(s.name)}</a></li>'
                               for s in others)
                extra = (f'<aside class="blogroll"><h2>Blogroll 友情链接</h2><ul>{roll}</ul>'
                         f'</aside><aside class="old"><a href="{site.missing_path}">An older note '
                         "on voice interfaces</a></aside>")
            return self._listing(site, week, site.name, items, query, "/", extra, page,
                                 lambda n: "/" if n == 1 else f"/page/{n}/")
        if path == "/feed.xml":
            if site.faults:
                doc = self.feeds.rss2(site, week, path, churn=self.state.next_churn())
                return Response(200, "application/rss+xml; charset=utf-8", doc.encode(),
                                headers=[("Cache-Control", "no-cache")])

            def make() -> tuple[bytes, str, datetime | None]:
                doc = self.feeds.rss2(site, week, path)
                return (doc.encode(), "application/rss+xml; charset=utf-8",
                        self.feeds.last_modified(self.world.feed_items(site, week), week))
            return self._doc((site.index, week, path), make)
        if path == "/feed.json":
            def make_json() -> tuple[bytes, str, datetime | None]:
                doc = self.feeds.json_feed(site, week, path)
                return (doc.encode(), "application/feed+json; charset=utf-8",
                        self.feeds.last_modified(self.world.feed_items(site, week), week))
            return self._doc((site.index, week, path), make_json)
        if path == "/sitemap.xml":
            def make_sitemap() -> tuple[bytes, str, datetime | None]:
                doc = self.feeds.urlset(site, week, list(reversed(items)))
                return (doc.encode(), "application/xml; charset=utf-8",
                        self.feeds.last_modified(items[:1], week))
            return self._doc((site.index, week, path), make_sitemap)
        if path == "/sitemap-legacy.xml" and site.faults:
            def make_legacy() -> tuple[bytes, str, datetime | None]:
                archive = [a for a in reversed(items) if a.week == 0]
                doc = self.feeds.truncated(self.feeds.urlset(site, week, archive))
                return doc.encode(), "application/xml; charset=utf-8", None
            return self._doc((site.index, week, path), make_legacy)
        return None
