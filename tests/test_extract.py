"""Tests for crawler.extract: decoding, main-text selection, clean-up, metadata, and the metric."""

from __future__ import annotations

import datetime
import gzip
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import lxml.html
import pytest
import trafilatura

from crawler import extract_author, extract_clean, extract_density, extract_meta
from crawler.extract import Article, choose_text, extract_article
from crawler.extract_encoding import declared_encoding, decode_html

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.extraction import author_matches, date_matches  # noqa: E402
from bench.metrics import macro_score, precision_recall, shingles, tokenize  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
URL = "https://news.example.com/section/page.html"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def extract(name: str) -> Article:
    article = extract_article(fixture(name), URL)
    assert article is not None, name
    return article


# --- the metric ---------------------------------------------------------------------------------


def test_tokenize_makes_every_cjk_character_a_token() -> None:
    assert tokenize("石桥 reopened 2023年") == ["石", "桥", "reopened", "2023", "年"]


def test_shingles_are_four_tokens_and_short_texts_give_one() -> None:
    assert set(shingles("a b c d e")) == {("a", "b", "c", "d"), ("b", "c", "d", "e")}
    assert set(shingles("只有三")) == {("只", "有", "三")}
    assert not shingles("")


def test_precision_recall_and_macro_average() -> None:
    gold = "one two three four five six"
    assert precision_recall(gold, gold) == (1.0, 1.0)
    assert precision_recall("", gold) == (0.0, 0.0)
    p, r = precision_recall("one two three four five six seven eight", gold)
    assert p == pytest.approx(3 / 5) and r == 1.0
    score = macro_score([(1.0, 1.0), (0.0, 0.0)])
    assert (score.precision, score.recall, score.f1) == (0.5, 0.5, 0.5)


def test_multiset_variant_counts_repeats() -> None:
    gold = "a b c d"
    assert precision_recall("a b c d a b c d", gold, multiset=False)[0] == pytest.approx(1 / 4)
    assert precision_recall("a b c d a b c d", gold, multiset=True)[0] == pytest.approx(1 / 5)


def test_bench_date_and_author_matching() -> None:
    day = datetime.date(2005, 3, 11)
    assert date_matches("2005-3-11 12:12", day)
    assert date_matches("2005-3", day) and date_matches("2005", day)
    assert not date_matches("2005-03-12", day)
    assert date_matches("王明", day) is None
    assert author_matches("林雨  程远", "林雨 程远")
    assert not author_matches("林雨", "林雨 程远")


# --- decoding -----------------------------------------------------------------------------------


def test_gbk_page_declared_utf8_is_decoded_as_gb18030() -> None:
    data = fixture("gbk_declared_utf8.html")
    assert declared_encoding(data) == "utf-8"
    text, encoding = decode_html(data)
    assert encoding == "gb18030"
    assert "七十岁的村民陈镕站在桥头" in text  # 镕 is GBK, not GB2312
    assert "\ufffd" not in text


def test_page_without_charset_is_detected_as_chinese() -> None:
    text, encoding = decode_html(fixture("gb18030_no_charset.html"))
    assert encoding == "gb18030"
    assert "云岭乡中心小学终于有了自己的科学教室" in text


def test_gb2312_declaration_decodes_gbk_characters() -> None:
    data = fixture("byline_gb2312.html")
    assert declared_encoding(data) == "gb2312"
    text, encoding = decode_html(data)
    assert encoding == "gb18030"
    assert "本报记者 孟喆" in text  # 喆 is outside GB2312


def test_utf8_bytes_win_over_a_wrong_gb2312_declaration() -> None:
    page = '<html><head><meta charset="gb2312"></head><body><p>真正的编码是UTF-8。</p></body>'
    text, encoding = decode_html(page.encode("utf-8"))
    assert encoding == "utf-8" and "真正的编码是" in text


def test_latin_declarations_and_boms() -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body>Café crème</body></html>'
    text, encoding = decode_html(page.encode("latin-1"))
    assert "Café crème" in text and encoding in {"latin_1", "iso8859-1", "cp1252"}
    text, encoding = decode_html("\ufeff<p>héllo</p>".encode("utf-16"))
    assert text.endswith("<p>héllo</p>") and encoding == "utf-16"


# --- main text ----------------------------------------------------------------------------------


def test_table_layout_chinese_page_keeps_article_and_drops_furniture() -> None:
    article = extract("gbk_declared_utf8.html")
    assert "工程队在拆下松动的桥面石后" in article.text
    assert "恢复当年“柳荫古渡”的景致" in article.text
    assert "热点排行" not in article.text and "县城新开一家图书馆" not in article.text
    assert "版权所有" not in article.text and "责任编辑" not in article.text
    assert "首页" not in article.text
    # the paragraphs of the layout cell come back as separate lines
    assert any(line.startswith("七十岁的村民陈镕") for line in article.text.split("\n"))
    assert article.encoding == "gb18030"


def test_page_without_charset_extracts_clean_text() -> None:
    article = extract("gb18030_no_charset.html")
    assert "看小灯泡亮起来" in article.text
    assert "网站地图" not in article.text
    assert article.language == "zh"


def test_forum_thread_keeps_the_first_post_only() -> None:
    article = extract("forum_thread.html")
    assert "从白云寺到西山水库的线路" in article.text
    assert "红叶的时候最漂亮" not in article.text  # a reply
    assert "周末上午九点以前" not in article.text  # another reply
    assert article.author == "山风"
    assert article.published == datetime.date(2021, 4, 18)


def test_split_body_that_trafilatura_cuts_short_is_continued() -> None:
    data = fixture("split_body.html")
    plain = trafilatura.extract(data, include_comments=False) or ""
    assert "fundraising drive" not in plain  # the default mode stops after the first block
    article = extract("split_body.html")
    assert "freezing the wettest boxes" in article.text
    assert "fundraising drive organised by the parents' association" in article.text
    assert "bigger than before the flood" in article.text
    assert "Advertisement" not in article.text and "Contact us" not in article.text
    assert article.sitename == "The Example Gazette"


def test_thin_trafilatura_result_falls_back_to_the_density_region() -> None:
    paragraphs = [
        "The harbour master opens the gates at dawn, long before the first trawler returns.",
        "By seven the auction hall is full of buyers checking the weight of every crate.",
        "Prices depend on the weather, on the season and on what arrived from the north.",
        "Younger crews now sell part of their catch directly to restaurants in the city.",
        "The cooperative hopes a new cold store will keep prices steadier over the winter.",
        "Nobody expects the old auction to disappear, but it is changing faster than ever.",
    ]
    region = "\n".join(paragraphs)
    thin = paragraphs[0]
    assert choose_text(thin, thin, region).text == region
    # a short article stays short when the region only adds non-prose lines around it
    assert choose_text(thin, thin, region, density_prose=thin).text == thin
    full = region + "\nA closing line."
    assert choose_text(full, full, region).text == full


def test_precision_result_wins_when_it_is_a_clean_subset() -> None:
    body = " ".join(f"sentence number {i} of the article body." for i in range(40))
    recall = body + "\nSign up for our newsletter and follow us on every network you use today."
    assert choose_text(recall, body, body).text == body
    unrelated = "completely different words that share nothing with the body at all here"
    assert choose_text(recall, unrelated, body).text == recall


def test_boilerplate_lines_are_removed_from_a_news_page() -> None:
    article = extract("boilerplate.html")
    assert "新增的站点主要集中在医院和火车站附近" in article.text
    assert "现在能早点回家休息了" in article.text
    for junk in ("打印", "分享到", "责任编辑", "相关新闻", "地铁三号线", "版权所有", "来源：晨报"):
        assert junk not in article.text, junk
    assert article.canonical_url == "https://news.example.com/news/2024/0513/bus.html"
    assert article.description == "市交通部门宣布调整四条夜间公交线路。"
    assert article.published == datetime.date(2024, 5, 13)


def test_english_article_sanity() -> None:
    article = extract("english_article.html")
    assert article.text.count("\n") >= 3
    assert "growing kelp on ropes strung between buoys" in article.text
    assert "double the size of the farm" in article.text
    for junk in ("Related stories", "Harbour dredging", "Privacy", "World"):
        assert junk not in article.text, junk
    assert article.title == "Coastal town tests seaweed farming"
    assert not article.text.startswith(article.title)  # the headline is not a paragraph
    assert article.author == "Jane Doe"
    assert article.published == datetime.date(2023, 6, 2)
    assert article.language == "en"
    assert article.sitename == "Example News"
    assert article.canonical_url == "https://news.example.com/2023/06/seaweed"
    assert article.encoding == "utf-8"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n  ",
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
        bytes(range(256)) * 50,
        b"just some plain text without any markup at all, long enough to matter " * 3,
        b"<html><body><p>Too short.</p></body></html>",
        b"<html><body><nav><a href='/'>Home</a> <a href='/a'>About</a></nav></body></html>",
        b"\x1f\x8b\x08\x00broken gzip",
        b"<" * 5000,
        b"<html>" + b"<div>" * 3000 + b"deep" + b"</div>" * 3000 + b"</html>",
    ],
)
def test_junk_input_returns_none(data: bytes) -> None:
    assert extract_article(data, URL) is None


def test_wrong_types_and_internal_errors_return_none(monkeypatch: pytest.MonkeyPatch) -> None:
    assert extract_article(None, URL) is None  # type: ignore[arg-type]
    assert extract_article(12345, URL) is None  # type: ignore[arg-type]

    def boom(_: bytes) -> tuple[str, str]:
        raise RuntimeError("decoder exploded")

    monkeypatch.setattr("crawler.extract.decode_html", boom)
    assert extract_article(fixture("english_article.html"), URL) is None


def test_density_region_stands_in_when_trafilatura_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("trafilatura exploded")

    monkeypatch.setattr(trafilatura, "extract", broken)
    article = extract("gb18030_no_charset.html")
    assert "看小灯泡亮起来" in article.text and "网站地图" not in article.text


def test_gzipped_page_is_accepted() -> None:
    article = extract_article(gzip.compress(fixture("english_article.html")), URL)
    assert article is not None and "kelp on ropes" in article.text


def test_extract_article_pickles_and_runs_in_a_spawned_process() -> None:
    assert pickle.loads(pickle.dumps(extract_article)) is extract_article
    pickle.dumps(extract("english_article.html"))
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        article = pool.submit(extract_article, fixture("forum_thread.html"), URL).result(60)
    assert article is not None and "白云寺" in article.text


# --- density, pruning, clean-up -----------------------------------------------------------------


def test_density_region_skips_navigation_and_link_lists() -> None:
    page = (
        "<html><body><table><tr><td><a href='/'>首页</a> <a href='/n'>新闻</a></td></tr>"
        "<tr><td><p>第一段正文，讲述了一件很长的事情，内容充实，标点齐全，读起来很顺畅。</p>"
        "<p>第二段正文，继续讲述这件事情的经过和结果，同样有完整的句子和标点。</p></td>"
        "<td><ul><li><a href='/1'>推荐一</a></li><li><a href='/2'>推荐二</a></li></ul></td></tr>"
        "</table></body></html>"
    )
    region = extract_density.extract_by_density(lxml.html.document_fromstring(page))
    assert region.lines[0].startswith("第一段正文") and region.lines[-1].startswith("第二段正文")


def test_prune_link_dense_drops_menus_but_not_text() -> None:
    page = (
        "<html><body><table><tr><td><a href='/a'>一</a> <a href='/b'>二</a> <a href='/c'>三</a>"
        "</td></tr><tr><td>正文里有一个<a href='/x'>链接</a>，但主要是文字，还有文字。</td></tr>"
        "</table></body></html>"
    )
    tree = lxml.html.document_fromstring(page)
    assert extract_density.prune_link_dense(tree) == 1
    text = tree.text_content()
    assert "正文里有一个链接" in text and "二" not in text


@pytest.mark.parametrize(
    "line",
    [
        "（责任编辑：周晓岚）",
        "编辑:陈晓",
        "版权所有 © 晨报社 未经授权不得转载",
        "Copyright 2019 Example Media. All rights reserved.",
        "【打印】【关闭】【收藏】",
        "分享到：微信 微博",
        "Share this: Facebook Twitter Email",
        "您是本文第 87 个阅览者",
        "| 26 | 27 | 28 | 29 | 30 | 1 | 2 |",
        "| Su | Mo | Tu | We | Th | Fr | Sa |",
        "2011-06-02 09:45更新 来源：东城晚报",
        "来源：新华网",
        "上一篇：秋季农产品展销会开幕",
        "Advertisement",
        "Read more: Harbour dredging delayed until the spring",
        "延伸阅读：地铁三号线将延长运营时间",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert extract_clean.is_boilerplate_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "2024年5月13日，市交通运输局宣布调整四条夜间公交线路，方便夜班职工出行。",
        "播客节目的版权问题更加复杂，版权所有者担心歌曲被随意下载和传播。",
        "Fishermen in Port Alder have started growing kelp on ropes strung between buoys.",
        "| 2019 | 1,024 | 3.5% |",
    ],
)
def test_article_lines_are_kept(line: str) -> None:
    assert not extract_clean.is_boilerplate_line(line)


def test_related_news_heading_and_its_list_are_cut() -> None:
    lines = ["正文第一段，内容完整。", "相关新闻：", "· 地铁延长运营", "· 出租车调价"]
    lines.append("正文之后的一段很长的话" * 8)
    assert extract_clean.remove_boilerplate(lines) == [lines[0], lines[-1]]


def test_first_post_only_handles_footer_and_header_stamps() -> None:
    body = "楼主的长帖正文，" * 30
    footer_style = [
        body,
        "〓 发布时间 2012/03/15 22:36:13 by lanting 〓",
        "回复一",
        "〓 发布时间 2005/03/16 01:08:28 by mi 〓",
        "回复二",
        "〓 发布时间 2005/03/16 21:10:00 by hi 〓",
    ]
    assert extract_clean.first_post_only(footer_style) == [body]
    header_style = [
        "作者：山风 发表于 2021-04-18 20:31",
        body,
        "小林 发表于 2021-04-18 21:05",
        "回复一",
        "阿杰 发表于 2021-04-19 08:12",
        "回复二",
    ]
    assert extract_clean.first_post_only(header_style) == header_style[:2]
    article = [body, "2021-04-18 20:31 更新", body]
    assert extract_clean.first_post_only(article) == article


# --- dates and authors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("发布时间：2024年5月13日 14:30", datetime.date(2024, 5, 13)),
        ("2024-05-13 14:30 来源：晨报", datetime.date(2024, 5, 13)),
        ("2005/3/11", datetime.date(2005, 3, 11)),
        ("发布日期： 9/17/2004 5:54:13 AM", datetime.date(2004, 9, 17)),
        ("Posted on May 13, 2024 at 5:27 am", datetime.date(2024, 5, 13)),
        ("13 May 2024", datetime.date(2024, 5, 13)),
    ],
)
def test_find_dates(text: str, expected: datetime.date) -> None:
    assert extract_meta.find_dates(text)[0][1] == expected


def test_text_date_prefers_labelled_dates_near_the_start() -> None:
    lines = [
        (-3.0, "本站成立于2001年5月1日"),
        (-1.0, "发布时间：2022-02-13 07:48"),
        (4.0, "2021年12月，该项目通过验收，2022年1月正式启用。"),
    ]
    assert extract_meta.text_date(lines) == datetime.date(2022, 2, 13)
    issue = [(30.0, "——《城市周刊》2001年3月号")]
    assert extract_meta.text_date(issue) == datetime.date(2001, 3, 1)
    assert extract_meta.text_date([(0.0, "没有日期")]) is None


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["作者：张三 时间：2005-08-22"], "张三"),
        (["东城晚报城市频道 记者 林雨 程远"], "林雨 程远"),
        (["晨报客户端·都市版记者宋远航/文 受访者供图"], "宋远航"),
        (["〓 影评论坛 发布时间 2012/03/15 22:36:13 by lanting 〓"], "lanting"),
        (["本贴由老周于2012年8月12日16:12:21在〖读书会〗发表."], "老周"),
        (["river_song 发表于 2012-9-15 11:46:00"], "river_song"),
        (["来源：江南日报　记者 孟喆"], "孟喆"),
        (["来源：新华网"], None),
        (["文章引用：某作者. 某论文[J]. 2018."], None),
        (["作者简介：某某大学教授"], None),
        (["By Jane Doe"], "Jane Doe"),
        (["The video of the rescue by police was released Monday."], None),
    ],
)
def test_byline_author(lines: list[str], expected: str | None) -> None:
    assert extract_author.byline_author(lines) == expected


def test_author_helpers() -> None:
    assert extract_author.plausible_chinese_name("欧阳明")
    assert not extract_author.plausible_chinese_name("江南日报")
    assert not extract_author.plausible_chinese_name("简介")
    assert extract_author.editor_author(["（ 责任编辑：孟喆 ）"]) == "孟喆"
    assert extract_author.byline_author([], lone_name_lines=["胡平"]) == "胡平"
    page = lxml.html.document_fromstring(
        '<html><head><meta name="author" content="Discuz! Team and Comsenz UI Team"></head>'
        "<body></body></html>"
    )
    assert extract_meta.structured_author(page, []) is None


def test_chinese_byline_and_date_from_a_gb2312_page() -> None:
    article = extract("byline_gb2312.html")
    assert article.author == "孟喆"
    assert article.published == datetime.date(2019, 7, 24)
    assert "卖豆腐的刘阿姨在这里摆摊二十多年了" in article.text
    assert "本报记者" not in article.text


def test_chinese_table_page_metadata() -> None:
    article = extract("gbk_declared_utf8.html")
    assert article.title == "青石镇古桥修缮完工 村民重走百年石桥"
    assert article.author == "孟喆"
    assert article.published == datetime.date(2023, 10, 8)
    assert article.language == "zh"


def test_language_detection() -> None:
    assert extract_meta.detect_language("这是一段中文文字，用来测试语言识别。") == "zh"
    assert extract_meta.detect_language("これは日本語の文章です。ひらがなとカタカナ。") == "ja"
    english = "The council said that the new bridge is expected to open in the spring of next year."
    assert extract_meta.detect_language(english * 2) == "en"
    german = "Der Rat sagte, dass die neue Brücke nicht vor dem Frühjahr für den Verkehr offen ist."
    assert extract_meta.detect_language(german * 2) == "de"
    russian = "Мэрия объявила, что в следующем году откроет новый мост для пешеходов и велосипедов."
    assert extract_meta.detect_language(russian * 2) == "ru"
