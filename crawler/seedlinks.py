"""Finding the URLs a seed cites, with their titles and lines, in markdown and plain text.

Recognised: markdown images ``![alt](url)`` (always images), links ``[text](url)``, reference
definitions ``[1]: url "title"``, autolinks ``<https://…>``, bare URLs (markdown escapes such as
``\\_`` undone, trailing punctuation trimmed, stopping at Chinese text) and e-mail addresses.
A URL alone on its line takes the citation line above it as its title, with reference markers
(``¹ ²``, ``- 14 16``, ``[3]``) removed: the usual shape of a footnote list. ``javascript:`` and
``file:`` URLs are reported and skipped.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from crawler.seedmodel import CitedURL, SeedProblem
from crawler.urls import classify_url, is_email, normalize_url, unescape_markdown

logger = logging.getLogger(__name__)

_TARGET = r"<?((?:[^()\s<>]|\([^()\s]*\))+)>?"
_MD_IMAGE_RE = re.compile(r"!\[([^\]\n]*)\]\(\s*" + _TARGET + r'(?:\s+"([^"\n]*)")?\s*\)')
_MD_LINK_RE = re.compile(r"(?<!!)\[([^\[\]\n]*)\]\(\s*" + _TARGET + r'(?:\s+"([^"\n]*)")?\s*\)')
_MD_REF_RE = re.compile(
    r"^[ \t]{0,3}\[([^\]\n]+)\]:[ \t]*<?(\S+?)>?(?:[ \t]+[\"'(]([^\n]*)[\"')])?[ \t]*$", re.M
)
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp|mailto|javascript|file):[^>\s]+)>", re.I)
_STOP_CHARS = (
    r"\s<>\"'`\u3000-\u303f\uff00-\uffef\u3400-\u9fff\uf900-\ufaff"
    r"\u2018\u2019\u201c\u201d\u2026\u2014\u00b7\u00b9\u00b2\u00b3\u2070-\u209f"
)
_BARE_RE = re.compile(rf"(?:https?://|(?<![\w.@/])www\.)[^{_STOP_CHARS}]+", re.I)
_BAD_SCHEME_RE = re.compile(r"(?<![\w/])(javascript|file):(?!\s)[^\s<>\"'\])]*", re.I)
_EMAIL_RE = re.compile(
    r"(?<![\w.+\-/@])[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
_TRAILING = ".,;:!?*_~'\"`»›。，；：！？、"
# Reference markers at the start of a citation line: "¹ ² ", "- 14 16 ", "[3] ", "3. ", "^1 ".
_MARKERS_RE = re.compile(
    r"^(?:[-*+•]\s+)?(?:(?:[\u00b9\u00b2\u00b3\u2070-\u2079]+|\[\^?\d{1,3}\]|\^\d{1,3})\s*"
    r"|\d{1,3}(?:[.)、:：]\s*|\s+))+(?=\S)"
)
_EMPHASIS_RE = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_IMAGE_EXT_RE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg)$", re.I)
_BAD_SCHEMES = ("javascript", "file")


@dataclass
class FoundURL:
    raw: str
    title: str | None
    line: int
    image: bool = False  # written as a markdown image


def line_at(text: str, offset: int, first_line: int = 1) -> int:
    return first_line + text.count("\n", 0, offset)


def clean_title(text: str | None) -> str | None:
    """A citation line as a title: markers, list bullets, emphasis and brackets removed."""
    if not text:
        return None
    title = _EMPHASIS_RE.sub("", text.strip())
    title = _MARKERS_RE.sub("", title).strip(" \t-*•<>[]")
    title = re.sub(r"\s+", " ", title)
    return title or None


def _trim(url: str) -> str:
    url = url.rstrip(_TRAILING)
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(_TRAILING)
    while url.endswith("]") and url.count("[") < url.count("]"):
        url = url[:-1].rstrip(_TRAILING)
    return url


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _context_title(lines: list[str], index: int, start_col: int) -> str | None:
    """The title of a URL written without link text: the citation text on its line (in a list
    item or reference line) or the short line above it when the URL stands alone."""
    line = lines[index]
    before = line[:start_col]
    stripped = before.strip().strip("<(")
    if stripped:
        if stripped.rstrip("*_ ").endswith((":", "：")):
            return None  # "参考链接：https://…" is a label, not a title
        if _MARKERS_RE.match(before.strip()) or before.lstrip().startswith(("-", "*", "•")):
            return clean_title(stripped)
        return None
    for back in range(index - 1, max(index - 3, -1), -1):
        above = lines[back].strip()
        if not above:
            continue
        if len(above) > 200 or above.startswith(("#", "!", "|")) or "://" in above:
            return None
        return clean_title(above)
    return None


def find_urls(text: str, first_line: int = 1) -> tuple[list[FoundURL], list[tuple[int, str]]]:
    """Every URL written in a markdown or plain text, in order, and the forbidden ones found
    (``(line, url)`` for ``javascript:`` and ``file:`` URLs)."""
    found: list[tuple[int, FoundURL]] = []
    bad: list[tuple[int, str]] = []
    work = text
    for regex, image in ((_MD_IMAGE_RE, True), (_MD_LINK_RE, False)):
        for m in regex.finditer(work):
            label, target = m.group(1).strip(), m.group(2)
            title = (m.group(3) or "").strip() or label or None
            if title and title.strip("<>") == target:
                title = None
            line = line_at(text, m.start(), first_line)
            found.append((m.start(), FoundURL(target, clean_title(title), line, image)))
            work = _mask(work, m.start(), m.end())
    for m in _MD_REF_RE.finditer(work):
        title = clean_title(m.group(3))
        found.append((m.start(), FoundURL(m.group(2), title, line_at(text, m.start(), first_line))))
        work = _mask(work, m.start(), m.end())
    lines = work.split("\n")
    starts = [0]
    for ln in lines[:-1]:
        starts.append(starts[-1] + len(ln) + 1)
    for regex in (_AUTOLINK_RE, _BARE_RE):
        for m in regex.finditer(work):
            raw = m.group(1) if regex is _AUTOLINK_RE else _trim(m.group(0))
            index = work.count("\n", 0, m.start())
            title = _context_title(lines, index, m.start() - starts[index])
            found.append((m.start(), FoundURL(raw, title, first_line + index)))
            work = _mask(work, m.start(), m.end())
    for m in _BAD_SCHEME_RE.finditer(work):
        bad.append((line_at(text, m.start(), first_line), m.group(0)))
        work = _mask(work, m.start(), m.end())
    for m in _EMAIL_RE.finditer(work):
        if not _IMAGE_EXT_RE.search(m.group(0)):
            line = line_at(text, m.start(), first_line)
            found.append((m.start(), FoundURL(m.group(0), None, line)))
    found.sort(key=lambda item: item[0])
    return [f for _, f in found], bad


def cite(
    raw: str,
    *,
    path: str,
    line: int | None,
    title: str | None = None,
    date: str | None = None,
    kind: str | None = None,
    image: bool = False,
    problems: list[SeedProblem],
) -> CitedURL | None:
    """A CitedURL for one written URL, or None (and a problem when it is forbidden)."""
    raw = unescape_markdown(raw.strip())
    if raw.lower().startswith("www."):
        raw = "https://" + raw
    scheme = raw.split(":", 1)[0].lower() if ":" in raw else ""
    if scheme in _BAD_SCHEMES:
        problems.append(
            SeedProblem(path, line, "error", f"{scheme}: URL not allowed, skipped: {raw[:80]}")
        )
        return None
    if scheme == "mailto" or (not scheme and is_email(raw)):
        address = raw.split(":", 1)[1] if scheme == "mailto" else raw
        return CitedURL(f"mailto:{address.split('?')[0].lower()}", "contact", title, date, line)
    if scheme not in ("http", "https"):
        return None  # data:, ftp:, tel:, relative links: nothing to crawl or report
    try:
        url = normalize_url(raw)
    except ValueError as exc:
        problems.append(SeedProblem(path, line, "warning", f"unusable URL {raw[:80]!r}: {exc}"))
        return None
    if kind is None:
        kind = "image" if image else classify_url(url)
    return CitedURL(url, kind, title, date, line)


def dedupe(urls: list[CitedURL], self_urls: set[str]) -> list[CitedURL]:
    """One entry per URL (the first, with the first title and date found); the seed's own
    original address becomes kind ``self`` wherever it appears."""
    out: dict[str, CitedURL] = {}
    for cited in urls:
        if cited.url in self_urls:
            cited.kind = "self"
        kept = out.get(cited.url)
        if kept is None:
            out[cited.url] = cited
            continue
        kept.title = kept.title or cited.title
        kept.date = kept.date or cited.date
        if cited.kind == "self":
            kept.kind = "self"
    return list(out.values())
