"""robots.txt for every request, also those that waited for it.

Scrapy's ``RobotsTxtMiddleware`` (2.13+) lets every request for a host await one Deferred
while the host's robots.txt downloads (``await maybe_deferred_to_future(parser)``). The first
waiter's callback consumes the result: every later waiter gets ``None`` and goes out unchecked.
A crawl that starts many requests for a host at once (every crawl's start, a scale-out worker
joining a running crawl) had disallowed pages fetched. Here each waiter reads the parser the
middleware stored. Used by every crawl (``crawler.settings``).
"""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxt
from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxt):
    async def robot_parser(self, request: Request) -> Any:
        parser = await super().robot_parser(request)
        stored = self._parsers.get(urlparse_cached(request).netloc)
        return parser if isinstance(stored, Deferred) else stored
