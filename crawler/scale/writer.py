"""``seedwire ingest``: the one writer of a scaled-out crawl.

* **Publishes** what workers read instead of the database: the seeds are re-read into the
  store (as a crawl does at its start), then the sources and the topic profiles' terms
  (``seedwire:sources``), every stored URL (``seedwire:known``), rejected URLs with their next
  try (``seedwire:rejects``) and the listings' validators (``seedwire:validators``).
* **Drains** ``seedwire:outbox`` into SQLite with the reliable-queue pattern: BLMOVE moves a
  message to ``seedwire:outbox:processing``, the handler commits, LREM acknowledges. A writer
  killed in between finds the message there on restart (:meth:`Writer.recover`) and handles it
  again; handlers are idempotent (a page already stored is counted ``already_stored``).
  Messages wait in Redis while no writer runs; workers never need one to be up.
* Pages go through :func:`crawler.pipelines.store_page`, the crawl pipeline's own storing code
  (canonical URL, near-duplicate check, insert), and every URL it stores joins the known set
  at once.
* Listing validators of a crawl generation are saved only when every worker of it finished
  (as a single crawl saves them only when it finishes): after a worker died, the next crawl
  reads every feed and sitemap in full and finds what the dead worker lost.

One writer at a time: ``seedwire:writer`` is a lock with an expiry, refreshed while it runs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.exceptions import DropItem

from crawler import store
from crawler.pipelines import choose_canonical, store_page
from crawler.scale import messages
from crawler.scale.keys import (
    FAILED,
    GEN_CURRENT,
    GEN_KEEP_SECONDS,
    KNOWN,
    OUTBOX,
    PROCESSING,
    REJECTS,
    RUN_COUNTS,
    RUNS,
    SOURCES,
    VALIDATORS,
    WATERMARKS,
    WRITER,
    ScaleError,
    gen_key,
)
from crawler.scale.worker import PUBLISHED_VERSION
from crawler.urls import normalize_url

logger = logging.getLogger(__name__)

BATCH = 1000
STORED = {"new", "irrelevant", "cited"}

_REFRESH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _batches(values: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _dead_local_writer(holder: str) -> bool:
    """A lock token ``host-pid-nonce`` of this machine whose process no longer exists."""
    parts = holder.rsplit("-", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _retry_score(retry_after: str | None) -> float:
    return math.inf if retry_after is None else datetime.fromisoformat(retry_after).timestamp()


class Writer:
    """The single writer: see the module docstring."""

    def __init__(self, server: Any, db: Any, *, seeds_dir: Path | None = None,
                 lock_seconds: int = 60) -> None:
        self.server = server
        self.db = db
        self.seeds_dir = seeds_dir
        self.lock_seconds = lock_seconds
        self.token = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.locked = False
        self.handled = 0
        self.set_aside = 0
        self._refreshed = 0.0

    # --- the lock -----------------------------------------------------------------------------

    def acquire(self) -> None:
        """Take the writer lock; a lock left by a dead writer on this machine is taken over."""
        for _ in range(2):
            if self.server.set(WRITER, self.token, nx=True, ex=self.lock_seconds):
                self.locked = True
                self._refreshed = time.monotonic()
                return
            holder = _text(self.server.get(WRITER) or b"?")
            if not _dead_local_writer(holder):
                break
            logger.warning("taking over the writer lock of %s (that process is gone)", holder)
            self.server.eval(_RELEASE, 1, WRITER, holder)
        raise ScaleError(f"another writer is running ({holder}); run one `seedwire ingest` "
                         f"at a time (a dead one's lock expires within {self.lock_seconds}s)")

    def refresh(self, force: bool = False) -> None:
        if not self.locked or (not force and time.monotonic() - self._refreshed < 5):
            return
        if not self.server.eval(_REFRESH, 1, WRITER, self.token, self.lock_seconds):
            self.locked = False
            raise ScaleError("lost the writer lock (paused too long?); stopping")
        self._refreshed = time.monotonic()

    def release(self) -> None:
        if self.locked:
            self.server.eval(_RELEASE, 1, WRITER, self.token)
            self.locked = False

    def __enter__(self) -> Writer:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    # --- publishing ---------------------------------------------------------------------------

    def publish(self, now: datetime) -> dict[str, int]:
        """Re-read the seeds, then publish sources, profiles, known URLs and validators."""
        from crawler.relevance import enrich_keywords
        from crawler.seeds import load_seeds
        from crawler.text import release_tables

        db = self.db
        if self.seeds_dir is not None and self.seeds_dir.is_dir():
            seedset = load_seeds(self.seeds_dir)
            for problem in seedset.problems:
                log = logger.error if problem.level == "error" else logger.warning
                log("seed %s", problem)
            store.sync_seeds(db, seedset, now)
        elif self.seeds_dir is not None:
            logger.error("seed folder %s does not exist; using the stored topics", self.seeds_dir)
        topics = []
        for topic in store.list_topics(db):
            keywords = enrich_keywords(topic["keywords"], store.cited_texts(db, topic["slug"]))
            topics.append({"slug": topic["slug"], "name": topic["name"], "keywords": keywords,
                           "exclude": topic["exclude"], "threshold": topic["threshold"]})
        release_tables()  # the segmenter is needed again only at the next publication
        sources = self.pinned_watermarks(store.list_sources(db))
        document = {"v": PUBLISHED_VERSION, "published": now.isoformat(), "topics": topics,
                    "sources": sources}
        self.server.set(SOURCES, json.dumps(document, ensure_ascii=False, default=str))
        known = self._replace_set(KNOWN, store.stored_urls(db))
        rejects = self._replace_zset(REJECTS, store.reject_retry_times(db).items())
        validators = self._replace_hash(VALIDATORS, (
            (url, json.dumps(value)) for url, value in store.list_validators(db).items()))
        counts = {"topics": len(topics), "sources": len(sources), "known": known,
                  "rejects": rejects, "validators": validators}
        logger.info("published %s", counts)
        return counts

    def pinned_watermarks(self, sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Sources with the watermark of the last crawl whose workers all finished.

        The store's watermark moves with every article stored; after a crawl in which a worker
        died, articles older than it may still be missing, and the next crawl must not skip
        them in feeds and sitemaps. A source seen for the first time keeps the store's value.
        """
        pinned = {_text(k): _text(v) for k, v in self.server.hgetall(WATERMARKS).items()}
        fresh = {}
        for source in sources:
            site = source["site"]
            if site in pinned:
                source["watermark"] = pinned[site] or None
            else:
                fresh[site] = source["watermark"] or ""
        if fresh:
            self.server.hset(WATERMARKS, mapping=fresh)
        return sources

    def confirm_watermarks(self) -> None:
        """Every worker of a crawl finished: its sources' watermarks hold from now on."""
        store.refresh_watermarks(self.db, [s["site"] for s in store.list_sources(self.db)])
        values = {s["site"]: s["watermark"] or "" for s in store.list_sources(self.db)}
        if values:
            self.server.hset(WATERMARKS, mapping=values)

    def _replace(self, key: str, fill: Callable[[str], int]) -> int:
        """Fill a temporary key, then swap it in (RENAME is atomic)."""
        tmp = f"{key}:building:{self.token}"
        self.server.delete(tmp)
        count = fill(tmp)
        if count:
            self.server.rename(tmp, key)
        else:
            self.server.delete(key)
        return count

    def _replace_set(self, key: str, members: Iterable[str]) -> int:
        def fill(tmp: str) -> int:
            return sum(self.server.sadd(tmp, *batch) for batch in _batches(members))
        return self._replace(key, fill)

    def _replace_zset(self, key: str, pairs: Iterable[tuple[str, str | None]]) -> int:
        def fill(tmp: str) -> int:
            return sum(self.server.zadd(tmp, {url: _retry_score(when) for url, when in batch})
                       for batch in _batches(pairs))
        return self._replace(key, fill)

    def _replace_hash(self, key: str, pairs: Iterable[tuple[str, str]]) -> int:
        def fill(tmp: str) -> int:
            count = 0
            for batch in _batches(pairs):
                self.server.hset(tmp, mapping=dict(batch))
                count += len(batch)
            return count
        return self._replace(key, fill)

    # --- draining -----------------------------------------------------------------------------

    def recover(self) -> int:
        """Put messages a killed writer was handling back at the head of the outbox."""
        moved = 0
        while self.server.lmove(PROCESSING, OUTBOX, "LEFT", "RIGHT") is not None:
            moved += 1
        if moved:
            logger.warning("recovered %d message(s) a previous writer had not finished", moved)
        return moved

    def drain(self, *, stop: Callable[[], bool] = lambda: False, block: float = 1.0,
              until_idle: bool = False) -> int:
        """Handle messages until ``stop()``, or (``until_idle``) until none came for ``block``
        seconds. Returns how many were handled."""
        handled = 0
        while not stop():
            self.refresh()
            raw = self.server.blmove(OUTBOX, PROCESSING, block, "RIGHT", "LEFT")
            if raw is None:
                self.reap()
                if until_idle:
                    break
                continue
            self.handle(raw)
            self.server.lrem(PROCESSING, 1, raw)
            handled += 1
        self.handled += handled
        return handled

    def handle(self, raw: bytes) -> None:
        """One message into SQLite. Unreadable ones (and rows the database refuses) are set
        aside in ``seedwire:outbox:failed``; operational database errors propagate (the
        message stays in the processing list and is handled again after a restart)."""
        try:
            message = messages.decode(raw)
            handler = getattr(self, f"on_{message['type']}")
            handler(message)
        except sqlite3.OperationalError:
            raise  # locked, disk full: handled again after a restart
        except (messages.MessageError, KeyError, TypeError, ValueError, sqlite3.Error) as exc:
            logger.error("set aside an unreadable message (%s): %.200r", exc, raw)
            self.server.lpush(FAILED, raw)
            self.set_aside += 1

    # --- handlers -----------------------------------------------------------------------------

    @staticmethod
    def _now(message: dict[str, Any], field: str = "now") -> datetime:
        return datetime.fromisoformat(message[field])

    def run_id(self, message: dict[str, Any]) -> int | None:
        value = self.server.hget(RUNS, f"{message['generation']}:{message['worker']}")
        return int(value) if value is not None else None

    def on_opened(self, message: dict[str, Any]) -> None:
        field = f"{message['generation']}:{message['worker']}"
        if self.server.hexists(RUNS, field):
            return
        args = {**(message.get("args") or {}), "pid": message.get("pid"),
                "host": message.get("host"), "worker": message["worker"],
                "generation": message["generation"]}
        run_id = store.start_run(self.db, now=self._now(message, "started"), args=args)
        self.server.hset(RUNS, field, run_id)

    def on_page(self, message: dict[str, Any]) -> None:
        item = messages.item_from_json(message["item"])
        result = messages.result_from_json(message["result"])
        run_id = self.run_id(message)
        outcomes: list[str] = []
        with contextlib.suppress(DropItem):  # dropped pages are counted in outcomes
            store_page(self.db, item, result, now=self._now(message), run_id=run_id,
                       count=outcomes.append)
        pipe = self.server.pipeline(transaction=False)
        if result is not None:
            canonical = choose_canonical(result.canonical_url, item.url)
            pipe.sadd(KNOWN, canonical, item.url, normalize_url(item.url))
            if STORED & set(outcomes):
                pipe.zrem(REJECTS, item.key)
        for outcome in outcomes:
            if run_id is not None:
                pipe.hincrby(f"{RUN_COUNTS}:{run_id}", outcome, 1)
        pipe.execute()
        if result is None:
            self.refresh_rejects([item.key])

    def on_reject(self, message: dict[str, Any]) -> None:
        store.record_reject(self.db, message["key"], message["reason"], self._now(message),
                            transient=not message["permanent"])
        self.refresh_rejects([message["key"]])

    def refresh_rejects(self, urls: list[str]) -> None:
        found = store.reject_retry_times(self.db, urls)
        pipe = self.server.pipeline(transaction=False)
        for url in urls:
            if url in found:
                pipe.zadd(REJECTS, {url: _retry_score(found[url])})
            else:
                pipe.zrem(REJECTS, url)
        pipe.execute()

    def on_closed(self, message: dict[str, Any]) -> None:
        now = self._now(message)
        for site, found in (message.get("discovered") or {}).items():
            store.record_discovery(self.db, site, feeds=found.get("feeds"),
                                   sitemaps=found.get("sitemaps"))
        for site in message.get("crawled") or []:
            store.mark_crawled(self.db, site, now)
        reason = message.get("reason") or "finished"
        self.finish_run(message["generation"], message["worker"], status=reason,
                        stats=message.get("stats") or {}, now=self._now(message, "finished"))
        self.settle(message["generation"], now)

    def finish_run(self, generation: str, worker: str, *, status: str,
                   stats: dict[str, Any], now: datetime) -> None:
        field = f"{generation}:{worker}"
        value = self.server.hget(RUNS, field)
        if value is None:
            return
        run_id = int(value)
        counts = self.server.hgetall(f"{RUN_COUNTS}:{run_id}")
        articles = dict(stats.get("articles") or {})
        articles.update({_text(k): int(v) for k, v in counts.items()})
        store.finish_run(self.db, run_id, now=now, status=status,
                         stats={**stats, "articles": articles})
        pipe = self.server.pipeline(transaction=False)
        pipe.delete(f"{RUN_COUNTS}:{run_id}")
        pipe.hdel(RUNS, field)
        pipe.execute()

    # --- the end of a generation ----------------------------------------------------------------

    def settle(self, generation: str, now: datetime) -> None:
        """When no worker of ``generation`` runs any more: save its listings' validators if every
        worker finished, else drop them; close the runs of workers that died."""
        states = {_text(k): _text(v)
                  for k, v in self.server.hgetall(gen_key(generation, "workers")).items()}
        if not states:
            return
        alive = {w for w in states
                 if self.server.exists(gen_key(generation, f"alive:{w}"))}
        if any(w in alive and not s.startswith("closed:") for w, s in states.items()):
            return
        if not self.server.set(gen_key(generation, "settled"), b"1", nx=True,
                               ex=GEN_KEEP_SECONDS):
            return  # settled before
        pending_key = gen_key(generation, "validators")
        pending = self.server.hgetall(pending_key)
        if all(s == "closed:finished" for s in states.values()):
            crawled = [s["site"] for s in store.list_sources(self.db) if s["last_crawled"]]
            store.mark_probed(self.db, crawled, now)
            if pending:
                self.save_validators(pending, now)
                logger.info("crawl generation %s finished: %d listing validators saved",
                            generation, len(pending))
            self.confirm_watermarks()
        else:
            dead = sorted(w for w, s in states.items() if not s.startswith("closed:"))
            for worker in dead:
                self.finish_run(generation, worker, status="killed", stats={}, now=now)
            if pending:
                logger.warning("crawl generation %s: not every worker finished (%s); the next "
                               "crawl reads every feed and sitemap in full, from the last "
                               "complete crawl's watermark", generation,
                               ", ".join(f"{w}: {s}" for w, s in sorted(states.items())))
        self.server.delete(pending_key)

    def save_validators(self, pending: dict[bytes, bytes], now: datetime) -> None:
        values = {_text(url): json.loads(raw) for url, raw in pending.items()}
        with store.transaction(self.db):
            for url, value in values.items():
                store.set_validator(self.db, url, etag=value.get("etag"),
                                    last_modified=value.get("last_modified"),
                                    status=int(value.get("status") or 200), now=now)
        saved = store.list_validators(self.db)
        self.server.hset(VALIDATORS, mapping={url: json.dumps(saved[url])
                                              for url in values if url in saved})

    def reap(self) -> None:
        """Nothing to do: settle generations whose workers are all gone (died, or finished
        while this writer was down)."""
        generations = {_text(field).split(":", 1)[0] for field in self.server.hkeys(RUNS)}
        current = self.server.get(GEN_CURRENT)
        if current is not None:
            generations.add(_text(current))
        for generation in sorted(generations):
            self.settle(generation, datetime.now().astimezone())

    def crawl_running(self) -> bool:
        """A generation with a live worker that is not done."""
        current = self.server.get(GEN_CURRENT)
        if current is None:
            return False
        generation = _text(current)
        if self.server.exists(gen_key(generation, "done")):
            return False
        workers = self.server.hkeys(gen_key(generation, "workers"))
        return any(self.server.exists(gen_key(generation, f"alive:{_text(w)}"))
                   for w in workers)
