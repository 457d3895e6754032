"""The one object templates see: an issue, its topics and entries. No logic in templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Coverage:
    """Another write-up of the same story ("also covered by")."""

    title: str
    url: str
    site: str


@dataclass
class Entry:
    article_id: int
    title: str
    url: str
    site: str
    published: date | None
    summary: str
    language: str | None
    score: float
    also: list[Coverage] = field(default_factory=list)
    summary_method: str = "extractive"  # extractive | llm | llm-cache


@dataclass
class TopicSection:
    slug: str
    name: str
    lead: str
    entries: list[Entry]


@dataclass
class IssueContext:
    number: int
    period: str  # "2026-W47" or "2026-11-01..2026-11-15"
    starts: datetime  # aware, in the configured timezone
    ends: datetime  # exclusive
    subject: str
    topics: list[TopicSection]
    generated: datetime  # the `now` it was built with
    site_title: str
    base_url: str  # public URL of out/, ends with "/"
    language: str  # "zh" | "en": the fixed words
    timezone: str
    quiet: bool = False  # an issue for a week with nothing new

    @property
    def entry_count(self) -> int:
        return sum(len(t.entries) for t in self.topics)
