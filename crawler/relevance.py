"""Relevance of an article to a topic: an explainable score from the topic's weighted terms.

Weights
    A topic's explicit keywords weigh :data:`EXPLICIT_WEIGHT` (3.0) unless the topic file says
    otherwise; terms derived from its seeds weigh up to :data:`DERIVED_MAX_WEIGHT` (2.0); terms
    learnt from the cited pages (:func:`enrich_keywords`) up to :data:`ENRICHED_MAX_WEIGHT` (1.0).

Matching
    Chinese terms (any term with a Han character) match as substrings of the text, so ``图像生成``
    matches ``图像生成功能``; a shorter term inside a longer one that matched (``图像`` inside
    ``图像生成``) is not counted again. Latin terms match case-insensitively on word boundaries,
    with any of space, hyphen, dot or nothing between their parts: ``GPT-4o`` matches ``gpt-4o``,
    ``GPT 4o`` and ``GPT4o`` (and ``OpenAI's``), but not ``GPT-4o1`` nor ``OpenAIs``; lower-case
    words (``image generation``) also match their plural.

Score
    ``score = title + breadth × body / length``, where

    * ``title`` = the sum of the weights of the terms found in the title;
    * ``body`` = Σ weight × (1 + ln count) over the terms found in the text (repeats give
      diminishing returns);
    * ``length`` = max(1, √(units / 300)), units being words, or Chinese characters / 1.5: a long
      article needs proportionally more matches than a short one;
    * ``breadth`` = min(1, distinct terms matched / 3): one term alone, mentioned in passing, is
      not a topic.

    An excluded term in the title vetoes the article (score 0); each one in the text halves
    the score. A profile built with ``from_terms(..., languages=[...])`` also rejects articles
    known to be in another language (their score is kept, for the record); ``from_topic`` does
    not, as a topic's languages only describe its seeds and cited pages.

Threshold
    An article is relevant when ``score ≥ threshold`` (default :data:`DEFAULT_THRESHOLD` = 2.0).
    2.0 means, roughly: the topic's main term in the title, or in a short article a main term
    used a few times together with two or three other topic terms. A long off-topic article that
    mentions ``OpenAI`` once scores well under 1. Raise the threshold for fewer, surer articles.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.text import extract_keywords, has_han, term_key

if TYPE_CHECKING:
    from crawler.seedmodel import Topic

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 2.0
EXPLICIT_WEIGHT = 3.0
DERIVED_MAX_WEIGHT = 2.0
ENRICHED_MAX_WEIGHT = 1.0
REFERENCE_UNITS = 300.0
BREADTH_TERMS = 3
EXCLUDE_FACTOR = 0.5
MAX_ENRICHED_TERMS = 20

_SEPARATORS = r"[\s\-_.·・]"
_SPLIT_RE = re.compile(_SEPARATORS + "+")


@dataclass
class _Term:
    term: str
    weight: float
    needle: str  # lower case
    han: bool
    probe: str = ""  # a substring every match contains (cheap pre-check)
    pattern: re.Pattern[str] | None = None
    inside: list[int] = field(default_factory=list)  # longer Han terms that contain this one


def _compile(term: str, weight: float) -> _Term:
    needle = term.strip().lower()
    if has_han(needle):
        return _Term(term, weight, needle, True)
    parts = [p for p in _SPLIT_RE.split(needle) if p]
    body = (_SEPARATORS + "?").join(re.escape(p) for p in parts)
    plain_words = all(p.isalpha() and p.isascii() for p in parts) and term == term.lower()
    if plain_words and len(parts[-1]) >= 3:
        body += "(?:e?s)?"
    # The literal comes first so the regex engine can search for it quickly; the left word
    # boundary is checked by _left_boundary.
    pattern = re.compile(rf"{body}(?![0-9a-z])")
    return _Term(term, weight, needle, False, probe=max(parts, key=len), pattern=pattern)


@dataclass
class Relevance:
    """An article's score for one topic, the terms that made it, and the verdict."""

    score: float
    matched: dict[str, float]  # term → its contribution to the score
    relevant: bool
    excluded: list[str] = field(default_factory=list)  # excluded terms found


@dataclass
class TopicProfile:
    """A topic compiled for fast scoring (build once, apply to thousands of articles)."""

    name: str
    threshold: float = DEFAULT_THRESHOLD
    languages: list[str] = field(default_factory=list)
    terms: list[_Term] = field(default_factory=list, repr=False)
    exclude: list[_Term] = field(default_factory=list, repr=False)
    _nested: list[int] = field(default_factory=list, repr=False)  # terms with an `inside` list

    @classmethod
    def from_topic(cls, topic: Topic) -> TopicProfile:
        return cls.from_terms(topic.name, topic.keywords, topic.exclude, topic.threshold)

    @classmethod
    def from_terms(
        cls,
        name: str,
        keywords: Mapping[str, float] | Iterable[str],
        exclude: Iterable[str] = (),
        threshold: float = DEFAULT_THRESHOLD,
        languages: Iterable[str] = (),
    ) -> TopicProfile:
        """From plain data: ``keywords`` weighted, or a list (each weighs EXPLICIT_WEIGHT)."""
        weighted = (
            dict(keywords)
            if isinstance(keywords, Mapping)
            else dict.fromkeys(keywords, EXPLICIT_WEIGHT)
        )
        terms: dict[str, _Term] = {}
        for term, weight in weighted.items():
            key = term_key(term)
            if key and weight > 0 and (key not in terms or terms[key].weight < weight):
                terms[key] = _compile(term, float(weight))
        compiled = list(terms.values())
        for i, short in enumerate(compiled):
            short.inside = [
                j
                for j, long in enumerate(compiled)
                if j != i and len(long.needle) > len(short.needle) and _present(short, long.needle)
            ]
        profile = cls(
            name=name,
            threshold=float(threshold),
            languages=list(languages),
            terms=compiled,
            exclude=[_compile(x, 1.0) for x in exclude if x.strip()],
        )
        profile._nested = [i for i, t in enumerate(compiled) if t.inside]
        return profile

    def counts(self, text: str) -> list[int]:
        """How often each term occurs in ``text`` (lower-cased by the caller), a term found
        inside a longer term's match (``图像`` in ``图像生成``, ``GPT`` in ``GPT-4o``) not
        counted again."""
        counts = [0] * len(self.terms)
        for i, term in enumerate(self.terms):
            if term.han:
                counts[i] = text.count(term.needle)
            elif term.probe in text and term.pattern is not None:
                counts[i] = sum(
                    1 for m in term.pattern.finditer(text) if _left_boundary(text, m.start())
                )
        if self._nested:
            raw = counts[:]
            for i in self._nested:
                if raw[i]:
                    counts[i] = max(0, raw[i] - sum(raw[j] for j in self.terms[i].inside))
        return counts

    def score(self, title: str, text: str, language: str | None = None) -> Relevance:
        return score_article(self, title, text, language)


def _is_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _left_boundary(text: str, start: int) -> bool:
    """No letter or digit right before, nor a letter or digit and a hyphen (``pre-GPT``)."""
    if start == 0:
        return True
    before = text[start - 1]
    if _is_alnum(before.lower()):
        return False
    return not (before == "-" and start >= 2 and _is_alnum(text[start - 2]))


def _units(text: str) -> float:
    """Words, counting a Chinese character as 2/3 of a word (estimated from the UTF-8 size)."""
    chars = len(text)
    wide = (len(text.encode("utf-8")) - chars) / 2  # CJK characters take 3 bytes
    return wide / 1.5 + max(chars - wide, 0) / 6.0


def score_article(
    profile: TopicProfile, title: str, text: str, language: str | None = None
) -> Relevance:
    """Score one article against one topic (see the module docstring)."""
    low_title = (title or "").lower()
    low_text = (text or "").lower()
    excluded = [x.term for x in profile.exclude if _present(x, low_title)]
    if excluded:
        return Relevance(0.0, {}, False, excluded)
    in_title = profile.counts(low_title) if low_title else [0] * len(profile.terms)
    in_text = profile.counts(low_text) if low_text else [0] * len(profile.terms)
    length = max(1.0, math.sqrt(_units(low_text) / REFERENCE_UNITS))
    distinct = sum(1 for a, b in zip(in_title, in_text, strict=True) if a or b)
    breadth = min(1.0, distinct / BREADTH_TERMS)
    matched: dict[str, float] = {}
    total = 0.0
    for term, t_count, b_count in zip(profile.terms, in_title, in_text, strict=True):
        part = term.weight if t_count else 0.0
        if b_count:
            part += breadth * term.weight * (1.0 + math.log(b_count)) / length
        if part:
            matched[term.term] = round(part, 3)
            total += part
    found = [x.term for x in profile.exclude if _present(x, low_text)]
    total *= EXCLUDE_FACTOR ** len(found)
    relevant = total >= profile.threshold and bool(matched)
    if relevant and language and profile.languages and language not in profile.languages:
        relevant = False
    ranked = dict(sorted(matched.items(), key=lambda kv: -kv[1]))
    return Relevance(round(total, 3), ranked, relevant, found)


def _present(term: _Term, text: str) -> bool:
    if not text:
        return False
    if term.han:
        return term.needle in text
    if term.probe not in text or term.pattern is None:
        return False
    return any(_left_boundary(text, m.start()) for m in term.pattern.finditer(text))


def enrich_keywords(
    keywords: dict[str, float], cited_texts: list[str], language_hint: str | None = None
) -> dict[str, float]:
    """Add the terms the cited pages share to a topic's keywords.

    A term joins when it is among the characteristic terms of at least two cited pages (of the
    only page, when there is one); it weighs at most :data:`ENRICHED_MAX_WEIGHT`, in proportion
    to how characteristic it is across the pages, and at most :data:`MAX_ENRICHED_TERMS` join.
    Existing keywords keep their weights. ``language_hint`` only labels the log line: each
    page's script is detected on its own.
    """
    texts = [t for t in cited_texts if t and t.strip()]
    if not texts:
        return dict(keywords)
    known = {term_key(t) for t in keywords}
    pages = [extract_keywords(t, top_k=30) for t in texts]
    needed = 1 if len(pages) == 1 else 2
    totals: dict[str, float] = {}
    seen: dict[str, int] = {}
    forms: dict[str, str] = {}
    for page in pages:
        for term, weight in page.items():
            key = term_key(term)
            totals[key] = totals.get(key, 0.0) + weight
            seen[key] = seen.get(key, 0) + 1
            forms.setdefault(key, term)
    candidates = {
        k: w / len(pages) for k, w in totals.items() if seen[k] >= needed and k not in known
    }
    top = max(candidates.values(), default=0.0) or 1.0
    best = sorted(candidates.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_ENRICHED_TERMS]
    enriched = dict(keywords)
    for key, weight in best:
        enriched[forms[key]] = round(ENRICHED_MAX_WEIGHT * weight / top, 3)
    logger.debug(
        "enriched %d keywords with %d terms from %d pages (%s)",
        len(keywords), len(best), len(texts), language_hint or "any language",
    )  # fmt: skip
    return enriched
