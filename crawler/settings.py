"""Scrapy settings for `scrapy crawl sources`.

Flat constants, as Scrapy projects have them. Values come from the seedwire configuration
(``seedwire.toml`` < ``SEEDWIRE_*`` environment), and any of them can still be overridden on the
command line with ``-s NAME=VALUE`` (``-s SEEDWIRE_DB=/tmp/x.db``, ``-s CONCURRENT_REQUESTS=8``).
"""

from __future__ import annotations

import os
import sys

from crawler.config import ConfigError, load_config

try:
    _config = load_config()
except ConfigError as _exc:  # a clear line instead of a traceback from inside Scrapy
    sys.exit(f"seedwire: {_exc}")

BOT_NAME = "seedwire"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- seedwire ---------------------------------------------------------------------------------
SEEDWIRE_DB = str(_config.db_path)
SEEDWIRE_SEEDS_DIR = str(_config.seeds_dir)
SEEDWIRE_CONFIG_ROOT = str(_config.root)
SEEDWIRE_NOW = os.environ.get("SEEDWIRE_NOW", "")  # ISO time: makes first_seen deterministic
SEEDWIRE_DEPTH = _config.crawl.depth
SEEDWIRE_MAX_PAGES_PER_SOURCE = _config.crawl.max_pages_per_source
SEEDWIRE_MAX_AGE_DAYS = _config.crawl.max_age_days
SEEDWIRE_LASTMOD_MARGIN_HOURS = _config.crawl.lastmod_margin_hours
SEEDWIRE_ALLOW_PRIVATE_HOSTS = _config.crawl.allow_private_hosts
SEEDWIRE_EXTRACT_WORKERS = _config.crawl.extract_workers or (os.cpu_count() or 1)
SEEDWIRE_EXTRACT = True  # False: fetch only (the fetch layer's own ceiling, for benchmarks)
SEEDWIRE_REDIS_URL = _config.scale.redis_url  # set: one worker of many (crawler/scale/)
SEEDWIRE_WORKER_TIMEOUT = 30.0  # a worker silent this long is taken for dead

# --- politeness -------------------------------------------------------------------------------
ROBOTSTXT_OBEY = _config.crawl.obey_robots
USER_AGENT = _config.user_agent
CONCURRENT_REQUESTS = _config.crawl.concurrency
CONCURRENT_REQUESTS_PER_DOMAIN = _config.crawl.concurrency_per_host
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = _config.crawl.autothrottle
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = float(_config.crawl.concurrency_per_host)
DOWNLOAD_TIMEOUT = _config.crawl.download_timeout
DOWNLOAD_MAXSIZE = int(_config.crawl.max_download_mb * 1024 * 1024)
DOWNLOAD_WARNSIZE = DOWNLOAD_MAXSIZE // 2
RETRY_ENABLED = True
RETRY_TIMES = _config.crawl.retry_times
RETRY_HTTP_CODES = [408, 429, 500, 502, 503, 504, 522, 524]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
DNS_TIMEOUT = 20

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.PrivateAddressMiddleware": 50,
    "crawler.middlewares.CrawlDelayMiddleware": 60,
    # robots.txt for every request, also those that waited for it (crawler.robots)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.CompressedBodyMiddleware": 595,  # just before HttpCompression (590)
}
ITEM_PIPELINES = {
    "crawler.pipelines.ArticlePipeline": 300,
}
ADDONS = {
    "crawler.scale.ScaleAddon": 0,  # shared Redis frontier when SEEDWIRE_REDIS_URL is set
}
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "crawler.runs.CrawlRunExtension": 100,
}
CONCURRENT_ITEMS = 64

# --- Scrapy housekeeping ------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("SEEDWIRE_LOG_LEVEL", "INFO")
LOGSTATS_INTERVAL = 30.0
