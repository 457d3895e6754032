"""The daemon (``seedwire schedule``) and one cycle for cron users (``seedwire run --once``).

APScheduler 3.11 ``BlockingScheduler`` with its jobs in a SQLAlchemy job store
(``sqlite:///<data_dir>/scheduler.db``), so they survive restarts:

* ``crawl``: ``python -m scrapy crawl sources`` as a subprocess in the project root every
  ``schedule.crawl_every_hours`` (the Twisted reactor cannot be restarted in one process),
  its output in ``data/logs/crawl-<time>.log``, stopped after ``schedule.crawl_timeout_minutes``
  (SIGTERM, which Scrapy treats as a graceful shutdown, then SIGKILL after a grace period);
* ``weekly``: at ``schedule.weekly`` in ``site.timezone``, build the last complete week's
  issue (when it is not built yet) and send it when ``email.send`` is true;
* ``deliveries``: hourly, when ``email.send`` is true, resume deliveries of the newest issue
  left pending (SMTP server down at send time, 4xx answers); it never adds recipients.

Every job has ``coalesce=True``, ``max_instances=1`` and ``misfire_grace_time`` =
``schedule.misfire_grace_hours``: a machine that was off at 07:00 runs the weekly job once when
it comes back (within the grace), not once per missed run. Jobs are re-added at every start
with ``replace_existing=True``; a job whose trigger did not change keeps its stored next run
time (a plain re-add would recompute it from "now" and silently drop a missed run). Trigger
changes in the configuration take effect on restart. Job functions are module-level and get
plain arguments (the project root, the config file, CLI overrides, an optional command):
never a Config, which holds secrets and must not be pickled into the job store.

One scheduler per data directory: ``data/scheduler.lock`` (``fcntl.flock``, holding the pid).
SIGTERM/SIGINT stop it cleanly: no new jobs, a running crawl gets SIGTERM (SIGKILL after
:data:`STOP_GRACE` seconds), a running send stops between two messages.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.config import Config, load_config
from crawler.store import delivery_counts, open_db
from crawler.store.digests import list_digests
from crawler.timeparse import last_complete_period, parse_weekly

logger = logging.getLogger(__name__)

STOP_GRACE = 30.0
"""Seconds a crawl gets to finish after SIGTERM (shutdown or timeout) before SIGKILL."""
KEEP_LOGS = 100
JOBSTORE_FILE = "scheduler.db"
LOCK_FILE = "scheduler.lock"

_STOP = threading.Event()
_CHILDREN: set[subprocess.Popen[bytes]] = set()
_CHILDREN_LOCK = threading.Lock()


class ScheduleError(Exception):
    """The scheduler cannot start (another one runs, bad schedule) or a job failed."""


class _Stopped(BaseException):
    """Raised in the main thread by SIGTERM/SIGINT to leave the scheduler's loop."""


def crawl_command(config: Config | None = None) -> list[str]:
    """``scrapy crawl sources``; with ``scale.redis_url``, ``seedwire scale crawl``: that many
    local workers (``scale.workers``) on the shared Redis frontier, plus the writer."""
    if config is not None and config.scale.redis_url:
        return [sys.executable, "-c", "from digest.cli import run; run()", "scale", "crawl",
                "--workers", str(max(1, config.scale.workers))]
    return [sys.executable, "-m", "scrapy", "crawl", "sources"]


# ----------------------------------------------------------------------------- subprocesses


@dataclass
class CommandResult:
    returncode: int | None
    log: Path
    seconds: float
    timed_out: bool = False
    stopped: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.stopped


def _signal_group(proc: subprocess.Popen[bytes], sig: int, *, group: bool) -> None:
    try:
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
    except (ProcessLookupError, PermissionError):
        pass


def run_command(
    command: list[str],
    *,
    cwd: Path,
    log_path: Path,
    timeout: float | None,
    env: dict[str, str] | None = None,
    grace: float = STOP_GRACE,
    poll: float = 0.2,
) -> CommandResult:
    """Run ``command`` with its output in ``log_path``; stop it on timeout or shutdown.

    Stopping is SIGTERM to the process, then SIGKILL to its whole process group after
    ``grace`` seconds (the child runs in its own session, so a terminal's Ctrl-C reaches
    only the scheduler, which then decides).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log_path, "ab") as log:
        log.write(f"$ {' '.join(command)}  (cwd {cwd})\n".encode())
        log.flush()
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        with _CHILDREN_LOCK:
            _CHILDREN.add(proc)
        result = CommandResult(None, log_path, 0.0)
        kill_at: float | None = None
        try:
            while True:
                try:
                    result.returncode = proc.wait(timeout=poll)
                    break
                except subprocess.TimeoutExpired:
                    pass
                now = time.monotonic()
                if kill_at is None and _STOP.is_set():
                    logger.info("stopping %s (pid %d): SIGTERM", command[-1], proc.pid)
                    result.stopped = True
                    _signal_group(proc, signal.SIGTERM, group=False)
                    kill_at = now + grace
                elif kill_at is None and timeout is not None and now - started > timeout:
                    logger.error("%s ran longer than %gs: SIGTERM", command[-1], timeout)
                    result.timed_out = True
                    _signal_group(proc, signal.SIGTERM, group=False)
                    kill_at = now + grace
                elif kill_at is not None and now > kill_at:
                    logger.error("%s (pid %d) ignored SIGTERM: SIGKILL", command[-1], proc.pid)
                    _signal_group(proc, signal.SIGKILL, group=True)
                    kill_at = float("inf")
        finally:
            if proc.poll() is None:  # an exception in this thread: do not leave it behind
                _signal_group(proc, signal.SIGKILL, group=True)
                proc.wait()
            with _CHILDREN_LOCK:
                _CHILDREN.discard(proc)
            result.seconds = time.monotonic() - started
            log.write(f"\n# exit {result.returncode} after {result.seconds:.1f}s\n".encode())
    return result


def kill_children() -> None:
    """SIGKILL every running job subprocess (a second Ctrl-C)."""
    with _CHILDREN_LOCK:
        children = list(_CHILDREN)
    for proc in children:
        _signal_group(proc, signal.SIGKILL, group=True)


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _prune_logs(directory: Path, prefix: str, keep: int = KEEP_LOGS) -> None:
    logs = sorted(directory.glob(f"{prefix}-*.log"))
    for old in logs[:-keep]:
        old.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- the jobs


def load_job_config(
    root: str, config_file: str | None = None, overrides: dict[str, dict[str, Any]] | None = None
) -> Config:
    """The configuration as the scheduler was started with it (file + environment + flags)."""
    return load_config(
        Path(root), file=Path(config_file) if config_file else None, overrides=overrides
    )


def child_env(
    config: Config, config_file: str | None, overrides: dict[str, dict[str, Any]] | None
) -> dict[str, str]:
    """The environment of a job subprocess: ours (SEEDWIRE_* included), the config file, the
    command-line overrides as SEEDWIRE_* variables and the resolved paths, so the crawl sees
    the same settings and the same database."""
    env = dict(os.environ)
    if config_file:
        env["SEEDWIRE_CONFIG"] = str(Path(config_file).resolve())
    for section, table in (overrides or {}).items():
        for key, value in table.items():
            if value is None:
                continue
            text = ",".join(value) if isinstance(value, list) else str(value)
            env[f"SEEDWIRE_{section}_{key}".upper()] = text
    env["SEEDWIRE_DB"] = str(config.db_path)
    env["SEEDWIRE_DATA_DIR"] = str(config.data_dir)
    env["SEEDWIRE_OUT_DIR"] = str(config.out_dir)
    env["SEEDWIRE_SEEDS_DIR"] = str(config.seeds_dir)
    return env


def crawl_job(
    root: str,
    config_file: str | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
    command: list[str] | None = None,
    grace: float = STOP_GRACE,
) -> CommandResult:
    """The crawl as a subprocess; raises :class:`ScheduleError` when it fails or times out."""
    config = load_job_config(root, config_file, overrides)
    logs = config.data_dir / "logs"
    log_path = logs / f"crawl-{_stamp()}.log"
    result = run_command(
        command or crawl_command(config),
        cwd=config.root,
        log_path=log_path,
        timeout=config.schedule.crawl_timeout_minutes * 60,
        env=child_env(config, config_file, overrides),
        grace=grace,
    )
    _prune_logs(logs, "crawl")
    if result.stopped:
        logger.warning("crawl stopped by shutdown after %.0fs; log %s", result.seconds, log_path)
    elif result.timed_out:
        raise ScheduleError(
            f"crawl stopped after {config.schedule.crawl_timeout_minutes:g} minutes "
            f"(schedule.crawl_timeout_minutes); log {log_path}"
        )
    elif result.returncode != 0:
        raise ScheduleError(f"crawl exited with status {result.returncode}; log {log_path}")
    else:
        logger.info("crawl finished in %.0fs; log %s", result.seconds, log_path)
    return result


@dataclass
class CycleReport:
    period: str
    built: bool = False
    number: int | None = None
    empty: bool = False
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    uncertain: int = 0
    send: bool = False
    crawl: CommandResult | None = None
    errors: list[str] = field(default_factory=list)


def build_and_send(
    config: Config,
    *,
    now: datetime,
    send: bool | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> CycleReport:
    """Build the last complete week's issue when missing; send it when ``send`` (default
    ``email.send``). A send that cannot reach the server raises ``DeliveryError``."""
    from digest.deliver import find_or_build, send_issue  # local: rendering is heavy

    period = last_complete_period(now, config.tz)
    report = CycleReport(period=period, send=config.email.send if send is None else send)
    db = open_db(config.db_path)
    try:
        digest, report.built = find_or_build(db, config, period, now)
        if digest is None:
            report.empty = True
            logger.info("%s: nothing new, no issue", period)
            return report
        report.number = digest["number"]
        if not report.send:
            logger.info("issue #%s (%s) ready; email.send is off", digest["number"], period)
            return report
        sent = send_issue(db, config, now=now, period=period, stop=stop)
        report.sent, report.failed = len(sent.sent), len(sent.failed)
        report.deferred, report.uncertain = len(sent.deferred), len(sent.uncertain)
        logger.info(
            "issue #%s (%s): %d sent, %d failed, %d deferred, %d already sent",
            digest["number"],
            period,
            report.sent,
            report.failed,
            report.deferred,
            sent.already_sent,
        )
        return report
    finally:
        db.conn.close()


def weekly_job(
    root: str,
    config_file: str | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
    command: list[str] | None = None,
) -> CycleReport | CommandResult:
    """Build (and, with ``email.send``, send) the last complete week's issue; ``command``
    runs that program instead (a site-specific wrapper)."""
    config = load_job_config(root, config_file, overrides)
    if command:
        log_path = config.data_dir / "logs" / f"weekly-{_stamp()}.log"
        result = run_command(
            command,
            cwd=config.root,
            log_path=log_path,
            timeout=None,
            env=child_env(config, config_file, overrides),
        )
        if not result.ok and not result.stopped:
            raise ScheduleError(f"weekly command exited with {result.returncode}; log {log_path}")
        return result
    return build_and_send(config, now=datetime.now(UTC), stop=_STOP.is_set)


def deliveries_job(
    root: str,
    config_file: str | None = None,
    overrides: dict[str, dict[str, Any]] | None = None,
) -> int:
    """Resume the newest issue's pending deliveries (only when ``email.send``); how many sent."""
    config = load_job_config(root, config_file, overrides)
    if not config.email.send:
        return 0
    from digest.deliver import send_issue

    db = open_db(config.db_path)
    try:
        newest = list_digests(db, 1)
        if not newest or not delivery_counts(db, newest[0]["id"]).get("pending"):
            return 0
        period = newest[0]["period"]
        logger.info("resuming pending deliveries of %s", period)
        report = send_issue(
            db,
            config,
            now=datetime.now(UTC),
            period=period,
            new_recipients=False,
            stop=_STOP.is_set,
        )
        return len(report.sent)
    finally:
        db.conn.close()


# ----------------------------------------------------------------------------- the plan


@dataclass
class JobSpec:
    id: str
    name: str
    func: Callable[..., Any]
    trigger: BaseTrigger
    kwargs: dict[str, Any]


def weekly_trigger(config: Config) -> CronTrigger:
    day, hour, minute = parse_weekly(config.schedule.weekly)
    return CronTrigger(day_of_week=day, hour=hour, minute=minute, timezone=config.tz)


def crawl_trigger(config: Config) -> IntervalTrigger:
    hours = config.schedule.crawl_every_hours
    if hours <= 0:
        raise ScheduleError("schedule.crawl_every_hours must be more than 0")
    return IntervalTrigger(seconds=int(hours * 3600), timezone=config.tz)


def cli_overrides(config: Config) -> dict[str, dict[str, Any]]:
    """The values that came from command-line flags, to hand on to jobs."""
    found: dict[str, dict[str, Any]] = {}
    for section, key, value, origin in config.items():
        if origin == "command line":
            found.setdefault(section, {})[key] = value
    return found


def plan_jobs(
    config: Config,
    *,
    config_file: str | None = None,
    crawl: list[str] | None = None,
    weekly: list[str] | None = None,
    triggers: dict[str, BaseTrigger] | None = None,
) -> list[JobSpec]:
    """The jobs the configuration asks for (``crawl``/``weekly``: command overrides;
    ``triggers``: trigger overrides by job id, for tests and demos)."""
    base = {
        "root": str(config.root),
        "config_file": config_file,
        "overrides": cli_overrides(config) or None,
    }
    triggers = triggers or {}
    return [
        JobSpec(
            "crawl",
            "crawl the sources",
            crawl_job,
            triggers.get("crawl") or crawl_trigger(config),
            {**base, "command": crawl},
        ),
        JobSpec(
            "weekly",
            "build and send the weekly issue",
            weekly_job,
            triggers.get("weekly") or weekly_trigger(config),
            {**base, "command": weekly},
        ),
        JobSpec(
            "deliveries",
            "resume pending deliveries",
            deliveries_job,
            triggers.get("deliveries") or IntervalTrigger(hours=1, timezone=config.tz),
            dict(base),
        ),
    ]


def trigger_key(trigger: BaseTrigger) -> str:
    """What identifies a trigger across restarts (an interval's start date does not)."""
    if isinstance(trigger, IntervalTrigger):
        return f"interval:{trigger.interval.total_seconds()}:{trigger.timezone}"
    if isinstance(trigger, CronTrigger):
        return f"{trigger}:{trigger.timezone}"
    return repr(trigger)


def jobstore_url(config: Config) -> str:
    return f"sqlite:///{config.data_dir / JOBSTORE_FILE}"


@dataclass
class StoredJob:
    id: str
    trigger: str
    trigger_key: str
    next_run_time: datetime | None


def stored_jobs(config: Config, keep: set[str] | None = None) -> dict[str, StoredJob]:
    """The jobs in the job store, without starting a scheduler; with ``keep``, jobs whose id
    is not in it are removed (jobs an older configuration or version had)."""
    path = config.data_dir / JOBSTORE_FILE
    if not path.exists():
        return {}
    store = SQLAlchemyJobStore(url=jobstore_url(config))
    store.start(BackgroundScheduler(timezone=config.tz), "default")
    try:
        found = {}
        for job in store.get_all_jobs():
            if keep is not None and job.id not in keep:
                logger.info("removing job %s from the job store (no longer configured)", job.id)
                store.remove_job(job.id)
                continue
            found[job.id] = StoredJob(
                job.id, str(job.trigger), trigger_key(job.trigger), job.next_run_time
            )
        return found
    finally:
        store.shutdown()


def _on_event(event: JobExecutionEvent) -> None:
    if event.code == EVENT_JOB_ERROR:
        logger.error("job %s failed: %s", event.job_id, event.exception)
    elif event.code == EVENT_JOB_MISSED:
        logger.warning(
            "job %s missed its run at %s by more than schedule.misfire_grace_hours: skipped",
            event.job_id,
            event.scheduled_run_time,
        )
    else:
        logger.info("job %s done", event.job_id)


def build_scheduler(
    config: Config,
    specs: list[JobSpec],
    *,
    scheduler_cls: type[BaseScheduler] = BlockingScheduler,
) -> BaseScheduler:
    """A scheduler with ``specs`` added (``replace_existing``), keeping stored next run times
    of jobs whose trigger is unchanged. Not started."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    grace = max(1, int(config.schedule.misfire_grace_hours * 3600))
    stored = stored_jobs(config, keep={spec.id for spec in specs})
    scheduler = scheduler_cls(
        jobstores={"default": SQLAlchemyJobStore(url=jobstore_url(config))},
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
        timezone=config.tz,
    )
    scheduler.add_listener(_on_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_EXECUTED)
    for spec in specs:
        options: dict[str, Any] = {}
        old = stored.get(spec.id)
        if old and old.trigger_key == trigger_key(spec.trigger) and old.next_run_time:
            options["next_run_time"] = old.next_run_time
        elif old:
            logger.info("job %s: schedule changed (%s → %s)", spec.id, old.trigger, spec.trigger)
        scheduler.add_job(
            spec.func,
            spec.trigger,
            id=spec.id,
            name=spec.name,
            kwargs=spec.kwargs,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=grace,
            **options,
        )
    return scheduler


@dataclass
class JobRow:
    id: str
    name: str
    trigger: str
    next_run: datetime | None
    state: str  # "stored", "not stored yet", "changes on restart"


def list_jobs(config: Config, specs: list[JobSpec]) -> list[JobRow]:
    """The configured jobs with their next run times (from the job store when it has them),
    without starting anything."""
    stored = stored_jobs(config)
    now = datetime.now(config.tz)
    rows = []
    for spec in specs:
        old = stored.get(spec.id)
        if old and old.trigger_key == trigger_key(spec.trigger):
            rows.append(JobRow(spec.id, spec.name, str(spec.trigger), old.next_run_time, "stored"))
            continue
        state = "changes on restart" if old else "not stored yet"
        rows.append(
            JobRow(
                spec.id,
                spec.name,
                str(spec.trigger),
                spec.trigger.get_next_fire_time(None, now),
                state,
            )
        )
    return rows


# ----------------------------------------------------------------------------- the daemon


@contextmanager
def scheduler_lock(config: Config) -> Iterator[Path]:
    """Hold ``data/scheduler.lock`` (with our pid) or raise :class:`ScheduleError`."""
    path = config.data_dir / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held while the scheduler runs
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            pid = handle.read().strip() or "?"
            raise ScheduleError(
                f"another seedwire scheduler is running on {config.data_dir} (pid {pid}); "
                "stop it first"
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield path
    finally:
        handle.close()


def _first_signal(signum: int, frame: Any) -> None:
    logger.warning("%s: stopping (again to kill a running crawl)", signal.Signals(signum).name)
    _STOP.set()
    signal.signal(signal.SIGTERM, _second_signal)
    signal.signal(signal.SIGINT, _second_signal)
    raise _Stopped()


def _second_signal(signum: int, frame: Any) -> None:
    logger.warning("%s again: killing running job subprocesses", signal.Signals(signum).name)
    kill_children()


def run_scheduler(
    config: Config,
    specs: list[JobSpec],
    *,
    on_start: Callable[[BaseScheduler], None] | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (main thread only): lock, add jobs, start, stop cleanly."""
    with scheduler_lock(config):
        scheduler = build_scheduler(config, specs)
        _STOP.clear()
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
        for sig in previous:
            signal.signal(sig, _first_signal)
        try:
            if on_start:
                on_start(scheduler)
            logger.info("scheduler started (pid %d) on %s", os.getpid(), config.data_dir)
            scheduler.start()
        except _Stopped:
            pass
        finally:
            _STOP.set()
            if scheduler.state != STATE_STOPPED:
                scheduler.shutdown(wait=True)  # running jobs see _STOP and wind down
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            logger.info("scheduler stopped")


@dataclass
class OnceReport:
    crawl: CommandResult | None
    cycle: CycleReport | None
    errors: list[str] = field(default_factory=list)


def run_once(
    config: Config,
    *,
    now: datetime,
    config_file: str | None = None,
    crawl: bool = True,
    send: bool | None = None,
    command: list[str] | None = None,
) -> OnceReport:
    """One cycle for cron: crawl (subprocess), build, send when asked or configured.

    Takes the scheduler lock: it refuses to run beside the daemon. A failed crawl is
    reported and the issue is still built from what is stored.
    """
    report = OnceReport(crawl=None, cycle=None)
    with scheduler_lock(config):
        if crawl:
            try:
                report.crawl = crawl_job(
                    str(config.root), config_file, cli_overrides(config) or None, command
                )
            except ScheduleError as exc:
                report.errors.append(str(exc))
        report.cycle = build_and_send(config, now=now, send=send)
    return report
