"""Scale-out: many crawl workers on one shared frontier (scrapy-redis), one writer.

With ``SEEDWIRE_REDIS_URL`` (``[scale] redis_url``) set, ``scrapy crawl sources`` is one
*worker* of many, on any number of machines:

* :mod:`crawler.scale.frontier`: scrapy-redis' scheduler and dupefilter on a per-generation
  queue and seen-set in Redis, and when a generation is finished;
* :mod:`crawler.scale.worker`: the spider without SQLite (sources, profiles and "already
  stored?" from Redis) and the pipeline that queues extraction results for the writer;
* :mod:`crawler.scale.writer`: ``seedwire ingest``, the one writer: publishes what workers read,
  drains their results into SQLite (the crawl pipeline's own storing code), reliably;
* :mod:`crawler.scale.local`: N local workers plus the writer (``seedwire scale crawl``, the
  scheduler's crawl job in scale mode).

Key names: :mod:`crawler.scale.keys`. Without a Redis URL nothing here is imported beyond this
module, and nothing changes.
"""

from __future__ import annotations

import sys
from typing import Any

ARTICLE_PIPELINE = "crawler.pipelines.ArticlePipeline"
OUTBOX_PIPELINE = "crawler.scale.worker.OutboxPipeline"


class ScaleAddon:
    """Scrapy add-on: with ``SEEDWIRE_REDIS_URL`` set (environment, seedwire.toml or ``-s``),
    use the shared frontier and queue results for the writer. Otherwise it does nothing."""

    def update_settings(self, settings: Any) -> None:
        url = settings.get("SEEDWIRE_REDIS_URL")
        if not url:
            return
        try:
            import scrapy_redis  # noqa: F401
        except ImportError:
            sys.exit("seedwire: SEEDWIRE_REDIS_URL is set but scrapy-redis is not installed: "
                     "pip install 'seedwire[scale]'")
        settings.set("SCHEDULER", "crawler.scale.frontier.FrontierScheduler", "project")
        settings.set("DUPEFILTER_CLASS", "crawler.scale.frontier.SeenFilter", "project")
        settings.set("SCHEDULER_PERSIST", True, "project")
        settings.set("REDIS_URL", url, "project")
        # a worker takes no more fetched pages than it extracts soon: the others get the rest
        # of the queue, and a worker that dies loses little
        settings.set("SCRAPER_SLOT_MAX_ACTIVE_SIZE", 1_000_000, "project")
        handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))  # Crawl-delay across workers
        handlers.update({scheme: "crawler.scale.politeness.PoliteDownloadHandler"
                         for scheme in ("http", "https")})
        settings.set("DOWNLOAD_HANDLERS", handlers, "project")
        pipelines = dict(settings.getdict("ITEM_PIPELINES"))
        order = pipelines.get(ARTICLE_PIPELINE) or 300
        settings.set("ITEM_PIPELINES", {ARTICLE_PIPELINE: None, OUTBOX_PIPELINE: order},
                     "project")
