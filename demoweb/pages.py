"""HTML pages of the fixture web: article pages, home and listing pages, static and error pages.

Each kind of site has its own template (an English news site, a Chinese news portal, a bilingual
blog) with the boilerplate real sites carry: navigation, breadcrumbs, share buttons, related links,
comments and a footer. Pages are returned as ``str``; the caller encodes them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from html import escape

from . import text
from .catalog import TAGS
from .world import TZ, Article, Site, World

# Marker around the comment list: the huge page streams its padding there.
COMMENTS_END = "<!-- /comments -->"

UI: dict[str, dict[str, str]] = {
    "en": {"home": "Home", "related": "Related stories", "comments": "Comments",
           "share": "Share", "by": "By", "latest": "Latest", "next": "Next page",
           "prev": "Previous page", "more": "More from", "tags": "Topics",
           "updated": "Updated", "most_read": "Most read", "reply": "Reply"},
    "zh": {"home": "首页", "related": "相关阅读", "comments": "网友评论", "share": "分享到",
           "by": "作者", "latest": "最新", "next": "下一页", "prev": "上一页",
           "more": "更多来自", "tags": "标签", "updated": "更新", "most_read": "热门排行",
           "reply": "回复"},
}


def esc(value: str) -> str:
    """HTML-escape text (quotes too)."""
    return escape(value, quote=True)


def iso(when: datetime, site: Site | None = None) -> str:
    """ISO 8601 with offset, seconds precision (in the site's timezone when given)."""
    if site is not None:
        when = when.astimezone(site.tz)
    return when.isoformat(timespec="seconds")


def visible_date(site: Site, when: datetime, lang: str) -> str:
    """The date line a reader sees."""
    local = when.astimezone(site.tz)
    if site.kind == "news-en":
        return f"{local:%Y-%m-%d %H:%M} UTC"
    if lang == "zh" and site.kind == "news-zh":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


_ESCAPED: dict[tuple[str, str], list[tuple[str, str, int, int]]] = {}
_HM = [f"{m // 60:02d}:{m % 60:02d}" for m in range(1440)]


def _extra_bytes(value: str, encoding: str) -> int:
    """Encoded length minus character count (0 for ASCII)."""
    return len(value.encode(encoding, "xmlcharrefreplace")) - len(value)


def _escaped_pool(lang: str, encoding: str) -> list[tuple[str, str, int, int]]:
    """The comment pool, HTML-escaped, with each entry's extra encoded bytes."""
    pool = _ESCAPED.get((lang, encoding))
    if pool is None:
        pool = []
        for author, said in text.comment_pool(lang):
            a, t = esc(author), esc(said)
            pool.append((a, t, _extra_bytes(a, encoding), _extra_bytes(t, encoding)))
        _ESCAPED[(lang, encoding)] = pool
    return pool


class Renderer:
    """Renders the pages of a :class:`World`; ``base_url(host)`` gives ``http://host:port``."""

    def __init__(self, world: World, base_url: Callable[[str], str]) -> None:
        self.world = world
        self.base_url = base_url

    def url(self, article: Article) -> str:
        """Clean absolute URL of an article."""
        return self.base_url(article.site.host) + article.path

    def lead(self, article: Article) -> str:
        """The first sentence of an article (for teasers and descriptions)."""
        source = article.original or article
        return text.lead_of(article.lang, article.topic, article.sub, article.seed,
                            source.published.astimezone(TZ))

    # -- shared chrome ------------------------------------------------------------------------

    def _nav(self, site: Site, mega: bool) -> str:
        ui = UI[site.lang]
        links = [f'<li><a href="/">{ui["home"]}</a></li>']
        for section in site.sections.values():
            links.append(f'<li><a href="/{section.slug}/">{esc(section.title)}</a></li>')
        if site.kind == "news-en":
            links.append('<li class="special"><a href="/tag/gpt-4o/">GPT-4o special</a></li>')
        if site.kind == "blog":
            links += ['<li><a href="/tag/openai/">AI</a></li>',
                      '<li><a href="/tag/recipes/">Kitchen 厨房</a></li>',
                      '<li><a href="/about/">About 关于</a></li>']
        if mega:
            for slug, names in TAGS.items():
                links.append(f'<li class="mega"><a href="/tag/{slug}/">{esc(names[site.lang])}'
                             "</a></li>")
            for group in site.authors.values():
                for author in group:
                    links.append(f'<li class="mega"><a href="/author/{author.slug}/">'
                                 f"{esc(author.name)}</a></li>")
        return '<nav class="main-nav" aria-label="Main"><ul>' + "".join(links) + "</ul></nav>"

    def _header(self, site: Site) -> str:
        if site.kind == "news-en":
            return ('<div class="top-bar"><a href="/subscribe/">Subscribe</a> · '
                    '<a href="/account/login/">Sign in</a> · <span class="edition">'
                    'International edition</span></div>'
                    f'<header class="masthead"><a class="logo" href="/">{esc(site.name)}</a>'
                    f'<p class="tagline">{esc(site.tagline)}</p></header>')
        if site.kind == "news-zh":
            return ('<div class="topbar"><a href="/app/">客户端下载</a> | <a href="/member/login">'
                    '登录</a> | <a href="/member/register">注册</a></div>'
                    f'<div class="header"><a href="/" class="logo">{esc(site.name)}</a>'
                    f'<span class="slogan">{esc(site.tagline)}</span></div>')
        return (f'<header class="site-header"><a class="site-title" href="/">{esc(site.name)}</a>'
                f'<p class="site-description">{esc(site.tagline)}</p></header>')

    def _footer(self, site: Site, mega: bool, week: int) -> str:
        year = 2026
        if site.kind == "news-zh":
            extra = ""
            if mega:
                extra = self._link_list(self.world.listed(site, week)[:30], "footer-links")
            return ('<div class="footer"><p><a href="/about/">关于我们</a> | '
                    '<a href="/contact/">联系方式</a> | <a href="/privacy/">隐私政策</a> | '
                    f'<a href="/copyright/">版权声明</a></p>{extra}'
                    f'<p>Copyright © {year} {esc(site.name)} 版权所有　'
                    '浙ICP备20261109号-1</p><p>违法和不良信息举报电话：0571-0000000</p></div>')
        extra = ""
        if mega:
            extra = self._link_list(self.world.listed(site, week)[:30], "footer-links")
        links = ('<a href="/about/">About</a> · <a href="/contact/">Contact</a> · '
                 '<a href="/privacy/">Privacy</a> · <a href="/terms/">Terms</a>')
        if site.kind == "blog":
            links += " · Powered by a static site generator"
        return (f'<footer class="site-footer"><p>{links}</p>{extra}'
                f"<p>© {year} {esc(site.name)}. All rights reserved.</p></footer>")

    def _link_list(self, articles: list[Article], css: str) -> str:
        items = "".join(f'<li><a href="{a.path}">{esc(a.title)}</a></li>' for a in articles)
        return f'<ul class="{css}">{items}</ul>'

    def _feed_links(self, site: Site) -> str:
        if site.kind == "news-en":
            out = (f'<link rel="alternate" type="application/rss+xml" title="{esc(site.name)}" '
                   'href="/rss.xml">')
            if site.faults:
                out += ('<link rel="alternate" type="application/rss+xml" title="Sport" '
                        'href="/feeds/sport.xml">')
            return out
        if site.kind == "news-zh":
            return (f'<link rel="alternate" type="application/rss+xml" title="{esc(site.name)}" '
                    'href="/index.rdf">')
        return (f'<link rel="alternate" type="application/rss+xml" title="{esc(site.name)}" '
                'href="/feed.xml"><link rel="alternate" type="application/feed+json" '
                f'title="{esc(site.name)} (JSON)" href="/feed.json">')

    def _document(self, site: Site, lang: str, charset_meta: str, title: str, head: str,
                  body_class: str, body: str) -> str:
        html_lang = "zh-CN" if lang == "zh" else "en"
        return (f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n{charset_meta}\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{esc(title)}</title>\n{head}\n"
                '<link rel="stylesheet" href="/static/site.css">\n'
                f'</head>\n<body class="{body_class}">\n{body}\n'
                '<script src="/static/app.js" defer></script>\n</body>\n</html>\n')

    @staticmethod
    def charset_meta(declared: str) -> str:
        """The charset declaration in <head> (old Chinese pages use the http-equiv form)."""
        if declared == "gb2312":
            return '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        return f'<meta charset="{declared}">'

    # -- article pages ------------------------------------------------------------------------

    def _related(self, article: Article, week: int, rng: random.Random, count: int
                 ) -> list[Article]:
        site = article.site
        pool = (self.world.listing(site, week, "section", article.section) if article.section
                else self.world.listed(site, week))
        if len(pool) < count + 1:
            pool = self.world.listed(site, week)
        window = pool[: max(60, count * 4)]
        chosen = rng.sample(window, min(len(window), count + 1))
        return [a for a in chosen if a is not article][:count]

    def comment_thread(self, article: Article, rng: random.Random, *, count: int | None = None,
                       budget: int = 0, limit: int = 0, encoding: str = "utf-8") -> str:
        """Reader comments: ``count`` of them, or enough to fill at least ``budget`` and at most
        ``limit`` encoded bytes."""
        site, lang = article.site, article.lang
        pool = _escaped_pool(lang, encoding)
        reply = UI[lang]["reply"]
        local = article.published.astimezone(site.tz)
        offset = local.strftime("%z")
        offset = f"{offset[:3]}:{offset[3:]}"
        style = ("en" if site.kind == "news-en" else
                 "zh" if site.kind == "news-zh" and lang == "zh" else "plain")
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        days: dict[int, tuple[str, str]] = {}
        joiner = "" if lang == "zh" else " "
        fixed_extra = _extra_bytes(reply, encoding)
        day_extra = _extra_bytes("年月日", encoding)
        parts: list[str] = []
        size = number = 0
        minutes = local.hour * 60 + local.minute
        while (number < count) if count is not None else (size < budget):
            number += 1
            minutes += 3 + int(rng.random() * 238)
            day_index, minute_of_day = divmod(minutes, 1440)
            hm = _HM[minute_of_day]
            if day_index not in days:
                d = midnight + timedelta(days=day_index)
                iso_day = f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
                shown_day = f"{d.year}年{d.month}月{d.day}日" if style == "zh" else iso_day
                days[day_index] = (iso_day, shown_day)
            day, shown_day = days[day_index]
            shown = f"{shown_day} {hm} UTC" if style == "en" else f"{shown_day} {hm}"
            author, said, extra, said_extra = pool[int(rng.random() * len(pool))]
            extra += said_extra + fixed_extra + (day_extra if style == "zh" else 0)
            if count is None:  # padding: long-winded readers
                for _ in range(int(rng.random() * 4)):
                    more = pool[int(rng.random() * len(pool))]
                    said += joiner + more[1]
                    extra += more[3]
            block = (f'<div class="comment" id="c{number}"><p class="comment-meta"><span '
                     f'class="comment-author">{author}</span> <time datetime="{day}T{hm}:00'
                     f'{offset}">{shown}</time></p><p class="comment-text">{said}</p>'
                     f'<a class="reply" href="#c{number}">{reply}</a></div>\n')
            if count is None and size + len(block) + extra > limit:
                break
            size += len(block) + extra
            parts.append(block)
        if count is None and size < budget:
            parts.append("<!--" + " " * max(0, budget - size - 7) + "-->")
        return "".join(parts)

    def _share(self, site: Site, url: str, title: str) -> str:
        from urllib.parse import quote

        u, t = quote(url, safe=""), quote(title, safe="")
        if site.kind == "news-zh":
            return (f'<div class="share">分享到：<a href="https://service.weibo.com/share/share.php'
                    f'?url={u}&amp;title={t}" rel="nofollow">微博</a> <a href="javascript:;" '
                    'class="wechat">微信</a> <a href="https://sns.qzone.qq.com/cgi-bin/qzshare/'
                    f'cgi_qzshare_onekey?url={u}" rel="nofollow">QQ空间</a></div>')
        return (f'<div class="share">Share: <a href="https://twitter.com/intent/tweet?url={u}'
                f'&amp;text={t}" rel="nofollow">X</a> <a href="https://www.facebook.com/sharer/'
                f'sharer.php?u={u}" rel="nofollow">Facebook</a> <a href="https://www.linkedin.com/'
                f'sharing/share-offsite/?url={u}" rel="nofollow">LinkedIn</a> <a href="mailto:?'
                f'subject={t}&amp;body={u}">Email</a></div>')

    def article_page(self, article: Article, week: int, encoding: str | None = None) -> str:
        """The full HTML of an article page as seen at ``week``.

        With ``page_kb`` set on the world, the page is padded (longer body, mega menu, long
        related list and comment thread) to a size drawn from that range, measured in
        ``encoding`` bytes.
        """
        world, site, lang = self.world, article.site, article.lang
        ui = UI[lang]
        comp = world.composition(article)
        url = self.url(article)
        canonical = self.url(article.original) if article.original else url
        description = comp.lead if len(comp.lead) < 160 else comp.lead[:157] + "..."
        updated = article.updated_at(week)
        rng = random.Random(article.seed ^ (0xA5A5 + site.index))
        mega = world.page_kb is not None
        related = self._related(article, week, rng, 12 if mega else rng.randint(5, 8))
        section = site.sections.get(article.section)
        author_link = f'<a rel="author" href="/author/{article.author.slug}/">' \
                      f"{esc(article.author.name)}</a>"
        date_text = visible_date(site, article.published, lang)
        published_iso = iso(article.published, site)

        head = [f'<meta name="description" content="{esc(description)}">',
                f'<link rel="canonical" href="{esc(canonical)}">',
                '<meta property="og:type" content="article">',
                f'<meta property="og:title" content="{esc(comp.title)}">',
                f'<meta property="og:url" content="{esc(canonical)}">',
                f'<meta property="og:site_name" content="{esc(site.name)}">',
                f'<meta property="og:description" content="{esc(description)}">',
                f'<meta property="article:published_time" content="{published_iso}">',
                f'<meta name="author" content="{esc(article.author.name)}">']
        if updated:
            head.append(f'<meta property="article:modified_time" content="{iso(updated, site)}">')
        if site.kind == "news-zh":
            keywords = ",".join(TAGS[t]["zh"] for t in article.tags)
            head.append(f'<meta name="keywords" content="{esc(keywords)}">')
        else:
            head += [f'<meta property="article:tag" content="{esc(TAGS[t]["en"])}">'
                     for t in article.tags]
            ld = {"@context": "https://schema.org", "@type": "NewsArticle"
                  if site.kind == "news-en" else "BlogPosting", "headline": comp.title,
                  "datePublished": published_iso, "author": {
                      "@type": "Person", "name": article.author.name},
                  "mainEntityOfPage": canonical, "inLanguage": lang}
            if updated:
                ld["dateModified"] = iso(updated, site)
            head.append('<script type="application/ld+json">'
                        + json.dumps(ld, ensure_ascii=False).replace("</", "<\\/") + "</script>")
        head.append(self._feed_links(site))

        paragraphs = comp.paragraphs
        indent = "\u3000\u3000" if site.kind == "news-zh" and lang == "zh" else ""
        body_parts: list[str] = []
        for i, para in enumerate(paragraphs):
            body_parts.append(f"<p>{indent}{esc(para)}</p>")
            if i == 1 and site.kind != "blog":
                body_parts.append('<div class="ad-slot" aria-hidden="true">'
                                  + ("广告" if site.kind == "news-zh" else "Advertisement")
                                  + "</div>")
            if i == 2 and site.kind != "blog" and related:
                label = "延伸阅读：" if lang == "zh" else "Read more: "
                body_parts.append(f'<p class="read-more"><strong>{label}</strong><a href="'
                                  f'{related[0].path}">{esc(related[0].title)}</a></p>')
        body_html = "\n".join(body_parts)
        tags_html = "".join(f'<li><a href="/tag/{t}/">{esc(TAGS[t][site.lang])}</a></li>'
                            for t in article.tags)
        share = self._share(site, canonical, comp.title)
        related_html = self._link_list(related, "related-list")

        if site.kind == "news-en":
            crumbs = (f'<div class="breadcrumbs"><a href="/">Home</a> › <a href="/{section.slug}/">'
                      f"{esc(section.title)}</a> › <span>{esc(comp.title)}</span></div>"
                      if section else "")
            upd = (f' · <span class="updated">{ui["updated"]} '
                   f"{visible_date(site, updated, lang)}</span>" if updated else "")
            story = (f'<article class="story"><h1 class="headline">{esc(comp.title)}</h1>'
                     f'<p class="byline">{ui["by"]} {author_link} | <time datetime="'
                     f'{published_iso}">{date_text}</time>{upd}</p>{share}'
                     f'<div class="story-body">\n{body_html}\n</div>'
                     f'<ul class="tags">{tags_html}</ul></article>')
            related_block = f'<aside class="related"><h2>{ui["related"]}</h2>{related_html}</aside>'
        elif site.kind == "news-zh":
            crumbs = (f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/'
                      f'{section.slug}/">{esc(section.title)}</a> &gt; 正文</div>'
                      if section else "")
            editor = rng.choice(["王五", "陈静", "刘洋", "吴涛"])
            story = (f'<div class="article"><h1>{esc(comp.title)}</h1><div class="info">'
                     f'<span class="time">{date_text}</span>　<span class="source">来源：'
                     f'{esc(site.name)}</span>　<span class="author">作者：{author_link}</span>'
                     f'</div>{share}<div class="content" id="content">\n{body_html}\n</div>'
                     f'<div class="editor">（责任编辑：{editor}）</div>'
                     f'<div class="keywords">{ui["tags"]}：<ul>{tags_html}</ul></div></div>')
            related_block = f'<div class="related"><h3>{ui["related"]}</h3>{related_html}</div>'
        else:
            crumbs = ""
            note = ""
            if article.original is not None:
                origin = article.original.site.name
                if lang == "zh":
                    note = (f'<p class="syndication">本文转载自<a href="{esc(canonical)}">'
                            f"{esc(origin)}</a>，版权归原作者所有。</p>")
                else:
                    note = (f'<p class="syndication">Originally published by <a href="'
                            f'{esc(canonical)}">{esc(origin)}</a>. Republished with '
                            "permission.</p>")
            story = (f'<article class="post"><header class="post-header"><h1 class="post-title">'
                     f'{esc(comp.title)}</h1><div class="post-meta"><time datetime="'
                     f'{published_iso}">{date_text}</time> · {author_link}</div>{note}'
                     f'</header><div class="post-content">\n{body_html}\n</div>'
                     f'<footer class="post-footer"><ul class="post-tags">{tags_html}</ul>{share}'
                     "</footer></article>")
            related_block = (f'<section class="related-posts"><h2>'
                             f'{"相关文章" if lang == "zh" else "You may also like"}</h2>'
                             f"{related_html}</section>")
        most_read = ""
        if mega:
            most_read = (f'<aside class="most-read"><h2>{ui["most_read"]}</h2>'
                         + self._link_list(self.world.listed(site, week)[:20], "most-read-list")
                         + "</aside>")
        pre = "\n".join([self._header(site), self._nav(site, mega), crumbs, "<main>", story,
                         related_block, most_read,
                         f'<section class="comments" id="comments"><h2>{ui["comments"]}</h2>'])
        post = "\n".join([COMMENTS_END + "</section>", "</main>",
                          self._footer(site, mega, week)])
        encoding = encoding or "utf-8"
        document_head = "\n".join(head)
        charset = self.charset_meta(article.declared_charset)
        page_title = (f"{comp.title}_{site.name}" if site.kind == "news-zh"
                      else f"{comp.title} | {site.name}")
        shell = self._document(site, lang, charset, page_title, document_head, "article-page",
                               pre + "\n{COMMENTS}\n" + post)
        before, after = shell.split("{COMMENTS}", 1)
        thread = self._comments(article, rng, len(before.encode(encoding, "xmlcharrefreplace"))
                                + len(after.encode(encoding, "xmlcharrefreplace")), encoding)
        return before + thread + after

    def _comments(self, article: Article, rng: random.Random, shell_bytes: int,
                  encoding: str) -> str:
        page_kb = self.world.page_kb
        if page_kb is None:
            return self.comment_thread(article, rng, count=rng.randint(3, 8))
        low, high = page_kb[0] * 1024, page_kb[1] * 1024
        target = int(rng.uniform(low, high - min(2048, (high - low) // 2)))
        return self.comment_thread(article, rng, budget=max(low, target) - shell_bytes,
                                   limit=high - shell_bytes, encoding=encoding)

    # -- listings -----------------------------------------------------------------------------

    def _item(self, site: Site, article: Article, teaser: bool) -> str:
        date = visible_date(site, article.published, article.lang)
        lead = f'<p class="teaser">{esc(self.lead(article))}</p>' if teaser else ""
        return (f'<li class="item"><a class="title" href="{article.path}">{esc(article.title)}</a>'
                f' <span class="date">{date}</span>{lead}</li>')

    def listing_page(self, site: Site, week: int, heading: str, items: list[Article],
                     page: int, page_url: Callable[[int], str], pages: int,
                     extra: str = "") -> str:
        """A home, section, tag or author page: one page of ``items`` plus pagination links."""
        ui = UI[site.lang]
        lis = "".join(self._item(site, a, teaser=True) for a in items)
        nav = []
        head = [self._feed_links(site)]
        if page > 1:
            nav.append(f'<a class="prev" rel="prev" href="{page_url(page - 1)}">{ui["prev"]}</a>')
            head.append(f'<link rel="prev" href="{page_url(page - 1)}">')
        if page < pages:
            nav.append(f'<a class="next" rel="next" href="{page_url(page + 1)}">{ui["next"]}</a>')
            head.append(f'<link rel="next" href="{page_url(page + 1)}">')
        pager = f'<div class="pagination">{" ".join(nav)}</div>' if nav else ""
        body = "\n".join([self._header(site), self._nav(site, False), "<main>",
                          f'<h1 class="listing-title">{esc(heading)}</h1>',
                          f'<ul class="listing">{lis}</ul>', pager, extra, "</main>",
                          self._footer(site, False, week)])
        title = heading if heading == site.name else f"{heading} - {site.name}"
        charset = self.charset_meta("gbk" if site.kind == "news-zh" else "utf-8")
        return self._document(site, site.lang, charset, title, "\n".join(head), "listing-page",
                              body)

    def simple_page(self, site: Site, week: int, title: str, paragraphs: list[str],
                    body_class: str = "static-page") -> str:
        """A small page (about, contact, search, errors) in the site's template."""
        body = "\n".join([self._header(site), self._nav(site, False), "<main>",
                          f"<h1>{esc(title)}</h1>",
                          *[f"<p>{p}</p>" for p in paragraphs], "</main>",
                          self._footer(site, False, week)])
        charset = self.charset_meta("gbk" if site.kind == "news-zh" else "utf-8")
        return self._document(site, site.lang, charset, f"{title} - {site.name}", "", body_class,
                              body)
