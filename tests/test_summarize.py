"""Extractive summaries: sentence splitting, selection, budgets, topic bias and boilerplate."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.summarize import (
    resolve_language,
    split_sentences,
    summarize,
    text_length,
    topic_lead,
)

FIXTURES = Path(__file__).parent / "fixtures" / "summarize"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def assert_whole_sentences(summary: str, text: str) -> None:
    """Every sentence of the summary is a whole sentence of the text.

    A sentence may have lost a news dateline in front ("新华社杭州3月12日电（记者 林晓）"), so it
    must be a sentence of the text or the end of one, and never a piece cut from the middle.
    """
    sources = split_sentences(text)
    for sentence in split_sentences(summary):
        assert any(sentence == src or src.endswith(sentence) for src in sources), sentence


# --------------------------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("他说：“好。”然后他走了。", ["他说：“好。”", "然后他走了。"]),
        ("“太好了！”他说。「好的。」她回答。", ["“太好了！”", "他说。", "「好的。」", "她回答。"]),
        ("真的吗？是的！下雨了；路很滑。", ["真的吗？", "是的！", "下雨了；", "路很滑。"]),
        ("新模型已上线……用户反响热烈。", ["新模型已上线……", "用户反响热烈。"]),
    ],
)
def test_split_chinese(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "zh") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dr. Smith met officials in the U.S. on Monday. They agreed.",
            ["Dr. Smith met officials in the U.S. on Monday.", "They agreed."],
        ),
        (
            "Use tools, e.g. Python or Go, to test. It works!",
            ["Use tools, e.g. Python or Go, to test.", "It works!"],
        ),
        (
            "Prices rose 3.5 percent. GPT-4.5 was released. Version 2.0.1 fixed bugs.",
            ["Prices rose 3.5 percent.", "GPT-4.5 was released.", "Version 2.0.1 fixed bugs."],
        ),
        (
            "He moved to the U.S. The weather was fine. Apple Inc. said sales grew.",
            ["He moved to the U.S.", "The weather was fine.", "Apple Inc. said sales grew."],
        ),
        (
            'He said "stop." Then he left. "Really?" she asked.',
            ['He said "stop."', "Then he left.", '"Really?" she asked.'],
        ),
        (
            "Wait... what happened? Nothing... The end.",
            ["Wait... what happened?", "Nothing...", "The end."],
        ),
        (
            "John F. Kennedy spoke at 3 p.m. on Friday. See Fig. 3 for details.",
            ["John F. Kennedy spoke at 3 p.m. on Friday.", "See Fig. 3 for details."],
        ),
        (
            "The company (Acme Corp.) grew. It hired staff.",
            ["The company (Acme Corp.) grew.", "It hired staff."],
        ),
    ],
)
def test_split_english(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "en") == expected


def test_split_mixed_chinese_and_english() -> None:
    text = "OpenAI发布了GPT-4.5。它比GPT-4o更强！Sam Altman said it was great. 这款模型已上线。"
    assert split_sentences(text) == [
        "OpenAI发布了GPT-4.5。",
        "它比GPT-4o更强！",
        "Sam Altman said it was great.",
        "这款模型已上线。",
    ]


def test_split_newlines_are_paragraph_boundaries() -> None:
    text = "A heading without a stop\nFirst paragraph here. Second sentence.\r\n\r\n第三段。"
    assert split_sentences(text) == [
        "A heading without a stop",
        "First paragraph here.",
        "Second sentence.",
        "第三段。",
    ]


def test_split_keeps_text_verbatim() -> None:
    for name in ("zh_article.txt", "en_article.txt", "zh_boilerplate.txt", "en_boilerplate.txt"):
        text = fixture(name)
        for sentence in split_sentences(text):
            assert sentence and sentence in text


def test_split_empty() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\n \t") == []


# --------------------------------------------------------------------------------------------
# Summaries
# --------------------------------------------------------------------------------------------


def test_chinese_summary() -> None:
    text = fixture("zh_article.txt")
    summary = summarize(text, language="zh", title="星海智能发布开源大模型“潮汐-2”")
    assert summary.startswith("星海智能公司12日在杭州发布开源大模型“潮汐-2”")
    assert "记者" not in summary and "新华社" not in summary  # the dateline is gone
    assert_whole_sentences(summary, text)
    assert text_length(summary, "zh") <= 120
    assert "\n" not in summary and " " not in summary


def test_english_summary() -> None:
    text = fixture("en_article.txt")
    summary = summarize(text, language="en", title="Harbor Labs releases Tern")
    assert summary.startswith("Harbor Labs on Wednesday released Tern, an open language model")
    assert_whole_sentences(summary, text)
    assert text_length(summary, "en") <= 60
    assert len(split_sentences(summary)) >= 2


def test_language_detected_when_not_given() -> None:
    zh = fixture("zh_article.txt")
    en = fixture("en_article.txt")
    assert resolve_language(None, zh) == "zh"
    assert resolve_language("zh-Hans-CN", "") == "zh"
    assert resolve_language("en_US", "") == "en"
    assert summarize(zh, language=None) == summarize(zh, language="zh")
    assert summarize(en, language=None) == summarize(en, language="en")


@pytest.mark.parametrize("budget", [40, 60, 90, 120, 200])
def test_chinese_budget(budget: int) -> None:
    text = fixture("zh_article.txt")
    summary = summarize(text, language="zh", max_chars_zh=budget)
    assert summary
    assert_whole_sentences(summary, text)
    sentences = split_sentences(summary)
    if len(sentences) == 1:
        assert text_length(summary, "zh") <= budget * 1.5
    else:
        assert text_length(summary, "zh") <= budget


@pytest.mark.parametrize("budget", [20, 30, 60, 100])
def test_english_budget(budget: int) -> None:
    text = fixture("en_article.txt")
    summary = summarize(text, language="en", max_words_en=budget)
    assert summary
    assert_whole_sentences(summary, text)
    if len(split_sentences(summary)) == 1:
        assert text_length(summary, "en") <= budget * 1.5
    else:
        assert text_length(summary, "en") <= budget


def test_long_best_sentence_allowed_within_one_and_a_half_budgets() -> None:
    text = fixture("en_article.txt")
    lead = split_sentences(text)[3]  # the 25-word lead, the best sentence
    assert text_length(lead, "en") == 25
    assert summarize(text, language="en", max_words_en=20) == lead  # 25 <= 1.5 * 20
    shorter = summarize(text, language="en", max_words_en=15)  # 25 > 1.5 * 15
    assert lead not in shorter
    assert shorter and text_length(shorter, "en") <= 15


def test_no_sentence_is_cut() -> None:
    run_on = "，".join(["这是一段没有句号的很长的文字"] * 40) + "。"
    assert summarize(run_on, language="zh") == ""  # 560 characters: too long to use whole


def test_deterministic() -> None:
    for name, lang in (("zh_article.txt", "zh"), ("en_article.txt", "en")):
        text = fixture(name)
        terms = {"开源": 1.0, "大模型": 0.8, "benchmark": 0.7, "language model": 0.5}
        first = summarize(text, language=lang, topic_terms=terms)
        assert first
        for _ in range(3):
            assert (
                summarize(text, language=lang, topic_terms=dict(reversed(terms.items()))) == first
            )


BUDGET_EN = """The city council met on Tuesday to agree on next year's budget for the town.
Council members agreed to spend more on public libraries as part of the new budget.
Council members agreed to spend more on bicycle lanes as part of the new budget.
The mayor said the budget would be published before the end of the month."""

BUDGET_ZH = """市议会周二开会，讨论明年的城市预算安排。
议员们同意在新预算中增加公共图书馆的投入，改善市民的阅读条件。
议员们同意在新预算中增加自行车道的投入，改善市民的出行条件。
市长表示，预算方案将在月底前公布。"""


def test_topic_bias_english() -> None:
    bikes = summarize(BUDGET_EN, language="en", max_words_en=16, topic_terms={"bicycle": 1.0})
    books = summarize(BUDGET_EN, language="en", max_words_en=16, topic_terms={"libraries": 1.0})
    assert (
        bikes == "Council members agreed to spend more on bicycle lanes as part of the new budget."
    )
    assert books == (
        "Council members agreed to spend more on public libraries as part of the new budget."
    )


def test_topic_bias_chinese() -> None:
    bikes = summarize(BUDGET_ZH, language="zh", max_chars_zh=35, topic_terms={"自行车道": 1.0})
    books = summarize(BUDGET_ZH, language="zh", max_chars_zh=35, topic_terms={"图书馆": 1.0})
    assert bikes == "议员们同意在新预算中增加自行车道的投入，改善市民的出行条件。"
    assert books == "议员们同意在新预算中增加公共图书馆的投入，改善市民的阅读条件。"


def test_topic_phrases_and_names_match() -> None:
    text = (
        "The lab published a new report on Monday about its plans for the year.\n"
        "Its large language model now answers questions about local history.\n"
        "Its GPT4o integration now answers questions about the weather."
    )
    phrase = summarize(text, language="en", max_words_en=12, topic_terms={"language model": 1})
    name = summarize(text, language="en", max_words_en=12, topic_terms={"GPT-4o": 1})
    assert "language model" in phrase
    assert "GPT4o" in name


def test_redundant_sentence_not_repeated() -> None:
    sentence = "The new bridge over the river opened to traffic on Sunday morning."
    text = f"{sentence} {sentence} Engineers spent four years building the bridge over the river."
    summary = summarize(text, language="en", max_words_en=60)
    assert summary.count("opened to traffic") == 1


# --------------------------------------------------------------------------------------------
# Boilerplate
# --------------------------------------------------------------------------------------------

ZH_BOILERPLATE = (
    "责任编辑",
    "编辑：",
    "记者",
    "来源：",
    "版权",
    "©",
    "扫码",
    "点击",
    "关注我们",
    "原标题",
)
EN_BOILERPLATE = (
    "By Jane",
    "Published",
    "Advertisement",
    "Photo",
    "Read more",
    "Subscribe",
    "Sign up",
    "http",
    "Copyright",
    "All rights reserved",
    "Getty",
)


def test_chinese_boilerplate_never_returned() -> None:
    text = fixture("zh_boilerplate.txt")
    summary = summarize(text, language="zh", max_chars_zh=1000)
    assert "液冷" in summary
    for marker in ZH_BOILERPLATE:
        assert marker not in summary, marker
    assert "2025年3月12日" not in summary
    assert_whole_sentences(summary, text)


def test_english_boilerplate_never_returned() -> None:
    text = fixture("en_boilerplate.txt")
    summary = summarize(text, language="en", max_words_en=1000)
    assert "bus fleet" in summary
    for marker in EN_BOILERPLATE:
        assert marker not in summary, marker
    assert_whole_sentences(summary, text)


def test_article_boilerplate_lines_dropped() -> None:
    for name, lang in (("zh_article.txt", "zh"), ("en_article.txt", "en")):
        summary = summarize(fixture(name), language=lang, max_chars_zh=1000, max_words_en=1000)
        for marker in (
            "图片来源",
            "责任编辑",
            "By Maria",
            "March 12",
            "Read more",
            "Subscribe",
            "©",
        ):
            assert marker not in summary


@pytest.mark.parametrize(
    "sentence",
    [
        "该事件引发了社会各界的广泛关注，多家机构发表评论。",
        "记者从会上获悉，新规将于下月起正式实施。",
        "这段视频的点击量在一天内超过了一千万次。",
        "Subscribers to the service grew by a fifth in the last quarter of the year.",
        "The copyright lawsuit against the lab went to trial in a federal court.",
        "By the end of the year, the factory had doubled its output.",
    ],
)
def test_common_words_are_not_mistaken_for_boilerplate(sentence: str) -> None:
    assert summarize(sentence, language=None) == sentence


def test_only_boilerplate_gives_empty_summary() -> None:
    text = (
        "责任编辑：王芳\n版权所有 © 南湖日报社\nSubscribe to our newsletter.\n"
        "https://example.com/a\n联系邮箱：news@example.com\n"
    )
    assert summarize(text, language=None) == ""


# --------------------------------------------------------------------------------------------
# Empty and tiny texts
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "....", "。。。", "——", "2025-03-12"])
def test_empty_or_meaningless_input(text: str) -> None:
    assert summarize(text, language=None) == ""
    assert summarize(text, language="zh") == ""
    assert summarize(text, language="en") == ""


def test_tiny_text_returned_cleaned() -> None:
    assert summarize("  Markets closed higher.  ", language="en") == "Markets closed higher."
    assert summarize("股市收涨。\n责任编辑：王芳", language="zh") == "股市收涨。"
    assert summarize("Rain today", language=None) == "Rain today"


def test_title_repeated_in_text_is_skipped() -> None:
    text = fixture("en_article.txt")
    title = "Harbor Labs releases Tern, a small open language model"
    assert title not in summarize(text, language="en", title=title)


# --------------------------------------------------------------------------------------------
# Topic leads
# --------------------------------------------------------------------------------------------

ZH_ENTRIES = [
    (
        "星海智能发布开源大模型",
        "星海智能公司发布开源大模型“潮汐-2”，中文评测成绩比上一代提高约三成。"
        "模型权重已公开，可免费用于商业用途。",
    ),
    ("南湖数据中心用上液冷", "南湖区新建的数据中心采用液冷散热，年耗电量预计减少约四分之一。"),
    ("高校开展大模型联合研究", "杭州多家高校宣布将基于开源大模型开展联合研究。"),
    ("Harbor Labs releases Tern", "Harbor Labs released Tern, a small open language model."),
]


def test_topic_lead_chinese() -> None:
    lead = topic_lead(ZH_ENTRIES, language="zh", topic_terms={"大模型": 1.0, "开源": 0.5})
    sentences = split_sentences(lead)
    assert 2 <= len(sentences) <= 3
    assert "Harbor" not in lead  # the lead is in the reader's language
    assert sentences[0].startswith("星海智能公司发布开源大模型")  # best entry first
    summaries = "".join(summary for _, summary in ZH_ENTRIES)
    for sentence in sentences:
        assert sentence in summaries
    assert lead == topic_lead(ZH_ENTRIES, language="zh", topic_terms={"大模型": 1.0, "开源": 0.5})


def test_topic_lead_english_and_limits() -> None:
    entries = [
        ("Tern released", summarize(fixture("en_article.txt"), language="en")),
        ("Buses go electric", summarize(fixture("en_boilerplate.txt"), language="en")),
    ]
    lead = topic_lead(entries, language="en", max_sentences=2)
    assert 1 <= len(split_sentences(lead)) <= 2
    assert lead.startswith("Harbor Labs on Wednesday released Tern")
    assert topic_lead(entries, language="en", max_sentences=1).count(".") >= 1


def test_topic_lead_other_language_when_nothing_matches() -> None:
    entries = [("Tern", "Harbor Labs released Tern, a small open language model.")]
    assert topic_lead(entries, language="zh") == entries[0][1]


def test_topic_lead_empty() -> None:
    assert topic_lead([], language="zh") == ""
    assert topic_lead([("A title", ""), ("Another", "   ")], language="en") == ""
