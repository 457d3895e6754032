"""Scale-out: crawl workers on a shared scrapy-redis frontier, one writer (`seedwire ingest`).

Real parts only: a redis-server started on a free loopback port (no persistence), the fixture
web on 127.0.0.x, `scrapy crawl sources` workers and `seedwire` as subprocesses, SQLite files.
Every crawl here runs with retries off, so each article page is fetched exactly once by design.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from demoweb import FixtureWeb

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-15T20:00:00+08:00"  # the fixture web's week 1
BIG_HOSTS = tuple(f"127.0.0.{i}" for i in range(100, 106))  # 6 hosts × scale 11: 1,021 articles
SMALL_HOSTS = ("127.0.0.110", "127.0.0.111", "127.0.0.112")
SEEDWIRE = [sys.executable, "-c", "from digest.cli import run; run()"]


# --- a real redis-server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed (make test installs it: apt-get install "
                    "redis-server)")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [server, "--save", "", "--appendonly", "no", "--port", str(port), "--bind", "127.0.0.1",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    deadline = time.time() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def client(redis_url: str) -> Iterator[Any]:
    import redis

    yield redis.Redis.from_url(redis_url)


# --- projects: a seed folder and a database, crawled one way or the other ----------------------


@dataclass
class Project:
    web: FixtureWeb
    dir: Path
    redis_url: str | None = None

    @property
    def db(self) -> Path:
        return self.dir / "data" / "seedwire.db"

    def env(self, *, scale: bool) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SEEDWIRE_")}
        env.update({
            "SEEDWIRE_DB": str(self.db),
            "SEEDWIRE_SEEDS_DIR": str(self.dir / "seeds"),
            "SEEDWIRE_DATA_DIR": str(self.dir / "data"),
            "SEEDWIRE_NOW": NOW,
            "SEEDWIRE_CRAWL_ALLOW_PRIVATE_HOSTS": ",".join(self.web.hosts),
            "SEEDWIRE_CRAWL_DOWNLOAD_TIMEOUT": "4",  # the fixture's slow page takes longer
            "SEEDWIRE_CRAWL_RETRY_TIMES": "0",
            "SEEDWIRE_CRAWL_MAX_PAGES_PER_SOURCE": "100000",
            "SEEDWIRE_CRAWL_EXTRACT_WORKERS": "1" if scale else "2",
            "SEEDWIRE_LOG_LEVEL": os.environ.get("TEST_SCALE_LOG", "INFO"),  # DEBUG: requests
        })
        if scale:
            assert self.redis_url
            env["SEEDWIRE_REDIS_URL"] = self.redis_url
        return env

    def run(self, command: list[str], log: str, *, scale: bool,
            timeout: float = 240) -> subprocess.CompletedProcess:
        with open(self.dir / log, "wb") as out:
            done = subprocess.run(command, cwd=ROOT, env=self.env(scale=scale), stdout=out,
                                  stderr=subprocess.STDOUT, timeout=timeout)
        assert done.returncode == 0, (self.dir / log).read_text(errors="replace")[-4000:]
        return done

    def start(self, command: list[str], log: str, *,
              extra: dict[str, str] | None = None) -> subprocess.Popen:
        out = open(self.dir / log, "wb")  # noqa: SIM115 - closed with the process
        return subprocess.Popen(command, cwd=ROOT, env={**self.env(scale=True), **(extra or {})},
                                stdout=out, stderr=subprocess.STDOUT)

    def query(self, sql: str, *args: object) -> list[tuple]:
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def articles(self) -> set[str]:
        return {row[0] for row in self.query("SELECT canonical_url FROM articles")}

    def place(self, url: str) -> str:
        """Where the store holds a page (for failure messages)."""
        for sql, label in (("SELECT kind FROM articles WHERE canonical_url = ?", "article"),
                           ("SELECT reason FROM duplicates WHERE canonical_url = ?", "dup"),
                           ("SELECT reason FROM rejects WHERE url = ?", "rejected")):
            rows = self.query(sql, url)
            if rows:
                return f"{label}: {rows[0][0]}"
        return "absent"

    def duplicates(self) -> set[tuple[str, str]]:
        """(duplicate, original) canonical URL pairs."""
        return set(self.query("SELECT d.canonical_url, a.canonical_url FROM duplicates d "
                              "JOIN articles a ON a.id = d.original_id"))


def make_project(web: FixtureWeb, directory: Path, redis_url: str | None = None) -> Project:
    (directory / "seeds").mkdir(parents=True)
    (directory / "seeds" / "demo.toml").write_text(web.topic_toml("GPT-4o Demo"), encoding="utf-8")
    return Project(web=web, dir=directory, redis_url=redis_url)


def scrapy_crawl() -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "sources"]


def article_requests(web: FixtureWeb) -> Counter:
    paths = {(a.host, a.path) for a in web.expected_articles()}
    found = ((r.host, r.path.split("?")[0]) for r in web.requests if r.method == "GET")
    return Counter(key for key in found if key in paths)


def same_store(one: Project, other: Project) -> None:
    """The same pages stored, and the same duplicates as far as arrival order allows.

    Every page is accounted for identically (as an article or as a duplicate), no page twice,
    and syndicated copies are duplicates in both. Near-duplicates are resolved first come,
    first kept, in one process as across workers, and the fixture web at this scale has
    accidental ones (different generated articles whose texts are close, chains of them):
    which member of such a pair is kept depends on the order pages arrive in, which differs
    between one process and several. So pages in a near-duplicate pair in either store are
    compared as accounted for; all other pages must be articles in both.
    """
    def accounted(project: Project) -> set[str]:
        return project.articles() | {dup for dup, _ in project.duplicates()}

    def where(url: str) -> list[str]:
        return [project.place(url) for project in (one, other)]

    differ = accounted(one) ^ accounted(other)
    assert not differ, {url: where(url) for url in sorted(differ)}
    involved = {url for project in (one, other) for pair in project.duplicates() for url in pair}
    differ = (one.articles() - involved) ^ (other.articles() - involved)
    assert not differ, {url: where(url) for url in sorted(differ)}
    assert len(one.articles() - involved) > 0.8 * len(one.articles())
    copies = {a.url for a in one.web.expected_articles() if a.syndicated_of and a.reachable}
    assert copies and not copies & (one.articles() | other.articles())
    for project in (one, other):
        assert project.articles().isdisjoint(dup for dup, _ in project.duplicates())
        assert project.query("SELECT canonical_url FROM duplicates GROUP BY 1 "
                             "HAVING count(*) > 1") == []


# --- three workers and one writer on a web of more than 1,000 articles ------------------------


@pytest.fixture(scope="module")
def big_web() -> Iterator[FixtureWeb]:
    with FixtureWeb(hosts=BIG_HOSTS, scale=11, crawl_delay=None) as web:
        web.set_week(1)
        assert len(web.expected_articles()) >= 1000
        yield web


@pytest.fixture(scope="module")
def single(big_web: FixtureWeb, tmp_path_factory: pytest.TempPathFactory) -> dict:
    project = make_project(big_web, tmp_path_factory.mktemp("single"))
    big_web.clear_log()
    big_web.reset_faults()
    project.run(scrapy_crawl(), "crawl.log", scale=False)
    return {"project": project, "requests": article_requests(big_web)}


@pytest.fixture(scope="module")
def scaled(big_web: FixtureWeb, single: dict, redis_url: str,
           tmp_path_factory: pytest.TempPathFactory) -> dict:
    project = make_project(big_web, tmp_path_factory.mktemp("scaled"), redis_url)
    big_web.clear_log()
    big_web.reset_faults()
    project.run([*SEEDWIRE, "scale", "crawl", "--workers", "3"], "scale.log", scale=True)
    return {"project": project, "requests": article_requests(big_web),
            "private": [r.path for r in big_web.requests if r.path.startswith("/private/")]}


def test_three_workers_request_each_article_page_exactly_once(single: dict, scaled: dict) -> None:
    counts: Counter = scaled["requests"]
    assert {page: n for page, n in counts.items() if n > 1} == {}
    assert len(counts) >= 1000
    assert set(counts) == set(single["requests"])  # the pages one process fetches
    assert set(single["requests"].values()) == {1}
    assert scaled["private"] == []  # robots.txt holds for every worker


def test_three_workers_store_what_one_process_stores(single: dict, scaled: dict) -> None:
    same_store(single["project"], scaled["project"])


def test_each_worker_leaves_a_crawl_run(scaled: dict) -> None:
    project: Project = scaled["project"]
    runs = project.query("SELECT status, stats, args FROM crawl_runs")
    assert [status for status, _, _ in runs] == ["finished"] * 3
    args = [json.loads(a) for _, _, a in runs]
    assert len({a["worker"] for a in args}) == 3 and len({a["generation"] for a in args}) == 1
    stats = [json.loads(s) for _, s, _ in runs]
    assert all(s["requests"] > 0 and s["articles"].get("queued", 0) > 0 for s in stats)
    stored = sum(s["articles"].get("new", 0) + s["articles"].get("irrelevant", 0) for s in stats)
    assert stored >= len(project.articles()) - 2   # the two cited pages are counted apart
    # validators of the finished generation were saved: a second crawl revalidates listings
    assert project.query("SELECT count(*) FROM validators")[0][0] >= 6


# --- a worker and the writer killed mid-crawl ----------------------------------------------------


@pytest.fixture(scope="module")
def small_web() -> Iterator[FixtureWeb]:
    with FixtureWeb(hosts=SMALL_HOSTS, scale=2, crawl_delay=None) as web:
        web.set_week(1)
        yield web


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while not condition():  # type: ignore[operator]
        if time.time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def stored_count(project: Project) -> int:
    try:
        return len(project.articles())
    except sqlite3.Error:
        return 0


def test_killed_worker_and_writer_lose_nothing_for_good(
    small_web: FixtureWeb, redis_url: str, client: Any, tmp_path: Path
) -> None:
    baseline = make_project(small_web, tmp_path / "one")
    small_web.reset_faults()
    baseline.run(scrapy_crawl(), "crawl.log", scale=False)

    project = make_project(small_web, tmp_path / "killed", redis_url)
    client.delete("seedwire:sources")
    small_web.clear_log()
    small_web.reset_faults()
    writer = project.start([*SEEDWIRE, "ingest"], "ingest.log")
    wait_for(lambda: client.exists("seedwire:sources"), 60, "the writer to publish")
    slow = {"SEEDWIRE_CRAWL_CONCURRENCY_PER_HOST": "1"}
    command = [*scrapy_crawl(), "-s", "SEEDWIRE_WORKER_TIMEOUT=3", "-s", "CONCURRENT_REQUESTS=4"]
    workers = [project.start(command, f"worker-{n}.log", extra=slow) for n in range(3)]
    try:
        wait_for(lambda: stored_count(project) >= 15, 120, "articles to be stored")
        workers[0].send_signal(signal.SIGKILL)
        writer.send_signal(signal.SIGKILL)  # results now wait in Redis
        assert [w.wait(timeout=120) for w in workers[1:]] == [0, 0]  # the others finish
    finally:
        for proc in (*workers, writer):
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    first = article_requests(small_web)
    assert {page: n for page, n in first.items() if n > 1} == {}
    waiting = client.llen("seedwire:outbox") + client.llen("seedwire:outbox:processing")
    assert waiting > 0  # results of the killed writer's time wait in Redis

    # the writer comes back: it finishes the message it was handling and stores the rest
    project.run([*SEEDWIRE, "ingest", "--once", "--no-publish"], "ingest-once.log", scale=True)
    assert client.llen("seedwire:outbox") + client.llen("seedwire:outbox:processing") == 0
    held = {(u.split("/")[2].split(":")[0], "/" + u.split("/", 3)[3])
            for u in project.articles() | {d for d, _ in project.duplicates()}}
    assert len(held) < len(baseline.articles()) + len(baseline.duplicates())

    # the next crawl fetches what is missing, and nothing the store holds
    small_web.clear_log()
    small_web.reset_faults()
    project.run([*SEEDWIRE, "scale", "crawl", "--workers", "2"], "followup.log", scale=True)
    again = article_requests(small_web)
    assert set(again.values()) <= {1}
    assert not set(again) & held
    same_store(baseline, project)
    statuses = Counter(row[0] for row in project.query("SELECT status FROM crawl_runs"))
    assert statuses == {"finished": 4, "killed": 1}


# --- the writer on its own, and the switch ------------------------------------------------------


@pytest.fixture
def writer_parts(redis_url: str, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    """A Redis database of its own (index 1, emptied) and a fresh SQLite store."""
    import redis

    from crawler import store

    server = redis.Redis.from_url(redis_url.rsplit("/", 1)[0] + "/1")
    server.flushdb()
    db = store.open_db(tmp_path / "writer.db")
    yield server, db
    server.flushdb()
    db.conn.close()


def page_message(url: str, text: str) -> bytes:
    from crawler.dedupe import text_print
    from crawler.scale import messages
    from crawler.workers import PageResult

    printed = text_print(text)
    result = PageResult(text=text, title="A title", author=None, published=None, language="en",
                        description=None, canonical_url=None, simhash=printed.simhash,
                        minhash=printed.minhash, band_keys=printed.bands, scores=[])
    item = {"url": url, "key": url, "source": None, "kind": "article",
            "listed_published": None, "listed_title": None}
    return messages.encode("page", generation="1", worker="w", now=NOW, item=item,
                           result=messages.result_to_json(result))


def test_writer_recovers_what_it_was_storing_and_sets_aside_what_it_cannot_read(
    writer_parts: tuple[Any, Any]
) -> None:
    from crawler.scale.keys import FAILED, KNOWN, OUTBOX, PROCESSING
    from crawler.scale.writer import Writer

    server, db = writer_parts
    text = " ".join(f"word{n} gpt image generation sentence number {n}." for n in range(60))
    server.lpush(OUTBOX, page_message("http://site.example/a.html", text))
    server.lpush(OUTBOX, b"not json at all")
    server.lpush(OUTBOX, json.dumps({"v": 99, "type": "page"}).encode())
    server.lmove(OUTBOX, PROCESSING, "RIGHT", "LEFT")  # a writer took it, then died
    writer = Writer(server, db)
    with writer:
        assert writer.recover() == 1
        assert writer.drain(block=0.1, until_idle=True) == 3
    assert [r[0] for r in db.execute("SELECT canonical_url FROM articles")] == [
        "http://site.example/a.html"]
    assert server.llen(OUTBOX) == server.llen(PROCESSING) == 0
    assert server.llen(FAILED) == 2 and writer.set_aside == 2
    assert server.sismember(KNOWN, "http://site.example/a.html")


def test_one_writer_at_a_time(writer_parts: tuple[Any, Any]) -> None:
    from crawler.scale.keys import WRITER, ScaleError
    from crawler.scale.writer import Writer

    server, db = writer_parts
    first = Writer(server, db)
    first.acquire()
    with pytest.raises(ScaleError, match="another writer is running"):
        Writer(server, db).acquire()
    first.release()
    # a lock left by a process of this machine that is gone is taken over
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    server.set(WRITER, f"{socket.gethostname()}-{gone}-abcdef", ex=60)
    with Writer(server, db) as writer:
        assert server.get(WRITER).decode() == writer.token


def test_without_a_redis_url_nothing_changes() -> None:
    from scrapy.settings import Settings

    from crawler.scale import ScaleAddon

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("SEEDWIRE_REDIS_URL", "", "cmdline")
    ScaleAddon().update_settings(settings)
    assert settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert settings.getdict("ITEM_PIPELINES") == {"crawler.pipelines.ArticlePipeline": 300}
    settings.set("SEEDWIRE_REDIS_URL", "redis://127.0.0.1:1/0", "cmdline")
    ScaleAddon().update_settings(settings)
    assert settings["SCHEDULER"] == "crawler.scale.frontier.FrontierScheduler"
    assert settings.getbool("SCHEDULER_PERSIST")
    pipelines = {k: v for k, v in settings.getdict("ITEM_PIPELINES").items() if v is not None}
    assert pipelines == {"crawler.scale.worker.OutboxPipeline": 300}
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["crawler.middlewares.PrivateAddressMiddleware"] == 50  # kept
    assert middlewares["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"] is None


def test_scheduler_runs_workers_and_the_writer_in_scale_mode(tmp_path: Path) -> None:
    from crawler.config import load_config
    from digest.schedule import crawl_command

    plain = load_config(tmp_path, env={})
    assert crawl_command(plain)[-3:] == ["scrapy", "crawl", "sources"]
    scaled = load_config(tmp_path, env={"SEEDWIRE_REDIS_URL": "redis://127.0.0.1:6379/0",
                                        "SEEDWIRE_SCALE_WORKERS": "3"})
    assert crawl_command(scaled)[-4:] == ["scale", "crawl", "--workers", "3"]


def test_crawl_delay_holds_across_workers(redis_url: str, tmp_path: Path) -> None:
    hosts = ("127.0.0.115", "127.0.0.116", "127.0.0.117")
    with FixtureWeb(hosts=hosts, scale=1, crawl_delay=0.25) as web:  # on the second host
        web.set_week(1)
        project = make_project(web, tmp_path / "delay", redis_url)
        project.run([*SEEDWIRE, "scale", "crawl", "--workers", "2", "--source", hosts[1],
                     "--max-pages", "16"], "scale.log", scale=True)
        times = sorted(r.time for r in web.requests
                       if r.host == hosts[1] and r.path != "/robots.txt")
    assert len(times) >= 8  # the budget also pays for listings and feed probes
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.2


ROBOTS_CHECK = """
import asyncio
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, TextResponse
from scrapy.utils.test import get_crawler
from twisted.internet import defer, reactor
from crawler.robots import RobotsTxtMiddleware

class Engine:
    async def download_async(self, request):
        await asyncio.sleep(0.05)
        return TextResponse(request.url, body=b"User-agent: *\\nDisallow: /private/\\n",
                            request=request)

async def check():
    crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True})
    crawler.engine = Engine()
    middleware = RobotsTxtMiddleware.from_crawler(crawler)
    async def one(url):
        try:
            await middleware.process_request(Request(url))
            return "allowed"
        except IgnoreRequest:
            return "forbidden"
    urls = [f"http://h.example/private/{n}" for n in range(4)] + ["http://h.example/ok"]
    return await asyncio.gather(*(one(url) for url in urls))

def main():
    d = defer.Deferred.fromFuture(asyncio.ensure_future(check()))
    d.addCallback(lambda result: print(" ".join(result)))
    d.addBoth(lambda _: reactor.stop())

reactor.callWhenRunning(main)
reactor.run()
"""


def test_every_request_that_waited_for_robots_txt_is_checked() -> None:
    """Scrapy 2.19 hands the parser to the first requests waiting for a host's robots.txt only;
    the later ones went out unchecked (a worker joining a crawl takes many at once)."""
    done = subprocess.run([sys.executable, "-c", ROBOTS_CHECK], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.split() == ["forbidden"] * 4 + ["allowed"], done.stderr[-2000:]
