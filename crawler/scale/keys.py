"""The Redis keys of a scaled-out crawl, and how to connect.

Written by the one writer (``seedwire ingest``), read by the workers:

* ``seedwire:sources``: JSON document: the sources to crawl and the topic profiles' terms;
* ``seedwire:known``: set of URLs already stored (articles and duplicates, both spellings);
* ``seedwire:rejects``: sorted set, URL → when it may be fetched again (epoch seconds, ``inf``:
  never): pages without article text and failed fetches;
* ``seedwire:validators``: hash, feed/sitemap URL → JSON ``{"etag", "last_modified"}``;
* ``seedwire:watermarks``: hash, source → the watermark workers get: as of the last crawl
  whose workers all finished (a killed crawl must not hide what it did not fetch).

Written by the workers, read by the writer:

* ``seedwire:outbox``: list of versioned JSON messages (LPUSH; the writer takes them from the
  right with BLMOVE into ``seedwire:outbox:processing`` and removes them after the SQLite
  commit); ``seedwire:outbox:failed`` keeps messages that could not be read;
* ``seedwire:writer``: the writer's lock (one writer at a time).

One crawl generation ``G`` (every worker started while it runs joins it):

* ``seedwire:crawl:next`` (counter) and ``seedwire:crawl:current`` (the running generation);
* ``seedwire:crawl:G:requests``: the shared frontier (scrapy-redis priority queue);
* ``seedwire:crawl:G:seen``: the shared seen-set (scrapy-redis dupefilter; normalised URLs);
* ``seedwire:crawl:G:workers``: hash, worker → ``busy``, ``idle`` or ``closed:<reason>``;
* ``seedwire:crawl:G:alive:<worker>``: a worker's heartbeat (expires when it dies);
* ``seedwire:crawl:G:budget``: hash, source → pages requested (the per-source page budget);
* ``seedwire:crawl:G:validators``: validators of the listings read, saved by the writer only
  when every worker of the generation finished;
* ``seedwire:crawl:G:done``: set when the generation finished; its keys then expire.
"""

from __future__ import annotations

from typing import Any

PREFIX = "seedwire"
SOURCES = f"{PREFIX}:sources"
KNOWN = f"{PREFIX}:known"
REJECTS = f"{PREFIX}:rejects"
VALIDATORS = f"{PREFIX}:validators"
WATERMARKS = f"{PREFIX}:watermarks"
OUTBOX = f"{PREFIX}:outbox"
PROCESSING = f"{PREFIX}:outbox:processing"
FAILED = f"{PREFIX}:outbox:failed"
WRITER = f"{PREFIX}:writer"
RUNS = f"{PREFIX}:runs"  # hash, "<generation>:<worker>" → crawl_runs id
RUN_COUNTS = f"{PREFIX}:runcounts"  # + ":<run id>": hash, outcome → count (writer side)
GEN_COUNTER = f"{PREFIX}:crawl:next"
GEN_CURRENT = f"{PREFIX}:crawl:current"
GEN_KEEP_SECONDS = 24 * 3600  # a finished or abandoned generation's keys live this long


def gen_key(generation: int | str, name: str) -> str:
    return f"{PREFIX}:crawl:{generation}:{name}"


class ScaleError(Exception):
    """Redis is unreachable, nothing is published, or another writer runs."""


def connect(url: str) -> Any:
    """A redis-py client (bytes in, bytes out) for ``url``; a clear error when it is not there."""
    try:
        import redis
    except ImportError as exc:  # pragma: no cover - the `scale` extra is not installed
        raise ScaleError(
            "scale mode needs redis and scrapy-redis: pip install 'seedwire[scale]'"
        ) from exc
    client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10,
                                  health_check_interval=30)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise ScaleError(f"cannot reach Redis at {redact(url)}: {exc}") from exc
    return client


def redact(url: str) -> str:
    """The URL without its password (for logs and messages)."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
