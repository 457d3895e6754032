"""N crawl workers on this machine plus the writer: one scaled-out crawl, start to end.

What ``seedwire scale crawl`` and the scheduler's crawl job (with ``scale.redis_url``) run:
publish, start ``workers`` × ``scrapy crawl sources`` (each with its log file), drain their
results into SQLite while they run, drain what is left once they exited. ``stop()`` turning
true sends the workers SIGTERM (Scrapy's graceful shutdown) and keeps draining until they exit.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from crawler.scale.writer import Writer

logger = logging.getLogger(__name__)


def worker_command(args: list[str] | None = None) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "sources", *(args or [])]


@dataclass
class LocalCrawl:
    returncodes: list[int | None] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    handled: int = 0
    seconds: float = 0.0
    stopped: bool = False

    @property
    def ok(self) -> bool:
        return not self.stopped and all(code == 0 for code in self.returncodes)


def run_local(
    writer: Writer,
    *,
    workers: int,
    now: datetime,
    cwd: Path,
    env: dict[str, str],
    log_dir: Path,
    args: list[str] | None = None,
    stop: Callable[[], bool] = lambda: False,
    publish: bool = True,
) -> LocalCrawl:
    """Run one crawl with ``workers`` local worker processes; the caller holds the writer lock."""
    started = time.monotonic()
    writer.recover()
    # results still waiting from an earlier crawl are stored first, so they count as known
    writer.drain(block=0.2, until_idle=True, stop=lambda: time.monotonic() - started > 60)
    if publish:
        writer.publish(now)
    log_dir.mkdir(parents=True, exist_ok=True)
    report = LocalCrawl()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for number in range(1, max(1, workers) + 1):
            log_path = log_dir / f"worker-{number}.log"
            report.logs.append(log_path)
            with open(log_path, "ab") as log:
                procs.append(subprocess.Popen(worker_command(args), cwd=cwd, env=env,
                                              stdout=log, stderr=subprocess.STDOUT,
                                              stdin=subprocess.DEVNULL))
        logger.info("started %d crawl workers (logs in %s)", len(procs), log_dir)

        def running() -> bool:
            return any(proc.poll() is None for proc in procs)

        while running():
            if stop() and not report.stopped:
                report.stopped = True
                logger.warning("stopping the crawl workers (SIGTERM)")
                for proc in procs:
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGTERM)
            writer.drain(block=0.5, until_idle=True,
                         stop=lambda: not running() or (stop() and not report.stopped))
        writer.drain(block=0.5, until_idle=True)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        report.returncodes = [proc.returncode for proc in procs]
        report.handled = writer.handled
        report.seconds = time.monotonic() - started
    return report
