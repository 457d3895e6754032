"""Configuration: defaults < ``seedwire.toml`` < ``SEEDWIRE_*`` environment < CLI flags.

Every key lives in a section (``[crawl] depth = 2``).  Its environment override is
``SEEDWIRE_<SECTION>_<KEY>`` (``SEEDWIRE_CRAWL_DEPTH=3``); a few short aliases exist for
the keys operators touch most (``SEEDWIRE_DB``, ``SEEDWIRE_DATA_DIR``, ``SEEDWIRE_REDIS_URL``).
Secrets never come from a file: ``SEEDWIRE_SMTP_PASSWORD``, ``SEEDWIRE_SECRET`` and
``SEEDWIRE_LLM_API_KEY`` are read from the environment only.

``load_config()`` returns a :class:`Config` whose sections are dataclasses
(``config.crawl.depth``) and which remembers where each value came from
(``config.origin("crawl", "depth")``).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CONFIG_FILE = "seedwire.toml"
ENV_PREFIX = "SEEDWIRE_"
SECRET_ENV = {
    "smtp_password": "SEEDWIRE_SMTP_PASSWORD",
    "secret": "SEEDWIRE_SECRET",
    "llm_api_key": "SEEDWIRE_LLM_API_KEY",
}
ENV_ALIASES = {
    "SEEDWIRE_DB": ("paths", "db"),
    "SEEDWIRE_DATA_DIR": ("paths", "data_dir"),
    "SEEDWIRE_OUT_DIR": ("paths", "out_dir"),
    "SEEDWIRE_SEEDS_DIR": ("paths", "seeds_dir"),
    "SEEDWIRE_REDIS_URL": ("scale", "redis_url"),
    "SEEDWIRE_TIMEZONE": ("site", "timezone"),
}


class ConfigError(Exception):
    """A configuration value is unknown, of the wrong type or invalid."""


def _f(default: Any, doc: str) -> Any:
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"doc": doc})
    return field(default=default, metadata={"doc": doc})


@dataclass
class PathsConfig:
    data_dir: str = _f("data", "where the database, logs and scheduler state live")
    out_dir: str = _f("out", "where the email, feeds and web archive are written")
    seeds_dir: str = _f("seeds", "the folder of seed documents and topic files")
    db: str = _f("", "the SQLite file (default: <data_dir>/seedwire.db)")


@dataclass
class SiteConfig:
    title: str = _f("seedwire weekly", "the newsletter's name (feed title, email sender name)")
    base_url: str = _f("http://127.0.0.1:8080/", "public URL where out/ is served (links, feeds)")
    description: str = _f("A weekly digest of new articles on our topics", "feed description")
    language: str = _f("zh", "language of the fixed words in email/feeds/archive: zh or en")
    timezone: str = _f("Asia/Shanghai", "timezone of periods, dates and the weekly send")
    author: str = _f("seedwire", "feed author name")


@dataclass
class CrawlConfig:
    user_agent: str = _f("seedwire/0.1 (+{contact_url})", "User-Agent; {contact_url} is replaced")
    contact_url: str = _f("https://github.com/seedwire/seedwire", "contact URL in the User-Agent")
    concurrency_per_host: int = _f(4, "concurrent requests per host")
    concurrency: int = _f(32, "concurrent requests in total")
    depth: int = _f(2, "how many links deep to follow from home, section and cited pages")
    max_pages_per_source: int = _f(500, "page budget per source and crawl")
    download_timeout: float = _f(30.0, "seconds before a request is abandoned")
    max_download_mb: float = _f(10.0, "larger responses are cut off and counted")
    retry_times: int = _f(3, "retries for 429/5xx/timeouts (Retry-After honoured)")
    max_age_days: int = _f(30, "articles older than this are stored but never new")
    lastmod_margin_hours: int = _f(48, "safety margin when comparing sitemap lastmod/feed dates")
    allow_private_hosts: list[str] = _f(
        [], "hosts/IPs on private or loopback networks the crawler may visit"
    )
    autothrottle: bool = _f(True, "adapt the request rate to each server's latency")
    extract_workers: int = _f(0, "extraction processes (0 = one per CPU core)")
    obey_robots: bool = _f(True, "obey robots.txt (and its Crawl-delay)")


@dataclass
class DigestConfig:
    per_topic: int = _f(10, "entries per topic in one issue")
    per_site: int = _f(3, "entries per site per topic in one issue")
    quiet_week: bool = _f(False, "publish a short issue when a week has no new articles")
    summary_chars: int = _f(120, "summary budget for Chinese, in characters")
    summary_words: int = _f(60, "summary budget for English, in words")
    feed_items: int = _f(20, "issues listed in feed.xml/atom.xml")


@dataclass
class EmailConfig:
    from_addr: str = _f("seedwire <digest@localhost>", "From header")
    reply_to: str = _f("", "Reply-To header (optional)")
    unsubscribe_mailto: str = _f("", "mailto address for List-Unsubscribe (optional)")
    smtp_host: str = _f("127.0.0.1", "SMTP server")
    smtp_port: int = _f(25, "SMTP port (587 STARTTLS, 465 implicit TLS)")
    smtp_security: str = _f("none", "none, starttls or ssl")
    smtp_user: str = _f("", "SMTP login (password from SEEDWIRE_SMTP_PASSWORD)")
    rate_per_minute: int = _f(60, "messages per minute at most")
    send: bool = _f(False, "send the weekly issue from `seedwire run`/the scheduler")


@dataclass
class ScheduleConfig:
    crawl_every_hours: float = _f(6.0, "hours between crawls")
    crawl_timeout_minutes: float = _f(120.0, "a crawl running longer is stopped")
    weekly: str = _f("mon 07:00", "when the weekly issue is built and sent (day HH:MM)")
    misfire_grace_hours: float = _f(12.0, "a run missed by less than this still happens, once")


@dataclass
class WebConfig:
    host: str = _f("127.0.0.1", "address `seedwire serve` listens on")
    port: int = _f(8080, "port `seedwire serve` listens on")
    subscribe_per_hour: int = _f(5, "subscribe requests per client address per hour")


@dataclass
class LLMSettings:
    base_url: str = _f("", "OpenAI-compatible endpoint; empty = extractive summaries only")
    model: str = _f("", "model name")
    timeout: float = _f(30.0, "seconds per request")


@dataclass
class ScaleConfig:
    redis_url: str = _f("", "shared Redis frontier for several crawl workers (empty = off)")
    workers: int = _f(1, "crawl worker processes the scheduler starts")


SECTIONS: dict[str, type] = {
    "paths": PathsConfig,
    "site": SiteConfig,
    "crawl": CrawlConfig,
    "digest": DigestConfig,
    "email": EmailConfig,
    "schedule": ScheduleConfig,
    "web": WebConfig,
    "llm": LLMSettings,
    "scale": ScaleConfig,
}


@dataclass
class Config:
    """The effective configuration; see the module docstring."""

    root: Path
    paths: PathsConfig
    site: SiteConfig
    crawl: CrawlConfig
    digest: DigestConfig
    email: EmailConfig
    schedule: ScheduleConfig
    web: WebConfig
    llm: LLMSettings
    scale: ScaleConfig
    origins: dict[tuple[str, str], str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)

    def origin(self, section: str, key: str) -> str:
        return self.origins.get((section, key), "default")

    def _path(self, value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.root / path

    @property
    def data_dir(self) -> Path:
        return self._path(self.paths.data_dir)

    @property
    def out_dir(self) -> Path:
        return self._path(self.paths.out_dir)

    @property
    def seeds_dir(self) -> Path:
        return self._path(self.paths.seeds_dir)

    @property
    def db_path(self) -> Path:
        return self._path(self.paths.db) if self.paths.db else self.data_dir / "seedwire.db"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.site.timezone)

    @property
    def user_agent(self) -> str:
        return self.crawl.user_agent.replace("{contact_url}", self.crawl.contact_url)

    def secret(self, name: str) -> str | None:
        """A secret from the environment (``smtp_password``, ``secret``, ``llm_api_key``)."""
        return self.secrets.get(name) or None

    def items(self) -> list[tuple[str, str, Any, str]]:
        """(section, key, value, origin) for every key, in schema order."""
        rows = []
        for section in SECTIONS:
            obj = getattr(self, section)
            for f in dataclasses.fields(obj):
                rows.append((section, f.name, getattr(obj, f.name), self.origin(section, f.name)))
        return rows


def _convert(value: Any, kind: Any, where: str) -> Any:
    """Check or convert ``value`` to the key's type; strings come from the environment/CLI."""
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {
            "1",
            "true",
            "yes",
            "on",
            "0",
            "false",
            "no",
            "off",
        }:
            return value.lower() in {"1", "true", "yes", "on"}
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
    elif kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
    elif kind is str:
        if isinstance(value, str):
            return value
    elif kind == list[str]:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
    name = getattr(kind, "__name__", str(kind))
    raise ConfigError(f"{where}: expected {name}, got {value!r}")


def _hints(section: str) -> dict[str, Any]:
    return get_type_hints(SECTIONS[section])


def _apply(
    values: dict[str, dict[str, Any]],
    origins: dict[tuple[str, str], str],
    data: Mapping[str, Any],
    origin: str,
) -> None:
    for section, table in data.items():
        if section not in SECTIONS:
            raise ConfigError(f"{origin}: unknown section [{section}]")
        if not isinstance(table, Mapping):
            raise ConfigError(f"{origin}: [{section}] must be a table")
        hints = _hints(section)
        for key, raw in table.items():
            if key not in hints:
                known = ", ".join(hints)
                raise ConfigError(f"{origin}: unknown key {section}.{key} (known: {known})")
            values[section][key] = _convert(raw, hints[key], f"{origin}: {section}.{key}")
            origins[(section, key)] = origin


def _env_overrides(env: Mapping[str, str]) -> dict[tuple[str, str], tuple[str, str]]:
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for section in SECTIONS:
        for key in _hints(section):
            name = f"{ENV_PREFIX}{section}_{key}".upper()
            if name in env:
                found[(section, key)] = (env[name], name)
    for name, target in ENV_ALIASES.items():
        if name in env:
            found[target] = (env[name], name)
    return found


def _validate(config: Config) -> None:
    try:
        ZoneInfo(config.site.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        where = config.origin("site", "timezone")
        raise ConfigError(
            f"{where}: site.timezone: unknown timezone {config.site.timezone!r}"
        ) from exc
    if config.site.language not in {"zh", "en"}:
        where = config.origin("site", "language")
        raise ConfigError(f"{where}: site.language must be zh or en, got {config.site.language!r}")
    if config.email.smtp_security not in {"none", "starttls", "ssl"}:
        where = config.origin("email", "smtp_security")
        raise ConfigError(f"{where}: email.smtp_security must be none, starttls or ssl")
    from crawler.timeparse import parse_weekly  # local: keeps config import light

    try:
        parse_weekly(config.schedule.weekly)
    except ValueError as exc:
        where = config.origin("schedule", "weekly")
        raise ConfigError(f"{where}: schedule.weekly: {exc}") from exc


def load_config(
    root: Path | None = None,
    *,
    file: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Config:
    """Build the effective configuration.

    ``root`` is the project folder (default: the current directory); ``file`` a TOML file
    (default: ``<root>/seedwire.toml`` when it exists, or ``$SEEDWIRE_CONFIG``); ``overrides``
    are CLI flags as ``{"section": {"key": value}}``.
    """
    root = (root or Path.cwd()).resolve()
    env = os.environ if env is None else env
    values: dict[str, dict[str, Any]] = {s: {} for s in SECTIONS}
    origins: dict[tuple[str, str], str] = {}
    if file is None and env.get("SEEDWIRE_CONFIG"):
        file = Path(env["SEEDWIRE_CONFIG"])
    if file is None and (root / CONFIG_FILE).exists():
        file = root / CONFIG_FILE
    if file is not None:
        try:
            data = tomllib.loads(Path(file).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{file}: cannot read: {exc.strerror}") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: invalid TOML: {exc}") from exc
        _apply(values, origins, data, str(file))
    for (section, key), (raw, name) in _env_overrides(env).items():
        kind = _hints(section)[key]
        values[section][key] = _convert(raw, kind, f"environment {name}")
        origins[(section, key)] = f"env {name}"
    if overrides:
        cleaned = {s: {k: v for k, v in t.items() if v is not None} for s, t in overrides.items()}
        _apply(values, origins, cleaned, "command line")
    sections = {name: cls(**values[name]) for name, cls in SECTIONS.items()}
    secrets = {key: env[name] for key, name in SECRET_ENV.items() if env.get(name)}
    config = Config(root=root, origins=origins, secrets=secrets, **sections)
    _validate(config)
    return config


def describe_keys() -> list[tuple[str, str, Any, str]]:
    """(section, key, default, doc) for every key: used by docs and ``seedwire config``."""
    rows = []
    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            default = (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            )
            rows.append((section, f.name, default, f.metadata.get("doc", "")))
    return rows
