"""The SQLite store: the only place that writes SQL. Import functions from here."""

from crawler.store.articles import (
    NewArticle,
    TopicScore,
    article_id_for,
    article_scores,
    cited_texts,
    get_article,
    insert_article,
    known_urls,
    near_duplicates,
    record_duplicate,
    record_reject,
    search,
)
from crawler.store.core import (
    StoreError,
    applied_migrations,
    connect,
    migrate,
    open_db,
    transaction,
)
from crawler.store.runs import (
    article_counts,
    finish_run,
    list_runs,
    start_run,
    table_counts,
    update_run_stats,
)
from crawler.store.seeds import (
    get_validator,
    list_sources,
    list_topics,
    mark_crawled,
    record_discovery,
    set_validator,
    sync_seeds,
)

__all__ = [
    "NewArticle", "StoreError", "TopicScore", "applied_migrations", "article_counts",
    "article_id_for", "article_scores", "cited_texts", "connect", "finish_run", "get_article",
    "get_validator", "insert_article", "known_urls", "list_runs", "list_sources", "list_topics",
    "mark_crawled", "migrate", "near_duplicates", "open_db", "record_discovery",
    "record_duplicate", "record_reject", "search", "set_validator", "start_run", "sync_seeds",
    "table_counts", "transaction", "update_run_stats",
]
