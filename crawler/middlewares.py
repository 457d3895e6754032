"""Downloader middlewares: refuse private addresses, obey Crawl-delay, back off politely."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.downloadermiddlewares.httpcompression import ACCEPTED_ENCODINGS
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def is_public_address(address: str) -> bool:
    """False for private, loopback, link-local, multicast, reserved and unspecified addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


class HostPolicy:
    """Which hosts on private networks the configuration allows (names, IPs or CIDR ranges)."""

    def __init__(self, allowed: list[str]) -> None:
        self.names: set[str] = set()
        self.networks: list[Network] = []
        for entry in allowed:
            entry = entry.strip().lower()
            if not entry:
                continue
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.names.add(entry)

    def allows(self, host: str, addresses: list[str]) -> bool:
        if host.lower() in self.names or "*" in self.names:
            return True
        for address in addresses:
            if is_public_address(address):
                continue
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not any(ip in net for net in self.networks):
                return False
        return True


class PrivateAddressMiddleware:
    """Refuse requests to hosts that resolve to non-public addresses unless configured.

    Resolution happens before the request (asynchronously, cached per host), so a link to
    ``http://169.254.169.254/`` or to a name that points at ``10.0.0.1`` is never fetched.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.policy = HostPolicy(crawler.settings.getlist("SEEDWIRE_ALLOW_PRIVATE_HOSTS"))
        self._verdicts: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        return cls(crawler)

    async def _addresses(self, host: str) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            pass
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, None)
        except OSError:
            return []  # unresolvable: let the download fail and be counted as a DNS error
        return sorted({info[4][0] for info in infos})

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        if host not in self._verdicts:
            self._verdicts[host] = self.policy.allows(host, await self._addresses(host))
        if not self._verdicts[host]:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("seedwire/refused/private_address")
            logger.warning("refused %s: %s is a private address (crawl.allow_private_hosts)",
                           request.url, host)
            raise IgnoreRequest(f"private address: {host}")


class CrawlDelayMiddleware:
    """Apply robots.txt ``Crawl-delay`` to the host's download slot (one request at a time).

    Scrapy parses robots.txt but does not use its Crawl-delay; AutoThrottle would also lower a
    slot's delay again, so the delay is re-applied after every response.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.delays: dict[str, float] = {}
        self.user_agent = crawler.settings.get("USER_AGENT", "")
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        return cls(crawler)

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        if not delay:
            return
        key = request.meta.get("download_slot") or urlparse_cached(request).hostname or ""
        self.delays[key] = min(float(delay), 60.0)
        logger.info("Crawl-delay %.1fs for %s", self.delays[key], key)
        self._apply(key)

    def _apply(self, key: str) -> None:
        assert self.crawler.engine is not None
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is not None and key in self.delays:
            slot.delay = max(slot.delay, self.delays[key])
            slot.concurrency = 1
            slot.jitter = 0.0

    def response_downloaded(self, response: Response, request: Request, spider: Any) -> None:
        key = request.meta.get("download_slot")
        if key in self.delays:
            self._apply(key)

    def process_request(self, request: Request) -> None:
        key = urlparse_cached(request).hostname or ""
        if key in self.delays:
            self._apply(key)


class CompressedBodyMiddleware:
    """Hand compressed bodies to Scrapy's HttpCompressionMiddleware as plain Responses.

    That middleware builds the decompressed response with ``Response.replace()``, which reads
    every attribute of the old one, ``encoding`` included: for a compressed HTML page whose
    Content-Type names no charset (common on GBK sites), the encoding of the gzip bytes is then
    guessed with charset_normalizer and thrown away, 1–20 ms of the reactor thread per page.
    A plain Response has no encoding to guess; the decompressed one is typed from its headers
    and body as before. Runs just before it (590) on the way back from the downloader.
    """

    decoded = {*ACCEPTED_ENCODINGS, b"x-gzip"}

    def process_response(self, request: Request, response: Response) -> Response:
        encodings = response.headers.getlist(b"Content-Encoding")
        if not isinstance(response, TextResponse) or not encodings or request.method == "HEAD":
            return response
        tokens = [t.strip().lower() for value in encodings for t in value.split(b",")]
        if not all(token in self.decoded for token in tokens if token):
            return response
        return Response(**{name: getattr(response, name) for name in Response.attributes})


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, with exponential backoff and ``Retry-After`` honoured (429/503).

    A Retry-After longer than :attr:`max_wait` is not waited for: the request is given up and
    counted, and the next crawl will try again.
    """

    base_delay = 0.5
    max_wait = 120.0

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        attempt = request.meta.get("retry_times", 0)
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            wait = self.base_delay * (2**attempt)
        if wait > self.max_wait:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("seedwire/retry_after_too_long")
            return response
        retry = self._retry(request, f"{response.status} (waited {wait:.1f}s)")
        if retry is None:
            return response
        await asyncio.sleep(wait)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Any:
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            await asyncio.sleep(self.base_delay * (2 ** request.meta.get("retry_times", 0)))
        return retry
