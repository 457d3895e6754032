"""Sending an issue: one delivery row per (issue, subscriber), resumable, never twice.

:func:`send_issue` builds the period's issue when it is missing, creates a ``pending``
delivery row for every active subscriber whose topics intersect the issue's, and sends the
pending ones over one SMTP connection (:mod:`digest.mail`), at most ``email.rate_per_minute``
a minute:

* a row is marked ``sending`` (committed) just before its SMTP transaction and ``sent``
  (committed, with the Message-ID and the time) as soon as the server accepts the message;
* a 4xx answer is retried with a backoff (1 s, 2 s); still 4xx → the row goes back to
  ``pending`` with the answer, for the next run; a 5xx answer marks it ``failed`` with it;
* a server that cannot be reached (or goes away and cannot be reached again) leaves the rows
  ``pending`` and raises :class:`DeliveryError`: run the same command again later;
* a row whose subscriber left (or changed topics) before the run reached it is ``skipped``.

**The crash window.** If the process dies after the server accepted a message but before the
``sent`` commit (a few milliseconds), the row stays ``sending``: nobody can tell from here
whether it arrived. A later run never resends such a row by default (nobody gets an issue
twice) and reports it. The operator can check the SMTP server's log and run ``seedwire digest
send --uncertain sent`` (they arrived: mark them) or ``--uncertain resend`` (send them again;
the copy carries the same Message-ID, which many mail systems use to drop a duplicate). Two
senders cannot run at once (``data/send.lock``), so a ``sending`` row found at the start is
always a leftover of a run that died.
"""

from __future__ import annotations

import fcntl
import html as html_lib
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from crawler.config import Config
from crawler.store import (
    claim_delivery,
    create_deliveries,
    delivered_subscriber_ids,
    digest_topics,
    finish_delivery,
    list_deliveries,
    list_subscribers,
    mark_uncertain_sent,
    release_uncertain,
)
from crawler.store.digests import get_digest
from crawler.timeparse import last_complete_period
from digest.mail import (
    BACKOFF,
    POLICY,
    SMTP_TIMEOUT,
    DeliveryError,
    Mailer,
    RateLimiter,
    clean_header,
    compose,
    new_message_id,
    send_with_retries,
    sender_address,
    site_url,
)
from digest.render import UNSUBSCRIBE_MARKER
from digest.subscribers import wants_issue
from digest.tokens import make_token, require_secret

logger = logging.getLogger(__name__)

__all__ = ["DeliveryError", "SendBusy", "SendReport", "issue_message", "send_issue"]

_FILE_SAFE = re.compile(r"[^\w.@+-]+")
UNCERTAIN_CHOICES = ("sent", "resend")


class SendBusy(DeliveryError):
    """Another sender holds the lock of this data directory."""


def unsubscribe_url(config: Config, token: str) -> str:
    return site_url(config, f"unsubscribe?t={token}")


def _list_id(config: Config) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", config.site.title.lower()).strip("-") or "newsletter"
    return f"{clean_header(config.site.title)} <{slug}.{sender_address(config)[1]}>"


def personalise(body: str, url: str, *, is_html: bool, language: str) -> str:
    """The personal unsubscribe link where the marker is (or added at the end)."""
    value = html_lib.escape(url, quote=True) if is_html else url
    if UNSUBSCRIBE_MARKER in body:
        return body.replace(UNSUBSCRIBE_MARKER, value)
    word = "退订" if language == "zh" else "Unsubscribe"
    if is_html:
        footer = f'<p><a href="{value}">{word}</a></p>'
        at = body.lower().rfind("</body>")
        return body[:at] + footer + body[at:] if at >= 0 else body + footer
    return f"{body.rstrip()}\n\n-- \n{word}: {url}\n"


def issue_message(
    config: Config,
    digest: dict[str, Any],
    subscriber: dict[str, Any],
    *,
    secret: str,
    now: datetime,
    message_id: str,
) -> EmailMessage:
    """The issue for one subscriber, with their unsubscribe link in the body and headers."""
    token = make_token(secret, "unsubscribe", subscriber["id"], subscriber["email"])
    url = unsubscribe_url(config, token)
    targets = [f"<{url}>"]
    if config.email.unsubscribe_mailto:
        targets.append(f"<mailto:{config.email.unsubscribe_mailto}?subject=unsubscribe>")
    language = config.site.language
    return compose(
        config,
        to=subscriber["email"],
        name=subscriber.get("name"),
        subject=digest["subject"],
        text=personalise(digest["text"], url, is_html=False, language=language),
        html=personalise(digest["html"], url, is_html=True, language=language),
        now=now,
        message_id=message_id,
        headers=[
            ("List-Id", _list_id(config)),
            ("List-Unsubscribe", ", ".join(targets)),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("List-Archive", f"<{site_url(config, '')}>"),
        ],
    )


@dataclass
class SendReport:
    period: str
    number: int | None = None
    subject: str = ""
    built: bool = False
    empty: bool = False  # no issue: the period had nothing to build
    recipients: int = 0
    already_sent: int = 0
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    deferred: list[tuple[str, str]] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    resolved: int = 0
    stopped: bool = False
    dry_run: bool = False
    outbox: Path | None = None
    files: list[Path] = field(default_factory=list)


@contextmanager
def send_lock(config: Config) -> Iterator[None]:
    """One sender per data directory (``data/send.lock`` holds its pid)."""
    path = config.data_dir / "send.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole run
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            pid = handle.read().strip() or "?"
            raise SendBusy(
                f"another `seedwire digest send` is running on {config.data_dir} (pid {pid})"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()


def find_or_build(
    db: Database, config: Config, period: str, now: datetime
) -> tuple[dict[str, Any] | None, bool]:
    """The stored issue of ``period``, built when missing: (digest row or None, built now)."""
    digest = get_digest(db, period)
    if digest is not None:
        return digest, False
    from digest.build import build_issue  # local: building pulls in selection and rendering

    built = build_issue(db, config, period=period, now=now)
    if built is None:
        return None, False
    return get_digest(db, getattr(built, "period", None) or period), True


def recipients(db: Database, digest_id: int) -> list[dict[str, Any]]:
    """Active subscribers whose topics intersect the issue's."""
    topics = digest_topics(db, digest_id)
    return [s for s in list_subscribers(db, "active") if wants_issue(s, topics)]


def write_outbox(
    db: Database, config: Config, digest: dict[str, Any], *, secret: str, now: datetime
) -> tuple[Path, list[Path], int]:
    """``--dry-run``: the messages as ``.eml`` files in ``out/outbox/<period>/``; no rows
    change. Returns (folder, files, recipients)."""
    outbox = config.out_dir / "outbox" / _FILE_SAFE.sub("_", digest["period"])
    outbox.mkdir(parents=True, exist_ok=True)
    for old in outbox.glob("*.eml"):
        old.unlink()
    done = delivered_subscriber_ids(db, digest["id"])
    wanted = recipients(db, digest["id"])
    files = []
    for subscriber in wanted:
        if subscriber["id"] in done:
            continue
        msg = issue_message(
            config,
            digest,
            subscriber,
            secret=secret,
            now=now,
            message_id=new_message_id(config, digest["period"]),
        )
        name = f"{len(files) + 1:04d}-{_FILE_SAFE.sub('_', subscriber['email'])}.eml"
        path = outbox / name
        path.write_bytes(msg.as_bytes(policy=POLICY))
        files.append(path)
    return outbox, files, len(wanted)


class _Run:
    """One pass over an issue's pending deliveries (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        config: Config,
        digest: dict[str, Any],
        report: SendReport,
        *,
        secret: str,
        backoff: Sequence[float],
        sleep: Callable[[float], None],
        clock: Callable[[], datetime],
        stop: Callable[[], bool],
        timeout: float,
    ) -> None:
        self.db, self.config, self.digest, self.report = db, config, digest, report
        self.secret, self.backoff, self.sleep = secret, backoff, sleep
        self.clock, self.stop, self.timeout = clock, stop, timeout
        self.sender = sender_address(config)[0]

    def prepare(self, *, now: datetime, new_recipients: bool, uncertain: str | None) -> list[Any]:
        """Resolve leftovers, create rows, skip leavers; the rows to send."""
        db, digest_id, report = self.db, self.digest["id"], self.report
        if uncertain == "sent":
            report.resolved = mark_uncertain_sent(db, digest_id, self.clock())
        elif uncertain == "resend":
            report.resolved = release_uncertain(db, digest_id, self.clock())
        self.wanted = {s["id"]: s for s in recipients(db, digest_id)}
        report.recipients = len(self.wanted)
        if new_recipients:
            create_deliveries(db, digest_id, self.wanted, now)
        rows = list_deliveries(db, digest_id)
        report.already_sent = sum(1 for r in rows if r["status"] == "sent")
        report.uncertain = [r["email"] for r in rows if r["status"] == "sending"]
        if report.uncertain:
            logger.warning(
                "%d deliveries of %s were interrupted while sending and are not resent: %s",
                len(report.uncertain),
                self.digest["period"],
                ", ".join(report.uncertain),
            )
        todo = []
        for row in rows:
            if row["status"] != "pending":
                continue
            if row["subscriber_id"] in self.wanted:
                todo.append(row)
                continue
            why = f"subscriber is {row['subscriber_status']}"
            if row["subscriber_status"] == "active":
                why = "subscriber's topics changed"
            finish_delivery(db, row["id"], "skipped", self.clock(), error=why)
            report.skipped.append((row["email"], why))
        return todo

    def send(self, todo: list[Any]) -> None:
        period = self.digest["period"]
        mailer = Mailer(self.config, timeout=self.timeout)
        limiter = RateLimiter(self.config.email.rate_per_minute, sleep=self.sleep)
        try:
            mailer.open()
            for index, row in enumerate(todo):
                if self.stop():
                    self.report.stopped = True
                    logger.warning("stopping: %d deliveries left pending", len(todo) - index)
                    break
                limiter.wait()
                self.send_one(mailer, row)
        except DeliveryError as exc:
            left = len(list_deliveries(self.db, self.digest["id"], "pending"))
            raise DeliveryError(
                f"{exc}; {left} deliveries of {period} left pending: run "
                f"`seedwire digest send --period {period}` again",
                self.report,
            ) from exc
        finally:
            mailer.close()

    def send_one(self, mailer: Mailer, row: dict[str, Any]) -> None:
        db, report, email = self.db, self.report, row["email"]
        message_id = row["message_id"] or new_message_id(self.config, self.digest["period"])
        msg = issue_message(
            self.config,
            self.digest,
            self.wanted[row["subscriber_id"]],
            secret=self.secret,
            now=self.clock(),
            message_id=message_id,
        )
        if not claim_delivery(db, row["id"], message_id, self.clock()):
            return
        try:
            outcome, answer = send_with_retries(
                mailer, msg, self.sender, email, backoff=self.backoff, sleep=self.sleep
            )
        except DeliveryError:
            finish_delivery(db, row["id"], "pending", self.clock(), error="connection lost")
            raise
        if outcome == "sent":
            finish_delivery(db, row["id"], "sent", self.clock())
            report.sent.append(email)
            logger.info("sent %s to %s", self.digest["period"], email)
        elif outcome == "failed":
            finish_delivery(db, row["id"], "failed", self.clock(), error=answer)
            report.failed.append((email, answer or ""))
            logger.warning("%s refused: %s", email, answer)
        else:
            finish_delivery(db, row["id"], "pending", self.clock(), error=answer)
            report.deferred.append((email, answer or ""))
            logger.warning("%s deferred: %s", email, answer)


def send_issue(
    db: Database,
    config: Config,
    *,
    now: datetime,
    period: str | None = None,
    dry_run: bool = False,
    uncertain: str | None = None,
    new_recipients: bool = True,
    backoff: Sequence[float] = BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] | None = None,
    stop: Callable[[], bool] = lambda: False,
    timeout: float = SMTP_TIMEOUT,
) -> SendReport:
    """Send the issue of ``period`` (default: the last complete week) to its recipients.

    ``uncertain``: what to do with rows an interrupted run left ``sending``: None (report
    them; the default), ``"sent"`` (mark them sent) or ``"resend"``. ``new_recipients=False``
    only works through the rows that exist (resuming). ``clock`` gives the time for Date
    headers and stamps (default: the real clock); ``stop`` is asked between two messages
    (the scheduler's shutdown): what is left stays pending.
    """
    if uncertain is not None and uncertain not in UNCERTAIN_CHOICES:
        raise ValueError(f"uncertain must be one of {UNCERTAIN_CHOICES}")
    clock = clock or (lambda: datetime.now(UTC))
    period = period or last_complete_period(now, config.tz)
    report = SendReport(period=period, dry_run=dry_run)
    secret = require_secret(config)
    sender_address(config)
    digest, report.built = find_or_build(db, config, period, now)
    if digest is None:
        report.empty = True
        return report
    report.number, report.subject = digest["number"], digest["subject"]
    if dry_run:
        report.outbox, report.files, report.recipients = write_outbox(
            db, config, digest, secret=secret, now=now
        )
        report.already_sent = report.recipients - len(report.files)
        return report
    if not config.site.base_url.startswith("https://"):
        logger.warning("site.base_url is not https: mail providers ignore one-click unsubscribe")
    run = _Run(
        db,
        config,
        digest,
        report,
        secret=secret,
        backoff=backoff,
        sleep=sleep,
        clock=clock,
        stop=stop,
        timeout=timeout,
    )
    with send_lock(config):
        db.execute("PRAGMA synchronous = FULL")  # a 'sent' mark survives a power cut too
        try:
            todo = run.prepare(now=now, new_recipients=new_recipients, uncertain=uncertain)
            if todo:
                run.send(todo)
        finally:
            db.execute("PRAGMA synchronous = NORMAL")
    return report
