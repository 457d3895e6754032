"""An issue's context as JSON (kept in ``digests.context``) and back: the archive and the feeds.

An issue is read back with today's site title, base URL, language and timezone, so the whole
archive speaks one language; an issue that cannot be read back is left out with a warning.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from crawler.config import Config
from crawler.store import digest_contexts
from digest.context import Coverage, Entry, IssueContext, TopicSection

logger = logging.getLogger(__name__)

__all__ = ["context_from_dict", "context_to_dict", "issue_history", "site_base_url"]


def context_to_dict(ctx: IssueContext) -> dict[str, Any]:
    """The issue as JSON-able data (kept in ``digests.context``)."""
    return {
        "number": ctx.number,
        "period": ctx.period,
        "starts": ctx.starts.isoformat(),
        "ends": ctx.ends.isoformat(),
        "subject": ctx.subject,
        "generated": ctx.generated.isoformat(),
        "site_title": ctx.site_title,
        "base_url": ctx.base_url,
        "language": ctx.language,
        "timezone": ctx.timezone,
        "quiet": ctx.quiet,
        "topics": [
            {
                "slug": section.slug,
                "name": section.name,
                "lead": section.lead,
                "entries": [
                    {
                        "article_id": e.article_id,
                        "title": e.title,
                        "url": e.url,
                        "site": e.site,
                        "published": e.published.isoformat() if e.published else None,
                        "summary": e.summary,
                        "language": e.language,
                        "score": e.score,
                        "summary_method": e.summary_method,
                        "also": [{"title": c.title, "url": c.url, "site": c.site} for c in e.also],
                    }
                    for e in section.entries
                ],
            }
            for section in ctx.topics
        ],
    }


def context_from_dict(data: dict[str, Any], config: Config) -> IssueContext | None:
    """An issue stored by :func:`context_to_dict`, with today's site title, base URL,
    language and timezone (so the whole archive speaks one language); None if unreadable."""
    try:
        tz = config.tz
        topics = [
            TopicSection(
                slug=t["slug"],
                name=t["name"],
                lead=t.get("lead", ""),
                entries=[
                    Entry(
                        article_id=int(e["article_id"]),
                        title=e["title"],
                        url=e["url"],
                        site=e["site"],
                        published=_day(e.get("published")),
                        summary=e.get("summary", ""),
                        language=e.get("language"),
                        score=float(e.get("score", 0.0)),
                        also=[Coverage(c["title"], c["url"], c["site"]) for c in e.get("also", [])],
                        summary_method=e.get("summary_method", "extractive"),
                    )
                    for e in t.get("entries", [])
                ],
            )
            for t in data.get("topics", [])
        ]
        return IssueContext(
            number=int(data["number"]),
            period=data["period"],
            starts=datetime.fromisoformat(data["starts"]).astimezone(tz),
            ends=datetime.fromisoformat(data["ends"]).astimezone(tz),
            subject=data["subject"],
            topics=topics,
            generated=datetime.fromisoformat(data["generated"]),
            site_title=config.site.title,
            base_url=site_base_url(config),
            language=config.site.language,
            timezone=config.site.timezone,
            quiet=bool(data.get("quiet", False)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        logger.warning("stored issue %s cannot be read back: %s", data.get("period"), exc)
        return None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def issue_history(db: Database, config: Config) -> list[IssueContext]:
    """Every stored issue as a context, newest number first (the archive and the feeds)."""
    history = []
    for row in digest_contexts(db):
        ctx = context_from_dict(row["context"], config) if row["context"] else None
        if ctx is None:
            logger.warning("issue %s has no stored context; left out of the archive", row["period"])
            continue
        history.append(ctx)
    return history


def site_base_url(config: Config) -> str:
    """``site.base_url`` with one trailing slash."""
    base = config.site.base_url.strip()
    return base if base.endswith("/") else base + "/"

