"""Subscribers and deliveries: every SQL statement about who gets which issue.

A delivery row exists once per (issue, subscriber). Its status moves
``pending → sending → sent | failed`` (or back to ``pending`` when the server said "try
later", or ``skipped`` when the subscriber left before the run reached them). Each change is
its own committed statement, so a run that dies leaves an exact record of what happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from crawler.store.core import dumps, loads, now_iso

SUBSCRIBER_STATUSES = ("pending", "active", "unsubscribed", "bounced")
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "skipped")


def _subscriber(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    topics = row.get("topics")
    return {**row, "topics": None if topics is None else loads(topics, None)}


def _one(db: Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


# ----------------------------------------------------------------------------- subscribers


def get_subscriber(db: Database, email: str) -> dict[str, Any] | None:
    """The subscriber with this (normalised) address, topics decoded (None = all topics)."""
    return _subscriber(_one(db, "SELECT * FROM subscribers WHERE email = ?", [email]))


def get_subscriber_by_id(db: Database, subscriber_id: int) -> dict[str, Any] | None:
    return _subscriber(_one(db, "SELECT * FROM subscribers WHERE id = ?", [subscriber_id]))


def list_subscribers(db: Database, status: str | None = None) -> list[dict[str, Any]]:
    if status:
        rows = db.query("SELECT * FROM subscribers WHERE status = ? ORDER BY email", [status])
    else:
        rows = db.query("SELECT * FROM subscribers ORDER BY email")
    return [s for s in (_subscriber(r) for r in rows) if s is not None]


def subscriber_counts(db: Database) -> dict[str, int]:
    rows = db.execute("SELECT status, count(*) FROM subscribers GROUP BY status").fetchall()
    return {str(status): int(n) for status, n in rows}


def insert_subscriber(
    db: Database,
    *,
    email: str,
    name: str | None,
    status: str,
    topics: list[str] | None,
    now: datetime,
    source: str,
) -> int:
    stamp = now_iso(now)
    cursor = db.execute(
        """INSERT INTO subscribers (email, name, status, topics, created, confirmed, source)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [
            email,
            name,
            status,
            None if topics is None else dumps(topics),
            stamp,
            stamp if status == "active" else None,
            source,
        ],
    )
    return int(cursor.lastrowid or 0)


def update_subscriber(
    db: Database,
    subscriber_id: int,
    *,
    name: str | None = None,
    topics: list[str] | None = None,
    set_topics: bool = False,
    set_name: bool = False,
) -> None:
    """Change the name and/or topics (``set_*`` say which; None topics = all topics)."""
    if set_name:
        db.execute("UPDATE subscribers SET name = ? WHERE id = ?", [name, subscriber_id])
    if set_topics:
        db.execute(
            "UPDATE subscribers SET topics = ? WHERE id = ?",
            [None if topics is None else dumps(topics), subscriber_id],
        )


def set_subscriber_status(db: Database, subscriber_id: int, status: str, now: datetime) -> bool:
    """Move a subscriber to ``status``; True when it changed. Stamps confirmed/unsubscribed."""
    if status not in SUBSCRIBER_STATUSES:
        raise ValueError(f"unknown subscriber status {status!r}")
    fields, params = "status = ?", [status]
    if status == "active":
        fields, params = fields + ", confirmed = ?", [*params, now_iso(now)]
    elif status == "unsubscribed":
        fields, params = fields + ", unsubscribed = ?", [*params, now_iso(now)]
    cursor = db.execute(
        f"UPDATE subscribers SET {fields} WHERE id = ? AND status != ?",
        [*params, subscriber_id, status],
    )
    return cursor.rowcount > 0


def delete_subscriber(db: Database, subscriber_id: int) -> None:
    """Erase a subscriber and (by cascade) their delivery history."""
    db.execute("DELETE FROM subscribers WHERE id = ?", [subscriber_id])


def known_topics(db: Database) -> list[str]:
    return [row[0] for row in db.execute("SELECT slug FROM topics ORDER BY slug").fetchall()]


# ----------------------------------------------------------------------------- deliveries


def digest_topics(db: Database, digest_id: int) -> list[str]:
    """The topics an issue covers (from its items)."""
    rows = db.execute(
        "SELECT DISTINCT topic FROM digest_items WHERE digest_id = ? ORDER BY topic", [digest_id]
    ).fetchall()
    return [row[0] for row in rows]


def create_deliveries(
    db: Database, digest_id: int, subscriber_ids: Iterable[int], now: datetime
) -> int:
    """A pending row per subscriber that has none for this issue yet; returns how many."""
    stamp = now_iso(now)
    created = 0
    for subscriber_id in subscriber_ids:
        cursor = db.execute(
            """INSERT OR IGNORE INTO deliveries (digest_id, subscriber_id, status, updated)
               VALUES (?, ?, 'pending', ?)""",
            [digest_id, subscriber_id, stamp],
        )
        created += cursor.rowcount
    return created


def list_deliveries(
    db: Database, digest_id: int, status: str | None = None
) -> list[dict[str, Any]]:
    """Delivery rows of an issue with the subscriber's address, name and status."""
    sql = """SELECT d.*, s.email, s.name, s.status AS subscriber_status
             FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
             WHERE d.digest_id = ?"""
    params: list[Any] = [digest_id]
    if status:
        sql += " AND d.status = ?"
        params.append(status)
    return list(db.query(sql + " ORDER BY d.id", params))


def delivery_counts(db: Database, digest_id: int) -> dict[str, int]:
    rows = db.execute(
        "SELECT status, count(*) FROM deliveries WHERE digest_id = ? GROUP BY status", [digest_id]
    ).fetchall()
    return {str(status): int(n) for status, n in rows}


def delivered_subscriber_ids(db: Database, digest_id: int) -> set[int]:
    """Subscribers who got the issue, or may have (``sent`` or ``sending``)."""
    rows = db.execute(
        "SELECT subscriber_id FROM deliveries WHERE digest_id = ? AND status IN ('sent','sending')",
        [digest_id],
    ).fetchall()
    return {int(row[0]) for row in rows}


def claim_delivery(db: Database, delivery_id: int, message_id: str, now: datetime) -> bool:
    """``pending → sending`` just before the SMTP transaction; False if someone else has it."""
    cursor = db.execute(
        """UPDATE deliveries SET status = 'sending', message_id = ?, attempts = attempts + 1,
               updated = ? WHERE id = ? AND status = 'pending'""",
        [message_id, now_iso(now), delivery_id],
    )
    return cursor.rowcount == 1


def finish_delivery(
    db: Database,
    delivery_id: int,
    status: str,
    now: datetime,
    *,
    error: str | None = None,
) -> None:
    """``sending → sent | failed | pending``; ``sent`` stamps the sent time and clears errors."""
    if status not in DELIVERY_STATUSES:
        raise ValueError(f"unknown delivery status {status!r}")
    stamp = now_iso(now)
    if status == "sent":
        db.execute(
            """UPDATE deliveries SET status = 'sent', sent = ?, error = NULL, updated = ?
               WHERE id = ?""",
            [stamp, stamp, delivery_id],
        )
    else:
        db.execute(
            "UPDATE deliveries SET status = ?, error = ?, updated = ? WHERE id = ?",
            [status, error, stamp, delivery_id],
        )


def release_uncertain(db: Database, digest_id: int, now: datetime) -> int:
    """``sending → pending`` for an issue (the operator chose to resend them); returns how many.

    The stored Message-ID is kept, so a resent copy carries the same one.
    """
    cursor = db.execute(
        """UPDATE deliveries SET status = 'pending', updated = ?,
               error = 'resent after an interrupted run'
           WHERE digest_id = ? AND status = 'sending'""",
        [now_iso(now), digest_id],
    )
    return cursor.rowcount


def mark_uncertain_sent(db: Database, digest_id: int, now: datetime) -> int:
    """``sending → sent`` for an issue (the operator checked the server's log); how many."""
    stamp = now_iso(now)
    cursor = db.execute(
        """UPDATE deliveries SET status = 'sent', sent = coalesce(sent, ?), updated = ?,
               error = 'marked sent after an interrupted run'
           WHERE digest_id = ? AND status = 'sending'""",
        [stamp, stamp, digest_id],
    )
    return cursor.rowcount
