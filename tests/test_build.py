"""Building an issue end to end (store → selection → clusters → summaries → render → out/), the
stored issues, and `seedwire digest build|list|show`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_select import TZ, Seeder, at

from crawler.config import Config, load_config
from crawler.store import (
    StoreSummaryCache,
    digest_entries,
    get_digest,
    list_digests,
    open_db,
    save_digest,
)
from digest.build import (
    DigestError,
    build_issue,
    make_subject,
    one_line,
    resolve_period,
)
from digest.cli import main
from digest.llm import PROMPT_VERSION

NOW_W47 = at("2026-11-23T08:00:00")  # Monday morning after W47
NOW_W46 = at("2026-11-16T08:00:00")

VOICE_A = (
    "OpenAI brings real-time voice to GPT-4o in ChatGPT",
    "OpenAI on Tuesday began rolling out real-time voice conversations powered by GPT-4o to "
    "ChatGPT Plus users. The new mode answers in about 300 milliseconds and can be interrupted "
    "mid-sentence. OpenAI said the feature reaches all paying users in the coming weeks. "
    "Free users will get a limited preview later this year. The company also said voice "
    "recordings are not used for training unless users opt in.",
)
VOICE_B = (
    "ChatGPT's GPT-4o voice mode now talks back in real time",
    "Paying ChatGPT users are getting GPT-4o voice conversations in real time, OpenAI said "
    "on Tuesday. Replies arrive in roughly 300 milliseconds and users can interrupt the "
    "assistant while it speaks. All Plus users should have it within weeks. A limited preview "
    "for free accounts follows later this year, the company said.",
)
PRICES = (
    "GPT-4o API prices fall by half for batch jobs",
    "OpenAI cut the price of GPT-4o batch requests by fifty percent on Thursday. Developers "
    "who can wait up to a day for results now pay half the normal rate per token. The company "
    "said the change targets data labelling and evaluation workloads. Interactive requests "
    "keep their current prices.",
)
ZH_VISION = (
    "GPT-4o 看图能力实测：读小票、认手写都不在话下",
    "我们用十张照片测试了GPT-4o的多模态能力。它能准确读出超市小票上的金额，也能识别潦草的手写便条。"
    "在复杂图表上，模型偶尔会看错坐标轴的单位。总体来看，GPT-4o的视觉理解已经可以胜任日常办公场景。",
)
SORA = (
    "Sora video generation opens to more countries",
    "OpenAI made its Sora video model available in thirty more countries on Wednesday. Users "
    "can create clips of up to twenty seconds from a text prompt. Sora also gained a storyboard "
    "tool for arranging several shots. Prices follow the ChatGPT subscription tiers.",
)
OLD_NEWS = (
    "GPT-4o mini arrives for developers",
    "OpenAI released GPT-4o mini, a smaller and cheaper model, to developers on Monday. It "
    "replaces GPT-3.5 Turbo in ChatGPT. The model costs fifteen cents per million input tokens "
    "and supports text and vision.",
)


def make_config(tmp_path: Path, **sections: dict[str, Any]) -> Config:
    overrides: dict[str, dict[str, Any]] = {
        "paths": {"db": str(tmp_path / "seedwire.db"), "out_dir": str(tmp_path / "out")},
        "site": {"language": "en", "timezone": "Asia/Shanghai",
                 "base_url": "https://digest.example/"},
    }
    for name, values in sections.items():
        overrides.setdefault(name, {}).update(values)
    return load_config(root=tmp_path, env={}, overrides=overrides)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path)


@pytest.fixture
def db(config: Config) -> Any:
    return open_db(config.db_path)


@pytest.fixture
def seed(db: Any) -> Seeder:
    seeder = Seeder(db)
    seeder.topic("gpt4o", name="GPT-4o", keywords={"gpt-4o": 1.0, "voice": 0.6})
    seeder.topic("sora", name="Sora", keywords={"sora": 1.0, "video": 0.5})
    return seeder


def add(seed: Seeder, story: tuple[str, str], *, seen: str, site: str, score: float = 3.0,
        topic: str = "gpt4o", **extra: Any) -> int:
    title, text = story
    return seed.article(title, text=text, seen=seen, site=site, topics={topic: score}, **extra)


def week47(seed: Seeder) -> dict[str, int]:
    return {
        "voice": add(seed, VOICE_A, seen="2026-11-17T09:00", site="openai-news.example",
                     score=6.0, published="2026-11-17T08:00"),
        "voice_b": add(seed, VOICE_B, seen="2026-11-18T10:00", site="techdaily.example",
                       score=4.0, published="2026-11-17T20:00"),
        "prices": add(seed, PRICES, seen="2026-11-19T09:00", site="devwire.example",
                      score=3.5, fingerprint=0x0F0F_0F0F_0F0F_0F0F),
        "prices_copy": add(seed, ("Batch GPT-4o requests now cost half", PRICES[1] + " Ends."),
                           seen="2026-11-20T09:00", site="mirror.example", score=2.0,
                           fingerprint=0x0F0F_0F0F_0F0F_0F0E),
        "vision": add(seed, ZH_VISION, seen="2026-11-21T09:00", site="kejiribao.example",
                      score=3.0, language="zh"),
        "sora": add(seed, SORA, seen="2026-11-22T23:59", site="videonews.example", score=5.0,
                    topic="sora"),
    }


# ----------------------------------------------------------------------------- end to end


def test_build_writes_the_issue_and_stores_it(config: Config, db: Any, seed: Seeder) -> None:
    a = week47(seed)
    built = build_issue(db, config, now=NOW_W47)
    assert built is not None
    assert (built.number, built.period, built.rebuilt) == (1, "2026-W47", False)
    assert built.subject == "seedwire weekly #1: OpenAI brings real-time voice to GPT-4o in ChatGPT"
    assert built.entries_per_topic == {"GPT-4o": 3, "Sora": 1}

    out = config.out_dir
    for name in ("email.html", "email.txt", "feed.xml", "atom.xml", "index.html",
                 "issues/2026-W47.html"):
        assert (out / name).is_file(), name
    assert built.paths["email_txt"] == out / "email.txt"
    text = (out / "email.txt").read_text(encoding="utf-8")
    assert VOICE_A[0] in text and SORA[0] in text and ZH_VISION[0] in text
    assert "Also covered by" in text and "techdaily.example" in text and "mirror.example" in text
    assert text.index("GPT-4o") < text.index("Sora")  # topics by name
    assert "%%UNSUBSCRIBE_URL%%" not in text
    html = (out / "email.html").read_text(encoding="utf-8")
    assert "https://openai-news.example/" in html
    feed = ET.parse(out / "feed.xml").getroot()
    assert [i.findtext("title") for i in feed.iter("item")] == [built.subject]

    stored = get_digest(db, "2026-W47")
    assert stored is not None
    assert (stored["number"], stored["subject"], stored["entries"]) == (1, built.subject, 4)
    assert stored["starts"] == "2026-11-15T16:00:00+00:00"  # Monday 00:00 in Shanghai
    assert "%%UNSUBSCRIBE_URL%%" in stored["text"]  # delivery puts each reader's link there
    items = digest_entries(db, stored["id"])
    assert [i["rank"] for i in items] == [1, 2, 3, 4]
    by_id = {i["article_id"]: i for i in items}
    assert set(by_id) == {a["voice"], a["prices"], a["vision"], a["sora"]}
    assert by_id[a["voice"]]["also"] == [a["voice_b"]]
    assert by_id[a["prices"]]["also"] == [a["prices_copy"]]
    assert by_id[a["sora"]]["topic"] == "sora"
    assert all(i["summary"] and i["method"] == "extractive" for i in items)
    assert by_id[a["voice"]]["summary"].startswith("OpenAI on Tuesday began rolling out")
    assert stored["context"]["topics"][0]["lead"]


def test_a_chinese_reader_gets_chinese_fixed_words(tmp_path: Path) -> None:
    config = make_config(tmp_path, site={"language": "zh"})
    db = open_db(config.db_path)
    seed = Seeder(db)
    seed.topic("gpt4o", name="GPT-4o")
    add(seed, ZH_VISION, seen="2026-11-21T09:00", site="kejiribao.example", language="zh")
    built = build_issue(db, config, now=NOW_W47)
    assert built is not None
    assert built.subject == f"seedwire weekly 第 1 期：{ZH_VISION[0]}"
    assert "另见" not in (config.out_dir / "email.txt").read_text(encoding="utf-8")


def test_nothing_from_an_earlier_issue_comes_back(config: Config, db: Any, seed: Seeder) -> None:
    old = add(seed, OLD_NEWS, seen="2026-11-10T09:00", site="openai-news.example")
    first = build_issue(db, config, now=NOW_W46)
    assert first is not None and first.period == "2026-W46"
    a = week47(seed)
    second = build_issue(db, config, now=NOW_W47)
    assert second is not None and second.number == 2
    shown = {i["article_id"] for i in digest_entries(db, second.digest_id)}
    assert old not in shown and a["voice"] in shown
    # a custom period over both weeks finds nothing that is not in an issue already
    assert build_issue(db, config, since=date(2026, 11, 9), until=date(2026, 11, 22),
                       now=NOW_W47) is None
    late = add(seed, ("A late GPT-4o story", PRICES[1].replace("Thursday", "Friday")),
               seen="2026-11-20T12:00", site="late.example")
    span = build_issue(db, config, period="2026-11-09..2026-11-22", now=NOW_W47)
    assert span is not None and span.number == 3
    assert [i["article_id"] for i in digest_entries(db, span.digest_id)] == [late]


def test_rebuilding_a_period_keeps_its_number(config: Config, db: Any, seed: Seeder) -> None:
    add(seed, OLD_NEWS, seen="2026-11-10T09:00", site="openai-news.example")
    assert build_issue(db, config, now=NOW_W46).number == 1
    week47(seed)
    assert build_issue(db, config, now=NOW_W47).number == 2
    extra = add(seed, SORA, seen="2026-11-12T09:00", site="videonews.example", topic="sora")
    again = build_issue(db, config, period="2026-w46", now=NOW_W47)
    assert (again.number, again.period, again.rebuilt) == (1, "2026-W46", True)
    assert again.subject.startswith("seedwire weekly #1: ")
    assert extra in {i["article_id"] for i in digest_entries(db, again.digest_id)}
    assert [(d["number"], d["period"]) for d in list_digests(db)] == [
        (2, "2026-W47"), (1, "2026-W46")
    ]
    out = config.out_dir
    assert (out / "issues/2026-W46.html").is_file() and (out / "issues/2026-W47.html").is_file()
    assert SORA[0] in (out / "email.txt").read_text(encoding="utf-8")  # the latest build
    assert len(list(ET.parse(out / "feed.xml").getroot().iter("item"))) == 2


def test_a_number_taken_meanwhile_is_not_reused(
    config: Config, db: Any, seed: Seeder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import digest.build

    week47(seed)
    real = digest.build.reserve_number
    calls: list[int] = []

    def racing(db: Any, period: str) -> int:
        number = real(db, period)
        if not calls:  # another build stores an issue under this number right now
            save_digest(db, period="2026-W40", number=number, subject="other", html="", text="",
                        starts="a", ends="b", items=[], context={}, now=NOW_W47)
        calls.append(number)
        return number

    monkeypatch.setattr(digest.build, "reserve_number", racing)
    built = build_issue(db, config, now=NOW_W47)
    assert calls == [1, 2]
    assert built.number == 2 and built.subject.startswith("seedwire weekly #2: ")
    assert get_digest(db, "2026-W47")["number"] == 2


def test_an_empty_period_makes_no_issue(config: Config, db: Any, seed: Seeder) -> None:
    assert build_issue(db, config, now=NOW_W47) is None
    assert list_digests(db) == []
    assert not config.out_dir.exists()


def test_a_quiet_week_when_asked_for(tmp_path: Path) -> None:
    config = make_config(tmp_path, digest={"quiet_week": True})
    db = open_db(config.db_path)
    Seeder(db).topic("gpt4o", name="GPT-4o")
    built = build_issue(db, config, now=NOW_W47)
    assert built is not None and built.quiet
    assert built.subject == "seedwire weekly #1: A quiet week"
    assert get_digest(db, "2026-W47")["entries"] == 0
    text = (config.out_dir / "email.txt").read_text(encoding="utf-8")
    assert "A quiet week: nothing new on our topics." in text


def test_llm_summaries_come_from_the_store_cache(tmp_path: Path) -> None:
    # nothing listens on port 9: a cached answer is used, the others fall back to extractive
    config = make_config(tmp_path, llm={"base_url": "http://127.0.0.1:9", "model": "tiny",
                                        "timeout": 2.0})
    db = open_db(config.db_path)
    seed = Seeder(db)
    seed.topic("gpt4o", name="GPT-4o")
    voice = add(seed, VOICE_A, seen="2026-11-17T09:00", site="openai-news.example", score=6.0)
    prices = add(seed, PRICES, seen="2026-11-19T09:00", site="devwire.example")
    StoreSummaryCache(db, NOW_W47).put(f"https://openai-news.example/{voice}", "tiny",
                                       PROMPT_VERSION, "Real-time GPT-4o voice for Plus users.")
    built = build_issue(db, config, now=NOW_W47)
    items = {i["article_id"]: i for i in digest_entries(db, built.digest_id)}
    assert items[voice]["summary"] == "Real-time GPT-4o voice for Plus users."
    assert items[voice]["method"] == "llm-cache"
    assert items[prices]["method"] == "extractive"
    assert built.methods == {"llm-cache": 1, "extractive": 1}


def test_titles_from_the_web_never_break_the_subject() -> None:
    title = "GPT-4o\r\nBcc: victim@example.com\x00\u2028 gets\tvoice\u200b"
    subject = make_subject("seedwire\nweekly", 7, title, "en")
    assert subject == "seedwire weekly #7: GPT-4o Bcc: victim@example.com gets voice"
    assert all(ch.isprintable() for ch in subject)
    assert len(make_subject("s", 1, "x" * 500, "en")) < 140
    assert one_line("  a \u3000 b\n") == "a b"
    assert make_subject("s", 2, "", "zh") == "s 第 2 期"


def test_a_title_with_line_breaks_is_cleaned_in_the_stored_issue(
    config: Config, db: Any, seed: Seeder
) -> None:
    add(seed, ("Line one\nLine two\x07", VOICE_A[1]), seen="2026-11-17T09:00", site="a.example")
    built = build_issue(db, config, now=NOW_W47)
    assert built.subject == "seedwire weekly #1: Line one Line two"
    assert built.context.topics[0].entries[0].title == "Line one Line two"


# ----------------------------------------------------------------------------- periods


def test_resolve_period(config: Config) -> None:
    default = resolve_period(config, now=NOW_W47)
    assert default.key == "2026-W47"
    assert default.starts == datetime(2026, 11, 16, tzinfo=TZ)
    # Sunday 23:30 in Shanghai: W47 is not complete yet, W46 is the last complete week
    assert resolve_period(config, now=at("2026-11-22T23:30")).key == "2026-W46"
    custom = resolve_period(config, since=date(2026, 11, 1), until=date(2026, 11, 15),
                            now=NOW_W47)
    assert custom.key == "2026-11-01..2026-11-15"
    assert custom.ends == datetime(2026, 11, 16, tzinfo=TZ)  # the last day is included
    assert resolve_period(config, period="2026-11-01..2026-11-15", now=NOW_W47) == custom
    assert resolve_period(config, period="2026-w47", now=NOW_W47).key == "2026-W47"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"period": "last week"}, "expected a period like 2026-W47"),
        ({"period": "2026-W60"}, "expected a period like 2026-W47"),
        ({"period": "2026-11-15..2026-11-01"}, "first day is after the last"),
        ({"since": date(2026, 11, 15), "until": date(2026, 11, 1)}, "is after --until"),
        ({"since": date(2026, 11, 15)}, "needs both --since and --until"),
        ({"period": "2026-W47", "since": date(2026, 11, 1)}, "not both"),
    ],
)
def test_bad_periods_say_why(config: Config, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(DigestError, match=message):
        resolve_period(config, now=NOW_W47, **kwargs)


def test_an_unknown_topic_is_named(config: Config, db: Any, seed: Seeder) -> None:
    with pytest.raises(DigestError, match=r"unknown topic 'dalle' \(known: GPT-4o, Sora\)"):
        build_issue(db, config, topic="dalle", now=NOW_W47)


# ----------------------------------------------------------------------------- CLI


def run(tmp_path: Path, *args: str) -> Any:
    db = str(tmp_path / "seedwire.db")
    out = str(tmp_path / "out")
    env = {"SEEDWIRE_SITE_LANGUAGE": "en", "SEEDWIRE_SITE_BASE_URL": "https://digest.example/"}
    return CliRunner().invoke(main, ["--db", db, "--out-dir", out, *args], env=env,
                              catch_exceptions=False)


def test_cli_build_list_show(tmp_path: Path, db: Any, seed: Seeder,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    week47(seed)
    result = run(tmp_path, "digest", "build", "--now", "2026-11-23T08:00:00+08:00")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Issue #1: 2026-W47 (16–22 Nov 2026, Asia/Shanghai)"
    assert lines[1] == ("Subject: seedwire weekly #1: OpenAI brings real-time voice to GPT-4o "
                        "in ChatGPT")
    assert "Entries: 4, 2 more write-ups under them" in lines
    assert "  GPT-4o  3" in lines and "  Sora    1" in lines
    assert "  out/email.html" in lines and "  out/feed.xml" in lines
    assert "  out/issues/2026-W47.html" in lines
    assert ("Candidates: 6 new articles; 0 too old, 2 under another entry, 0 over the caps"
            in lines)

    again = run(tmp_path, "digest", "build", "--period", "2026-W47",
                "--now", "2026-11-24T08:00:00+08:00")
    assert again.output.startswith("Issue #1 (rebuilt, same number): 2026-W47")

    listed = run(tmp_path, "digest", "list")
    assert listed.exit_code == 0
    assert listed.output.splitlines()[0].split() == ["number", "period", "entries", "subject"]
    assert listed.output.splitlines()[2].split()[:5] == ["#1", "2026-W47", "4", "seedwire",
                                                          "weekly"]

    shown = run(tmp_path, "digest", "show", "2026-W47")
    assert shown.exit_code == 0
    assert VOICE_A[0] in shown.output and "https://digest.example/unsubscribe" in shown.output
    assert run(tmp_path, "digest", "show", "1").output == shown.output
    assert "<html" in run(tmp_path, "digest", "show", "#1", "--html").output


def test_cli_quiet_period_and_user_mistakes(tmp_path: Path, db: Any, seed: Seeder) -> None:
    empty = run(tmp_path, "digest", "build", "--period", "2026-W40")
    assert empty.exit_code == 0
    assert empty.output.startswith("No new articles for 2026-W40 (28 Sep – 4 Oct 2026): no issue")
    cases = [
        (["build", "--period", "week 47"], "Error: expected a period like 2026-W47"),
        (["build", "--since", "2026-11-15", "--until", "2026-11-01"],
         "Error: --since 2026-11-15 is after --until 2026-11-01"),
        (["build", "--since", "yesterday", "--until", "2026-11-01"],
         "Error: --since: expected a date like 2026-11-16, got 'yesterday'"),
        (["build", "--now", "soon"], "Error: --now: expected an ISO time"),
        (["build", "--topic", "nope"], "Error: unknown topic 'nope' (known: GPT-4o, Sora)"),
        (["show", "2026-W12"], "Error: no issue for 2026-W12 (see `seedwire digest list`)"),
        (["show", "lastweek"], "Error: expected a period like 2026-W47"),
    ]
    for args, message in cases:
        result = run(tmp_path, "digest", *args)
        assert result.exit_code == 1, args
        assert result.output.strip().startswith(message), result.output
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    assert "No issues yet" in run(tmp_path, "digest", "list").output


def test_cli_help_has_examples(tmp_path: Path) -> None:
    for command in (["digest"], ["digest", "build"], ["digest", "list"], ["digest", "show"]):
        result = run(tmp_path, *command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.output and "seedwire digest" in result.output
