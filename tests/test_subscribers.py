"""Subscribers: address checks, statuses, topics, CSV import, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from delivery_support import NOW, Project

from crawler import store
from crawler.store.digests import put_topic
from digest.cli import main
from digest.subscribers import (
    SubscriberError,
    add_subscriber,
    import_subscribers,
    normalize_email,
    parse_address,
    remove_subscriber,
    request_subscription,
)

pytest_plugins = ["conftest_delivery"]


def cli(project: Project, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=project.env, catch_exceptions=False)


@pytest.fixture
def chdir_project(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.chdir(project.root)
    return project


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Li.Lei@Example.ORG  ", "Li.Lei@example.org"),
        ("a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"),
        ("li@例子.中国", "li@xn--fsqu00a.xn--fiqs8s"),
        ("wang@Bücher.example", "wang@xn--bcher-kva.example"),
        ("x@example.org.", "x@example.org"),
    ],
)
def test_addresses_are_normalised(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "empty"),
        ("no-at-sign.example.org", "one @"),
        ("a@b@example.org", "one @"),
        ("a@localhost", "needs a dot"),
        ("a..b@example.org", "invalid characters"),
        (".a@example.org", "invalid characters"),
        ("a b@example.org", "invalid characters"),
        ("张三@example.org", "non-ASCII"),
        ("a@-bad-.example.org", "invalid domain"),
        ("a@example.123", "invalid domain"),
        ("a@example.org\r\nBcc: evil@x.org", "control characters"),
        ("x" * 65 + "@example.org", "1 to 64"),
    ],
)
def test_bad_addresses_are_refused_with_a_reason(raw: str, why: str) -> None:
    with pytest.raises(SubscriberError, match=why):
        normalize_email(raw)


def test_display_names_are_kept_apart() -> None:
    assert parse_address('"Li, Lei" <li@Example.org>') == ("li@example.org", "Li, Lei")
    assert parse_address("li@example.org") == ("li@example.org", None)


def test_add_update_and_resubscribe_rules(project: Project) -> None:
    db = project.db()
    outcome, row = add_subscriber(db, "li@example.org", now=NOW)
    assert outcome == "added" and row["status"] == "active" and row["topics"] is None
    assert row["source"] == "cli" and row["confirmed"]
    assert add_subscriber(db, "LI@example.org".replace("LI", "li"), now=NOW)[0] == "unchanged"
    put_topic(db, "ai", now=NOW)
    outcome, row = add_subscriber(db, "li@example.org", now=NOW, topics=["ai"], name="Li")
    assert outcome == "updated" and row["topics"] == ["ai"] and row["name"] == "Li"
    with pytest.raises(SubscriberError, match="unknown topic climate"):
        add_subscriber(db, "li@example.org", now=NOW, topics=["climate"])
    assert remove_subscriber(db, "li@example.org", now=NOW) == "unsubscribed"
    assert remove_subscriber(db, "li@example.org", now=NOW) == "unchanged"
    with pytest.raises(SubscriberError, match="pass --resubscribe"):
        add_subscriber(db, "li@example.org", now=NOW)
    outcome, row = add_subscriber(db, "li@example.org", now=NOW, resubscribe=True)
    assert outcome == "updated" and row["status"] == "active"


def test_the_web_form_never_reactivates_without_confirmation(project: Project) -> None:
    db = project.db()
    add_subscriber(db, "old@example.org", now=NOW)
    row, send = request_subscription(db, "old@example.org", now=NOW)
    assert not send and row["status"] == "active"  # nothing to confirm, nothing revealed
    remove_subscriber(db, "old@example.org", now=NOW)
    row, send = request_subscription(db, "old@example.org", now=NOW)
    assert send and row["status"] == "pending"
    row, send = request_subscription(db, "new@example.org", now=NOW, name="New")
    assert send and row["status"] == "pending" and row["source"] == "web"


CSV = (
    "email,name,topics\n"
    "li@example.org,Li Lei,ai\n"
    "ann@example.org,,\n"
    "not-an-address,Bad,\n"
    "\n"
    "bob@Example.org,Bob,ai; robots\n"
    "gone@example.org,Gone,\n"
    "cat@example.org,Cat,nosuchtopic\n"
)


def test_importing_twice_changes_nothing(project: Project, tmp_path: Path) -> None:
    db = project.db()
    put_topic(db, "ai", now=NOW)
    put_topic(db, "robots", now=NOW)
    add_subscriber(db, "gone@example.org", now=NOW)
    remove_subscriber(db, "gone@example.org", now=NOW)
    path = tmp_path / "list.csv"
    path.write_text(CSV, encoding="utf-8")
    first = import_subscribers(db, path, now=NOW)
    assert [e for _, e in first.added] == ["li@example.org", "ann@example.org", "bob@example.org"]
    assert first.skipped == [(7, "gone@example.org", "unsubscribed")]
    assert [(line, value) for line, value, _ in first.invalid] == [
        (4, "not-an-address"),
        (8, "cat@example.org"),
    ]
    bob = store.get_subscriber(db, "bob@example.org")
    assert bob is not None and bob["topics"] == ["ai", "robots"] and bob["name"] == "Bob"
    second = import_subscribers(db, path, now=NOW)
    assert not second.added and not second.updated
    assert [e for _, e in second.unchanged] == [e for _, e in first.added]
    path.write_text("email,name\nli@example.org,Li\n", encoding="utf-8")
    third = import_subscribers(db, path, now=NOW)
    assert third.updated == [(2, "li@example.org")]
    li = store.get_subscriber(db, "li@example.org")
    assert li is not None and li["topics"] == ["ai"]  # no topics column: kept


def test_import_needs_an_email_column(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("address\nli@example.org\n", encoding="utf-8")
    with pytest.raises(SubscriberError, match="'email' column"):
        import_subscribers(project.db(), path, now=NOW)


def test_cli_add_list_remove(chdir_project: Project) -> None:
    project = chdir_project
    result = cli(project, "subscribers", "add", "Li Lei <li@Example.org>")
    assert result.exit_code == 0
    assert result.output == "added li@example.org (active, all topics)\n"
    result = cli(project, "subscribers", "add", "ann@example.org", "--pending")
    assert "added ann@example.org (pending, all topics)" in result.output
    result = cli(project, "subscribers", "add", "bad@@example.org")
    assert result.exit_code == 1 and "Error: " in result.output and "one @" in result.output
    result = cli(project, "subscribers", "list")
    assert "li@example.org" in result.output and "Li Lei" in result.output
    assert result.output.rstrip().endswith("1 pending, 1 active, 0 unsubscribed, 0 bounced")
    result = cli(project, "subscribers", "list", "--status", "pending")
    assert "ann@example.org" in result.output and "li@example.org" not in result.output
    assert cli(project, "subscribers", "remove", "li@example.org").output == (
        "li@example.org: unsubscribed\n"
    )
    result = cli(project, "subscribers", "add", "li@example.org")
    assert result.exit_code == 1 and "--resubscribe" in result.output
    result = cli(project, "subscribers", "add", "li@example.org", "--resubscribe")
    assert result.output == "updated li@example.org (active, all topics)\n"
    result = cli(project, "subscribers", "remove", "nobody@example.org")
    assert result.exit_code == 1 and "not a subscriber" in result.output
    assert cli(project, "subscribers", "remove", "ann@example.org", "--delete").exit_code == 0
    assert store.get_subscriber(project.db(), "ann@example.org") is None


def test_cli_import_reports_line_numbers(chdir_project: Project, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("email\nli@example.org\nnope\n", encoding="utf-8")
    result = cli(chdir_project, "subscribers", "import", str(path))
    assert result.exit_code == 0
    assert "1 added, 0 updated, 0 unchanged, 0 skipped, 1 invalid" in result.output
    assert "line 3: invalid:" in result.output
    again = cli(chdir_project, "subscribers", "import", str(path))
    assert "0 added, 0 updated, 1 unchanged" in again.output
