"""What ``seedwire scale status`` shows: the shared frontier and the writer's queues."""

from __future__ import annotations

import json
from typing import Any

from crawler.scale.keys import (
    FAILED,
    GEN_CURRENT,
    KNOWN,
    OUTBOX,
    PROCESSING,
    SOURCES,
    WRITER,
    gen_key,
)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def frontier_status(server: Any) -> dict[str, Any]:
    published = server.get(SOURCES)
    writer = server.get(WRITER)
    data: dict[str, Any] = {
        "published": json.loads(published).get("published") if published else None,
        "known": server.scard(KNOWN),
        "writer": _text(writer) if writer else None,
        "outbox": server.llen(OUTBOX),
        "processing": server.llen(PROCESSING),
        "failed": server.llen(FAILED),
        "generation": None,
    }
    current = server.get(GEN_CURRENT)
    if current is None:
        return data
    gen = _text(current)
    workers = {}
    for worker, state in server.hgetall(gen_key(gen, "workers")).items():
        name, text = _text(worker), _text(state)
        if not text.startswith("closed:") and not server.exists(gen_key(gen, f"alive:{name}")):
            text += " (no heartbeat: dead)"
        workers[name] = text
    data["generation"] = {
        "id": gen,
        "done": bool(server.exists(gen_key(gen, "done"))),
        "queued": server.zcard(gen_key(gen, "requests")),
        "seen": server.scard(gen_key(gen, "seen")),
        "workers": workers,
    }
    return data
