"""What workers send the writer through ``seedwire:outbox``: versioned JSON, never pickle.

Every message is a JSON object ``{"v": 1, "type": ..., "generation": ..., "worker": ...,
"now": ISO time, ...}``; the writer refuses (and sets aside) anything else, so a worker of
another version cannot write rows it does not understand.

``opened``   a worker started (the writer opens its ``crawl_runs`` row);
``page``     one fetched page: the item's metadata and the extraction result, or ``null`` when
             the page holds no article text (``PageResult`` as JSON; the MinHash as base64);
``reject``   a failed fetch (``key``, ``reason``, ``permanent``);
``closed``   a worker stopped: its reason, Scrapy stats, feeds and sitemaps it discovered and
             the sources it crawled.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, fields
from typing import Any

from crawler.items import PageItem
from crawler.workers import PageResult

VERSION = 1
TYPES = {"opened", "page", "reject", "closed"}
ITEM_FIELDS = ("url", "key", "source", "kind", "listed_published", "listed_title")


class MessageError(ValueError):
    """A message that is not JSON, of another version, or of an unknown type."""


def encode(kind: str, **fields: Any) -> bytes:
    if kind not in TYPES:
        raise MessageError(f"unknown message type {kind!r}")
    data = {"v": VERSION, "type": kind, **fields}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MessageError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("v") != VERSION:
        found = data.get("v") if isinstance(data, dict) else type(data).__name__
        raise MessageError(f"message version {found!r}, this writer reads {VERSION}")
    if data.get("type") not in TYPES:
        raise MessageError(f"unknown message type {data.get('type')!r}")
    return data


def result_to_json(result: PageResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    data = asdict(result)
    data["minhash"] = base64.b64encode(result.minhash).decode() if result.minhash else None
    return data


def result_from_json(data: dict[str, Any] | None) -> PageResult | None:
    if data is None:
        return None
    known = {f.name for f in fields(PageResult)}
    values = {k: v for k, v in data.items() if k in known}
    if values.get("minhash") is not None:
        values["minhash"] = base64.b64decode(values["minhash"])
    values["scores"] = [(slug, float(score), dict(matched), bool(relevant))
                        for slug, score, matched, relevant in values.get("scores") or []]
    values["band_keys"] = [int(k) for k in values.get("band_keys") or []]
    return PageResult(**values)


def item_to_json(item: PageItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in ITEM_FIELDS}


def item_from_json(data: dict[str, Any]) -> PageItem:
    """The page's metadata; the writer never needs its bytes."""
    return PageItem(body=b"", content_type="", **{name: data.get(name) for name in ITEM_FIELDS})
