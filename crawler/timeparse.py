"""Small time helpers shared by configuration, crawler and digest (no I/O, no clock)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKLY = re.compile(r"^\s*(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+(\d{1,2}):(\d{2})\s*$", re.I)
_PERIOD = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_weekly(text: str) -> tuple[str, int, int]:
    """``"mon 07:00"`` → ``("mon", 7, 0)``; raises ValueError with a readable message."""
    match = _WEEKLY.match(text)
    if not match:
        raise ValueError(f"expected 'DAY HH:MM' such as 'mon 07:00', got {text!r}")
    day, hour, minute = match.group(1).lower(), int(match.group(2)), int(match.group(3))
    if hour > 23 or minute > 59:
        raise ValueError(f"no such time of day: {text!r}")
    return day, hour, minute


def utc_iso(moment: datetime) -> str:
    """A timezone-aware datetime as an ISO string in UTC (how the store keeps times)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_iso(text: str | None) -> datetime | None:
    """Parse a stored ISO timestamp (date-only strings become midnight UTC)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def period_key(day: date) -> str:
    """The ISO week a date belongs to: ``2026-W47``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def period_bounds(key: str, tz: tzinfo) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of an ISO week in ``tz``."""
    match = _PERIOD.match(key)
    if not match:
        raise ValueError(f"expected a period like 2026-W47, got {key!r}")
    monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    return start, start + timedelta(days=7)


def last_complete_period(now: datetime, tz: tzinfo) -> str:
    """The last ISO week that has fully ended at ``now`` in ``tz``."""
    local = now.astimezone(tz)
    return period_key((local - timedelta(days=7)).date())
