"""What parsing the seed folder produces: seeds, cited URLs, topics, sources and problems.

Import these from :mod:`crawler.seeds`; they live here so the format parsers
(:mod:`crawler.seedformats`) and the topic builder (:mod:`crawler.seeds`) share them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


class SeedError(Exception):
    """The seed folder as a whole cannot be used (missing, not a folder)."""


@dataclass
class CitedURL:
    """A URL a seed cites, normalised (see :func:`crawler.urls.normalize_url`)."""

    url: str
    kind: str  # "article" | "image" | "document" | "video" | "self" | "contact"
    title: str | None = None  # the citation or link text when known
    date: str | None = None  # ISO date when known (a topic file's [[cite]] date)
    line: int | None = None  # line in the seed file


@dataclass
class SeedProblem:
    """Something wrong with one seed file; the file (or the item) is skipped, the rest goes on."""

    path: str
    line: int | None
    level: str  # "error" | "warning"
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"


@dataclass
class Source:
    """A site to watch: its home, the article URLs seeds cite on it, its feeds and sitemaps."""

    site: str  # "https://www.reuters.com/" (scheme://host/)
    host: str
    start_urls: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


@dataclass
class TopicSpec:
    """A topic as a topic file (``*.toml``) or an OPML subscription list defines it."""

    name: str
    slug: str
    path: str  # the file that defines it
    keywords: dict[str, float] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    threshold: float | None = None
    since: datetime.date | None = None
    seed_globs: list[str] = field(default_factory=list)  # seed files (same folder) it claims
    sources: list[Source] = field(default_factory=list)


@dataclass
class Seed:
    """One seed document, whatever its shape."""

    path: str
    format: str  # "frontmatter" | "tagged" | "citations" | "html" | "topic" | "opml" | "text"
    title: str | None = None
    date: datetime.date | None = None
    author: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    topic: str | None = None  # explicit topic name, if any
    keywords: dict[str, float] = field(default_factory=dict)  # weighted, best first
    urls: list[CitedURL] = field(default_factory=list)
    text: str = ""  # body text (for profiles); never stored verbatim in the repository
    publisher: str | None = None  # where the document says it comes from (front matter 来源)
    definitions: list[TopicSpec] = field(default_factory=list)  # topic and OPML files

    @property
    def article_urls(self) -> list[CitedURL]:
        return [u for u in self.urls if u.kind == "article"]


@dataclass
class Topic:
    """A topic: what to look for (weighted keywords) and where (sources)."""

    name: str
    slug: str
    keywords: dict[str, float] = field(default_factory=dict)  # explicit keywords weigh more
    exclude: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    threshold: float = 2.0  # see crawler.relevance
    since: datetime.date | None = None  # the newest seed date: nothing older is "new"
    seeds: list[str] = field(default_factory=list)  # seed paths
    sources: list[Source] = field(default_factory=list)
    cited: list[CitedURL] = field(default_factory=list)  # every cited URL, of every kind


@dataclass
class SeedSet:
    """Everything :func:`crawler.seeds.load_seeds` found in a seed folder."""

    topics: list[Topic] = field(default_factory=list)
    seeds: list[Seed] = field(default_factory=list)
    problems: list[SeedProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[SeedProblem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[SeedProblem]:
        return [p for p in self.problems if p.level == "warning"]

    def topic(self, slug_or_name: str) -> Topic | None:
        """The topic with this slug or name (case-insensitive), or None."""
        wanted = slug_or_name.casefold()
        for topic in self.topics:
            if wanted in (topic.slug.casefold(), topic.name.casefold()):
                return topic
        return None
