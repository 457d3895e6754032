"""Selection: the period's new, relevant, fresh articles, ranked and capped, against a store."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crawler.store import (
    DigestItem,
    NewArticle,
    TopicScore,
    articles_in_other_issues,
    insert_article,
    open_db,
    period_candidates,
    put_topic,
    record_duplicate,
    save_digest,
)
from crawler.timeparse import period_bounds, utc_iso
from digest.select import (
    Candidate,
    Selection,
    candidates_from_rows,
    freshness,
    is_fresh,
    rank_score,
    relevance,
    select_stories,
)

TZ = ZoneInfo("Asia/Shanghai")
W47 = "2026-W47"  # Monday 16 November 2026 … Sunday 22 November, Asia/Shanghai
W46 = "2026-W46"


def at(text: str) -> datetime:
    """A time in Asia/Shanghai unless the text says otherwise."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=TZ)


def filler(seed: int, words: int = 80) -> str:
    """Text no other article shares (made-up words), so nothing clusters by accident."""
    rnd = random.Random(seed)
    made = [
        "".join(rnd.choice("bcdfghklmnprstvz") + rnd.choice("aeiou") for _ in range(3))
        for _ in range(words)
    ]
    return " ".join(made).capitalize() + "."


class Seeder:
    """Topics and articles in a real store, through the store's own functions."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.count = 0
        self.thresholds: dict[str, float] = {}

    def topic(self, slug: str, *, name: str | None = None, threshold: float = 1.0,
              since: str | None = None, keywords: dict[str, float] | None = None) -> None:
        self.thresholds[slug] = threshold
        put_topic(self.db, slug, name=name or slug, threshold=threshold, since=since,
                  keywords=keywords or {slug: 1.0}, now=at("2026-11-01T00:00:00"))

    def article(
        self,
        title: str | None = None,
        *,
        seen: str,
        topics: dict[str, float] | None = None,
        site: str = "news.example",
        published: str | None = None,
        text: str | None = None,
        language: str = "en",
        fingerprint: int | None = None,
        kind: str = "article",
        description: str | None = None,
    ) -> int:
        self.count += 1
        n = self.count
        scores = [
            TopicScore(topic, score, score >= self.thresholds.get(topic, 1.0))
            for topic, score in (topics if topics is not None else {"gpt4o": 2.0}).items()
        ]
        url = f"https://{site}/{n}"
        return insert_article(
            self.db,
            NewArticle(
                canonical_url=url,
                url=url,
                text=text if text is not None else filler(n),
                site=site,
                title=title if title is not None else f"Article {n} {filler(n, 3)}",
                published=at(published).isoformat() if published else None,
                language=language,
                fingerprint=fingerprint,
                kind=kind,
                description=description,
                scores=scores,
            ),
            now=at(seen),
            run_id=None,
        )


@pytest.fixture
def db(tmp_path: Path) -> Any:
    return open_db(tmp_path / "seedwire.db")


@pytest.fixture
def seed(db: Any) -> Seeder:
    seeder = Seeder(db)
    seeder.topic("gpt4o", name="GPT-4o")
    return seeder


def pick(db: Any, key: str = W47, *, per_topic: int = 10, per_site: int = 3,
         max_age_days: int = 30, topic: str | None = None) -> Selection:
    starts, ends = period_bounds(key, TZ)
    rows = period_candidates(db, utc_iso(starts), utc_iso(ends), period=key, topic=topic)
    return select_stories(candidates_from_rows(rows), starts=starts, per_topic=per_topic,
                          per_site=per_site, max_age_days=max_age_days)


def ids(selection: Selection, topic: str = "gpt4o") -> list[int]:
    return [story.lead.article_id for story in selection.sections.get(topic, [])]


# ----------------------------------------------------------------------------- the period


def test_period_edges_are_in_the_configured_timezone(db: Any, seed: Seeder) -> None:
    before = seed.article(seen="2026-11-15T23:59:59")  # Sunday of W46
    first = seed.article(seen="2026-11-16T00:00:00")  # Monday 00:00 of W47
    last = seed.article(seen="2026-11-22T23:59:00")  # Sunday 23:59 of W47
    after = seed.article(seen="2026-11-23T00:00:00")  # Monday 00:00 of W48
    assert sorted(ids(pick(db, W47))) == [first, last]
    assert ids(pick(db, W46)) == [before]
    assert ids(pick(db, "2026-W48")) == [after]


def test_utc_storage_does_not_shift_the_week(db: Any, seed: Seeder) -> None:
    # 16:30 UTC on Sunday is already Monday 00:30 in Shanghai.
    monday = seed.article(seen="2026-11-22T16:30:00+00:00")
    assert ids(pick(db, W47)) == []
    assert ids(pick(db, "2026-W48")) == [monday]


# ----------------------------------------------------------------------------- what counts


def test_only_relevant_articles_not_cited_pages_nor_duplicates(db: Any, seed: Seeder) -> None:
    seed.topic("sora", name="Sora", threshold=3.0)
    relevant = seed.article(seen="2026-11-17T10:00", topics={"gpt4o": 1.5})
    seed.article(seen="2026-11-17T10:00", topics={"gpt4o": 0.5})  # below the threshold
    seed.article(seen="2026-11-17T10:00", topics={"sora": 2.9})  # below Sora's threshold
    seed.article(seen="2026-11-17T10:00", kind="cited")
    seed.article(seen="2026-11-17T10:00", topics={})  # no topic at all
    copy = seed.article(seen="2026-11-18T10:00", site="mirror.example")
    record_duplicate(
        db, canonical_url=f"https://mirror.example/{seed.count}",
        url=f"https://mirror.example/{seed.count}", original_id=relevant,
        reason="same-canonical", similarity=1.0, title=None, site="mirror.example",
        now=at("2026-11-18T10:00"), run_id=None,
    )
    chosen = ids(pick(db))
    assert chosen == [relevant]
    assert copy not in chosen


def test_inactive_topics_and_the_topic_filter(db: Any, seed: Seeder) -> None:
    seed.topic("sora", name="Sora")
    gpt = seed.article(seen="2026-11-17T10:00", topics={"gpt4o": 2.0})
    sora = seed.article(seen="2026-11-17T10:00", topics={"sora": 2.0})
    assert ids(pick(db, topic="Sora"), "sora") == [sora]
    assert ids(pick(db, topic="gpt4o")) == [gpt] and "sora" not in pick(db, topic="gpt4o").sections
    put_topic(db, "sora", name="Sora", active=False, now=at("2026-11-20T00:00"))
    assert list(pick(db).sections) == ["gpt4o"]


def test_old_articles_from_a_first_crawl_are_never_new(db: Any, seed: Seeder) -> None:
    seed.topic("gpt4o", name="GPT-4o", since="2026-10-01")
    fresh = seed.article(seen="2026-11-17T10:00", published="2026-11-16T09:00")
    undated = seed.article(seen="2026-11-17T10:00")
    recent = seed.article(seen="2026-11-17T10:00", published="2026-10-20T09:00")
    seed.article(seen="2026-11-17T10:00", published="2026-09-30T09:00")  # before the seeds
    seed.topic("sora", name="Sora")  # no since: only the maximum age applies
    seed.article(seen="2026-11-17T10:00", published="2026-10-01T09:00", topics={"sora": 5.0})
    kept = pick(db, max_age_days=30)
    assert sorted(ids(kept)) == sorted([fresh, undated, recent])
    assert "sora" not in kept.sections
    assert kept.stale == 2
    assert sorted(ids(pick(db, max_age_days=10))) == [fresh, undated]


def test_articles_in_another_issue_are_not_candidates(db: Any, seed: Seeder) -> None:
    shown = seed.article(seen="2026-11-17T10:00")
    also = seed.article(seen="2026-11-17T11:00")
    new = seed.article(seen="2026-11-17T12:00")
    save_digest(
        db, period="2026-11-10..2026-11-17", number=1, subject="s", html="h", text="t",
        starts="a", ends="b", items=[DigestItem(shown, "gpt4o", 1, also=[also])], context={},
        now=at("2026-11-18T00:00"),
    )
    assert articles_in_other_issues(db, W47) == {shown, also}
    assert articles_in_other_issues(db, "2026-11-10..2026-11-17") == set()
    assert ids(pick(db, W47)) == [new]


# ----------------------------------------------------------------------------- ranking


def test_ranking_prefers_relevance_then_freshness(db: Any, seed: Seeder) -> None:
    weak = seed.article(seen="2026-11-17T10:00", topics={"gpt4o": 1.2}, site="a.example")
    strong = seed.article(seen="2026-11-17T10:00", topics={"gpt4o": 6.0}, site="b.example")
    older = seed.article(seen="2026-11-17T10:00", topics={"gpt4o": 6.0}, site="c.example",
                         published="2026-11-02T10:00")
    assert ids(pick(db)) == [strong, older, weak]


def test_rank_formula() -> None:
    starts = at("2026-11-16T00:00")
    fresh = Candidate(1, "t", "T", 3.0, 1.5, "x", "u", "s", first_seen=starts)
    assert relevance(fresh) == pytest.approx(1.0986, abs=1e-4)  # ln(1 + 2)
    assert freshness(fresh, starts=starts) == 1.0
    week_old = Candidate(2, "t", "T", 3.0, 1.5, "x", "u", "s", first_seen=starts,
                         published=starts - timedelta(days=7))
    assert freshness(week_old, starts=starts) == pytest.approx(0.5)
    assert rank_score(week_old, starts=starts) == pytest.approx(relevance(fresh) * 0.75)
    zero = Candidate(3, "t", "T", 2.0, 0.0, "x", "u", "s", first_seen=starts)
    assert relevance(zero) == pytest.approx(1.0986, abs=1e-4)  # threshold 0: ln(1 + score)


def test_is_fresh_uses_the_topic_since_and_the_maximum_age() -> None:
    starts = at("2026-11-16T00:00")
    base = dict(topic="t", topic_name="T", score=2.0, threshold=1.0, title="x", url="u",
                site="s", first_seen=starts)
    assert is_fresh(Candidate(1, **base), starts=starts, max_age_days=30)  # undated
    old = Candidate(2, **base, published=starts - timedelta(days=31))
    assert not is_fresh(old, starts=starts, max_age_days=30)
    seeded = Candidate(3, **base, published=starts - timedelta(days=3),
                       topic_since=date(2026, 11, 14))
    assert not is_fresh(seeded, starts=starts, max_age_days=30)


def test_per_site_cap_and_diversity(db: Any, seed: Seeder) -> None:
    big = [seed.article(seen="2026-11-17T10:00", topics={"gpt4o": 5.0 - i * 0.1},
                        site="big.example") for i in range(5)]
    small = seed.article(seen="2026-11-17T10:00", topics={"gpt4o": 4.0}, site="small.example")
    chosen = pick(db, per_site=3)
    assert len(chosen.sections["gpt4o"]) == 4
    assert sum(1 for s in chosen.sections["gpt4o"] if s.site == "big.example") == 3
    assert small in ids(chosen)
    # the second story of a site weighs 0.85 of its rank: the small site comes before it
    assert ids(chosen)[:2] == [big[0], small]
    assert chosen.capped == 2


def test_per_topic_cap(db: Any, seed: Seeder) -> None:
    for i in range(12):
        seed.article(seen="2026-11-17T10:00", topics={"gpt4o": 2.0 + i}, site=f"s{i}.example")
    chosen = pick(db, per_topic=10)
    assert len(ids(chosen)) == 10
    assert chosen.capped == 2


def test_an_article_of_two_topics_appears_once_in_its_best(db: Any, seed: Seeder) -> None:
    seed.topic("sora", name="Sora", threshold=2.0)
    both = seed.article(seen="2026-11-17T10:00", topics={"gpt4o": 3.0, "sora": 8.0})
    chosen = pick(db)
    assert ids(chosen, "sora") == [both]
    assert ids(chosen, "gpt4o") == []
    assert chosen.sections["sora"][0].lead.topic == "sora"


def test_a_full_topic_leaves_the_article_to_its_next_best(db: Any, seed: Seeder) -> None:
    seed.topic("sora", name="Sora")
    sora = [seed.article(seen="2026-11-17T10:00", topics={"sora": 9.0}, site=f"s{i}.example")
            for i in range(2)]
    both = seed.article(seen="2026-11-17T10:00", topics={"sora": 5.0, "gpt4o": 2.0},
                        site="both.example")
    chosen = pick(db, per_topic=2)
    assert ids(chosen, "sora") == sora
    assert ids(chosen, "gpt4o") == [both]
    assert chosen.sections["gpt4o"][0].lead.topic == "gpt4o"


def test_same_story_write_ups_become_one_entry(db: Any, seed: Seeder) -> None:
    first = seed.article(
        "Northwind Robotics recalls 40,000 Skylark delivery drones after battery fires",
        seen="2026-11-17T10:00", site="a.example", topics={"gpt4o": 4.0},
        text="Northwind Robotics is recalling about 40,000 Skylark delivery drones after battery "
        "fires in warehouses in Ohio and Texas. Owners get replacement lithium packs for free.",
    )
    second = seed.article(
        "Skylark drone fires force Northwind into a 40,000-unit recall",
        seen="2026-11-18T10:00", site="b.example", topics={"gpt4o": 3.0},
        text="Battery fires in Texas and Ohio charging bays pushed Northwind Robotics to pull "
        "roughly 40,000 Skylark drones; customers receive new lithium battery packs for free.",
    )
    copy = seed.article(seen="2026-11-19T10:00", site="c.example", fingerprint=0xFF00FF,
                        topics={"gpt4o": 2.0})
    original = seed.article(seen="2026-11-16T10:00", site="d.example", fingerprint=0xFF00F0,
                            topics={"gpt4o": 5.0})
    chosen = pick(db)
    stories = {s.lead.article_id: [c.article_id for c in s.also]
               for s in chosen.sections["gpt4o"]}
    assert stories == {first: [second], original: [copy]}
    assert chosen.clustered == 2
