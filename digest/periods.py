"""What an issue covers: the period from ``--period`` or ``--since``/``--until``; ``--now``.

A period is an ISO week (``2026-W47``, the default being the last complete week at ``now``) or a
custom range of days (``2026-11-01..2026-11-15``), both in the configured timezone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from crawler.config import Config
from crawler.timeparse import last_complete_period, period_bounds

__all__ = ["DigestError", "Period", "parse_now", "resolve_period"]

_CUSTOM_PERIOD = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class DigestError(Exception):
    """A user mistake in what to build (period, dates, topic): one clear line."""


@dataclass(frozen=True)
class Period:
    """What an issue covers: ``[starts, ends)`` in the configured timezone, and its key."""

    key: str
    starts: datetime
    ends: datetime


def _parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise DigestError(f"{what}: expected a date like 2026-11-16, got {text!r}") from exc


def resolve_period(
    config: Config,
    *,
    period: str | None = None,
    since: date | None = None,
    until: date | None = None,
    now: datetime,
) -> Period:
    """The period to build: ``period`` (``2026-W47`` or ``2026-11-01..2026-11-15``), or
    ``since``..``until`` (days, both included), or the last complete ISO week at ``now``."""
    tz = config.tz
    if period and (since or until):
        raise DigestError("give either --period or --since/--until, not both")
    if since or until:
        if not (since and until):
            raise DigestError("a custom period needs both --since and --until")
        if since > until:
            raise DigestError(f"--since {since} is after --until {until}")
        return _custom(since, until, tz)
    if period:
        period = period.strip()
        custom = _CUSTOM_PERIOD.match(period)
        if custom:
            first = _parse_day(custom.group(1), "period")
            last = _parse_day(custom.group(2), "period")
            if first > last:
                raise DigestError(f"period {period}: the first day is after the last")
            return _custom(first, last, tz)
        try:
            starts, ends = period_bounds(period.upper(), tz)
        except ValueError as exc:
            raise DigestError(
                f"expected a period like 2026-W47 or 2026-11-01..2026-11-15, got {period!r}"
            ) from exc
        return Period(period.upper(), starts, ends)
    key = last_complete_period(now, tz)
    starts, ends = period_bounds(key, tz)
    return Period(key, starts, ends)


def _custom(first: date, last: date, tz: ZoneInfo) -> Period:
    starts = datetime(first.year, first.month, first.day, tzinfo=tz)
    ends = datetime(last.year, last.month, last.day, tzinfo=tz) + timedelta(days=1)
    return Period(f"{first.isoformat()}..{last.isoformat()}", starts, ends)


def parse_now(text: str | None, tz: tzinfo = UTC) -> datetime:
    """``--now``: an ISO time (without an offset: in ``tz``, the configured timezone), or the
    real clock when None. Every command reads ``--now`` the same way."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DigestError(
            f"--now: expected an ISO time like 2026-11-23T08:00:00+08:00, got {text!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)
