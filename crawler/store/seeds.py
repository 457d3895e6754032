"""Topics, seeds, cited URLs and sources."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from crawler.store.core import dumps, loads, now_iso, transaction

if TYPE_CHECKING:
    from crawler.seeds import SeedSet


def _merge(old: list[str], new: list[str]) -> list[str]:
    return list(dict.fromkeys([*old, *new]))


def sync_seeds(db: Database, seedset: SeedSet, now: datetime) -> dict[str, int]:
    """Write the parsed seeds into the store.

    Topics and seeds are replaced by what the files say now; a topic or source that no seed
    names any more is marked inactive (its articles stay). Discovered feeds, sitemaps and
    watermarks of a source are kept.
    """
    stamp = now_iso(now)
    sources: dict[str, dict[str, Any]] = {}
    for topic in seedset.topics:
        for source in topic.sources:
            entry = sources.setdefault(
                source.site,
                {"host": source.host, "topics": [], "start_urls": [], "feeds": [], "sitemaps": []},
            )
            entry["topics"] = _merge(entry["topics"], [topic.slug])
            entry["start_urls"] = _merge(entry["start_urls"], source.start_urls)
            entry["feeds"] = _merge(entry["feeds"], source.feeds)
            entry["sitemaps"] = _merge(entry["sitemaps"], source.sitemaps)
    with transaction(db):
        db.execute("UPDATE topics SET active = 0")
        db.execute("UPDATE sources SET active = 0")
        for topic in seedset.topics:
            db.execute(
                """INSERT INTO topics (slug, name, keywords, exclude, languages, threshold, since,
                       seeds, active, updated)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                   ON CONFLICT(slug) DO UPDATE SET name=excluded.name,
                       keywords=excluded.keywords, exclude=excluded.exclude,
                       languages=excluded.languages, threshold=excluded.threshold,
                       since=excluded.since, seeds=excluded.seeds, active=1,
                       updated=excluded.updated""",
                [
                    topic.slug,
                    topic.name,
                    dumps(topic.keywords),
                    dumps(topic.exclude),
                    dumps(topic.languages),
                    topic.threshold,
                    topic.since.isoformat() if topic.since else None,
                    dumps(topic.seeds),
                    stamp,
                ],
            )
        slug_of = {path: t.slug for t in seedset.topics for path in t.seeds}
        seen_paths = []
        for seed in seedset.seeds:
            seen_paths.append(seed.path)
            db.execute(
                """INSERT OR REPLACE INTO seeds (path, format, title, date, author, language,
                       topic, keywords, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    seed.path,
                    seed.format,
                    seed.title,
                    seed.date.isoformat() if seed.date else None,
                    seed.author,
                    seed.language,
                    slug_of.get(seed.path),
                    dumps(seed.keywords),
                    stamp,
                ],
            )
            db.execute("DELETE FROM seed_urls WHERE seed = ?", [seed.path])
            for cited in seed.urls:
                db.execute(
                    """INSERT OR IGNORE INTO seed_urls (seed, url, kind, title, date, line)
                       VALUES (?, ?, ?, ?, ?, ?)""",
                    [seed.path, cited.url, cited.kind, cited.title, cited.date, cited.line],
                )
        for site, entry in sources.items():
            db.execute(
                """INSERT INTO sources (site, host, topics, start_urls, feeds, sitemaps, active,
                       updated) VALUES (?, ?, ?, ?, ?, ?, 1, ?)
                   ON CONFLICT(site) DO UPDATE SET host=excluded.host, topics=excluded.topics,
                       start_urls=excluded.start_urls, feeds=excluded.feeds,
                       sitemaps=excluded.sitemaps, active=1, updated=excluded.updated""",
                [
                    site,
                    entry["host"],
                    dumps(entry["topics"]),
                    dumps(entry["start_urls"]),
                    dumps(entry["feeds"]),
                    dumps(entry["sitemaps"]),
                    stamp,
                ],
            )
    return {"topics": len(seedset.topics), "seeds": len(seedset.seeds), "sources": len(sources)}


def _topic_row(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["keywords"] = loads(row["keywords"], {})
    row["exclude"] = loads(row["exclude"], [])
    row["languages"] = loads(row["languages"], [])
    row["seeds"] = loads(row["seeds"], [])
    return row


def list_topics(db: Database, *, active_only: bool = True) -> list[dict[str, Any]]:
    where = "WHERE active = 1" if active_only else ""
    rows = db.query(f"SELECT * FROM topics {where} ORDER BY name")
    return [_topic_row(row) for row in rows]


def _source_row(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    for key in ("topics", "start_urls", "feeds", "sitemaps", "found_feeds", "found_sitemaps"):
        row[key] = loads(row[key], [])
    return row


def list_sources(
    db: Database, *, topic: str | None = None, host: str | None = None, active_only: bool = True
) -> list[dict[str, Any]]:
    """Sources, optionally those of one topic (slug or name) or one host."""
    rows = [_source_row(r) for r in db.query("SELECT * FROM sources ORDER BY site")]
    if active_only:
        rows = [r for r in rows if r["active"]]
    if topic:
        slugs = {t["slug"] for t in list_topics(db) if topic in (t["slug"], t["name"])}
        rows = [r for r in rows if slugs & set(r["topics"])]
    if host:
        rows = [r for r in rows if r["host"] == host.lower()]
    return rows


def record_discovery(
    db: Database, site: str, *, feeds: list[str] | None = None, sitemaps: list[str] | None = None
) -> None:
    """Remember feeds and sitemaps found on a site so the next crawl starts from them."""
    row = db.execute(
        "SELECT found_feeds, found_sitemaps FROM sources WHERE site = ?", [site]
    ).fetchone()
    if row is None:
        return
    found_feeds = _merge(loads(row[0], []), feeds or [])
    found_sitemaps = _merge(loads(row[1], []), sitemaps or [])
    db.execute(
        "UPDATE sources SET found_feeds = ?, found_sitemaps = ? WHERE site = ?",
        [dumps(found_feeds), dumps(found_sitemaps), site],
    )


def mark_probed(db: Database, sites: list[str], now: datetime) -> None:
    """The common feed paths of these sources were probed by a crawl that finished: what it
    found is recorded, so later crawls need not probe again."""
    for site in sites:
        db.execute("UPDATE sources SET probed = ? WHERE site = ?", [now_iso(now), site])


def mark_crawled(db: Database, site: str, now: datetime) -> None:
    db.execute("UPDATE sources SET last_crawled = ? WHERE site = ?", [now_iso(now), site])


def get_validator(db: Database, url: str) -> dict[str, Any] | None:
    row = db.execute("SELECT etag, last_modified FROM validators WHERE url = ?", [url]).fetchone()
    return {"etag": row[0], "last_modified": row[1]} if row else None


def list_validators(db: Database) -> dict[str, dict[str, Any]]:
    """Every saved validator: URL → {"etag", "last_modified"}."""
    rows = db.execute("SELECT url, etag, last_modified FROM validators").fetchall()
    return {url: {"etag": etag, "last_modified": modified} for url, etag, modified in rows}


def set_validator(
    db: Database,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    status: int,
    now: datetime,
) -> None:
    db.execute(
        """INSERT INTO validators (url, etag, last_modified, status, checked)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(url) DO UPDATE SET etag=COALESCE(excluded.etag, etag),
               last_modified=COALESCE(excluded.last_modified, last_modified),
               status=excluded.status, checked=excluded.checked""",
        [url, etag, last_modified, status, now_iso(now)],
    )
