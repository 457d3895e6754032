"""Feeds (RSS 2.0, RSS 1.0/RDF, Atom, JSON Feed), sitemaps and robots.txt of the fixture web."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

from .catalog import TAGS
from .world import (
    SITEMAP_CHUNK,
    TRACKING_QUERY,
    Article,
    Site,
    World,
    clock_now,
    week_of,
)

XML_DECL = '<?xml version="1.0" encoding="{}"?>\n'


def x(value: str) -> str:
    """XML-escape text and attribute values."""
    return escape(value, quote=True)


def rfc822(when: datetime) -> str:
    """RFC 822 date as used by RSS 2.0 (in GMT)."""
    return format_datetime(when.astimezone(UTC), usegmt=True)


def w3c(when: datetime, site: Site | None = None) -> str:
    """W3C datetime with offset (Atom, sitemaps, RSS 1.0 dc:date), in the site's timezone."""
    if site is not None:
        when = when.astimezone(site.tz)
    return when.isoformat(timespec="seconds")


class FeedWriter:
    """Writes the machine-readable documents of one world."""

    def __init__(self, world: World, base_url: Callable[[str], str],
                 lead: Callable[[Article], str]) -> None:
        self.world = world
        self.base_url = base_url
        self.lead = lead

    def _url(self, article: Article, tracking: bool = False) -> str:
        url = self.base_url(article.site.host) + article.path
        if tracking and article.kind == "syndicated":
            url += "?" + TRACKING_QUERY
        return url

    def last_modified(self, articles: list[Article], week: int) -> datetime:
        """Newest modification among ``articles`` (the clock's week start if empty)."""
        if not articles:
            return clock_now(week)
        return max(a.modified_at(week) for a in articles)

    # -- feeds --------------------------------------------------------------------------------

    def rss2(self, site: Site, week: int, path: str, churn: int | None = None) -> str:
        """RSS 2.0. With ``churn`` (a request counter), every item gets a fresh GUID and pubDate
        on each request and syndicated copies are linked with tracking parameters."""
        base = self.base_url(site.host)
        items = self.world.feed_items(site, week)
        now = clock_now(week)
        out = [XML_DECL.format("UTF-8"),
               '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
               'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n',
               f"<title>{x(site.name)}</title>\n<link>{base}/</link>\n",
               f"<description>{x(site.tagline)}</description>\n",
               f"<language>{'en' if site.lang == 'en' else 'zh-cn'}</language>\n",
               f'<atom:link href="{base}{path}" rel="self" type="application/rss+xml"/>\n']
        if churn is None:
            out.append(f"<lastBuildDate>{rfc822(self.last_modified(items, week))}"
                       "</lastBuildDate>\n")
        else:
            out.append(f"<lastBuildDate>{rfc822(now + timedelta(seconds=churn))}"
                       "</lastBuildDate>\n")
        for i, article in enumerate(items):
            link = self._url(article, tracking=churn is not None)
            if churn is None:
                guid = f'<guid isPermaLink="true">{x(link)}</guid>'
                date = rfc822(article.published)
            else:
                guid = (f'<guid isPermaLink="false">{site.key}-{churn:06d}-'
                        f"{(article.seed ^ churn) & 0xFFFFFF:06x}</guid>")
                date = rfc822(now - timedelta(minutes=17 * i) + timedelta(seconds=churn))
            categories = "".join(f"<category>{x(TAGS[t][site.lang])}</category>"
                                 for t in article.tags)
            out.append(f"<item>\n<title>{x(article.title)}</title>\n<link>{x(link)}</link>\n"
                       f"{guid}\n<pubDate>{date}</pubDate>\n"
                       f"<dc:creator>{x(article.author.name)}</dc:creator>\n{categories}\n"
                       f"<description>{x(self.lead(article))}</description>\n</item>\n")
        out.append("</channel>\n</rss>\n")
        return "".join(out)

    def rss1(self, site: Site, week: int, path: str) -> str:
        """RSS 1.0 (RDF), declared and meant to be encoded as GBK."""
        base = self.base_url(site.host)
        items = self.world.feed_items(site, week)
        out = [XML_DECL.format("GBK"),
               '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
               'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">\n',
               f'<channel rdf:about="{base}{path}">\n<title>{x(site.name)}</title>\n'
               f"<link>{base}/</link>\n<description>{x(site.tagline)}</description>\n"
               f"<dc:date>{w3c(self.last_modified(items, week), site)}</dc:date>\n",
               "<items>\n<rdf:Seq>\n"]
        out += [f'<rdf:li rdf:resource="{x(self._url(a))}"/>\n' for a in items]
        out.append("</rdf:Seq>\n</items>\n</channel>\n")
        for article in items:
            link = x(self._url(article))
            out.append(f'<item rdf:about="{link}">\n<title>{x(article.title)}</title>\n'
                       f"<link>{link}</link>\n<description>{x(self.lead(article))}</description>\n"
                       f"<dc:date>{w3c(article.published, site)}</dc:date>\n"
                       f"<dc:creator>{x(article.author.name)}</dc:creator>\n</item>\n")
        out.append("</rdf:RDF>\n")
        return "".join(out)

    def atom(self, site: Site, week: int, path: str) -> str:
        """Atom 1.0; on the Chinese news host it also carries flash news found nowhere else."""
        base = self.base_url(site.host)
        items = self.world.feed_items(site, week, flash=site.kind == "news-zh")
        out = [XML_DECL.format("UTF-8"),
               f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{site.lang}">\n',
               f"<title>{x(site.name)}</title>\n<subtitle>{x(site.tagline)}</subtitle>\n",
               f"<id>{base}/</id>\n",
               f"<updated>{w3c(self.last_modified(items, week), site)}</updated>\n",
               f'<link rel="self" type="application/atom+xml" href="{base}{path}"/>\n',
               f'<link rel="alternate" type="text/html" href="{base}/"/>\n']
        for article in items:
            link = x(self._url(article))
            out.append(f"<entry>\n<title>{x(article.title)}</title>\n"
                       f'<link rel="alternate" type="text/html" href="{link}"/>\n'
                       f"<id>{link}</id>\n<published>{w3c(article.published, site)}</published>\n"
                       f"<updated>{w3c(article.modified_at(week), site)}</updated>\n"
                       f"<author><name>{x(article.author.name)}</name></author>\n"
                       f"<summary>{x(self.lead(article))}</summary>\n</entry>\n")
        out.append("</feed>\n")
        return "".join(out)

    def json_feed(self, site: Site, week: int, path: str) -> str:
        """JSON Feed 1.1."""
        base = self.base_url(site.host)
        items = []
        for article in self.world.feed_items(site, week):
            url = self._url(article)
            items.append({
                "id": url, "url": url, "title": article.title,
                "summary": self.lead(article), "content_text": self.lead(article),
                "date_published": w3c(article.published, site),
                "date_modified": w3c(article.modified_at(week), site),
                "authors": [{"name": article.author.name}], "language": article.lang,
                "tags": [TAGS[t][article.lang] for t in article.tags],
            })
        feed = {"version": "https://jsonfeed.org/version/1.1", "title": site.name,
                "home_page_url": f"{base}/", "feed_url": f"{base}{path}",
                "description": site.tagline, "language": site.lang, "items": items}
        return json.dumps(feed, ensure_ascii=False, indent=1)

    def truncated(self, document: str) -> str:
        """A feed or sitemap cut off mid-way (malformed XML)."""
        return document[: max(200, int(len(document) * 0.55))]

    # -- sitemaps -----------------------------------------------------------------------------

    def sitemap_chunks(self, site: Site, week: int) -> list[list[Article]]:
        """Listed articles, oldest first, in files of SITEMAP_CHUNK URLs."""
        items = list(reversed(self.world.listed(site, week)))
        return [items[i:i + SITEMAP_CHUNK] for i in range(0, len(items), SITEMAP_CHUNK)] or [[]]

    def urlset(self, site: Site, week: int, articles: list[Article],
               extra: list[tuple[str, datetime]] = ()) -> str:  # type: ignore[assignment]
        """A sitemap ``urlset`` with ``lastmod`` per URL."""
        out = [XML_DECL.format("UTF-8"),
               '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
        for article in articles:
            out.append(f"<url><loc>{x(self._url(article))}</loc>"
                       f"<lastmod>{w3c(article.modified_at(week), site)}</lastmod></url>\n")
        base = self.base_url(site.host)
        for path, when in extra:
            out.append(f"<url><loc>{base}{path}</loc><lastmod>{w3c(when, site)}</lastmod></url>\n")
        out.append("</urlset>\n")
        return "".join(out)

    def sitemap_index(self, site: Site, entries: list[tuple[str, datetime]]) -> str:
        """A ``sitemapindex`` pointing at ``entries`` (path, lastmod)."""
        base = self.base_url(site.host)
        out = [XML_DECL.format("UTF-8"),
               '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
        out += [f"<sitemap><loc>{base}{p}</loc><lastmod>{w3c(when, site)}</lastmod></sitemap>\n"
                for p, when in entries]
        out.append("</sitemapindex>\n")
        return "".join(out)

    def news_sitemap(self, site: Site, week: int) -> str:
        """Google News sitemap with the articles published in the current week."""
        items = [a for a in reversed(self.world.listed(site, week))
                 if week_of(a.published) == week][:1000]
        out = [XML_DECL.format("UTF-8"),
               '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
               'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n']
        for article in items:
            out.append(f"<url><loc>{x(self._url(article))}</loc><news:news><news:publication>"
                       f"<news:name>{x(site.name)}</news:name><news:language>{article.lang}"
                       "</news:language></news:publication><news:publication_date>"
                       f"{w3c(article.published, site)}</news:publication_date><news:title>"
                       f"{x(article.title)}</news:title></news:news></url>\n")
        out.append("</urlset>\n")
        return "".join(out)

    # -- robots.txt ---------------------------------------------------------------------------

    def robots(self, site: Site) -> str:
        """robots.txt: disallowed sections, Crawl-delay and Sitemap lines per kind of site."""
        base = self.base_url(site.host)
        if site.kind == "news-en":
            return ("# robots.txt for " + site.name + "\n"
                    "User-agent: *\nDisallow: /private/\nDisallow: /account/\nAllow: /\n\n"
                    "User-agent: BadBot\nDisallow: /\n\n"
                    f"Sitemap: {base}/sitemap-index.xml\nSitemap: {base}/sitemap-news.xml\n")
        if site.kind == "news-zh":
            delay = self.world.crawl_delay
            line = f"Crawl-delay: {delay:g}\n" if delay is not None else ""
            return (f"User-agent: *\n{line}Disallow: /search/\nDisallow: /member/\n\n"
                    f"Sitemap: {base}/sitemap.xml\n")
        lines = ("User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
                 f"Sitemap: {base}/sitemap.xml\n")
        if site.faults:
            lines += f"Sitemap: {base}/sitemap-legacy.xml\n"
        return lines
