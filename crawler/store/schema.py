"""Versioned migrations: each runs once, in order, inside a transaction; re-running is a no-op."""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

Migration = tuple[str, Callable[[Database], None]]

_INITIAL = """
CREATE TABLE IF NOT EXISTS topics (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    keywords TEXT NOT NULL DEFAULT '{}',      -- JSON {term: weight}
    exclude TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    threshold REAL NOT NULL DEFAULT 1.0,
    since TEXT,                               -- articles published before are never new
    seeds TEXT NOT NULL DEFAULT '[]',
    active INTEGER NOT NULL DEFAULT 1,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seeds (
    path TEXT PRIMARY KEY,
    format TEXT NOT NULL,
    title TEXT, date TEXT, author TEXT, language TEXT,
    topic TEXT REFERENCES topics(slug) ON DELETE SET NULL,
    keywords TEXT NOT NULL DEFAULT '{}',
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS seed_urls (
    seed TEXT NOT NULL REFERENCES seeds(path) ON DELETE CASCADE,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT, date TEXT, line INTEGER,
    PRIMARY KEY (seed, url)
);
CREATE TABLE IF NOT EXISTS sources (
    site TEXT PRIMARY KEY,                    -- scheme://host/
    host TEXT NOT NULL,
    topics TEXT NOT NULL DEFAULT '[]',        -- JSON list of topic slugs
    start_urls TEXT NOT NULL DEFAULT '[]',
    feeds TEXT NOT NULL DEFAULT '[]',         -- declared in seeds
    sitemaps TEXT NOT NULL DEFAULT '[]',
    found_feeds TEXT NOT NULL DEFAULT '[]',   -- discovered while crawling
    found_sitemaps TEXT NOT NULL DEFAULT '[]',
    watermark TEXT,                           -- newest publication date stored for this site
    last_crawled TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS validators (      -- conditional GET state per feed/sitemap URL
    url TEXT PRIMARY KEY,
    etag TEXT, last_modified TEXT,
    status INTEGER, checked TEXT
);
CREATE TABLE IF NOT EXISTS crawl_runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL DEFAULT 'running',   -- running | finished | failed | killed
    args TEXT NOT NULL DEFAULT '{}',
    stats TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    canonical_url TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'article',     -- article | cited
    title TEXT, author TEXT, description TEXT,
    published TEXT,                           -- ISO date or datetime (UTC) when known
    first_seen TEXT NOT NULL,
    language TEXT,
    text TEXT NOT NULL,
    site TEXT NOT NULL,                       -- host of the canonical URL
    source TEXT REFERENCES sources(site) ON DELETE SET NULL,
    fingerprint INTEGER,                      -- 64-bit SimHash (signed)
    minhash BLOB,                             -- MinHash signature (crawler.dedupe)
    crawl_run INTEGER REFERENCES crawl_runs(id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS articles_url ON articles(url);
CREATE INDEX IF NOT EXISTS articles_first_seen ON articles(first_seen);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE TABLE IF NOT EXISTS minhash_bands (   -- LSH index: articles sharing a key are candidates
    key INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (key, article_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS article_topics (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    topic TEXT NOT NULL REFERENCES topics(slug) ON DELETE CASCADE,
    score REAL NOT NULL,
    matched TEXT NOT NULL DEFAULT '{}',
    relevant INTEGER NOT NULL,
    PRIMARY KEY (article_id, topic)
);
CREATE INDEX IF NOT EXISTS article_topics_topic ON article_topics(topic, relevant);
CREATE TABLE IF NOT EXISTS duplicates (
    id INTEGER PRIMARY KEY,
    canonical_url TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    original_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,                     -- near-duplicate | same-canonical
    similarity REAL,                          -- estimated Jaccard similarity to the original
    title TEXT, site TEXT,
    first_seen TEXT NOT NULL,
    crawl_run INTEGER REFERENCES crawl_runs(id) ON DELETE SET NULL
);
CREATE INDEX IF NOT EXISTS duplicates_url ON duplicates(url);
CREATE INDEX IF NOT EXISTS duplicates_original ON duplicates(original_id);
CREATE TABLE IF NOT EXISTS rejects (          -- fetched URLs that are not articles
    url TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS digests (
    id INTEGER PRIMARY KEY,
    period TEXT NOT NULL UNIQUE,              -- 2026-W47, or since..until
    number INTEGER NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    html TEXT NOT NULL,
    text TEXT NOT NULL,
    starts TEXT NOT NULL, ends TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS digest_items (
    digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    rank INTEGER NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL DEFAULT 'extractive',
    also TEXT NOT NULL DEFAULT '[]',          -- JSON list of article ids covering the same story
    PRIMARY KEY (digest_id, article_id)
);
CREATE TABLE IF NOT EXISTS subscribers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT,
    status TEXT NOT NULL DEFAULT 'pending',   -- pending | active | unsubscribed | bounced
    topics TEXT,                              -- JSON list of slugs; NULL = all topics
    created TEXT NOT NULL,
    confirmed TEXT, unsubscribed TEXT
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    message_id TEXT,
    sent TEXT,
    UNIQUE (digest_id, subscriber_id)
);
CREATE TABLE IF NOT EXISTS summaries (        -- LLM answers, cached
    article_key TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    summary TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (article_key, model, prompt_version)
);
"""


def _initial(db: Database) -> None:
    for statement in _INITIAL.split(";\n"):
        if statement.strip():
            db.execute(statement)


def _fts(db: Database) -> None:
    db["articles"].enable_fts(["title", "text"], tokenize="trigram", create_triggers=True)


def _delivery_state(db: Database) -> None:
    """Deliveries: ``sending``/``skipped`` states, when a row last changed, a status index;
    subscribers: where the consent came from (cli, import, web)."""
    db.execute("ALTER TABLE deliveries ADD COLUMN updated TEXT")
    db.execute("CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries(digest_id, status)")
    db.execute("ALTER TABLE subscribers ADD COLUMN source TEXT")
    db.execute("CREATE INDEX IF NOT EXISTS subscribers_status ON subscribers(status)")


def _digest_context(db: Database) -> None:
    """Digests keep the issue as rendered (JSON), so the archive can be rendered again."""
    db.execute("ALTER TABLE digests ADD COLUMN context TEXT NOT NULL DEFAULT '{}'")


def _declared_canonical(db: Database) -> None:
    # what the page itself names as the original (rel=canonical/og:url), even on another site
    db.execute("ALTER TABLE articles ADD COLUMN declared_canonical TEXT")


def _reject_retry(db: Database) -> None:
    # when a failed URL may be tried again (NULL: never); failures counted per URL
    db.execute("ALTER TABLE rejects ADD COLUMN retry_after TEXT")


def _sitename(db: Database) -> None:
    # the site's own name (og:site_name, JSON-LD publisher): what readers see next to a title
    db.execute("ALTER TABLE articles ADD COLUMN sitename TEXT")


def _probed(db: Database) -> None:
    # when the common feed paths of a source were last probed by a crawl that finished
    db.execute("ALTER TABLE sources ADD COLUMN probed TEXT")


MIGRATIONS: list[Migration] = [
    ("0001_initial", _initial),
    ("0002_articles_fts_trigram", _fts),
    ("0010_digest_context", _digest_context),
    ("0020_delivery_state", _delivery_state),
    ("0030_articles_declared_canonical", _declared_canonical),
    ("0031_rejects_retry_after", _reject_retry),
    ("0032_articles_sitename", _sitename),
    ("0033_sources_probed", _probed),
]
