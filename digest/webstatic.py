"""The archive and the feeds: files from ``out/`` for ``seedwire serve``."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote, unquote

from digest.webhttp import Request, Response

logger = logging.getLogger(__name__)

__all__ = ["CONTENT_TYPES", "FEED_TYPES", "PRIVATE_DIRS", "content_type", "serve_static"]

PRIVATE_DIRS = {"outbox"}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
FEED_TYPES = {
    "feed.xml": "application/rss+xml; charset=utf-8",
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
}


def serve_static(request: Request, out_dir: Path, refuse: Callable[[int], Response]) -> Response:
    """A file from ``out_dir`` for a ``GET``/``HEAD``, or ``refuse(status)`` (400, 404, 405).

    Never a dot file, a private folder (``outbox``) or anything outside ``out_dir``; a folder
    is its ``index.html``, reached with a trailing slash."""
    if request.method not in ("GET", "HEAD"):
        return refuse(405)
    path = unquote(request.path, errors="strict") if "%" in request.path else request.path
    if "\0" in path or "\\" in path:
        return refuse(400)
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        logger.warning("refused path traversal from %s: %r", request.client, request.path)
        return refuse(400)
    if any(p.startswith(".") for p in parts) or (parts and parts[0] in PRIVATE_DIRS):
        return refuse(404)
    target = out_dir.joinpath(*parts)
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError):
        return refuse(404)
    if not resolved.is_relative_to(out_dir):
        return refuse(404)
    if resolved.is_dir():
        if parts and not path.endswith("/"):
            return Response(301, b"", [("Location", quote(path) + "/")])
        resolved = resolved / "index.html"
    if not resolved.is_file():
        return refuse(404)
    return file_response(resolved, request)


def file_response(path: Path, request: Request) -> Response:
    """The file, with its type and ``Last-Modified``; 304 when ``If-Modified-Since`` is as new."""
    stat = path.stat()
    modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
    headers = [
        ("Content-Type", content_type(path)),
        ("Last-Modified", format_datetime(modified, usegmt=True)),
        ("Cache-Control", "public, max-age=300"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    since = request.headers.get("if-modified-since")
    if since:
        try:
            if parsedate_to_datetime(since) >= modified:
                return Response(304, b"", headers)
        except (TypeError, ValueError):
            pass
    return Response(200, path.read_bytes(), headers)


def content_type(path: Path) -> str:
    name = path.name.lower()
    if name in FEED_TYPES:
        return FEED_TYPES[name]
    if path.suffix.lower() in CONTENT_TYPES:
        return CONTENT_TYPES[path.suffix.lower()]
    guessed = mimetypes.guess_type(name)[0]
    return guessed or "application/octet-stream"
