"""`seedwire seeds|db|config|search|crawl`: the foundation commands."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from crawler import store
from crawler.config import SECRET_ENV
from digest.cli import Context, echo_json, echo_table, main, pass_ctx, user_errors


def _load(ctx: Context, directory: str | None) -> Any:
    from crawler.seeds import SeedError, load_seeds

    path = Path(directory) if directory else ctx.config.seeds_dir
    if not path.is_dir():
        raise SeedError(f"{path}: no such seed folder")
    return load_seeds(path)


def _print_problems(seedset: Any) -> None:
    for problem in seedset.problems:
        click.echo(str(problem), err=True)


@main.group("seeds", invoke_without_command=True)
@click.option("--dir", "directory", type=click.Path(file_okay=False),
              help="Seed folder (default: paths.seeds_dir, ./seeds).")
@click.option("--json", "as_json", is_flag=True, help="Print topics and sources as JSON.")
@click.option("--save/--no-save", default=True, show_default=True,
              help="Store the topics and sources in the database.")
@click.pass_context
@user_errors
def seeds_group(click_ctx: click.Context, directory: str | None, as_json: bool, save: bool) -> None:
    """Parse the seed documents: topics → sources table.

    \b
    Examples:
      seedwire seeds
      seedwire seeds --dir ../shared/seeds --json
    """
    if click_ctx.invoked_subcommand is not None:
        return
    ctx: Context = click_ctx.obj
    seedset = _load(ctx, directory)
    if save:
        store.sync_seeds(ctx.db, seedset, ctx.now())
    if as_json:
        echo_json({"topics": [asdict(t) for t in seedset.topics],
                   "problems": [asdict(p) for p in seedset.problems]})
        return
    _print_problems(seedset)
    for topic in seedset.topics:
        top = ", ".join(list(topic.keywords)[:12])
        click.echo(f"\nTopic: {topic.name} ({topic.slug})  seeds: {len(topic.seeds)}  "
                   f"threshold: {topic.threshold:g}")
        click.echo(f"Keywords: {top}")
        rows = [{"site": s.site, "start pages": len(s.start_urls), "feeds": len(s.feeds),
                 "sitemaps": len(s.sitemaps),
                 "example": s.start_urls[0] if s.start_urls else ""} for s in topic.sources]
        if rows:
            echo_table(rows, ["site", "start pages", "feeds", "sitemaps", "example"])
        else:
            click.echo("(no sources)")


@seeds_group.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Seed folder.")
@click.pass_obj
@user_errors
def seeds_check(ctx: Context, directory: str | None) -> None:
    """Check every seed; exit 1 when any has an error.

    \b
    Example:
      seedwire seeds check --dir seeds
    """
    seedset = _load(ctx, directory)
    _print_problems(seedset)
    errors = len(seedset.errors)
    warnings = len(seedset.problems) - errors
    click.echo(f"{len(seedset.seeds)} seeds, {len(seedset.topics)} topics, "
               f"{errors} errors, {warnings} warnings")
    if errors:
        sys.exit(1)


@main.group("db")
def db_group() -> None:
    """The SQLite store: migrations and statistics."""


@db_group.command("migrate")
@pass_ctx
@user_errors
def db_migrate(ctx: Context) -> None:
    """Create or upgrade the database (safe to run again).

    \b
    Example:
      seedwire db migrate
    """
    db = store.connect(ctx.config.db_path)
    applied = store.migrate(db)
    click.echo(f"{ctx.config.db_path}: " + (f"applied {', '.join(applied)}" if applied
                                            else "up to date"))


@db_group.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--runs", default=5, show_default=True, help="How many crawl runs to show.")
@pass_ctx
@user_errors
def db_stats(ctx: Context, as_json: bool, runs: int) -> None:
    """Counts per table, articles per site/language/topic, and the last crawl runs.

    \b
    Example:
      seedwire db stats --runs 3
    """
    db = ctx.db
    data = {"database": str(ctx.config.db_path), "tables": store.table_counts(db),
            **store.article_counts(db), "runs": store.list_runs(db, runs)}
    if as_json:
        echo_json(data)
        return
    click.echo(f"Database: {data['database']}")
    echo_table([{"table": k, "rows": v} for k, v in data["tables"].items()], ["table", "rows"])
    if data["relevant_by_topic"]:
        click.echo("\nRelevant articles per topic:")
        for topic, count in data["relevant_by_topic"].items():
            click.echo(f"  {topic}: {count}")
    if data["by_site"]:
        click.echo("\nArticles per site:")
        for site, count in list(data["by_site"].items())[:15]:
            click.echo(f"  {site}: {count}")
    if data["runs"]:
        click.echo("\nCrawl runs:")
        for run in data["runs"]:
            click.echo(f"  #{run['id']} {run['started']} {run['status']}: "
                       f"{format_run_stats(run['stats'])}")


def format_run_stats(stats: dict[str, Any]) -> str:
    parts = [f"{stats.get('requests', 0)} requests"]
    status = stats.get("status") or {}
    if status:
        parts.append("status " + " ".join(f"{k}×{v}" for k, v in sorted(status.items())))
    articles = stats.get("articles") or {}
    if articles:
        parts.append("articles " + " ".join(f"{k}={v}" for k, v in sorted(articles.items())))
    errors = stats.get("errors") or {}
    if errors:
        parts.append("errors " + " ".join(f"{k}={v}" for k, v in sorted(errors.items())))
    return "; ".join(parts)


@main.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_ctx
def config_cmd(ctx: Context, as_json: bool) -> None:
    """Print the effective configuration and where each value came from.

    \b
    Example:
      SEEDWIRE_CRAWL_DEPTH=3 seedwire config
    """
    rows = [{"key": f"{s}.{k}", "value": v, "from": o} for s, k, v, o in ctx.config.items()]
    secrets = [{"key": name, "value": "set" if os.environ.get(env) else "not set",
                "from": f"env {env}"} for name, env in SECRET_ENV.items()]
    if as_json:
        echo_json({"config": rows, "secrets": secrets, "db": str(ctx.config.db_path)})
        return
    echo_table(rows + secrets, ["key", "value", "from"], max_width=200)


@main.command("search")
@click.argument("query")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@user_errors
def search_cmd(ctx: Context, query: str, limit: int, as_json: bool) -> None:
    """Full-text search over stored articles (Chinese works).

    \b
    Examples:
      seedwire search 图像生成
      seedwire search "voice mode" --limit 5
    """
    rows = store.search(ctx.db, query, limit=limit)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("no matches")
        return
    echo_table(rows, ["id", "published", "site", "title", "snippet"], max_width=50)


def crawl_env(ctx: Context) -> dict[str, str]:
    """The crawl subprocess sees the same database, seeds and configuration file."""
    env = dict(os.environ)
    env["SEEDWIRE_DB"] = str(ctx.config.db_path)
    env["SEEDWIRE_SEEDS_DIR"] = str(ctx.config.seeds_dir)
    return env


def crawl_command(topic: str | None, source: str | None, since: str | None,
                  max_pages: int | None, output: str | None) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "sources"]
    for name, value in (("topic", topic), ("source", source), ("since", since),
                        ("max_pages", max_pages)):
        if value is not None:
            cmd += ["-a", f"{name}={value}"]
    if output:
        cmd += ["-O", output]
    return cmd


@main.command("crawl")
@click.option("--topic", help="Only this topic's sources.")
@click.option("--source", help="Only this host.")
@click.option("--since", help="Skip listed articles dated before YYYY-MM-DD.")
@click.option("--max-pages", type=int, help="Page budget per source.")
@click.option("-O", "--output", help="Also export the stored articles (e.g. items.jsonl).")
@click.option("--log", "log_file", type=click.Path(dir_okay=False),
              help="Scrapy's log file (default: data/logs/crawl-<time>.log).")
@pass_ctx
@user_errors
def crawl_cmd(ctx: Context, topic: str | None, source: str | None, since: str | None,
              max_pages: int | None, output: str | None, log_file: str | None) -> None:
    """Run `scrapy crawl sources` with a progress line and a summary.

    \b
    Example:
      seedwire crawl --topic gpt-4o --max-pages 200
    """
    db = ctx.db
    before = max([r["id"] for r in store.list_runs(db, 1)] or [0])
    logs = ctx.config.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = Path(log_file) if log_file else logs / f"crawl-{time.strftime('%Y%m%d-%H%M%S')}.log"
    cmd = crawl_command(topic, source, since, max_pages, output)
    click.echo(f"crawling (log: {log_path})")
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(cmd, cwd=ctx.config.root, env=crawl_env(ctx), stdout=log,
                                stderr=subprocess.STDOUT)
        while proc.poll() is None:
            time.sleep(1.0)
            runs = [r for r in store.list_runs(db, 1) if r["id"] > before]
            if runs and sys.stdout.isatty():
                click.echo(f"\r  {format_run_stats(runs[0]['stats'])[:150]}", nl=False)
    if sys.stdout.isatty():
        click.echo()
    runs = [r for r in store.list_runs(db, 1) if r["id"] > before]
    if runs:
        run = runs[0]
        click.echo(f"crawl run #{run['id']} {run['status']}: {format_run_stats(run['stats'])}")
    if proc.returncode != 0:
        raise click.ClickException(f"the crawl failed (exit {proc.returncode}); see {log_path}")
