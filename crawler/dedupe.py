"""Near-duplicate detection for articles: MinHash signatures with an LSH band index, plus SimHash.

Features are overlapping shingles that work for both scripts without a segmenter: three
consecutive Han characters, or three consecutive Latin words, after folding case and width.

* :func:`fingerprint` gives a 64-bit **SimHash** (stored as ``articles.fingerprint``): cheap to
  compare, used to group same-story entries at digest time.
* :func:`signature` gives a **MinHash** signature of :data:`PERMUTATIONS` values. Its
  :func:`band_keys` (:data:`BANDS` bands of :data:`ROWS` values) go into an index in SQLite; two
  articles that share any band key are candidates, confirmed when their estimated Jaccard
  similarity (:func:`similarity`) is at least :data:`MIN_SIMILARITY`.

Why both: a syndicated copy with different boilerplate or a re-post with small edits changes
3–10 % of the shingles, which moves a 64-bit SimHash by 5–10 bits; a band index over SimHash
that finds such distances has to probe thousands of rows per article. MinHash-LSH finds pairs
with Jaccard ≥ 0.5 with probability ≥ 0.94 while unrelated articles almost never collide.

An estimate from :data:`PERMUTATIONS` values has a standard error of about 0.06 near the
threshold, so a store full of related articles at a true similarity of 0.40–0.45 (follow-ups,
texts that share a few paragraphs) would see a few percent of them taken for copies. When the
new text is at hand, an estimate within ``MIN_SIMILARITY - VERIFY_BELOW`` …
``MIN_SIMILARITY + VERIFY_ABOVE`` is replaced by the exact similarity of the two texts'
shingles (:func:`jaccard`); estimates above that range are copies, below it are not.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

MIN_CHARS = 80  # shorter texts are too small for a meaningful signature
ROWS = 3
BANDS = 21
PERMUTATIONS = ROWS * BANDS
MIN_SIMILARITY = 0.5
VERIFY_BELOW = 0.1
VERIFY_ABOVE = 0.2
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(f"[{_HAN}]|[^\\W{_HAN}_]+")
_BITS = np.arange(64, dtype=np.uint64)
_rng = np.random.default_rng(20261122)
# multiply-shift hashing: h_i(x) = (a_i·x + b_i mod 2^64) >> 32 with odd a_i
_A = _rng.integers(0, 1 << 63, size=PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 1 << 63, size=PERMUTATIONS, dtype=np.uint64)


@dataclass(frozen=True)
class TextPrint:
    """What dedupe needs to know about one text."""

    simhash: int  # unsigned 64-bit
    minhash: bytes  # PERMUTATIONS little-endian uint32 values

    @property
    def bands(self) -> list[int]:
        return band_keys(self.minhash)


def shingles(text: str, size: int = 3) -> list[str]:
    """Overlapping ``size``-token shingles; a Han character is a token, a Latin word is one."""
    folded = unicodedata.normalize("NFKC", text).lower()
    tokens = _TOKEN_RE.findall(folded)
    if len(tokens) < size:
        return [" ".join(tokens)] if tokens else []
    return ["\x1f".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


def _hashes(features: list[str]) -> np.ndarray:
    digests = b"".join(
        hashlib.blake2b(f.encode("utf-8"), digest_size=8).digest() for f in set(features)
    )
    return np.frombuffer(digests, dtype="<u8")


def _simhash(hashes: np.ndarray) -> int:
    bits = (hashes[:, None] >> _BITS) & np.uint64(1)
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - len(hashes)
    value = 0
    for i in np.nonzero(votes > 0)[0]:
        value |= 1 << int(i)
    return value


def _minhash(hashes: np.ndarray) -> bytes:
    with np.errstate(over="ignore"):
        permuted = (hashes[:, None] * _A[None, :] + _B[None, :]) >> np.uint64(32)
    return permuted.min(axis=0).astype("<u4").tobytes()


def text_print(text: str) -> TextPrint | None:
    """SimHash and MinHash of ``text``, or None when the text is too short to compare."""
    if len(text.strip()) < MIN_CHARS:
        return None
    features = shingles(text)
    if not features:
        return None
    hashes = _hashes(features)
    return TextPrint(simhash=_simhash(hashes), minhash=_minhash(hashes))


def fingerprint(text: str) -> int | None:
    """The 64-bit SimHash of ``text`` (unsigned), or None when the text is too short."""
    printed = text_print(text)
    return printed.simhash if printed else None


def band_keys(minhash: bytes) -> list[int]:
    """One signed 64-bit key per band (SQLite INTEGER)."""
    keys = []
    width = ROWS * 4
    for band in range(BANDS):
        chunk = bytes([band]) + minhash[band * width : (band + 1) * width]
        keys.append(
            int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "little", signed=True)
        )
    return keys


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    va = np.frombuffer(a, dtype="<u4")
    vb = np.frombuffer(b, dtype="<u4")
    if va.shape != vb.shape or not len(va):
        return 0.0
    return float((va == vb).mean())


def jaccard(a: str | set[str], b: str | set[str]) -> float:
    """Exact Jaccard similarity of two texts' shingle sets (a text or its set of shingles)."""
    x = a if isinstance(a, set) else set(shingles(a))
    y = b if isinstance(b, set) else set(shingles(b))
    if not x or not y:
        return 1.0 if x == y else 0.0
    return len(x & y) / len(x | y)


def distance(a: int, b: int) -> int:
    """Hamming distance between two 64-bit SimHash values (signed or unsigned)."""
    mask = (1 << 64) - 1
    return ((a & mask) ^ (b & mask)).bit_count()
