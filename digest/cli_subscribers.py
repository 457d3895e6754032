"""`seedwire subscribers add|remove|list|import`."""

from __future__ import annotations

from pathlib import Path

import click

from digest.cli import Context, echo_json, echo_table, main, pass_ctx
from digest.cli_delivery import delivery_errors
from digest.subscribers import STATUSES


def _topics_text(topics: list[str] | None) -> str:
    return "all topics" if not topics else ", ".join(topics)


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

