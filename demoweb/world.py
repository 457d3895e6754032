"""The content model of the fixture web: sites, articles, the clock and the ground truth.

Everything is derived from ``seed``: building a world twice gives the same articles, titles, dates
and paths. Only metadata (title, date, path, flags) is built up front; article bodies are composed
when a page is requested (:func:`demoweb.text.compose`).
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from .catalog import (
    ARCHIVE_PLAN,
    AUTHORS,
    KINDS,
    OFF_TAG,
    SECOND_LANGUAGE_SECTION,
    SECTIONS,
    SITE_NAMES,
    SUB_TAG,
    TOPIC_SECTION,
    WEEK_PLAN,
)
from .text import OFF_TOPICS, ON_TOPIC, SUBTOPICS, compose, compose_title

try:
    from zoneinfo import ZoneInfo

    TZ: tzinfo = ZoneInfo("Asia/Shanghai")
except Exception:  # pragma: no cover - no tz database: Shanghai has had no DST since 1991
    TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

#: Monday 00:00 (Asia/Shanghai) of each week of the fixture web's clock: ISO weeks 2026-W46, W47.
WEEK_STARTS: dict[int, datetime] = {
    1: datetime(2026, 11, 9, tzinfo=TZ),
    2: datetime(2026, 11, 16, tzinfo=TZ),
}
WEEKS: tuple[int, ...] = (1, 2)
#: Archive articles (week 0) are published between these instants.
ARCHIVE_START = datetime(2025, 2, 3, 9, 0, tzinfo=TZ)
ARCHIVE_END = datetime(2025, 12, 15, 18, 0, tzinfo=TZ)
#: Items per feed, articles per listing page, URLs per sitemap file.
FEED_ITEMS = 20
PAGE_SIZE = 6
SITEMAP_CHUNK = 1000

#: Tracking parameters the blog's RSS feed appends to the links of its syndicated copies.
TRACKING_QUERY = "utm_source=rss&utm_medium=feed&fbclid=abc"


def week_end(week: int) -> datetime:
    """The first instant after ``week``."""
    return WEEK_STARTS[week] + timedelta(days=7)


def clock_now(week: int) -> datetime:
    """The fixture web's "now" at ``week``: the last minute of that week (week 0: before week 1)."""
    if week <= 0:
        return WEEK_STARTS[1] - timedelta(minutes=1)
    return week_end(week) - timedelta(minutes=1)


def week_of(when: datetime) -> int:
    """The fixture week an instant falls in (0 before week 1, -1 after the last week)."""
    for week in WEEKS:
        if WEEK_STARTS[week] <= when < week_end(week):
            return week
    return 0 if when < WEEK_STARTS[WEEKS[0]] else -1


def stable_int(*parts: object) -> int:
    """A 63-bit integer derived from ``parts`` (stable across processes, unlike ``hash``)."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@dataclass(frozen=True, slots=True)
class Author:
    """A byline: display name and the slug of its ``/author/<slug>/`` page."""

    name: str
    slug: str
    lang: str


@dataclass(frozen=True, slots=True)
class Section:
    """A section of a news site (``/<slug>/``)."""

    slug: str
    title: str
    lang: str


@dataclass(eq=False, slots=True)
class Article:
    """One article of the fixture web (internal model; see :class:`ExpectedArticle`)."""

    id: str
    site: Site
    lang: str
    topic: str
    sub: str
    week: int
    published: datetime
    title: str
    author: Author
    section: str
    tags: tuple[str, ...]
    seed: int
    kind: str = "regular"  # regular, private, orphan, flash, syndicated
    fault: str | None = None
    encoding: str = "utf-8"
    declared_charset: str = "utf-8"  # what the page's <meta> says
    header_charset: str | None = "utf-8"  # charset in the Content-Type header, None = absent
    updated: datetime | None = None
    original: Article | None = None
    path: str = ""

    @property
    def on_topic(self) -> bool:
        """Whether the article is about the demo topic (GPT-4o)."""
        return self.topic == ON_TOPIC

    @property
    def listed(self) -> bool:
        """Shown on home, section, tag and author pages and in sitemaps and the main feeds."""
        return self.kind in ("regular", "syndicated")

    def updated_at(self, week: int) -> datetime | None:
        """The update time as visible at ``week`` (updates happen in a later week)."""
        if self.updated is not None and week_of(self.updated) <= week and week_of(
            self.updated
        ) != -1:
            return self.updated
        return None

    def modified_at(self, week: int) -> datetime:
        """Last modification visible at ``week`` (sitemap lastmod, Last-Modified)."""
        return self.updated_at(week) or self.published


@dataclass(eq=False)
class Site:
    """One host of the fixture web."""

    index: int
    host: str
    kind: str
    key: str
    name: str
    tagline: str
    lang: str
    faults: bool
    tz: tzinfo
    sections: dict[str, Section] = field(default_factory=dict)
    authors: dict[str, list[Author]] = field(default_factory=dict)
    articles: list[Article] = field(default_factory=list)
    by_path: dict[str, Article] = field(default_factory=dict)
    missing_path: str = ""  # a link target that answers 404
    withdrawn_path: str = ""  # listed in the sitemap, answers 404

    def author(self, slug: str) -> Author | None:
        """The author with ``slug``, if any."""
        for group in self.authors.values():
            for author in group:
                if author.slug == slug:
                    return author
        return None


@dataclass(frozen=True)
class ExpectedArticle:
    """Ground truth for one article page, as visible at the fixture web's current week.

    ``url`` is the clean URL of the page itself (no tracking parameters); ``canonical`` is what the
    page's ``<link rel="canonical">`` says (the original's URL for a syndicated copy).
    ``reachable``: linked from somewhere a crawler discovers (feed, sitemap, home or section page).
    ``allowed``: not disallowed by robots.txt. ``linked_from`` names the places that link to it.
    """

    id: str
    host: str
    path: str
    url: str
    language: str
    on_topic: bool
    week: int
    published: datetime
    title: str
    reachable: bool
    allowed: bool
    syndicated_of: str | None
    encoding: str
    fault: str | None
    topic: str = ""
    author: str = ""
    canonical: str = ""
    updated: datetime | None = None
    kind: str = "regular"
    linked_from: tuple[str, ...] = ()


def _slugify(title: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", title.lower()).split()
    return "-".join(words[:8])


class World:
    """All sites and articles for one (hosts, scale, seed, page_kb) configuration."""

    def __init__(
        self,
        hosts: tuple[str, ...],
        scale: int = 1,
        seed: int = 0,
        page_kb: tuple[int, int] | None = None,
        crawl_delay: float | None = 1.0,
    ) -> None:
        if len(hosts) < 3:
            raise ValueError("the fixture web needs at least three hosts")
        if len(set(hosts)) != len(hosts):
            raise ValueError("hosts must be distinct")
        if scale < 1:
            raise ValueError("scale must be >= 1")
        if page_kb is not None and not (0 < page_kb[0] <= page_kb[1]):
            raise ValueError("page_kb must be (low, high) with 0 < low <= high")
        self.hosts = tuple(hosts)
        self.scale = scale
        self.seed = seed
        self.page_kb = page_kb
        self.crawl_delay = crawl_delay
        self.sites: list[Site] = [self._make_site(i, host) for i, host in enumerate(hosts)]
        self.by_host: dict[str, Site] = {site.host: site for site in self.sites}
        self.by_id: dict[str, Article] = {}
        for site in self.sites:
            self._populate(site)
        for site in self.sites:
            if site.kind == "blog" and site.faults:
                self._syndicate(site)
            self._finish(site)
        self._cache: dict[tuple, object] = {}

    # -- building ---------------------------------------------------------------------------

    def _make_site(self, index: int, host: str) -> Site:
        kind = KINDS[index % 3]
        generation = index // 3
        names = SITE_NAMES[kind]
        key, name, tagline = names[generation % len(names)]
        if generation >= len(names):
            key, name = f"{key}{generation}", f"{name} {generation + 1}"
        site = Site(
            index=index, host=host, kind=kind, key=key, name=name, tagline=tagline,
            lang={"news-en": "en", "news-zh": "zh", "blog": "en"}[kind],
            faults=generation == 0, tz=UTC if kind == "news-en" else TZ,
        )
        for slug, title, lang in SECTIONS[kind]:
            site.sections[slug] = Section(slug, title, lang)
        for lang, people in AUTHORS[kind].items():
            site.authors[lang] = [Author(name, slug, lang) for name, slug in people]
        return site

    def _new_article(
        self, site: Site, week: int, serial: int, lang: str, topic: str, sub: str,
        published: datetime, kind: str = "regular", fault: str | None = None,
    ) -> Article:
        seed = stable_int(self.seed, site.key, week, serial, kind)
        rng = random.Random(seed)
        title, _, _ = compose_title(lang, topic, sub, rng, published)
        authors = site.authors.get(lang) or next(iter(site.authors.values()))
        author = authors[(seed >> 7) % len(authors)]
        if site.kind == "blog":
            section = ""
        elif lang != site.lang:
            section = SECOND_LANGUAGE_SECTION[site.kind]
        else:
            section = TOPIC_SECTION[site.kind][topic]
        tags = ("openai", "gpt-4o", SUB_TAG[sub]) if topic == ON_TOPIC else (OFF_TAG[topic],)
        article = Article(
            id=f"{site.key}-w{week}-{serial:05d}", site=site, lang=lang, topic=topic, sub=sub,
            week=week, published=published, title=title, author=author, section=section,
            tags=tags, seed=seed, kind=kind, fault=fault,
        )
        if site.kind == "news-zh":
            self._choose_charset(article, (seed >> 17) % 8)
        site.articles.append(article)
        return article

    @staticmethod
    def _choose_charset(article: Article, draw: int) -> None:
        """Chinese news host: mostly GBK (some with the charset only in <meta>), some UTF-8.

        ``draw`` is 0..7: 0-1 UTF-8 (a quarter), 2-4 GBK declared in the header too, 5-7 GBK
        declared only in <meta>. Archive pages are GBK declaring gb2312 (http-equiv)."""
        if article.week == 0:
            article.encoding, article.declared_charset, article.header_charset = (
                "gbk", "gb2312", None)
        elif article.lang == "zh" and draw < 2:
            article.encoding, article.declared_charset, article.header_charset = (
                "utf-8", "utf-8", "utf-8")
        else:
            article.encoding, article.declared_charset = "gbk", "gbk"
            article.header_charset = "GBK" if draw < 5 else None

    def _times(self, rng: random.Random, week: int, count: int) -> list[datetime]:
        if week == 0:
            start, span = ARCHIVE_START, (ARCHIVE_END - ARCHIVE_START).total_seconds()
        else:
            start, span = WEEK_STARTS[week], 7 * 86400 - 2 * 3600
        return sorted(
            start + timedelta(minutes=int(rng.uniform(0, span) // 60)) for _ in range(count)
        )

    def _populate(self, site: Site) -> None:
        serial = 0
        for week in (0, *WEEKS):
            rng = random.Random(stable_int(self.seed, site.key, week, "plan"))
            plan = ARCHIVE_PLAN[site.kind] if week == 0 else WEEK_PLAN[site.kind]
            slots: list[tuple[str, bool]] = []
            for lang, on, count in plan:
                slots += [(lang, on)] * (count * self.scale)
            if site.kind == "news-zh" and week and week % 2 == 0:
                slots = [(lang, on if lang == "zh" else False) for lang, on in slots]
            rng.shuffle(slots)
            on_i, off_i = rng.randrange(len(SUBTOPICS)), rng.randrange(len(OFF_TOPICS))
            for (lang, on), when in zip(slots, self._times(rng, week, len(slots)), strict=True):
                if on:
                    topic, sub = ON_TOPIC, SUBTOPICS[on_i % len(SUBTOPICS)]
                    on_i += 1
                else:
                    topic, sub = OFF_TOPICS[off_i % len(OFF_TOPICS)], ""
                    off_i += 1
                serial += 1
                self._new_article(site, week, serial, lang, topic, sub, when)
            if site.kind == "news-zh" and week:
                # flash news: only in the unadvertised Atom feed
                for when in self._times(rng, week, self.scale):
                    serial += 1
                    sub = SUBTOPICS[on_i % len(SUBTOPICS)]
                    on_i += 1
                    self._new_article(site, week, serial, "zh", ON_TOPIC, sub, when, kind="flash")
            if site.faults and week:
                serial = self._specials(site, week, serial, rng)

    def _specials(self, site: Site, week: int, serial: int, rng: random.Random) -> int:
        """Fault and edge-case articles (on the first site of each kind only)."""
        specs: list[tuple[str, str, str, str, str | None]] = []  # lang, topic, sub, kind, fault
        if site.kind == "news-en":
            if week == 1:
                specs += [("en", ON_TOPIC, "api", "regular", "500-then-ok"),
                          ("en", ON_TOPIC, "industry", "private", None),
                          ("en", "football", "", "private", None),
                          ("en", ON_TOPIC, "vision", "orphan", None)]
            else:
                specs += [("en", ON_TOPIC, "chatgpt", "private", None)]
        elif site.kind == "news-zh" and week == 1:
            specs += [("zh", "weather", "", "regular", "slow"),
                      ("zh", ON_TOPIC, "image", "regular", "charset-mismatch")]
        elif site.kind == "blog" and week == 1:
            specs += [("en", ON_TOPIC, "vision", "regular", "huge")]
        times = self._times(rng, week, len(specs))
        for (lang, topic, sub, kind, fault), when in zip(specs, times, strict=True):
            serial += 1
            article = self._new_article(site, week, serial, lang, topic, sub, when, kind, fault)
            if fault == "charset-mismatch":
                article.encoding, article.declared_charset, article.header_charset = (
                    "gbk", "utf-8", None)
        if site.kind == "news-en" and week == 1:
            first = next(
                a for a in site.articles
                if a.week == 1 and a.kind == "regular" and a.on_topic and a.lang == "en"
                and a.fault is None
            )
            first.updated = WEEK_STARTS[2] + timedelta(days=1, hours=10, minutes=15)
        return serial

    def _syndicate(self, blog: Site) -> None:
        """The blog reposts one English article from the first English news site and one Chinese
        article from the first Chinese news site (same text, rel=canonical to the original)."""
        serial = 90000
        for kind, lang in (("news-en", "en"), ("news-zh", "zh")):
            source = next(s for s in self.sites if s.kind == kind and s.faults)
            candidates = [
                a for a in source.articles
                if a.week == 1 and a.kind == "regular" and a.on_topic and a.lang == lang
                and a.fault is None and a.updated is None
                and a.published < week_end(1) - timedelta(days=1)
            ]
            # prefer a GBK original on the Chinese site: the copy is UTF-8
            candidates.sort(key=lambda a: a.encoding != ("gbk" if lang == "zh" else "utf-8"))
            original = candidates[0]
            serial += 1
            author = blog.authors[lang][0]
            copy = Article(
                id=f"{blog.key}-w1-{serial:05d}", site=blog, lang=lang, topic=original.topic,
                sub=original.sub, week=1, published=original.published + timedelta(hours=3),
                title=original.title, author=author, section="", tags=original.tags,
                seed=original.seed, kind="syndicated", original=original,
            )
            blog.articles.append(copy)

    def _finish(self, site: Site) -> None:
        """Sort by date, assign URL paths, index by path and id."""
        site.articles.sort(key=lambda a: (a.published, a.id))
        rng = random.Random(stable_int(self.seed, site.key, "paths"))
        used: set[str] = set()
        number = 30000 if site.kind == "news-zh" else 7000
        for article in site.articles:
            local = article.published.astimezone(site.tz)
            date = f"{local:%Y/%m/%d}"
            if site.kind == "news-en":
                if article.lang != "en":
                    number += rng.randint(1, 3)
                    path = f"/cn/{date}/{number}.html"
                else:
                    base = _slugify(article.title) or article.id
                    prefix = "/private" if article.kind == "private" else ""
                    path, k = f"{prefix}/{date}/{base}.html", 1
                    while path in used:
                        k += 1
                        path = f"{prefix}/{date}/{base}-{k}.html"
            elif site.kind == "news-zh":
                number += rng.randint(2, 4)
                path = f"/news/{number}.html"
            else:
                path = f"/p/{local:%Y%m%d}-{rng.getrandbits(16):04x}"
                while path in used:
                    path = f"/p/{local:%Y%m%d}-{rng.getrandbits(16):04x}"
            used.add(path)
            article.path = path
            site.by_path[path] = article
            self.by_id[article.id] = article
        if site.kind == "news-zh":
            week1 = [a for a in site.articles if a.week == 1]
            n = int(week1[0].path.split("/")[-1].split(".")[0]) + 1
            while f"/news/{n}.html" in site.by_path:
                n += 1
            site.missing_path = f"/news/{n}.html"
        elif site.kind == "news-en":
            site.missing_path = "/2026/11/11/correction-withdrawn-report.html"
            site.withdrawn_path = site.missing_path
        else:
            site.missing_path = "/p/20261111-0000"

    # -- queries ----------------------------------------------------------------------------

    def _cached(self, key: tuple, make):  # noqa: ANN001, ANN202 - tiny internal memo
        value = self._cache.get(key)
        if value is None:
            value = make()
            self._cache[key] = value
        return value

    def visible(self, site: Site, week: int) -> list[Article]:
        """Articles published by the end of ``week`` (oldest first)."""
        return self._cached(
            ("visible", site.index, week), lambda: [a for a in site.articles if a.week <= week]
        )

    def listed(self, site: Site, week: int) -> list[Article]:
        """Listed articles visible at ``week``, newest first."""
        return self._cached(
            ("listed", site.index, week),
            lambda: [a for a in reversed(self.visible(site, week)) if a.listed],
        )

    def listing(self, site: Site, week: int, what: str, value: str) -> list[Article]:
        """Newest-first articles of a section, tag or author."""
        def make() -> list[Article]:
            items = self.listed(site, week)
            if what == "section":
                return [a for a in items if a.section == value]
            if what == "tag":
                return [a for a in items if value in a.tags]
            return [a for a in items if a.author.slug == value]

        return self._cached(("listing", site.index, week, what, value), make)

    def feed_items(self, site: Site, week: int, flash: bool = False) -> list[Article]:
        """The latest items of a feed, newest first. ``flash``: the Atom feed, which also carries
        flash news: the latest items plus every flash item of the current week."""
        if not flash:
            return self.listed(site, week)[:FEED_ITEMS]

        def make() -> list[Article]:
            newest = [a for a in reversed(self.visible(site, week))
                      if a.kind in ("regular", "flash")]
            chosen = set(newest[:FEED_ITEMS])
            chosen |= {a for a in newest if a.kind == "flash" and a.week == week}
            return [a for a in newest if a in chosen]

        return self._cached(("flash", site.index, week), make)

    def _feed_set(self, site: Site, week: int, flash: bool) -> set[Article]:
        return self._cached(("feedset", site.index, week, flash),
                            lambda: set(self.feed_items(site, week, flash)))

    def private(self, site: Site, week: int) -> list[Article]:
        """Members-only articles (under a robots.txt-disallowed path), newest first."""
        return [a for a in reversed(self.visible(site, week)) if a.kind == "private"]

    def composition(self, article: Article):  # noqa: ANN201 - returns text.Composition
        """The article's full text (composed on demand)."""
        source = article.original or article
        return compose(
            article.lang, article.topic, article.sub, article.seed,
            source.published.astimezone(TZ), long=self.page_kb is not None,
        )

    def linked_from(self, article: Article, week: int) -> tuple[str, ...]:
        """Where a crawler finds links to ``article`` at ``week``: "sitemap", "listing" (home,
        section, tag and author pages), "home" (members box) or "feed:<path>"."""
        site = article.site
        if article.kind == "orphan" or article.week > week:
            return ()
        if article.kind == "private":
            return ("home",)
        in_atom = site.kind == "news-zh" and article in self._feed_set(site, week, True)
        if article.kind == "flash":
            return ("feed:/atom.xml",) if in_atom else ()
        places = ["sitemap", "listing"]
        in_feed = article in self._feed_set(site, week, False)
        if in_feed:
            places.append({"news-en": "feed:/rss.xml", "news-zh": "feed:/index.rdf",
                           "blog": "feed:/feed.xml"}[site.kind])
        if in_atom:
            places.append("feed:/atom.xml")
        if site.kind == "blog" and in_feed:
            places.append("feed:/feed.json")
        return tuple(places)
