"""Articles, their topic scores, the SimHash band index, duplicates and rejected URLs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from crawler.store.core import dumps, loads, now_iso, transaction

_MASK64 = (1 << 64) - 1


def to_signed(value: int) -> int:
    """A 64-bit unsigned fingerprint as SQLite's signed INTEGER."""
    value &= _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value & _MASK64


@dataclass
class TopicScore:
    topic: str
    score: float
    relevant: bool
    matched: dict[str, float] = field(default_factory=dict)


@dataclass
class NewArticle:
    canonical_url: str
    url: str
    text: str
    site: str
    title: str | None = None
    author: str | None = None
    description: str | None = None
    published: str | None = None
    language: str | None = None
    source: str | None = None
    fingerprint: int | None = None  # SimHash (unsigned 64-bit)
    minhash: bytes | None = None  # MinHash signature
    band_keys: list[int] = field(default_factory=list)
    kind: str = "article"
    scores: list[TopicScore] = field(default_factory=list)


def known_urls(db: Database, urls: Iterable[str]) -> set[str]:
    """Which of these (normalised) URLs are already stored as article, cited page or duplicate."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    for start in range(0, len(wanted), 400):
        chunk = wanted[start : start + 400]
        marks = ",".join("?" * len(chunk))
        sql = f"""SELECT canonical_url AS u FROM articles WHERE canonical_url IN ({marks})
                  UNION SELECT url FROM articles WHERE url IN ({marks})
                  UNION SELECT canonical_url FROM duplicates WHERE canonical_url IN ({marks})
                  UNION SELECT url FROM duplicates WHERE url IN ({marks})
                  UNION SELECT url FROM rejects WHERE url IN ({marks})"""
        found.update(row[0] for row in db.execute(sql, chunk * 5).fetchall())
    return found


def article_id_for(db: Database, canonical_url: str) -> int | None:
    row = db.execute("SELECT id FROM articles WHERE canonical_url = ?", [canonical_url]).fetchone()
    return row[0] if row else None


def near_duplicates(
    db: Database, band_keys: list[int], minhash: bytes, min_similarity: float
) -> list[tuple[int, float]]:
    """(article_id, estimated similarity) of stored articles sharing a band key, best first."""
    from crawler.dedupe import similarity

    if not band_keys:
        return []
    marks = ",".join("?" * len(band_keys))
    rows = db.execute(
        f"""SELECT a.id, a.minhash FROM articles a WHERE a.id IN
            (SELECT DISTINCT article_id FROM minhash_bands WHERE key IN ({marks}))""",
        band_keys,
    ).fetchall()
    hits = []
    for article_id, other in rows:
        score = similarity(minhash, other) if other else 0.0
        if score >= min_similarity:
            hits.append((article_id, score))
    return sorted(hits, key=lambda hit: (-hit[1], hit[0]))


def insert_article(db: Database, article: NewArticle, *, now: datetime, run_id: int | None) -> int:
    """Store one article with its topic scores and fingerprint bands (one transaction)."""
    with transaction(db):
        cursor = db.execute(
            """INSERT INTO articles (canonical_url, url, kind, title, author, description,
                   published, first_seen, language, text, site, source, fingerprint, minhash,
                   crawl_run)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                article.canonical_url,
                article.url,
                article.kind,
                article.title,
                article.author,
                article.description,
                article.published,
                now_iso(now),
                article.language,
                article.text,
                article.site,
                article.source,
                to_signed(article.fingerprint) if article.fingerprint is not None else None,
                article.minhash,
                run_id,
            ],
        )
        article_id = int(cursor.lastrowid or 0)
        if article.band_keys:
            db.execute(
                "INSERT OR IGNORE INTO minhash_bands (key, article_id) VALUES "
                + ",".join("(?, ?)" for _ in article.band_keys),
                [v for key in article.band_keys for v in (key, article_id)],
            )
        for score in article.scores:
            db.execute(
                """INSERT OR REPLACE INTO article_topics (article_id, topic, score, matched,
                       relevant) VALUES (?, ?, ?, ?, ?)""",
                [article_id, score.topic, score.score, dumps(score.matched), int(score.relevant)],
            )
        if article.published and article.source and article.kind == "article":
            db.execute(
                """UPDATE sources SET watermark = ? WHERE site = ?
                   AND (watermark IS NULL OR watermark < ?)""",
                [article.published, article.source, article.published],
            )
    return article_id


def record_duplicate(
    db: Database,
    *,
    canonical_url: str,
    url: str,
    original_id: int,
    reason: str,
    similarity: float | None,
    title: str | None,
    site: str,
    now: datetime,
    run_id: int | None,
) -> None:
    db.execute(
        """INSERT OR IGNORE INTO duplicates (canonical_url, url, original_id, reason, similarity,
               title, site, first_seen, crawl_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [canonical_url, url, original_id, reason, similarity, title, site, now_iso(now), run_id],
    )


def record_reject(db: Database, url: str, reason: str, now: datetime) -> None:
    """A fetched URL that is not an article (too little text, not HTML): not fetched again."""
    stamp = now_iso(now)
    db.execute(
        """INSERT INTO rejects (url, reason, first_seen, last_seen) VALUES (?, ?, ?, ?)
           ON CONFLICT(url) DO UPDATE SET reason=excluded.reason, last_seen=excluded.last_seen,
               count=count+1""",
        [url, reason, stamp, stamp],
    )


def get_article(db: Database, article_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
    return rows[0] if rows else None


def article_scores(db: Database, article_id: int) -> list[dict[str, Any]]:
    rows = db.query(
        "SELECT topic, score, matched, relevant FROM article_topics WHERE article_id = ?",
        [article_id],
    )
    return [{**row, "matched": loads(row["matched"], {})} for row in rows]


def cited_texts(db: Database, topic: str) -> list[str]:
    """Text of the cited pages stored for a topic's sources (to enrich its profile)."""
    rows = db.execute(
        """SELECT a.text FROM articles a JOIN sources s ON s.site = a.source
           WHERE a.kind = 'cited' AND EXISTS (SELECT 1 FROM json_each(s.topics) WHERE value = ?)""",
        [topic],
    ).fetchall()
    return [row[0] for row in rows]


def search(db: Database, query: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Full-text search over title and text; finds Chinese (trigram), short terms by LIKE."""
    query = query.strip()
    if not query:
        return []
    columns = "a.id, a.title, a.url, a.site, a.published, a.first_seen, a.language"
    if len(query) >= 3:
        phrase = '"' + query.replace('"', '""') + '"'
        sql = f"""SELECT {columns}, snippet(articles_fts, 1, '[', ']', '…', 12) AS snippet
                  FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
                  WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?"""
        return list(db.query(sql, [phrase, limit]))
    like = "%" + query.replace("%", r"\%").replace("_", r"\_") + "%"
    sql = f"""SELECT {columns}, substr(a.text, max(instr(a.text, ?) - 20, 1), 60) AS snippet
              FROM articles a WHERE a.title LIKE ? ESCAPE '\\' OR a.text LIKE ? ESCAPE '\\'
              ORDER BY a.first_seen DESC LIMIT ?"""
    return list(db.query(sql, [query, like, like, limit]))
