"""`seedwire serve|schedule|run`: the web app, the scheduler daemon and one cycle for cron."""

from __future__ import annotations

import logging
import signal
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from digest.cli import Context, echo_table, main, pass_ctx
from digest.cli_delivery import delivery_errors, parse_now


def _config_file() -> str | None:
    value = click.get_current_context().find_root().params.get("config_file")
    return str(Path(value).resolve()) if value else None


def _daemon_logging() -> None:
    """Daemons log what they do (INFO) unless -v asked for more."""
    for name in ("digest", "crawler"):
        log = logging.getLogger(name)
        if log.getEffectiveLevel() > logging.INFO:
            log.setLevel(logging.INFO)


# ----------------------------------------------------------------------------- serve


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@main.command("serve")
@click.option("--host", help="Listen address (default: web.host).")
@click.option("--port", type=int, help="Port (default: web.port; 0 = any free port).")
@pass_ctx
@delivery_errors
def serve_cmd(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve out/ (archive, feeds) and the subscribe/confirm/unsubscribe pages.

    Needs SEEDWIRE_SECRET. Put it behind a reverse proxy for TLS and point
    site.base_url at it.

    \b
    Example:
      SEEDWIRE_SECRET=... seedwire serve --port 8080
    """
    from digest.web import make_server

    _daemon_logging()
    server = make_server(ctx.config, host, port)
    where = server.server_address
    click.echo(
        f"serving {ctx.config.out_dir} and subscriptions on http://{where[0]}:{where[1]}/ "
        "(Ctrl-C to stop)"
    )
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()


# ----------------------------------------------------------------------------- schedule


def _when(moment: datetime | None, ctx: Context) -> str:
    if moment is None:
        return "paused"
    return moment.astimezone(ctx.config.tz).strftime("%Y-%m-%d %H:%M %Z")


@main.command("schedule")
@click.option(
    "--list",
    "list_only",
    is_flag=True,
    help="Show the jobs and their next run times, without starting.",
)
@pass_ctx
@delivery_errors
def schedule_cmd(ctx: Context, list_only: bool) -> None:
    """Run the scheduler: the crawl every few hours, the weekly issue (and its sending).

    One scheduler per data directory; SIGTERM or Ctrl-C stops it cleanly. Schedule
    changes in the configuration take effect when it is restarted.

    \b
    Examples:
      seedwire schedule --list
      seedwire schedule
    """
    from digest.schedule import list_jobs, plan_jobs, run_scheduler

    specs = plan_jobs(ctx.config, config_file=_config_file())
    if list_only:
        rows = [
            {
                "job": r.id,
                "what": r.name,
                "when": r.trigger,
                "next run": _when(r.next_run, ctx),
                "state": r.state,
            }
            for r in list_jobs(ctx.config, specs)
        ]
        echo_table(rows, ["job", "what", "when", "next run", "state"])
        send = "on" if ctx.config.email.send else "off (email.send = false)"
        click.echo(f"weekly sending: {send}; job store: {ctx.config.data_dir / 'scheduler.db'}")
        return
    _daemon_logging()

    def started(scheduler: Any) -> None:
        click.echo(f"scheduler running on {ctx.config.data_dir} (Ctrl-C or SIGTERM to stop)")

    run_scheduler(ctx.config, specs, on_start=started)
    click.echo("scheduler stopped")


@main.command("run")
@click.option("--once", is_flag=True, help="One cycle: crawl, build, send (for cron).")
@click.option("--crawl/--no-crawl", default=True, show_default=True, help="Crawl first.")
@click.option(
    "--send/--no-send",
    default=None,
    help="Send the issue (default: email.send from the configuration).",
)
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this time.")
@pass_ctx
@delivery_errors
def run_cmd(ctx: Context, once: bool, crawl: bool, send: bool | None, now_text: str | None) -> None:
    """Crawl, build the last complete week's issue and send it, once (for cron users).

    Refuses to run while `seedwire schedule` runs on the same data directory.

    \b
    Example (crontab):
      0 7 * * 1  cd /srv/seedwire && .venv/bin/seedwire run --once
    """
    from digest.schedule import run_once

    if not once:
        raise click.UsageError("use `seedwire run --once` (or `seedwire schedule` for the daemon)")
    report = run_once(
        ctx.config, now=parse_now(now_text, ctx), config_file=_config_file(), crawl=crawl, send=send
    )
    if report.crawl is not None:
        click.echo(f"crawl finished in {report.crawl.seconds:.0f}s (log {report.crawl.log})")
    cycle = report.cycle
    if cycle is not None:
        if cycle.empty:
            click.echo(f"{cycle.period}: nothing new, no issue")
        else:
            built = "built" if cycle.built else "already built"
            click.echo(f"issue #{cycle.number} {cycle.period}: {built}")
            if cycle.send:
                click.echo(f"sent {cycle.sent}, failed {cycle.failed}, deferred {cycle.deferred}")
            else:
                click.echo("not sent (email.send is off; --send to send)")
    if report.errors:
        raise click.ClickException("; ".join(report.errors))
