"""Opening the database and running migrations."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
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


class Checkpointer:
    """WAL checkpoints from a background thread, off the writer's path.

    By default SQLite checkpoints inside the COMMIT that takes the write-ahead log past 1,000
    pages: that commit copies the pages into the database file and syncs it, 50–100 ms on a
    store of 100,000 articles, every few dozen articles. The crawl writes from its reactor
    thread, so this thread does the work instead, every ``interval`` seconds on its own
    connection (PASSIVE: it never waits for, nor blocks, the writer). The writer keeps
    automatic checkpoints as a safety net, at :attr:`writer_pages`.
    """

    writer_pages = 20000

    def __init__(self, db: Database, interval: float = 1.0) -> None:
        self.db = db
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        row = db.execute("PRAGMA database_list").fetchone()
        self.path = row[2] if row else ""

    def start(self) -> Checkpointer:
        if not self.path or self._thread is not None:
            return self  # an in-memory database has no WAL
        self.db.execute(f"PRAGMA wal_autocheckpoint = {self.writer_pages}")
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            while not self._stop.wait(self.interval):
                self._checkpoint(conn)
            self._checkpoint(conn)
        finally:
            conn.close()

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:  # the writer's own checkpoints still run
            logger.debug("background checkpoint of %s failed: %s", self.path, exc)

    def stop(self) -> None:
        """A last checkpoint, then the thread ends."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None


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
