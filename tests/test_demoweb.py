"""Tests of the fixture web (demoweb), through a real HTTP client against started servers."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
import tomllib
import urllib.error
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest

from demoweb import WEEK_STARTS, ExpectedArticle, FixtureWeb, banks_zh

HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
KIND_PATTERNS = {
    "news-en": re.compile(r"^/(cn/|private/)?\d{4}/\d{2}/\d{2}/[^/]+\.html$"),
    "news-zh": re.compile(r"^/news/\d+\.html$"),
    "blog": re.compile(r"^/p/\d{8}-[0-9a-f]{4}$"),
}
ARTICLE_PATTERNS = dict(zip(HOSTS, KIND_PATTERNS.values(), strict=True))


@pytest.fixture(scope="module")
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb(hosts=HOSTS, port=0, week=1) as fixture:
        yield fixture


@pytest.fixture
def fresh() -> Iterator[FixtureWeb]:
    """A web of its own, for tests that move the clock or count requests."""
    with FixtureWeb(hosts=HOSTS, port=0, week=1) as fixture:
        yield fixture


class Fetched:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Fetched:
    """GET/HEAD with urllib (follows redirects; HTTP errors are returned, not raised)."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Fetched(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, error.headers, error.read())


def fetch_raw(url: str, method: str = "GET") -> http.client.HTTPResponse:
    """One request without following redirects."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""))
    return conn.getresponse()


class Links(HTMLParser):
    """Collects <a href> and <link rel=alternate> targets."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.alternates: list[tuple[str, str]] = []
        self.canonical: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
        if tag == "link" and a.get("rel") == "alternate":
            self.alternates.append((a.get("type") or "", a.get("href") or ""))
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")


def parse_links(body: str) -> Links:
    parser = Links()
    parser.feed(body)
    return parser


def page_text(fetched: Fetched) -> str:
    """Decode like a browser: the header's charset, else the <meta> one, else UTF-8."""
    charset = fetched.headers.get_content_charset()
    if charset is None:
        meta = re.search(rb'charset="?([\w-]+)', fetched.body[:2048])
        charset = meta.group(1).decode() if meta else "utf-8"
    return fetched.body.decode(charset)


def truth(web: FixtureWeb, **flags: object) -> list[ExpectedArticle]:
    return [a for a in web.expected_articles()
            if all(getattr(a, k) == v for k, v in flags.items())]


# -- robots.txt, ports, addresses -------------------------------------------------------------


def test_hosts_share_one_port_and_serve_robots(web: FixtureWeb) -> None:
    assert web.port > 0
    a, b, c = (fetch(web.base_url(h) + "/robots.txt") for h in HOSTS)
    assert all(r.status == 200 for r in (a, b, c))
    base_a = web.base_url(HOSTS[0])
    assert "Disallow: /private/" in a.text
    assert f"Sitemap: {base_a}/sitemap-index.xml" in a.text
    assert f"Sitemap: {base_a}/sitemap-news.xml" in a.text
    assert "Crawl-delay: 1" in b.text
    assert f"Sitemap: {web.base_url(HOSTS[1])}/sitemap.xml" in b.text
    assert f"Sitemap: {web.base_url(HOSTS[2])}/sitemap-legacy.xml" in c.text


def test_private_articles_are_linked_from_home_but_disallowed(web: FixtureWeb) -> None:
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(fetch(web.base_url(HOSTS[0]) + "/robots.txt").text.splitlines())
    home = parse_links(fetch(web.base_url(HOSTS[0]) + "/").text).links
    private = truth(web, allowed=False)
    assert private and all(a.reachable for a in private)
    for article in private:
        assert article.path in home
        assert not robots.can_fetch("seedwire", article.url)
    assert robots.can_fetch("seedwire", truth(web, host=HOSTS[0], kind="regular")[0].url)


# -- feeds ------------------------------------------------------------------------------------


def test_feeds_parse_and_link_to_existing_articles(web: FixtureWeb) -> None:
    urls = {a.url for a in web.expected_articles()}
    cases = [(HOSTS[0], "/rss.xml", "rss20"), (HOSTS[1], "/index.rdf", "rss10"),
             (HOSTS[1], "/atom.xml", "atom10"), (HOSTS[2], "/feed.xml", "rss20")]
    for host, path, version in cases:
        fetched = fetch(web.base_url(host) + path)
        feed = feedparser.parse(fetched.body,
                                response_headers={"content-type": fetched.headers["Content-Type"]})
        assert feed.version == version and not feed.bozo, (path, feed.get("bozo_exception"))
        assert 5 <= len(feed.entries) <= 20
        for entry in feed.entries:
            assert entry.link.split("?")[0] in urls
    rdf = fetch(web.base_url(HOSTS[1]) + "/index.rdf").body
    assert rdf.startswith(b'<?xml version="1.0" encoding="GBK"?>')
    assert "GPT-4o" in rdf.decode("gbk") and "，" in rdf.decode("gbk")
    doc = json.loads(fetch(web.base_url(HOSTS[2]) + "/feed.json").body)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["items"] and all(item["url"] in urls for item in doc["items"])
    for item in doc["items"][:3]:
        assert fetch(item["url"], method="HEAD").status == 200


def test_feed_advertising_on_home_pages(web: FixtureWeb) -> None:
    a, b, c = (parse_links(page_text(fetch(web.base_url(h) + "/"))).alternates for h in HOSTS)
    assert ("application/rss+xml", "/rss.xml") in a
    assert ("application/rss+xml", "/index.rdf") in b
    assert not any("atom" in href for _, href in b)  # found only by probing common paths
    assert ("application/feed+json", "/feed.json") in c


def test_flash_news_only_in_the_unadvertised_atom_feed(web: FixtureWeb) -> None:
    flash = truth(web, kind="flash")
    assert flash and all(a.linked_from == ("feed:/atom.xml",) for a in flash)
    atom = feedparser.parse(fetch(web.base_url(HOSTS[1]) + "/atom.xml").body)
    rdf = feedparser.parse(fetch(web.base_url(HOSTS[1]) + "/index.rdf").body)
    atom_links = {e.link for e in atom.entries}
    assert {a.url for a in flash} <= atom_links
    assert not {a.url for a in flash} & {e.link for e in rdf.entries}


def test_malformed_feed_and_sitemap(web: FixtureWeb) -> None:
    faults = web.fault_urls()
    feed = feedparser.parse(fetch(faults["malformed-feed"]).body)
    assert feed.bozo
    with pytest.raises(ET.ParseError):
        ET.fromstring(fetch(faults["malformed-sitemap"]).body)


def test_guid_churning_feed(web: FixtureWeb) -> None:
    url = web.base_url(HOSTS[2]) + "/feed.xml"
    first, second = feedparser.parse(fetch(url).body), feedparser.parse(fetch(url).body)
    assert [e.link for e in first.entries] == [e.link for e in second.entries]
    assert not {e.id for e in first.entries} & {e.id for e in second.entries}
    assert all(a.published != b.published
               for a, b in zip(first.entries, second.entries, strict=True))
    # syndicated copies are linked with tracking parameters
    tracked = [e.link for e in first.entries if "utm_source=rss" in e.link]
    copies = truth(web, kind="syndicated")
    assert len(copies) == 2 and sorted(t.split("?")[0] for t in tracked) == sorted(
        c.url for c in copies)
    assert all("fbclid=abc" in t for t in tracked)
    assert fetch(url, {"If-None-Match": "*"}).status == 200  # never 304


# -- sitemaps ---------------------------------------------------------------------------------


def test_gzipped_sitemap_index_and_news_sitemap(web: FixtureWeb) -> None:
    base = web.base_url(HOSTS[0])
    index = ET.fromstring(fetch(base + "/sitemap-index.xml").body)
    locs = [e.findtext(f"{SM}loc") for e in index.iter(f"{SM}sitemap")]
    assert locs == [base + "/sitemap-articles.xml.gz"]
    fetched = fetch(locs[0])
    assert fetched.headers["Content-Type"] in ("application/x-gzip", "application/gzip")
    urlset = ET.fromstring(gzip.decompress(fetched.body))
    entries = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in urlset.iter(f"{SM}url")}
    listed = {a.url for a in truth(web, host=HOSTS[0]) if "sitemap" in a.linked_from}
    assert listed <= set(entries)
    assert all(datetime.fromisoformat(v).tzinfo for v in entries.values())
    assert web.fault_urls()["404-in-sitemap"] in entries
    assert fetch(web.fault_urls()["404-in-sitemap"]).status == 404
    news = fetch(base + "/sitemap-news.xml").text
    assert "http://www.google.com/schemas/sitemap-news/0.9" in news
    assert news.count("<news:publication_date>") == len(
        [a for a in truth(web, host=HOSTS[0], week=1) if "sitemap" in a.linked_from])


# -- HTTP semantics ---------------------------------------------------------------------------


def test_conditional_get_head_and_404(web: FixtureWeb) -> None:
    for url in (web.base_url(HOSTS[0]) + "/rss.xml", web.base_url(HOSTS[1]) + "/sitemap.xml",
                web.base_url(HOSTS[2]) + "/feed.json"):
        first = fetch(url)
        etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
        assert etag and modified
        assert fetch(url, {"If-None-Match": etag}).status == 304
        assert fetch(url, {"If-Modified-Since": modified}).status == 304
        assert fetch(url, {"If-None-Match": '"other"'}).status == 200
    article = truth(web, host=HOSTS[0], kind="regular", fault=None)[0]
    head = fetch(article.url, method="HEAD")
    assert head.status == 200 and head.body == b"" and int(head.headers["Content-Length"]) > 3000
    assert head.headers["Last-Modified"]
    missing = fetch(web.base_url(HOSTS[0]) + "/no/such/page.html")
    assert missing.status == 404 and "<html" in missing.text
    assert fetch_raw(web.base_url(HOSTS[0]) + "/tech").status == 301


def test_gzip_when_accepted(web: FixtureWeb) -> None:
    url = truth(web, host=HOSTS[2], kind="regular", fault=None)[0].url
    fetched = fetch(url, {"Accept-Encoding": "gzip"})
    assert fetched.headers["Content-Encoding"] == "gzip"
    assert b"<!DOCTYPE html>" in gzip.decompress(fetched.body)


def test_request_log(fresh: FixtureWeb) -> None:
    article = truth(fresh, host=HOSTS[1], kind="regular", fault=None)[0]
    fresh.clear_log()
    fetch(article.url)
    fetch(article.url, method="HEAD")
    fetch(fresh.base_url(HOSTS[1]) + "/keji/?page=1")
    log = fresh.requests
    assert [(r.host, r.path, r.method, r.status) for r in log] == [
        (HOSTS[1], article.path, "GET", 200), (HOSTS[1], article.path, "HEAD", 200),
        (HOSTS[1], "/keji/?page=1", "GET", 200)]
    assert "User-Agent" in log[0].headers and log[0].time > 0
    assert fresh.request_count(article.url) == 2
    assert fresh.request_count(article.path, method="GET") == 1
    assert fresh.request_count("/private/") == 0


# -- article pages ----------------------------------------------------------------------------


def test_article_page_boilerplate_and_metadata(web: FixtureWeb) -> None:
    for host in HOSTS:
        article = truth(web, host=host, kind="regular", fault=None, on_topic=True)[0]
        page = page_text(fetch(article.url))
        links = parse_links(page)
        assert links.canonical == article.canonical == article.url
        assert f'<meta property="og:url" content="{article.url}">' in page
        assert 'property="article:published_time"' in page
        assert '<meta name="description"' in page and "<title>" in page
        assert 'class="comment"' in page and "/tag/" in page and "/author/" in page
        assert len([h for h in links.links if ARTICLE_PATTERNS[host].match(h)]) >= 5  # related
        paragraphs = web.article_text(article).split("\n\n")
        assert 4 <= len(paragraphs) <= 10
        assert article.author in page
        if article.language == "zh":
            local = article.published.astimezone(WEEK_STARTS[1].tzinfo)
            assert f"{local.year}年{local.month}月{local.day}日" in page
        assert 5_000 < len(page.encode()) < 20_000


def test_chinese_pages_in_gbk(web: FixtureWeb) -> None:
    regular = next(a for a in truth(web, host=HOSTS[1], encoding="gbk", fault=None)
                   if a.week == 1 and a.language == "zh")
    body = fetch(regular.url).body
    assert b'<meta charset="gbk">' in body
    assert regular.title in body.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert truth(web, host=HOSTS[1], encoding="utf-8")  # some pages are UTF-8 too
    liar = truth(web, fault="charset-mismatch")[0]
    fetched = fetch(liar.url)
    assert fetched.headers["Content-Type"] == "text/html"
    assert b'<meta charset="utf-8">' in fetched.body
    with pytest.raises(UnicodeDecodeError):
        fetched.body.decode("utf-8")
    assert liar.title in fetched.body.decode("gbk")


def test_sentence_banks_encode_in_gbk() -> None:
    def walk(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                yield from walk(v)

    for name in dir(banks_zh):
        if name.isupper():
            for text in walk(getattr(banks_zh, name)):
                text.encode("gbk")


def test_syndicated_copies(web: FixtureWeb) -> None:
    copies = truth(web, kind="syndicated")
    assert {c.language for c in copies} == {"en", "zh"}
    for copy in copies:
        assert copy.host == HOSTS[2] and copy.syndicated_of
        original = next(a for a in web.expected_articles() if a.url == copy.syndicated_of)
        assert web.article_text(copy) == web.article_text(original)
        page = fetch(copy.url + "?utm_source=rss&utm_medium=feed&fbclid=abc").text
        assert parse_links(page).canonical == original.url
        first_paragraph = web.article_text(copy).split("\n\n")[0]
        assert first_paragraph.split("，")[0].split(",")[0] in page


def test_texts_are_not_near_duplicates(web: FixtureWeb) -> None:
    def shingles(text: str, lang: str) -> set[str]:
        if lang == "zh":
            return {text[i:i + 4] for i in range(len(text) - 3)}
        words = text.lower().split()
        return {" ".join(words[i:i + 3]) for i in range(len(words) - 2)}

    articles = [a for a in web.expected_articles() if a.kind != "syndicated"]
    sets = [(a, shingles(web.article_text(a), a.language)) for a in articles]
    worst = 0.0
    for i, (a, sa) in enumerate(sets):
        for b, sb in sets[i + 1:]:
            if a.language == b.language:
                worst = max(worst, len(sa & sb) / len(sa | sb))
    assert worst < 0.5
    titles = [a.title for a in articles]
    assert len(set(titles)) > 0.9 * len(titles)


def test_500_then_ok_and_reset(fresh: FixtureWeb) -> None:
    url = fresh.fault_urls()["500-then-ok"]
    assert fetch(url).status == 500
    assert fetch(url).status == 200
    fresh.reset_faults()
    assert fetch(url).status == 500
    assert fetch(url).status == 200


def test_redirect_loop_binary_pdf_and_huge(web: FixtureWeb) -> None:
    faults = web.fault_urls()
    first = fetch_raw(faults["redirect-loop"])
    assert first.status == 302 and first.getheader("Location") == "/loop/b"
    second = fetch_raw(web.base_url(HOSTS[0]) + "/loop/b")
    assert second.status == 302 and second.getheader("Location") == "/loop/a"
    binary = fetch(faults["binary-as-html"])
    assert binary.headers["Content-Type"] == "text/html" and len(binary.body) > 100_000
    with pytest.raises(UnicodeDecodeError):
        binary.body.decode("utf-8")
    pdf = fetch(faults["pdf"])
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.body.startswith(b"%PDF-")
    assert fetch(faults["404"]).status == 404
    huge = fetch_raw(faults["huge"])
    assert huge.status == 200 and int(huge.getheader("Content-Length")) >= 30_000_000
    assert b"<html" in huge.read(100_000)
    huge.close()


def test_slow_page_does_not_block_stop() -> None:
    web = FixtureWeb(hosts=HOSTS).start()
    outcome: dict[str, object] = {}

    def request() -> None:
        started = time.monotonic()
        try:
            fetch_raw(web.fault_urls()["slow"]).read()
        except (OSError, http.client.HTTPException) as error:
            outcome["error"] = type(error).__name__
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=request)
    thread.start()
    time.sleep(0.4)
    assert web.request_count(urlsplit(web.fault_urls()["slow"]).path) == 1
    started = time.monotonic()
    web.stop()
    assert time.monotonic() - started < 3
    thread.join(5)
    assert not thread.is_alive() and outcome["seconds"] < 5  # type: ignore[operator]


# -- the clock and the ground truth -----------------------------------------------------------


def discover(web: FixtureWeb) -> set[str]:
    """What a polite crawler can find: sitemaps from robots.txt, advertised and common-path feeds,
    home pages and every page of every section. Returns clean absolute URLs."""
    found: set[str] = set()
    for host in web.hosts:
        base = web.base_url(host)
        robots = fetch(base + "/robots.txt").text
        sitemaps = [line.split(":", 1)[1].strip() for line in robots.splitlines()
                    if line.startswith("Sitemap:")]
        while sitemaps:
            fetched = fetch(sitemaps.pop())
            body = fetched.body
            if fetched.headers["Content-Type"].endswith("gzip"):
                body = gzip.decompress(body)
            try:
                root = ET.fromstring(body)
            except ET.ParseError:
                continue
            sitemaps += [e.text or "" for e in root.iter(f"{SM}loc")
                         if root.tag == f"{SM}sitemapindex"]
            if root.tag == f"{SM}urlset":
                found |= {e.text or "" for e in root.iter(f"{SM}loc")}
        home = parse_links(page_text(fetch(base + "/")))
        feeds = [href for _, href in home.alternates] + ["/atom.xml", "/feed.json"]
        for href in feeds:
            fetched = fetch(urljoin(base + "/", href))
            if fetched.status != 200:
                continue
            if href.endswith(".json"):
                found |= {item["url"] for item in json.loads(fetched.body)["items"]}
            else:
                found |= {e.link for e in feedparser.parse(fetched.body).entries if "link" in e}
        pages = [base + "/"] + [urljoin(base + "/", h) for h in home.links
                                if re.fullmatch(r"/[a-z]+/", h) or h.startswith("/page/")]
        seen: set[str] = set()
        while pages:
            url = pages.pop()
            if url in seen:
                continue
            seen.add(url)
            links = parse_links(page_text(fetch(url))).links
            found |= {urljoin(url, h) for h in links}
            pages += [urljoin(url, h) for h in links if "page=" in h or h.startswith("/page/")]
    return {u.split("?")[0] for u in found}


def check_discovery(web: FixtureWeb, weeks: tuple[int, ...]) -> None:
    kinds = {site.host: site.kind for site in web.world.sites}
    for week in weeks:
        web.set_week(week)
        found = discover(web)
        expected = web.expected_articles()
        reachable = {a.url for a in expected if a.reachable}
        assert reachable <= found, reachable - found
        unreachable = {a.url for a in expected if not a.reachable}
        assert not unreachable & found
        faults = set(web.fault_urls().values())
        article_like = {u for u in found if urlsplit(u).hostname in kinds
                        and KIND_PATTERNS[kinds[urlsplit(u).hostname]].match(urlsplit(u).path)}
        assert article_like - faults <= {a.url for a in expected}
    # the crawl above was polite: nothing disallowed was requested
    assert not [r for r in web.requests if r.path.startswith(("/private/", "/search/"))]


def test_expected_articles_agree_with_discovery(fresh: FixtureWeb) -> None:
    assert [a for a in fresh.expected_articles() if not a.reachable]  # the orphan
    check_discovery(fresh, (0, 1, 2))


def test_more_hosts_and_scale() -> None:
    hosts = tuple(f"127.0.0.{i}" for i in range(20, 26))
    with FixtureWeb(hosts=hosts, scale=3) as web:
        kinds = [site.kind for site in web.world.sites]
        assert kinds == ["news-en", "news-zh", "blog"] * 2
        assert len({site.name for site in web.world.sites}) == 6
        assert {urlsplit(u).hostname for u in web.fault_urls().values()} == set(hosts[:3])
        check_discovery(web, (1, 2))


def test_week_two_adds_articles_everywhere(fresh: FixtureWeb) -> None:
    week1 = {a.url for a in fresh.expected_articles()}
    new = fresh.expected_articles(week=2)
    assert not {a.url for a in new} & week1
    for host in HOSTS:
        mine = [a for a in new if a.host == host]
        assert 10 <= len(mine) <= 16
        assert {a.on_topic for a in mine} == {True, False}
    assert {a.language for a in new} == {"zh", "en"}
    sample = [a for a in new if a.kind == "regular" and a.fault is None][:3]
    assert all(fetch(a.url).status == 404 for a in sample)
    rss_before = fetch(fresh.base_url(HOSTS[0]) + "/rss.xml")
    fresh.set_week(2)
    assert all(fetch(a.url).status == 200 for a in sample)
    assert all(a.week in (0, 1, 2) for a in fresh.expected_articles())
    assert len(fresh.expected_articles()) == len(week1) + len(new)
    rss_after = fetch(fresh.base_url(HOSTS[0]) + "/rss.xml",
                      {"If-None-Match": rss_before.headers["ETag"]})
    assert rss_after.status == 200
    links = {e.link for e in feedparser.parse(rss_after.body).entries}
    assert {a.url for a in new if a.host == HOSTS[0] and "sitemap" in a.linked_from} & links
    home = page_text(fetch(fresh.base_url(HOSTS[1]) + "/"))
    assert any(a.path in home for a in new if a.host == HOSTS[1])
    updated = [a for a in fresh.expected_articles() if a.updated]
    assert updated and all(a.week == 1 and a.updated >= WEEK_STARTS[2] for a in updated)


def test_expected_article_fields(web: FixtureWeb) -> None:
    articles = web.expected_articles()
    per_host_week = {(h, w): len([a for a in articles if a.host == h and a.week == w])
                     for h in HOSTS for w in (0, 1)}
    assert all(10 <= per_host_week[(h, 1)] <= 16 for h in HOSTS)
    assert all(per_host_week[(h, 0)] >= 3 for h in HOSTS)
    assert len({a.id for a in articles}) == len(articles) == len({a.url for a in articles})
    for article in articles:
        assert article.published.tzinfo is not None
        if article.week == 0:
            assert article.published.year == 2025
        else:
            start = WEEK_STARTS[article.week]
            assert start <= article.published < start.replace(day=start.day + 7)
    faults = {a.fault for a in articles}
    assert {"500-then-ok", "slow", "charset-mismatch", "huge"} <= faults
    assert {a.encoding for a in articles} == {"utf-8", "gbk"}


def test_topic_toml(web: FixtureWeb) -> None:
    topic = tomllib.loads(web.topic_toml("GPT-4o Demo"))
    assert topic["topic"]["name"] == "GPT-4o Demo"
    assert topic["topic"]["keywords"]["GPT-4o"] == 3.0
    assert [s["site"] for s in topic["sources"]] == [web.base_url(h) + "/" for h in HOSTS]
    assert 1 <= len(topic["cite"]) <= 2
    archive = {a.url: a for a in web.expected_articles(week=0)}
    for cite in topic["cite"]:
        assert cite["url"] in archive and archive[cite["url"]].on_topic
        assert cite["date"].startswith("2025-")
        assert fetch(cite["url"]).status == 200


# -- determinism, scale, sizes ----------------------------------------------------------------


def test_deterministic_by_seed() -> None:
    one, two = FixtureWeb(seed=0), FixtureWeb(seed=0)
    assert one.expected_articles() == two.expected_articles()
    first = one.expected_articles()[3]
    assert one.article_text(first) == two.article_text(first)
    other = FixtureWeb(seed=1).expected_articles()
    assert [a.title for a in other] != [a.title for a in one.expected_articles()]


def test_scale_200_is_large_and_fast() -> None:
    started = time.perf_counter()
    big = FixtureWeb(scale=200)
    assert time.perf_counter() - started < 10
    total = sum(len(big.expected_articles(week=w)) for w in (0, 1, 2))
    assert total >= 5_000
    big.set_week(2)
    articles = [a for s in big.world.sites for a in s.articles if a.fault is None][::97]
    timings = []
    for article in articles:
        started = time.perf_counter()
        response = big.router.route(article.site, article.path, 2)
        timings.append(time.perf_counter() - started)
        assert response.status == 200
    timings.sort()
    assert timings[len(timings) // 2] < 0.005
    with big:
        sitemap = fetch(big.base_url(HOSTS[0]) + "/sitemap-index.xml").text
        assert sitemap.count("<sitemap>") >= 5
        page = fetch(big.base_url(HOSTS[1]) + "/keji/?page=100")
        assert page.status == 200


def test_page_kb_sizes() -> None:
    with FixtureWeb(page_kb=(20, 150)) as padded:
        sizes = [len(fetch(a.url).body) for a in padded.expected_articles()
                 if a.fault is None and a.kind != "private"][::3]
    assert all(20 * 1024 <= s <= 150 * 1024 for s in sizes)
    assert max(sizes) - min(sizes) > 50 * 1024


def test_crawl_delay_is_configurable() -> None:
    with FixtureWeb(hosts=HOSTS, crawl_delay=0.2) as quick:
        assert "Crawl-delay: 0.2\n" in fetch(quick.base_url(HOSTS[1]) + "/robots.txt").text
    with FixtureWeb(hosts=HOSTS, crawl_delay=None) as none:
        assert "Crawl-delay" not in fetch(none.base_url(HOSTS[1]) + "/robots.txt").text


def test_needs_three_distinct_hosts() -> None:
    with pytest.raises(ValueError):
        FixtureWeb(hosts=("127.0.0.2", "127.0.0.3"))
    with pytest.raises(ValueError):
        FixtureWeb(hosts=("127.0.0.2", "127.0.0.2", "127.0.0.3"))


def test_command_line() -> None:
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "demoweb", "--hosts", ",".join(HOSTS), "--port", "0"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        urls = [line.split()[0] for line in lines[1:]]
        assert all(u.startswith("http://127.0.0.") for u in urls)
        assert fetch(urls[0] + "robots.txt").status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(10)
    assert proc.returncode == 0
