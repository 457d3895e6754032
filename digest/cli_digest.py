"""`seedwire digest build|list|show`: build the weekly issue and look at the stored ones."""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path
from typing import Any

import click

from crawler.store import get_digest, get_digest_by_number, list_digests
from digest.build import BuiltIssue, DigestError, build_issue, parse_now
from digest.cli import Context, echo_json, echo_table, main, pass_ctx, user_errors
from digest.i18n import format_period

logger = logging.getLogger(__name__)

__all__ = ["digest_group"]

_PERIOD_SHAPE = re.compile(r"^\d{4}-W\d{2}$|^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$", re.I)


@main.group("digest")
def digest_group() -> None:
    """Build the weekly issue and look at the issues built so far.

    \b
    Examples:
      seedwire digest build                   # last complete week
      seedwire digest list                    # every issue: number, period, subject
      seedwire digest show 2026-W47           # the plain-text email of an issue
    """


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise DigestError(f"{option}: expected a date like 2026-11-16, got {text!r}") from exc


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _report(ctx: Context, built: BuiltIssue) -> dict[str, Any]:
    config = ctx.config
    days = format_period(built.starts, built.ends, "en", config.site.timezone)
    selection = built.selection
    main_files = ["email_html", "email_txt", "feed_xml", "atom_xml", "index_html", "issue_html"]
    return {
        "number": built.number,
        "period": built.period,
        "days": days,
        "timezone": config.site.timezone,
        "subject": built.subject,
        "rebuilt": built.rebuilt,
        "quiet": built.quiet,
        "entries": built.context.entry_count,
        "topics": built.entries_per_topic,
        "also": sum(len(e.also) for s in built.context.topics for e in s.entries),
        "summaries": built.methods,
        "candidates": {
            "articles": selection.considered,
            "too_old": selection.stale,
            "same_story": selection.clustered,
            "over_caps": selection.capped,
        } if selection else {},
        "files": {key: _relative(built.paths[key]) for key in main_files if key in built.paths},
        "pages": len(built.paths),
    }


@digest_group.command("build")
@click.option("--period", metavar="PERIOD",
              help="An ISO week (2026-W47) or days (2026-11-01..2026-11-15). "
                   "Default: the last complete week in site.timezone.")
@click.option("--since", metavar="DATE", help="First day of a custom period (with --until).")
@click.option("--until", metavar="DATE", help="Last day of a custom period, included.")
@click.option("--topic", metavar="NAME",
              help="Only this topic (slug or name); the period's issue then has only it.")
@click.option("--now", "now_text", metavar="ISO",
              help="Build as if it were this time (default: now), e.g. 2026-11-23T08:00+08:00.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_ctx
@user_errors
def digest_build(
    ctx: Context, period: str | None, since: str | None, until: str | None,
    topic: str | None, now_text: str | None, as_json: bool,
) -> None:
    """Build an issue and write it to out/.

    Selects, clusters, summarises, renders, stores and writes the issue of a period.
    Takes the articles first seen in the period that are relevant to a topic and in no
    earlier issue. Building a period again replaces its issue and keeps its number. A
    period without new articles gives no issue (exit status 0), or a short "quiet week"
    issue when digest.quiet_week is on.

    \b
    Examples:
      seedwire digest build                                  # last complete week
      seedwire digest build --period 2026-W47                # one ISO week
      seedwire digest build --since 2026-11-01 --until 2026-11-15
      seedwire digest build --topic GPT-4o --now 2026-11-23T08:00+08:00
    """
    try:
        now = parse_now(now_text, ctx.config.tz) if now_text else ctx.now()
        built = build_issue(
            ctx.db, ctx.config, period=period, since=_day(since, "--since"),
            until=_day(until, "--until"), topic=topic, now=now,
        )
        if built is None:
            from digest.build import resolve_period

            span = resolve_period(ctx.config, period=period, since=_day(since, "--since"),
                                  until=_day(until, "--until"), now=now)
    except DigestError as exc:
        raise click.ClickException(str(exc)) from exc
    if built is None:
        days = format_period(span.starts, span.ends, "en", ctx.config.site.timezone)
        if as_json:
            echo_json({"number": None, "period": span.key, "days": days, "entries": 0})
        else:
            click.echo(f"No new articles for {span.key} ({days}): no issue built.")
            click.echo("(Set digest.quiet_week = true to publish a short issue anyway.)")
        return
    report = _report(ctx, built)
    if as_json:
        echo_json(report)
        return
    again = " (rebuilt, same number)" if built.rebuilt else ""
    click.echo(f"Issue #{built.number}{again}: {built.period} ({report['days']}, "
               f"{report['timezone']})")
    click.echo(f"Subject: {built.subject}")
    if built.quiet:
        click.echo("A quiet week: no new articles on any topic.")
    else:
        also = f", {report['also']} more write-ups under them" if report["also"] else ""
        click.echo(f"Entries: {report['entries']}{also}")
        width = max(len(name) for name in report["topics"])
        for name, count in report["topics"].items():
            click.echo(f"  {name.ljust(width)}  {count}")
        methods = ", ".join(f"{n} {m}" for m, n in sorted(built.methods.items()))
        click.echo(f"Summaries: {methods}")
        found = report["candidates"]
        if found:
            click.echo(
                f"Candidates: {found['articles']} new articles; {found['too_old']} too old, "
                f"{found['same_story']} under another entry, {found['over_caps']} over the caps"
            )
    click.echo("Written:")
    for path in report["files"].values():
        click.echo(f"  {path}")
    others = report["pages"] - len(report["files"])
    if others > 0:
        click.echo(f"  and {others} more archive files under {_relative(ctx.config.out_dir)}")


@digest_group.command("list")
@click.option("--limit", default=20, show_default=True, help="Show at most this many issues.")
@click.option("--json", "as_json", is_flag=True, help="Print the issues as JSON.")
@pass_ctx
@user_errors
def digest_list(ctx: Context, limit: int, as_json: bool) -> None:
    """List the issues built so far.

    Newest first: number, period, entries and subject.

    \b
    Example:
      seedwire digest list --limit 5
    """
    rows = list_digests(ctx.db, limit)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("No issues yet: run `seedwire digest build`.")
        return
    shown = [{**row, "number": f"#{row['number']}"} for row in rows]
    echo_table(shown, ["number", "period", "entries", "subject"], max_width=70)


def _find(ctx: Context, which: str) -> dict[str, Any]:
    which = which.strip()
    number = which.lstrip("#")
    if number.isdigit():
        found = get_digest_by_number(ctx.db, int(number))
    elif _PERIOD_SHAPE.match(which):
        found = get_digest(ctx.db, which.upper() if "W" in which.upper() else which)
    else:
        raise click.ClickException(
            f"expected a period like 2026-W47 or 2026-11-01..2026-11-15, or an issue number "
            f"like 3, got {which!r}"
        )
    if found is None:
        raise click.ClickException(f"no issue for {which} (see `seedwire digest list`)")
    return found


@digest_group.command("show")
@click.argument("period")
@click.option("--html", "as_html", is_flag=True, help="Print the HTML email instead of the text.")
@pass_ctx
@user_errors
def digest_show(ctx: Context, period: str, as_html: bool) -> None:
    """Print a stored issue's plain-text email.

    PERIOD is an ISO week (2026-W47), a custom period (2026-11-01..2026-11-15) or an issue
    number (3).

    \b
    Examples:
      seedwire digest show 2026-W47
      seedwire digest show 3 --html > issue-3.html
    """
    from digest.render import UNSUBSCRIBE_MARKER, Links

    found = _find(ctx, period)
    body = found["html"] if as_html else found["text"]
    base = ctx.config.site.base_url.strip()
    generic = Links(base if base.endswith("/") else base + "/").unsubscribe
    click.echo(body.replace(UNSUBSCRIBE_MARKER, generic))
