"""The item pipeline: extract (process pool) → canonical URL → dedupe → relevance → store.

Every item that is not stored is dropped with a reason and a stats counter
(``seedwire/articles/<reason>``); nothing is silently lost: a duplicate is recorded against the
first copy, a page without article text is remembered so it is not fetched again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any

from scrapy.exceptions import DropItem

from crawler import store
from crawler.dedupe import MIN_SIMILARITY
from crawler.items import ArticleItem, PageItem
from crawler.urls import host_of, normalize_url, same_site
from crawler.workers import PageResult, make_pool, process_page

logger = logging.getLogger(__name__)


def choose_canonical(declared: str | None, fetched: str) -> str:
    """rel=canonical / og:url when it is on the same site, else the fetched URL; normalised."""
    if declared and declared.startswith(("http://", "https://")) and same_site(declared, fetched):
        return normalize_url(declared)
    return normalize_url(fetched)


def choose_published(extracted: str | None, listed: str | None) -> str | None:
    """The feed's timestamp when it agrees with the page's date (more precise), else the page's."""
    if listed and (not extracted or listed[:10] == extracted[:10]):
        return listed
    return extracted or listed


class ArticlePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.workers = crawler.settings.getint("SEEDWIRE_EXTRACT_WORKERS", 1)
        self.extract = crawler.settings.getbool("SEEDWIRE_EXTRACT", True)
        self.pool: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArticlePipeline:
        return cls(crawler)

    @property
    def spider(self) -> Any:
        return self.crawler.spider

    def open_spider(self) -> None:
        if self.extract:
            self.pool = make_pool(self.workers, self.spider.profiles)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def drop(self, reason: str, message: str) -> DropItem:
        self.stats.inc_value(f"seedwire/articles/{reason}")
        return DropItem(message)

    async def run_worker(self, item: PageItem) -> PageResult | None:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.pool, process_page, item.body, item.url)
        except BrokenProcessPool:
            logger.error("extraction worker died on %s; restarting the pool", item.url)
            self.pool = make_pool(self.workers, self.spider.profiles)
            raise self.drop("worker_crash", f"extraction crashed: {item.url}") from None
        except Exception as exc:  # noqa: BLE001 - a bad page must never stop the crawl
            logger.exception("extraction failed on %s", item.url)
            raise self.drop("extract_error", f"extraction failed: {exc}") from exc

    def count(self, reason: str) -> None:
        self.stats.inc_value(f"seedwire/articles/{reason}")

    async def process_item(self, item: PageItem) -> ArticleItem:
        if not self.extract:
            raise self.drop("not_extracted", "extraction disabled")
        spider = self.spider
        result = await self.run_worker(item)
        return store_page(spider.db, item, result, now=spider.now, run_id=spider.run_id,
                          count=self.count)


def store_page(
    db: Any, item: PageItem, result: PageResult | None, *, now: datetime, run_id: int | None,
    count: Callable[[str], None],
) -> ArticleItem:
    """The writer's half of the pipeline: canonical URL → already stored? → near-duplicate check
    → insert. ``item.body`` is not read. Every outcome is counted (``count(reason)``: new,
    irrelevant, cited, duplicate, already_stored, no_text, original_replaced_copy); a page that
    is not stored as an article raises :class:`DropItem`.

    The crawl's pipeline calls it after extraction; in scale mode ``seedwire ingest`` (the one
    writer) calls it for the results the workers queued in Redis.
    """

    def drop(reason: str, message: str) -> DropItem:
        count(reason)
        return DropItem(message)

    if result is None:
        store.record_reject(db, item.key, "no article text", now)
        raise drop("no_text", f"no article text: {item.url}")
    canonical = choose_canonical(result.canonical_url, item.url)
    key = normalize_url(item.url)
    existing = store.article_id_for(db, canonical)
    if existing is not None:
        if canonical != key:
            store.record_duplicate(
                db, canonical_url=key, url=item.url, original_id=existing,
                reason="same-canonical", similarity=1.0, title=result.title,
                site=host_of(item.url), now=now, run_id=run_id,
            )
        raise drop("already_stored", f"already stored: {canonical}")
    scores = [store.TopicScore(slug, score, relevant, matched)
              for slug, score, matched, relevant in result.scores]
    record = store.NewArticle(
        canonical_url=canonical, url=item.url, text=result.text, site=host_of(canonical),
        title=result.title or item.listed_title, author=result.author,
        description=result.description,
        published=choose_published(result.published, item.listed_published),
        language=result.language, source=item.source, fingerprint=result.simhash,
        minhash=result.minhash, band_keys=result.band_keys, kind=item.kind, scores=scores,
        declared_canonical=result.canonical_url, sitename=result.sitename,
    )
    article_id = store_unless_duplicate(db, record, item, now=now, run_id=run_id, count=count)
    store.clear_reject(db, item.key)
    relevant = [s for s in scores if s.relevant]
    if item.kind == "cited":
        count("cited")
    elif relevant:
        count("new")
    else:
        count("irrelevant")
    return ArticleItem(
        id=article_id, url=item.url, canonical_url=canonical, kind=item.kind,
        title=record.title, author=record.author, published=record.published,
        language=record.language, site=record.site, source=item.source,
        description=record.description, text=record.text,
        topics=[{"topic": s.topic, "score": round(s.score, 3), "relevant": s.relevant,
                 "matched": s.matched} for s in scores],
    )


def store_unless_duplicate(
    db: Any, record: store.NewArticle, item: PageItem, *, now: datetime, run_id: int | None,
    count: Callable[[str], None],
) -> int:
    """Insert the article (its id), or record it as a near-duplicate of the first copy stored
    (counted as ``duplicate``; raises :class:`DropItem`).

    Exception: when the stored copy names this article as its original (a syndicated copy
    crawled first), this article takes its place and the copy becomes the duplicate.
    """
    near = []
    if record.minhash is not None:
        near = store.near_duplicates(db, record.band_keys, record.minhash, MIN_SIMILARITY,
                                     text=record.text)
    if not near:
        return store.insert_article(db, record, now=now, run_id=run_id)
    original, similarity = near[0]
    declared = store.declared_original(db, original)
    if declared and normalize_url(declared) == record.canonical_url \
            and not store.in_any_issue(db, original):
        count("original_replaced_copy")
        return store.promote_original(db, original, record, similarity=similarity,
                                      now=now, run_id=run_id)
    store.record_duplicate(
        db, canonical_url=record.canonical_url, url=item.url, original_id=original,
        reason="near-duplicate", similarity=similarity, title=record.title,
        site=record.site, now=now, run_id=run_id,
    )
    count("duplicate")
    raise DropItem(f"near-duplicate ({similarity:.2f}) of article {original}")
