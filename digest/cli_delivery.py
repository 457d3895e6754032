"""`seedwire digest send`, and the error handling the delivery commands share.

The other delivery commands register themselves from :mod:`digest.cli_subscribers`
(`seedwire subscribers`) and :mod:`digest.cli_service` (`seedwire serve|schedule|run`).
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import click

from digest import periods
from digest.build import DigestError
from digest.cli import Context, pass_ctx, user_errors
from digest.cli_digest import digest_group
from digest.mail import DeliveryError
from digest.schedule import ScheduleError
from digest.subscribers import SubscriberError
from digest.tokens import SecretMissing

logger = logging.getLogger(__name__)

__all__ = ["delivery_errors", "digest_send", "parse_now"]

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
        return periods.parse_now(text, ctx.config.tz)
    except periods.DigestError as exc:
        raise click.BadParameter(str(exc)) from exc


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
