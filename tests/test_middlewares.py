"""Politeness pieces that need no crawl: private-address policy, Retry-After, feeds, sitemaps."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from crawler.discover import DiscoveryError, parse_feed, parse_sitemap, sitemap_body
from crawler.middlewares import HostPolicy, is_public_address, retry_after_seconds


@pytest.mark.parametrize(
    ("address", "public"),
    [("93.184.216.34", True), ("10.1.2.3", False), ("127.0.0.1", False), ("169.254.169.254", False),
     ("192.168.0.10", False), ("::1", False), ("fe80::1", False), ("0.0.0.0", False),
     ("224.0.0.1", False), ("2606:4700::1111", True)],
)
def test_public_and_private_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_host_policy_allows_only_what_is_configured() -> None:
    policy = HostPolicy(["127.0.0.2", "10.0.0.0/8", "intranet.example"])
    assert policy.allows("news.example.com", ["93.184.216.34"])
    assert policy.allows("127.0.0.2", ["127.0.0.2"])
    assert not policy.allows("127.0.0.3", ["127.0.0.3"])
    assert policy.allows("wiki", ["10.4.5.6"])
    assert not policy.allows("metadata", ["169.254.169.254"])
    assert policy.allows("intranet.example", ["192.168.1.1"])
    # a public name that also resolves to a private address is refused
    assert not policy.allows("rebind.example", ["93.184.216.34", "192.168.1.1"])


def test_retry_after_seconds_and_dates() -> None:
    assert retry_after_seconds(b"120") == 120.0
    later = datetime(2026, 11, 16, 8, 0, 30, tzinfo=UTC)
    now = (later - timedelta(seconds=30)).timestamp()
    assert retry_after_seconds(format_datetime(later, usegmt=True), now=now) == pytest.approx(30)
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>A</title><link>https://a.example/2026/11/a.html</link>
<pubDate>Mon, 16 Nov 2026 08:00:00 +0800</pubDate></item></channel></rss>"""


def test_feeds_rss_json_and_broken() -> None:
    (entry,), problem = parse_feed(RSS)
    assert problem is None
    assert entry.url == "https://a.example/2026/11/a.html"
    assert entry.published == datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
    json_feed = (b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", '
                 b'"url": "https://a.example/p/1", "date_published": "2026-11-16T08:00:00Z"}]}')
    (item,), _ = parse_feed(json_feed, "application/feed+json")
    assert item.url == "https://a.example/p/1" and item.published is not None
    entries, problem = parse_feed(b"<rss version='2.0'><channel><item><link>https://a.example/x")
    assert problem                      # a truncated feed: what can be read is used, and counted
    with pytest.raises(DiscoveryError):
        parse_feed(b"<html><body>not a feed</body></html>")


def test_sitemaps_index_gzip_news_and_junk() -> None:
    urlset = b"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://a.example/1.html</loc><lastmod>2026-11-10</lastmod></url>
      <url><loc>https://a.example/2.html</loc><news:news><news:publication_date>
      2026-11-12T09:00:00+08:00</news:publication_date><news:title>T</news:title></news:news></url>
    </urlset>"""
    kind, entries, problem = parse_sitemap(sitemap_body(gzip.compress(urlset), 10_000_000))
    assert kind == "urlset" and problem is None
    assert [e.url for e in entries] == ["https://a.example/1.html", "https://a.example/2.html"]
    assert entries[1].published == datetime(2026, 11, 12, 1, 0, tzinfo=UTC)
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://a.example/s1.xml.gz</loc></sitemap></sitemapindex>"""
    assert parse_sitemap(index)[0] == "index"
    entity = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&e;</loc></url></urlset>"""
    assert all("root:" not in e.url for e in parse_sitemap(entity)[1])
    with pytest.raises(DiscoveryError):
        parse_sitemap(b"<html>nope</html>")
    kind, entries, problem = parse_sitemap(urlset[:-40])     # truncated: partly read, reported
    assert kind == "urlset" and problem and entries
