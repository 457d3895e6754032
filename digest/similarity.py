"""Sentence vectors for extractive summaries: content units, TF-IDF, centrality, topic bias.

Everything works on one article's (or one topic's) own sentences: no corpus, no model, and no
segmenter (Chinese runs become character bigrams), so a summary stays fast and deterministic.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence

from crawler.text import HAN_RUN_RE, term_key, tokenize
from digest.sentences import is_cjk, wordset

logger = logging.getLogger(__name__)

__all__ = [
    "Vector",
    "centrality",
    "content_units",
    "cosine",
    "normalized",
    "tfidf",
    "topic_scores",
    "unit_vector",
]

# Reporting verbs and fillers that say nothing about what a sentence is about.
_WEAK_TOKENS = wordset(
    """said says say saying told tells added adds according also would could just like
    表示 说 称 介绍 认为 指出 据 还 将 已经 可以 进行"""
)


# Characters too common in Chinese to say what a sentence is about (function words, pronouns).
_HAN_FUNCTION_CHARS = frozenset(
    "的了是在和与及或也就都而又还并但把被让给对向从到于以为将之其此该这那个些我你他她它们着过地得"
)


def _han_units(run: str) -> list[str]:
    """Character bigrams of a run of Han text, skipping those with a function character."""
    if len(run) == 1:
        return [] if run in _HAN_FUNCTION_CHARS else [run]
    return [
        run[i : i + 2]
        for i in range(len(run) - 1)
        if run[i] not in _HAN_FUNCTION_CHARS and run[i + 1] not in _HAN_FUNCTION_CHARS
    ]


def content_units(text: str, language: str) -> list[str]:
    """Content units of ``text`` for similarity: words and names, and bigrams for Chinese.

    Latin-script words come from :func:`crawler.text.tokenize` (stop words dropped, names such
    as GPT-4o kept whole). Chinese runs become character bigrams: as good as segmented words
    for sentence similarity, and about twenty times faster than jieba, which alone would take
    longer than a summary's whole time budget.
    """
    units: list[str] = []
    for run in HAN_RUN_RE.findall(text):
        units.extend(_han_units(run))
    rest = HAN_RUN_RE.sub(" ", text)  # keeps jieba out of tokenize: no Han text is left
    try:
        units.extend(tokenize(rest, "en"))
    except Exception:
        logger.debug("tokenize failed, falling back to a simple split", exc_info=True)
        units.extend(re.findall(r"\w+", rest.lower()))
    return [t for t in units if t not in _WEAK_TOKENS]


Vector = dict[str, float]


def tfidf(token_lists: Sequence[list[str]]) -> tuple[list[Vector], dict[str, float]]:
    """Unit-length TF-IDF vectors (sublinear TF, smoothed IDF over these token lists)."""
    n = len(token_lists)
    counts = [Counter(toks) for toks in token_lists]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    vectors: list[Vector] = []
    for c in counts:
        vec = {t: (1.0 + math.log(k) if k > 1 else 1.0) * idf[t] for t, k in c.items()}
        vectors.append(unit_vector(vec))
    return vectors, idf


def unit_vector(vec: Vector) -> Vector:
    """``vec`` scaled to length 1 (empty when it has no weight)."""
    norm = math.sqrt(sum(w * w for w in vec.values()))
    return {t: w / norm for t, w in vec.items()} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    """The dot product of two unit vectors (the smaller one is walked)."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def centrality(vectors: Sequence[Vector]) -> list[float]:
    """Mean cosine similarity of each sentence to all the others, in linear time.

    With unit vectors, sum_j cos(i, j) = v_i . (sum_j v_j) - 1, so no pairwise loop is needed.
    """
    n = len(vectors)
    if n < 2:
        return [1.0] * n
    total: Vector = {}
    for vec in vectors:
        for t, w in vec.items():
            total[t] = total.get(t, 0.0) + w
    return [max(0.0, cosine(vec, total) - (1.0 if vec else 0.0)) / (n - 1) for vec in vectors]


def topic_scores(
    sentences: Sequence[str], token_lists: Sequence[list[str]], topic_terms: dict[str, float] | None
) -> list[float]:
    """Sum of the weights of the topic terms each sentence mentions.

    Single ASCII words match tokens; phrases and Chinese terms match as substrings, so a term
    like 大模型 counts even when the tokenizer cuts it into 大 + 模型.
    """
    if not topic_terms:
        return [0.0] * len(sentences)
    words: dict[str, float] = {}
    phrases: list[tuple[re.Pattern[str], float]] = []
    for term, weight in topic_terms.items():
        key = term.strip().lower()
        if not key or weight <= 0:
            continue
        if re.fullmatch(r"[a-z0-9][a-z0-9.+\-]*", key):  # one word or name: "agents", "gpt-4o"
            words[term_key(key)] = max(weight, words.get(term_key(key), 0.0))
        elif any(is_cjk(c) for c in key):
            phrases.append((re.compile(re.escape(key)), weight))
        else:  # phrases: "language model", "DALL-E 3"
            pattern = r"(?<![a-z0-9])" + re.escape(key) + r"(?![a-z0-9])"
            phrases.append((re.compile(pattern), weight))
    scores = []
    for sentence, toks in zip(sentences, token_lists, strict=True):
        low = sentence.lower()
        score = 0.0
        if words:
            keys = {term_key(t) for t in toks if t.isascii()}
            score += sum(w for k, w in words.items() if k in keys)
        score += sum(w for pattern, w in phrases if pattern.search(low))
        scores.append(score)
    return scores


def normalized(values: Sequence[float]) -> list[float]:
    """``values`` divided by the largest one (all zeros when none is positive)."""
    top = max(values, default=0.0)
    return [v / top for v in values] if top > 0 else [0.0] * len(values)

