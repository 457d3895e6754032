"""Reading one seed file, whatever its shape, into :class:`~crawler.seedmodel.Seed` objects.

The shape is told by the content first, the extension second:

``frontmatter``  markdown or text opening with a YAML block (keys in English or Chinese)
``tagged``       ``<title>…</title>``, ``<date>``, ``<author>``, ``<tags>``, ``<summary>``, …
``html``         an HTML page: title, meta tags, canonical link, links and images
``topic``        a ``*.toml`` topic file (``[topic]``, ``[[sources]]``, ``[[cite]]``)
``opml``         a feed subscription list: each feed becomes a source of a topic
``citations``    plain text or markdown that cites URLs (footnote lists, links, bare URLs)
``text``         plain text or markdown without URLs (it only adds keywords)

Bytes are decoded as UTF-8, else GB18030 (with a warning). A file that cannot be read or
decoded, a broken YAML or TOML block, an empty or binary file yields a :class:`SeedProblem`
instead of a seed; forbidden URLs (``javascript:``, ``file:``) are reported and skipped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from crawler.seedlinks import cite, clean_title, dedupe, find_urls
from crawler.seedmarkup import parse_html, parse_opml
from crawler.seedmodel import CitedURL, Seed, SeedProblem
from crawler.seedvalues import (
    Parsed,
    ShapeError,
    as_list,
    as_text,
    language_code,
    looks_like_url,
    parse_date,
)
from crawler.text import detect_language, extract_keywords
from crawler.topicfiles import parse_topic_file

logger = logging.getLogger(__name__)

MAX_SEED_BYTES = 10 * 1024 * 1024
TAG_WEIGHT = 1.0  # an explicit tag weighs as much as the seed's best extracted term

# Front-matter keys (lower-cased) for each field.
META_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "标题", "题目", "name", "名称"),
    "date": (
        "date",
        "发布日期",
        "日期",
        "发布时间",
        "时间",
        "published",
        "pubdate",
        "publish_date",
        "published_at",
        "created",
        "created_at",
        "创建时间",
        "updated",
    ),
    "author": ("author", "作者", "authors", "by", "creator"),
    "publisher": ("source", "来源", "出处", "publisher", "site", "公众号", "媒体"),
    "url": (
        "url",
        "link",
        "原文链接",
        "链接",
        "原文",
        "原文地址",
        "source_url",
        "canonical",
        "permalink",
        "href",
        "original",
    ),
    "tags": ("tags", "标签", "tag", "keywords", "关键词", "关键字"),
    "category": ("category", "categories", "分类", "类别", "栏目"),
    "topic": ("topic", "主题", "话题"),
    "language": ("language", "lang", "语言"),
    "summary": ("summary", "摘要", "description", "简介", "excerpt"),
}
_KEY_FIELD = {key: name for name, keys in META_KEYS.items() for key in keys}
_TAGGED_RE = re.compile(r"<([A-Za-z_][\w-]*)>(.*?)</\1\s*>", re.S)
_TAGGED_START_RE = re.compile(r"^\s*<(title|date|author|tags|quote|summary|notes|topic)>", re.I)
_TEXT_META_RE = re.compile(
    r"^\s*(?:[-*]\s*)?\**(date|日期|发布日期|发布时间|时间|author|作者|by|来源|source)\**\s*[:：]\s*(.+?)\s*$",
    re.I,
)
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s+")


# --- reading ----------------------------------------------------------------------------------


def read_seed_text(path: Path, problems: list[SeedProblem]) -> str | None:
    """The file's text, decoded; None (and a problem) when it is unreadable, empty or binary."""
    where = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(
            SeedProblem(where, None, "error", f"cannot read file: {exc.strerror or exc}")
        )
        return None
    if len(data) > MAX_SEED_BYTES:
        problems.append(SeedProblem(where, None, "error", f"file too large ({len(data)} bytes)"))
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:65536]:
        problems.append(SeedProblem(where, None, "error", "binary file, not a seed document"))
        return None
    if not data.strip():
        problems.append(SeedProblem(where, None, "warning", "empty file"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            problems.append(
                SeedProblem(where, None, "error", "binary file or unknown encoding (not UTF-8/GBK)")
            )
            return None
        if not _plausible_text(text):
            problems.append(SeedProblem(where, None, "error", "binary file, not a seed document"))
            return None
        problems.append(SeedProblem(where, None, "warning", "not UTF-8: decoded as GB18030/GBK"))
    if not _plausible_text(text):
        problems.append(SeedProblem(where, None, "error", "binary file, not a seed document"))
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _plausible_text(text: str) -> bool:
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    odd = sum(1 for ch in sample if 0xE000 <= ord(ch) <= 0xF8FF or ch == "\ufffd")
    return (controls + odd) <= 0.02 * max(len(sample), 1)


def detect_format(path: Path, text: str) -> str:
    """The seed shape (see the module docstring); ``citations`` and ``text`` are both "plain"."""
    ext = path.suffix.lower()
    head = text.lstrip("\ufeff \t\n")[:4000]
    low = head.lower()
    if re.match(r"---[ \t]*\n", head):
        return "frontmatter"
    if ext == ".toml" or re.search(r"^\s*\[topic\]\s*$", text, re.M):
        return "topic"
    if ext == ".opml" or "<opml" in low[:1000]:
        return "opml"
    if low.startswith(("<!doctype html", "<html")) or re.search(r"<(?:html|head|body)[\s>]", low):
        return "html"
    if _TAGGED_START_RE.match(head):
        return "tagged"
    if ext in (".html", ".htm", ".xhtml"):
        return "html"
    return "plain"


# --- shapes -------------------------------------------------------------------------------------


def _apply_meta(
    parsed: Parsed,
    meta: dict[str, Any],
    lines: dict[str, int],
    where: str,
    problems: list[SeedProblem],
) -> None:
    """Fill ``parsed`` from a key → value mapping (front matter or tagged blocks)."""
    for raw_key, value in meta.items():
        name = _KEY_FIELD.get(str(raw_key).strip().lower())
        line = lines.get(str(raw_key))
        if name is None or value is None or value == "":
            continue
        if name == "title":
            parsed.title = parsed.title or as_text(value)
        elif name == "date":
            found = parse_date(value)
            if found is None:
                problems.append(SeedProblem(where, line, "warning", f"unrecognised date {value!r}"))
            parsed.date = parsed.date or found
        elif name == "author":
            parsed.author = parsed.author or as_text(value)
        elif name == "publisher":
            text = as_text(value)
            if looks_like_url(text):
                parsed.self_urls.append((str(text), line))
            else:
                parsed.publisher = parsed.publisher or text
        elif name == "url":
            for item in value if isinstance(value, list) else [value]:
                parsed.self_urls.append((str(item), line))
        elif name in ("tags", "category"):
            parsed.tags.extend(t for t in as_list(value) if t not in parsed.tags)
        elif name == "topic":
            parsed.topic = parsed.topic or as_text(value)
        elif name == "language":
            parsed.language = language_code(as_text(value))
        elif name == "summary":
            parsed.body = f"{as_text(value)}\n{parsed.body}"


def _meta_lines(block: str, first_line: int) -> dict[str, int]:
    lines: dict[str, int] = {}
    for offset, line in enumerate(block.split("\n")):
        m = re.match(r"^([^\s:#][^:]*?)\s*:", line)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = first_line + offset
    return lines


def parse_frontmatter(text: str, where: str, problems: list[SeedProblem]) -> Parsed:
    lines = text.lstrip("\ufeff").split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise ShapeError(1, "broken YAML front matter: the opening --- is never closed")
    block = "\n".join(lines[1:end])
    try:
        meta = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).split("\n")[0]
        raise ShapeError(line, f"broken YAML front matter: {problem}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ShapeError(2, "broken YAML front matter: expected 'key: value' lines")
    parsed = Parsed()
    _apply_meta(parsed, meta, _meta_lines(block, 2), where, problems)
    body = "\n".join(lines[end + 1 :])
    parsed.body = f"{parsed.body}\n{body}" if parsed.body else body
    parsed.title = parsed.title or _first_heading(body)
    _scan_urls(parsed, body, end + 2, where, problems)
    return parsed


def parse_tagged(text: str, where: str, problems: list[SeedProblem]) -> Parsed:
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}
    body: list[str] = []
    for m in _TAGGED_RE.finditer(text):
        tag, content = m.group(1).lower(), m.group(2).strip()
        if tag in _KEY_FIELD and _KEY_FIELD[tag] != "summary":
            meta.setdefault(tag, content)
            lines.setdefault(tag, text.count("\n", 0, m.start(2)) + 1)
        else:
            body.append(content)
    parsed = Parsed()
    _apply_meta(parsed, meta, lines, where, problems)
    parsed.body = "\n\n".join(body)
    _scan_urls(parsed, text, 1, where, problems)
    return parsed


def parse_plain(text: str, where: str, problems: list[SeedProblem]) -> Parsed:
    parsed = Parsed(body=text)
    parsed.title = _first_heading(text, any_line=True)
    for line in text.split("\n")[:15]:
        m = _TEXT_META_RE.match(line)
        if not m:
            continue
        key, value = m.group(1).lower(), m.group(2).strip("* ")
        if key in ("date", "日期", "发布日期", "发布时间", "时间") and parsed.date is None:
            parsed.date = parse_date(value)
        elif key in ("author", "作者", "by") and parsed.author is None:
            parsed.author = value
        elif key in ("来源", "source") and not looks_like_url(value):
            parsed.publisher = parsed.publisher or value
    _scan_urls(parsed, text, 1, where, problems)
    return parsed


def _first_heading(text: str, any_line: bool = False) -> str | None:
    for line in text.split("\n")[:40]:
        stripped = line.strip()
        if not stripped:
            continue
        if _HEADING_RE.match(line):
            return clean_title(_HEADING_RE.sub("", line))
        if any_line:
            if len(stripped) <= 150 and "://" not in stripped and not stripped.startswith("!["):
                return clean_title(stripped)
            return None
    return None


def _scan_urls(
    parsed: Parsed, text: str, first_line: int, where: str, problems: list[SeedProblem]
) -> None:
    found, bad = find_urls(text, first_line)
    mine: list[SeedProblem] = []
    for line, url in bad:
        scheme = url.split(":", 1)[0].lower()
        mine.append(
            SeedProblem(where, line, "error", f"{scheme}: URL not allowed, skipped: {url[:80]}")
        )
    for item in found:
        cited = cite(
            item.raw,
            path=where,
            line=item.line,
            title=item.title,
            image=item.image,
            problems=mine,
        )
        if cited is not None:
            parsed.urls.append(cited)
    problems.extend(sorted(mine, key=lambda p: p.line or 0))


# --- one file -----------------------------------------------------------------------------------

_PARSERS: dict[str, Callable[[str, str, list[SeedProblem]], Parsed]] = {
    "frontmatter": parse_frontmatter,
    "tagged": parse_tagged,
    "plain": parse_plain,
    "html": parse_html,
    "topic": parse_topic_file,
    "opml": parse_opml,
}


def parse_seed_file(path: Path) -> tuple[list[Seed], list[SeedProblem]]:
    """Parse one seed file. Never raises: what is wrong comes back as problems."""
    problems: list[SeedProblem] = []
    where = str(path)
    text = read_seed_text(path, problems)
    if text is None:
        return [], problems
    shape = detect_format(path, text)
    try:
        parsed = _PARSERS[shape](text, where, problems)
    except ShapeError as exc:
        problems.append(SeedProblem(where, exc.line, "error", exc.message))
        return [], problems
    except Exception as exc:  # a parser bug must not stop the other seeds
        logger.warning("seed %s could not be parsed", where, exc_info=True)
        problems.append(SeedProblem(where, None, "error", f"could not parse: {exc}"))
        return [], problems
    if shape == "plain":
        shape = "citations" if any(u.kind != "contact" for u in parsed.urls) else "text"
    return [finish_seed(where, shape, parsed, problems)], problems


def finish_seed(where: str, shape: str, parsed: Parsed, problems: list[SeedProblem]) -> Seed:
    """Settle a parsed seed: language, weighted keywords, URL kinds and de-duplication."""
    self_urls: set[str] = set()
    extra: list[CitedURL] = []
    for raw, line in parsed.self_urls:
        cited = cite(raw, path=where, line=line, kind="self", problems=problems)
        if cited is not None and cited.kind == "self":
            self_urls.add(cited.url)
            extra.append(cited)
    urls = dedupe(extra + parsed.urls, self_urls)
    language = parsed.language or detect_language(f"{parsed.title or ''}\n{parsed.body}")
    if parsed.definitions:
        keywords: dict[str, float] = {}
        for spec in parsed.definitions:
            for term, weight in spec.keywords.items():
                keywords[term] = max(weight, keywords.get(term, 0.0))
    else:
        keywords = {tag: TAG_WEIGHT for tag in parsed.tags}
        for term, weight in extract_keywords(parsed.body, parsed.title).items():
            if not any(term.casefold() == t.casefold() for t in keywords):
                keywords[term] = weight
    seed = Seed(
        path=where,
        format=shape,
        title=parsed.title,
        date=parsed.date,
        author=parsed.author,
        language=language,
        tags=parsed.tags,
        topic=parsed.topic,
        keywords=keywords,
        urls=urls,
        text=parsed.body.strip(),
        publisher=parsed.publisher,
        definitions=parsed.definitions,
    )
    has_sources = seed.article_urls or any(s.sources for s in parsed.definitions)
    if not has_sources:
        problems.append(
            SeedProblem(
                where,
                None,
                "warning",
                "no sources: it cites no article to crawl, so it only adds keywords",
            )
        )
    if not seed.text and not seed.title and not seed.urls and not seed.definitions:
        problems.append(SeedProblem(where, None, "warning", "nothing usable in this file"))
    return seed
