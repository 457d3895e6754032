"""Test data for subscribers, delivery, the web app and the scheduler: a throwaway project,
a stored issue, active subscribers, the real CLI in a subprocess. No fixtures here (they are
in ``conftest_delivery``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler import store
from crawler.config import Config, load_config
from crawler.store.digests import DigestItem, get_digest, put_topic, reserve_number, save_digest

SECRET = "test-secret-5f0c6a1e9b2d4c7a8e3f"
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday: the last complete week is W47
PERIOD = "2026-W47"
ROOT = Path(__file__).resolve().parent.parent
HTML = (
    "<!doctype html><html><body><h1>{subject}</h1><p>News of the week.</p>"
    '<p><a href="%%UNSUBSCRIBE_URL%%">Unsubscribe</a></p></body></html>'
)
TEXT = "{subject}\n\nNews of the week.\n\nUnsubscribe: %%UNSUBSCRIBE_URL%%\n"


@dataclass
class Project:
    """A throwaway project root with its configuration in environment variables."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    def config(self, **extra: str) -> Config:
        return load_config(self.root, env={**self.env, **extra})

    def db(self) -> Any:
        return store.open_db(self.config().db_path)

    def process_env(self, **extra: str) -> dict[str, str]:
        """For subprocesses: our environment without SEEDWIRE_*, plus the project's."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEEDWIRE_")}
        env["PYTHONPATH"] = str(ROOT)
        return {**env, **self.env, **extra}


def seedwire_command(*args: str) -> list[str]:
    """The real CLI in a fresh interpreter."""
    code = "import sys; from digest.cli import main; sys.exit(main(prog_name='seedwire'))"
    return [sys.executable, "-c", code, *args]


def project_env() -> dict[str, str]:
    return {
        "SEEDWIRE_SECRET": SECRET,
        "SEEDWIRE_SITE_BASE_URL": "https://news.example.org/",
        "SEEDWIRE_SITE_LANGUAGE": "en",
        "SEEDWIRE_SITE_TITLE": "Seedwire Weekly",
        "SEEDWIRE_EMAIL_FROM_ADDR": "Seedwire Weekly <digest@news.example.org>",
        "SEEDWIRE_EMAIL_RATE_PER_MINUTE": "0",
        "SEEDWIRE_EMAIL_SMTP_HOST": "127.0.0.1",
        "SEEDWIRE_EMAIL_SMTP_PORT": "1",  # nothing listens there unless a test server is used
    }


def store_issue(
    db: Any,
    *,
    period: str = PERIOD,
    subject: str = "Seedwire Weekly #1",
    topics: Sequence[str] = (),
) -> dict[str, Any]:
    """A stored issue (html/text with the unsubscribe marker), one article per topic."""
    items = []
    for rank, slug in enumerate(topics, start=1):
        put_topic(db, slug, now=NOW, name=slug.title())
        url = f"https://example.com/{period}/{slug}"
        article_id = store.insert_article(
            db,
            store.NewArticle(canonical_url=url, url=url, text=f"About {slug}.", site="example.com"),
            now=NOW,
            run_id=None,
        )
        items.append(DigestItem(article_id=article_id, topic=slug, rank=rank))
    save_digest(
        db,
        period=period,
        number=reserve_number(db, period),
        subject=subject,
        html=HTML.format(subject=subject),
        text=TEXT.format(subject=subject),
        starts="2026-11-16T00:00:00+00:00",
        ends="2026-11-23T00:00:00+00:00",
        items=items,
        context={},
        now=NOW,
    )
    digest = get_digest(db, period)
    if digest is None:
        raise RuntimeError(f"the issue of {period} was not stored")
    return digest


def add_active(db: Any, *emails: str, topics: list[str] | None = None) -> None:
    from digest.subscribers import add_subscriber

    for address in emails:
        add_subscriber(db, address, now=NOW, status="active", topics=topics)
