"""Build an issue: select → cluster → summarise → topic leads → render → store → write out/.

:func:`build_issue` is the whole weekly step; the CLI (``seedwire digest build``) and the
scheduler call it with the configuration, the database and ``now``. A period is built at most
once as an issue: building it again replaces its content, items and files and keeps its number.

Periods (:func:`resolve_period`, :func:`parse_now`, :class:`DigestError`) live in
:mod:`digest.periods`, the stored issue as JSON (:func:`context_to_dict`,
:func:`context_from_dict`, :func:`issue_history`) in :mod:`digest.issuejson`; both are
importable from here too.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from crawler.config import Config
from crawler.store import (
    DigestItem,
    DigestNumberTaken,
    StoreSummaryCache,
    article_texts,
    get_digest,
    issue_topics,
    period_candidates,
    reserve_number,
    save_digest,
)
from crawler.timeparse import utc_iso
from digest.context import Coverage, Entry, IssueContext, TopicSection
from digest.i18n import Catalogue, language_or_default
from digest.issuejson import context_from_dict, context_to_dict, issue_history, site_base_url
from digest.llm import LLMConfig, summarize_article
from digest.periods import DigestError, Period, parse_now, resolve_period
from digest.render import render_issue, write_outputs
from digest.select import Selection, Story, candidates_from_rows, select_stories
from digest.summarize import topic_lead

logger = logging.getLogger(__name__)

__all__ = [
    "BuiltIssue",
    "DigestError",
    "Period",
    "build_issue",
    "context_from_dict",
    "context_to_dict",
    "issue_history",
    "make_subject",
    "one_line",
    "parse_now",
    "resolve_period",
]

SUBJECT_TITLE_CHARS = 120
_SUBJECT = {
    "zh": "{site} 第 {number} 期：{title}",
    "en": "{site} #{number}: {title}",
}
_SAVE_ATTEMPTS = 3


@dataclass
class BuiltIssue:
    """The result of :func:`build_issue`."""

    digest_id: int
    number: int
    period: str
    starts: datetime
    ends: datetime
    subject: str
    context: IssueContext
    paths: dict[str, Path]
    selection: Selection | None = None
    rebuilt: bool = False  # the period had an issue already (same number)
    methods: dict[str, int] = field(default_factory=dict)  # summaries per method

    @property
    def quiet(self) -> bool:
        return self.context.quiet

    @property
    def entries_per_topic(self) -> dict[str, int]:
        """Topic name → number of entries, in issue order."""
        return {section.name: len(section.entries) for section in self.context.topics}


# ----------------------------------------------------------------------------- subject


def one_line(text: str | None, limit: int | None = None) -> str:
    """Text from the web made safe for one line: no control or format characters, no line or
    paragraph separators, runs of white space as one space; at most ``limit`` characters."""
    if not text:
        return ""
    cleaned = []
    for ch in unicodedata.normalize("NFC", str(text)):
        category = unicodedata.category(ch)
        if category in ("Zl", "Zp") or ch.isspace():
            cleaned.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            cleaned.append(ch)
    line = " ".join("".join(cleaned).split())
    if limit is not None and len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def make_subject(site_title: str, number: int, title: str, language: str) -> str:
    """``seedwire weekly #3: GPT-4o gets real-time voice`` / ``seedwire weekly 第 3 期：…``."""
    pattern = _SUBJECT[language_or_default(language)]
    site = one_line(site_title, 80) or "seedwire"
    headline = one_line(title, SUBJECT_TITLE_CHARS)
    if not headline:
        return one_line(f"{site} {Catalogue(language)('issue', number=number)}")
    return one_line(pattern.format(site=site, number=number, title=headline))


# ----------------------------------------------------------------------------- build


def _llm(config: Config) -> LLMConfig | None:
    """The LLM backend when ``llm.base_url`` is set, else None (extractive summaries)."""
    if not config.llm.base_url:
        return None
    return LLMConfig(
        base_url=config.llm.base_url,
        model=config.llm.model,
        api_key=config.secret("llm_api_key"),
        timeout=config.llm.timeout,
    )


def _local_day(moment: datetime | None, tz: ZoneInfo) -> date | None:
    return moment.astimezone(tz).date() if moment else None


def _summaries(
    db: Database, config: Config, stories: list[tuple[str, Story]],
    keywords: dict[str, dict[str, float]], names: dict[str, str], now: datetime,
) -> list[tuple[str, str]]:
    """(summary, method) per story: the LLM when configured (cached in the store), else
    extractive; an article without text falls back on its description."""
    llm = _llm(config)
    cache = StoreSummaryCache(db, now) if llm is not None else None
    texts = article_texts(db, [story.lead.article_id for _, story in stories])
    out = []
    for topic, story in stories:
        lead = story.lead
        text = texts.get(lead.article_id, "")
        summary, method = "", "extractive"
        if text.strip():
            summary, method = summarize_article(
                text,
                article_key=lead.canonical_url or lead.url,
                language=lead.language,
                title=lead.title,
                topic_terms=keywords.get(topic) or None,
                llm=llm,
                cache=cache,
                topic_name=names.get(topic),
                max_chars_zh=config.digest.summary_chars,
                max_words_en=config.digest.summary_words,
            )
        if not summary.strip() and lead.description:
            summary, method = one_line(lead.description, 400), "description"
        out.append((summary.strip(), method))
    return out


def _sections(
    db: Database, config: Config, selection: Selection, topics: list[dict[str, Any]],
    now: datetime,
) -> tuple[list[TopicSection], dict[str, int]]:
    """The issue's topic sections, in the topics' order, with summaries and leads."""
    tz = config.tz
    names = {t["slug"]: t["name"] for t in topics}
    keywords = {t["slug"]: t["keywords"] for t in topics}
    order = [t["slug"] for t in topics if t["slug"] in selection.sections]
    order += sorted(set(selection.sections) - set(order))
    stories = [(slug, story) for slug in order for story in selection.sections[slug]]
    summaries = _summaries(db, config, stories, keywords, names, now)
    methods: dict[str, int] = {}
    entries: dict[str, list[Entry]] = {slug: [] for slug in order}
    for (slug, story), (summary, method) in zip(stories, summaries, strict=True):
        lead = story.lead
        methods[method] = methods.get(method, 0) + 1
        entries[slug].append(
            Entry(
                article_id=lead.article_id,
                title=one_line(lead.title) or lead.url,
                url=lead.url,
                site=lead.source_name,
                published=_local_day(lead.published, tz),
                summary=summary,
                language=lead.language,
                score=round(story.rank, 4),
                also=[
                    Coverage(title=one_line(c.title) or c.url, url=c.url, site=c.source_name)
                    for c in story.also
                ],
                summary_method=method,
            )
        )
    sections = []
    for slug in order:
        pairs = [(e.title, e.summary) for e in entries[slug]]
        lead_text = ""
        if len(pairs) > 1:  # one entry's lead would only repeat its summary
            lead_text = topic_lead(
                pairs, language=config.site.language, topic_terms=keywords.get(slug) or None
            )
            if lead_text.strip() in {summary.strip() for _, summary in pairs}:
                lead_text = ""
        sections.append(
            TopicSection(slug=slug, name=names.get(slug, slug), lead=lead_text,
                         entries=entries[slug])
        )
    return sections, methods


def _items(ctx: IssueContext, selection: Selection | None) -> list[DigestItem]:
    also: dict[int, list[int]] = {}
    if selection is not None:
        for stories in selection.sections.values():
            for story in stories:
                also[story.lead.article_id] = [c.article_id for c in story.also]
    items = []
    rank = 0
    for section in ctx.topics:
        for entry in section.entries:
            rank += 1
            items.append(
                DigestItem(
                    article_id=entry.article_id,
                    topic=section.slug,
                    rank=rank,
                    summary=entry.summary,
                    method=entry.summary_method,
                    also=also.get(entry.article_id, []),
                )
            )
    return items


def build_issue(
    db: Database,
    config: Config,
    *,
    period: str | None = None,
    since: date | None = None,
    until: date | None = None,
    topic: str | None = None,
    now: datetime,
) -> BuiltIssue | None:
    """Build, store and write the issue of a period; None when there is nothing to publish.

    ``period``/``since``/``until`` as in :func:`resolve_period`; ``topic`` (slug or name)
    limits the issue to one topic. With no new article the result is None, unless
    ``digest.quiet_week`` asks for a short "quiet week" issue. Raises :class:`DigestError`
    for a bad period or an unknown topic.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    span = resolve_period(config, period=period, since=since, until=until, now=now)
    topics = issue_topics(db, topic)
    if topic and not topics:
        known = ", ".join(t["name"] for t in issue_topics(db)) or "none yet: run `seedwire seeds`"
        raise DigestError(f"unknown topic {topic!r} (known: {known})")
    if span.starts > now:
        logger.warning("period %s has not started yet at %s", span.key, now.isoformat())
    elif span.ends > now:
        logger.warning("period %s is not over yet: building a partial issue", span.key)

    rows = period_candidates(
        db, utc_iso(span.starts), utc_iso(span.ends), period=span.key, topic=topic
    )
    selection = select_stories(
        candidates_from_rows(rows),
        starts=span.starts,
        per_topic=config.digest.per_topic,
        per_site=config.digest.per_site,
        max_age_days=config.crawl.max_age_days,
    )
    quiet = selection.entry_count == 0
    if quiet and not config.digest.quiet_week:
        logger.info("period %s: no new articles, no issue", span.key)
        return None
    sections, methods = ([], {}) if quiet else _sections(db, config, selection, topics, now)

    language = config.site.language
    t = Catalogue(language, config.site.timezone)
    top_title = t("quiet_week_title") if quiet else sections[0].entries[0].title
    existed = get_digest(db, span.key) is not None
    for attempt in range(_SAVE_ATTEMPTS):
        number = reserve_number(db, span.key)
        ctx = IssueContext(
            number=number,
            period=span.key,
            starts=span.starts,
            ends=span.ends,
            subject=make_subject(config.site.title, number, top_title, language),
            topics=sections,
            generated=now,
            site_title=config.site.title,
            base_url=site_base_url(config),
            language=language,
            timezone=config.site.timezone,
            quiet=quiet,
        )
        rendered = render_issue(ctx)
        try:
            digest_id = save_digest(
                db,
                period=span.key,
                number=number,
                subject=ctx.subject,
                html=rendered.email_html,
                text=rendered.email_txt,
                starts=utc_iso(span.starts),
                ends=utc_iso(span.ends),
                items=_items(ctx, None if quiet else selection),
                context=context_to_dict(ctx),
                now=now,
            )
        except DigestNumberTaken:
            if attempt + 1 == _SAVE_ATTEMPTS:
                raise
            logger.info("issue number %d was taken meanwhile; numbering again", number)
            continue
        break
    history = issue_history(db, config)
    paths = write_outputs(ctx, rendered, history=history, config=config, now=now)
    logger.info(
        "issue #%d (%s): %d entries in %d topics%s",
        number, span.key, ctx.entry_count, len(sections), " (quiet week)" if quiet else "",
    )
    return BuiltIssue(
        digest_id=digest_id,
        number=number,
        period=span.key,
        starts=span.starts,
        ends=span.ends,
        subject=ctx.subject,
        context=ctx,
        paths=paths,
        selection=selection,
        rebuilt=existed,
        methods=methods,
    )

