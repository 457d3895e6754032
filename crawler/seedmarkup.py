"""Seeds in markup: HTML documents and OPML subscription lists (parsed with lxml, no network)."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html

from crawler.relevance import EXPLICIT_WEIGHT
from crawler.seedlinks import cite
from crawler.seedmodel import SeedProblem, Source, TopicSpec
from crawler.seedvalues import Parsed, ShapeError, as_list, language_code, parse_date, slugify
from crawler.urls import host_of, normalize_url, site_of

logger = logging.getLogger(__name__)

_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publishdate",
    "publish_date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "sailthru.date",
    "parsely-pub-date",
    "citation_publication_date",
    "article:modified_time",
)
_AUTHOR_META = (
    "author",
    "article:author",
    "dc.creator",
    "byl",
    "parsely-author",
    "citation_author",
)
_TAG_META = ("keywords", "news_keywords", "article:tag", "parsely-tags")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_SPACES_RE = re.compile(r"[ \t\u00a0\u3000]+")


def _meta(doc: lxml_html.HtmlElement) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for el in doc.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if key and content:
            found.setdefault(key, []).append(content)
    return found


def _first(meta: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


def _bad_scheme(href: str) -> str | None:
    scheme = href.strip().split(":", 1)[0].lower() if ":" in href else ""
    return scheme if scheme in ("javascript", "file") else None


def parse_html(text: str, where: str, problems: list[SeedProblem]) -> Parsed:
    """Title, date, author, language, tags, canonical address, links and images of a page."""
    source = _XML_DECL_RE.sub("", text, count=1)
    parser = lxml_html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        doc = lxml_html.document_fromstring(source.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ShapeError(None, f"broken HTML: {exc}") from None
    meta = _meta(doc)
    parsed = Parsed()
    titles = doc.xpath("//title/text()")
    h1 = doc.xpath("//h1")
    title = _first(meta, ("og:title", "twitter:title")) or (titles[0] if titles else None)
    if not title and h1:
        title = h1[0].text_content()
    parsed.title = _SPACES_RE.sub(" ", title).strip() if title else None
    date_text = _first(meta, _DATE_META)
    if not date_text:
        times = doc.xpath("//time/@datetime")
        date_text = times[0] if times else None
    parsed.date = parse_date(date_text) if date_text else None
    parsed.author = _first(meta, _AUTHOR_META)
    parsed.language = language_code(doc.get("lang") or _first(meta, ("og:locale", "language")))
    for key in _TAG_META:
        for value in meta.get(key, []):
            parsed.tags.extend(t for t in as_list(value) if t not in parsed.tags)
    canonical = doc.xpath(
        "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
    )
    own = [u for u in [*(canonical[:1]), _first(meta, ("og:url",))] if u]
    for url in own:
        parsed.self_urls.append((url, None))
    base_href = doc.xpath("//base/@href")
    base = base_href[0] if base_href else (own[0] if own else None)
    for el in doc.iter("a", "img", "link", "video", "source", "iframe"):
        attr = "href" if el.tag in ("a", "link") else "src"
        href = (el.get(attr) or "").strip()
        if not href or href.startswith("#") or (el.tag == "link" and el.get("rel") != "alternate"):
            continue
        scheme = _bad_scheme(href)
        if scheme:
            problems.append(
                SeedProblem(
                    where,
                    el.sourceline,
                    "error",
                    f"{scheme}: URL not allowed, skipped: {href[:80]}",
                )
            )
            continue
        if not re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I) and not href.startswith("//"):
            if not base:
                continue  # a relative link with nothing to resolve it against
            href = urljoin(base, href)
        label = el.get("alt") if el.tag == "img" else (el.text_content() or el.get("title"))
        label = _SPACES_RE.sub(" ", label).strip()[:200] if label else None
        kind = "video" if el.tag in ("video", "source", "iframe") else None
        cited = cite(
            href,
            path=where,
            line=el.sourceline,
            title=label or None,
            kind=kind,
            image=el.tag == "img",
            problems=problems,
        )
        if cited is not None:
            parsed.urls.append(cited)
    for el in doc.xpath("//script|//style|//noscript|//template|//svg"):
        el.drop_tree()
    body = doc.find("body")
    content = (body if body is not None else doc).text_content()
    parsed.body = "\n".join(line.strip() for line in content.splitlines() if line.strip())
    description = _first(meta, ("description", "og:description"))
    if description:
        parsed.body = f"{description}\n{parsed.body}"
    return parsed


def parse_opml(text: str, where: str, problems: list[SeedProblem]) -> Parsed:
    """Each feed becomes a source of the topic named by its parent outline, else by the file's
    title (else its name)."""
    source = _XML_DECL_RE.sub("", text, count=1)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(source.encode("utf-8"), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ShapeError(exc.lineno, f"broken OPML: {exc.msg}") from None
    title = (root.findtext("head/title") or "").strip() or Path(where).stem
    body = root.find("body")
    if body is None:
        raise ShapeError(None, "OPML without a <body>")
    specs: dict[str, TopicSpec] = {}
    labels: list[str] = []

    def walk(parent: etree._Element, topic: str) -> None:
        for outline in parent.findall("outline"):
            label = (outline.get("title") or outline.get("text") or "").strip()
            feed = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            if not feed:
                walk(outline, label or topic)
                continue
            scheme = _bad_scheme(feed)
            if scheme or not re.match(r"^https?://", feed, re.I):
                reason = f"{scheme}: URL not allowed" if scheme else "not a web URL"
                problems.append(
                    SeedProblem(
                        where, outline.sourceline, "error", f"feed {feed[:80]!r}: {reason}, skipped"
                    )
                )
                continue
            home = (outline.get("htmlUrl") or outline.get("htmlurl") or "").strip()
            site = site_of(home if re.match(r"^https?://", home, re.I) else feed)
            spec = specs.setdefault(
                topic,
                TopicSpec(
                    name=topic, slug=slugify(topic), path=where, keywords={topic: EXPLICIT_WEIGHT}
                ),
            )
            entry = next((s for s in spec.sources if s.site == site), None)
            if entry is None:
                entry = Source(site=site, host=host_of(site))
                spec.sources.append(entry)
            url = normalize_url(feed)
            if url not in entry.feeds:
                entry.feeds.append(url)
            if label:
                labels.append(label)

    walk(body, title)
    if not specs:
        problems.append(SeedProblem(where, None, "warning", "no feeds in this OPML file"))
    first = next(iter(specs.values()), None)
    return Parsed(
        title=title,
        topic=first.name if first else None,
        body="\n".join(labels),
        definitions=list(specs.values()),
    )
