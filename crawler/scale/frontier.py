"""The shared frontier: scrapy-redis' scheduler and dupefilter, keyed per crawl generation.

Every worker (``scrapy crawl sources`` with ``SEEDWIRE_REDIS_URL``) joins the running
*generation* of the crawl, or starts the next one when none runs. The generation's requests
(a priority queue) and seen-set live under ``seedwire:crawl:<G>:`` and persist while workers come
and go (``SCHEDULER_PERSIST``: the first worker to finish must not wipe what the others share);
the next crawl is a new generation with an empty seen-set, so it reads feeds and sitemaps again
and fetches what an earlier crawl lost. A worker keeps a heartbeat key alive; the generation is
finished when the queue is empty and no live worker is busy (checked atomically, in Lua), so an
idle worker does not close while another still produces requests, and a dead worker does not
keep the others waiting longer than its heartbeat's lifetime.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
import zlib
from typing import Any

from scrapy.http import Request
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.scale import safepickle
from crawler.scale.keys import GEN_COUNTER, GEN_CURRENT, GEN_KEEP_SECONDS, PREFIX, ScaleError
from crawler.urls import normalize_url

logger = logging.getLogger(__name__)

IDLE_POLL = 0.5  # seconds between an idle worker's looks at the shared queue (Scrapy: 5)
GEN_KEYS = ("requests", "seen", "workers", "budget", "validators")

# Join the running generation (it has a live worker and is not done) or start the next one.
_JOIN = """
local prefix, worker, ttl, keep = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local gen = redis.call('GET', KEYS[1])
if gen then
  local base = prefix .. gen .. ':'
  if redis.call('EXISTS', base .. 'done') == 0 then
    for _, other in ipairs(redis.call('HKEYS', base .. 'workers')) do
      if redis.call('EXISTS', base .. 'alive:' .. other) == 1 then
        redis.call('HSET', base .. 'workers', worker, 'busy')
        redis.call('SET', base .. 'alive:' .. worker, '1', 'EX', ttl)
        return {gen, 0}
      end
    end
    for _, name in ipairs({'requests', 'seen', 'workers', 'budget', 'validators'}) do
      redis.call('EXPIRE', base .. name, keep)
    end
  end
end
gen = tostring(redis.call('INCR', KEYS[2]))
redis.call('SET', KEYS[1], gen)
local base = prefix .. gen .. ':'
redis.call('HSET', base .. 'workers', worker, 'busy')
redis.call('SET', base .. 'alive:' .. worker, '1', 'EX', ttl)
return {gen, 1}
"""

# An idle worker: mark it idle; the generation is done when the queue is empty and no live
# worker is busy. Atomic, so a worker that marks itself busy and then pops is never missed.
_IDLE = """
local base, worker, keep = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', base .. 'done') == 1 then return 1 end
redis.call('HSET', base .. 'workers', worker, 'idle')
if redis.call('ZCARD', base .. 'requests') > 0 then return 0 end
local states = redis.call('HGETALL', base .. 'workers')
for i = 1, #states, 2 do
  if states[i + 1] == 'busy' and redis.call('EXISTS', base .. 'alive:' .. states[i]) == 1 then
    return 0
  end
end
redis.call('SET', base .. 'done', '1', 'EX', keep)
for _, name in ipairs({'requests', 'seen', 'workers', 'budget', 'validators'}) do
  redis.call('EXPIRE', base .. name, keep)
end
return 1
"""


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Frontier:
    """One worker's membership in a crawl generation."""

    def __init__(self, server: Any, *, ttl: float = 30.0, worker: str | None = None) -> None:
        self.server = server
        self.ttl = max(2, int(round(ttl)))
        self.worker = worker or worker_name()
        self.generation = ""
        self.created = False
        self.idle = False

    def join(self) -> str:
        gen, created = self.server.eval(
            _JOIN, 2, GEN_CURRENT, GEN_COUNTER, f"{PREFIX}:crawl:", self.worker, self.ttl,
            GEN_KEEP_SECONDS,
        )
        self.generation = gen.decode() if isinstance(gen, bytes) else str(gen)
        self.created = bool(created)
        logger.info("worker %s %s crawl generation %s", self.worker,
                    "started" if self.created else "joined", self.generation)
        return self.generation

    def key(self, name: str) -> str:
        return f"{PREFIX}:crawl:{self.generation}:{name}"

    def beat(self) -> None:
        self.server.set(self.key(f"alive:{self.worker}"), b"1", ex=self.ttl)

    def mark_busy(self) -> None:
        """Before taking a request: others must not see an empty queue and all idle."""
        if self.idle:
            self.server.hset(self.key("workers"), self.worker, b"busy")
            self.idle = False

    def finished(self) -> bool:
        """Mark this worker idle; True when the whole generation is done."""
        self.idle = True
        done = self.server.eval(_IDLE, 0, self.key(""), self.worker, GEN_KEEP_SECONDS)
        return bool(done)

    def leave(self, reason: str) -> None:
        pipe = self.server.pipeline()
        pipe.hset(self.key("workers"), self.worker, f"closed:{reason}".encode())
        pipe.delete(self.key(f"alive:{self.worker}"))
        pipe.execute()


def fingerprint(request: Request) -> str:
    """The seen-set's member: the normalised URL (what the spider calls a key) for a GET."""
    url = normalize_url(request.url)
    if request.method == "GET" and not request.body:
        return url
    import hashlib

    return f"{request.method} {url} {hashlib.sha1(request.body).hexdigest()}"


class SeenFilter(RFPDupeFilter):
    """scrapy-redis' dupefilter on the generation's seen-set, with the spider's URL keys.

    Never cleared on close: other workers still use it (it expires with its generation).
    """

    def request_fingerprint(self, request: Request) -> str:
        return fingerprint(request)

    def close(self, reason: str = "") -> None:
        pass


class SpreadPriorityQueue(PriorityQueue):
    """scrapy-redis' priority queue with ties spread over hosts.

    Requests of equal priority sit in a sorted set ordered by their serialized bytes, i.e. by
    URL: every worker would take the same host's pages at once. A fraction of the score from
    a hash of the URL interleaves hosts while priorities still come first.
    """

    def push(self, request: Request) -> None:
        data = self._encode_request(request)
        spread = zlib.crc32(request.url.encode("utf-8")) / 2**33  # [0, 0.5)
        self.server.execute_command("ZADD", self.key, -request.priority + spread, data)


class FrontierScheduler(Scheduler):
    """scrapy-redis' scheduler on the worker's crawl generation (see the module docstring)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        return instance

    def open(self, spider: Any) -> None:
        frontier: Frontier | None = getattr(spider, "frontier", None)
        if frontier is None:
            raise ScaleError("the shared frontier needs the sources spider in scale mode")
        self.spider = spider
        self.frontier = frontier
        self.queue = SpreadPriorityQueue(server=self.server, spider=spider,
                                         key=frontier.key("requests"), serializer=safepickle)
        self.df = SeenFilter(self.server, key=frontier.key("seen"),
                             debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and hasattr(engine, "_SLOT_HEARTBEAT_INTERVAL"):
            # an idle worker looks for requests others queued every IDLE_POLL s, not every 5 s
            engine._SLOT_HEARTBEAT_INTERVAL = IDLE_POLL
        if len(self.queue):
            logger.info("generation %s: %d requests queued", frontier.generation, len(self.queue))

    def close(self, reason: str) -> None:
        """Keep the queue and the seen-set: other workers share them (SCHEDULER_PERSIST)."""

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self) -> Request | None:
        self.frontier.mark_busy()
        for _ in range(100):
            try:
                request = self.queue.pop(self.idle_before_close)
            except Exception as exc:  # noqa: BLE001 - an unreadable entry must not stop a worker
                logger.error("dropped an unreadable request from the frontier: %s", exc)
                if self.stats:
                    self.stats.inc_value("seedwire/frontier/unreadable")
                continue
            if request is not None and self.stats:
                self.stats.inc_value("scheduler/dequeued/redis")
            return request
        return None
