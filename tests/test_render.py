"""Rendering: golden files, feed validity, hostile text, email size, the archive on disk.

Regenerate the golden files after an intended change with
``SEEDWIRE_UPDATE_GOLDEN=1 python -m pytest tests/test_render.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import jinja2
import lxml.etree
import lxml.html
import pytest

from crawler.config import Config, load_config
from digest import i18n
from digest.context import Coverage, Entry, IssueContext, TopicSection
from digest.filters import display_width, safe_url, wrap_text
from digest.render import (
    UNSUBSCRIBE_MARKER,
    RenderedIssue,
    environment,
    render_feeds,
    render_index,
    render_issue,
    write_outputs,
)

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
FIXTURES = HERE / "fixtures" / "render"
TZ = "Asia/Shanghai"
BASE = "https://weekly.example.org/"
NOW = datetime(2026, 11, 16, 7, 0, tzinfo=ZoneInfo(TZ))
ATOM = "{http://www.w3.org/2005/Atom}"
UPDATE = os.environ.get("SEEDWIRE_UPDATE_GOLDEN") == "1"


# --------------------------------------------------------------------------- building blocks


def make_issue(
    language: str = "en", number: int = 12, weeks_back: int = 0, topics: list | None = None
) -> IssueContext:
    """A fixed issue: week 46 of 2026 (9–15 Nov), two topics, Chinese and English entries."""
    tz = ZoneInfo(TZ)
    starts = datetime(2026, 11, 9, tzinfo=tz) - timedelta(weeks=weeks_back)
    if topics is None:
        topics = [
            TopicSection(
                slug="llm",
                name="大语言模型" if language == "zh" else "Language models",
                lead="长上下文评测成为本周焦点。" if language == "zh"
                else "Long-context evaluation was the story of the week.",
                entries=[
                    Entry(1, "长上下文模型评测：百万字输入下的检索准确率超过九成",
                          "https://tech.example.cn/2026/11/eval", "tech.example.cn",
                          date(2026, 11, 12),
                          "评测团队用法律文书、财报和小说构造了十二组长文本任务，结果显示检索准确率"
                          "超过百分之九十，但跨段落推理仍然落后。", "zh", 0.9,
                          [Coverage("Long-context results", "https://ml.example.org/lc",
                                    "ml.example.org")]),
                    Entry(2, "Open-weight models close the gap on Chinese reading comprehension",
                          "https://ml.example.org/2026/11/c3?ref=feed&lang=en", "ml.example.org",
                          None,
                          "A new round of the C3 benchmark puts three open-weight models within "
                          "two points of the best proprietary system; the authors credit better "
                          "data filtering rather than size.", "en", 0.8),
                ],
            ),
            TopicSection(
                slug="open-source",
                name="开源软件" if language == "zh" else "Open source",
                lead="",
                entries=[
                    Entry(3, "Python 3.15 beta 1 adds a sampling profiler",
                          "https://py.example.org/news/3-15-beta-1", "py.example.org",
                          date(2026, 11, 13),
                          "The first beta freezes the feature set.", "en", 0.7),
                ],
            ),
        ]
    return IssueContext(
        number=number,
        period=f"2026-W{46 - weeks_back:02d}",
        starts=starts,
        ends=starts + timedelta(days=7),
        subject=f"seedwire weekly #{number}: long context and open models",
        topics=topics,
        generated=NOW - timedelta(weeks=weeks_back),
        site_title="seedwire weekly",
        base_url=BASE,
        language=language,
        timezone=TZ,
    )


def make_config(root: Path, language: str = "en", **digest: int) -> Config:
    return load_config(root=root, env={}, overrides={
        "paths": {"out_dir": str(root / "out")},
        "site": {"base_url": BASE, "language": language, "timezone": TZ,
                 "title": "seedwire weekly", "description": "New articles on our topics, weekly"},
        "digest": digest,
    })


def hostile() -> dict[str, str]:
    return json.loads((FIXTURES / "hostile.json").read_text(encoding="utf-8"))


def hostile_issue(language: str = "en") -> IssueContext:
    h = hostile()
    entry = Entry(66, h["title"], h["url"], h["site"], date(2026, 11, 11), h["summary"], "ar", 1.0,
                  [Coverage(h["also_title"], h["also_url"], h["site"]),
                   Coverage(h["title"], h["data_url"], "data.example")])
    topic = TopicSection("hostile", h["topic_name"], h["lead"], [entry])
    return replace(make_issue(language), subject=h["subject"], topics=[topic])


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    assert path.exists(), f"{path} missing: run with SEEDWIRE_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file (SEEDWIRE_UPDATE_GOLDEN=1)"


def feeds(tmp_path: Path, issues: list[IssueContext], **digest: int) -> tuple[str, str]:
    return render_feeds(issues, config=make_config(tmp_path, **digest), now=NOW)


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("language", ["zh", "en"])
def test_email_golden(language: str) -> None:
    rendered = render_issue(make_issue(language))
    check_golden(f"email.{language}.html", rendered.email_html)
    check_golden(f"email.{language}.txt", rendered.email_txt)


def test_feeds_golden(tmp_path: Path) -> None:
    rss, atom = feeds(tmp_path, [make_issue(number=11, weeks_back=1), make_issue()])
    check_golden("feed.xml", rss)
    check_golden("atom.xml", atom)


def test_archive_golden(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    ctx, older = make_issue(), make_issue(number=11, weeks_back=1)
    written = write_outputs(ctx, render_issue(ctx), history=[older, ctx], config=config, now=NOW)
    check_golden("archive.issue.html", written["issue_html"].read_text(encoding="utf-8"))
    check_golden("archive.index.html", written["index_html"].read_text(encoding="utf-8"))
    check_golden("archive.topic.html", written["topics/llm.html"].read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the email


def test_email_html_content() -> None:
    ctx = make_issue("en")
    html = render_issue(ctx).email_html
    doc = lxml.html.document_fromstring(html)
    assert doc.get("lang") == "en"
    assert doc.xpath('//meta[@name="color-scheme"]/@content') == ["light dark"]
    assert doc.xpath('//meta[@name="viewport"]')
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert html.index('<meta charset="utf-8">') < 1024
    # preheader: the first topic lead, hidden
    pre = doc.xpath('//div[@class="preheader"]')[0]
    assert pre.text_content().startswith("Long-context evaluation was the story of the week.")
    assert "display:none" in pre.get("style")
    # issue number and period in the reader's language
    assert doc.xpath("string(//h1)") == "Issue 12 · 9–15 Nov 2026"
    # per topic: name, lead, entries with linked title, site, date, summary, also covered by
    assert [h.text_content() for h in doc.xpath("//h2")] == ["Language models", "Open source"]
    links = doc.xpath('//a[@class="entry-link"]/@href')
    assert links == ["https://tech.example.cn/2026/11/eval",
                     "https://ml.example.org/2026/11/c3?ref=feed&lang=en",
                     "https://py.example.org/news/3-15-beta-1"]
    assert "tech.example.cn · 12 Nov 2026" in doc.text_content()
    assert "ml.example.org · undated" in doc.text_content()
    also = doc.xpath('//p[@class="entry-also"]')[0]
    assert also.text_content() == "Also covered by: ml.example.org"
    assert also.xpath(".//a/@href") == ["https://ml.example.org/lc"]
    # read on the web, unsubscribe marker as href
    web = BASE + "issues/2026-W46.html"
    assert web in doc.xpath("//a/@href")
    assert doc.xpath('//a[text()="Unsubscribe"]/@href') == [UNSUBSCRIBE_MARKER]
    assert html.count(f'href="{UNSUBSCRIBE_MARKER}"') == 1
    # table layout, CSS inlined
    assert doc.xpath('//table[@role="presentation"]')
    assert "max-width:640px" in doc.xpath('//table[@class="container"]/@style')[0]
    assert "font-size:17px" in doc.xpath('//h3[@class="entry-title"]/@style')[0]


def test_email_zh_dates_and_words() -> None:
    rendered = render_issue(make_issue("zh"))
    doc = lxml.html.document_fromstring(rendered.email_html)
    assert doc.get("lang") == "zh-CN"
    assert doc.xpath("string(//h1)") == "第 12 期 · 2026年11月9日–11月15日"
    text = doc.text_content()
    for words in ("在网页上阅读", "退订", "另见：", "2026年11月12日", "2 个主题，3 篇文章"):
        assert words in text
    assert "第 12 期 · 2026年11月9日–11月15日" in rendered.email_txt
    assert "退订：" + UNSUBSCRIBE_MARKER in rendered.email_txt


def test_dark_mode_and_phone_rules_survive_inlining() -> None:
    html = render_issue(make_issue()).email_html
    styles = lxml.html.document_fromstring(html).xpath("//style/text()")
    css = "".join(styles)
    assert "@media (prefers-color-scheme: dark)" in css
    assert "!important" in css
    assert "max-width: 600px" in css
    # the plain rules went into style="" and are not repeated in the head
    assert ".entry-summary{" not in css.replace(" ", "").split("@media")[0]


def test_email_text() -> None:
    ctx = make_issue("en")
    txt = render_issue(ctx).email_txt
    assert txt.count(UNSUBSCRIBE_MARKER) == 1
    assert txt.rstrip().endswith("Unsubscribe: " + UNSUBSCRIBE_MARKER)
    assert "Read on the web: " + BASE + "issues/2026-W46.html" in txt
    assert "https://ml.example.org/2026/11/c3?ref=feed&lang=en" in txt  # in full, not escaped
    assert "Also covered by:" in txt and "ml.example.org: https://ml.example.org/lc" in txt
    for line in txt.splitlines():
        if "://" not in line:
            assert display_width(line) <= 78, line


def test_email_size_for_30_long_entries() -> None:
    long_en = ("The committee published its findings on Thursday after a year of hearings, "
               "recommending changes to procurement, auditing and open data. ") * 4
    long_zh = "评测团队用法律文书、财报和小说构造了十二组长文本任务，结果显示准确率超过九成。" * 6
    topics = [
        TopicSection(f"topic-{t}", f"Topic {t} 主题", long_en[:200], [
            Entry(t * 10 + i, f"A fairly long headline number {i} about topic {t} 的长标题",
                  f"https://news{i}.example.com/{t}/2026/11/a-long-article-slug-{i}?utm=x",
                  f"news{i}.example.com", date(2026, 11, 10),
                  long_zh if i % 2 else long_en, "zh" if i % 2 else "en", 1.0,
                  [Coverage("Another outlet", f"https://other{i}.example.net/story", "other.net")])
            for i in range(10)
        ])
        for t in range(3)
    ]
    ctx = make_issue("en", topics=topics)
    assert ctx.entry_count == 30
    size = len(render_issue(ctx).email_html.encode("utf-8"))
    assert size < 100 * 1024, f"email is {size} bytes"


def test_quiet_week_everywhere(tmp_path: Path) -> None:
    ctx = replace(make_issue("en", topics=[]), quiet=True)
    rendered = render_issue(ctx)
    quiet = "A quiet week: nothing new on our topics."
    assert quiet in rendered.email_html and quiet in rendered.email_txt
    assert quiet in rendered.web_html
    rss, atom = feeds(tmp_path, [ctx])
    assert feedparser.parse(rss).bozo == 0 and feedparser.parse(atom).bozo == 0
    assert quiet in feedparser.parse(atom).entries[0].content[0].value


# --------------------------------------------------------------------------- feeds


def test_rss_valid_and_complete(tmp_path: Path) -> None:
    rss, _ = feeds(tmp_path, [make_issue(number=11, weeks_back=1), make_issue()])
    parsed = feedparser.parse(rss)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    root = lxml.etree.fromstring(rss.encode("utf-8"))
    channel = root.find("channel")
    assert channel.findtext("title") == "seedwire weekly"
    assert channel.findtext("link") == BASE
    assert channel.findtext("description") == "New articles on our topics, weekly"
    assert channel.findtext("language") == "en"
    self_link = channel.find(ATOM + "link")
    assert self_link.get("rel") == "self" and self_link.get("href") == BASE + "feed.xml"
    items = channel.findall("item")
    assert [i.findtext("link") for i in items] == [BASE + "issues/2026-W46.html",
                                                    BASE + "issues/2026-W45.html"]
    for item in items:
        for tag in ("title", "link", "guid", "pubDate", "description"):
            assert item.findtext(tag), tag
        assert item.find("guid").get("isPermaLink") == "true"
        assert item.findtext("guid") == item.findtext("link")
        assert parsedate_to_datetime(item.findtext("pubDate")).tzinfo is not None
    assert items[0].findtext("pubDate") == "Mon, 16 Nov 2026 07:00:00 +0800"
    # the full digest as HTML
    content = lxml.html.fragment_fromstring(items[0].findtext("description"), create_parent="div")
    assert content.xpath('//a[@class="entry-link"]/@href')[0] == "https://tech.example.cn/2026/11/eval"


def test_atom_valid_and_complete(tmp_path: Path) -> None:
    _, atom = feeds(tmp_path, [make_issue(number=11, weeks_back=1), make_issue()])
    parsed = feedparser.parse(atom)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = lxml.etree.fromstring(atom.encode("utf-8"))
    assert root.findtext(ATOM + "id") == BASE
    assert root.findtext(ATOM + "title") == "seedwire weekly"
    assert datetime.fromisoformat(root.findtext(ATOM + "updated")) == NOW
    assert root.find(f'{ATOM}link[@rel="self"]').get("href") == BASE + "atom.xml"
    assert root.find(f"{ATOM}author/{ATOM}name").text == "seedwire"
    entries = root.findall(ATOM + "entry")
    assert len(entries) == 2
    for entry in entries:
        for tag in ("id", "title", "updated", "content"):
            assert entry.findtext(ATOM + tag), tag
        assert entry.find(ATOM + "content").get("type") == "html"
        assert datetime.fromisoformat(entry.findtext(ATOM + "updated")).tzinfo is not None
    assert entries[0].findtext(ATOM + "id") == BASE + "issues/2026-W46.html"
    assert parsed.entries[0].content[0].value.count('class="entry"') == 3


def test_feeds_newest_first_limited_and_stable(tmp_path: Path) -> None:
    issues = [make_issue(number=n, weeks_back=25 - n) for n in range(1, 26)]
    rss, atom = feeds(tmp_path, issues[::-1][:5] + issues[5:], feed_items=20)
    rss_items = feedparser.parse(rss).entries
    atom_entries = feedparser.parse(atom).entries
    assert len(rss_items) == len(atom_entries) == 20
    assert rss_items[0].link.endswith("issues/2026-W46.html")
    assert [e.id for e in rss_items] == [e.id for e in atom_entries]
    assert rss_items[-1].id == BASE + "issues/2026-W27.html"
    again = feeds(tmp_path, issues, feed_items=20)
    assert again == (rss, atom)  # stable ids and bytes when nothing changed


def test_empty_feeds_are_valid(tmp_path: Path) -> None:
    rss, atom = feeds(tmp_path, [])
    assert feedparser.parse(rss).bozo == 0 and feedparser.parse(atom).bozo == 0
    assert "<lastBuildDate>Mon, 16 Nov 2026 07:00:00 +0800</lastBuildDate>" in rss


# --------------------------------------------------------------------------- hostile text


def _no_data_scripts(html: str) -> lxml.html.HtmlElement:
    doc = lxml.html.document_fromstring(html)
    assert doc.xpath("//script") == []
    assert doc.xpath("//img") == [] and doc.xpath("//b") == [] and doc.xpath("//i") == []
    assert len(doc.xpath("//style")) <= 1  # the email's own block only
    for href in doc.xpath("//@href"):
        assert not href.strip().lower().startswith(("javascript:", "data:")), href
    return doc


def test_hostile_text_in_html(tmp_path: Path) -> None:
    h = hostile()
    ctx = hostile_issue()
    rendered = render_issue(ctx)
    for html in (rendered.email_html, rendered.web_html):
        doc = _no_data_scripts(html)
        link = doc.xpath('//a[@class="entry-link"]')[0]
        assert link.get("href") == "#"
        assert link.text_content() == h["title"][:-2]  # the two control characters are gone
        assert doc.xpath('string(//h3[@class="entry-title"]/@dir)') == "auto"
        summary = doc.xpath('//p[@class="entry-summary"]')[0].text_content()
        assert summary == h["summary"].replace("\x00", "").replace("\ufffe", "")
        assert doc.xpath('//a[@class="also-link"]/@href') == ["#", "#"]
        assert doc.xpath('//a[@class="also-link"]/@title')[0] == h["also_title"]
        assert h["site"] in doc.text_content()
    written = write_outputs(ctx, rendered, history=[ctx], config=make_config(tmp_path), now=NOW)
    for key in ("index_html", "topics/hostile.html", "email_html"):
        _no_data_scripts(written[key].read_text(encoding="utf-8"))


def test_hostile_text_in_feeds(tmp_path: Path) -> None:
    h = hostile()
    ctx = hostile_issue()
    rss, atom = feeds(tmp_path, [ctx])
    clean_subject = h["subject"].replace("\x07", "")
    for xml, version in ((rss, "rss20"), (atom, "atom10")):
        lxml.etree.fromstring(xml.encode("utf-8"))  # well-formed XML 1.0
        parsed = feedparser.parse(xml)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.version == version
        assert parsed.entries[0].title == clean_subject
    root = lxml.etree.fromstring(rss.encode("utf-8"))
    description = root.find("channel/item/description").text
    content = lxml.html.fragment_fromstring(description, create_parent="div")
    assert content.xpath("//script") == [] and content.xpath("//img") == []
    assert content.xpath('//a[@class="entry-link"]')[0].text_content() == h["title"][:-2]
    assert content.xpath('//a[@class="entry-link"]/@href') == ["#"]
    entry = lxml.etree.fromstring(atom.encode("utf-8")).find(ATOM + "entry")
    assert entry.findtext(ATOM + "title") == clean_subject


def test_hostile_text_in_plain_text() -> None:
    h = hostile()
    txt = render_issue(hostile_issue()).email_txt
    assert "<script>alert(1)</script> Tom & Jerry ]]>" in txt  # text stays text, unescaped
    assert txt.count("&amp;") == h["summary"].count("&amp;")  # only the summary's own
    assert "javascript:" not in txt and "data:text" not in txt
    assert "\x00" not in txt and "\x01" not in txt


# --------------------------------------------------------------------------- writing outputs


def test_write_outputs_writes_everything(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    older, ctx = make_issue(number=11, weeks_back=1), make_issue()
    written = write_outputs(ctx, render_issue(ctx), history=[older, ctx], config=config, now=NOW)
    out = tmp_path / "out"
    expected = {
        "email_html": out / "email.html", "email_txt": out / "email.txt",
        "feed_xml": out / "feed.xml", "atom_xml": out / "atom.xml",
        "style_css": out / "style.css", "index_html": out / "index.html",
        "issue_html": out / "issues/2026-W46.html",
        "issues/2026-W46.html": out / "issues/2026-W46.html",
        "issues/2026-W45.html": out / "issues/2026-W45.html",
        "topics/llm.html": out / "topics/llm.html",
        "topics/open-source.html": out / "topics/open-source.html",
    }
    assert written == expected
    for path in expected.values():
        assert path.is_file() and path.stat().st_size > 0
        assert path.stat().st_mode & 0o644 == 0o644
    assert not list(out.rglob("*.tmp"))
    email = (out / "email.html").read_text(encoding="utf-8")
    assert UNSUBSCRIBE_MARKER not in email
    assert 'href="https://weekly.example.org/unsubscribe"' in email
    assert UNSUBSCRIBE_MARKER not in (out / "email.txt").read_text(encoding="utf-8")
    # navigation between issues, relative links, feeds linked, subscribe form
    page = lxml.html.document_fromstring((out / "issues/2026-W45.html").read_text("utf-8"))
    assert page.xpath('//a[@rel="next"]/@href') == ["../issues/2026-W46.html"]
    assert page.xpath('//a[@rel="prev"]') == []
    assert page.xpath('//link[@rel="stylesheet"]/@href') == ["../style.css"]
    assert page.xpath('//link[@rel="alternate"]/@type') == ["application/rss+xml",
                                                            "application/atom+xml"]
    form = '//form[@method="post"][@action="https://weekly.example.org/subscribe"]'
    assert page.xpath(form + '//input[@type="email"][@name="email"]')
    assert page.xpath('//meta[@name="viewport"]') and page.get("lang") == "en"
    index = lxml.html.document_fromstring((out / "index.html").read_text("utf-8"))
    assert index.xpath('//a[@class="issue-link"]/@href') == ["issues/2026-W46.html",
                                                              "issues/2026-W45.html"]
    topic = lxml.html.document_fromstring((out / "topics/llm.html").read_text("utf-8"))
    assert len(topic.xpath('//div[@class="entry"]')) == 4  # two entries in each of two issues
    assert feedparser.parse(str(out / "feed.xml")).bozo == 0


def test_rebuilding_replaces_files(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    ctx = make_issue()
    older = make_issue(number=11, weeks_back=1, topics=ctx.topics[:1])
    write_outputs(ctx, render_issue(ctx), history=[older, ctx], config=config, now=NOW)
    out = tmp_path / "out"
    assert (out / "topics/open-source.html").exists()
    rebuilt = replace(ctx, subject="Rebuilt subject", topics=ctx.topics[:1],
                      generated=NOW + timedelta(hours=1))
    stale_history = [older, ctx]  # the store may still hand back the old copy
    written = write_outputs(rebuilt, render_issue(rebuilt), history=stale_history,
                            config=config, now=NOW + timedelta(hours=1))
    page = (out / "issues/2026-W46.html").read_text(encoding="utf-8")
    assert "Rebuilt subject" in page
    assert "Rebuilt subject" in (out / "feed.xml").read_text(encoding="utf-8")
    assert not (out / "topics/open-source.html").exists()  # no issue has that topic any more
    assert "topics/open-source.html" not in written
    assert len(feedparser.parse(str(out / "atom.xml")).entries) == 2
    assert not list(out.rglob("*.tmp"))


# --------------------------------------------------------------------------- pieces


@pytest.mark.parametrize(("first", "last", "language", "expected"), [
    (date(2026, 11, 9), date(2026, 11, 15), "zh", "2026年11月9日–11月15日"),
    (date(2026, 11, 9), date(2026, 11, 15), "en", "9–15 Nov 2026"),
    (date(2026, 11, 28), date(2026, 12, 4), "en", "28 Nov – 4 Dec 2026"),
    (date(2026, 11, 28), date(2026, 12, 4), "zh", "2026年11月28日–12月4日"),
    (date(2026, 12, 28), date(2027, 1, 3), "en", "28 Dec 2026 – 3 Jan 2027"),
    (date(2026, 12, 28), date(2027, 1, 3), "zh", "2026年12月28日–2027年1月3日"),
    (date(2026, 11, 16), date(2026, 11, 16), "zh", "2026年11月16日"),
    (date(2026, 11, 16), date(2026, 11, 16), "en", "16 Nov 2026"),
])
def test_date_ranges(first: date, last: date, language: str, expected: str) -> None:
    assert i18n.format_range(first, last, language) == expected


def test_period_end_is_exclusive_and_in_the_timezone() -> None:
    tz = ZoneInfo(TZ)
    starts, ends = datetime(2026, 11, 9, tzinfo=tz), datetime(2026, 11, 16, tzinfo=tz)
    assert i18n.format_period(starts, ends, "en", TZ) == "9–15 Nov 2026"
    utc_starts = starts.astimezone(ZoneInfo("UTC"))  # 8 Nov 16:00 UTC
    assert i18n.format_period(utc_starts, ends, "en", TZ) == "9–15 Nov 2026"


def test_catalogues_have_the_same_words() -> None:
    keys = {language: set(table) for language, table in i18n.MESSAGES.items()}
    assert {"zh", "en"} <= set(keys)
    assert all(k == keys["en"] for k in keys.values())
    t = i18n.Catalogue("zh-CN")
    assert t.language == "zh" and t.count("articles", 3) == "3 篇文章"
    assert i18n.Catalogue("en").count("articles", 1) == "1 article"
    assert i18n.Catalogue("fr").language == "en"


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.com/a?b=1&c=2#d", "https://example.com/a?b=1&c=2#d"),
    ("HTTP://Example.com/", "HTTP://Example.com/"),
    ("https://example.com/中文 path", "https://example.com/%E4%B8%AD%E6%96%87%20path"),
    ("javascript:alert(1)", "#"),
    ("  JavaScript:alert(1)", "#"),
    ("java\tscript:alert(1)", "#"),
    ("\x01javascript:alert(1)", "#"),
    ("data:text/html,<script>", "#"),
    ("vbscript:msgbox", "#"),
    ("//evil.example/x", "#"),
    ("/relative", "#"),
    ("mailto:a@example.com", "#"),
    ("", "#"),
])
def test_safe_url(url: str, expected: str) -> None:
    assert safe_url(url) == expected


def test_wrap_text() -> None:
    english = "word " * 60
    for line in wrap_text(english, 78, "  ").splitlines():
        assert len(line) <= 78 and line.startswith("  ")
    chinese = "评测团队用法律文书、财报和小说构造了十二组长文本任务。" * 8
    lines = wrap_text(chinese, 78).splitlines()
    assert len(lines) > 3 and "".join(lines) == chinese
    assert all(display_width(line) <= 80 for line in lines)  # a closer may hang over by one
    assert not any(line[0] in "。，、" for line in lines)
    url = "https://example.com/" + "x" * 100
    assert url in wrap_text("see " + url + " for more").splitlines()
    mixed = wrap_text("Python 3.15 的第一个测试版带来了新的性能分析工具 " * 5, 40)
    assert "Python" in mixed and all(display_width(x) <= 42 for x in mixed.splitlines())


def test_every_markup_template_autoescapes() -> None:
    env = environment()
    names = env.list_templates(filter_func=lambda n: n.endswith(".j2"))
    assert {"email.html.j2", "email.txt.j2", "rss.xml.j2", "atom.xml.j2", "_macros.j2",
            "archive/index.html.j2", "archive/issue.html.j2", "archive/topic.html.j2"} <= set(names)
    for name in names:
        assert env.autoescape(name) is (not name.endswith(".txt.j2")), name
    assert env.undefined is jinja2.StrictUndefined


def test_strict_undefined() -> None:
    with pytest.raises(jinja2.UndefinedError):
        environment().get_template("email.txt.j2").render()


def test_render_index_without_issues(tmp_path: Path) -> None:
    html = render_index([], config=make_config(tmp_path, "zh"))
    assert "还没有发布任何一期。" in html
    assert lxml.html.document_fromstring(html).get("lang") == "zh-CN"


def test_rendered_issue_fields() -> None:
    rendered = render_issue(make_issue())
    assert isinstance(rendered, RenderedIssue)
    assert re.search(r"<title>seedwire weekly #12: long context and open models · seedwire weekly"
                     r"</title>", rendered.web_html)
