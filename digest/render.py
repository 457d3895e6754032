"""Render an issue: one context object → templates/ → email, feeds and the web archive.

Templates see an :class:`~digest.context.IssueContext` (``issue``), the message catalogue of
the configured language (``t``, see :mod:`digest.i18n`) and a :class:`Links` object that knows
where pages live.  Everything else (dates, plurals, wrapping, URL checks) happens here, in
:mod:`digest.i18n` or in the filters of :mod:`digest.filters`, so templates stay free of logic.

Safety: every template is autoescaped except the plain-text email (``*.txt.j2``), undefined
names raise (``StrictUndefined``), links taken from the web pass :func:`safe_url` (only http
and https survive, anything else becomes ``#``), and characters that XML 1.0 forbids are
removed from every output.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from crawler.config import Config
from digest.context import IssueContext, TopicSection
from digest.filters import (
    aware,
    clean_text,
    file_stem,
    lang_attr,
    rfc822,
    rfc3339,
    safe_url,
    underline,
    wrap_text,
)
from digest.i18n import Catalogue

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
UNSUBSCRIBE_MARKER = "%%UNSUBSCRIBE_URL%%"
#: Where the web app (``seedwire serve``) takes subscriptions and shows the generic unsubscribe
#: page, relative to ``site.base_url`` like every other public link.
SUBSCRIBE_PATH = "subscribe"
UNSUBSCRIBE_PATH = "unsubscribe"
TEXT_WIDTH = 78  # the plain-text email's line length
PREHEADER_CHARS = 160


# --------------------------------------------------------------------------- public types


@dataclass
class RenderedIssue:
    """One issue, ready to send and publish.

    ``email_html`` holds :data:`UNSUBSCRIBE_MARKER` as the ``href`` of the unsubscribe link
    and ``email_txt`` holds it once in the footer; delivery replaces it per recipient.
    ``web_html`` is the archive page of the issue (without the newer/older links, which
    need the history and are added by :func:`write_outputs`).
    """

    email_html: str
    email_txt: str
    web_html: str


def issue_file(issue: IssueContext) -> str:
    """``issues/2026-W47.html`` relative to the output folder."""
    return f"issues/{file_stem(issue.period, 'issue')}.html"


def topic_file(slug: str) -> str:
    """``topics/<slug>.html`` relative to the output folder."""
    return f"topics/{file_stem(slug, 'topic')}.html"


def newest_first(issues: Iterable[IssueContext]) -> list[IssueContext]:
    """Issues ordered newest first; one per period (the most recently generated wins)."""
    by_period: dict[str, IssueContext] = {}
    for issue in issues:
        seen = by_period.get(issue.period)
        if seen is None or aware(issue.generated) >= aware(seen.generated):
            by_period[issue.period] = issue
    return sorted(
        by_period.values(), key=lambda i: (aware(i.starts), i.number), reverse=True
    )


class Links:
    """Where pages live, either absolute (``base`` = the public URL) or relative (``../``)."""

    def __init__(self, base: str) -> None:
        self.base = base if not base or base.endswith("/") else base + "/"

    def _url(self, path: str) -> str:
        return self.base + quote(path, safe="/.-_~")

    @property
    def index(self) -> str:
        return self._url("index.html")

    @property
    def feed(self) -> str:
        return self._url("feed.xml")

    @property
    def atom(self) -> str:
        return self._url("atom.xml")

    @property
    def style(self) -> str:
        return self._url("style.css")

    @property
    def subscribe(self) -> str:
        return self._url(SUBSCRIBE_PATH)

    @property
    def unsubscribe(self) -> str:
        return self._url(UNSUBSCRIBE_PATH)

    def issue(self, issue: IssueContext) -> str:
        return self._url(issue_file(issue))

    def topic(self, topic: TopicSection | str) -> str:
        slug = topic if isinstance(topic, str) else topic.slug
        return self._url(topic_file(slug))


@dataclass
class FeedItem:
    """One issue as a feed entry; every string already formatted."""

    title: str
    link: str
    guid: str
    pub_date: str
    published: str
    updated: str
    summary: str
    content: str
    categories: list[TopicSection]


@dataclass
class TopicAppearance:
    """A topic's section in one issue, for the topic archive page."""

    issue: IssueContext
    section: TopicSection


# --------------------------------------------------------------------------- environment


def _autoescape(name: str | None) -> bool:
    """Escape every template except the plain-text ones (``*.txt.j2``)."""
    return not (name or "").endswith((".txt.j2", ".txt"))


def make_environment(templates_dir: Path | None = None) -> Environment:
    """The Jinja2 environment: autoescape, StrictUndefined, and the formatting filters."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir or TEMPLATES_DIR)),
        autoescape=_autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        safe_url=safe_url,
        lang_attr=lang_attr,
        wrap=wrap_text,
        underline=underline,
    )
    return env


_ENV: Environment | None = None


def environment() -> Environment:
    """The shared environment (templates are compiled once per process)."""
    global _ENV
    if _ENV is None:
        _ENV = make_environment()
    return _ENV


def _render(name: str, **values: Any) -> str:
    return clean_text(environment().get_template(name).render(**values))


_INLINER = css_inline.CSSInliner(
    keep_at_rules=True, minify_css=True, load_remote_stylesheets=False
)


def inline_css(html: str) -> str:
    """Move the ``<style>`` rules into ``style=""``; ``@media`` rules stay in a style block.

    The inliner puts the kept block first in ``<head>``; the charset declaration is moved back
    in front of it so that it stays within the first 1024 bytes browsers look at.
    """
    html = _INLINER.inline(html)
    charset = '<meta charset="utf-8">'
    if charset in html and "<head>" in html:
        html = html.replace(charset, "", 1).replace("<head>", "<head>" + charset, 1)
    return html


# --------------------------------------------------------------------------- issue


def preheader(ctx: IssueContext, t: Catalogue) -> str:
    """The inbox preview text: the first topic lead (or the quiet-week line)."""
    lead = next((topic.lead.strip() for topic in ctx.topics if topic.lead.strip()), "")
    if ctx.quiet or not lead:
        lead = t("quiet_week") if ctx.quiet or not ctx.topics else t.summary_line(
            len(ctx.topics), ctx.entry_count
        )
    lead = " ".join(lead.split())
    return lead if len(lead) <= PREHEADER_CHARS else lead[: PREHEADER_CHARS - 1] + "…"


def _catalogue(ctx: IssueContext) -> Catalogue:
    return Catalogue(ctx.language, ctx.timezone)


def render_email_html(ctx: IssueContext) -> str:
    """The HTML email, CSS inlined, with :data:`UNSUBSCRIBE_MARKER` as unsubscribe href."""
    t = _catalogue(ctx)
    html = _render(
        "email.html.j2",
        issue=ctx,
        t=t,
        links=Links(ctx.base_url),
        preheader=preheader(ctx, t),
        unsubscribe_url=Markup(UNSUBSCRIBE_MARKER),
    )
    return inline_css(html)


def render_email_txt(ctx: IssueContext) -> str:
    """The plain-text email; URLs in full, :data:`UNSUBSCRIBE_MARKER` once in the footer."""
    return _render(
        "email.txt.j2",
        issue=ctx,
        t=_catalogue(ctx),
        links=Links(ctx.base_url),
        unsubscribe_url=UNSUBSCRIBE_MARKER,
        width=TEXT_WIDTH,
    )


def render_issue_page(
    ctx: IssueContext,
    *,
    newer: IssueContext | None = None,
    older: IssueContext | None = None,
    description: str = "",
) -> str:
    """The archive page of one issue (``issues/<period>.html``)."""
    return _render(
        "archive/issue.html.j2",
        issue=ctx,
        t=_catalogue(ctx),
        links=Links("../"),
        absolute=Links(ctx.base_url),
        newer=newer,
        older=older,
        site_title=ctx.site_title,
        description=description,
    )


def render_issue(ctx: IssueContext) -> RenderedIssue:
    """Render the email (HTML and text) and the web page of one issue."""
    return RenderedIssue(
        email_html=render_email_html(ctx),
        email_txt=render_email_txt(ctx),
        web_html=render_issue_page(ctx),
    )


# --------------------------------------------------------------------------- feeds


def _feed_item(issue: IssueContext) -> FeedItem:
    t = _catalogue(issue)
    links = Links(issue.base_url)
    content = _render("feed_item.html.j2", issue=issue, t=t, links=links)
    url = links.issue(issue)
    title = issue.subject.strip() or f"{issue.site_title} · {t('issue', number=issue.number)}"
    summary = t("quiet_week") if issue.quiet or not issue.topics else t.summary_line(
        len(issue.topics), issue.entry_count
    )
    return FeedItem(
        title=title,
        link=url,
        guid=url,
        pub_date=rfc822(issue.generated),
        published=rfc3339(issue.generated),
        updated=rfc3339(issue.generated),
        summary=f"{t.period(issue.starts, issue.ends)} · {summary}",
        content=content.strip(),
        categories=list(issue.topics),
    )


def render_feeds(
    issues: list[IssueContext], *, config: Config, now: datetime
) -> tuple[str, str]:
    """``(rss_xml, atom_xml)``: one item per issue, newest first, ``config.digest.feed_items``.

    The feed's own date (RSS ``lastBuildDate``, Atom ``updated``) is the newest issue's
    ``generated`` time, so rebuilding without a new issue gives the same bytes; ``now`` is
    used only for a feed with no issues yet.
    """
    chosen = newest_first(issues)[: max(int(config.digest.feed_items), 0)]
    site = config.site
    base_url = site.base_url if site.base_url.endswith("/") else site.base_url + "/"
    t = Catalogue(site.language, site.timezone)
    links = Links(base_url)
    items = [_feed_item(issue) for issue in chosen]
    updated = max((aware(i.generated) for i in chosen), default=aware(now))
    values = dict(
        channel_title=site.title,
        channel_link=base_url,
        channel_description=site.description,
        channel_language=t.tag,
        author=site.author,
        links=links,
        feed_id=base_url,
        items=items,
        last_build_date=rfc822(updated),
        updated=rfc3339(updated),
    )
    return _render("rss.xml.j2", **values), _render("atom.xml.j2", **values)


# --------------------------------------------------------------------------- archive


def topic_appearances(history: list[IssueContext]) -> dict[str, list[TopicAppearance]]:
    """Every topic slug → its sections across ``history`` (newest issue first)."""
    found: dict[str, list[TopicAppearance]] = {}
    for issue in newest_first(history):
        for section in issue.topics:
            found.setdefault(section.slug, []).append(TopicAppearance(issue, section))
    return found


def render_index(history: list[IssueContext], *, config: Config) -> str:
    """The archive home page: every issue newest first, the topics, feeds, subscribe form."""
    issues = newest_first(history)
    topics = topic_appearances(issues)
    site = config.site
    base_url = site.base_url if site.base_url.endswith("/") else site.base_url + "/"
    return _render(
        "archive/index.html.j2",
        issues=issues,
        topics=[appearances[0].section for appearances in topics.values()],
        topic_counts={slug: sum(len(a.section.entries) for a in apps)
                      for slug, apps in topics.items()},
        t=Catalogue(site.language, site.timezone),
        links=Links(""),
        absolute=Links(base_url),
        site_title=site.title,
        description=site.description,
    )


def render_topic_page(slug: str, appearances: list[TopicAppearance], *, config: Config) -> str:
    """One topic across issues (``topics/<slug>.html``)."""
    site = config.site
    base_url = site.base_url if site.base_url.endswith("/") else site.base_url + "/"
    return _render(
        "archive/topic.html.j2",
        topic=appearances[0].section,
        appearances=appearances,
        t=Catalogue(site.language, site.timezone),
        links=Links("../"),
        absolute=Links(base_url),
        site_title=site.title,
        description=site.description,
    )


def stylesheet() -> str:
    """The archive's CSS (``style.css``)."""
    return (TEMPLATES_DIR / "archive" / "style.css").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- writing


def atomic_write(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_outputs(
    ctx: IssueContext,
    rendered: RenderedIssue,
    *,
    history: list[IssueContext],
    config: Config,
    now: datetime,
) -> dict[str, Path]:
    """Write the latest email, the feeds and the whole web archive under ``config.out_dir``.

    Files: ``email.html``, ``email.txt`` (the unsubscribe marker replaced by the generic
    unsubscribe page), ``feed.xml``, ``atom.xml``, ``style.css``, ``index.html``,
    ``issues/<period>.html`` for every issue in ``history`` and ``topics/<slug>.html`` for
    every topic in it.  Pages of issues or topics no longer in ``history`` are removed.
    Returns ``{"email_html", "email_txt", "feed_xml", "atom_xml", "style_css", "index_html",
    "issue_html"}`` plus every page under its relative path (``"issues/2026-W47.html"``).
    """
    out = Path(config.out_dir)
    history = [ctx if issue.period == ctx.period else issue for issue in history]
    if all(issue.period != ctx.period for issue in history):
        history.append(ctx)
    issues = newest_first(history)
    generic = Links(ctx.base_url).unsubscribe  # the web copy has no personal link
    written: dict[str, Path] = {}

    def put(key: str, relative: str, text: str) -> None:
        written[key] = atomic_write(out / relative, text)

    put("email_html", "email.html", rendered.email_html.replace(UNSUBSCRIBE_MARKER, generic))
    put("email_txt", "email.txt", rendered.email_txt.replace(UNSUBSCRIBE_MARKER, generic))
    rss, atom = render_feeds(issues, config=config, now=now)
    put("feed_xml", "feed.xml", rss)
    put("atom_xml", "atom.xml", atom)
    put("style_css", "style.css", stylesheet())
    put("index_html", "index.html", render_index(issues, config=config))

    for position, issue in enumerate(issues):
        newer = issues[position - 1] if position > 0 else None
        older = issues[position + 1] if position + 1 < len(issues) else None
        page = render_issue_page(
            issue, newer=newer, older=older, description=config.site.description
        )
        relative = issue_file(issue)
        put(relative, relative, page)
        if issue.period == ctx.period:
            written["issue_html"] = written[relative]

    for slug, appearances in topic_appearances(issues).items():
        relative = topic_file(slug)
        put(relative, relative, render_topic_page(slug, appearances, config=config))

    for folder in ("issues", "topics"):
        for stale in (out / folder).glob("*.html"):
            if f"{folder}/{stale.name}" not in written:
                logger.info("removing %s: no longer in the archive", stale)
                stale.unlink(missing_ok=True)
    return written
