"""The scheduler: persistent jobs, missed runs, the lock, failures, timeouts, clean stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from click.testing import CliRunner
from delivery_support import NOW, PERIOD, Project, add_active, seedwire_command, store_issue
from smtp_server import SMTPServer

from crawler.config import Config
from digest.cli import main
from digest.schedule import (
    ScheduleError,
    build_scheduler,
    crawl_job,
    jobstore_url,
    list_jobs,
    plan_jobs,
    run_command,
    scheduler_lock,
)

pytest_plugins = ["conftest_delivery"]


def marker_command(path: Path, *, exit_code: int = 0, extra: str = "") -> list[str]:
    """Append "run <SEEDWIRE_DB>" to ``path``, run ``extra``, exit with ``exit_code``."""
    steps = [
        "import os, sys",
        f"open({str(path)!r}, 'a').write('run ' + os.environ.get('SEEDWIRE_DB', '-') + '\\n')",
        extra,
        f"sys.exit({exit_code})",
    ]
    return [sys.executable, "-c", "; ".join(step for step in steps if step)]


def runs(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def wait_until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


@pytest.fixture
def started() -> Iterator[Callable[..., BackgroundScheduler]]:
    """Start schedulers in this process (same setup as the daemon, background thread)."""
    running: list[BackgroundScheduler] = []

    def start(config: Config, specs: Any, events: list[Any] | None = None) -> BackgroundScheduler:
        scheduler = build_scheduler(config, specs, scheduler_cls=BackgroundScheduler)
        if events is not None:
            scheduler.add_listener(
                events.append, EVENT_JOB_ERROR | EVENT_JOB_EXECUTED | EVENT_JOB_MISSED
            )
        scheduler.start()
        running.append(scheduler)
        return scheduler

    yield start
    for scheduler in running:
        if scheduler.running:
            scheduler.shutdown(wait=True)


def set_next_run(config: Config, job_id: str, when: datetime) -> None:
    """While no scheduler runs: pretend the machine was off when ``job_id`` was due."""
    jobstore = SQLAlchemyJobStore(url=jobstore_url(config))
    jobstore.start(BackgroundScheduler(timezone=config.tz), "default")  # never started
    job = jobstore.lookup_job(job_id)
    job._modify(next_run_time=when)
    jobstore.update_job(job)
    jobstore.shutdown()


def test_jobs_persist_across_a_restart(project: Project, started: Any) -> None:
    config = project.config()
    first = started(config, plan_jobs(config))
    times = {job.id: job.next_run_time for job in first.get_jobs()}
    first.shutdown()
    assert set(times) == {"crawl", "weekly", "deliveries"}
    assert (config.data_dir / "scheduler.db").is_file()
    weekly = times["weekly"].astimezone(config.tz)
    assert (weekly.weekday(), weekly.hour, weekly.minute) == (0, 7, 0)
    time.sleep(1.1)  # a plain re-add would now compute later interval times
    rows = list_jobs(config, plan_jobs(config))
    assert {r.id: (r.next_run, r.state) for r in rows} == {
        k: (v, "stored") for k, v in times.items()
    }
    second = started(config, plan_jobs(config))
    assert {job.id: job.next_run_time for job in second.get_jobs()} == times
    second.shutdown()
    moved = project.config(SEEDWIRE_SCHEDULE_WEEKLY="tue 08:30")
    [weekly_row] = [r for r in list_jobs(moved, plan_jobs(moved)) if r.id == "weekly"]
    assert weekly_row.state == "changes on restart"
    third = started(moved, plan_jobs(moved))
    local = third.get_job("weekly").next_run_time.astimezone(moved.tz)
    assert (local.weekday(), local.hour, local.minute) == (1, 8, 30)


def test_a_missed_weekly_run_happens_once_after_restart(
    project: Project, started: Any, tmp_path: Path
) -> None:
    config = project.config()
    marker = tmp_path / "weekly.txt"
    specs = plan_jobs(config, weekly=marker_command(marker))
    started(config, specs).shutdown()
    set_next_run(config, "weekly", datetime.now(UTC) - timedelta(minutes=10))  # was off at 7:00
    scheduler = started(config, specs)
    wait_until(lambda: runs(marker) == 1)
    time.sleep(0.5)
    assert runs(marker) == 1
    assert scheduler.get_job("weekly").next_run_time > datetime.now(UTC) + timedelta(hours=1)


def test_several_missed_runs_coalesce_into_one(
    project: Project, started: Any, tmp_path: Path
) -> None:
    config = project.config(SEEDWIRE_SCHEDULE_CRAWL_EVERY_HOURS="1")
    marker = tmp_path / "crawl.txt"
    specs = plan_jobs(config, crawl=marker_command(marker))
    started(config, specs).shutdown()
    set_next_run(config, "crawl", datetime.now(UTC) - timedelta(hours=3, minutes=1))
    scheduler = started(config, specs)
    wait_until(lambda: runs(marker) == 1)
    time.sleep(0.5)
    assert runs(marker) == 1
    assert scheduler.get_job("crawl").next_run_time > datetime.now(UTC) + timedelta(minutes=50)
    assert f"run {config.db_path}" in marker.read_text()  # the crawl sees the same database


def test_a_run_missed_by_more_than_the_grace_is_skipped(
    project: Project, started: Any, tmp_path: Path
) -> None:
    config = project.config(SEEDWIRE_SCHEDULE_MISFIRE_GRACE_HOURS="0.001")  # 3 s
    marker = tmp_path / "weekly.txt"
    specs = plan_jobs(config, weekly=marker_command(marker))
    started(config, specs).shutdown()
    set_next_run(config, "weekly", datetime.now(UTC) - timedelta(hours=1))
    events: list[Any] = []
    started(config, specs, events)
    wait_until(lambda: any(e.code == EVENT_JOB_MISSED for e in events))
    assert runs(marker) == 0


def test_a_failing_job_does_not_stop_the_scheduler(
    project: Project, started: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = project.config()
    marker = tmp_path / "crawl.txt"
    specs = plan_jobs(
        config,
        crawl=marker_command(marker, exit_code=3),
        triggers={"crawl": IntervalTrigger(seconds=1)},
    )
    events: list[Any] = []
    with caplog.at_level("ERROR", logger="digest.schedule"):
        scheduler = started(config, specs, events)
        wait_until(lambda: sum(e.code == EVENT_JOB_ERROR for e in events) >= 2)
    assert scheduler.running and runs(marker) >= 2
    assert "job crawl failed: crawl exited with status 3; log " in caplog.text
    logs = sorted((config.data_dir / "logs").glob("crawl-*.log"))
    assert logs and "# exit 3" in logs[-1].read_text()


def test_a_crawl_that_ignores_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    marker = tmp_path / "stubborn.txt"
    command = marker_command(
        marker,
        extra="import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(30)",
    )
    started_at = time.monotonic()
    result = run_command(
        command, cwd=tmp_path, log_path=tmp_path / "crawl.log", timeout=0.5, grace=0.5
    )
    assert result.timed_out and result.returncode == -signal.SIGKILL
    assert time.monotonic() - started_at < 5


def test_a_crawl_over_its_timeout_gets_sigterm_first(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.env["SEEDWIRE_SCHEDULE_CRAWL_TIMEOUT_MINUTES"] = "0.01"  # 0.6 s
    for key, value in project.env.items():  # jobs read the configuration themselves
        monkeypatch.setenv(key, value)
    config = project.config()
    marker = tmp_path / "graceful.txt"
    command = marker_command(
        marker,
        extra=(
            "import signal, time; signal.signal(signal.SIGTERM, lambda *a: "
            f"(open({str(marker)!r}, 'a').write('terminated\\n'), sys.exit(0))); time.sleep(30)"
        ),
    )
    with pytest.raises(ScheduleError, match="crawl stopped after 0.01 minutes"):
        crawl_job(str(config.root), command=command, grace=5)
    assert marker.read_text().endswith("terminated\n")


def test_schedule_list_shows_jobs_without_starting(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project.root)
    result = CliRunner().invoke(main, ["schedule", "--list"], env=project.env)
    assert result.exit_code == 0, result.output
    for job in ("crawl", "weekly", "deliveries"):
        assert f"\n{job} " in result.output
    assert "cron[day_of_week='mon', hour='7', minute='0']" in result.output
    assert "not stored yet" in result.output and "weekly sending: off" in result.output
    data = project.config().data_dir
    assert not (data / "scheduler.db").exists() and not (data / "scheduler.lock").exists()


def test_a_second_scheduler_refuses_and_sigterm_stops_the_first(project: Project) -> None:
    env = project.process_env()
    first = subprocess.Popen(
        seedwire_command("schedule"),
        cwd=project.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stdout is not None
        assert "scheduler running" in first.stdout.readline()
        second = subprocess.run(
            seedwire_command("schedule"),
            cwd=project.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        data_dir = project.config().data_dir
        assert second.returncode == 1
        assert (
            f"Error: another seedwire scheduler is running on {data_dir} (pid {first.pid}); "
            "stop it first" in second.stderr
        )
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    assert "scheduler stopped" in out and "Traceback" not in err


DRIVER = """
import sys
from apscheduler.triggers.interval import IntervalTrigger
from crawler.config import load_config
from digest.schedule import plan_jobs, run_scheduler

config = load_config()
crawl = [sys.executable, "-c", sys.argv[1]]
every_second = {"crawl": IntervalTrigger(seconds=1)}
run_scheduler(config, plan_jobs(config, crawl=crawl, triggers=every_second))
print("clean exit")
"""

CHILD = """
import os, signal, sys, time
marker = {marker!r}
def stop(*args):
    open(marker, "a").write("terminated\\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
open(marker, "a").write("started %d\\n" % os.getpid())
time.sleep(60)
"""


def test_sigterm_stops_a_running_crawl_gracefully(project: Project, tmp_path: Path) -> None:
    marker = tmp_path / "crawl.txt"
    child = CHILD.format(marker=str(marker))
    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, child],
        cwd=project.root,
        env=project.process_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: "started" in (marker.read_text() if marker.exists() else ""))
        crawl_pid = int(marker.read_text().split()[1])
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "clean exit" in out
    assert marker.read_text().endswith("terminated\n")
    with pytest.raises(ProcessLookupError):
        os.kill(crawl_pid, 0)


def test_run_once_builds_and_sends_and_respects_the_lock(
    mailed: Project, smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = mailed.db()
    store_issue(db)
    add_active(db, "a@example.org")
    monkeypatch.chdir(mailed.root)
    args = ["run", "--once", "--no-crawl", "--now", NOW.isoformat()]
    result = CliRunner().invoke(main, args, env=mailed.env)
    assert result.exit_code == 0, result.output
    assert f"issue #1 {PERIOD}: already built" in result.output
    assert "not sent (email.send is off; --send to send)" in result.output
    result = CliRunner().invoke(main, [*args, "--send"], env=mailed.env)
    assert "sent 1, failed 0, deferred 0" in result.output
    assert [m.recipients for m in smtp.handler.wait_for(1)] == [["a@example.org"]]
    with scheduler_lock(mailed.config()):
        result = CliRunner().invoke(main, [*args, "--send"], env=mailed.env)
    assert result.exit_code == 1 and "another seedwire scheduler is running" in result.output
    assert "--once" in CliRunner().invoke(main, ["run"], env=mailed.env).output


def test_the_hourly_job_resumes_pending_deliveries_without_new_recipients(
    mailed: Project, smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crawler import store
    from digest.deliver import DeliveryError, send_issue
    from digest.schedule import deliveries_job

    db = mailed.db()
    store_issue(db)
    add_active(db, "early@example.org")
    with pytest.raises(DeliveryError):  # the SMTP server was down at send time
        send_issue(db, mailed.config(SEEDWIRE_EMAIL_SMTP_PORT="1"), now=NOW, period=PERIOD)
    add_active(db, "late@example.org")
    for key, value in {**mailed.env, "SEEDWIRE_EMAIL_SEND": "false"}.items():
        monkeypatch.setenv(key, value)
    assert deliveries_job(str(mailed.root)) == 0  # sending is off: nothing happens
    monkeypatch.setenv("SEEDWIRE_EMAIL_SEND", "true")
    assert deliveries_job(str(mailed.root)) == 1
    assert [m.recipients for m in smtp.handler.wait_for(1)] == [["early@example.org"]]
    assert store.get_subscriber(db, "late@example.org")["status"] == "active"
    assert deliveries_job(str(mailed.root)) == 0
