"""Formatting and safety helpers for rendering; the Jinja filters of :mod:`digest.render`.

``safe_url`` (only http/https links survive), ``clean_text`` (no characters XML 1.0 forbids),
``lang_attr``, ``wrap_text`` (plain-text wrapping that knows CJK), ``underline``, ``file_stem``
and the feed date formats ``rfc822`` / ``rfc3339``.  No I/O, no clock.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote, urlsplit

from markupsafe import Markup

# XML 1.0 allows #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SAFE_NAME = re.compile(r"[^\w.-]+")
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_URL_STRIP = "".join(map(chr, range(0x21))) + "\x7f"  # C0 controls, space, DEL
_URL_TRIM = re.compile(r"[\t\n\r]+")
_URL_SAFE_CHARS = ":/?#[]@!$&'()*+,;=%~"
# Characters that must not begin a line of the plain-text email (CJK and Latin closers).
_NO_LINE_START = set("。，、；：？！）」』》〉】〕”’…·%,.;:!?)]}")
# Scripts written without spaces (Han, kana, Hangul, CJK punctuation, full-width forms): a line
# may break between any two of their characters.
_CJK = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
)
_TOKENS = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+")
DEFAULT_WIDTH = 78


def clean_text(text: str) -> str:
    """Drop characters XML 1.0 forbids (C0 controls except tab/newline/CR, lone surrogates)."""
    return _XML_INVALID.sub("", text)


def safe_url(url: object, fallback: str = "#") -> str:
    """An http(s) URL fit for an ``href`` or a plain-text email; anything else is ``fallback``.

    As browsers do, leading and trailing spaces and controls are dropped and tabs and line
    breaks removed before the scheme is checked (``java\tscript:`` tricks); characters not
    allowed in URLs (spaces, non-ASCII) are percent-encoded.
    """
    if not isinstance(url, str):
        return fallback
    text = _URL_TRIM.sub("", url.strip(_URL_STRIP))
    try:
        parts = urlsplit(text)
    except ValueError:
        return fallback
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return fallback
    return quote(text, safe=_URL_SAFE_CHARS)


def lang_attr(language: object) -> Markup:
    """`` lang="en"`` for an article's language, or nothing when it does not look like a tag."""
    if isinstance(language, str) and _LANG_TAG.match(language):
        return Markup(' lang="%s"') % language
    return Markup("")


def file_stem(name: str, fallback: str = "page") -> str:
    """A file name stem from a period or topic slug: letters, digits, ``.``, ``_``, ``-``."""
    stem = _SAFE_NAME.sub("-", name).strip(".-")
    return stem or fallback


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap_text(
    text: object, width: int = DEFAULT_WIDTH, indent: str = "", first: str | None = None
) -> str:
    """Wrap for the plain-text email: at spaces for English, between characters for CJK.

    Wide characters count two columns; closing punctuation never starts a line; words longer
    than the line (URLs) are kept whole.  Paragraphs (line breaks in ``text``) are kept.
    """
    first = indent if first is None else first
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        line, used, space = first if not lines else indent, 0, False
        prefix_width = display_width(line)
        used = prefix_width
        has_words = False
        for token in _TOKENS.findall(paragraph):
            if token.isspace():
                space = has_words
                continue
            w = display_width(token) + (1 if space else 0)
            if has_words and used + w > width and token[0] not in _NO_LINE_START:
                lines.append(line.rstrip())
                line, used, space = indent, display_width(indent), False
                w = display_width(token)
            line += (" " if space else "") + token
            used += w
            space, has_words = False, True
        lines.append(line.rstrip())
    return "\n".join(lines)


def underline(text: str, char: str = "=") -> str:
    """A rule as wide as ``text`` is in a terminal."""
    return char * max(display_width(text), 3)


def aware(moment: datetime) -> datetime:
    """``moment`` itself when it has a timezone, else the same wall time in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def rfc822(moment: datetime) -> str:
    """``Mon, 16 Nov 2026 07:00:00 +0800`` (RSS dates)."""
    return format_datetime(aware(moment))


def rfc3339(moment: datetime) -> str:
    """``2026-11-16T07:00:00+08:00`` (Atom dates)."""
    return aware(moment).isoformat(timespec="seconds")
