"""Topic files: a topic, its weighted keywords, sources and cited pages, written in TOML.

::

    [topic]
    name = "GPT-4o"
    slug = "gpt-4o"                  # optional, derived from the name
    languages = ["zh", "en"]
    threshold = 2.0                  # optional (see crawler.relevance)
    since = 2025-03-26               # optional: nothing published before it is "new"
    keywords = ["GPT-4o", "OpenAI"]  # or weighted: { "GPT-4o" = 3.0, "多模态" = 2.0 }
    exclude = ["招聘"]
    seeds = ["000_*.txt"]            # optional globs of seed files (same folder) of this topic

    [[sources]]
    site = "https://openai.com/"
    feeds = ["https://openai.com/news/rss.xml"]
    sitemaps = []
    start_urls = []

    [[cite]]
    url = "https://openai.com/index/hello-gpt-4o/"
    title = "Hello GPT-4o"
    date = 2024-05-13                # or "2024-05-13"
    kind = "article"                 # optional: article, image, document, video, self, contact
"""

from __future__ import annotations

import datetime
import logging
import re
import tomllib
from typing import Any

from crawler.relevance import EXPLICIT_WEIGHT
from crawler.seedlinks import cite
from crawler.seedmodel import SeedProblem, Source, TopicSpec
from crawler.seedvalues import Parsed, ShapeError, language_code, line_of, parse_date, slugify
from crawler.urls import KINDS, host_of, normalize_url, site_of

logger = logging.getLogger(__name__)

TOPIC_KEYS = frozenset(
    {
        "name",
        "slug",
        "languages",
        "language",
        "threshold",
        "since",
        "keywords",
        "exclude",
        "seeds",
        "description",
    }
)
SOURCE_KEYS = frozenset({"site", "feeds", "sitemaps", "start_urls", "name"})
CITE_KEYS = frozenset({"url", "title", "date", "kind"})


def _toml_line(exc: tomllib.TOMLDecodeError, text: str) -> int | None:
    line = getattr(exc, "lineno", None)
    if line:
        return int(line)
    m = re.search(r"line (\d+)", str(exc))
    if m:
        return int(m.group(1))
    if "end of document" in str(exc):
        return text.rstrip("\n").count("\n") + 1
    return None


def _strings(
    value: object, what: str, where: str, line: int | None, problems: list[SeedProblem]
) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    problems.append(
        SeedProblem(where, line, "error", f"{what} must be a string or a list of strings")
    )
    return []


def _keywords(
    value: object, text: str, where: str, problems: list[SeedProblem]
) -> dict[str, float]:
    line = line_of(text, "keywords")
    if value is None:
        return {}
    if isinstance(value, dict):
        weighted: dict[str, float] = {}
        for term, weight in value.items():
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
                problems.append(
                    SeedProblem(
                        where,
                        line_of(text, str(term), line),
                        "error",
                        f"keyword {term!r}: weight must be a positive number, skipped",
                    )
                )
                continue
            weighted[str(term).strip()] = float(weight)
        return weighted
    return {t.strip(): EXPLICIT_WEIGHT for t in _strings(value, "keywords", where, line, problems)}


def _web_url(
    raw: object, what: str, text: str, where: str, problems: list[SeedProblem]
) -> str | None:
    """A normalised http(s) URL, or None and an error naming the line."""
    line = line_of(text, str(raw))
    if not isinstance(raw, str) or not re.match(r"^https?://[^/\s]+", raw.strip(), re.I):
        scheme = str(raw).split(":", 1)[0].lower() if ":" in str(raw) else ""
        reason = (
            f"{scheme}: URL not allowed" if scheme in ("javascript", "file") else "not a web URL"
        )
        problems.append(SeedProblem(where, line, "error", f"{what} {raw!r}: {reason}, skipped"))
        return None
    return normalize_url(raw)


def _source(
    entry: dict[str, Any], text: str, where: str, problems: list[SeedProblem]
) -> Source | None:
    unknown = set(entry) - SOURCE_KEYS
    if unknown:
        problems.append(
            SeedProblem(
                where,
                line_of(text, sorted(unknown)[0]),
                "warning",
                f"[[sources]]: unknown key(s) {', '.join(sorted(unknown))}",
            )
        )
    site_url = _web_url(entry.get("site"), "[[sources]] site", text, where, problems)
    if site_url is None:
        return None
    site = site_of(site_url)
    source = Source(site=site, host=host_of(site))
    for key, bucket in (
        ("feeds", source.feeds),
        ("sitemaps", source.sitemaps),
        ("start_urls", source.start_urls),
    ):
        values = _strings(entry.get(key), f"[[sources]] {key}", where, line_of(text, key), problems)
        for raw in values:
            url = _web_url(raw, f"[[sources]] {key}", text, where, problems)
            if url and url not in bucket:
                bucket.append(url)
    return source


def _cites(entries: object, text: str, where: str, problems: list[SeedProblem]) -> list[Any]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        problems.append(
            SeedProblem(where, line_of(text, "cite"), "error", "[[cite]] must be tables")
        )
        return []
    out = []
    for entry in entries:
        if not isinstance(entry, dict) or "url" not in entry:
            problems.append(
                SeedProblem(
                    where, line_of(text, "[[cite]]"), "error", "[[cite]] without a url, skipped"
                )
            )
            continue
        raw = str(entry["url"])
        line = line_of(text, raw)
        kind = entry.get("kind")
        if kind is not None and kind not in KINDS:
            problems.append(SeedProblem(where, line, "warning", f"[[cite]] unknown kind {kind!r}"))
            kind = None
        if not re.match(r"^(?:https?|mailto):", raw.strip(), re.I):
            _web_url(raw, "[[cite]] url", text, where, problems)  # reports it
            continue
        date = entry.get("date")
        found = parse_date(date) if date is not None else None
        if date is not None and found is None:
            problems.append(SeedProblem(where, line, "warning", f"unrecognised date {date!r}"))
        title = entry.get("title")
        cited = cite(
            raw,
            path=where,
            line=line,
            title=str(title).strip() if title else None,
            date=found.isoformat() if found else None,
            kind=kind,
            problems=problems,
        )
        if cited is not None:
            out.append(cited)
    return out


def parse_topic_file(text: str, where: str, problems: list[SeedProblem]) -> Parsed:
    """Parse a topic file into a seed carrying one :class:`TopicSpec`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", str(exc))
        raise ShapeError(_toml_line(exc, text), f"broken TOML: {message}") from None
    table = data.get("topic")
    if not isinstance(table, dict):
        raise ShapeError(None, "topic file without a [topic] table")
    head = line_of(text, "[topic]")
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ShapeError(head, "[topic] needs a name")
    name = name.strip()
    for key in sorted(set(table) - TOPIC_KEYS):
        problems.append(
            SeedProblem(where, line_of(text, key, head), "warning", f"[topic]: unknown key {key!r}")
        )
    for key in sorted(set(data) - {"topic", "sources", "cite"}):
        problems.append(SeedProblem(where, line_of(text, key), "warning", f"unknown table {key!r}"))
    slug = table.get("slug")
    if slug is not None and (not isinstance(slug, str) or not re.fullmatch(r"[\w-]+", slug)):
        problems.append(
            SeedProblem(
                where,
                line_of(text, "slug", head),
                "warning",
                f"slug {slug!r} is not usable; derived from the name",
            )
        )
        slug = None
    spec = TopicSpec(name=name, slug=slug or slugify(name), path=where)
    spec.keywords = _keywords(table.get("keywords"), text, where, problems)
    spec.exclude = _strings(
        table.get("exclude"), "exclude", where, line_of(text, "exclude"), problems
    )
    langs = table.get("languages", table.get("language"))
    for lang in _strings(langs, "languages", where, line_of(text, "language"), problems):
        code = language_code(lang)
        if code and code not in spec.languages:
            spec.languages.append(code)
    threshold = table.get("threshold")
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold < 0:
            problems.append(
                SeedProblem(
                    where,
                    line_of(text, "threshold", head),
                    "error",
                    "threshold must be a number ≥ 0; the default is used",
                )
            )
        else:
            spec.threshold = float(threshold)
    since = table.get("since")
    if since is not None:
        spec.since = parse_date(since) if not isinstance(since, datetime.datetime) else since.date()
        if spec.since is None:
            problems.append(
                SeedProblem(
                    where, line_of(text, "since", head), "warning", f"unrecognised date {since!r}"
                )
            )
    spec.seed_globs = _strings(table.get("seeds"), "seeds", where, line_of(text, "seeds"), problems)
    entries = data.get("sources", [])
    for entry in entries if isinstance(entries, list) else []:
        source = _source(entry, text, where, problems) if isinstance(entry, dict) else None
        if source is not None:
            spec.sources.append(source)
    urls = _cites(data.get("cite"), text, where, problems)
    description = table.get("description")
    return Parsed(
        title=name,
        topic=name,
        language=spec.languages[0] if spec.languages else None,
        tags=[],
        body=str(description) if description else "",
        urls=urls,
        definitions=[spec],
    )
