"""Issues: the period's candidate articles, digests and their items, and the summary cache.

An issue is keyed by its period (``2026-W47`` or ``2026-11-01..2026-11-15``): building a period
again replaces its content and items but keeps its number. Numbers are 1, 2, 3… in the order
issues were first built. ``digests.context`` keeps the issue as it was rendered (JSON), so the
archive and the feeds can be rendered again without re-running selection or summaries.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from crawler.store.core import StoreError, dumps, loads, now_iso, transaction

LEAD_CHARS = 2000
"""How much of each candidate's text the period query returns (enough to cluster)."""


class DigestNumberTaken(StoreError):
    """Another issue took this number between reserving and saving it: render again."""

    def __init__(self, number: int) -> None:
        super().__init__(f"issue number {number} was taken by another build; try again")
        self.number = number


@dataclass
class DigestItem:
    """One entry of an issue as stored: the article, its section and rank, its summary."""

    article_id: int
    topic: str
    rank: int  # 1, 2, 3… in the order of the issue
    summary: str = ""
    method: str = "extractive"
    also: list[int] = field(default_factory=list)  # articles covering the same story


# ----------------------------------------------------------------------------- topics


def put_topic(
    db: Database,
    slug: str,
    *,
    now: datetime,
    name: str | None = None,
    keywords: dict[str, float] | None = None,
    threshold: float = 1.0,
    since: str | None = None,
    languages: Sequence[str] = (),
    active: bool = True,
) -> None:
    """Create or replace one topic (scripts, tests and the demo; seeds use ``sync_seeds``)."""
    db.execute(
        """INSERT INTO topics (slug, name, keywords, languages, threshold, since, active, updated)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(slug) DO UPDATE SET name=excluded.name, keywords=excluded.keywords,
               languages=excluded.languages, threshold=excluded.threshold,
               since=excluded.since, active=excluded.active, updated=excluded.updated""",
        [
            slug,
            name or slug,
            dumps(keywords or {}),
            dumps(list(languages)),
            threshold,
            since,
            int(active),
            now_iso(now),
        ],
    )


def issue_topics(db: Database, topic: str | None = None) -> list[dict[str, Any]]:
    """Active topics (slug, name, keywords, threshold, since), by name; ``topic`` is a slug
    or a name. Unknown ``topic`` → empty list."""
    rows = db.query(
        """SELECT slug, name, keywords, threshold, since FROM topics WHERE active = 1
           AND (? IS NULL OR slug = ? OR name = ?) ORDER BY name, slug""",
        [topic, topic, topic],
    )
    return [{**row, "keywords": loads(row["keywords"], {})} for row in rows]


# ----------------------------------------------------------------------------- candidates

_USED_ELSEWHERE = """
    SELECT di.article_id FROM digest_items di JOIN digests g ON g.id = di.digest_id
    WHERE g.period != :period
    UNION
    SELECT CAST(j.value AS INTEGER) FROM digest_items di JOIN digests g ON g.id = di.digest_id,
        json_each(di.also) j
    WHERE g.period != :period
"""


def articles_in_other_issues(db: Database, period: str) -> set[int]:
    """Articles an issue other than ``period`` already carries (as an entry or "also")."""
    return {int(row[0]) for row in db.execute(_USED_ELSEWHERE, {"period": period}).fetchall()}


def period_candidates(
    db: Database,
    starts: str,
    ends: str,
    *,
    period: str,
    topic: str | None = None,
) -> list[dict[str, Any]]:
    """(article, topic) pairs that may enter the issue of ``period``.

    Articles (not cited pages) first seen in ``[starts, ends)`` (UTC ISO strings, as
    ``first_seen`` is stored), relevant to an active topic (``topic``: slug or name), whose URL
    is not recorded as a duplicate and which no other issue carries. Each row has the
    article's fields (``lead``: the first :data:`LEAD_CHARS` characters of its text) and the
    topic's: ``topic``, ``topic_name``, ``score``, ``matched``, ``threshold``, ``since``.
    Freshness and ranking are the caller's (:mod:`digest.select`).
    """
    sql = f"""
        WITH used(id) AS MATERIALIZED ({_USED_ELSEWHERE})
        SELECT a.id, a.canonical_url, a.url, a.title, a.description, a.published, a.first_seen,
               a.language, a.site, a.sitename, a.source, a.fingerprint,
               substr(a.text, 1, :lead) AS lead,
               at.topic, at.score, at.matched, t.name AS topic_name, t.threshold,
               t.since AS since
        FROM articles a
        JOIN article_topics at ON at.article_id = a.id AND at.relevant = 1
        JOIN topics t ON t.slug = at.topic AND t.active = 1
        WHERE a.kind = 'article'
          AND a.first_seen >= :starts AND a.first_seen < :ends
          AND (:topic IS NULL OR t.slug = :topic OR t.name = :topic)
          AND a.id NOT IN (SELECT id FROM used WHERE id IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM duplicates d
                          WHERE d.canonical_url IN (a.canonical_url, a.url)
                             OR d.url IN (a.canonical_url, a.url))
        ORDER BY a.id, at.topic"""
    params = {"starts": starts, "ends": ends, "period": period, "topic": topic, "lead": LEAD_CHARS}
    rows = db.query(sql, params)
    return [{**row, "matched": loads(row["matched"], {})} for row in rows]


def article_texts(db: Database, article_ids: Iterable[int]) -> dict[int, str]:
    """The full text of these articles (for summaries), by id."""
    wanted = list(dict.fromkeys(article_ids))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 400):
        chunk = wanted[start : start + 400]
        marks = ",".join("?" * len(chunk))
        for article_id, text in db.execute(
            f"SELECT id, text FROM articles WHERE id IN ({marks})", chunk
        ).fetchall():
            found[int(article_id)] = text or ""
    return found


# ----------------------------------------------------------------------------- digests


def reserve_number(db: Database, period: str) -> int:
    """The number the issue of ``period`` has, or the next free one (not yet taken)."""
    row = db.execute("SELECT number FROM digests WHERE period = ?", [period]).fetchone()
    if row:
        return int(row[0])
    row = db.execute("SELECT coalesce(max(number), 0) + 1 FROM digests").fetchone()
    return int(row[0])


def save_digest(
    db: Database,
    *,
    period: str,
    number: int,
    subject: str,
    html: str,
    text: str,
    starts: str,
    ends: str,
    items: Sequence[DigestItem],
    context: dict[str, Any],
    now: datetime,
) -> int:
    """Store the issue of ``period`` with its items (one transaction); returns its id.

    A period built before keeps its row (id, number, ``created``) and gets new content and
    items. ``number`` must be what :func:`reserve_number` said; if another build took it
    meanwhile, :class:`DigestNumberTaken` is raised and nothing is written.
    """
    stamp = now_iso(now)
    try:
        with transaction(db):
            row = db.execute(
                "SELECT id, number FROM digests WHERE period = ?", [period]
            ).fetchone()
            if row is not None:
                digest_id, kept = int(row[0]), int(row[1])
                if kept != number:
                    raise DigestNumberTaken(kept)
                db.execute(
                    """UPDATE digests SET subject = ?, html = ?, text = ?, starts = ?, ends = ?,
                           context = ?, updated = ? WHERE id = ?""",
                    [subject, html, text, starts, ends, dumps(context), stamp, digest_id],
                )
                db.execute("DELETE FROM digest_items WHERE digest_id = ?", [digest_id])
            else:
                taken = db.execute("SELECT 1 FROM digests WHERE number = ?", [number]).fetchone()
                if taken:
                    raise DigestNumberTaken(number)
                cursor = db.execute(
                    """INSERT INTO digests (period, number, subject, html, text, starts, ends,
                           context, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [period, number, subject, html, text, starts, ends, dumps(context), stamp,
                     stamp],
                )
                digest_id = int(cursor.lastrowid or 0)
            for item in items:
                db.execute(
                    """INSERT INTO digest_items (digest_id, article_id, topic, rank, summary,
                           method, also) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    [digest_id, item.article_id, item.topic, item.rank, item.summary,
                     item.method, dumps(list(item.also))],
                )
    except sqlite3.IntegrityError as exc:
        raise StoreError(f"cannot store the issue of {period}: {exc}") from exc
    return digest_id


def _digest_row(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "context": loads(row.get("context"), {})}


def get_digest(db: Database, period: str) -> dict[str, Any] | None:
    """The stored issue of ``period`` (``context`` decoded) with its entry count, or None."""
    rows = list(
        db.query(
            """SELECT d.*, (SELECT count(*) FROM digest_items i WHERE i.digest_id = d.id)
                   AS entries FROM digests d WHERE d.period = ?""",
            [period],
        )
    )
    return _digest_row(rows[0]) if rows else None


def get_digest_by_number(db: Database, number: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT period FROM digests WHERE number = ?", [number]))
    return get_digest(db, rows[0]["period"]) if rows else None


def list_digests(db: Database, limit: int | None = 20) -> list[dict[str, Any]]:
    """Issues, newest number first: number, period, subject, starts, ends, created, updated,
    entries (without the HTML, text and context)."""
    rows = db.query(
        """SELECT d.id, d.number, d.period, d.subject, d.starts, d.ends, d.created, d.updated,
               (SELECT count(*) FROM digest_items i WHERE i.digest_id = d.id) AS entries
           FROM digests d ORDER BY d.number DESC LIMIT ?""",
        [-1 if limit is None else limit],
    )
    return list(rows)


def digest_contexts(db: Database, limit: int | None = None) -> list[dict[str, Any]]:
    """``(period, number, context)`` of issues, newest number first (to render the archive)."""
    rows = db.query(
        "SELECT period, number, context FROM digests ORDER BY number DESC LIMIT ?",
        [-1 if limit is None else limit],
    )
    return [_digest_row(row) for row in rows]


def digest_entries(db: Database, digest_id: int) -> list[dict[str, Any]]:
    """The items of an issue in rank order, with their article's title, URL, site, published
    date and language, and ``also`` decoded to a list of article ids."""
    rows = db.query(
        """SELECT i.article_id, i.topic, i.rank, i.summary, i.method, i.also,
               a.title, a.url, a.canonical_url, a.site, a.published, a.language,
               coalesce(t.name, i.topic) AS topic_name
           FROM digest_items i JOIN articles a ON a.id = i.article_id
           LEFT JOIN topics t ON t.slug = i.topic
           WHERE i.digest_id = ? ORDER BY i.rank""",
        [digest_id],
    )
    return [{**row, "also": loads(row["also"], [])} for row in rows]


# ----------------------------------------------------------------------------- summaries


class StoreSummaryCache:
    """LLM summaries cached in the ``summaries`` table (``digest.llm.SummaryCache``)."""

    def __init__(self, db: Database, now: datetime) -> None:
        self.db = db
        self.now = now

    def get(self, article_key: str, model: str, prompt_version: str) -> str | None:
        row = self.db.execute(
            """SELECT summary FROM summaries
               WHERE article_key = ? AND model = ? AND prompt_version = ?""",
            [article_key, model, prompt_version],
        ).fetchone()
        return row[0] if row else None

    def put(self, article_key: str, model: str, prompt_version: str, summary: str) -> None:
        self.db.execute(
            """INSERT INTO summaries (article_key, model, prompt_version, summary, created)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(article_key, model, prompt_version)
               DO UPDATE SET summary = excluded.summary, created = excluded.created""",
            [article_key, model, prompt_version, summary, now_iso(self.now)],
        )
