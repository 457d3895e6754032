"""A crawl worker: the sources spider reading and writing Redis instead of SQLite.

``scrapy crawl sources`` with ``SEEDWIRE_REDIS_URL`` set builds a :class:`WorkerSpider`: the same
discovery and callbacks, but

* sources and topic profiles come from ``seedwire:sources`` (published by the writer), and
  "already stored?" is asked of ``seedwire:known`` / ``seedwire:rejects`` before a request;
* requests go to the generation's shared queue; candidates any worker already queued are
  skipped before they are requested (the shared seen-set), and the per-source page budget is
  counted in Redis;
* the pipeline (:class:`OutboxPipeline`) extracts, fingerprints and scores in the worker's
  process pool as usual, then queues the result for the writer instead of touching SQLite;
* an idle worker stays open while another live worker is busy (it may still queue requests).

Nothing here needs the database file: a worker runs on any machine that reaches Redis and the
sources.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider

from crawler.items import PageItem
from crawler.pipelines import ArticlePipeline
from crawler.runs import summarize_stats
from crawler.scale import messages
from crawler.scale.frontier import Frontier
from crawler.scale.keys import KNOWN, OUTBOX, REJECTS, SOURCES, VALIDATORS, connect, redact
from crawler.spiders.sources import SourcesSpider, SourceState

logger = logging.getLogger(__name__)

PUBLISHED_VERSION = 1
CHUNK = 1000


def read_published(server: Any) -> dict[str, Any] | None:
    """The writer's ``seedwire:sources`` document, or None when nothing was published."""
    raw = server.get(SOURCES)
    if raw is None:
        return None
    data = json.loads(raw)
    if data.get("v") != PUBLISHED_VERSION:
        raise ValueError(f"{SOURCES}: version {data.get('v')!r}, this worker reads "
                         f"{PUBLISHED_VERSION}")
    return data


@dataclass
class SharedSourceState(SourceState):
    """A source whose page budget is shared by every worker of the generation."""

    server: Any = None
    budget_key: str = ""

    def spend(self) -> bool:
        if self.requested >= self.budget:
            return False
        if self.server.hincrby(self.budget_key, self.site, 1) > self.budget:
            self.requested = self.budget
            return False
        self.requested += 1
        return True


class WorkerSpider(SourcesSpider):
    """See the module docstring."""

    redis: Any
    frontier: Frontier

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> WorkerSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        url = settings.get("SEEDWIRE_REDIS_URL")
        spider.redis = connect(url)
        spider.frontier = Frontier(spider.redis,
                                   ttl=settings.getfloat("SEEDWIRE_WORKER_TIMEOUT", 30.0))
        spider.frontier.join()
        spider.heartbeat = None
        logger.info("scale mode: worker %s on %s", spider.frontier.worker, redact(url))
        crawler.signals.connect(spider.on_opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider  # type: ignore[return-value]

    # --- the store, through Redis -------------------------------------------------------------

    def open_store(self) -> Any:
        return None

    def send(self, kind: str, **fields: Any) -> None:
        message = messages.encode(kind, generation=self.frontier.generation,
                                  worker=self.frontier.worker, now=self.now.isoformat(), **fields)
        self.redis.lpush(OUTBOX, message)

    def load_sources(self) -> list[dict[str, Any]]:
        from crawler.relevance import TopicProfile
        from crawler.text import release_tables

        published = read_published(self.redis)
        if published is None:
            logger.error("no sources in Redis (%s): the writer publishes them; start "
                         "`seedwire ingest` first", SOURCES)
            return []
        topics = published["topics"]
        for topic in topics:
            profile = TopicProfile.from_terms(topic["name"], topic["keywords"], topic["exclude"],
                                              topic["threshold"])
            self.profiles.append((topic["slug"], profile))  # the pool reads this same list
        release_tables()  # as the plain crawl does: the segmenter is not needed again
        sources = published["sources"]
        if self.topic_filter:
            slugs = {t["slug"] for t in topics if self.topic_filter in (t["slug"], t["name"])}
            sources = [s for s in sources if slugs & set(s["topics"])]
        if self.source_filter:
            sources = [s for s in sources if s["host"] == self.source_filter.lower()]
        if not sources:
            logger.warning("no sources to crawl (topic=%s, source=%s)",
                           self.topic_filter, self.source_filter)
        return sources

    def new_state(self, row: dict[str, Any]) -> SourceState:
        plain = super().new_state(row)
        state = SharedSourceState(site=plain.site, host=plain.host, budget=plain.budget,
                                  watermark=plain.watermark, server=self.redis,
                                  budget_key=self.frontier.key("budget"))
        state.known_feeds = plain.known_feeds
        return state

    def known_urls(self, keys: list[str]) -> set[str]:
        """Stored or rejected (not due again), asked of the writer's sets in Redis; keys another
        worker already queued in this generation join the spider's ``seen`` (one round trip per
        batch instead of one per key; the shared dupefilter still guards every request)."""
        found: set[str] = set()
        now = self.now.timestamp()
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            pipe = self.redis.pipeline(transaction=False)
            pipe.smismember(KNOWN, chunk)
            pipe.zmscore(REJECTS, chunk)
            pipe.smismember(self.frontier.key("seen"), chunk)
            stored, retry, queued = pipe.execute()
            for key, hit, when, taken in zip(chunk, stored, retry, queued, strict=True):
                if hit or (when is not None and when > now):
                    found.add(key)
                elif taken:
                    self.seen.add(key)
        return found

    def get_validator(self, url: str) -> dict[str, Any] | None:
        raw = self.redis.hget(VALIDATORS, url)
        return json.loads(raw) if raw else None

    def record_failure(self, key: str, kind: str, *, permanent: bool) -> None:
        self.send("reject", key=key, reason=kind, permanent=permanent)

    # --- life cycle ---------------------------------------------------------------------------

    def on_opened(self, spider: Any) -> None:
        self.send("opened", pid=os.getpid(), host=socket.gethostname(),
                  started=datetime.now(UTC).isoformat(),
                  args={"topic": self.topic_filter, "source": self.source_filter})
        self.heartbeat = asyncio.get_running_loop().create_task(self.beat())

    async def beat(self) -> None:
        while True:
            await asyncio.sleep(self.frontier.ttl / 5)
            try:
                self.frontier.beat()
            except Exception as exc:  # noqa: BLE001 - Redis away for a moment: try again
                logger.warning("heartbeat failed: %s", exc)

    def on_idle(self, spider: Any) -> None:
        """Close only when the generation is done (queue empty, no live worker busy)."""
        if not self.frontier.finished():
            raise DontCloseSpider

    def closed_ok(self, spider: Any, reason: str) -> None:
        """Tell the writer what this worker found; validators count only if all finish."""
        if self.heartbeat is not None:
            self.heartbeat.cancel()
        if reason == "finished" and self.validators:
            self.redis.hset(self.frontier.key("validators"), mapping={
                url: json.dumps(value) for url, value in self.validators.items()})
        self.frontier.leave(reason)
        found = {site: {"feeds": sorted(s.found_feeds), "sitemaps": sorted(s.found_sitemaps)}
                 for site, s in self.states.items() if s.found_feeds or s.found_sitemaps}
        stats = summarize_stats(self.crawler.stats.get_stats())
        self.send("closed", reason=reason, stats=stats, discovered=found,
                  crawled=sorted(self.states), finished=datetime.now(UTC).isoformat())


class OutboxPipeline(ArticlePipeline):
    """Extract, fingerprint and score (the process pool), then queue the result for the writer."""

    async def process_item(self, item: PageItem) -> dict[str, Any]:
        if not self.extract:
            raise self.drop("not_extracted", "extraction disabled")
        result = await self.run_worker(item)
        self.spider.send("page", item=messages.item_to_json(item),
                         result=messages.result_to_json(result))
        self.count("queued")
        return {"url": item.url, "key": item.key, "kind": item.kind, "queued": True}
