"""The foundation commands through click's CliRunner: what an operator sees."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler import store
from digest.cli import main

TOPIC = """\
[topic]
name = "Open models"
keywords = { "open-weight" = 3.0, "开源模型" = 3.0, "benchmark" = 1.0 }

[[cite]]
url = "https://news.example.org/2026/11/02/open-weights-win.html?utm_source=x"
title = "Open weights win a round"
date = "2026-11-02"

[[sources]]
site = "https://blog.example.cn/"
feeds = ["https://blog.example.cn/feed.xml"]
"""


@pytest.fixture()
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in list(__import__("os").environ):
        if key.startswith("SEEDWIRE_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "open.toml").write_text(TOPIC, encoding="utf-8")
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_help_has_examples_for_every_command(workdir: Path) -> None:
    for command in (["seeds"], ["seeds", "check"], ["db", "migrate"], ["db", "stats"],
                    ["config"], ["search"], ["crawl"]):
        code, out = run(*command, "--help")
        assert code == 0
        assert "Example" in out, command


def test_seeds_prints_topics_and_sources_and_stores_them(workdir: Path) -> None:
    code, out = run("seeds")
    assert code == 0, out
    assert "Topic: Open models" in out
    assert "https://news.example.org/" in out and "https://blog.example.cn/" in out
    db = store.open_db(workdir / "data" / "seedwire.db")
    assert [t["name"] for t in store.list_topics(db)] == ["Open models"]
    sites = {s["site"]: s for s in store.list_sources(db)}
    assert sites["https://blog.example.cn/"]["feeds"] == ["https://blog.example.cn/feed.xml"]
    assert sites["https://news.example.org/"]["start_urls"] == [
        "https://news.example.org/2026/11/02/open-weights-win.html"]


def test_seeds_json(workdir: Path) -> None:
    code, out = run("seeds", "--json", "--no-save")
    data = json.loads(out)
    assert data["topics"][0]["slug"]
    assert not (workdir / "data" / "seedwire.db").exists()


def test_seeds_check_fails_on_a_broken_seed_and_names_it(workdir: Path) -> None:
    (workdir / "seeds" / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n",
                                                   encoding="utf-8")
    code, out = run("seeds", "check")
    assert code == 1
    assert "broken.md" in out
    code, out = run("seeds")      # the other seeds still load
    assert "Topic: Open models" in out


def test_missing_seed_folder_is_one_clear_line(workdir: Path) -> None:
    result = CliRunner().invoke(main, ["seeds", "--dir", "nowhere"])
    assert result.exit_code == 1
    assert "nowhere: no such seed folder" in result.output
    assert "Traceback" not in result.output


def test_db_migrate_twice_and_stats(workdir: Path) -> None:
    code, out = run("db", "migrate")
    assert code == 0 and "applied 0001_initial" in out
    code, out = run("db", "migrate")
    assert "up to date" in out
    code, out = run("db", "stats")
    assert code == 0 and "articles" in out
    code, out = run("db", "stats", "--json")
    assert json.loads(out)["tables"]["articles"] == 0


def test_config_shows_values_and_their_origin(workdir: Path) -> None:
    (workdir / "seedwire.toml").write_text("[crawl]\ndepth = 3\n", encoding="utf-8")
    code, out = run("config", env={"SEEDWIRE_CRAWL_CONCURRENCY_PER_HOST": "2"})
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("crawl.depth "))
    assert "3" in line and "seedwire.toml" in line
    line = next(x for x in out.splitlines() if x.startswith("crawl.concurrency_per_host"))
    assert "env SEEDWIRE_CRAWL_CONCURRENCY_PER_HOST" in line
    assert "smtp_password" in out and "not set" in out


def test_bad_config_is_one_line_naming_key_and_file(workdir: Path) -> None:
    (workdir / "seedwire.toml").write_text("[site]\ntimezone = 'Nowhere/City'\n")
    result = CliRunner().invoke(main, ["config"])
    assert result.exit_code == 1
    assert "seedwire.toml: site.timezone: unknown timezone 'Nowhere/City'" in result.output
    assert "Traceback" not in result.output


def test_search_finds_chinese(workdir: Path) -> None:
    db = store.open_db(workdir / "data" / "seedwire.db")
    store.insert_article(db, store.NewArticle(
        canonical_url="https://blog.example.cn/p/1", url="https://blog.example.cn/p/1",
        title="开源模型追平闭源",
        text="一组新的评测显示，三款开源模型在中文阅读理解上的差距缩小到两个百分点以内。",
        site="blog.example.cn"), now=datetime(2026, 11, 16, tzinfo=UTC), run_id=None)
    code, out = run("search", "开源模型")
    assert code == 0 and "开源模型追平闭源" in out
    code, out = run("search", "不存在的词语")
    assert "no matches" in out
