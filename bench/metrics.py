"""Token-shingle precision/recall/F1, the article-extraction-benchmark reference metric.

Tokens are ``\\w+`` runs, except that every CJK character is its own token (otherwise a whole
Chinese sentence would be a single token). Texts are compared as sets of 4-token shingles;
per-document precision and recall are macro-averaged over documents and F1 = 2PR/(P+R). An empty
extraction scores precision 0 and recall 0. (The upstream benchmark script counts repeated shingles;
``multiset=True`` gives that variant. The set variant is the one our recorded baselines use.)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE_SIZE = 4

# CJK unified ideographs (+ext A, compatibility), kana, hangul syllables, supplementary ideographs.
_CJK = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u309f\u30a0-\u30ff\uac00-\ud7af"
    "\U00020000-\U0002ffff"
)
_TOKEN_RE = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+")


def tokenize(text: str) -> list[str]:
    """Split text into tokens: runs of word characters, each CJK character on its own."""
    return _TOKEN_RE.findall(text or "")


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter[tuple[str, ...]]:
    """The multiset of ``size``-token shingles of ``text`` (one shorter shingle for short texts)."""
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(zip(*(tokens[i:] for i in range(size)), strict=False))


def precision_recall(predicted: str, expected: str, multiset: bool = False) -> tuple[float, float]:
    """Per-document shingle precision and recall. An empty prediction scores (0, 0)."""
    pred = shingles(predicted)
    gold = shingles(expected)
    if not multiset:
        pred = Counter(dict.fromkeys(pred, 1))
        gold = Counter(dict.fromkeys(gold, 1))
    if not pred:
        return (1.0, 1.0) if not gold else (0.0, 0.0)
    if not gold:
        return 0.0, 1.0
    overlap = sum((pred & gold).values())
    return overlap / sum(pred.values()), overlap / sum(gold.values())


@dataclass
class Score:
    precision: float
    recall: float
    f1: float
    n: int


def f1_score(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def macro_score(pairs: Iterable[tuple[float, float]]) -> Score:
    """Macro-average per-document (precision, recall) pairs and derive F1 from the averages."""
    items = list(pairs)
    if not items:
        return Score(0.0, 0.0, 0.0, 0)
    p = sum(x for x, _ in items) / len(items)
    r = sum(y for _, y in items) / len(items)
    return Score(p, r, f1_score(p, r), len(items))
