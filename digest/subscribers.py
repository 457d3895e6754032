"""Subscribers: validated addresses, per-topic subscriptions, statuses, CSV import.

Statuses: ``pending`` (asked through the web form, not confirmed yet), ``active`` (gets the
issue), ``unsubscribed`` (asked to stop: never mailed again unless they subscribe again) and
``bounced``. ``topics`` is a list of topic slugs, or None for every topic.

Addresses are normalised before they are stored or compared: surrounding space stripped, the
domain lowercased and, for internationalised domains, converted to punycode
(``张三@例子.中国`` is refused for its non-ASCII local part; ``li@例子.中国`` becomes
``li@xn--fsqu00a.xn--fiqs8s``). The local part keeps its case (RFC 5321 says it may matter).
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from crawler.store import (
    SUBSCRIBER_STATUSES,
    delete_subscriber,
    get_subscriber,
    get_subscriber_by_id,
    insert_subscriber,
    known_topics,
    list_subscribers,
    set_subscriber_status,
    transaction,
    update_subscriber,
)

logger = logging.getLogger(__name__)

STATUSES = SUBSCRIBER_STATUSES
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_SLUG = re.compile(r"^[\w.-]+$")
_TOPIC_SPLIT = re.compile(r"[\s,;|]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SubscriberError(Exception):
    """An address, topic or status that cannot be accepted (the message says why)."""


@dataclass
class ImportReport:
    added: list[tuple[int, str]] = field(default_factory=list)
    updated: list[tuple[int, str]] = field(default_factory=list)
    unchanged: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # line, email, why
    invalid: list[tuple[int, str, str]] = field(default_factory=list)  # line, value, why


def _idna(domain: str) -> str:
    try:
        import idna  # UTS 46 / IDNA 2008 when available

        return str(idna.encode(domain, uts46=True).decode("ascii"))
    except ImportError:  # pragma: no cover - idna ships with Scrapy's dependencies
        return domain.encode("idna").decode("ascii")


def normalize_email(text: str) -> str:
    """A plain, checked and normalised address, or :class:`SubscriberError` saying why not."""
    raw = (text or "").strip()
    if not raw:
        raise SubscriberError("empty address")
    if _CONTROL.search(raw):
        raise SubscriberError("control characters in the address")
    if raw.count("@") != 1:
        raise SubscriberError(f"{raw!r} is not an email address (one @ expected)")
    local, domain = raw.split("@")
    if not local or len(local) > 64:
        raise SubscriberError(f"{raw!r}: the part before @ must have 1 to 64 characters")
    if not local.isascii():
        raise SubscriberError(f"{raw!r}: non-ASCII characters before @ are not supported")
    if not _LOCAL.match(local):
        raise SubscriberError(f"{raw!r}: invalid characters or dots before @")
    domain = domain.strip().rstrip(".").lower()
    if not domain.isascii():
        try:
            domain = _idna(domain)
        except (UnicodeError, ValueError) as exc:
            raise SubscriberError(f"{raw!r}: invalid internationalised domain ({exc})") from exc
    labels = domain.split(".")
    if len(labels) < 2 or len(domain) > 253:
        raise SubscriberError(f"{raw!r}: the domain needs a dot (example.org)")
    if not all(_LABEL.match(label) for label in labels) or not _TLD.match(labels[-1]):
        raise SubscriberError(f"{raw!r}: invalid domain {domain!r}")
    address = f"{local}@{domain}"
    if len(address) > 254:
        raise SubscriberError(f"{raw!r}: longer than 254 characters")
    return address


def parse_address(text: str) -> tuple[str, str | None]:
    """``"Li Lei <li@example.org>"`` or ``li@example.org`` → (normalised address, name)."""
    raw = (text or "").strip()
    if "<" in raw or '"' in raw:
        name, address = parseaddr(raw)
        if not address:
            raise SubscriberError(f"{raw!r} is not an email address")
        return normalize_email(address), clean_name(name)
    return normalize_email(raw), None


def clean_name(name: str | None) -> str | None:
    """A display name without control characters (it ends up in a To header); None if empty."""
    text = " ".join(_CONTROL.sub(" ", name or "").split())[:100]
    return text or None


def parse_topics(values: Iterable[str] | str | None) -> list[str] | None:
    """Topic slugs from ``--topic`` options or a CSV cell (``ai; climate``); None = all."""
    if values is None:
        return None
    items = [values] if isinstance(values, str) else list(values)
    slugs: list[str] = []
    for item in items:
        for slug in _TOPIC_SPLIT.split(item.strip()):
            if not slug:
                continue
            if not _SLUG.match(slug):
                raise SubscriberError(f"invalid topic {slug!r}")
            if slug not in slugs:
                slugs.append(slug)
    return sorted(slugs) or None


def check_topics(db: Database, topics: list[str] | None) -> None:
    """Refuse topic slugs the seeds do not define (once the seeds have been read)."""
    if not topics:
        return
    known = known_topics(db)
    unknown = [t for t in topics if t not in known]
    if known and unknown:
        raise SubscriberError(f"unknown topic {', '.join(unknown)} (known: {', '.join(known)})")


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise SubscriberError(f"unknown status {status!r} (one of {', '.join(STATUSES)})")
    return status


def _upsert(
    db: Database,
    email: str,
    *,
    name: str | None,
    topics: list[str] | None,
    set_topics: bool,
    status: str | None,
    resubscribe: bool,
    now: datetime,
    source: str,
) -> tuple[str, dict[str, Any]]:
    """Add or update one subscriber: ("added" | "updated" | "unchanged", row)."""
    row = get_subscriber(db, email)
    if row is None:
        sid = insert_subscriber(
            db,
            email=email,
            name=name,
            status=status or "active",
            topics=topics,
            now=now,
            source=source,
        )
        return "added", get_subscriber_by_id(db, sid) or {}
    if row["status"] in ("unsubscribed", "bounced") and status != row["status"] and not resubscribe:
        raise SubscriberError(
            f"{email} is {row['status']}; pass --resubscribe to subscribe it again "
            "(only with the person's consent)"
        )
    changed = False
    if name and name != row["name"]:
        update_subscriber(db, row["id"], name=name, set_name=True)
        changed = True
    if set_topics and topics != row["topics"]:
        update_subscriber(db, row["id"], topics=topics, set_topics=True)
        changed = True
    target = status
    if resubscribe and row["status"] in ("unsubscribed", "bounced") and status is None:
        target = "active"
    if target and target != row["status"]:
        set_subscriber_status(db, row["id"], target, now)
        changed = True
    return ("updated" if changed else "unchanged"), get_subscriber_by_id(db, row["id"]) or {}


def add_subscriber(
    db: Database,
    address: str,
    *,
    now: datetime,
    name: str | None = None,
    topics: list[str] | None = None,
    set_topics: bool = True,
    status: str | None = None,
    resubscribe: bool = False,
    source: str = "cli",
) -> tuple[str, dict[str, Any]]:
    """Add a subscriber or change one; re-activating an unsubscribed one needs ``resubscribe``.

    ``status`` None means active for a new address and "leave as is" for a known one.
    Returns ("added" | "updated" | "unchanged", the row).
    """
    email, parsed_name = parse_address(address)
    if status is not None:
        _check_status(status)
    check_topics(db, topics)
    with transaction(db):
        return _upsert(
            db,
            email,
            name=clean_name(name) or parsed_name,
            topics=topics,
            set_topics=set_topics,
            status=status,
            resubscribe=resubscribe,
            now=now,
            source=source,
        )


def remove_subscriber(db: Database, address: str, *, now: datetime, delete: bool = False) -> str:
    """Unsubscribe an address (kept so it is never mailed again) or erase it (``delete``)."""
    email, _ = parse_address(address)
    row = get_subscriber(db, email)
    if row is None:
        raise SubscriberError(f"{email} is not a subscriber")
    if delete:
        delete_subscriber(db, row["id"])
        return "deleted"
    return (
        "unsubscribed"
        if set_subscriber_status(db, row["id"], "unsubscribed", now)
        else ("unchanged")
    )


def import_subscribers(
    db: Database,
    source: Path | str | io.TextIOBase,
    *,
    now: datetime,
    status: str = "active",
) -> ImportReport:
    """Import a CSV with the header ``email[,name][,topics]``; importing it again changes nothing.

    Known addresses get the file's name and topics (a ``topics`` column with an empty cell
    means all topics); pending ones become ``status``. Unsubscribed and bounced addresses
    are skipped. Invalid lines are reported with their line numbers; the rest is imported in
    one transaction.
    """
    _check_status(status)
    if isinstance(source, (str, Path)):
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise SubscriberError(f"{source}: cannot read: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise SubscriberError(f"{source}: not UTF-8 text") from exc
        handle: Any = io.StringIO(text, newline="")
    else:
        handle = source
    reader = csv.DictReader(handle)
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "email" not in columns:
        raise SubscriberError("the CSV needs a header line with an 'email' column")
    reader.fieldnames = columns
    has_topics = "topics" in columns
    report = ImportReport()
    known = set(known_topics(db))
    with transaction(db):
        for row in reader:
            line = reader.line_num
            value = (row.get("email") or "").strip()
            if not value and not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue  # blank line
            try:
                email, parsed_name = parse_address(value)
                topics = parse_topics(row.get("topics") or "") if has_topics else None
                unknown = [t for t in topics or [] if known and t not in known]
                if unknown:
                    raise SubscriberError(f"unknown topic {', '.join(unknown)}")
            except SubscriberError as exc:
                report.invalid.append((line, value, str(exc)))
                continue
            existing = get_subscriber(db, email)
            if existing is not None and existing["status"] in ("unsubscribed", "bounced"):
                report.skipped.append((line, email, existing["status"]))
                continue
            target = status if existing is None or existing["status"] == "pending" else None
            outcome, _ = _upsert(
                db,
                email,
                name=clean_name(row.get("name")) or parsed_name,
                topics=topics,
                set_topics=has_topics,
                status=target,
                resubscribe=False,
                now=now,
                source="import",
            )
            getattr(report, outcome).append((line, email))
    logger.info(
        "import: %d added, %d updated, %d unchanged, %d skipped, %d invalid",
        len(report.added),
        len(report.updated),
        len(report.unchanged),
        len(report.skipped),
        len(report.invalid),
    )
    return report


# ------------------------------------------------------------------------ the web's steps


def request_subscription(
    db: Database,
    address: str,
    *,
    now: datetime,
    name: str | None = None,
    topics: list[str] | None = None,
) -> tuple[dict[str, Any], bool]:
    """The web form: a pending subscriber; (row, whether to send a confirmation email).

    An active address gets no email (and the page says the same as for a new one, so the
    form does not tell strangers who is subscribed). An unsubscribed or bounced address
    becomes pending again: the confirmation link is the person's consent.
    """
    email, parsed_name = parse_address(address)
    check_topics(db, topics)
    with transaction(db):
        row = get_subscriber(db, email)
        if row is None:
            sid = insert_subscriber(
                db,
                email=email,
                name=clean_name(name) or parsed_name,
                status="pending",
                topics=topics,
                now=now,
                source="web",
            )
            return get_subscriber_by_id(db, sid) or {}, True
        if row["status"] == "active":
            return row, False
        if topics != row["topics"]:
            update_subscriber(db, row["id"], topics=topics, set_topics=True)
        if row["status"] != "pending":
            set_subscriber_status(db, row["id"], "pending", now)
        return get_subscriber_by_id(db, row["id"]) or {}, True


def confirm_subscriber(db: Database, subscriber_id: int, *, now: datetime) -> bool:
    """pending → active; True when it changed (confirming twice is harmless)."""
    return set_subscriber_status(db, subscriber_id, "active", now)


def unsubscribe_subscriber(db: Database, subscriber_id: int, *, now: datetime) -> bool:
    """→ unsubscribed; True when it changed (the second click is harmless)."""
    return set_subscriber_status(db, subscriber_id, "unsubscribed", now)


def subscribers(db: Database, status: str | None = None) -> list[dict[str, Any]]:
    if status:
        _check_status(status)
    return list_subscribers(db, status)


def wants_issue(subscriber: dict[str, Any], issue_topics: list[str]) -> bool:
    """Whether a subscriber's topics intersect an issue's (None = all; an issue without
    topics, such as a quiet week's, goes to everyone)."""
    topics = subscriber.get("topics")
    return topics is None or not issue_topics or bool(set(topics) & set(issue_topics))
