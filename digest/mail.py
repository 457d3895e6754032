"""Email messages and the SMTP transport (used by delivery and the web's confirmation mail).

Messages are ``email.message.EmailMessage`` objects with :data:`POLICY`: ``email.policy.SMTP``
(CRLF, RFC 2047 for non-ASCII headers) except that the ``List-*`` URI headers are folded only
between their URIs and never encoded (the stock folder turns a URL longer than a line into
encoded words, which mail providers do not read as a link). Header values that come from
data (the subject, names) pass :func:`clean_header`: no CR, LF or other control character
can start a header of its own.

:class:`Mailer` is one SMTP connection (``email.smtp_security``: ``none``, ``starttls`` or
``ssl``; login with ``email.smtp_user`` and ``SEEDWIRE_SMTP_PASSWORD``; TLS certificates are
verified), opened once and reused; :func:`send_with_retries` retries 4xx answers with a
backoff and reconnects once when the connection drops.
"""

from __future__ import annotations

import logging
import quopri
import re
import secrets
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr
from typing import Any

from crawler.config import Config

logger = logging.getLogger(__name__)

BACKOFF = (1.0, 2.0)
"""Seconds to wait before the 2nd and the 3rd attempt after a 4xx answer."""
SMTP_TIMEOUT = 30.0
_VERBATIM = {"list-unsubscribe", "list-unsubscribe-post", "list-archive", "list-post"}
_HEADER_JUNK = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_ID_SAFE = re.compile(r"[^\w.-]+")


class DeliveryError(Exception):
    """Sending cannot go on (server down, bad SMTP settings, another sender running)."""

    def __init__(self, message: str, report: Any = None) -> None:
        super().__init__(message)
        self.report = report


class _Policy(EmailPolicy):
    """``email.policy.SMTP`` with verbatim ``List-*`` URI headers (see the module doc)."""

    def _verbatim(self, name: str, value: Any) -> str | None:
        text = str(value)
        if name.lower() not in _VERBATIM or not text.isascii():
            return None
        parts = [p.strip() for p in text.split(",") if p.strip()]
        return f"{name}: " + ("," + self.linesep + " ").join(parts) + self.linesep

    def fold(self, name: str, value: Any) -> str:
        folded = self._verbatim(name, value)
        return folded if folded is not None else super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        folded = self._verbatim(name, value)
        return folded.encode("ascii") if folded is not None else super().fold_binary(name, value)


POLICY = _Policy(linesep="\r\n")


# ----------------------------------------------------------------------------- messages


def clean_header(text: str) -> str:
    """One line: CR, LF and other control characters become spaces (no header injection)."""
    return " ".join(_HEADER_JUNK.sub(" ", text or "").split())


def _cte(text: str) -> str:
    """7bit for ASCII with short lines, else the shorter of quoted-printable and base64."""
    if text.isascii() and all(len(line) <= 998 for line in text.splitlines()):
        return "7bit"
    data = text.encode("utf-8")
    qp = len(quopri.encodestring(data))
    b64 = (len(data) + 2) // 3 * 4 * 77 // 76
    return "quoted-printable" if qp <= b64 else "base64"


def sender_address(config: Config) -> tuple[str, str]:
    """(envelope sender, its domain) from ``email.from_addr``."""
    address = parseaddr(config.email.from_addr)[1]
    if "@" not in address:
        raise DeliveryError(f"email.from_addr {config.email.from_addr!r} has no address")
    return address, address.rsplit("@", 1)[1]


def new_message_id(config: Config, tag: str) -> str:
    domain = sender_address(config)[1]
    return f"<{_ID_SAFE.sub('-', tag)}.{int(time.time())}.{secrets.token_hex(6)}@{domain}>"


def site_url(config: Config, path: str) -> str:
    """An absolute URL under ``site.base_url``."""
    base = config.site.base_url
    return (base if base.endswith("/") else base + "/") + path


def compose(
    config: Config,
    *,
    to: str,
    name: str | None,
    subject: str,
    text: str,
    html: str,
    now: datetime,
    message_id: str,
    headers: Sequence[tuple[str, str]] = (),
) -> EmailMessage:
    """A multipart/alternative message (text, then HTML) with From, To, Subject, Date,
    Message-ID (and Reply-To when configured) plus ``headers``."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = config.email.from_addr
    local, domain = to.rsplit("@", 1)
    msg["To"] = Address(display_name=clean_header(name or ""), username=local, domain=domain)
    msg["Subject"] = clean_header(subject)
    msg["Date"] = format_datetime(now.astimezone(UTC))
    msg["Message-ID"] = message_id
    if config.email.reply_to:
        msg["Reply-To"] = config.email.reply_to
    for key, value in headers:
        msg[key] = clean_header(value)
    msg.set_content(text, cte=_cte(text))
    msg.add_alternative(html, subtype="html", cte=_cte(html))
    return msg


# ----------------------------------------------------------------------------- SMTP


class Refused(Exception):
    """The server answered a message with an error code."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code
        self.text = text

    @property
    def transient(self) -> bool:
        return 400 <= self.code < 500


class ConnectionLost(Exception):
    """The connection broke while sending; the message may be sent again."""


def _answer(raw: Any) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


class Mailer:
    """One SMTP connection: opened on first use, reused, closed with :meth:`close`."""

    def __init__(self, config: Config, *, timeout: float = SMTP_TIMEOUT) -> None:
        self.config = config
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        return f"{self.config.email.smtp_host}:{self.config.email.smtp_port}"

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config.email
        context = ssl.create_default_context()
        hostname = socket.gethostname() or "localhost"  # getfqdn() may wait on DNS
        if cfg.smtp_security == "ssl":
            return smtplib.SMTP_SSL(
                cfg.smtp_host,
                cfg.smtp_port,
                local_hostname=hostname,
                timeout=self.timeout,
                context=context,
            )
        smtp = smtplib.SMTP(
            cfg.smtp_host, cfg.smtp_port, local_hostname=hostname, timeout=self.timeout
        )
        if cfg.smtp_security == "starttls":
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                smtp.close()
                raise DeliveryError(f"SMTP server {self.where} does not offer STARTTLS")
            smtp.starttls(context=context)
            smtp.ehlo()
        return smtp

    def open(self) -> None:
        """Connect and log in; :class:`DeliveryError` with the reason when that fails."""
        if self._smtp is not None:
            return
        cfg = self.config.email
        password = self.config.secret("smtp_password")
        if cfg.smtp_user and not password:
            raise DeliveryError("email.smtp_user is set but SEEDWIRE_SMTP_PASSWORD is not")
        try:
            smtp = self._connect()
            if cfg.smtp_user and password:
                smtp.login(cfg.smtp_user, password)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"SMTP server {self.where} refused the login of {cfg.smtp_user!r}: "
                f"{exc.smtp_code} {_answer(exc.smtp_error)}"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise DeliveryError(
                f"cannot connect to SMTP server {self.where} "
                f"(smtp_security {cfg.smtp_security}): {reason or type(exc).__name__}"
            ) from exc
        self._smtp = smtp
        logger.info("connected to SMTP server %s", self.where)

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        """Send one message: :class:`Refused` (an error answer) or :class:`ConnectionLost`."""
        self.open()
        assert self._smtp is not None
        try:
            self._smtp.send_message(msg, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise Refused(int(code), _answer(text)) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise Refused(int(exc.smtp_code), _answer(exc.smtp_error)) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise Refused(554, f"not sent: {exc}") from exc
        except smtplib.SMTPServerDisconnected as exc:
            self._drop()
            raise ConnectionLost(str(exc) or "server disconnected") from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing the connection
                self._drop()
                raise ConnectionLost(f"421 {_answer(exc.smtp_error)}") from exc
            raise Refused(int(exc.smtp_code), _answer(exc.smtp_error)) from exc
        except OSError as exc:
            self._drop()
            raise ConnectionLost(str(exc) or type(exc).__name__) from exc

    def _drop(self) -> None:
        if self._smtp is not None:
            with suppress(OSError):
                self._smtp.close()
        self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            with suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
        self._drop()


def send_with_retries(
    mailer: Mailer,
    msg: EmailMessage,
    sender: str,
    recipient: str,
    *,
    backoff: Sequence[float] = BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[str, str | None]:
    """("sent" | "failed" | "deferred", the server's answer).

    A 4xx answer is retried after each of ``backoff``'s delays; a lost connection is reopened
    once (a message whose DATA got no answer is sent again, as every MTA does); when it
    cannot be reopened :class:`DeliveryError` is raised.
    """
    attempt = 0
    reconnected = False
    while True:
        try:
            mailer.send(msg, sender, recipient)
            return "sent", None
        except Refused as exc:
            if exc.transient and attempt < len(backoff):
                logger.info("%s: %s; retrying in %gs", recipient, exc, backoff[attempt])
                sleep(backoff[attempt])
                attempt += 1
                continue
            return ("deferred" if exc.transient else "failed"), str(exc)
        except ConnectionLost as exc:
            if reconnected:
                raise DeliveryError(f"SMTP connection to {mailer.where} lost: {exc}") from exc
            logger.warning("SMTP connection lost (%s); reconnecting", exc)
            reconnected = True
            mailer.open()


def send_single(config: Config, msg: EmailMessage, *, backoff: Sequence[float] = (1.0,)) -> None:
    """Send one message now (confirmation emails); :class:`DeliveryError` when it fails."""
    sender = sender_address(config)[0]
    recipient = msg["To"].addresses[0].addr_spec
    mailer = Mailer(config)
    try:
        outcome, answer = send_with_retries(mailer, msg, sender, recipient, backoff=backoff)
    finally:
        mailer.close()
    if outcome != "sent":
        raise DeliveryError(f"{recipient}: {answer}")


class RateLimiter:
    """At most ``per_minute`` calls of :meth:`wait` a minute, evenly spaced (0 = no limit)."""

    def __init__(
        self,
        per_minute: float,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.sleep = sleep
        self.clock = clock
        self._next = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        if self._next > now:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval
