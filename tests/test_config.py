"""Configuration precedence and errors: defaults < seedwire.toml < environment < CLI flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import ConfigError, describe_keys, load_config


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_work_without_a_file(tmp_path: Path) -> None:
    config = load_config(tmp_path, env={})
    assert config.db_path == tmp_path / "data" / "seedwire.db"
    assert config.out_dir == tmp_path / "out"
    assert config.seeds_dir == tmp_path / "seeds"
    assert config.crawl.depth == 2
    assert config.origin("crawl", "depth") == "default"


def test_file_then_environment_then_flags(tmp_path: Path) -> None:
    write(tmp_path / "seedwire.toml", "[crawl]\ndepth = 3\nconcurrency_per_host = 2\n"
          "[site]\ntimezone = 'Europe/Berlin'\n")
    config = load_config(tmp_path, env={})
    assert config.crawl.depth == 3
    assert config.origin("crawl", "depth").endswith("seedwire.toml")
    config = load_config(tmp_path, env={"SEEDWIRE_CRAWL_DEPTH": "4"})
    assert config.crawl.depth == 4 and config.crawl.concurrency_per_host == 2
    assert config.origin("crawl", "depth") == "env SEEDWIRE_CRAWL_DEPTH"
    config = load_config(tmp_path, env={"SEEDWIRE_CRAWL_DEPTH": "4"},
                         overrides={"crawl": {"depth": 5}})
    assert config.crawl.depth == 5 and config.origin("crawl", "depth") == "command line"
    assert str(config.tz) == "Europe/Berlin"


def test_aliases_lists_and_bools_from_the_environment(tmp_path: Path) -> None:
    env = {"SEEDWIRE_DB": "/tmp/x.db",
           "SEEDWIRE_CRAWL_ALLOW_PRIVATE_HOSTS": "127.0.0.2, 10.0.0.0/8",
           "SEEDWIRE_CRAWL_AUTOTHROTTLE": "off"}
    config = load_config(tmp_path, env=env)
    assert config.db_path == Path("/tmp/x.db")
    assert config.crawl.allow_private_hosts == ["127.0.0.2", "10.0.0.0/8"]
    assert config.crawl.autothrottle is False


def test_secrets_only_from_the_environment(tmp_path: Path) -> None:
    write(tmp_path / "seedwire.toml", "[email]\nsmtp_password = 'x'\n")
    with pytest.raises(ConfigError, match="unknown key email.smtp_password"):
        load_config(tmp_path, env={})
    config = load_config(tmp_path / "nothing", env={"SEEDWIRE_SMTP_PASSWORD": "s3cret"})
    assert config.secret("smtp_password") == "s3cret"
    assert config.secret("secret") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[crawl]\ndepht = 2\n", "unknown key crawl.depht"),
        ("[crawling]\ndepth = 2\n", "unknown section [crawling]"),
        ("[crawl]\ndepth = 'two'\n", "crawl.depth: expected int"),
        ("[site]\ntimezone = 'Mars/Olympus'\n", "unknown timezone 'Mars/Olympus'"),
        ("[schedule]\nweekly = 'someday'\n", "schedule.weekly"),
        ("[crawl\ndepth = 2\n", "invalid TOML"),
    ],
)
def test_bad_configuration_names_the_key_and_file(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "seedwire.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, env={})
    assert message in str(info.value)
    assert "seedwire.toml" in str(info.value)


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SEEDWIRE_CRAWL_DEPTH"):
        load_config(tmp_path, env={"SEEDWIRE_CRAWL_DEPTH": "deep"})


def test_example_file_documents_every_key() -> None:
    example = (Path(__file__).parents[1] / "seedwire.toml.example").read_text(encoding="utf-8")
    for section, key, _default, _doc in describe_keys():
        assert f"[{section}]" in example
        assert f"{key} =" in example, f"{section}.{key} missing from seedwire.toml.example"
    # the example itself is a valid configuration once uncommented
    import re
    import tomllib

    setting = re.compile(r"^# (\w+ = .*)$")
    body = "\n".join(setting.sub(r"\1", line) for line in example.splitlines())
    tomllib.loads(body)
