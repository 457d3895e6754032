"""Signed links for confirming and ending a subscription: HMAC-SHA256 with ``SEEDWIRE_SECRET``.

A token is ``<subscriber id>.<signature>`` (unsubscribe: valid as long as the address is the
same) or ``<subscriber id>.<issued>.<signature>`` (confirm: ``issued`` is a Unix time, so the
link expires). The signature covers the purpose, the id, the subscriber's address and
``issued``: a token made for one purpose or one person is worthless for another, and a token
for a deleted subscriber does not work for a later one who gets the same id. Signatures are
compared with :func:`hmac.compare_digest`. Rotating the secret invalidates every link already
sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

PURPOSES = ("confirm", "unsubscribe")
CONFIRM_MAX_AGE = 7 * 24 * 3600
_VERSION = b"seedwire-token-v1"
_TOKEN = re.compile(r"^(\d{1,12})(?:\.(\d{1,12}))?\.([A-Za-z0-9_-]{43})$")
_SHORT_SECRET = 16


class TokenError(Exception):
    """A link's token is malformed (``status`` 400) or forged/expired (``status`` 403)."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


class SecretMissing(Exception):
    """No ``SEEDWIRE_SECRET``: signed links can be neither made nor checked."""


@dataclass(frozen=True)
class Token:
    subscriber_id: int
    issued: int | None
    signature: str


def require_secret(config: Any) -> str:
    """The configured secret, or :class:`SecretMissing` with what to do about it."""
    secret = config.secret("secret")
    if not secret:
        raise SecretMissing(
            "no secret configured: set SEEDWIRE_SECRET to a long random string (for example "
            "the output of `python -c 'import secrets; print(secrets.token_urlsafe(32))'`); "
            "it signs the confirm and unsubscribe links"
        )
    if len(secret) < _SHORT_SECRET:
        logger.warning(
            "SEEDWIRE_SECRET is shorter than %d characters: links are guessable", _SHORT_SECRET
        )
    return secret


def _signature(
    secret: str, purpose: str, subscriber_id: int, email: str, issued: int | None
) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    message = b"\0".join(
        [
            _VERSION,
            purpose.encode(),
            str(subscriber_id).encode(),
            email.encode("utf-8"),
            b"" if issued is None else str(issued).encode(),
        ]
    )
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def make_token(
    secret: str, purpose: str, subscriber_id: int, email: str, *, issued: int | None = None
) -> str:
    """A token for ``purpose`` (``confirm`` or ``unsubscribe``) and one subscriber."""
    signature = _signature(secret, purpose, subscriber_id, email, issued)
    middle = "" if issued is None else f".{issued}"
    return f"{subscriber_id}{middle}.{signature}"


def parse_token(text: str | None) -> Token:
    """Split a token; :class:`TokenError` (400) when it cannot be one of ours."""
    match = _TOKEN.match((text or "").strip())
    if not match:
        raise TokenError("malformed token", status=400)
    issued = int(match.group(2)) if match.group(2) else None
    return Token(int(match.group(1)), issued, match.group(3))


def verify_token(
    secret: str,
    purpose: str,
    token: Token,
    email: str,
    *,
    now: float,
    max_age: float | None = None,
) -> None:
    """Raise :class:`TokenError` (403) unless ``token`` was made by us for this purpose/address."""
    expected = _signature(secret, purpose, token.subscriber_id, email, token.issued)
    if not hmac.compare_digest(expected, token.signature):
        raise TokenError("invalid signature")
    if max_age is not None:
        if token.issued is None:
            raise TokenError("token without a date")
        if now - token.issued > max_age:
            raise TokenError("expired")
