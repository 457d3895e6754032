"""`seedwire serve` through a real HTTP client: subscribe, confirm, unsubscribe, files."""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from delivery_support import NOW, PERIOD, SECRET, Project, add_active, store_issue
from smtp_server import SMTPServer

from crawler import store
from crawler.config import Config
from crawler.store.digests import put_topic
from digest.cli import main
from digest.deliver import send_issue
from digest.tokens import SecretMissing, make_token
from digest.web import make_server

pytest_plugins = ["conftest_delivery"]

PUBLIC = "https://news.example.org/"


@dataclass
class Site:
    base: str
    config: Config
    project: Project

    def local(self, url: str) -> str:
        """A link from an email (site.base_url) → the test server."""
        return url.replace(PUBLIC, self.base)


def fetch(
    url: str,
    data: dict[str, Any] | bytes | None = None,
    *,
    method: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Message, str]:
    body = urlencode(data, doseq=True).encode() if isinstance(data, dict) else data
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except HTTPError as error:
        return error.code, error.headers, error.read().decode()


def raw_get(site: Site, path: str) -> tuple[int, bytes]:
    """A request line sent as is (urllib would normalise some paths)."""
    host, port = site.base.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def serve(project: Project, **env: str) -> Iterator[Site]:
    config = project.config(**env)
    out = config.out_dir
    (out / "2026-W47").mkdir(parents=True)
    (out / "index.html").write_text("<h1>Archive</h1>", encoding="utf-8")
    (out / "feed.xml").write_text("<rss version='2.0'></rss>", encoding="utf-8")
    (out / "atom.xml").write_text("<feed/>", encoding="utf-8")
    (out / "style.css").write_text("body{}", encoding="utf-8")
    (out / "2026-W47" / "index.html").write_text("<p>issue 1</p>", encoding="utf-8")
    (out / ".hidden").write_text("hidden", encoding="utf-8")
    (out / "outbox" / PERIOD).mkdir(parents=True)
    (out / "outbox" / PERIOD / "0001-a@example.org.eml").write_text("token!", encoding="utf-8")
    (project.root / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    server = make_server(config, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}/", config, project)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(mailed: Project) -> Iterator[Site]:
    yield from serve(mailed, SEEDWIRE_WEB_SUBSCRIBE_PER_HOUR="3")


def test_subscribe_confirm_by_email_link(site: Site, smtp: SMTPServer) -> None:
    put_topic(site.project.db(), "ai", now=NOW, name="Artificial intelligence")
    status, headers, page = fetch(site.base + "subscribe")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<form method="post" action="subscribe">' in page
    assert 'value="ai"' in page and "Artificial intelligence" in page
    form = {"email": "New.Reader@Example.org", "name": "New", "topic": ["ai"]}
    status, _, page = fetch(site.base + "subscribe", form)
    assert status == 200 and "Check your inbox" in page and "New.Reader@example.org" in page
    row = store.get_subscriber(site.project.db(), "New.Reader@example.org")
    assert row is not None and row["status"] == "pending" and row["topics"] == ["ai"]
    [mail] = smtp.handler.wait_for(1)
    msg = mail.message
    assert mail.recipients == ["New.Reader@example.org"]
    assert msg["Subject"] == "Confirm your subscription to Seedwire Weekly"
    text = msg.get_body(("plain",)).get_content()
    [link] = re.findall(r"https://news\.example\.org/confirm\?t=\S+", text)
    assert link in msg.get_body(("html",)).get_content()
    status, _, page = fetch(site.local(link))
    assert status == 200 and "You are subscribed" in page
    row = store.get_subscriber(site.project.db(), "New.Reader@example.org")
    assert row is not None and row["status"] == "active" and row["confirmed"]
    status, _, page = fetch(site.local(link))  # a second click changes nothing
    assert status == 200 and "You are subscribed" in page


def test_subscribing_an_active_address_sends_nothing_and_says_the_same(
    site: Site, smtp: SMTPServer
) -> None:
    add_active(site.project.db(), "li@example.org")
    status, _, page = fetch(site.base + "subscribe", {"email": "li@example.org"})
    assert status == 200 and "Check your inbox" in page
    time.sleep(0.2)
    assert smtp.handler.received == []


def test_a_bad_address_shows_the_form_again_escaped(site: Site) -> None:
    status, _, page = fetch(site.base + "subscribe", {"email": "<script>@x", "name": "<b>"})
    assert status == 400 and "does not look right" in page
    assert "<script>" not in page and "&lt;script&gt;@x" in page


def test_subscribe_is_rate_limited_per_address(site: Site) -> None:
    for _ in range(3):
        status, _, _ = fetch(site.base + "subscribe", {"email": "not-an-address"})
        assert status == 400
    status, headers, page = fetch(site.base + "subscribe", {"email": "late@example.org"})
    assert status == 429 and "Too many requests" in page
    assert 0 < int(headers["Retry-After"]) <= 3600
    assert store.get_subscriber(site.project.db(), "late@example.org") is None
    assert fetch(site.base + "subscribe")[0] == 200  # the form itself is not limited


def test_unsubscribe_page_then_post(site: Site) -> None:
    db = site.project.db()
    add_active(db, "li@example.org")
    row = store.get_subscriber(db, "li@example.org")
    token = make_token(SECRET, "unsubscribe", row["id"], row["email"])
    url = f"{site.base}unsubscribe?t={token}"
    status, headers, page = fetch(url)
    assert status == 200 and "Stop sending Seedwire Weekly to li@example.org?" in page
    assert f'<form method="post" action="unsubscribe?t={token}">' in page
    assert headers["Referrer-Policy"] == "no-referrer"
    assert store.get_subscriber(db, "li@example.org")["status"] == "active"  # GET changes nothing
    status, _, page = fetch(url, {"t": token})
    assert status == 200 and "You are unsubscribed" in page
    assert store.get_subscriber(db, "li@example.org")["status"] == "unsubscribed"
    assert fetch(url, {"t": token})[0] == 200  # idempotent
    assert "You are unsubscribed" in fetch(url)[2]


def test_one_click_unsubscribe_from_a_sent_issue(site: Site, smtp: SMTPServer) -> None:
    db = site.project.db()
    store_issue(db)
    add_active(db, "li@example.org", "ann@example.org")
    send_issue(db, site.project.config(), now=NOW, period=PERIOD)
    by_rcpt = {m.recipients[0]: m.message for m in smtp.handler.wait_for(2)}
    header = by_rcpt["li@example.org"]["List-Unsubscribe"]
    [link] = re.findall(r"<(https://[^>]+)>", header)
    for kind in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        body = (
            b"List-Unsubscribe=One-Click"
            if kind.startswith("application")
            else (
                b'--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n'
                b"One-Click\r\n--x--\r\n"
            )
        )
        status, _, _ = fetch(site.local(link), body, headers={"Content-Type": kind})
        assert status == 200
    assert store.get_subscriber(db, "li@example.org")["status"] == "unsubscribed"
    assert store.get_subscriber(db, "ann@example.org")["status"] == "active"


def test_forged_and_altered_tokens_are_refused(site: Site) -> None:
    db = site.project.db()
    add_active(db, "li@example.org", "ann@example.org")
    li = store.get_subscriber(db, "li@example.org")
    ann = store.get_subscriber(db, "ann@example.org")
    good = make_token(SECRET, "unsubscribe", li["id"], li["email"])
    altered = good[:-1] + ("A" if good[-1] != "A" else "B")
    other_person = f"{ann['id']}.{good.split('.', 1)[1]}"
    wrong_secret = make_token("another-secret-entirely-000", "unsubscribe", li["id"], li["email"])
    for token in (altered, other_person, wrong_secret):
        for method_data in (None, {"t": token}):
            status, _, page = fetch(f"{site.base}unsubscribe?t={token}", method_data)
            assert status == 403 and "Invalid link" in page
    status, _, page = fetch(f"{site.base}unsubscribe?t=garbage")
    assert status == 400 and "Invalid link" in page
    status, _, _ = fetch(f"{site.base}confirm?t={good}")  # an unsubscribe token cannot confirm
    assert status in (400, 403)
    missing = make_token(SECRET, "unsubscribe", 999, "ghost@example.org")
    assert fetch(f"{site.base}unsubscribe?t={missing}")[0] == 403
    assert {
        store.get_subscriber(db, e)["status"] for e in ("li@example.org", "ann@example.org")
    } == {"active"}


def test_confirm_links_expire_and_die_with_an_unsubscribe(site: Site) -> None:
    from digest.subscribers import request_subscription, unsubscribe_subscriber

    db = site.project.db()
    row, _ = request_subscription(db, "late@example.org", now=NOW)
    old = make_token(
        SECRET, "confirm", row["id"], row["email"], issued=int(time.time()) - 8 * 86400
    )
    status, _, page = fetch(f"{site.base}confirm?t={old}")
    assert status == 403 and "expired" in page
    issued = int(time.time()) - 60
    token = make_token(SECRET, "confirm", row["id"], row["email"], issued=issued)
    unsubscribe_subscriber(db, row["id"], now=datetime.now(UTC))
    status, _, page = fetch(f"{site.base}confirm?t={token}")
    assert status == 403 and "no longer valid" in page
    assert store.get_subscriber(db, "late@example.org")["status"] == "unsubscribed"


def test_files_from_out_with_their_types(site: Site) -> None:
    expected = {
        "": ("text/html; charset=utf-8", "<h1>Archive</h1>"),
        "feed.xml": ("application/rss+xml; charset=utf-8", "<rss"),
        "atom.xml": ("application/atom+xml; charset=utf-8", "<feed/>"),
        "style.css": ("text/css; charset=utf-8", "body{}"),
        "2026-W47/": ("text/html; charset=utf-8", "issue 1"),
    }
    for path, (kind, text) in expected.items():
        status, headers, body = fetch(site.base + path)
        assert (status, headers["Content-Type"]) == (200, kind) and text in body
        assert headers["Last-Modified"]
    status, _, body = fetch(site.base + "2026-W47")  # redirected to the folder
    assert status == 200 and "issue 1" in body
    status, headers, _ = fetch(
        site.base + "feed.xml", headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}
    )
    assert status == 304
    assert fetch(site.base + "feed.xml", method="HEAD")[0] == 200
    assert fetch(site.base + "missing.html")[0] == 404
    assert fetch(site.base + ".hidden")[0] == 404
    status, _, body = fetch(site.base + f"outbox/{PERIOD}/0001-a@example.org.eml")
    assert status == 404 and "token!" not in body
    assert fetch(site.base + "feed.xml", b"x=1")[0] == 405
    assert fetch(site.base + "healthz")[2] == "ok\n"


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/2026-W47/../../secret.txt",
        "/..%2fsecret.txt",
        "/%2E%2E%2Fsecret.txt",
        "//../secret.txt",
        "/2026-W47/%00",
        "/..\\secret.txt",
    ],
)
def test_path_traversal_is_refused(site: Site, path: str) -> None:
    status, body = raw_get(site, path)
    assert status in (400, 404)
    assert b"TOP SECRET" not in body


def test_pages_speak_the_configured_language(project: Project) -> None:
    for current in serve(project, SEEDWIRE_SITE_LANGUAGE="zh"):
        status, _, page = fetch(current.base + "subscribe")
        assert status == 200 and '<html lang="zh">' in page and "订阅 Seedwire Weekly" in page


def test_subscribe_with_the_smtp_server_down_says_try_later(project: Project) -> None:
    for current in serve(project):  # SMTP port 1: nothing listens
        status, _, page = fetch(current.base + "subscribe", {"email": "li@example.org"})
        assert status == 503 and "try again later" in page


def test_serve_needs_a_secret(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SecretMissing):
        make_server(project.config(SEEDWIRE_SECRET=""), "127.0.0.1", 0)
    monkeypatch.chdir(project.root)
    env = {**project.env, "SEEDWIRE_SECRET": ""}
    result = CliRunner().invoke(main, ["serve", "--port", "0"], env=env)
    assert result.exit_code == 1 and "Error: no secret configured: set SEEDWIRE_SECRET" in (
        result.output
    )
