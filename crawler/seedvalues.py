"""Values found in seeds: dates in many spellings, tag lists, language codes; and the
intermediate result every shape parser returns."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from crawler.seedmodel import CitedURL, TopicSpec

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_ISO_DATE_RE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_ZH_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_MDY_RE = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DMY_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")

# --- dates and metadata values -----------------------------------------------------------------


def parse_date(value: object) -> datetime.date | None:
    """A date from the many ways seeds write one (ISO, 2024年5月13日, JavaScript's
    ``Fri Jan 02 2026 23:56:19 GMT+0800 (China Standard Time)``, ``13 May 2024``,
    ``May 13, 2024``, RFC 2822, ``20240513``). The written calendar date is kept, whatever
    the time zone. None when no date is recognised."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    candidates: list[tuple[str, str, str]] = []
    if m := _ISO_DATE_RE.search(text):
        candidates.append((m.group(1), m.group(2), m.group(3)))
    if m := _ZH_DATE_RE.search(text):
        candidates.append((m.group(1), m.group(2), m.group(3)))
    if (m := _MDY_RE.search(text)) and m.group(1).lower() in _MONTHS:
        candidates.append((m.group(3), str(_MONTHS[m.group(1).lower()]), m.group(2)))
    if (m := _DMY_RE.search(text)) and m.group(2).lower() in _MONTHS:
        candidates.append((m.group(3), str(_MONTHS[m.group(2).lower()]), m.group(1)))
    if m := _COMPACT_RE.match(text):
        candidates.append((m.group(1), m.group(2), m.group(3)))
    for year, month, day in candidates:
        try:
            found = datetime.date(int(year), int(month), int(day))
        except ValueError:
            continue
        if 1900 <= found.year <= 2200:
            return found
    return None


def as_list(value: object) -> list[str]:
    """Tags as written: a YAML list, ``"a, b，c"``, ``"#ai #llm"``; ``#`` marks removed."""
    if value is None:
        return []
    items: list[str] = []
    if isinstance(value, list | tuple | set):
        for item in value:
            items.extend(as_list(item))
        return list(dict.fromkeys(items))
    text = str(value).strip()
    if not text:
        return []
    parts = re.split(r"[,，、;；|]", text)
    if len(parts) == 1 and re.search(r"(?:^|\s)#\S", text):
        parts = text.split()
    for part in parts:
        cleaned = part.strip().lstrip("#＃").strip()
        if cleaned:
            items.append(cleaned)
    return list(dict.fromkeys(items))


def as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v is not None) or None
    text = str(value).strip()
    return text or None


def looks_like_url(value: str | None) -> bool:
    return bool(value) and bool(re.match(r"^(?:https?:)?//|^www\.", value or "", re.I))


def language_code(value: str | None) -> str | None:
    """``zh-CN`` → ``zh``, ``English`` → ``en``, ``中文`` → ``zh``."""
    if not value:
        return None
    low = value.strip().lower()
    names = {
        "chinese": "zh",
        "中文": "zh",
        "汉语": "zh",
        "english": "en",
        "英文": "en",
        "英语": "en",
    }
    if low in names:
        return names[low]
    code = re.split(r"[-_]", low)[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


@dataclass
class Parsed:
    """What one shape parser found, before keywords and URL kinds are settled."""

    title: str | None = None
    date: datetime.date | None = None
    author: str | None = None
    publisher: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    topic: str | None = None
    body: str = ""
    self_urls: list[tuple[str, int | None]] = field(default_factory=list)
    urls: list[CitedURL] = field(default_factory=list)
    definitions: list[TopicSpec] = field(default_factory=list)


class ShapeError(Exception):
    """A seed cannot be parsed at all (broken YAML, TOML or XML)."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def slugify(name: str) -> str:
    """``GPT-4o`` → ``gpt-4o``, ``Claude 3.5 Sonnet`` → ``claude-3-5-sonnet``; Chinese kept."""
    slug = re.sub(r"[^\w]+", "-", name.casefold()).strip("-_")
    return re.sub(r"-{2,}", "-", slug) or "topic"


def line_of(text: str, needle: str, default: int | None = None) -> int | None:
    """The 1-based line where ``needle`` first appears in ``text``."""
    if not needle:
        return default
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else default
