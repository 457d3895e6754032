"""The fixed words readers see, per language, and how dates and counts are written.

Every word of the email, feeds and archive that is not an article's own text comes from
:data:`MESSAGES`; templates reach it through a :class:`Catalogue` bound to one language
(``t("read_on_web")``, ``t.date(day)``, ``t.period(starts, ends)``, ``t.count("articles", 3)``).
Summaries and titles stay in each article's own language.

Adding a language: add a table to :data:`MESSAGES` with the same keys (a test checks that
every language has every key) and a branch in the date functions if its dates differ from
both shapes below.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_LANGUAGE = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "this_week": "本周",
        "issue": "第 {number} 期",
        "read_on_web": "在网页上阅读",
        "unsubscribe": "退订",
        "also_covered_by": "另见",
        "colon": "：",
        "quiet_week": "本周较为平静：我们关注的主题没有新文章。",
        "quiet_week_title": "平静的一周",
        "articles_one": "{n} 篇文章",
        "articles_other": "{n} 篇文章",
        "topics_one": "{n} 个主题",
        "topics_other": "{n} 个主题",
        "summary_line": "{topics}，{articles}",
        "why_you_get_this": "你收到这封邮件，是因为你订阅了 {site}。",
        "rss_feed": "RSS 订阅源",
        "atom_feed": "Atom 订阅源",
        "archive": "往期存档",
        "all_issues": "全部期刊",
        "topics": "主题",
        "topic_archive": "主题存档",
        "newer_issue": "较新一期",
        "older_issue": "较早一期",
        "subscribe": "订阅",
        "subscribe_prompt": "每周一封邮件，汇总我们关注的主题的新文章。",
        "email_address": "电子邮件地址",
        "email_placeholder": "you@example.com",
        "no_issues": "还没有发布任何一期。",
        "undated": "日期不详",
        "unsubscribe_prompt": "不想再收到？",
    },
    "en": {
        "this_week": "This week",
        "issue": "Issue {number}",
        "read_on_web": "Read on the web",
        "unsubscribe": "Unsubscribe",
        "also_covered_by": "Also covered by",
        "colon": ": ",
        "quiet_week": "A quiet week: nothing new on our topics.",
        "quiet_week_title": "A quiet week",
        "articles_one": "{n} article",
        "articles_other": "{n} articles",
        "topics_one": "{n} topic",
        "topics_other": "{n} topics",
        "summary_line": "{articles} on {topics}",
        "why_you_get_this": "You are receiving this because you subscribed to {site}.",
        "rss_feed": "RSS feed",
        "atom_feed": "Atom feed",
        "archive": "Archive",
        "all_issues": "All issues",
        "topics": "Topics",
        "topic_archive": "Topic archive",
        "newer_issue": "Newer issue",
        "older_issue": "Older issue",
        "subscribe": "Subscribe",
        "subscribe_prompt": "One email a week with what is new on our topics.",
        "email_address": "Email address",
        "email_placeholder": "you@example.com",
        "no_issues": "No issues have been published yet.",
        "undated": "undated",
        "unsubscribe_prompt": "Had enough?",
    },
}

#: The value for ``<html lang>``, RSS ``<language>`` and ``xml:lang`` per catalogue language.
LANGUAGE_TAGS: dict[str, str] = {"zh": "zh-CN", "en": "en"}

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EN_DASH = "\u2013"


def language_or_default(language: str | None) -> str:
    """``language`` when a catalogue exists for it (``zh-CN`` counts as ``zh``), else English."""
    if language:
        base = language.split("-")[0].split("_")[0].lower()
        if base in MESSAGES:
            return base
    return DEFAULT_LANGUAGE


def format_date(day: date, language: str) -> str:
    """One day: ``2026年11月16日`` or ``16 Nov 2026``."""
    if language_or_default(language) == "zh":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def format_range(first: date, last: date, language: str) -> str:
    """An inclusive range of days, without repeating what both ends share.

    zh: ``2026年11月9日–11月15日``, ``2026年12月28日–2027年1月3日``;
    en: ``9–15 Nov 2026``, ``28 Nov – 4 Dec 2026``, ``28 Dec 2026 – 3 Jan 2027``.
    """
    if last < first:
        first, last = last, first
    if first == last:
        return format_date(first, language)
    if language_or_default(language) == "zh":
        if first.year != last.year:
            return f"{format_date(first, language)}{_EN_DASH}{format_date(last, language)}"
        return f"{first.year}年{first.month}月{first.day}日{_EN_DASH}{last.month}月{last.day}日"
    if first.year != last.year:
        return f"{format_date(first, language)} {_EN_DASH} {format_date(last, language)}"
    if first.month != last.month:
        start = f"{first.day} {_EN_MONTHS[first.month - 1]}"
        return f"{start} {_EN_DASH} {format_date(last, language)}"
    return f"{first.day}{_EN_DASH}{format_date(last, language)}"


def period_days(starts: datetime, ends: datetime, timezone: str | None = None) -> tuple[date, date]:
    """The first and last day of ``[starts, ends)`` in ``timezone`` (``ends`` is exclusive)."""
    if timezone:
        tz = ZoneInfo(timezone)
        if starts.tzinfo is not None:
            starts = starts.astimezone(tz)
        if ends.tzinfo is not None:
            ends = ends.astimezone(tz)
    last = (ends - timedelta(microseconds=1)).date()
    return starts.date(), max(last, starts.date())


def format_period(
    starts: datetime, ends: datetime, language: str, timezone: str | None = None
) -> str:
    """A period such as ``2026年11月9日–11月15日`` / ``9–15 Nov 2026``."""
    first, last = period_days(starts, ends, timezone)
    return format_range(first, last, language)


class Catalogue:
    """The messages and formats of one language, callable from templates.

    ``t("issue", number=12)`` → ``第 12 期``; unknown keys raise ``KeyError`` so a typo in a
    template fails the tests instead of showing a blank.
    """

    def __init__(self, language: str, timezone: str | None = None) -> None:
        self.language = language_or_default(language)
        self.timezone = timezone
        self.messages = MESSAGES[self.language]
        self.tag = LANGUAGE_TAGS[self.language]

    def __call__(self, key: str, **values: object) -> str:
        return self.messages[key].format(**values)

    def count(self, key: str, n: int) -> str:
        """``3 articles`` / ``3 篇文章``: the plural form chosen here, not in templates."""
        form = "one" if n == 1 else "other"
        return self.messages[f"{key}_{form}"].format(n=n)

    def date(self, day: date | datetime | None) -> str:
        """A day in this language; ``datetime`` values are first moved to the timezone."""
        if day is None:
            return self.messages["undated"]
        if isinstance(day, datetime):
            if self.timezone and day.tzinfo is not None:
                day = day.astimezone(ZoneInfo(self.timezone))
            day = day.date()
        return format_date(day, self.language)

    def period(self, starts: datetime, ends: datetime) -> str:
        """The days of an issue's period."""
        return format_period(starts, ends, self.language, self.timezone)

    def summary_line(self, topics: int, articles: int) -> str:
        """``12 articles on 3 topics`` / ``3 个主题，12 篇文章``."""
        return self(
            "summary_line",
            topics=self.count("topics", topics),
            articles=self.count("articles", articles),
        )
