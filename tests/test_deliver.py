"""Sending an issue to a real SMTP server on loopback: headers, retries, failures, resuming."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import types
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from delivery_support import (
    NOW,
    PERIOD,
    SECRET,
    Project,
    add_active,
    seedwire_command,
    store_issue,
)
from smtp_server import SMTPServer, password_check, self_signed, server_tls, smtp_server

from crawler import store
from crawler.store.digests import put_topic
from digest.deliver import DeliveryError, send_issue
from digest.mail import RateLimiter
from digest.tokens import SecretMissing, parse_token, verify_token

pytest_plugins = ["conftest_delivery"]

FAST = (0.01, 0.01)


def send(project: Project, **options: Any) -> Any:
    db = project.db()
    options.setdefault("backoff", FAST)
    return send_issue(db, project.config(), now=NOW, period=PERIOD, **options)


def rows(project: Project) -> dict[str, dict[str, Any]]:
    db = project.db()
    digest_id = db.execute("SELECT id FROM digests WHERE period = ?", [PERIOD]).fetchone()[0]
    return {r["email"]: r for r in store.list_deliveries(db, digest_id)}


def test_message_has_both_parts_list_headers_and_a_personal_link(
    mailed: Project, smtp: SMTPServer
) -> None:
    mailed.env["SEEDWIRE_EMAIL_UNSUBSCRIBE_MAILTO"] = "unsubscribe@news.example.org"
    db = mailed.db()
    store_issue(db, subject="Weekly #1: models\r\nBcc: evil@x")
    from digest.subscribers import add_subscriber

    add_subscriber(db, "Li Lei <li@Example.ORG>", now=NOW)
    report = send(mailed)
    assert report.sent == ["li@example.org"]
    [received] = smtp.handler.wait_for(1)
    assert received.recipients == ["li@example.org"]  # no injected Bcc recipient
    msg = received.message
    assert msg["Subject"] == "Weekly #1: models Bcc: evil@x"
    assert msg["Bcc"] is None
    assert msg["From"] == "Seedwire Weekly <digest@news.example.org>"
    assert msg["To"] == "Li Lei <li@example.org>"
    assert msg["Date"] and msg["Message-ID"].endswith("@news.example.org>")
    assert msg["List-Id"] == "Seedwire Weekly <seedwire-weekly.news.example.org>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = [part.strip() for part in msg["List-Unsubscribe"].split(",")]
    assert https.startswith("<https://news.example.org/unsubscribe?t=") and https.endswith(">")
    assert mailto == "<mailto:unsubscribe@news.example.org?subject=unsubscribe>"
    raw_header = received.data.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" not in raw_header.split(b"List-Unsubscribe:", 1)[1].split(b"List-")[0]
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    link = https[1:-1]
    assert f"Unsubscribe: {link}" in text
    assert f'href="{link}"' in html
    assert "%%UNSUBSCRIBE_URL%%" not in text + html
    token = parse_token(link.split("t=", 1)[1])
    verify_token(SECRET, "unsubscribe", token, "li@example.org", now=time.time())
    row = rows(mailed)["li@example.org"]
    assert row["status"] == "sent" and row["message_id"] == msg["Message-ID"] and row["sent"]


def test_451_then_250_is_delivered(mailed: Project, smtp: SMTPServer) -> None:
    db = mailed.db()
    store_issue(db)
    add_active(db, "bob@example.org")
    smtp.handler.answers["bob@example.org"] = ["451 4.7.1 greylisted, try again"]
    report = send(mailed)
    assert report.sent == ["bob@example.org"]
    assert smtp.handler.attempts["bob@example.org"] == 2
    assert len(smtp.handler.to("bob@example.org")) == 1
    assert rows(mailed)["bob@example.org"]["status"] == "sent"


def test_550_marks_failed_with_the_server_answer(mailed: Project, smtp: SMTPServer) -> None:
    db = mailed.db()
    store_issue(db)
    add_active(db, "ann@example.org", "eve@example.org")
    smtp.handler.always["eve@example.org"] = "550 5.1.1 mailbox unavailable"
    report = send(mailed)
    assert report.sent == ["ann@example.org"]
    assert report.failed == [("eve@example.org", "550 5.1.1 mailbox unavailable")]
    row = rows(mailed)["eve@example.org"]
    assert row["status"] == "failed" and "550 5.1.1 mailbox unavailable" in row["error"]
    assert smtp.handler.attempts["eve@example.org"] == 1  # permanent: no retry
    assert send(mailed).sent == []  # and not tried again


def test_persistent_4xx_stays_pending_for_the_next_run(mailed: Project, smtp: SMTPServer) -> None:
    db = mailed.db()
    store_issue(db)
    add_active(db, "slow@example.org")
    smtp.handler.answers["slow@example.org"] = ["452 4.2.2 mailbox full"] * 3
    report = send(mailed)
    assert report.deferred == [("slow@example.org", "452 4.2.2 mailbox full")]
    row = rows(mailed)["slow@example.org"]
    assert row["status"] == "pending" and "452" in row["error"] and row["attempts"] == 1
    assert send(mailed).sent == ["slow@example.org"]
    assert len(smtp.handler.received) == 1


def test_a_second_run_sends_nothing_twice(mailed: Project, smtp: SMTPServer) -> None:
    db = mailed.db()
    store_issue(db)
    add_active(db, "a@example.org", "b@example.org")
    assert len(send(mailed).sent) == 2
    add_active(db, "c@example.org")  # subscribed since: gets it, the others do not
    again = send(mailed)
    assert again.sent == ["c@example.org"] and again.already_sent == 2
    assert sorted(r.recipients[0] for r in smtp.handler.received) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]


def test_topics_decide_who_gets_the_issue(mailed: Project, smtp: SMTPServer) -> None:
    db = mailed.db()
    store_issue(db, topics=["ai", "robots"])
    put_topic(db, "climate", now=NOW)
    add_active(db, "all@example.org")
    add_active(db, "ai@example.org", topics=["ai"])
    add_active(db, "climate@example.org", topics=["climate"])
    add_active(db, "both@example.org", topics=["climate", "robots"])
    report = send(mailed)
    assert sorted(report.sent) == ["ai@example.org", "all@example.org", "both@example.org"]


def test_unsubscribed_and_pending_get_nothing(mailed: Project, smtp: SMTPServer) -> None:
    from digest.subscribers import add_subscriber, remove_subscriber

    db = mailed.db()
    store_issue(db)
    add_active(db, "stay@example.org", "leave@example.org")
    add_subscriber(db, "new@example.org", now=NOW, status="pending")
    remove_subscriber(db, "leave@example.org", now=NOW)
    assert send(mailed).sent == ["stay@example.org"]


def test_a_dead_server_leaves_deliveries_pending(project: Project) -> None:
    db = project.db()
    store_issue(db)
    add_active(db, "a@example.org", "b@example.org")
    with pytest.raises(DeliveryError) as caught:
        send(project)
    message = str(caught.value)
    assert "cannot connect to SMTP server 127.0.0.1:1" in message
    assert "2 deliveries of 2026-W47 left pending" in message
    assert {r["status"] for r in rows(project).values()} == {"pending"}


def test_the_cli_says_clearly_when_the_server_is_down(project: Project) -> None:
    db = project.db()
    store_issue(db)
    add_active(db, "a@example.org")
    done = subprocess.run(
        seedwire_command("digest", "send", "--period", PERIOD, "--now", NOW.isoformat()),
        cwd=project.root,
        env=project.process_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Error: cannot connect to SMTP server 127.0.0.1:1" in done.stderr
    assert "Traceback" not in done.stderr
    assert rows(project)["a@example.org"]["status"] == "pending"


def test_a_killed_sender_resumes_and_nobody_gets_it_twice(
    mailed: Project, smtp: SMTPServer
) -> None:
    db = mailed.db()
    store_issue(db)
    everyone = [f"r{i}@example.org" for i in range(6)]
    add_active(db, *everyone)
    smtp.handler.delay = 0.5  # recorded, then 0.5 s before the 250
    command = seedwire_command("digest", "send", "--period", PERIOD, "--now", NOW.isoformat())
    proc = subprocess.Popen(
        command,
        cwd=mailed.root,
        env=mailed.process_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        smtp.handler.wait_for(3, timeout=30)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    # the 3rd message arrived but the sender died before hearing the 250
    before = rows(mailed)
    assert (
        sorted(r["status"] for r in before.values()) == ["pending"] * 3 + ["sending"] + ["sent"] * 2
    )
    smtp.handler.delay = 0.0
    rerun = subprocess.run(
        command,
        cwd=mailed.root,
        env=mailed.process_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert "3 sent now, 2 sent before" in rerun.stdout
    assert "1 deliveries were interrupted by a crash while sending" in rerun.stderr
    received = [r.recipients[0] for r in smtp.handler.received]
    assert sorted(received) == sorted(everyone)  # each exactly once
    uncertain = [email for email, row in rows(mailed).items() if row["status"] == "sending"]
    assert len(uncertain) == 1
    # the operator checked the server's log: it arrived
    marked = send(mailed, uncertain="sent")
    assert marked.resolved == 1 and marked.sent == []
    assert {r["status"] for r in rows(mailed).values()} == {"sent"}


def test_resending_an_uncertain_delivery_keeps_its_message_id(
    mailed: Project, smtp: SMTPServer
) -> None:
    db = mailed.db()
    digest = store_issue(db)
    add_active(db, "maybe@example.org")
    subscriber = store.get_subscriber(db, "maybe@example.org")
    store.create_deliveries(db, digest["id"], [subscriber["id"]], NOW)
    [row] = store.list_deliveries(db, digest["id"])
    store.claim_delivery(db, row["id"], "<kept.1@news.example.org>", NOW)  # then a crash
    report = send(mailed)
    assert report.uncertain == ["maybe@example.org"] and report.sent == []
    assert smtp.handler.received == []
    report = send(mailed, uncertain="resend")
    assert report.sent == ["maybe@example.org"]
    assert smtp.handler.received[0].message["Message-ID"] == "<kept.1@news.example.org>"


def test_dry_run_writes_eml_files_and_changes_no_delivery(project: Project) -> None:
    db = project.db()
    store_issue(db)
    add_active(db, "a@example.org", "b@example.org")
    report = send(project, dry_run=True)
    outbox = project.config().out_dir / "outbox" / PERIOD
    assert report.outbox == outbox and len(report.files) == 2
    assert sorted(p.name for p in outbox.glob("*.eml")) == [
        "0001-a@example.org.eml",
        "0002-b@example.org.eml",
    ]
    import email
    from email.policy import default

    msg = email.message_from_bytes(report.files[0].read_bytes(), policy=default)
    assert msg["To"] == "a@example.org" and msg["List-Unsubscribe-Post"]
    assert rows(project) == {}


def test_the_issue_is_built_when_missing(
    mailed: Project, smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def build_issue(
        db: Any, config: Any, *, period: str | None = None, now: datetime, **rest: Any
    ) -> Any:
        calls.append({"period": period, "now": now})
        store_issue(db, period=period or PERIOD)
        return types.SimpleNamespace(period=period)

    monkeypatch.setitem(sys.modules, "digest.build", types.SimpleNamespace(build_issue=build_issue))
    add_active(mailed.db(), "a@example.org")
    report = send_issue(mailed.db(), mailed.config(), now=NOW)  # default: last complete week
    assert calls == [{"period": PERIOD, "now": NOW}]
    assert report.built and report.sent == ["a@example.org"]
    assert send_issue(mailed.db(), mailed.config(), now=NOW).built is False
    assert len(calls) == 1


def test_an_empty_period_sends_nothing(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        sys.modules, "digest.build", types.SimpleNamespace(build_issue=lambda *a, **k: None)
    )
    add_active(project.db(), "a@example.org")
    report = send_issue(project.db(), project.config(), now=NOW)
    assert report.empty and report.sent == []


def test_sending_needs_a_secret(project: Project) -> None:
    db = project.db()
    store_issue(db)
    with pytest.raises(SecretMissing, match="SEEDWIRE_SECRET"):
        send_issue(db, project.config(SEEDWIRE_SECRET=""), now=NOW, period=PERIOD)


def test_the_rate_limit_spaces_messages_evenly() -> None:
    clock = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        clock[0] += seconds

    limiter = RateLimiter(120, sleep=sleep, clock=lambda: clock[0])
    for _ in range(4):
        limiter.wait()
    assert slept == [0.5, 0.5, 0.5]


def test_the_configured_rate_applies_to_a_run(mailed: Project, smtp: SMTPServer) -> None:
    db = mailed.db()
    store_issue(db)
    add_active(db, "a@example.org", "b@example.org", "c@example.org")
    mailed.env["SEEDWIRE_EMAIL_RATE_PER_MINUTE"] = "300"  # one every 0.2 s
    slept: list[float] = []
    send(mailed, sleep=lambda s: (slept.append(s), time.sleep(s)))
    assert len(slept) == 2 and all(0.1 < s <= 0.2 for s in slept)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_uses_the_password_from_the_environment(project: Project) -> None:
    auth = {
        "authenticator": password_check("digest", "s3cret"),
        "auth_required": True,
        "auth_require_tls": False,
    }
    with smtp_server(**auth) as server:
        project.env.update(
            {
                "SEEDWIRE_EMAIL_SMTP_PORT": str(server.port),
                "SEEDWIRE_EMAIL_SMTP_USER": "digest",
            }
        )
        db = project.db()
        store_issue(db)
        add_active(db, "a@example.org")
        with pytest.raises(DeliveryError, match="SEEDWIRE_SMTP_PASSWORD is not"):
            send(project)
        project.env["SEEDWIRE_SMTP_PASSWORD"] = "wrong"
        with pytest.raises(DeliveryError, match="refused the login of 'digest': 535"):
            send(project)
        project.env["SEEDWIRE_SMTP_PASSWORD"] = "s3cret"
        assert send(project).sent == ["a@example.org"]
        assert len(server.handler.wait_for(1)) == 1


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_is_verified(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, security: str
) -> None:
    cert, key = self_signed(tmp_path)
    context = server_tls(cert, key)
    options = (
        {"tls_context": context, "require_starttls": True}
        if security == "starttls"
        else {"ssl_context": context}
    )
    with smtp_server(**options) as server:
        project.env.update(
            {"SEEDWIRE_EMAIL_SMTP_PORT": str(server.port), "SEEDWIRE_EMAIL_SMTP_SECURITY": security}
        )
        db = project.db()
        store_issue(db)
        add_active(db, "a@example.org")
        monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "nothing.pem"))
        with pytest.raises(DeliveryError, match="CERTIFICATE_VERIFY_FAILED|certificate verify"):
            send(project)  # an untrusted certificate is refused: no plaintext fallback
        assert server.handler.received == []
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        assert send(project).sent == ["a@example.org"]
        assert len(server.handler.wait_for(1)) == 1
