"""The SQLite store: migrations, WAL, articles, the near-duplicate index, search."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler import store
from crawler.dedupe import MIN_SIMILARITY, text_print

NOW = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
ZH = ("OpenAI 发布的 GPT-4o 模型把文本、语音和图像放进同一个网络，实时语音对话的延迟降到几百毫秒。"
      "开发者可以通过接口调用新的图像生成功能，价格比上一代模型便宜一半，速率限制也放宽了。") * 3
EN = ("OpenAI said the GPT-4o model answers spoken questions in about three hundred milliseconds, "
      "and the new image generation tool can render legible text on street signs and menus. "
      "Developers get the same model through the API at half the previous price. ") * 3


def article(url: str, text: str, **extra: object) -> store.NewArticle:
    printed = text_print(text)
    assert printed is not None
    return store.NewArticle(
        canonical_url=url, url=url, text=text, site=url.split("/")[2],
        fingerprint=printed.simhash, minhash=printed.minhash, band_keys=printed.bands,
        **extra,  # type: ignore[arg-type]
    )


def test_migrations_are_safe_to_run_twice(tmp_path: Path) -> None:
    path = tmp_path / "db" / "seedwire.db"
    db = store.connect(path)
    first = store.migrate(db)
    from crawler.store.schema import MIGRATIONS

    assert first == [name for name, _ in MIGRATIONS]
    assert first[:2] == ["0001_initial", "0002_articles_fts_trigram"]
    assert store.migrate(db) == []
    db2 = store.open_db(path)
    assert store.applied_migrations(db2) == first
    assert db2.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db2.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    for table in ("topics", "seeds", "sources", "articles", "article_topics", "duplicates",
                  "crawl_runs", "digests", "digest_items", "subscribers", "deliveries"):
        assert table in db2.table_names()


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(store.StoreError, match="junk.db"):
        store.open_db(path)


def test_canonical_url_is_unique_and_known(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "s.db")
    store.insert_article(db, article("https://a.example/x", EN), now=NOW, run_id=None)
    with pytest.raises(sqlite3.IntegrityError):
        store.insert_article(db, article("https://a.example/x", EN), now=NOW, run_id=None)
    assert store.known_urls(db, ["https://a.example/x", "https://a.example/y"]) == {
        "https://a.example/x"}


def test_near_duplicate_index_finds_a_repost_and_not_other_articles(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "s.db")
    first = store.insert_article(db, article("https://a.example/zh", ZH), now=NOW, run_id=None)
    store.insert_article(db, article("https://a.example/en", EN), now=NOW, run_id=None)
    repost = "转载自科技日报。" + ZH[:-20] + "（本文版权归原作者所有）"
    printed = text_print(repost)
    assert printed is not None
    hits = store.near_duplicates(db, printed.bands, printed.minhash, MIN_SIMILARITY)
    assert [h[0] for h in hits] == [first]
    football = "足球比赛在周六晚上进行，主队凭借下半场的两个进球逆转取胜，球迷在看台上庆祝到深夜。"
    other = text_print(football * 3)
    assert other is not None
    assert store.near_duplicates(db, other.bands, other.minhash, MIN_SIMILARITY) == []


def test_search_finds_chinese_and_short_terms(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "s.db")
    store.insert_article(db, article("https://a.example/zh", ZH, title="图像生成上线"), now=NOW,
                         run_id=None)
    store.insert_article(db, article("https://a.example/en", EN, title="Voice mode"), now=NOW,
                         run_id=None)
    assert [r["title"] for r in store.search(db, "图像生成")] == ["图像生成上线"]
    assert [r["title"] for r in store.search(db, "语音")] == ["图像生成上线"]
    assert [r["title"] for r in store.search(db, "milliseconds")] == ["Voice mode"]
    assert store.search(db, "   ") == []


def test_crawl_runs_record_their_stats(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "s.db")
    run = store.start_run(db, now=NOW, args={"topic": None})
    store.update_run_stats(db, run, {"requests": 3})
    assert store.list_runs(db)[0]["status"] == "running"
    store.finish_run(db, run, now=NOW, status="finished", stats={"requests": 9})
    latest = store.list_runs(db)[0]
    assert latest["status"] == "finished" and latest["stats"] == {"requests": 9}


def test_watermark_moves_only_when_a_crawl_finishes(tmp_path: Path) -> None:
    from crawler.seeds import SeedSet, Source, Topic

    db = store.open_db(tmp_path / "s.db")
    source = Source(site="https://a.example/", host="a.example", start_urls=[], feeds=[],
                    sitemaps=[])
    topic = Topic(name="T", slug="t", keywords={"x": 1.0}, exclude=[], languages=["en"],
                  threshold=1.0, since=None, seeds=[], sources=[source], cited=[])
    store.sync_seeds(db, SeedSet(topics=[topic], seeds=[], problems=[]), NOW)
    store.insert_article(db, article("https://a.example/new", EN, published="2026-11-14",
                                     source="https://a.example/"), now=NOW, run_id=None)
    # a crawl killed now must not have moved it: older listed articles may still be missing
    assert store.list_sources(db)[0]["watermark"] is None
    store.refresh_watermarks(db, ["https://a.example/"])
    assert store.list_sources(db)[0]["watermark"] == "2026-11-14"


def test_background_checkpoints_copy_the_log_into_the_database(tmp_path: Path) -> None:
    path = tmp_path / "seedwire.db"
    db = store.open_db(path)
    checkpointer = store.Checkpointer(db, interval=0.05).start()
    # the writer leaves checkpoints to the thread (it keeps a far larger safety net)
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == checkpointer.writer_pages
    before = path.stat().st_size
    for i in range(30):
        store.insert_article(db, article(f"https://a.example/{i}", f"{EN} {i}"), now=NOW,
                             run_id=None)
    deadline = time.monotonic() + 10
    while path.stat().st_size == before and time.monotonic() < deadline:
        time.sleep(0.05)
    checkpointer.stop()
    assert path.stat().st_size > before
    assert len(list(db.query("SELECT id FROM articles"))) == 30


def test_near_duplicates_settles_borderline_estimates_with_the_texts(tmp_path: Path) -> None:
    from crawler.dedupe import jaccard, similarity

    def paragraph(name: str, words: int = 30) -> str:
        return " ".join(f"{name}w{i}" for i in range(words)) + "."

    db = store.open_db(tmp_path / "s.db")
    text = "\n".join(paragraph(f"p{k}") for k in range(10))
    first = store.insert_article(db, article("https://a.example/1", text), now=NOW, run_id=None)
    stored = text_print(text)
    assert stored is not None
    # two of ten paragraphs rewritten: a copy (exact similarity about 0.67)
    copy = "\n".join([*text.split("\n")[:8], paragraph("q0"), paragraph("q1")])
    printed = text_print(copy)
    assert printed is not None and 0.4 <= similarity(stored.minhash, printed.minhash) < 0.7
    hits = store.near_duplicates(db, printed.bands, printed.minhash, MIN_SIMILARITY, text=copy)
    assert hits == [(first, jaccard(text, copy))] and hits[0][1] > MIN_SIMILARITY
    # seven of ten paragraphs and a long new one: related, not a copy (exact similarity 0.498),
    # although the signatures estimate 0.57
    related = "\n".join([*text.split("\n")[:7], paragraph("z2", 120)])
    assert jaccard(text, related) < MIN_SIMILARITY
    printed = text_print(related)
    assert printed is not None
    assert store.near_duplicates(db, printed.bands, printed.minhash, MIN_SIMILARITY) != []
    assert store.near_duplicates(db, printed.bands, printed.minhash, MIN_SIMILARITY,
                                 text=related) == []
