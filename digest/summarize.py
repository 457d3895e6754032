"""Extractive, multilingual, topic-aware summaries.

The summary of an article is a handful of its own whole sentences, chosen by

* centrality: the TF-IDF vector of each sentence against the rest of the article (words from
  :func:`crawler.text.tokenize`, character bigrams for Chinese, IDF over the article's own
  sentences);
* a bias toward the topic's weighted terms, the title and the lead (early sentences);
* redundancy removal (maximal marginal relevance);
* a length budget (about 120 Chinese characters or 60 English words by default),

and printed in their original order. Boilerplate (bylines, editor credits, copyright lines, calls
to action, captions, URLs, bare dates, fragments) is never chosen. Everything is deterministic: ties
are broken by position.

The sentence splitter, the boilerplate filter and the language helpers live in
:mod:`digest.sentences` (:func:`split_sentences`, :func:`resolve_language` and :func:`text_length`
are importable from here too); the vectors and scores in :mod:`digest.similarity`.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from digest.sentences import (
    clean_sentence,
    is_boilerplate,
    is_fragment,
    join_sentences,
    resolve_language,
    script_language,
    split_sentences,
    text_length,
)
from digest.similarity import (
    Vector,
    centrality,
    content_units,
    cosine,
    normalized,
    tfidf,
    topic_scores,
    unit_vector,
)

logger = logging.getLogger(__name__)

__all__ = ["resolve_language", "split_sentences", "summarize", "text_length", "topic_lead"]

# Openers that make a sentence lean on the one before it (a pronoun, a connective).
_DEPENDENT_OPENER = re.compile(
    r"^[\"“‘']|^(?:he|she|they|it|this|these|those|that|but|however|also|and|meanwhile|still|"
    r"instead|then|so)\b|^(?:他|她|它|此|这|那|但|不过|然而|同时|此外|另外|而且|对此|因此|其中)",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------------------------
# Selection
# --------------------------------------------------------------------------------------------

_MMR_LAMBDA = 0.7
_REDUNDANT = 0.6  # cosine above which a sentence repeats one already chosen
_MIN_RELATIVE_SCORE = 0.5  # later sentences must score at least this share of the best one
_MAX_SENTENCES = 3
_OVERSIZE = 1.5  # the best sentence may exceed the budget by this factor, alone


@dataclass(frozen=True)
class _Candidate:
    index: int  # position among the input sentences
    text: str
    length: int
    score: float
    vector: Vector
    group: int = 0  # the entry a sentence comes from (topic leads)


def _select(
    candidates: Sequence[_Candidate],
    budget: int,
    *,
    max_sentences: int = _MAX_SENTENCES,
    min_relative: float = _MIN_RELATIVE_SCORE,
    group_penalty: float = 0.0,
) -> list[_Candidate]:
    """Greedy MMR under a length budget; the result is in original order.

    After the first pick, a sentence must score at least ``min_relative`` times the best one;
    ``group_penalty`` discourages a second sentence from the same group (entry).
    """
    if not candidates or budget <= 0:
        return []
    ranked = sorted(candidates, key=lambda c: (-c.score, c.index))
    best = ranked[0]
    chosen: list[_Candidate] = []
    if best.length > budget:
        if best.length <= budget * _OVERSIZE:
            return [best]
        fitting = [c for c in ranked if c.length <= budget]
        if not fitting:
            near = [c for c in ranked if c.length <= budget * _OVERSIZE]
            return near[:1]
        ranked = fitting
    top_score = ranked[0].score
    used = 0
    pool = list(ranked)
    while pool and len(chosen) < max_sentences:
        best_value = -math.inf
        pick: _Candidate | None = None
        for cand in pool:
            if used + cand.length > budget:
                continue
            if chosen and cand.score < top_score * min_relative:
                continue
            overlap = max((cosine(cand.vector, c.vector) for c in chosen), default=0.0)
            if overlap > _REDUNDANT:
                continue
            value = _MMR_LAMBDA * cand.score - (1 - _MMR_LAMBDA) * overlap
            if group_penalty and any(c.group == cand.group for c in chosen):
                value -= group_penalty
            if value > best_value:  # strict: earlier (higher-ranked, then earlier) wins ties
                best_value, pick = value, cand
        if pick is None:
            break
        chosen.append(pick)
        used += pick.length
        pool.remove(pick)
    return sorted(chosen, key=lambda c: c.index)


def _same_as_title(sentence: str, title: str | None) -> bool:
    if not title:
        return False
    a = re.sub(r"\W+", "", sentence.lower())
    b = re.sub(r"\W+", "", title.lower())
    return bool(a) and (a == b or (b in a and len(a) <= len(b) + 4))


def _fallback(sentences: Sequence[str], language: str, budget: int) -> str:
    """For tiny texts: the first non-boilerplate sentences that fit the budget, or ""."""
    kept: list[str] = []
    used = 0
    for s in sentences:
        s = clean_sentence(s)
        if not s or is_boilerplate(s) or not re.search(r"\w", s):
            continue
        length = text_length(s, language)
        if used + length > budget:
            break
        kept.append(s)
        used += length
    return join_sentences(kept, language)


def summarize(
    text: str,
    *,
    language: str | None,
    topic_terms: dict[str, float] | None = None,
    title: str | None = None,
    max_chars_zh: int = 120,
    max_words_en: int = 60,
) -> str:
    """An extractive summary of ``text`` in its own language, made of its own whole sentences.

    ``topic_terms`` (term → weight) pulls the choice toward the topic; ``title`` toward the
    headline (a sentence that just repeats the title is skipped). The budget is
    ``max_chars_zh`` non-space characters for Chinese or ``max_words_en`` words otherwise; one
    sentence longer than that is used only when it is the best one and within 1.5 times the
    budget. Never raises on odd input: empty or tiny texts give a cleaned first part or "".
    """
    if not text or not text.strip():
        return ""
    lang = resolve_language(language, text)
    budget = max_chars_zh if lang == "zh" else max_words_en
    sentences = split_sentences(text, lang)
    kept: list[tuple[int, str]] = []
    for idx, raw in enumerate(sentences):
        s = clean_sentence(raw)
        if not s or is_boilerplate(s) or is_fragment(s, lang) or _same_as_title(s, title):
            continue
        kept.append((idx, s))
    if not kept:
        return _fallback(sentences, lang, budget)

    token_lists = [content_units(s, lang) for _, s in kept]
    vectors, idf = tfidf(token_lists)
    central = normalized(centrality(vectors))
    topical = normalized(topic_scores([s for _, s in kept], token_lists, topic_terms))
    title_vec: Vector = {}
    if title:
        max_idf = max(idf.values(), default=1.0)
        title_vec = unit_vector({t: idf.get(t, max_idf) for t in set(content_units(title, lang))})
    lengths = [text_length(s, lang) for _, s in kept]
    typical = sorted(lengths)[len(lengths) // 2] or 1
    candidates = []
    for rank, ((idx, s), vec) in enumerate(zip(kept, vectors, strict=True)):
        lead = 1.0 / math.sqrt(1.0 + rank)
        substance = min(1.0, lengths[rank] / (0.75 * typical))  # short lines say less
        score = (
            0.45 * central[rank] * substance
            + 0.30 * topical[rank]
            + 0.10 * (cosine(vec, title_vec) if title_vec else 0.0)
            + 0.15 * lead
        )
        if not vec:
            score *= 0.5  # nothing but stop words and punctuation
        if rank and _DEPENDENT_OPENER.search(s):
            score *= 0.85  # needs the sentence before it to make sense
        candidates.append(_Candidate(idx, s, lengths[rank], score, vec))
    chosen = _select(candidates, budget)
    if not chosen:
        logger.debug("no sentence fits a budget of %d (%s); summary left empty", budget, lang)
        return ""
    return join_sentences([c.text for c in chosen], lang)


_LEAD_BUDGET = {"zh": 200, "en": 90}


def topic_lead(
    summaries: list[tuple[str, str]],
    *,
    language: str,
    topic_terms: dict[str, float] | None = None,
    max_sentences: int = 3,
) -> str:
    """A short lead (2–3 sentences) for a topic's week from its top entries' (title, summary).

    Entries are given best first. Sentences come from the summaries, preferably in
    ``language`` and from different entries; the choice favours central, on-topic sentences
    from the better-ranked entries, and the lead lists them in entry order.
    """
    lang = resolve_language(language, "")
    pool: list[tuple[int, int, str]] = []  # (entry, sentence index, text)
    for entry, (_title, summary) in enumerate(summaries):
        for k, raw in enumerate(split_sentences(summary or "")):
            s = clean_sentence(raw)
            if s and not is_boilerplate(s) and text_length(s, script_language(s)) >= 3:
                pool.append((entry, k, s))
    if not pool:
        return ""
    in_language = [p for p in pool if script_language(p[2]) == lang]
    if in_language:
        pool = in_language
    else:
        lang = script_language(pool[0][2])
    token_lists = [content_units(s, lang) for _, _, s in pool]
    vectors, _idf = tfidf(token_lists)
    central = normalized(centrality(vectors))
    topical = normalized(topic_scores([s for _, _, s in pool], token_lists, topic_terms))
    titles = {
        e: unit_vector(dict.fromkeys(content_units(t or "", lang), 1.0))
        for e, (t, _) in enumerate(summaries)
    }
    candidates = []
    for pos, ((entry, k, s), vec) in enumerate(zip(pool, vectors, strict=True)):
        score = (
            0.35 * central[pos]
            + 0.25 * topical[pos]
            + 0.10 * cosine(vec, titles[entry])
            + 0.20 / math.sqrt(1.0 + entry)
            + (0.10 if k == 0 else 0.0)
        )
        candidates.append(
            _Candidate(entry * 10_000 + k, s, text_length(s, lang), score, vec, group=entry)
        )
    chosen = _select(
        candidates,
        _LEAD_BUDGET[lang],
        max_sentences=max_sentences,
        min_relative=0.3,
        group_penalty=0.3,
    )
    return join_sentences([c.text for c in chosen], lang)
