"""`make demo`: the whole job end to end on embedded defaults, on loopback only.

1. serve the bundled demo web (``demoweb``: three sites with feeds, sitemaps and robots.txt,
   Chinese and English articles on the seeds' topic) on 127.0.0.2–4;
2. write a demo topic pointing at it (the shipped ``seeds/`` topic keeps its real URLs and is
   not crawled here) and crawl it with the real ``scrapy crawl sources``, once in week 1 and
   once after the web has moved on to week 2;
3. build the two weekly issues (email, feeds, archive under ``out/``);
4. send them to a demo subscriber through a local SMTP capture (aiosmtpd), which writes each
   message as an ``.eml`` file;
5. print where to look, stop everything.

Data lives in ``data/demo/`` so a real ``data/seedwire.db`` is never touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from crawler import store
from crawler.config import Config, load_config

ROOT = Path(__file__).resolve().parents[1]
HOSTS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
SUBSCRIBER = "reader@example.org"
DEMO_SECRET = "demo-secret-not-for-production"
# the clock the demo runs on: two crawls and two Monday-morning issues
WEEK1_CRAWL = "2026-11-15T20:00:00+08:00"
WEEK2_CRAWL = "2026-11-22T20:00:00+08:00"
ISSUES = (("2026-W46", "2026-11-16T07:00:00+08:00"), ("2026-W47", "2026-11-23T07:00:00+08:00"))


@dataclass
class Capture:
    """An SMTP server that accepts everything and writes each message to ``folder``."""

    folder: Path
    files: list[Path] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{len(self.files) + 1:03d}.eml"
        path.write_bytes(envelope.original_content or envelope.content)
        self.files.append(path)
        return "250 OK: captured"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def demo_config(data: Path, out: Path, smtp_port: int) -> Config:
    overrides = {
        "paths": {"data_dir": str(data), "seeds_dir": str(data / "seeds"), "out_dir": str(out)},
        "site": {"title": "seedwire 周报 · 演示", "base_url": "http://127.0.0.1:8080/"},
        "crawl": {"allow_private_hosts": list(HOSTS)},
        "email": {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_security": "none",
                  "from_addr": "seedwire demo <digest@example.org>", "send": True},
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEEDWIRE_")}
    env["SEEDWIRE_SECRET"] = DEMO_SECRET
    return load_config(ROOT, file=ROOT / "seedwire.toml.example", env=env, overrides=overrides)


def crawl(config: Config, now: str, log: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEEDWIRE_")}
    env.update({
        "SEEDWIRE_CONFIG": str(ROOT / "seedwire.toml.example"),
        "SEEDWIRE_DB": str(config.db_path),
        "SEEDWIRE_SEEDS_DIR": str(config.seeds_dir),
        "SEEDWIRE_CRAWL_ALLOW_PRIVATE_HOSTS": ",".join(HOSTS),
        "SEEDWIRE_NOW": now,
        # the demo web has a page that never answers: do not wait 30 s × 4 tries for it
        "SEEDWIRE_CRAWL_DOWNLOAD_TIMEOUT": "5",
        "SEEDWIRE_CRAWL_RETRY_TIMES": "1",
    })
    started = time.monotonic()
    with open(log, "ab") as out:
        done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "sources"], cwd=ROOT,
                              env=env, stdout=out, stderr=subprocess.STDOUT, timeout=600)
    if done.returncode != 0:
        sys.exit(f"the crawl failed; see {log}")
    run = store.list_runs(store.open_db(config.db_path), 1)[0]
    stats = run["stats"]
    articles = stats.get("articles", {})
    duplicates = articles.get("duplicate", 0) + articles.get("original_replaced_copy", 0)
    errors = sum(stats.get("errors", {}).values())
    print(f"   {stats.get('requests', 0)} requests in {time.monotonic() - started:.0f} s; "
          f"new relevant {articles.get('new', 0)}, off-topic {articles.get('irrelevant', 0)}, "
          f"duplicates {duplicates}, failed fetches {errors} (broken pages on purpose)")
    return stats


def main() -> None:
    from demoweb import FixtureWeb
    from digest.build import build_issue
    from digest.deliver import send_issue
    from digest.subscribers import add_subscriber

    data = ROOT / "data" / "demo"
    out = ROOT / "out"
    mail = data / "mail"
    shutil.rmtree(data, ignore_errors=True)
    (data / "seeds").mkdir(parents=True)
    (data / "logs").mkdir()
    capture = Capture(mail)
    port = free_port()
    controller = Controller(capture, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = demo_config(data, out, port)
        with FixtureWeb(hosts=HOSTS, crawl_delay=0.5) as web:
            step(f"demo web on {', '.join(web.base_url(h) for h in HOSTS)}")
            (config.seeds_dir / "demo.toml").write_text(web.topic_toml("GPT-4o 演示"),
                                                        encoding="utf-8")
            web.set_week(1)
            step("week 1: scrapy crawl sources")
            crawl(config, WEEK1_CRAWL, data / "logs" / "crawl-week1.log")
            web.set_week(2)
            step("week 2: the web has new articles; scrapy crawl sources again")
            crawl(config, WEEK2_CRAWL, data / "logs" / "crawl-week2.log")
        db = store.open_db(config.db_path)
        add_subscriber(db, SUBSCRIBER, status="active", now=datetime.fromisoformat(ISSUES[0][1]))
        for period, now in ISSUES:
            step(f"issue for {period}: build and send")
            moment = datetime.fromisoformat(now)
            built = build_issue(db, config, period=period, now=moment)
            if built is None:
                print("   nothing new in this period")
                continue
            print(f"   #{built.number} {built.subject}")
            report = send_issue(db, config, now=moment, period=period)
            print(f"   sent to {len(report.sent)} subscriber(s)")
    finally:
        controller.stop()
    step("look at it")
    print(f"   email (HTML)   {out / 'email.html'}")
    print(f"   email (text)   {out / 'email.txt'}")
    for path in capture.files:
        print(f"   captured mail  {path}")
    print(f"   RSS feed       {out / 'feed.xml'}")
    print(f"   Atom feed      {out / 'atom.xml'}")
    print(f"   web archive    {out / 'index.html'}")
    print(f"   database       {config.db_path}  (crawl logs in {data / 'logs'})")
    print(f"\n   browse it:  .venv/bin/seedwire --db {config.db_path} --out-dir out serve"
          "  → http://127.0.0.1:8080/")


if __name__ == "__main__":
    main()
