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
"""

from __future__ import annotations

import logging
import mimetypes
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote

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

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "web"
MAX_BODY = 16 * 1024
_TOKEN_IN_URL = re.compile(r"([?&])t=[^&\s\"]+")
PRIVATE_DIRS = {"outbox"}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
FEED_TYPES = {
    "feed.xml": "application/rss+xml; charset=utf-8",
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
}
PAGE_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("Referrer-Policy", "no-referrer"),  # the links carry tokens
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
]

MESSAGES: dict[str, dict[str, str]] = {
    "zh": {
        "subscribe_title": "订阅 {site}",
        "subscribe_intro": "每周一封邮件，汇总我们关注的主题的新文章。我们会先发一封确认邮件。",
        "email_label": "电子邮件地址",
        "name_label": "称呼（可选）",
        "topics_label": "主题（都不选 = 全部主题）",
        "subscribe_button": "订阅",
        "subscribe_note": "随时可以通过每封邮件底部的链接退订。",
        "invalid_email": "这个电子邮件地址不正确：{reason}",
        "check_inbox_title": "请查收确认邮件",
        "check_inbox": "如果 {email} 能收到邮件，一封确认邮件正在路上。请在 7 天内点击其中的链接。",
        "rate_limited_title": "请求过于频繁",
        "rate_limited": "来自你的网络地址的订阅请求太多了，请稍后再试。",
        "send_failed_title": "暂时无法发送",
        "send_failed": "现在无法发送确认邮件，请稍后再试。",
        "confirmed_title": "订阅成功",
        "confirmed": "{email} 将每周收到 {site}。",
        "confirm_gone": "这个确认链接已失效（之后已经退订）。如需订阅，请重新提交表单。",
        "expired": "这个确认链接已过期，请重新订阅。",
        "unsubscribe_title": "退订",
        "unsubscribe_question": "不再向 {email} 发送 {site}？",
        "unsubscribe_button": "确认退订",
        "unsubscribed_title": "已退订",
        "unsubscribed": "{email} 不会再收到 {site}。",
        "unsubscribe_help": "请使用每封邮件底部的个人退订链接。",
        "bad_link_title": "链接无效",
        "bad_link": "这个链接格式不对或已被修改。请直接使用邮件中的链接。",
        "not_found_title": "找不到页面",
        "not_found": "这里没有这个页面。",
        "bad_request_title": "请求无效",
        "bad_request": "无法处理这个请求。",
        "home": "返回首页",
        "confirm_subject": "请确认订阅 {site}",
        "confirm_greeting": "你好，",
        "confirm_body": "有人（希望是你）用这个地址订阅了 {site}。点击下面的链接确认订阅：",
        "confirm_button": "确认订阅",
        "confirm_ignore": "如果不是你本人的操作，请忽略这封邮件，你不会收到任何其他邮件。",
    },
    "en": {
        "subscribe_title": "Subscribe to {site}",
        "subscribe_intro": "One email a week with the new articles on our topics. "
        "We will send you a link to confirm first.",
        "email_label": "Email address",
        "name_label": "Name (optional)",
        "topics_label": "Topics (none checked = all topics)",
        "subscribe_button": "Subscribe",
        "subscribe_note": "Every email has a link to unsubscribe at the bottom.",
        "invalid_email": "This email address does not look right: {reason}",
        "check_inbox_title": "Check your inbox",
        "check_inbox": "If {email} can receive mail, a confirmation email is on its way. "
        "Please follow its link within 7 days.",
        "rate_limited_title": "Too many requests",
        "rate_limited": "Too many subscribe requests from your network address. "
        "Please try again later.",
        "send_failed_title": "Cannot send right now",
        "send_failed": "We could not send the confirmation email. Please try again later.",
        "confirmed_title": "You are subscribed",
        "confirmed": "{email} will receive {site} every week.",
        "confirm_gone": "This confirmation link is no longer valid (the address unsubscribed "
        "since). To subscribe, please use the form again.",
        "expired": "This confirmation link has expired. Please subscribe again.",
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_question": "Stop sending {site} to {email}?",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed_title": "You are unsubscribed",
        "unsubscribed": "{email} will not receive {site} any more.",
        "unsubscribe_help": "Please use the personal unsubscribe link at the bottom of any "
        "of our emails.",
        "bad_link_title": "Invalid link",
        "bad_link": "This link is malformed or has been altered. Please use the link from "
        "your email exactly as it is.",
        "not_found_title": "Not found",
        "not_found": "There is no such page here.",
        "bad_request_title": "Bad request",
        "bad_request": "This request cannot be handled.",
        "home": "Back to the front page",
        "confirm_subject": "Confirm your subscription to {site}",
        "confirm_greeting": "Hello,",
        "confirm_body": "Someone (we hope you) subscribed this address to {site}. "
        "Follow this link to confirm:",
        "confirm_button": "Confirm my subscription",
        "confirm_ignore": "If it was not you, ignore this email: you will get nothing else.",
    },
}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    client: str
    headers: dict[str, str]
    body: bytes = b""

    def arg(self, name: str) -> str:
        values = self.query.get(name)
        return values[0] if values else ""

    def form(self) -> dict[str, list[str]]:
        kind = self.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in ("", "application/x-www-form-urlencoded"):
            return {}
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


class SubscribeLimiter:
    """At most ``per_hour`` subscribe requests per client address in any hour (0 = off)."""

    def __init__(self, per_hour: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_hour = per_hour
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> tuple[bool, int]:
        """(allowed, seconds until the next request would be allowed)."""
        if self.per_hour <= 0:
            return True, 0
        now = self.clock()
        with self._lock:
            if len(self._hits) > 10000:  # forget idle addresses
                for key in [k for k, v in self._hits.items() if not v or v[-1] < now - 3600]:
                    del self._hits[key]
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - 3600:
                hits.popleft()
            if len(hits) >= self.per_hour:
                return False, int(hits[0] + 3600 - now) + 1
            hits.append(now)
            return True, 0


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
        response = self.message(405, "bad_request_title", self.t("bad_request"), error=True)
        response.headers.append(("Allow", allow))
        return response

    # ------------------------------------------------------------------ files

    def static(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return self.not_allowed("GET, HEAD")
        path = unquote(request.path, errors="strict") if "%" in request.path else request.path
        if "\0" in path or "\\" in path:
            return self.message(400, "bad_request_title", self.t("bad_request"), error=True)
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if ".." in parts:
            logger.warning("refused path traversal from %s: %r", request.client, request.path)
            return self.message(400, "bad_request_title", self.t("bad_request"), error=True)
        if any(p.startswith(".") for p in parts) or (parts and parts[0] in PRIVATE_DIRS):
            return self.message(404, "not_found_title", self.t("not_found"))
        target = self.out_dir.joinpath(*parts)
        try:
            resolved = target.resolve()
        except (OSError, RuntimeError):
            return self.message(404, "not_found_title", self.t("not_found"))
        if not resolved.is_relative_to(self.out_dir):
            return self.message(404, "not_found_title", self.t("not_found"))
        if resolved.is_dir():
            if parts and not path.endswith("/"):
                return Response(301, b"", [("Location", quote(path) + "/")])
            resolved = resolved / "index.html"
        if not resolved.is_file():
            return self.message(404, "not_found_title", self.t("not_found"))
        return self.file_response(resolved, request)

    def file_response(self, path: Path, request: Request) -> Response:
        stat = path.stat()
        modified = datetime.fromtimestamp(int(stat.st_mtime), UTC)
        headers = [
            ("Content-Type", content_type(path)),
            ("Last-Modified", format_datetime(modified, usegmt=True)),
            ("Cache-Control", "public, max-age=300"),
            ("X-Content-Type-Options", "nosniff"),
        ]
        since = request.headers.get("if-modified-since")
        if since:
            try:
                if parsedate_to_datetime(since) >= modified:
                    return Response(304, b"", headers)
            except (TypeError, ValueError):
                pass
        return Response(200, path.read_bytes(), headers)

    # ------------------------------------------------------------------ dispatch

    def handle(self, request: Request) -> Response:
        route = self.routes.get(request.path.rstrip("/") or "/")
        if route is None:
            return self.static(request)
        return route(request)


def content_type(path: Path) -> str:
    name = path.name.lower()
    if name in FEED_TYPES:
        return FEED_TYPES[name]
    if path.suffix.lower() in CONTENT_TYPES:
        return CONTENT_TYPES[path.suffix.lower()]
    guessed = mimetypes.guess_type(name)[0]
    return guessed or "application/octet-stream"


class Handler(BaseHTTPRequestHandler):
    server_version = "seedwire"
    sys_version = ""
    server: SeedwireServer

    def _dispatch(self) -> None:
        raw_path, _, query = self.path.partition("?")
        raw_path = raw_path.partition("#")[0]
        length = self.headers.get("Content-Length")
        body = b""
        app = self.server.app
        try:
            size = int(length) if length else 0
        except ValueError:
            size = -1
        if size < 0 or size > MAX_BODY:
            response = app.message(
                413 if size > 0 else 400, "bad_request_title", app.t("bad_request"), error=True
            )
            self.close_connection = True
        else:
            body = self.rfile.read(size) if size else b""
            request = Request(
                method=self.command,
                path=raw_path or "/",
                query=parse_qs(query, keep_blank_values=True),
                client=self.client_address[0],
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            try:
                response = app.handle(request)
            except UnicodeDecodeError:
                response = app.message(400, "bad_request_title", app.t("bad_request"), error=True)
            except Exception:
                logger.exception("error handling %s %s", self.command, raw_path)
                response = Response(
                    500, b"internal error\n", [("Content-Type", "text/plain; charset=utf-8")]
                )
        self.send_response(response.status)
        for key, value in response.headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.status != 304:
            self.wfile.write(response.body)

    do_GET = do_POST = do_HEAD = _dispatch

    def do_PUT(self) -> None:
        self._dispatch()

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        line = _TOKEN_IN_URL.sub(r"\1t=…", format % args)  # links carry tokens: keep them out
        logger.info("%s %s", self.address_string(), line)


class SeedwireServer(ThreadingHTTPServer):
    daemon_threads = True
    app: WebApp


def make_server(
    config: Config, host: str | None = None, port: int | None = None, **app_options: Any
) -> SeedwireServer:
    """A server bound to ``host:port`` (default ``web.host``/``web.port``; port 0 = any free)."""
    server = SeedwireServer(
        (host or config.web.host, config.web.port if port is None else port), Handler
    )
    server.app = WebApp(config, **app_options)
    return server
