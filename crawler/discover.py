"""Finding candidate article URLs in feeds, sitemaps and pages (pure functions, no I/O).

Feeds go through feedparser (RSS 0.9x/1.0/2.0, Atom); JSON Feed is read by hand. Sitemaps are
parsed with lxml without entity resolution or network access (indexes, url sets, Google news
sitemaps, gzipped bodies through Scrapy's size-limited ``gunzip``).
"""

from __future__ import annotations

import calendar
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import feedparser
from lxml import etree
from scrapy.utils.gz import gunzip

logger = logging.getLogger(__name__)

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
    "text/xml",
    "application/xml",
)
COMMON_FEED_PATHS = ("/feed", "/rss.xml", "/atom.xml", "/index.xml", "/feed.xml", "/rss")


def _xml_parser() -> etree.XMLParser:
    """A forgiving parser that never resolves entities or touches the network (one per call:
    its error log tells whether the document was broken)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                           remove_comments=True, huge_tree=False)


class DiscoveryError(Exception):
    """A feed or sitemap could not be read at all."""


@dataclass
class Candidate:
    """A URL that may be an article, with what the listing said about it."""

    url: str
    published: datetime | None = None
    title: str | None = None
    via: str = "page"  # feed | sitemap | page


def parse_date(text: str | None) -> datetime | None:
    """ISO 8601 (sitemaps, JSON Feed) or RFC 822 (RSS) → aware datetime (UTC if no zone)."""
    if not text:
        return None
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _struct_to_datetime(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


def _json_feed(body: bytes) -> list[Candidate]:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DiscoveryError(f"invalid JSON feed: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise DiscoveryError("JSON document without an items list")
    found = []
    for item in data["items"]:
        if not isinstance(item, dict):
            continue
        url = item.get("url") or item.get("external_url")
        if isinstance(url, str) and url:
            found.append(
                Candidate(
                    url=url,
                    published=parse_date(item.get("date_published") or item.get("date_modified")),
                    title=item.get("title") if isinstance(item.get("title"), str) else None,
                    via="feed",
                )
            )
    return found


def looks_like_json(body: bytes) -> bool:
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_feed(body: bytes, content_type: str = "") -> tuple[list[Candidate], str | None]:
    """(entries as candidates, the problem when the feed is broken but partly readable).

    Raises DiscoveryError when nothing can be read.
    """
    if looks_like_json(body):
        return _json_feed(body), None
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    if not parsed.entries:
        if parsed.bozo:
            raise DiscoveryError(f"invalid feed: {parsed.get('bozo_exception')}")
        if not parsed.version:
            raise DiscoveryError("not a feed")
        return [], None
    found = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not link:
            for alt in entry.get("links", []):
                if alt.get("rel") == "alternate" and alt.get("href"):
                    link = alt["href"]
                    break
        if not link:
            continue
        published = _struct_to_datetime(entry.get("published_parsed")) or _struct_to_datetime(
            entry.get("updated_parsed")
        )
        found.append(Candidate(url=link, published=published, title=entry.get("title"),
                               via="feed"))
    problem = str(parsed.get("bozo_exception")) if parsed.bozo else None
    return found, problem


def sitemap_body(body: bytes, max_size: int) -> bytes:
    """The XML of a sitemap, gunzipping it when needed (size-limited)."""
    if body[:2] == b"\x1f\x8b":
        try:
            return gunzip(body, max_size=max_size)
        except Exception as exc:  # noqa: BLE001 - gzip/zlib raise several types
            raise DiscoveryError(f"invalid gzip sitemap: {exc}") from exc
    return body


def parse_sitemap(body: bytes) -> tuple[str, list[Candidate], str | None]:
    """(``"index"`` | ``"urlset"``, entries with lastmod or news publication dates, the problem
    when the XML is broken but partly readable); raises DiscoveryError when unreadable."""
    parser = _xml_parser()
    try:
        root = etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"invalid sitemap XML: {exc}") from exc
    if root is None:
        raise DiscoveryError("empty sitemap")
    kind = etree.QName(root).localname.lower()
    if kind not in ("sitemapindex", "urlset"):
        raise DiscoveryError(f"not a sitemap: <{kind}>")
    entries = []
    for node in root:
        if not isinstance(node.tag, str):
            continue
        loc = date = title = None
        for child in node.iter():
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            text = (child.text or "").strip()
            if name == "loc" and loc is None:
                loc = text
            elif text and (name == "publication_date" or (name == "lastmod" and date is None)):
                date = text
            elif name == "title" and text:
                title = text
        if loc:
            entries.append(Candidate(url=loc, published=parse_date(date), title=title,
                                     via="sitemap"))
    errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    problem = f"line {errors[0].line}: {errors[0].message}" if errors else None
    return ("index" if kind == "sitemapindex" else "urlset"), entries, problem
