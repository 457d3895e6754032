"""Items: what the spider hands the pipeline, and what the pipeline stores and exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """A fetched page that may be an article (the raw bytes; extraction decides)."""

    url: str                      # the URL fetched (after redirects)
    key: str                      # normalised URL it was requested under
    body: bytes
    content_type: str
    source: str                   # the source's site
    kind: str = "article"         # article | cited
    listed_published: str | None = None   # date a feed gave, ISO
    listed_title: str | None = None

    def __repr__(self) -> str:  # logs show the page, never its bytes
        return f"PageItem({self.kind} {self.url} {len(self.body)} bytes)"


@dataclass
class ArticleItem:
    """A stored article: what `scrapy crawl sources -O items.jsonl` exports."""

    id: int
    url: str
    canonical_url: str
    kind: str
    title: str | None
    author: str | None
    published: str | None
    language: str | None
    site: str
    source: str
    description: str | None
    text: str
    topics: list[dict[str, Any]] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"ArticleItem({self.id} {self.canonical_url} {self.title!r})"
