"""Crawl runs and the numbers `seedwire db stats` shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from crawler.store.core import dumps, loads, now_iso


def start_run(db: Database, *, now: datetime, args: dict[str, Any]) -> int:
    cursor = db.execute(
        "INSERT INTO crawl_runs (started, status, args) VALUES (?, 'running', ?)",
        [now_iso(now), dumps(args)],
    )
    return int(cursor.lastrowid or 0)


def finish_run(
    db: Database, run_id: int, *, now: datetime, status: str, stats: dict[str, Any]
) -> None:
    db.execute(
        "UPDATE crawl_runs SET finished = ?, status = ?, stats = ? WHERE id = ?",
        [now_iso(now), status, dumps(stats), run_id],
    )


def update_run_stats(db: Database, run_id: int, stats: dict[str, Any]) -> None:
    """Progress so far: a run killed mid-way still shows what it did."""
    db.execute("UPDATE crawl_runs SET stats = ? WHERE id = ?", [dumps(stats), run_id])


def list_runs(db: Database, limit: int = 10) -> list[dict[str, Any]]:
    rows = db.query("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT ?", [limit])
    return [
        {**row, "stats": loads(row["stats"], {}), "args": loads(row["args"], {})} for row in rows
    ]


def table_counts(db: Database) -> dict[str, int]:
    names = [
        "topics",
        "seeds",
        "seed_urls",
        "sources",
        "articles",
        "article_topics",
        "duplicates",
        "rejects",
        "crawl_runs",
        "digests",
        "digest_items",
        "subscribers",
        "deliveries",
    ]
    existing = set(db.table_names())
    return {
        n: db.execute(f"SELECT count(*) FROM [{n}]").fetchone()[0] for n in names if n in existing
    }


def article_counts(db: Database) -> dict[str, Any]:
    """Articles per kind, language and site; relevant per topic."""

    def pairs(sql: str) -> dict[str, int]:
        return {str(k): v for k, v in db.execute(sql).fetchall()}

    return {
        "by_kind": pairs("SELECT kind, count(*) FROM articles GROUP BY kind"),
        "by_language": pairs(
            "SELECT coalesce(language, '?'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"
        ),
        "by_site": pairs("SELECT site, count(*) FROM articles GROUP BY site ORDER BY 2 DESC"),
        "relevant_by_topic": pairs(
            "SELECT topic, sum(relevant) FROM article_topics GROUP BY topic ORDER BY topic"
        ),
    }
