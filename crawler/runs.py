"""A `crawl_runs` row per crawl: started, progress every few seconds, finished with its stats."""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, datetime
from typing import Any

from scrapy import signals

from crawler import store

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 5.0


def summarize_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """The counts an operator reads: requests, responses by status, articles, errors by kind."""
    out: dict[str, Any] = {
        "requests": stats.get("downloader/request_count", 0),
        "responses": stats.get("downloader/response_count", 0),
        "bytes": stats.get("downloader/response_bytes", 0),
        "status": {}, "articles": {}, "errors": {}, "skipped": {}, "listings": {},
    }
    for key, value in stats.items():
        if key.startswith("downloader/response_status_count/"):
            out["status"][key.rsplit("/", 1)[1]] = value
        elif key.startswith("seedwire/articles/"):
            out["articles"][key.rsplit("/", 1)[1]] = value
        elif key.startswith("seedwire/errors/"):
            out["errors"][key.split("/", 2)[2]] = value
        elif key.startswith("seedwire/skip/"):
            out["skipped"][key.rsplit("/", 1)[1]] = value
        elif key.startswith("seedwire/listings/"):
            out["listings"][key.rsplit("/", 1)[1]] = value
        elif key.startswith("downloader/exception_type_count/"):
            name = key.rsplit(".", 1)[-1]
            out["errors"][f"download:{name}"] = value
    for key in ("robotstxt/forbidden", "retry/count", "retry/max_reached"):
        if key in stats:
            out[key.replace("/", "_")] = stats[key]
    if "elapsed_time_seconds" in stats:
        out["seconds"] = round(stats["elapsed_time_seconds"], 1)
    return out


class CrawlRunExtension:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.task: asyncio.Task[None] | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlRunExtension:
        return cls(crawler)

    def spider_opened(self, spider: Any) -> None:
        if getattr(spider, "db", None) is None:
            return
        args = {"pid": os.getpid(), "topic": getattr(spider, "topic_filter", None),
                "source": getattr(spider, "source_filter", None)}
        spider.run_id = store.start_run(spider.db, now=datetime.now(UTC), args=args)
        self.task = asyncio.get_running_loop().create_task(self.progress(spider))

    async def progress(self, spider: Any) -> None:
        while True:
            await asyncio.sleep(PROGRESS_EVERY)
            stats = summarize_stats(self.crawler.stats.get_stats())
            store.update_run_stats(spider.db, spider.run_id, stats)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task is not None:
            self.task.cancel()
        if getattr(spider, "run_id", None) is None:
            return
        stats = summarize_stats(self.crawler.stats.get_stats())
        status = "finished" if reason == "finished" else reason
        store.finish_run(spider.db, spider.run_id, now=datetime.now(UTC), status=status,
                         stats=stats)
        logger.info("crawl run %s %s: %s", spider.run_id, status, stats)
