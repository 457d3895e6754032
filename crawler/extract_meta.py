"""Article metadata from a parsed page: title, site name, description, canonical URL, language,
publication date and author.

Structured data comes first (``<meta>`` tags, JSON-LD, ``<link rel=canonical>``). Chinese pages
rarely have it, so dates and authors are also read from the lines around the start and the end of
the main text: labelled dates (发布时间, 发表于, 日期, posted) and author bylines (作者, 记者, 文,
执笔, "by"), with htmldate's fast mode as the last resort for dates.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from urllib.parse import urljoin

from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

_WS_RE = re.compile(r"\s+")
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA_RE = re.compile(r"[\u3040-\u30ff]")
_HANGUL_RE = re.compile(r"[\uac00-\ud7af]")
_WORD_RE = re.compile(r"[^\W\d_]+")


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    text = _WS_RE.sub(" ", text).strip()
    return text or None


def _meta(tree: HtmlElement, *names: str) -> str | None:
    """Content of the first ``<meta>`` whose name/property/itemprop is one of ``names``."""
    wanted = {n.lower() for n in names}
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key in wanted and key not in found:
            value = _clean(el.get("content"))
            if value:
                found[key] = value
    for name in names:
        if name.lower() in found:
            return found[name.lower()]
    return None


def json_ld(tree: HtmlElement) -> list[dict]:
    """All JSON-LD objects of the page (``@graph`` flattened); broken scripts are skipped."""
    objects: list[dict] = []
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
            elif isinstance(item, list):
                stack.extend(item)
    return objects


def _ld_value(objects: list[dict], key: str) -> object:
    for obj in objects:
        if key in obj and obj[key]:
            return obj[key]
    return None


def _ld_names(value: object) -> str | None:
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, dict):
        return _clean(str(value.get("name") or "")) if value.get("name") else None
    if isinstance(value, list):
        names = [n for n in (_ld_names(v) for v in value) if n]
        return "; ".join(dict.fromkeys(names)) or None
    return None


# --- title, site name, description, canonical URL ---------------------------------------------

_TITLE_SEP_RE = re.compile(r"\s+[-|–—_·]\s+|\s*[|_｜]\s*|\s+-{1,2}\s*|--")


def extract_title(tree: HtmlElement) -> str | None:
    """og:title, else the ``<h1>`` that the ``<title>`` contains, else the cleaned ``<title>``."""
    title_el = tree.find(".//title")
    page_title = _clean(title_el.text_content()) if title_el is not None else None
    h1s = [_clean(h.text_content()) for h in tree.iter("h1")]
    h1s = [h for h in h1s if h and len(h) <= 200]
    og = _meta(tree, "og:title", "twitter:title")
    if og:
        return og
    if page_title:
        for h1 in h1s:
            if h1 in page_title:
                return h1
        parts = [p.strip() for p in _TITLE_SEP_RE.split(page_title) if p.strip()]
        if len(parts) > 1:
            return max(parts, key=len)
        return page_title
    return h1s[0] if h1s else None


def extract_sitename(tree: HtmlElement, ld: list[dict]) -> str | None:
    name = _meta(tree, "og:site_name", "application-name", "apple-mobile-web-app-title")
    if name:
        return name
    publisher = _ld_value(ld, "publisher")
    if publisher:
        return _ld_names(publisher)
    return None


def extract_description(tree: HtmlElement) -> str | None:
    return _meta(tree, "description", "og:description", "twitter:description")


def extract_canonical(tree: HtmlElement, url: str) -> str | None:
    """rel=canonical, else og:url, made absolute against the page URL."""
    href = None
    for link in tree.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and (link.get("href") or "").strip():
            href = link.get("href").strip()
            break
    if href is None:
        href = _meta(tree, "og:url")
    if not href:
        return None
    try:
        return urljoin(url, href) if url else href
    except ValueError:
        return href


# --- language ---------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words("the and of to in is that for it with as was on be by this are from"),
    "de": _words("der die und das ist nicht mit den von zu sich des auf für ein eine"),
    "fr": _words("le la les et des est une pour que dans qui du pas sur au avec"),
    "es": _words("el la los las de que y en un una por con para es del se"),
    "it": _words("il di che la per non una sono della le gli con del nel anche"),
    "pt": _words("o de que e do da em um para com não uma os no se na"),
    "nl": _words("de het een en van is dat niet op te zijn met voor die"),
    "ru": _words("и в не на что с по как это он она они к из у за от для"),
}


def detect_language(text: str, tree: HtmlElement | None = None) -> str | None:
    """ISO 639-1 code: CJK script shares, else stopwords, else the page's lang attribute."""
    sample = text[:5000]
    letters = sum(1 for ch in sample if ch.isalpha())
    if letters:
        cjk = len(_CJK_RE.findall(sample))
        kana = len(_KANA_RE.findall(sample))
        hangul = len(_HANGUL_RE.findall(sample))
        if kana >= 0.05 * letters:
            return "ja"
        if hangul >= 0.3 * letters:
            return "ko"
        if cjk >= 0.3 * letters:
            return "zh"
    words = [w.lower() for w in _WORD_RE.findall(sample)]
    if len(words) >= 20:
        counts = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
        lang, hits = max(counts.items(), key=lambda kv: kv[1])
        if hits >= 0.08 * len(words):
            return lang
    if tree is not None:
        declared = tree.get("lang") or _meta(tree, "content-language", "og:locale")
        if declared:
            code = re.split(r"[-_]", declared.strip().lower())[0]
            if re.fullmatch(r"[a-z]{2}", code):
                return code
    return None


# --- dates ------------------------------------------------------------------------------------

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_YMD_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?"
)
_DMY_EN_RE = re.compile(
    r"(?<![a-z])(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd"
    r"|th)?,?\s+((?:19|20)\d{2})|(?<!\d)(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov"
    r"|dec)[a-z]*\.?,?\s+((?:19|20)\d{2})",
    re.IGNORECASE,
)
_MDY_RE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})(?!\d)")
_YM_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?!\s*\d)")
_TIME_AFTER_RE = re.compile(r"^\s*(?:日|at|,|，)?\s*\d{1,2}\s*[:：]\s*\d{2}")
_DATE_LABEL_RE = re.compile(
    r"(?:发布|发表|更新|出版|上传|刊登|录入|添加)(?:时间|日期|于)?|时间|日期|posted|published|"
    r"updated|date",
    re.IGNORECASE,
)


def _make_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        return None
    return date if 1990 <= year <= 2100 else None


def find_dates(text: str) -> list[tuple[int, datetime.date, bool]]:
    """(position, date, followed by a time) for every full date written in ``text``."""
    found: list[tuple[int, datetime.date, bool]] = []
    for m in _YMD_RE.finditer(text):
        date = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if date:
            found.append((m.start(), date, bool(_TIME_AFTER_RE.match(text[m.end() :]))))
    for m in _MDY_RE.finditer(text):
        first, second = int(m.group(1)), int(m.group(2))
        month, day = (first, second) if first <= 12 else (second, first)
        date = _make_date(int(m.group(3)), month, day)
        if date:
            found.append((m.start(), date, bool(_TIME_AFTER_RE.match(text[m.end() :]))))
    for m in _DMY_EN_RE.finditer(text):
        if m.group(1):
            month, day, year = _MONTHS[m.group(1).lower()[:3]], int(m.group(2)), int(m.group(3))
        else:
            day, month, year = int(m.group(4)), _MONTHS[m.group(5).lower()[:3]], int(m.group(6))
        date = _make_date(year, month, day)
        if date:
            found.append((m.start(), date, bool(_TIME_AFTER_RE.match(text[m.end() :]))))
    return sorted(found, key=lambda x: x[0])


def find_year_months(text: str) -> list[tuple[int, datetime.date]]:
    """Dates written as a year and a month only (1996年6月), as the first of the month."""
    found = []
    for m in _YM_RE.finditer(text):
        date = _make_date(int(m.group(1)), int(m.group(2)), 1)
        if date:
            found.append((m.start(), date))
    return found


def parse_date(value: str | None) -> datetime.date | None:
    """A date from a structured value (ISO 8601 and friends)."""
    if not value:
        return None
    dates = find_dates(value)
    if dates:
        return dates[0][1]
    m = re.match(r"((?:19|20)\d{2})(\d{2})(\d{2})", value.strip())
    return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def structured_date(tree: HtmlElement, ld: list[dict]) -> datetime.date | None:
    """Publication date from meta tags, JSON-LD or ``<time datetime>``."""
    value = _meta(
        tree,
        "article:published_time",
        "og:published_time",
        "datePublished",
        "pubdate",
        "publishdate",
        "publish-date",
        "publication_date",
        "sailthru.date",
        "dc.date.issued",
        "dc.date",
        "date",
        "parsely-pub-date",
        "og:release_date",
    )
    date = parse_date(value)
    if date:
        return date
    ld_value = _ld_value(ld, "datePublished") or _ld_value(ld, "dateCreated")
    if isinstance(ld_value, str):
        date = parse_date(ld_value)
        if date:
            return date
    for el in tree.iter("time"):
        if el.get("pubdate") is not None or "publish" in (el.get("class") or "").lower():
            date = parse_date(el.get("datetime") or el.text_content())
            if date:
                return date
    return None


def text_date(lines: list[tuple[float, str]]) -> datetime.date | None:
    """The best dated line near the main text. ``lines`` are (distance from text start, text).

    Labelled dates (发布时间, posted) beat dates followed by a time, which beat bare dates, which
    beat a year and month; bylines above the text beat dates inside it; among equals the one
    closest to the start of the main text wins.
    """
    best: tuple[float, datetime.date] | None = None
    for distance, line in lines:
        if len(line) > 240:
            line = f"{line[:120]} | {line[-120:]}"  # a post with its signature
        candidates = [(p, d, t, 0.0) for p, d, t in find_dates(line)]
        if not candidates:
            candidates = [(p, d, False, -2.0) for p, d in find_year_months(line)]
        for pos, date, has_time, bonus in candidates:
            labelled = bool(_DATE_LABEL_RE.search(line[max(0, pos - 12) : pos]))
            score = bonus + 3.0 * labelled + 2.0 * has_time - abs(distance) / 8.0
            score += 1.0 if len(line) <= 80 else 0.0
            score += 0.5 if distance < 0 else 0.0
            if best is None or score > best[0]:
                best = (score, date)
    return best[1] if best else None


def htmldate_date(tree: HtmlElement, url: str | None) -> datetime.date | None:
    try:
        from htmldate import find_date
    except ImportError:  # pragma: no cover
        return None
    try:
        value = find_date(tree, url=url, extensive_search=False, original_date=True)
    except Exception:  # noqa: BLE001 - a heuristic helper must not break extraction
        logger.debug("htmldate failed", exc_info=True)
        return None
    return parse_date(value)


# --- structured author -------------------------------------------------------------------------

_SOFTWARE_AUTHORS_RE = re.compile(
    r"discuz|comsenz|phpwind|dedecms|wordpress|powered by|joomla|drupal|dvbbs|\bteam\b",
    re.IGNORECASE,
)


_ORGANISATION_RE = re.compile(
    r"(?:网|报|社|台|新闻|科技|财经|频道|客户端|综合|消息|管理员|编辑部|\.com|\.net|\.cn)$|email",
    re.IGNORECASE,
)


def structured_author(tree: HtmlElement, ld: list[dict]) -> str | None:
    """Author from JSON-LD or author meta tags (not URLs, user ids, CMS credits or the site)."""
    title_el = tree.find(".//title")
    page_title = title_el.text_content() if title_el is not None else ""
    parts = [p for p in _TITLE_SEP_RE.split(page_title) if p.strip()]
    site = f"{extract_sitename(tree, ld) or ''} {parts[-1] if len(parts) > 1 else ''}"
    candidates = [
        _ld_names(_ld_value(ld, "author")),
        _meta(tree, "author", "article:author", "dc.creator", "byl", "sailthru.author"),
    ]
    for value in candidates:
        if not value or value.startswith("http") or _SOFTWARE_AUTHORS_RE.search(value):
            continue
        if "@" in value or _ORGANISATION_RE.search(value):
            continue
        if len(value) >= 2 and value in site and not re.search(r"\s", value):
            continue  # the site's own name ("…_网易新闻" and author "网易")
        if sum(ch.isdigit() for ch in value) >= 2:
            continue
        return re.sub(r"^by\s+", "", value, flags=re.IGNORECASE)
    return None
