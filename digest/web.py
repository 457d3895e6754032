"""``seedwire serve``: the archive and feeds from ``out/``, plus subscribe and unsubscribe.

Routes: ``GET|POST /subscribe`` (form → pending subscriber → confirmation email with a signed
``/confirm?t=…`` link), ``GET /confirm`` (activates), ``GET /unsubscribe`` (a page with a
button), ``POST /unsubscribe`` (unsubscribes; RFC 8058 one-click POSTs from mail providers
work without the page), ``GET /healthz``, and every other ``GET``/``HEAD`` is a file from
``out/`` (never ``out/outbox/``, dot files or anything outside ``out/``).

Why the standard library (``http.server.ThreadingHTTPServer`` and a dozen-line router) rather
than a web framework: there are four routes and static files, no sessions, no JSON API; a
framework would be one more dependency to install, audit and keep up to date for that. The
app is meant to sit behind a reverse proxy (TLS, compression, access logs); if it ever grows
sessions or many routes, the handlers are plain functions of a request and easy to move.
Pages come from ``templates/web/*.j2`` (Jinja2, autoescaped) in the configured language.

The pieces: the page handlers, the route table and :func:`make_server` here; the words of the
pages in :mod:`digest.webtext`; the files from ``out/`` in :mod:`digest.webstatic`; requests,
responses, the HTTP handler and the server in :mod:`digest.webhttp`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from crawler.config import Config
from crawler.store import connect, get_subscriber_by_id, list_topics, open_db
from crawler.timeparse import parse_iso
from digest.mail import DeliveryError, compose, new_message_id, send_single, site_url
from digest.subscribers import (
    SubscriberError,
    confirm_subscriber,
    parse_topics,
    request_subscription,
    unsubscribe_subscriber,
)
from digest.tokens import (
    CONFIRM_MAX_AGE,
    TokenError,
    make_token,
    parse_token,
    require_secret,
    verify_token,
)
from digest.webhttp import (
    MAX_BODY,
    Handler,
    Request,
    Response,
    SeedwireServer,
    SubscribeLimiter,
)
from digest.webstatic import CONTENT_TYPES, FEED_TYPES, PRIVATE_DIRS, content_type, serve_static
from digest.webtext import MESSAGES

logger = logging.getLogger(__name__)

__all__ = [
    "CONTENT_TYPES",
    "FEED_TYPES",
    "MAX_BODY",
    "MESSAGES",
    "PAGE_HEADERS",
    "PRIVATE_DIRS",
    "TEMPLATES",
    "Handler",
    "Request",
    "Response",
    "SeedwireServer",
    "SubscribeLimiter",
    "WebApp",
    "content_type",
    "make_server",
]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "web"
PAGE_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("Referrer-Policy", "no-referrer"),  # the links carry tokens
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
]


class WebApp:
    """The request handlers; :func:`make_server` puts them behind ``ThreadingHTTPServer``."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Callable[[], datetime] | None = None,
        send: Callable[[Config, Any], None] = send_single,
    ) -> None:
        self.config = config
        self.secret = require_secret(config)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.send = send
        self.limiter = SubscribeLimiter(config.web.subscribe_per_hour)
        self.out_dir = config.out_dir.resolve()
        self.messages = MESSAGES.get(config.site.language, MESSAGES["en"])
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=lambda name: bool(name and ".html" in name),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        open_db(config.db_path).conn.close()  # migrate once, before any request
        self.routes: dict[str, Callable[[Request], Response]] = {
            "/subscribe": self.subscribe,
            "/confirm": self.confirm,
            "/unsubscribe": self.unsubscribe,
            "/healthz": self.healthz,
        }

    # ------------------------------------------------------------------ helpers

    def t(self, key: str, **values: Any) -> str:
        values.setdefault("site", self.config.site.title)
        return self.messages[key].format(**values)

    def page(self, status: int, template: str, title: str, **values: Any) -> Response:
        html = self.env.get_template(template).render(
            lang=self.config.site.language,
            title=title,
            site_title=self.config.site.title,
            home=site_url(self.config, ""),
            **values,
        )
        headers = [("Content-Type", "text/html; charset=utf-8"), *PAGE_HEADERS]
        return Response(status, html.encode("utf-8"), headers)

    def message(
        self, status: int, title_key: str, *paragraphs: str, error: bool = False
    ) -> Response:
        return self.page(
            status,
            "message.html.j2",
            self.t(title_key),
            paragraphs=list(paragraphs),
            error=error,
            link=site_url(self.config, ""),
            link_text=self.t("home"),
        )

    def db(self) -> Any:
        return connect(self.config.db_path)

    def _subscriber_for(self, raw: str, purpose: str, db: Any) -> tuple[Any, dict[str, Any]]:
        """(token, subscriber) for a link, or :class:`TokenError`."""
        token = parse_token(raw)
        subscriber = get_subscriber_by_id(db, token.subscriber_id)
        if subscriber is None:
            raise TokenError("unknown subscriber")
        verify_token(
            self.secret,
            purpose,
            token,
            subscriber["email"],
            now=self.clock().timestamp(),
            max_age=CONFIRM_MAX_AGE if purpose == "confirm" else None,
        )
        return token, subscriber

    def bad_request(self, status: int) -> Response:
        return self.message(status, "bad_request_title", self.t("bad_request"), error=True)

    def error_page(self, status: int) -> Response:
        """The page for a refused file: 404 not found, 405 not allowed, else a bad request."""
        if status == 404:
            return self.message(404, "not_found_title", self.t("not_found"))
        if status == 405:
            return self.not_allowed("GET, HEAD")
        return self.bad_request(status)

    def bad_token(self, exc: TokenError) -> Response:
        logger.info("refused a link: %s", exc)
        text = self.t("expired") if str(exc) == "expired" else self.t("bad_link")
        return self.message(exc.status, "bad_link_title", text, error=True)

    # ------------------------------------------------------------------ routes

    def healthz(self, request: Request) -> Response:
        return Response(200, b"ok\n", [("Content-Type", "text/plain; charset=utf-8")])

    def _topics(self, db: Any, checked: list[str]) -> list[dict[str, Any]]:
        return [
            {"slug": t["slug"], "name": t["name"], "checked": t["slug"] in checked}
            for t in list_topics(db)
        ]

    def subscribe_form(
        self,
        db: Any,
        *,
        status: int = 200,
        error: str = "",
        email: str = "",
        name: str = "",
        checked: list[str] | None = None,
    ) -> Response:
        return self.page(
            status,
            "subscribe.html.j2",
            self.t("subscribe_title"),
            intro=self.t("subscribe_intro"),
            error=error,
            action="subscribe",
            email=email,
            name=name,
            email_label=self.t("email_label"),
            name_label=self.t("name_label"),
            topics_label=self.t("topics_label"),
            topics=self._topics(db, checked or []),
            button=self.t("subscribe_button"),
            note=self.t("subscribe_note"),
        )

    def subscribe(self, request: Request) -> Response:
        db = self.db()
        try:
            if request.method != "POST":
                return self.subscribe_form(db)
            allowed, retry = self.limiter.allow(request.client)
            if not allowed:
                logger.warning("subscribe rate limit reached for %s", request.client)
                response = self.message(
                    429, "rate_limited_title", self.t("rate_limited"), error=True
                )
                response.headers.append(("Retry-After", str(retry)))
                return response
            form = request.form()
            email = (form.get("email") or [""])[0].strip()
            name = (form.get("name") or [""])[0].strip()
            picked = form.get("topic") or []
            try:
                topics = parse_topics(picked)
                subscriber, confirm = request_subscription(
                    db, email, now=self.clock(), name=name or None, topics=topics
                )
            except SubscriberError as exc:
                return self.subscribe_form(
                    db,
                    status=400,
                    error=self.t("invalid_email", reason=str(exc)),
                    email=email,
                    name=name,
                    checked=picked,
                )
            if confirm:
                try:
                    self.send_confirmation(subscriber)
                except DeliveryError as exc:
                    logger.error("confirmation email to %s not sent: %s", subscriber["email"], exc)
                    return self.message(503, "send_failed_title", self.t("send_failed"), error=True)
            return self.message(
                200, "check_inbox_title", self.t("check_inbox", email=subscriber["email"])
            )
        finally:
            db.conn.close()

    def send_confirmation(self, subscriber: dict[str, Any]) -> None:
        now = self.clock()
        token = make_token(
            self.secret,
            "confirm",
            subscriber["id"],
            subscriber["email"],
            issued=int(now.timestamp()),
        )
        link = site_url(self.config, f"confirm?t={token}")
        values = {
            "lang": self.config.site.language,
            "subject": self.t("confirm_subject"),
            "greeting": self.t("confirm_greeting"),
            "body": self.t("confirm_body"),
            "button": self.t("confirm_button"),
            "ignore": self.t("confirm_ignore"),
            "link": link,
        }
        msg = compose(
            self.config,
            to=subscriber["email"],
            name=subscriber.get("name"),
            subject=self.t("confirm_subject"),
            text=self.env.get_template("confirm_email.txt.j2").render(**values),
            html=self.env.get_template("confirm_email.html.j2").render(**values),
            now=now,
            message_id=new_message_id(self.config, "confirm"),
            headers=[("Auto-Submitted", "auto-generated")],
        )
        self.send(self.config, msg)
        logger.info("confirmation email sent to %s", subscriber["email"])

    def confirm(self, request: Request) -> Response:
        if request.method == "HEAD":  # link checkers: nothing is confirmed without a GET
            return Response(200, b"", [("Content-Type", "text/html; charset=utf-8"), *PAGE_HEADERS])
        if request.method != "GET":
            return self.not_allowed("GET, HEAD")
        db = self.db()
        try:
            try:
                token, subscriber = self._subscriber_for(request.arg("t"), "confirm", db)
            except TokenError as exc:
                return self.bad_token(exc)
            left = parse_iso(subscriber.get("unsubscribed"))
            if (
                subscriber["status"] == "unsubscribed"
                and left
                and token.issued is not None
                and (left.timestamp() >= token.issued)
            ):
                return self.message(403, "bad_link_title", self.t("confirm_gone"), error=True)
            confirm_subscriber(db, subscriber["id"], now=self.clock())
            return self.message(
                200, "confirmed_title", self.t("confirmed", email=subscriber["email"])
            )
        finally:
            db.conn.close()

    def unsubscribe(self, request: Request) -> Response:
        raw = request.arg("t")
        if request.method == "POST" and not raw:
            raw = (request.form().get("t") or [""])[0]
        if not raw:
            return self.message(200, "unsubscribe_title", self.t("unsubscribe_help"))
        db = self.db()
        try:
            try:
                token, subscriber = self._subscriber_for(raw, "unsubscribe", db)
            except TokenError as exc:
                return self.bad_token(exc)
            email = subscriber["email"]
            if request.method == "POST":
                if unsubscribe_subscriber(db, subscriber["id"], now=self.clock()):
                    logger.info("%s unsubscribed", email)
                return self.message(200, "unsubscribed_title", self.t("unsubscribed", email=email))
            if subscriber["status"] == "unsubscribed":
                return self.message(200, "unsubscribed_title", self.t("unsubscribed", email=email))
            return self.page(
                200,
                "unsubscribe.html.j2",
                self.t("unsubscribe_title"),
                question=self.t("unsubscribe_question", email=email),
                action=f"unsubscribe?t={quote(raw, safe='.-_')}",
                token=raw,
                button=self.t("unsubscribe_button"),
            )
        finally:
            db.conn.close()

    def not_allowed(self, allow: str) -> Response:
        response = self.bad_request(405)
        response.headers.append(("Allow", allow))
        return response

    # ------------------------------------------------------------------ files

    def static(self, request: Request) -> Response:
        return serve_static(request, self.out_dir, self.error_page)

    # ------------------------------------------------------------------ dispatch

    def handle(self, request: Request) -> Response:
        route = self.routes.get(request.path.rstrip("/") or "/")
        if route is None:
            return self.static(request)
        return route(request)


def make_server(
    config: Config, host: str | None = None, port: int | None = None, **app_options: Any
) -> SeedwireServer:
    """A server bound to ``host:port`` (default ``web.host``/``web.port``; port 0 = any free)."""
    server = SeedwireServer(
        (host or config.web.host, config.web.port if port is None else port), Handler
    )
    server.app = WebApp(config, **app_options)
    return server
