"""Which articles make an issue: freshness, ranking, same-story clusters, per-topic and per-site
caps. Pure functions over :class:`Candidate` rows; the SQL is
:func:`crawler.store.period_candidates`.

Ranking (higher is better), for an article in a topic::

    relevance = ln(1 + score / threshold)           # ≥ ln 2 for every relevant article
    freshness = 0.5 ** (days before the period start / 7)   # 1.0 inside the period
    rank      = relevance × (0.5 + 0.5 × freshness)

``published`` is used when known, else ``first_seen`` (always inside the period). Dividing by
the topic's threshold makes scores of topics with different thresholds comparable; the
logarithm keeps one keyword-stuffed article from outranking everything; an article published a
week before the period weighs three quarters of a fresh one, a month before about half.

Selection: an article relevant to several topics goes to the topic where it ranks best. Same
stories are clustered over all topics (:mod:`digest.cluster`); a story's entry is its best-ranked
article, in that article's best topic, the others are listed as "also covered by". Each topic
then takes its stories greedily: at each step the story with the best rank, multiplied by
:data:`SITE_REPEAT_FACTOR` for every entry its site already has in the topic, and never more than
``per_site`` entries from one site or ``per_topic`` in all. A story that finds no place in its
best topic may take a free place in its next best one.

Never new: an article published (when known) before the topic's ``since`` date or more than
``max_age_days`` before the period starts (a site's first crawl sees its whole archive).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from crawler.timeparse import parse_iso
from digest.cluster import ClusterDoc, cluster_documents

logger = logging.getLogger(__name__)

__all__ = [
    "Candidate",
    "Selection",
    "Story",
    "candidates_from_rows",
    "freshness",
    "is_fresh",
    "rank_score",
    "relevance",
    "select_stories",
]

FRESHNESS_HALF_LIFE_DAYS = 7.0
SITE_REPEAT_FACTOR = 0.85


@dataclass
class Candidate:
    """An article that may enter the issue, in one of the topics it is relevant to."""

    article_id: int
    topic: str
    topic_name: str
    score: float
    threshold: float
    title: str
    url: str
    site: str
    first_seen: datetime
    published: datetime | None = None
    language: str | None = None
    lead: str = ""
    fingerprint: int | None = None
    topic_since: date | None = None
    canonical_url: str = ""
    description: str | None = None
    matched: dict[str, float] = field(default_factory=dict)
    sitename: str = ""          # the site's own name when the page gave one (for readers)

    @property
    def source_name(self) -> str:
        return self.sitename or self.site

    @property
    def moment(self) -> datetime:
        """When the article appeared: its publication date when known, else first seen."""
        return self.published or self.first_seen


@dataclass
class Story:
    """One entry of the issue: its article, in its topic, and other write-ups of the story."""

    lead: Candidate
    rank: float
    also: list[Candidate] = field(default_factory=list)
    prefs: list[tuple[str, float]] = field(default_factory=list)  # (topic, rank), best first
    in_topic: dict[str, Candidate] = field(default_factory=dict)  # the lead as seen by each

    @property
    def site(self) -> str:
        return self.lead.site


@dataclass
class Selection:
    """The chosen stories per topic slug (in issue order) and what was left out, by reason."""

    sections: dict[str, list[Story]]
    considered: int = 0  # distinct candidate articles
    stale: int = 0  # published before the topic's seeds or too old
    clustered: int = 0  # articles listed under another entry ("also")
    capped: int = 0  # stories that found no place (per-topic and per-site caps)

    @property
    def entry_count(self) -> int:
        return sum(len(stories) for stories in self.sections.values())


# ----------------------------------------------------------------------------- rows


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    moment = parse_iso(str(value))
    return moment.date() if moment else None


def candidates_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[Candidate]:
    """Candidates from :func:`crawler.store.period_candidates` rows (bad dates count as unknown)."""
    out = []
    for row in rows:
        first_seen = parse_iso(row.get("first_seen"))
        if first_seen is None:
            logger.warning("article %s has no first-seen time; skipped", row.get("id"))
            continue
        out.append(
            Candidate(
                article_id=int(row["id"]),
                topic=str(row["topic"]),
                topic_name=str(row.get("topic_name") or row["topic"]),
                score=float(row.get("score") or 0.0),
                threshold=float(row.get("threshold") or 0.0),
                title=str(row.get("title") or ""),
                url=str(row.get("url") or row.get("canonical_url") or ""),
                site=str(row.get("site") or ""),
                first_seen=first_seen,
                published=parse_iso(row.get("published")),
                language=row.get("language"),
                lead=str(row.get("lead") or ""),
                fingerprint=row.get("fingerprint"),
                topic_since=_as_date(row.get("since")),
                canonical_url=str(row.get("canonical_url") or ""),
                description=row.get("description"),
                matched=dict(row.get("matched") or {}),
                sitename=str(row.get("sitename") or ""),
            )
        )
    return out


# ----------------------------------------------------------------------------- ranking


def is_fresh(candidate: Candidate, *, starts: datetime, max_age_days: int) -> bool:
    """False for an article published before its topic's ``since`` or too long before
    ``starts``; an article without a publication date is judged by when it was first seen."""
    published = candidate.published
    if published is None:
        return True
    if candidate.topic_since is not None and published.date() < candidate.topic_since:
        return False
    return published >= starts - timedelta(days=max_age_days)


def relevance(candidate: Candidate) -> float:
    """``ln(1 + score / threshold)`` (the raw score's logarithm when the threshold is 0)."""
    ratio = candidate.score / candidate.threshold if candidate.threshold > 0 else candidate.score
    return math.log1p(max(ratio, 0.0))


def freshness(candidate: Candidate, *, starts: datetime) -> float:
    """1.0 for an article that appeared in the period, halving every week before it."""
    age = (starts - candidate.moment).total_seconds() / 86400.0
    return 1.0 if age <= 0 else 0.5 ** (age / FRESHNESS_HALF_LIFE_DAYS)


def rank_score(candidate: Candidate, *, starts: datetime) -> float:
    """``relevance × (0.5 + 0.5 × freshness)``: see the module docstring."""
    return relevance(candidate) * (0.5 + 0.5 * freshness(candidate, starts=starts))


# ----------------------------------------------------------------------------- selection


def _order_key(candidate: Candidate, rank: float) -> tuple[float, float, float, int]:
    """Best first; ties: higher score, newer, lower id (deterministic)."""
    return (-rank, -candidate.score, -candidate.moment.timestamp(), candidate.article_id)


def _greedy(
    stories: Sequence[Story], rank_in: dict[int, float], limit: int, per_site: int,
    taken: Sequence[Story] = (),
) -> list[Story]:
    """Up to ``limit`` stories in order, with the site-repeat penalty and the per-site cap;
    ``taken`` are stories already placed (their sites count)."""
    chosen: list[Story] = []
    per: dict[str, int] = defaultdict(int)
    for story in taken:
        per[story.site] += 1
    pool = list(stories)
    while pool and len(chosen) < limit:
        best_index, best_key = -1, None
        for index, story in enumerate(pool):
            if per[story.site] >= per_site:
                continue
            effective = rank_in[id(story)] * SITE_REPEAT_FACTOR ** per[story.site]
            key = (-effective, *_order_key(story.lead, rank_in[id(story)])[1:])
            if best_key is None or key < best_key:
                best_index, best_key = index, key
        if best_index < 0:
            break
        story = pool.pop(best_index)
        chosen.append(story)
        per[story.site] += 1
    return chosen


def select_stories(
    candidates: Sequence[Candidate],
    *,
    starts: datetime,
    per_topic: int,
    per_site: int,
    max_age_days: int,
    cluster: bool = True,
) -> Selection:
    """Fresh candidates → stories → the issue's sections (see the module docstring)."""
    per_topic = max(per_topic, 0)
    per_site = max(per_site, 1)
    fresh = [c for c in candidates if is_fresh(c, starts=starts, max_age_days=max_age_days)]
    stale_ids = {c.article_id for c in candidates} - {c.article_id for c in fresh}

    by_article: dict[int, list[tuple[float, Candidate]]] = defaultdict(list)
    for c in fresh:
        by_article[c.article_id].append((rank_score(c, starts=starts), c))
    best: list[tuple[float, Candidate, list[tuple[float, Candidate]]]] = []
    for pairs in by_article.values():
        pairs.sort(key=lambda rc: (_order_key(rc[1], rc[0]), rc[1].topic))
        rank, top = pairs[0]
        best.append((rank, top, pairs))
    best.sort(key=lambda item: _order_key(item[1], item[0]))

    if cluster and best:
        docs = [
            ClusterDoc(
                key=c.article_id,
                title=c.title,
                text=c.lead,
                language=c.language,
                fingerprint=c.fingerprint,
                moment=c.moment,
            )
            for _, c, _ in best
        ]
        groups = cluster_documents(docs)
    else:
        groups = [[i] for i in range(len(best))]

    stories: list[Story] = []
    for group in groups:
        rank, lead, pairs = best[group[0]]
        also = [best[i][1] for i in group[1:]]
        stories.append(
            Story(
                lead=lead,
                rank=rank,
                also=also,
                prefs=[(c.topic, r) for r, c in pairs],
                in_topic={c.topic: c for _, c in pairs},
            )
        )
    clustered = sum(len(s.also) for s in stories)

    sections: dict[str, list[Story]] = defaultdict(list)
    placed: set[int] = set()
    depth = max((len(s.prefs) for s in stories), default=0)
    for level in range(depth):
        offers: dict[str, list[tuple[Story, float]]] = defaultdict(list)
        for story in stories:
            if id(story) not in placed and level < len(story.prefs):
                topic, rank = story.prefs[level]
                offers[topic].append((story, rank))
        for topic in sorted(offers):
            room = per_topic - len(sections[topic])
            if room <= 0:
                continue
            rank_in = {id(s): r for s, r in offers[topic]}
            pool = [s for s, _ in offers[topic]]
            for story in _greedy(pool, rank_in, room, per_site, taken=sections[topic]):
                story.lead = story.in_topic[topic]
                sections[topic].append(story)
                placed.add(id(story))
                if level > 0:
                    logger.debug(
                        "article %s placed in its topic no. %d, %s",
                        story.lead.article_id, level + 1, topic,
                    )

    ordered: dict[str, list[Story]] = {}
    for topic in sorted(sections):
        chosen = sections[topic]
        if not chosen:
            continue
        rank_in = {id(s): dict(s.prefs)[topic] for s in chosen}
        ordered[topic] = _greedy(chosen, rank_in, len(chosen), len(chosen))
        for story in ordered[topic]:
            story.rank = rank_in[id(story)]
    selection = Selection(
        sections=ordered,
        considered=len(by_article) + len(stale_ids),
        stale=len(stale_ids),
        clustered=clustered,
        capped=len(stories) - len(placed),
    )
    logger.info(
        "selection: %d articles, %d stale, %d under other entries, %d left out by caps, "
        "%d entries in %d topics",
        selection.considered, selection.stale, selection.clustered, selection.capped,
        selection.entry_count, len(ordered),
    )
    return selection
