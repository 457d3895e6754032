"""`scrapy crawl sources`: watch every source the seeds cite for new articles.

Arguments (``-a``): ``topic=NAME`` (only that topic's sources), ``source=HOST``,
``since=YYYY-MM-DD`` (skip listed articles dated before), ``max_pages=N`` (page budget per
source). Settings (``-s``): ``SEEDWIRE_DB``, ``SEEDWIRE_SEEDS_DIR``, ``SEEDWIRE_NOW`` and the
Scrapy ones. ``-O items.jsonl`` exports the articles stored by this run.

Per source: robots.txt (its ``Sitemap:`` lines, its ``Crawl-delay``) → sitemap indexes,
gzipped and news sitemaps; feeds declared in the seeds, found through ``<link rel=alternate>``
or at common paths; the home page, section pages and cited pages, following same-site links
to ``crawl.depth``. Every candidate is checked against the store *before* it is requested.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import scrapy
from scrapy import Request, signals
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler import store
from crawler.discover import (
    COMMON_FEED_PATHS,
    FEED_TYPES,
    Candidate,
    DiscoveryError,
    parse_date,
    parse_feed,
    parse_sitemap,
    sitemap_body,
)
from crawler.items import PageItem
from crawler.urls import is_feed_url, looks_like_article, normalize_url, same_site

logger = logging.getLogger(__name__)

PRIORITY_LISTING = 20   # robots, feeds, sitemaps first: they tell us what to fetch
PRIORITY_PAGE = 10
PRIORITY_ARTICLE = 0
PROBE_AGAIN = timedelta(days=30)
# failures that another try will not fix (others are retried later with a growing pause)
PERMANENT_FAILURES = {"http_404", "http_410", "too_large", "redirect_loop", "private_address"}


@dataclass
class SourceState:
    """One source during one crawl: its budget and what it has asked for."""

    site: str
    host: str
    budget: int
    watermark: datetime | None
    requested: int = 0
    found_feeds: set[str] = field(default_factory=set)
    found_sitemaps: set[str] = field(default_factory=set)
    known_feeds: set[str] = field(default_factory=set)
    probed: bool = False      # this crawl probes the common feed paths

    def spend(self) -> bool:
        if self.requested >= self.budget:
            return False
        self.requested += 1
        return True


def _parse_now(value: str) -> datetime:
    if not value:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SourcesSpider(scrapy.Spider):
    name = "sources"

    def __init__(
        self,
        topic: str | None = None,
        source: str | None = None,
        since: str | None = None,
        max_pages: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.topic_filter = topic
        self.source_filter = source
        try:
            self.since: date | None = date.fromisoformat(since) if since else None
        except ValueError as exc:
            raise ValueError(f"-a since={since!r}: expected YYYY-MM-DD") from exc
        self.max_pages = int(max_pages) if max_pages else None
        self.states: dict[str, SourceState] = {}
        self.seen: set[str] = set()
        self.validators: dict[str, dict[str, Any]] = {}
        self.db: Any = None
        self.checkpointer: store.Checkpointer | None = None
        self.run_id: int | None = None
        self.profiles: list[tuple[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourcesSpider:
        if cls is SourcesSpider and crawler.settings.get("SEEDWIRE_REDIS_URL"):
            from crawler.scale.worker import WorkerSpider  # one of many workers (Redis)

            return WorkerSpider.from_crawler(crawler, *args, **kwargs)
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.now = _parse_now(settings.get("SEEDWIRE_NOW", ""))
        spider.depth = settings.getint("SEEDWIRE_DEPTH", 2)
        spider.margin = timedelta(hours=settings.getint("SEEDWIRE_LASTMOD_MARGIN_HOURS", 48))
        spider.budget = spider.max_pages or settings.getint("SEEDWIRE_MAX_PAGES_PER_SOURCE", 500)
        spider.max_size = settings.getint("DOWNLOAD_MAXSIZE")
        spider.db = spider.open_store()
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider.closed_ok, signal=signals.spider_closed)
        return spider

    # --- what the crawl reads from and writes to the store (a scale-out worker: Redis) ------

    def open_store(self) -> Any:
        db = store.open_db(self.settings.get("SEEDWIRE_DB"))
        self.checkpointer = store.Checkpointer(db).start()  # WAL checkpoints off the reactor
        return db

    def known_urls(self, keys: list[str]) -> set[str]:
        """The normalised URLs that need no fetch (stored, or failed and not due again)."""
        return store.known_urls(self.db, keys, now=self.now)

    def get_validator(self, url: str) -> dict[str, Any] | None:
        return store.get_validator(self.db, url)

    def record_failure(self, key: str, kind: str, *, permanent: bool) -> None:
        store.record_reject(self.db, key, kind, self.now, transient=not permanent)

    def new_state(self, row: dict[str, Any]) -> SourceState:
        state = SourceState(site=row["site"], host=row["host"], budget=self.budget,
                            watermark=parse_date(row["watermark"]))
        state.known_feeds = set(row["feeds"]) | set(row["found_feeds"])
        return state

    # --- start ------------------------------------------------------------------------------

    def load_sources(self) -> list[dict[str, Any]]:
        """Re-read the seeds (a new seed counts from this crawl on), then pick the sources."""
        from crawler.relevance import TopicProfile, enrich_keywords
        from crawler.seeds import load_seeds
        from crawler.text import release_tables

        seeds_dir = Path(self.settings.get("SEEDWIRE_SEEDS_DIR"))
        if seeds_dir.is_dir():
            seedset = load_seeds(seeds_dir)
            for problem in seedset.problems:
                log = logger.error if problem.level == "error" else logger.warning
                log("seed %s", problem)
            store.sync_seeds(self.db, seedset, self.now)
        else:
            logger.error("seed folder %s does not exist; using the stored topics", seeds_dir)
        for topic in store.list_topics(self.db):
            keywords = enrich_keywords(topic["keywords"], store.cited_texts(self.db, topic["slug"]))
            profile = TopicProfile.from_terms(
                topic["name"], keywords, topic["exclude"], topic["threshold"]
            )
            self.profiles.append((topic["slug"], profile))
        release_tables()  # the segmenter's tables are not needed again in this process
        sources = store.list_sources(self.db, topic=self.topic_filter, host=self.source_filter)
        if not sources:
            logger.warning("no sources to crawl (topic=%s, source=%s)",
                           self.topic_filter, self.source_filter)
        return sources

    async def start(self) -> AsyncIterator[Request]:
        for row in self.load_sources():
            state = self.new_state(row)
            self.states[row["site"]] = state
            for request in self.source_requests(state, row):
                yield request

    def source_requests(self, state: SourceState, row: dict[str, Any]) -> Iterator[Request]:
        for url in sorted(state.known_feeds):
            yield from self.listing_request(state, url, self.parse_feed)
        for url in sorted(set(row["sitemaps"]) | set(row["found_sitemaps"])):
            yield from self.listing_request(state, url, self.parse_sitemap)
        # probe until a crawl that probed has finished (a killed one may have lost the
        # answers), and again every PROBE_AGAIN (a site may add a feed at a common path)
        probed = parse_date(row.get("probed"))
        if probed is None or probed < self.now - PROBE_AGAIN:
            state.probed = True
            for path in COMMON_FEED_PATHS:
                yield from self.listing_request(
                    state, state.site.rstrip("/") + path, self.parse_feed, probe=True
                )
        yield from self.page_request(state, state.site, depth=0)
        keys = [normalize_url(u) for u in row["start_urls"]]
        known = self.known_urls(keys)
        for url, key in zip(row["start_urls"], keys, strict=True):
            if key in known:
                self.crawler.stats.inc_value("seedwire/skip/cited_known")
                continue
            yield from self.article_request(state, url, key, kind="cited")

    # --- requests ---------------------------------------------------------------------------

    def listing_request(
        self, state: SourceState, url: str, callback: Any, *, probe: bool = False
    ) -> Iterator[Request]:
        """A feed or sitemap, revalidated with ETag/Last-Modified from the last finished run."""
        key = normalize_url(url)
        if key in self.seen or not state.spend():
            return
        self.seen.add(key)
        headers = {}
        validator = self.get_validator(url)
        if validator and validator.get("etag"):
            headers["If-None-Match"] = validator["etag"]
        if validator and validator.get("last_modified"):
            headers["If-Modified-Since"] = validator["last_modified"]
        yield Request(
            url, callback=callback, errback=self.on_error, headers=headers,
            priority=PRIORITY_LISTING,
            meta={"source": state.site, "probe": probe, "handle_httpstatus_list": [304]},
        )

    def page_request(self, state: SourceState, url: str, *, depth: int) -> Iterator[Request]:
        key = normalize_url(url)
        if key in self.seen or not state.spend():
            return
        self.seen.add(key)
        yield Request(url, callback=self.parse_page, errback=self.on_error,
                      priority=PRIORITY_PAGE - depth,
                      meta={"source": state.site, "depth": depth})

    def article_request(
        self, state: SourceState, url: str, key: str, *, kind: str = "article",
        listed: Candidate | None = None, depth: int = 0,
    ) -> Iterator[Request]:
        if key in self.seen:
            return
        if not state.spend():
            self.crawler.stats.inc_value("seedwire/skip/budget_exhausted")
            return
        self.seen.add(key)
        self.crawler.stats.inc_value(f"seedwire/requests/{kind}")
        yield Request(
            url, callback=self.parse_article, errback=self.on_error,
            priority=PRIORITY_ARTICLE,
            meta={
                "source": state.site, "key": key, "kind": kind, "depth": depth,
                "listed_published": listed.published.isoformat()
                if listed and listed.published and listed.via == "feed" else None,
                "listed_title": listed.title if listed else None,
            },
        )

    def candidates(
        self, state: SourceState, found: Iterable[Candidate], *, from_listing: bool
    ) -> Iterator[Request]:
        """Filter candidates (site, shape, date, store) before anything is requested."""
        stats = self.crawler.stats
        fresh: list[tuple[Candidate, str]] = []
        for candidate in found:
            url = candidate.url.strip()
            if not same_site(url, state.site):
                stats.inc_value("seedwire/skip/offsite")
                continue
            if not looks_like_article(url):
                if not from_listing:
                    continue
                stats.inc_value("seedwire/skip/not_article_url")
                continue
            if candidate.published and self.too_old(state, candidate.published):
                stats.inc_value("seedwire/skip/older_than_watermark")
                continue
            key = normalize_url(url)
            if key not in self.seen:
                fresh.append((candidate, key))
        known = self.known_urls([key for _, key in fresh])
        for candidate, key in fresh:
            if key in known:
                stats.inc_value("seedwire/skip/already_stored")
                continue
            yield from self.article_request(state, candidate.url, key, listed=candidate)

    def too_old(self, state: SourceState, published: datetime) -> bool:
        if self.since and published.date() < self.since:
            return True
        return bool(state.watermark and published < state.watermark - self.margin)

    # --- callbacks --------------------------------------------------------------------------

    def remember_validator(self, response: Response) -> None:
        etag = response.headers.get("ETag")
        modified = response.headers.get("Last-Modified")
        if etag or modified:
            self.validators[response.request.url if response.request else response.url] = {
                "etag": etag.decode("latin-1") if etag else None,
                "last_modified": modified.decode("latin-1") if modified else None,
                "status": response.status,
            }

    def parse_feed(self, response: Response) -> Iterator[Request]:
        state = self.states[response.meta["source"]]
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value("seedwire/listings/not_modified")
            return
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        try:
            entries, problem = parse_feed(response.body, content_type)
        except DiscoveryError as exc:
            if not response.meta.get("probe"):
                stats.inc_value("seedwire/errors/bad_feed")
                logger.warning("bad feed %s: %s", response.url, exc)
            return
        if problem:
            stats.inc_value("seedwire/errors/bad_feed_partly_read")
            logger.warning("broken feed %s (%d entries read): %s", response.url, len(entries),
                           problem)
        stats.inc_value("seedwire/listings/feeds")
        self.remember_validator(response)
        if response.meta.get("probe") or response.url not in state.known_feeds:
            state.found_feeds.add(response.url)
        yield from self.candidates(state, entries, from_listing=True)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        state = self.states[response.meta["source"]]
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value("seedwire/listings/not_modified")
            return
        try:
            kind, entries, problem = parse_sitemap(sitemap_body(response.body, self.max_size))
        except DiscoveryError as exc:
            stats.inc_value("seedwire/errors/bad_sitemap")
            logger.warning("bad sitemap %s: %s", response.url, exc)
            return
        if problem:
            stats.inc_value("seedwire/errors/bad_sitemap_partly_read")
            logger.warning("broken sitemap %s (%d entries read): %s", response.url, len(entries),
                           problem)
        stats.inc_value("seedwire/listings/sitemaps")
        self.remember_validator(response)
        state.found_sitemaps.add(response.request.url if response.request else response.url)
        if kind == "index":
            for entry in entries:
                if entry.published and self.too_old(state, entry.published):
                    stats.inc_value("seedwire/skip/sitemap_unchanged")
                    continue
                if same_site(entry.url, state.site):
                    yield from self.listing_request(state, entry.url, self.parse_sitemap)
            return
        yield from self.candidates(state, entries, from_listing=True)

    def page_links(self, response: TextResponse) -> tuple[list[str], list[str]]:
        """(feed URLs from <link rel=alternate>, same-document <a href> URLs)."""
        feeds = []
        for link in response.css('link[rel~="alternate"]'):
            kind = (link.attrib.get("type") or "").lower()
            href = link.attrib.get("href")
            if href and (kind in FEED_TYPES or is_feed_url(href)):
                feeds.append(response.urljoin(href))
        links = [response.urljoin(h) for h in response.css("a::attr(href)").getall()]
        return feeds, [u for u in links if u.startswith(("http://", "https://"))]

    def follow(self, response: TextResponse, state: SourceState, depth: int) -> Iterator[Request]:
        feeds, links = self.page_links(response)
        for feed in feeds:
            if same_site(feed, state.site) and feed not in state.known_feeds:
                state.known_feeds.add(feed)
                yield from self.listing_request(state, feed, self.parse_feed)
        articles = [Candidate(url=u) for u in links if looks_like_article(u)]
        yield from self.candidates(state, articles, from_listing=False)
        if depth >= self.depth:
            return
        for url in links:
            if same_site(url, state.site) and not looks_like_article(url) \
                    and not is_feed_url(url) and self.is_section(url):
                yield from self.page_request(state, url, depth=depth + 1)

    @staticmethod
    def is_section(url: str) -> bool:
        """Listing pages worth following (not login, assets, search or media)."""
        from crawler.urls import classify_url

        lowered = url.lower()
        blocked = ("login", "logout", "signin", "signup", "register", "search", "/cart",
                   "/account", "javascript:", "mailto:")
        return classify_url(url) == "article" and not any(b in lowered for b in blocked)

    def parse_page(self, response: Response) -> Iterator[Request]:
        state = self.states[response.meta["source"]]
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("seedwire/errors/not_html")
            return
        self.crawler.stats.inc_value("seedwire/pages/listing")
        yield from self.follow(response, state, response.meta.get("depth", 0))

    def parse_article(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        state = self.states[meta["source"]]
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        yield PageItem(
            url=response.url, key=meta["key"], body=response.body, content_type=content_type,
            source=state.site, kind=meta.get("kind", "article"),
            listed_published=meta.get("listed_published"), listed_title=meta.get("listed_title"),
        )
        if meta.get("kind") == "cited" and isinstance(response, TextResponse):
            yield from self.follow(response, state, meta.get("depth", 0))

    def on_error(self, failure: Failure) -> None:
        """Count every failed request by kind; probes for feeds that do not exist are quiet."""
        request = failure.request if hasattr(failure, "request") else None
        meta = request.meta if request is not None else {}
        kind = error_kind(failure)
        if meta.get("probe") and kind.startswith("http_4"):
            self.crawler.stats.inc_value("seedwire/listings/probe_miss")
            return
        self.crawler.stats.inc_value(f"seedwire/errors/{kind}")
        logger.warning("failed %s: %s", request.url if request else "?", kind)
        if meta.get("key") and kind != "robots_forbidden":
            self.record_failure(meta["key"], kind, permanent=kind in PERMANENT_FAILURES)

    # --- robots.txt and the end -------------------------------------------------------------

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        """Sitemaps listed in robots.txt are fetched like declared ones."""
        state = self.state_for(request.url)
        inner = getattr(robotparser, "rp", None)
        sitemaps = list(getattr(inner, "sitemaps", []) or [])
        if state is None or not sitemaps:
            return
        assert self.crawler.engine is not None
        for url in sitemaps:
            if same_site(url, state.site):
                for sitemap_request in self.listing_request(state, url, self.parse_sitemap):
                    self.crawler.engine.crawl(sitemap_request)

    def state_for(self, url: str) -> SourceState | None:
        for state in self.states.values():
            if same_site(url, state.site):
                return state
        return None

    def closed_ok(self, spider: scrapy.Spider, reason: str) -> None:
        """Keep discoveries; keep validators only after a finished run (a killed run refetches)."""
        for state in self.states.values():
            store.record_discovery(self.db, state.site, feeds=sorted(state.found_feeds),
                                   sitemaps=sorted(state.found_sitemaps))
            store.mark_crawled(self.db, state.site, self.now)
        if reason == "finished":
            store.refresh_watermarks(self.db, list(self.states))
            store.mark_probed(self.db, [s.site for s in self.states.values() if s.probed],
                              self.now)
            for url, value in self.validators.items():
                store.set_validator(self.db, url, etag=value["etag"],
                                    last_modified=value["last_modified"],
                                    status=value["status"], now=self.now)
        if self.checkpointer is not None:
            self.checkpointer.stop()


def error_kind(failure: Failure) -> str:
    """A short stable name for a failed request: http_404, timeout, dns, too_large, …"""
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError

    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, DNSLookupError):
        return "dns"
    if isinstance(exc, (TimeoutError, TCPTimedOutError)) or "Timeout" in type(exc).__name__:
        return "timeout"
    text = str(exc).lower()
    if "maxsize" in text or "max size" in text or "cancel" in type(exc).__name__.lower():
        return "too_large"
    if "redirect" in text:
        return "redirect_loop"
    if "robots" in text:
        return "robots_forbidden"
    if "private address" in text:
        return "private_address"
    return type(exc).__name__.lower()
