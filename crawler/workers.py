"""The CPU-bound half of the pipeline, run in a process pool off the reactor thread.

One call per page: extract the main text (:func:`crawler.extract.extract_article`), fingerprint
it (:mod:`crawler.dedupe`) and score it against every topic (:mod:`crawler.relevance`).
The reactor thread only fetches, checks the store and writes rows, so both cores work.
Scoring matches terms as substrings and word patterns: the workers never need jieba, and do not
load its dictionary (about 80 MB per process).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

_PROFILES: list[tuple[str, Any]] = []


@dataclass
class PageResult:
    """What a worker sends back for one page."""

    text: str
    title: str | None
    author: str | None
    published: str | None
    language: str | None
    description: str | None
    canonical_url: str | None
    simhash: int | None
    minhash: bytes | None
    band_keys: list[int] = field(default_factory=list)
    scores: list[tuple[str, float, dict[str, float], bool]] = field(default_factory=list)
    sitename: str | None = None


def init_worker(profiles: list[tuple[str, Any]]) -> None:
    """Pool initializer: keep the topic profiles; end with the crawl that started us."""
    global _PROFILES
    _PROFILES = profiles
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="parent-watch",
                     daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A crawl killed outright (SIGKILL, out of memory) never shuts its pool down: its workers
    would wait on their queue for ever, holding their memory. Leave when the parent is gone."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def score_all(title: str, body: str, language: str | None) -> list[tuple[str, float, dict, bool]]:
    from crawler.relevance import score_article

    scores = []
    for slug, profile in _PROFILES:
        result = score_article(profile, title, body, language)
        scores.append((slug, result.score, result.matched, result.relevant))
    return scores


def _bad_share(text: str) -> float:
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\r\n"))
    return bad / max(1, len(text))


def looks_binary(body: bytes) -> bool:
    """Bytes that are no web page: NUL bytes, or undecodable in every common web encoding."""
    head = body[:4096]
    if b"\x00" in head:
        return True
    return all(_bad_share(head.decode(encoding, errors="replace")) > 0.1
               for encoding in ("utf-8", "gb18030", "big5", "shift_jis", "euc-kr"))


def garbled(text: str) -> bool:
    """Extracted text that is mostly replacement or control characters."""
    return _bad_share(text[:2000]) > 0.05


def process_page(body: bytes, url: str) -> PageResult | None:
    """Extract, fingerprint and score one page; None when it holds no article text."""
    from crawler.dedupe import text_print
    from crawler.extract import extract_article

    if looks_binary(body):
        return None
    article = extract_article(body, url)
    if article is None or not article.text.strip() or garbled(article.text):
        return None
    printed = text_print(article.text)
    return PageResult(
        text=article.text,
        title=article.title,
        author=article.author,
        published=article.published.isoformat() if article.published else None,
        language=article.language,
        description=article.description,
        sitename=article.sitename,
        canonical_url=article.canonical_url,
        simhash=printed.simhash if printed else None,
        minhash=printed.minhash if printed else None,
        band_keys=printed.bands if printed else [],
        scores=score_all(article.title or "", article.text, article.language),
    )


def make_pool(workers: int, profiles: list[tuple[str, Any]]) -> ProcessPoolExecutor:
    """A pool of fresh interpreters (spawn: never fork a process running a reactor)."""
    workers = max(1, workers or (os.cpu_count() or 1))
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(profiles,),
    )
