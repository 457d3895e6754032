"""Articles, their topic scores, the SimHash band index, duplicates and rejected URLs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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
    declared_canonical: str | None = None   # the page's own canonical/og:url, any site
    sitename: str | None = None             # the site's own name, for readers
    scores: list[TopicScore] = field(default_factory=list)


def known_urls(db: Database, urls: Iterable[str], *, now: datetime | None = None) -> set[str]:
    """Which of these (normalised) URLs need no fetch: stored as article, cited page or
    duplicate, or failed before and not due for another try at ``now``."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    for start in range(0, len(wanted), 400):
        chunk = wanted[start : start + 400]
        marks = ",".join("?" * len(chunk))
        sql = f"""SELECT canonical_url AS u FROM articles WHERE canonical_url IN ({marks})
                  UNION SELECT url FROM articles WHERE url IN ({marks})
                  UNION SELECT canonical_url FROM duplicates WHERE canonical_url IN ({marks})
                  UNION SELECT url FROM duplicates WHERE url IN ({marks})
                  UNION SELECT url FROM rejects WHERE url IN ({marks})
                      AND (retry_after IS NULL OR retry_after > ?)"""
        stamp = now_iso(now) if now else "9999"
        found.update(row[0] for row in db.execute(sql, chunk * 5 + [stamp]).fetchall())
    return found


def stored_urls(db: Database) -> Iterator[str]:
    """Every URL :func:`known_urls` finds as stored (articles and duplicates, both spellings)."""
    sql = """SELECT canonical_url FROM articles UNION SELECT url FROM articles
             UNION SELECT canonical_url FROM duplicates UNION SELECT url FROM duplicates"""
    for (url,) in db.execute(sql):
        yield url


def reject_retry_times(db: Database, urls: Iterable[str] | None = None) -> dict[str, str | None]:
    """Rejected URLs and when each may be fetched again (ISO time; None: never)."""
    if urls is None:
        return dict(db.execute("SELECT url, retry_after FROM rejects").fetchall())
    found: dict[str, str | None] = {}
    wanted = list(dict.fromkeys(urls))
    for start in range(0, len(wanted), 400):
        chunk = wanted[start : start + 400]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT url, retry_after FROM rejects WHERE url IN ({marks})"
        found.update(db.execute(sql, chunk).fetchall())
    return found


def article_id_for(db: Database, canonical_url: str) -> int | None:
    row = db.execute("SELECT id FROM articles WHERE canonical_url = ?", [canonical_url]).fetchone()
    return row[0] if row else None


def near_duplicates(
    db: Database, band_keys: list[int], minhash: bytes, min_similarity: float,
    *, text: str | None = None,
) -> list[tuple[int, float]]:
    """(article_id, similarity) of stored articles sharing a band key, best first.

    The similarity is the MinHash estimate; given the new article's ``text``, an estimate near
    the threshold is replaced by the exact similarity of the two texts (see
    :mod:`crawler.dedupe`), which keeps related articles from being taken for copies.
    """
    from crawler.dedupe import VERIFY_ABOVE, VERIFY_BELOW, jaccard, shingles, similarity

    if not band_keys:
        return []
    marks = ",".join("?" * len(band_keys))
    rows = db.execute(
        f"""SELECT a.id, a.minhash FROM articles a WHERE a.id IN
            (SELECT DISTINCT article_id FROM minhash_bands WHERE key IN ({marks}))""",
        band_keys,
    ).fetchall()
    hits = []
    unsure = []
    for article_id, other in rows:
        score = similarity(minhash, other) if other else 0.0
        if text is not None and \
                min_similarity - VERIFY_BELOW <= score < min_similarity + VERIFY_ABOVE:
            unsure.append(article_id)
        elif score >= min_similarity:
            hits.append((article_id, score))
    if unsure:
        mine = set(shingles(text or ""))
        marks = ",".join("?" * len(unsure))
        for article_id, other_text in db.execute(
            f"SELECT id, text FROM articles WHERE id IN ({marks})", unsure
        ).fetchall():
            exact = jaccard(mine, other_text or "")
            if exact >= min_similarity:
                hits.append((article_id, exact))
    return sorted(hits, key=lambda hit: (-hit[1], hit[0]))


def insert_article(db: Database, article: NewArticle, *, now: datetime, run_id: int | None) -> int:
    """Store one article with its topic scores and fingerprint bands (one transaction)."""
    with transaction(db):
        return _insert_rows(db, article, now=now, run_id=run_id)


def _insert_rows(db: Database, article: NewArticle, *, now: datetime, run_id: int | None) -> int:
    cursor = db.execute(
        """INSERT INTO articles (canonical_url, url, kind, title, author, description,
               published, first_seen, language, text, site, source, fingerprint, minhash,
               crawl_run, declared_canonical, sitename)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
            article.declared_canonical,
            article.sitename,
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
    return article_id


def refresh_watermarks(db: Database, sites: Iterable[str]) -> None:
    """Move each source's watermark to the newest publication date stored for it.

    Called when a crawl has finished: a watermark that moved during a crawl that was then
    killed would make the next crawl skip listed articles older than it that never arrived.
    """
    for site in sites:
        db.execute(
            """UPDATE sources SET watermark = (
                   SELECT max(published) FROM articles WHERE source = ? AND kind = 'article')
               WHERE site = ?""",
            [site, site],
        )


def declared_original(db: Database, article_id: int) -> str | None:
    """The canonical URL a stored article declares (possibly on another site)."""
    row = db.execute(
        "SELECT declared_canonical FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    return row[0] if row else None


def in_any_issue(db: Database, article_id: int) -> bool:
    row = db.execute("SELECT 1 FROM digest_items WHERE article_id = ? LIMIT 1", [article_id])
    return row.fetchone() is not None


def promote_original(
    db: Database, copy_id: int, original: NewArticle, *, similarity: float, now: datetime,
    run_id: int | None,
) -> int:
    """The original of a stored copy arrived: store it and turn the copy into its duplicate.

    A syndicated copy that names the original as its canonical URL may be crawled first; the
    original should still be the article readers are sent to. One transaction.
    """
    copy = get_article(db, copy_id)
    if copy is None:
        raise ValueError(f"no article {copy_id}")
    with transaction(db):
        new_id = _insert_rows(db, original, now=now, run_id=run_id)
        db.execute("UPDATE duplicates SET original_id = ? WHERE original_id = ?", [new_id, copy_id])
        db.execute(
            """INSERT OR IGNORE INTO duplicates (canonical_url, url, original_id, reason,
                   similarity, title, site, first_seen, crawl_run)
               VALUES (?, ?, ?, 'syndicated-copy', ?, ?, ?, ?, ?)""",
            [copy["canonical_url"], copy["url"], new_id, similarity, copy["title"], copy["site"],
             copy["first_seen"], copy["crawl_run"]],
        )
        db.execute("DELETE FROM articles WHERE id = ?", [copy_id])
    return new_id


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


# How long to wait before fetching a failed URL again, by failure count (then never).
RETRY_BACKOFF = (timedelta(hours=6), timedelta(days=1), timedelta(days=4), timedelta(days=16))


def record_reject(
    db: Database, url: str, reason: str, now: datetime, *, transient: bool = False
) -> None:
    """A fetched URL that holds no article, or a fetch that failed.

    Permanent reasons (no article text, too large, 404) are never fetched again; transient
    ones (timeouts, 5xx) are tried again after a growing pause, at most len(RETRY_BACKOFF) times.
    """
    stamp = now_iso(now)
    row = db.execute("SELECT count FROM rejects WHERE url = ?", [url]).fetchone()
    count = (row[0] + 1) if row else 1
    retry = None
    if transient and count <= len(RETRY_BACKOFF):
        retry = now_iso(now + RETRY_BACKOFF[count - 1])
    db.execute(
        """INSERT INTO rejects (url, reason, first_seen, last_seen, count, retry_after)
           VALUES (?, ?, ?, ?, 1, ?)
           ON CONFLICT(url) DO UPDATE SET reason=excluded.reason, last_seen=excluded.last_seen,
               count=count+1, retry_after=excluded.retry_after""",
        [url, reason, stamp, stamp, retry],
    )


def clear_reject(db: Database, url: str) -> None:
    db.execute("DELETE FROM rejects WHERE url = ?", [url])


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
