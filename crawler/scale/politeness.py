"""robots.txt ``Crawl-delay`` across workers: one request per delay per host, not per worker.

Each worker applies the delay to its own download slot (``CrawlDelayMiddleware``); with N
workers a host would see N requests per delay. Here the HTTP download handler, the last step
before the network, reserves the host's next free moment in Redis (atomically, on Redis'
clock, so machines need not agree on the time) and waits for it. A downloader middleware
would not do: a request it lets go can still wait in the worker's slot and leave late, next
to another worker's.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import Request, signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.scale.keys import PREFIX, connect

MAX_DELAY = 60.0

# ARGV: delay (s). Reserves the host's next free moment; returns the wait in milliseconds.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local delay = math.floor(tonumber(ARGV[1]) * 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, free)
redis.call('SET', KEYS[1], start + delay, 'PX', delay * 2 + (start - now) + 1000)
return start - now
"""


class PoliteDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP handler, waiting for the host's shared Crawl-delay turn first."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.delays: dict[str, float] = {}
        self.user_agent = crawler.settings.get("USER_AGENT", "")
        self.script = connect(crawler.settings.get("SEEDWIRE_REDIS_URL")).register_script(
            _RESERVE)
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if delay:
            self.delays[urlparse_cached(request).hostname or ""] = min(float(delay), MAX_DELAY)

    async def download_request(self, request: Request) -> Response:
        delay = self.delays.get(urlparse_cached(request).hostname or "")
        if delay and not request.meta.get("dont_obey_robotstxt"):
            host = urlparse_cached(request).hostname
            wait = self.script(keys=[f"{PREFIX}:delay:{host}"], args=[delay]) / 1000
            if wait > 0:
                self.crawler.stats.inc_value("seedwire/politeness/shared_delay_waits")
                await asyncio.sleep(wait)
        return await super().download_request(request)
