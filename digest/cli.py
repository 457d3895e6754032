"""The ``seedwire`` command: thin over the library; user mistakes print one line, no traceback."""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from crawler.config import Config, ConfigError, load_config
from crawler.store import StoreError, open_db

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """What every command gets: the configuration and a lazily opened database."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._db: Any = None

    @property
    def db(self) -> Any:
        if self._db is None:
            self._db = open_db(self.config.db_path)
        return self._db

    def now(self) -> datetime:
        return datetime.now(UTC)


def user_errors(func: F) -> F:
    """Turn the library's narrow exceptions into one clear line (exit status 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from crawler.seeds import SeedError

        known: tuple[type[BaseException], ...] = (ConfigError, StoreError, SeedError)
        try:
            return func(*args, **kwargs)
        except known as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A seedwire.toml other than ./seedwire.toml.",
)
@click.option("--db", type=click.Path(dir_okay=False), help="The SQLite file (paths.db).")
@click.option(
    "--seeds-dir", type=click.Path(file_okay=False), help="Seed folder (paths.seeds_dir)."
)
@click.option("--out-dir", type=click.Path(file_okay=False), help="Output folder (paths.out_dir).")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="seedwire")
@click.pass_context
def main(
    ctx: click.Context,
    config_file: Path | None,
    db: str | None,
    seeds_dir: str | None,
    out_dir: str | None,
    verbose: int,
) -> None:
    """seedwire: seed documents in, a weekly newsletter out.

    \b
    Example:
      seedwire seeds                 # topics and sources from ./seeds
      seedwire crawl                 # scrapy crawl sources, with a summary
      seedwire digest build          # last week's issue into ./out
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("jieba").setLevel(logging.WARNING)
    overrides = {"paths": {"db": db, "seeds_dir": seeds_dir, "out_dir": out_dir}}
    try:
        config = load_config(file=config_file, overrides=overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    ctx.obj = Context(config)


def echo_table(rows: list[dict[str, Any]], columns: list[str], *, max_width: int = 60) -> None:
    """A plain aligned table (wide CJK characters count double)."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    def cut(text: str) -> str:
        out, w = "", 0
        for ch in text:
            cw = width(ch)
            if w + cw > max_width:
                return out + "…"
            out, w = out + ch, w + cw
        return out

    cells = [[cut("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max([width(c)] + [width(row[i]) for row in cells]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (widths[i] - width(v)) for i, v in enumerate(values)).rstrip()

    click.echo(line(columns))
    click.echo(line(["-" * w for w in widths]))
    for row in cells:
        click.echo(line(row))


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def run() -> None:  # pragma: no cover - console entry
    main(prog_name="seedwire")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(prog_name="seedwire"))

# Command modules register themselves on ``main``; one line each.
from digest import cli_base  # noqa: E402,F401,I001
from digest import cli_digest  # noqa: E402,F401,I001
from digest import cli_delivery  # noqa: E402,F401,I001
from digest import cli_subscribers  # noqa: E402,F401,I001
from digest import cli_service  # noqa: E402,F401,I001
from digest import cli_scale  # noqa: E402,F401,I001
