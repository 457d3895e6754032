"""`seedwire subscribers|serve|schedule|run` and `seedwire digest send`."""

from __future__ import annotations

import functools
import logging
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from digest.build import DigestError
from digest.cli import Context, echo_json, echo_table, main, pass_ctx, user_errors
from digest.cli_digest import digest_group
from digest.mail import DeliveryError
from digest.schedule import ScheduleError
from digest.subscribers import STATUSES, SubscriberError
from digest.tokens import SecretMissing

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def delivery_errors(func: F) -> F:
    """Subscriber, delivery, secret and schedule errors → one clear line (exit status 1)."""

    @functools.wraps(func)
    @user_errors
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DeliveryError as exc:
            if exc.report is not None:
                _echo_send_report(exc.report)
            raise click.ClickException(str(exc)) from exc
        except (SubscriberError, ScheduleError, SecretMissing, DigestError) as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def parse_now(text: str | None, ctx: Context) -> datetime:
    """``--now``: an ISO date/time (naive = in site.timezone); default: the real clock."""
    if not text:
        return ctx.now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"expected an ISO date/time, got {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=ctx.config.tz)


def _config_file() -> str | None:
    value = click.get_current_context().find_root().params.get("config_file")
    return str(Path(value).resolve()) if value else None


def _daemon_logging() -> None:
    """Daemons log what they do (INFO) unless -v asked for more."""
    for name in ("digest", "crawler"):
        log = logging.getLogger(name)
        if log.getEffectiveLevel() > logging.INFO:
            log.setLevel(logging.INFO)


def _topics_text(topics: list[str] | None) -> str:
    return "all topics" if not topics else ", ".join(topics)


# ----------------------------------------------------------------------------- subscribers


@main.group("subscribers")
def subscribers_group() -> None:
    """Subscribers: add, remove, list, import.

    \b
    Statuses: pending (asked on the web, not confirmed), active (gets the
    issue), unsubscribed, bounced. Topics: slugs; none = all topics.
    """


@subscribers_group.command("add")
@click.argument("email")
@click.option(
    "--topic",
    "topics",
    multiple=True,
    metavar="SLUG",
    help="Only this topic (repeat for several); default: all topics.",
)
@click.option("--all-topics", is_flag=True, help="Every topic (clears a known subscriber's list).")
@click.option("--name", help="Display name (used in the To header).")
@click.option(
    "--active/--pending",
    "active",
    default=None,
    help="Status of a new address (default: active); changes a known one.",
)
@click.option(
    "--resubscribe",
    is_flag=True,
    help="Allow an unsubscribed or bounced address again (only with consent).",
)
@pass_ctx
@delivery_errors
def subscribers_add(
    ctx: Context,
    email: str,
    topics: tuple[str, ...],
    all_topics: bool,
    name: str | None,
    active: bool | None,
    resubscribe: bool,
) -> None:
    """Add a subscriber (or change a known one's name, topics or status).

    \b
    Examples:
      seedwire subscribers add li@example.org --topic gpt-4o --name "Li Lei"
      seedwire subscribers add "Ann <ann@example.org>"
      seedwire subscribers add old@example.org --resubscribe
    """
    from digest.subscribers import add_subscriber, parse_topics

    if all_topics and topics:
        raise click.UsageError("--topic and --all-topics exclude each other")
    status = None if active is None else ("active" if active else "pending")
    outcome, row = add_subscriber(
        ctx.db,
        email,
        now=ctx.now(),
        name=name,
        topics=parse_topics(topics) if topics else None,
        set_topics=bool(topics) or all_topics,
        status=status,
        resubscribe=resubscribe,
    )
    click.echo(f"{outcome} {row['email']} ({row['status']}, {_topics_text(row['topics'])})")


@subscribers_group.command("remove")
@click.argument("email")
@click.option(
    "--delete",
    is_flag=True,
    help="Erase the address and its delivery history instead of unsubscribing it.",
)
@pass_ctx
@delivery_errors
def subscribers_remove(ctx: Context, email: str, delete: bool) -> None:
    """Unsubscribe an address (kept, so it is never mailed again), or erase it.

    \b
    Examples:
      seedwire subscribers remove li@example.org
      seedwire subscribers remove li@example.org --delete
    """
    from digest.subscribers import remove_subscriber

    outcome = remove_subscriber(ctx.db, email, now=ctx.now(), delete=delete)
    click.echo(f"{email.strip()}: {outcome}")


@subscribers_group.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only this status.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
@delivery_errors
def subscribers_list(ctx: Context, status: str | None, as_json: bool) -> None:
    """List subscribers.

    \b
    Examples:
      seedwire subscribers list
      seedwire subscribers list --status pending --json
    """
    from crawler.store import subscriber_counts
    from digest.subscribers import subscribers

    rows = subscribers(ctx.db, status)
    if as_json:
        echo_json(rows)
        return
    table = [{**r, "topics": _topics_text(r["topics"])} for r in rows]
    echo_table(table, ["email", "name", "status", "topics", "created", "confirmed"])
    counts = subscriber_counts(ctx.db)
    click.echo(", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES))


@subscribers_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pending", is_flag=True, help="New addresses are pending, not active.")
@pass_ctx
@delivery_errors
def subscribers_import(ctx: Context, file: Path, pending: bool) -> None:
    """Import a CSV with the header email[,name][,topics] (topics: "a; b"; empty = all).

    Importing the same file again changes nothing. Unsubscribed and bounced addresses are
    skipped; invalid lines are listed with their line numbers and left out.

    \b
    Example:
      seedwire subscribers import list.csv
    """
    from digest.subscribers import import_subscribers

    report = import_subscribers(
        ctx.db, file, now=ctx.now(), status="pending" if pending else "active"
    )
    click.echo(
        f"{file}: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped, "
        f"{len(report.invalid)} invalid"
    )
    for line, email, why in report.skipped:
        click.echo(f"  line {line}: {email} skipped ({why})")
    for line, _value, why in report.invalid:
        click.echo(f"  line {line}: invalid: {why}", err=True)


# ----------------------------------------------------------------------------- sending


def _echo_send_report(report: Any) -> None:
    if report.empty:
        click.echo(f"{report.period}: no issue (nothing new in the period); nothing sent")
        return
    built = " (built now)" if report.built else ""
    click.echo(f"issue #{report.number} {report.period}{built}: {report.subject}")
    if report.dry_run:
        click.echo(
            f"dry run: {len(report.files)} messages written to {report.outbox} "
            f"({report.already_sent} already sent; no delivery changed)"
        )
        return
    click.echo(
        f"{report.recipients} recipients: {len(report.sent)} sent now, "
        f"{report.already_sent} sent before, {len(report.failed)} failed, "
        f"{len(report.deferred)} deferred, {len(report.skipped)} skipped"
    )
    if report.resolved:
        click.echo(f"{report.resolved} interrupted deliveries resolved")
    for email, answer in report.failed:
        click.echo(f"  failed: {email}: {answer}")
    for email, answer in report.deferred:
        click.echo(f"  deferred (retried on the next run): {email}: {answer}")
    if report.uncertain:
        click.echo(
            f"warning: {len(report.uncertain)} deliveries were interrupted by a crash while "
            f"sending and were not resent: {', '.join(report.uncertain)}\n"
            "  check the SMTP server's log, then run again with --uncertain sent "
            "(they arrived) or --uncertain resend",
            err=True,
        )
    if report.stopped:
        click.echo("stopped before the end: run again to send the rest", err=True)


@digest_group.command("send")
@click.option("--period", help="The issue's period (default: the last complete week).")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Write the messages to out/outbox/<period>/*.eml instead of sending.",
)
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this time.")
@click.option(
    "--uncertain",
    type=click.Choice(["sent", "resend"]),
    help="Deliveries a crash left 'sending': mark them sent, or send them again.",
)
@pass_ctx
@delivery_errors
def digest_send(
    ctx: Context, period: str | None, dry_run: bool, now_text: str | None, uncertain: str | None
) -> None:
    """Send the issue (built first when missing) to the active subscribers.

    Resumable: run it again after a crash or an SMTP outage and only the missing messages
    are sent. Needs SEEDWIRE_SECRET (unsubscribe links) and the [email] settings.

    \b
    Examples:
      seedwire digest send --dry-run
      seedwire digest send --period 2026-W47
    """
    from digest.deliver import send_issue

    now = parse_now(now_text, ctx)
    clock = (lambda: now) if now_text else None
    report = send_issue(
        ctx.db,
        ctx.config,
        now=now,
        period=period,
        dry_run=dry_run,
        uncertain=uncertain,
        clock=clock,
    )
    _echo_send_report(report)
    if report.deferred or report.stopped:
        sys.exit(2)


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
