"""Opening the database and running migrations."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from crawler.store.schema import MIGRATIONS

logger = logging.getLogger(__name__)


class StoreError(Exception):
    """The database cannot be opened, migrated or written."""


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def loads(text: str | None, default: Any = None) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def now_iso(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds")


def connect(path: Path | str) -> Database:
    """Open (creating when missing) the SQLite file in WAL mode with foreign keys on."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"{path}: cannot open database: {exc}") from exc
    db = Database(conn)
    try:
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 30000")
        db.execute("PRAGMA synchronous = NORMAL")
        db.enable_wal()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a SQLite database ({exc})") from exc
    return db


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error): one writer at a time, nothing half-done."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def applied_migrations(db: Database) -> list[str]:
    if "_migrations" not in db.table_names():
        return []
    return [row["name"] for row in db.query("SELECT name FROM _migrations ORDER BY name")]


def migrate(db: Database) -> list[str]:
    """Apply the migrations not applied yet; return their names. Safe to run again."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)"
    )
    done = set(applied_migrations(db))
    applied = []
    for name, step in MIGRATIONS:
        if name in done:
            continue
        try:
            with transaction(db):
                step(db)
                db.execute(
                    "INSERT INTO _migrations (name, applied) VALUES (?, ?)",
                    [name, now_iso(datetime.now(UTC))],
                )
        except sqlite3.Error as exc:
            raise StoreError(f"migration {name} failed: {exc}") from exc
        logger.info("applied migration %s", name)
        applied.append(name)
    return applied


def open_db(path: Path | str) -> Database:
    """Connect and migrate: what every command and the crawler call first."""
    db = connect(path)
    migrate(db)
    return db
