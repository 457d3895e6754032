"""Scale-out throughput: one crawl by 1 worker, then by 2 workers, on a shared Redis.

Serves a :class:`demoweb.FixtureWeb` of at least ``--pages`` article pages (20–150 KB) on six
loopback hosts, starts a redis-server of its own (no persistence), and runs
``seedwire scale crawl --workers N`` (N workers plus the writer) into a fresh database for each
N in ``--workers`` (and, for reference, one plain ``scrapy crawl sources``). Each worker gets
``cores // N`` extraction processes (at least one), so every run has the same number of them.
Reports article pages stored per second of wall time, the ratio to one worker, the share of the
cores that was busy (/proc/stat) and the CPU seconds of the whole process tree.

    .venv/bin/python bench/scale.py                   # updates bench/RESULTS.md
    .venv/bin/python bench/scale.py --pages 300 --no-write
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demoweb import FixtureWeb  # noqa: E402

NOW = "2026-11-15T20:00:00+08:00"  # the fixture web's week 1
HOSTS = tuple(f"127.0.0.{i}" for i in range(140, 146))
PAGE_KB = (20, 150)
RESULTS = ROOT / "bench" / "RESULTS.md"
START, END = "<!-- scale:start -->", "<!-- scale:end -->"
COMMAND = ".venv/bin/python bench/scale.py"


@dataclass
class Run:
    name: str
    workers: int
    extract: int
    pages: int
    wall: float
    cpu: float
    busy: float

    @property
    def rate(self) -> float:
        return self.pages / self.wall if self.wall else 0.0


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies over all cores, from /proc/stat."""
    fields = [float(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(workdir: Path) -> tuple[subprocess.Popen, str]:
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen([server, "--save", "", "--appendonly", "no", "--port", str(port),
                             "--bind", "127.0.0.1", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    import redis

    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(200):
        try:
            client.ping()
            return proc, url
        except redis.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("redis-server did not start")


def make_web(pages: int) -> FixtureWeb:
    def articles(web: FixtureWeb) -> int:
        web.set_week(1)
        return sum(1 for a in web.expected_articles() if a.reachable and a.allowed)

    scale = max(1, pages // max(1, articles(FixtureWeb(hosts=HOSTS, scale=1, page_kb=PAGE_KB))))
    while True:
        web = FixtureWeb(hosts=HOSTS, scale=scale, page_kb=PAGE_KB, crawl_delay=None)
        if articles(web) >= pages:
            return web
        scale += 1


def env_for(web: FixtureWeb, workdir: Path, extract: int, redis_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEEDWIRE_")}
    env.update({
        "SEEDWIRE_DB": str(workdir / "data" / "seedwire.db"),
        "SEEDWIRE_SEEDS_DIR": str(workdir / "seeds"),
        "SEEDWIRE_DATA_DIR": str(workdir / "data"),
        "SEEDWIRE_NOW": NOW,
        "SEEDWIRE_CRAWL_ALLOW_PRIVATE_HOSTS": ",".join(web.hosts),
        "SEEDWIRE_CRAWL_MAX_PAGES_PER_SOURCE": "100000",
        "SEEDWIRE_CRAWL_EXTRACT_WORKERS": str(extract),
        # one fixture page answers after 30 s: do not let it set the wall time
        "SEEDWIRE_CRAWL_DOWNLOAD_TIMEOUT": "5",
        "SEEDWIRE_CRAWL_RETRY_TIMES": "1",
        "SEEDWIRE_LOG_LEVEL": "INFO",
    })
    if redis_url:
        env["SEEDWIRE_REDIS_URL"] = redis_url
    return env


def run(web: FixtureWeb, base: Path, name: str, workers: int, cores: int,
        redis_url: str | None) -> Run:
    workdir = base / re.sub(r"\W+", "-", name).strip("-")
    (workdir / "seeds").mkdir(parents=True)
    (workdir / "seeds" / "bench.toml").write_text(web.topic_toml("GPT-4o Bench"), "utf-8")
    extract = max(1, cores // max(1, workers))
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        command = [sys.executable, "-c", "from digest.cli import run; run()", "scale", "crawl",
                   "--workers", str(workers)]
    else:
        command = [sys.executable, "-m", "scrapy", "crawl", "sources"]
    web.clear_log()
    web.reset_faults()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0, total0 = cpu_times()
    started = time.time()
    with open(workdir / "run.log", "wb") as log:
        code = subprocess.run(command, cwd=ROOT, env=env_for(web, workdir, extract, redis_url),
                              stdout=log, stderr=subprocess.STDOUT).returncode
    wall = time.time() - started
    busy1, total1 = cpu_times()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0:
        tail = (workdir / "run.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"{name} failed with exit code {code}:\n{tail}")
    conn = sqlite3.connect(workdir / "data" / "seedwire.db")
    try:
        pages = conn.execute("SELECT count(*) FROM articles WHERE kind = 'article'").fetchone()[0]
    finally:
        conn.close()
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    busy = (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0
    return Run(name, workers, extract, pages, wall, cpu, busy)


def machine() -> str:
    model = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = re.sub(r"\s+", " ", line.split(":", 1)[1]).strip()
            break
    return (f"{platform.platform()}, {model}, {os.cpu_count()} cores; Python "
            f"{platform.python_version()}")


def best(results: list[Run]) -> Run:
    """The fastest run: what other work on a shared machine took away least from."""
    return min(results, key=lambda r: r.wall)


def report(runs: list[Run], total: int, args: argparse.Namespace,
           tries: dict[str, list[Run]], load: float) -> str:
    first = next(r for r in runs if r.workers == 1 and r.name.startswith("scale"))
    lines = [
        START,
        "## Scale-out: crawl workers on a shared Redis",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}. Reproduce with "
        f"`{COMMAND}`{' --pages ' + str(args.pages) if args.pages != 1000 else ''}"
        f"{' --repeat ' + str(args.repeat) if args.repeat != 2 else ''}.",
        "",
        f"The fixture web: {total} article pages of 20–150 KB on {len(HOSTS)} loopback hosts, "
        "no Crawl-delay. Each scale run is `seedwire scale crawl --workers N`: N "
        "`scrapy crawl sources` workers on one redis-server plus the writer, into a fresh "
        "database; each worker has cores ÷ N extraction processes. Pages/s = article pages "
        "stored ÷ wall time, start to end (publish, crawl, the writer's last commit). Each "
        f"configuration ran {args.repeat}×, interleaved; the table shows the fastest run of each "
        "(wall times of every run in the last column). The machine was shared with other work "
        f"(load average {load:.1f} at the end): cores busy counts everything on it.",
        "",
        "| run | workers | extraction processes each | pages stored | wall s | pages/s "
        "| vs 1 worker | cores busy | CPU s (tree) | wall s, every run |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        ratio = f"{r.rate / first.rate:.2f}" if r.name.startswith("scale") else "–"
        each = ", ".join(f"{t.wall:.1f}" for t in tries[r.name])
        lines.append(f"| {r.name} | {r.workers} | {r.extract} | {r.pages} | {r.wall:.1f} | "
                     f"{r.rate:.1f} | {ratio} | {r.busy:.0%} | {r.cpu:.0f} | {each} |")
    two = next((r for r in runs if r.workers == 2 and r.name.startswith("scale")), None)
    if two is not None:
        lines += ["", f"**2 workers vs 1: {two.rate / first.rate:.2f}×** on this machine."]
    lines += [
        "",
        "All runs here share the same cores (and the fixture web's process): a second worker "
        "on the same machine can only use what one worker leaves idle. Scale-out is for "
        "workers on separate machines, each with its own cores, against one Redis and one "
        "writer; the writer (SQLite inserts, near-duplicate lookups, one process) is what "
        "bounds it then.",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    if START in current and END in current:
        head, rest = current.split(START, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        updated = head + text + ("\n" + tail if tail else "")
    else:
        updated = current.rstrip("\n") + ("\n\n" if current else "") + text
    RESULTS.write_text(updated, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="article pages at least")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="worker counts to compare (the first must be 1)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per configuration")
    parser.add_argument("--no-single", action="store_true",
                        help="skip the plain `scrapy crawl sources` reference run")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args()
    if args.workers[0] != 1:
        parser.error("--workers must start with 1 (the ratio's base)")
    cores = os.cpu_count() or 1
    base = Path(tempfile.mkdtemp(prefix="seedwire-scale-"))
    redis_proc, redis_url = start_redis(base)
    try:
        with make_web(args.pages) as web:
            total = sum(1 for a in web.expected_articles() if a.reachable and a.allowed)
            print(f"{total} article pages on {len(HOSTS)} hosts; runs in {base}", flush=True)
            plan = [] if args.no_single else [("single process (no Redis)", 1, None)]
            plan += [(f"scale, {n} worker{'s' if n > 1 else ''}", n, redis_url)
                     for n in args.workers]
            tries: dict[str, list[Run]] = {name: [] for name, _, _ in plan}
            for attempt in range(args.repeat):  # interleaved: load from others hits all alike
                for name, workers, url in plan:
                    result = run(web, base / f"try{attempt}", name, workers, cores, url)
                    tries[name].append(result)
                    print(result, flush=True)
            runs = [best(tries[name]) for name, _, _ in plan]
            load = os.getloadavg()[0]
    finally:
        redis_proc.terminate()
        redis_proc.wait()
    text = report(runs, total, args, tries, load)
    print(text)
    if not args.no_write:
        write_section(text)
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
