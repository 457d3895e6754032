"""Seed files → seeds, topics and sources; bad input becomes problems, never exceptions."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from crawler.seeds import (
    Seed,
    SeedError,
    SeedProblem,
    SeedSet,
    Topic,
    load_seeds,
    parse_seed_file,
)
from crawler.seedvalues import parse_date
from crawler.text import term_key

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "seeds"
SHIPPED = ROOT / "seeds"
ORIGINALS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="module")
def sora() -> SeedSet:
    return load_seeds(FIXTURES / "sora")


@pytest.fixture(scope="module")
def mixed() -> SeedSet:
    return load_seeds(FIXTURES / "mixed")


def seed(seedset: SeedSet, name: str) -> Seed:
    return next(s for s in seedset.seeds if Path(s.path).name == name)


def topic_of(seedset: SeedSet, name: str) -> Topic:
    return next(t for t in seedset.topics if any(Path(p).name == name for p in t.seeds))


def hosts(urls: list, kind: str = "article") -> set[str]:
    return {u.url.split("/")[2] for u in urls if u.kind == kind}


def top_terms(topic: Topic, n: int) -> set[str]:
    return {term_key(t) for t in list(topic.keywords)[:n]}


def problems_of(seedset: SeedSet, name: str) -> list[SeedProblem]:
    return [p for p in seedset.problems if Path(p.path).name == name]


# --- the five shapes ---------------------------------------------------------------------------


def test_five_seeds_make_one_readable_topic(sora: SeedSet) -> None:
    assert [Path(s.path).name for s in sora.seeds] == [
        "100_report.txt",
        "101_wechat.md",
        "102_blog.md",
        "103_news.txt",
        "104_summary.txt",
    ]  # README.md is not a seed
    assert [s.format for s in sora.seeds] == [
        "citations",
        "frontmatter",
        "frontmatter",
        "citations",
        "tagged",
    ]
    assert len(sora.topics) == 1
    topic = sora.topics[0]
    assert (topic.name, topic.slug) == ("Sora", "sora")
    assert len(topic.seeds) == 5
    assert sora.errors == []


def test_report_with_footnote_citations(sora: SeedSet) -> None:
    report = seed(sora, "100_report.txt")
    assert report.title == "Sora 视频生成模型发展回顾"
    assert report.language == "zh"
    assert hosts(report.urls) == {
        "openai.com",
        "review.example.com",
        "news.example.org",
    }
    by_url = {u.url: u for u in report.urls}
    sora_page = by_url["https://openai.com/index/sora"]
    assert sora_page.title == "Sora: Creating video from text | OpenAI"
    assert sora_page.line == 21
    # tracking parameters and fragments are gone, markers and bullets are not part of titles
    world = by_url["https://openai.com/index/video-generation-models-as-world-simulators"]
    assert world.title == "Video generation models as world simulators | OpenAI"
    physics = by_url["https://review.example.com/2024/02/sora-physics-mistakes"]
    assert physics.title == "What Sora gets wrong about physics | Example Tech Review"
    hollywood = by_url["https://news.example.org/business/hollywood-text-to-video-2024.html"]
    assert hollywood.title == "Hollywood weighs the cost of text-to-video | Example News"
    video = by_url["https://www.youtube.com/watch?v=0000sora000"]
    assert video.kind == "video"
    assert not any("utm_" in u or "fbclid" in u or "#" in u for u in by_url)


def test_wechat_article_with_chinese_front_matter(sora: SeedSet) -> None:
    wechat = seed(sora, "101_wechat.md")
    assert wechat.title == "Sora 上手体验：一句话生成一分钟视频"
    assert wechat.date == datetime.date(2024, 2, 16)
    assert wechat.author == "AI 观察员"
    assert wechat.publisher == "微信公众号"
    own = [u for u in wechat.urls if u.kind == "self"]
    assert len(own) == 1
    assert own[0].url.startswith("https://mp.weixin.qq.com/s?")
    for part in ("__biz=", "mid=2650000001", "idx=1", "sn=0123456789abcdef"):
        assert part in own[0].url
    assert "chksm" not in own[0].url and "scene" not in own[0].url
    assert not wechat.article_urls  # the mmbiz.qpic.cn pictures are images, not articles
    assert hosts(wechat.urls, "image") == {"mmbiz.qpic.cn"}
    assert any("no sources" in p.message for p in problems_of(sora, "101_wechat.md"))


def test_blog_post_with_javascript_date_and_tags(sora: SeedSet) -> None:
    blog = seed(sora, "102_blog.md")
    assert blog.date == datetime.date(2024, 12, 13)
    assert blog.tags == ["人工智能", "视频生成"]
    assert blog.author == "example_writer"
    assert hosts(blog.urls) == {"openai.com", "techblog.example.net"}
    assert "i-blog.csdnimg.cn" in hosts(blog.urls, "image")
    link = next(u for u in blog.urls if "techblog" in u.url)
    assert link.url == "https://techblog.example.net/posts/video-tools-compared"
    assert link.title == "几款视频生成工具横评"
    # tags weigh as much as the best extracted term
    assert blog.keywords["人工智能"] == max(blog.keywords.values())


def test_news_article_with_escaped_pdf_and_reference_link(sora: SeedSet) -> None:
    news = seed(sora, "103_news.txt")
    assert news.title == "OpenAI 发布 Sora：文生视频迎来“一分钟”时代"
    kinds = {u.url: u.kind for u in news.urls}
    assert kinds["https://openai.com/index/sora"] == "article"
    assert kinds["https://cdn.openai.com/fixture-0000/Sora_Technical_Report_Fixture.pdf"] == (
        "document"
    )
    assert hosts(news.urls, "image") == {"n.sinaimg.cn"}
    assert hosts(news.urls) == {"openai.com"}
    assert next(u for u in news.urls if u.kind == "document").line == 13
    assert (
        next(u for u in news.urls if u.kind == "article").title is None
    )  # "参考链接：" is a label


def test_tagged_summary_without_links(sora: SeedSet) -> None:
    summary = seed(sora, "104_summary.txt")
    assert summary.format == "tagged"
    assert summary.title == "Sora：视频生成的“GPT 时刻”"
    assert summary.date == datetime.date(2024, 2, 15)
    assert summary.author == "示例作者"
    assert summary.tags == ["视频生成", "多模态"]
    assert summary.urls == []
    assert "sora" in {term_key(t) for t in summary.keywords}
    messages = [p.message for p in problems_of(sora, "104_summary.txt")]
    assert any(m.startswith("no sources") for m in messages)
    assert all(p.level == "warning" for p in problems_of(sora, "104_summary.txt"))


def test_topic_keywords_sources_and_dates(sora: SeedSet) -> None:
    topic = sora.topics[0]
    assert list(topic.keywords)[0] == "Sora"
    assert {"sora", "openai", "视频生成"} <= top_terms(topic, 5)
    assert all(0 < w <= 2.0 for w in topic.keywords.values())
    assert topic.since == datetime.date(2024, 12, 13)  # the newest seed
    assert topic.threshold == 2.0
    assert topic.languages[0] == "zh"
    sites = {s.site: s for s in topic.sources}
    assert set(sites) == {
        "https://openai.com/",
        "https://review.example.com/",
        "https://news.example.org/",
        "https://techblog.example.net/",
    }
    assert sites["https://openai.com/"].host == "openai.com"
    assert sites["https://openai.com/"].start_urls == [
        "https://openai.com/index/sora",
        "https://openai.com/index/video-generation-models-as-world-simulators",
        "https://openai.com/index/sora-is-here",
    ]
    kinds = {u.kind for u in topic.cited}
    assert kinds == {"article", "video", "self", "image", "document"}
    assert len({u.url for u in topic.cited}) == len(topic.cited)


# --- other shapes and topic definitions ------------------------------------------------------


def test_topic_file_claims_seeds_by_glob_and_topic_key(mixed: SeedSet) -> None:
    cooking = topic_of(mixed, "cooking.toml")
    assert (cooking.name, cooking.slug) == ("Home cooking", "home-cooking")
    assert sorted(Path(p).name for p in cooking.seeds) == [
        "cooking.toml",
        "noodles.md",  # topic: Home cooking
        "recipe_braise.md",  # seeds = ["recipe_*.md"]
    ]
    assert cooking.threshold == 1.5
    assert cooking.languages == ["en"]
    assert cooking.exclude == ["sponsored"]
    assert list(cooking.keywords)[:3] == ["recipe", "家常菜", "braise"]  # explicit ones first
    assert cooking.keywords["recipe"] == 3.0
    [source] = cooking.sources
    assert source.site == "https://food.example.com/"
    assert source.feeds == ["https://food.example.com/rss.xml"]
    assert source.sitemaps == ["https://food.example.com/sitemap.xml"]
    assert source.start_urls == [
        "https://food.example.com/recipes/tomato-soup",
        "https://food.example.com/recipes/winter-braise",
    ]
    soup = next(u for u in cooking.cited if u.url.endswith("tomato-soup"))
    assert (soup.title, soup.date) == ("Roast tomato soup", "2025-01-15")


def test_opml_feeds_become_sources_of_their_outline_topic(mixed: SeedSet) -> None:
    topics = {t.name: t for t in mixed.topics}
    rockets, space = topics["Rockets"], topics["Space news"]
    assert {s.site: s.feeds for s in rockets.sources} == {
        "https://launch.example.com/": ["https://launch.example.com/feed.xml"],
        "https://orbit.example.net/": ["https://orbit.example.net/rss"],
    }
    assert {s.site: s.feeds for s in space.sources} == {
        "https://agency.example.org/": ["https://agency.example.org/news/atom.xml"],
    }
    assert seed(mixed, "feeds.opml").format == "opml"


def test_html_seed(mixed: SeedSet) -> None:
    page = seed(mixed, "ev.html")
    assert page.format == "html"
    assert page.title == "Solid-state batteries edge closer to electric cars"
    assert page.date == datetime.date(2025, 6, 2)
    assert page.author == "Example Motoring Desk"
    assert page.language == "en"
    assert page.tags == ["electric vehicles", "batteries"]
    kinds = {u.url: u.kind for u in page.urls}
    assert kinds == {
        "https://cars.example.com/news/solid-state-batteries": "self",
        "https://cars.example.com/reports/battery-outlook-2025": "article",
        "https://energy.example.org/2025/05/solid-state-explained": "article",
        "https://cars.example.com/img/cell.jpg": "image",
        "mailto:desk@cars.example.com": "contact",
    }
    [problem] = [p for p in problems_of(mixed, "ev.html") if p.level == "error"]
    assert problem.line == 19
    assert "javascript:" in problem.message
    assert str(problem).startswith(f"{page.path}:19: error: javascript: URL not allowed")


def test_unrelated_seed_forms_its_own_topic(mixed: SeedSet) -> None:
    football = topic_of(mixed, "football.md")
    assert [Path(p).name for p in football.seeds] == ["football.md"]
    assert football.name in football.keywords
    assert football.name in (seed(mixed, "football.md").title or "")
    assert len({t.slug for t in mixed.topics}) == len(mixed.topics)


# --- bad input --------------------------------------------------------------------------------


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


GOOD = (
    "# 视频生成模型 Sora\n\nSora 是 OpenAI 的视频生成模型。\n\n<https://openai.com/index/sora/>\n"
)


def test_bad_files_become_problems_and_the_rest_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "broken.md", "---\ntitle: [unclosed\ndate: 2025-01-01\n---\nbody\n")
    write(tmp_path, "unclosed.md", "---\ntitle: x\n\nno closing line\n")
    write(tmp_path, "broken.toml", '[topic]\nname = "x"\nkeywords = ["a" "b"]\n')
    write(tmp_path, "unfinished.toml", '[topic]\nname = "x"\nkeywords = [\n"a",\n')
    write(tmp_path, "notopic.toml", 'title = "no topic table"\n')
    write(tmp_path, "empty.txt", "  \n\n")
    write(tmp_path, "picture.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    write(tmp_path, "locked.md", GOOD)
    write(tmp_path, "README.md", "not a seed: https://example.com/readme-link\n")
    write(tmp_path, ".hidden.md", "ignored: https://example.com/hidden\n")
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.md":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = load_seeds(tmp_path)
    assert [Path(s.path).name for s in result.seeds] == ["good.md"]
    assert [t.name for t in result.topics] == ["Sora"]
    errors = {Path(p.path).name: p for p in result.errors}
    assert set(errors) == {
        "broken.md",
        "unclosed.md",
        "broken.toml",
        "unfinished.toml",
        "notopic.toml",
        "picture.png",
        "locked.md",
    }
    assert errors["broken.md"].line == 3  # where YAML finds the problem
    assert errors["broken.md"].message.startswith("broken YAML front matter")
    assert errors["unclosed.md"].line == 1
    assert errors["broken.toml"].message.startswith("broken TOML")
    assert errors["broken.toml"].line == 3
    assert errors["unfinished.toml"].line == 4
    assert "binary" in errors["picture.png"].message
    assert "Permission denied" in errors["locked.md"].message
    assert "[topic]" in errors["notopic.toml"].message
    warnings = {Path(p.path).name: p.message for p in result.problems if p.level == "warning"}
    assert warnings["empty.txt"] == "empty file"
    assert str(errors["broken.md"]) == (
        f"{tmp_path / 'broken.md'}:3: error: {errors['broken.md'].message}"
    )


def test_gbk_seed_is_decoded_with_a_warning(tmp_path: Path) -> None:
    text = (
        "---\n标题: 文生视频模型 Sora 发布\n发布日期: 2024年2月16日\n---\n\n"
        "Sora 可以生成一分钟的视频。\n"
    )
    path = write(tmp_path, "gbk.md", text.encode("gbk"))
    [parsed], problems = parse_seed_file(path)
    assert parsed.title == "文生视频模型 Sora 发布"
    assert parsed.date == datetime.date(2024, 2, 16)
    assert any(p.level == "warning" and "GB18030" in p.message for p in problems)


def test_forbidden_urls_are_errors_with_their_line(tmp_path: Path) -> None:
    text = (
        "# Links\n\n"
        "[click](javascript:alert(document.cookie))\n"
        "See file:///etc/passwd for details.\n"
        "<file:///C:/Users/me/notes.txt>\n"
        "And the real one: https://example.com/news/story-1\n"
    )
    path = write(tmp_path, "links.md", text)
    [parsed], problems = parse_seed_file(path)
    assert [u.url for u in parsed.urls] == ["https://example.com/news/story-1"]
    errors = [(p.line, p.message.split(":")[0]) for p in problems if p.level == "error"]
    assert errors == [(3, "javascript"), (4, "file"), (5, "file")]


def test_topic_file_values_are_checked(tmp_path: Path) -> None:
    text = (
        "[topic]\n"
        'name = "Rockets"\n'
        'threshold = "high"\n'
        'keywords = { "rocket" = 2.0, "launch" = -1 }\n'
        "colour = 'red'\n"
        "\n"
        "[[sources]]\n"
        'site = "javascript:alert(1)"\n'
        "\n"
        "[[cite]]\n"
        'url = "file:///home/me/rockets.html"\n'
        "\n"
        "[[cite]]\n"
        'url = "https://launch.example.com/2025/first-flight/"\n'
        'date = "next Tuesday"\n'
    )
    path = write(tmp_path, "rockets.toml", text)
    [parsed], problems = parse_seed_file(path)
    [spec] = parsed.definitions
    assert spec.keywords == {"rocket": 2.0}
    assert spec.threshold is None
    assert [u.url for u in parsed.urls] == ["https://launch.example.com/2025/first-flight"]
    by_line = {p.line: p for p in problems}
    assert by_line[3].level == "error" and "threshold" in by_line[3].message
    assert by_line[4].level == "error" and "launch" in by_line[4].message
    assert by_line[5].level == "warning" and "colour" in by_line[5].message
    assert by_line[8].level == "error" and "javascript" in by_line[8].message
    assert by_line[11].level == "error" and "file" in by_line[11].message
    assert by_line[14].level == "warning" and "date" in by_line[14].message


def test_missing_folder_is_a_seed_error(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="no such seed folder"):
        load_seeds(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-03-26", datetime.date(2025, 3, 26)),
        ("2025/3/6", datetime.date(2025, 3, 6)),
        ("2025-03-26T10:20:00+08:00", datetime.date(2025, 3, 26)),
        ("Fri Jan 02 2026 23:56:19 GMT+0800 (China Standard Time)", datetime.date(2026, 1, 2)),
        ("2024年5月13日", datetime.date(2024, 5, 13)),
        ("2024 年 05 月 13 号", datetime.date(2024, 5, 13)),
        ("May 13, 2024", datetime.date(2024, 5, 13)),
        ("13 May 2024", datetime.date(2024, 5, 13)),
        ("Mon, 13 May 2024 10:00:00 +0000", datetime.date(2024, 5, 13)),
        ("20240513", datetime.date(2024, 5, 13)),
        (datetime.datetime(2024, 5, 13, 23, 0), datetime.date(2024, 5, 13)),
        ("next Tuesday", None),
        ("2024-02-30", None),
        ("", None),
    ],
)
def test_parse_date(written: object, expected: datetime.date | None) -> None:
    assert parse_date(written) == expected


# --- the project's seeds and the original seed documents ----------------------------------------


def test_shipped_seed_folder() -> None:
    result = load_seeds(SHIPPED)
    assert result.problems == []
    [topic] = result.topics
    assert (topic.name, topic.slug) == ("GPT-4o", "gpt-4o")
    assert {"gpt4o", "openai", "多模态", "图像生成"} <= top_terms(topic, 4)
    assert topic.since == datetime.date(2026, 1, 2)
    openai = next(s for s in topic.sources if s.host == "openai.com")
    assert openai.feeds == ["https://openai.com/news/rss.xml"]
    assert "https://openai.com/index/introducing-4o-image-generation" in openai.start_urls
    kinds = {u.url: u.kind for u in topic.cited}
    assert (
        kinds[
            "https://cdn.openai.com/11998be9-5319-4302-bfbf-1167e093f1fb/"
            "Native_Image_Generation_System_Card.pdf"
        ]
        == "document"
    )
    assert [u for u, k in kinds.items() if k == "self"][0].startswith("https://mp.weixin.qq.com/")


@pytest.mark.skipif(not ORIGINALS.is_dir(), reason="the original seed documents are not here")
def test_original_seed_documents() -> None:
    result = load_seeds(ORIGINALS)
    assert result.errors == []
    assert 1 <= len(result.topics) <= 2
    assert "GPT-4o" in [t.name for t in result.topics]
    seeds = {Path(s.path).name[:3]: s for s in result.seeds}
    assert set(seeds) == {"000", "001", "002", "003", "004"}  # README.md ignored

    cited_hosts = {u.url.split("/")[2].removeprefix("www.") for u in seeds["000"].article_urls}
    assert {
        "openai.com",
        "techtarget.com",
        "reuters.com",
        "nature.com",
        "decrypt.co",
        "theverge.com",
        "learn.microsoft.com",
        "knowyourmeme.com",
        "livemint.com",
        "img.ly",
        "github.com",
    } <= cited_hosts
    hello = next(u for u in seeds["000"].urls if u.url == "https://openai.com/index/hello-gpt-4o")
    assert hello.title == "Hello GPT-4o | OpenAI"

    own = [u for u in seeds["001"].urls if u.kind == "self"]
    assert len(own) == 1 and own[0].url.startswith("https://mp.weixin.qq.com/s?__biz=")
    assert seeds["001"].date == datetime.date(2025, 3, 26)
    for key in ("001", "002", "003"):
        assert not any(
            h in u.url for u in seeds[key].article_urls for h in ("qpic.cn", "sinaimg", "csdnimg")
        )
        assert any(u.kind == "image" for u in seeds[key].urls)
    assert seeds["002"].date == datetime.date(2026, 1, 2)
    kinds = {u.url: u.kind for u in seeds["003"].urls}
    assert kinds["https://openai.com/index/introducing-4o-image-generation"] == "article"
    pdf = (
        "https://cdn.openai.com/11998be9-5319-4302-bfbf-1167e093f1fb/"
        "Native_Image_Generation_System_Card.pdf"
    )
    assert kinds[pdf] == "document"
    assert seeds["004"].urls == []
    assert seeds["004"].keywords
    assert any(p.message.startswith("no sources") for p in result.problems if "004_" in p.path)

    topic = next(t for t in result.topics if t.name == "GPT-4o")
    top = [term_key(t) for t in list(topic.keywords)[:25]]
    assert {"gpt4o", "openai", "多模态"} <= set(top)
    assert {"图像生成", "生图"} & set(top)

    # the project's own topic file carries the same topic and sources
    [shipped] = load_seeds(SHIPPED).topics
    assert (shipped.name, shipped.slug) == (topic.name, topic.slug)
    assert shipped.since == topic.since
    assert {s.site: s.start_urls for s in shipped.sources} == {
        s.site: s.start_urls for s in topic.sources
    }
    assert {(u.url, u.kind) for u in shipped.cited if u.kind != "image"} >= {
        (u.url, u.kind) for u in topic.cited if u.kind not in ("image", "contact")
    }


def test_seed_folder_copy_is_independent_of_its_location(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "sora", tmp_path / "seeds")
    result = load_seeds(tmp_path / "seeds")
    assert [t.name for t in result.topics] == ["Sora"]
    assert all(p.startswith(str(tmp_path)) for p in result.topics[0].seeds)
