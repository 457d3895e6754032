"""`seedwire ingest` and `seedwire scale crawl|status`: crawl workers on a shared Redis."""

from __future__ import annotations

import functools
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import click

from crawler.config import Config
from digest.cli import Context, echo_json, main, pass_ctx, user_errors

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def scale_errors(func: F) -> F:
    @functools.wraps(func)
    @user_errors
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from crawler.scale.keys import ScaleError

        try:
            return func(*args, **kwargs)
        except ScaleError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def redis_url(config: Config) -> str:
    if not config.scale.redis_url:
        raise click.ClickException(
            "scale.redis_url is not set (seedwire.toml [scale] or SEEDWIRE_REDIS_URL)")
    return config.scale.redis_url


def crawl_now() -> datetime:
    """SEEDWIRE_NOW when set (reproducible runs, as the crawl reads it), else the clock."""
    value = os.environ.get("SEEDWIRE_NOW", "")
    if not value:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """SIGTERM/SIGINT set the event (the work winds down) instead of killing the process."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    for sig in previous:
        signal.signal(sig, lambda signum, frame: stop.set())
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _writer(ctx: Context) -> Any:
    from crawler.scale.keys import connect
    from crawler.scale.writer import Writer

    return Writer(connect(redis_url(ctx.config)), ctx.db, seeds_dir=ctx.config.seeds_dir)


@main.command("ingest")
@click.option("--once", is_flag=True, help="Handle what is queued, then exit.")
@click.option("--publish/--no-publish", default=True, show_default=True,
              help="Re-read the seeds and publish sources, profiles and known URLs first.")
@click.option("--publish-every", type=float, default=300.0, show_default=True,
              help="Seconds between publications while no crawl runs.")
@pass_ctx
@scale_errors
def ingest_cmd(ctx: Context, once: bool, publish: bool, publish_every: float) -> None:
    """The one writer of a scaled-out crawl: workers' results from Redis into SQLite.

    Publishes what the workers read (sources, topic profiles, stored URLs, validators), then
    stores the pages they queue, until stopped (SIGTERM/Ctrl-C finish the current message).
    Needs scale.redis_url (SEEDWIRE_REDIS_URL). Run exactly one, next to the database.

    \b
    Example:
      SEEDWIRE_REDIS_URL=redis://10.0.0.5:6379/0 seedwire ingest
    """
    import time

    writer = _writer(ctx)
    with writer, stop_on_signals() as stop:
        writer.recover()
        started = time.monotonic()  # what waits is stored first: it then counts as known
        writer.drain(block=0.2, until_idle=True,
                     stop=lambda: stop.is_set() or time.monotonic() - started > 60)
        published = time.monotonic()
        if publish:
            click.echo(f"published: {writer.publish(crawl_now())}")
        if once:
            writer.drain(block=0.5, until_idle=True, stop=stop.is_set)
        else:
            click.echo("ingesting (Ctrl-C to stop)")
            while not stop.is_set():
                writer.drain(block=1.0, until_idle=True, stop=stop.is_set)
                if publish and time.monotonic() - published > publish_every \
                        and not writer.crawl_running():
                    writer.publish(crawl_now())
                    published = time.monotonic()
    click.echo(f"{writer.handled} messages stored"
               + (f", {writer.set_aside} set aside" if writer.set_aside else ""))


@main.group("scale")
def scale_group() -> None:
    """Several crawl workers on one shared Redis frontier (scale.redis_url)."""


def worker_args(topic: str | None, source: str | None, since: str | None,
                max_pages: int | None) -> list[str]:
    args: list[str] = []
    for name, value in (("topic", topic), ("source", source), ("since", since),
                        ("max_pages", max_pages)):
        if value is not None:
            args += ["-a", f"{name}={value}"]
    return args


@scale_group.command("crawl")
@click.option("-n", "--workers", type=int, help="Worker processes (default: scale.workers).")
@click.option("--topic", help="Only this topic's sources.")
@click.option("--source", help="Only this host.")
@click.option("--since", help="Skip listed articles dated before YYYY-MM-DD.")
@click.option("--max-pages", type=int, help="Page budget per source (shared by the workers).")
@pass_ctx
@scale_errors
def scale_crawl_cmd(ctx: Context, workers: int | None, topic: str | None, source: str | None,
                    since: str | None, max_pages: int | None) -> None:
    """One crawl by N local workers plus the writer, start to end.

    Workers on other machines (`scrapy crawl sources` with the same SEEDWIRE_REDIS_URL) join
    the same crawl. Logs: data/logs/scale-<time>/worker-N.log.

    \b
    Example:
      seedwire scale crawl --workers 3
    """
    from crawler.scale.local import run_local

    config = ctx.config
    count = workers or config.scale.workers
    env = dict(os.environ)
    env["SEEDWIRE_REDIS_URL"] = redis_url(config)
    env["SEEDWIRE_SEEDS_DIR"] = str(config.seeds_dir)
    log_dir = config.data_dir / "logs" / f"scale-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    writer = _writer(ctx)
    with writer, stop_on_signals() as stop:
        click.echo(f"crawling with {count} workers (logs: {log_dir})")
        report = run_local(writer, workers=count, now=crawl_now(), cwd=config.root, env=env,
                           log_dir=log_dir, args=worker_args(topic, source, since, max_pages),
                           stop=stop.is_set)
    codes = ", ".join(str(code) for code in report.returncodes)
    click.echo(f"{report.handled} messages stored in {report.seconds:.0f}s; "
               f"workers exited with {codes}")
    if report.stopped:
        raise click.ClickException("stopped before the crawl finished")
    if not report.ok:
        raise click.ClickException(f"a worker failed; see {log_dir}")


@scale_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
@scale_errors
def scale_status_cmd(ctx: Context, as_json: bool) -> None:
    """The shared frontier: crawl generation, workers, queued requests and results.

    \b
    Example:
      seedwire scale status
    """
    from crawler.scale.keys import connect, redact
    from crawler.scale.status import frontier_status

    url = redis_url(ctx.config)
    data = {"redis": redact(url), **frontier_status(connect(url))}
    if as_json:
        echo_json(data)
        return
    click.echo(f"Redis: {data['redis']}")
    click.echo(f"published: {data['published'] or 'never (run seedwire ingest)'}; "
               f"known URLs: {data['known']}; writer: {data['writer'] or 'not running'}")
    click.echo(f"outbox: {data['outbox']} queued, {data['processing']} being stored, "
               f"{data['failed']} set aside")
    generation = data["generation"]
    if generation is None:
        click.echo("no crawl yet")
        return
    click.echo(f"crawl generation {generation['id']}: "
               f"{'done' if generation['done'] else 'running'}, "
               f"{generation['queued']} requests queued, {generation['seen']} seen")
    for worker, state in sorted(generation["workers"].items()):
        click.echo(f"  {worker}: {state}")

