"""Relevance scoring, and the text utilities it stands on."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.relevance import (
    DEFAULT_THRESHOLD,
    ENRICHED_MAX_WEIGHT,
    Relevance,
    TopicProfile,
    enrich_keywords,
    score_article,
)
from crawler.seeds import Topic, load_seeds
from crawler.text import detect_language, extract_keywords, is_cjk, term_key, tokenize

ROOT = Path(__file__).resolve().parent.parent

# --- articles written for these tests -----------------------------------------------------------
ZH_ON_TITLE = "OpenAI 为 GPT-4o 加入原生图像生成，ChatGPT 用户可以用对话改图"
ZH_ON = """
本周 OpenAI 宣布，ChatGPT 里的 GPT-4o 现在可以直接画图。和以前把请求转交给独立绘图模型的做法不同，
这次的图像生成能力由多模态模型本身完成，所以它能记住前几轮对话里提到的人物和风格。

实际体验下来，最明显的变化是文字渲染：海报、菜单和路牌上的字基本都能正确显示。用户也可以上传一张照片，
再用一句话要求换背景、改配色或者把画风改成水彩，模型会在原图的基础上生成新版本，这种“用嘴改图”的方式
让不会用专业软件的人也能完成简单的设计工作。

不过，新功能也有明显的限制。生成一张图通常要等上半分钟到一分钟，高峰时段免费用户还会遇到排队和限流。
在中文排版上，GPT-4o 偶尔会写错字，复杂图表里的数字也未必准确。
OpenAI 表示，所有生成的图片都带有 C2PA 元数据，方便识别来源，同时对涉及真人的图像采取更严格的限制。

业内人士认为，原生多模态生图会改变设计、电商和自媒体的工作流程，但专业场景对精确控制的要求仍然很高，
Stable Diffusion、ComfyUI 这类可控性更强的工具短期内不会被完全取代。
"""

EN_ON_TITLE = "GPT-4o can now draw: OpenAI puts image generation inside ChatGPT"
EN_ON = """
OpenAI has switched ChatGPT's default image generator to GPT-4o itself. Instead of handing a prompt
to a separate diffusion model, the multimodal model now produces pictures directly, which means it
can keep track of what was said earlier in a conversation and refine an image over several turns.

In our tests the biggest improvement was text: signs, menus and slide titles came out legible far
more often than with DALL-E 3. Uploading a photo and asking for a different background or a new
colour scheme also worked well, although rendering a single image can take up to a minute.

GPT-4o image generation is rolling out to free, Plus and Pro users, with API access promised in the
coming weeks. OpenAI says every generated image carries C2PA metadata, and that requests involving
real people face stricter limits than before.
"""

ZH_FOOTBALL_TITLE = "中超第12轮：海港客场两球击败泰山，继续领跑积分榜"
ZH_FOOTBALL = """
周六晚间进行的中超第12轮比赛中，上海海港客场挑战山东泰山。上半场双方都比较谨慎，海港依靠一次快速反击
由边路传中，前锋头球破门。下半场泰山加强进攻，多次制造威胁，但门将发挥出色，连续扑出两个近距离射门。
比赛第78分钟，海港通过角球机会再入一球，最终以二比零取胜。赛后主教练表示，球队的防守组织比上一轮
有明显进步，接下来一周要连续进行联赛和足协杯比赛，轮换会是重点。本轮过后，海港以28分继续排在积分榜
首位，领先第二名三分。球迷们在看台上打出了巨幅标语，现场气氛热烈，上座人数超过四万人。
"""

ZH_COOKING_TITLE = "家常红烧肉的做法：肥而不腻的关键在于炒糖色"
ZH_COOKING = """
红烧肉是很多家庭餐桌上的常见菜。选用带皮五花肉，切成三厘米左右的方块，冷水下锅焯水，去掉血沫后捞出
沥干。锅里放少量油，加入冰糖小火慢炒，等糖完全融化、颜色变成枣红色时倒入肉块翻炒上色。接着加入姜片、
葱段、八角和桂皮，沿锅边淋入料酒和生抽，再倒入没过肉块的热水。大火烧开后转小火炖一个小时，最后开大火
收汁。炒糖色时火候一定要小，糖一旦发苦整锅菜都会受影响。出锅前可以尝一下咸淡，再决定是否加盐。
"""

ZH_PHONE_TITLE = "新款手机评测：影像系统升级，夜景拍摄更清晰"
ZH_PHONE = """
这款手机最大的升级在影像系统。主摄换用了一英寸大底传感器，配合新的图像处理芯片，夜景照片的噪点明显
减少，暗部细节也更丰富。长焦镜头支持三倍光学变焦，人像模式下的虚化过渡自然。在日常使用中，系统流畅度
不错，电池续航可以支撑一整天的中度使用，六十五瓦快充半小时能充到八成以上。屏幕采用了高刷新率面板，
户外亮度足够。对于喜欢拍照的用户来说，这是今年中端机型里体验较好的一款，不过机身重量偏大，长时间
单手握持会有些累。厂商还提到相册里加入了智能修图功能，可以一键去除路人。
"""

EN_FOOTBALL_TITLE = "Late header keeps Rovers top of the league"
EN_FOOTBALL = """
Rovers needed a stoppage-time header from their captain to beat Albion 2-1 on Saturday and stay two
points clear at the top of the table. Albion had equalised early in the second half after a
scramble in the box, and for long spells looked the more dangerous side. The home manager praised
his team's patience, saying the squad had worked all week on set pieces. Off the pitch, the club
announced that its new ticketing assistant, built with tools from OpenAI, would go live next month
to answer supporters' questions about away travel. Rovers visit the capital next weekend, where
they have not won in four seasons, before a midweek cup tie against a second-division side.
"""

EN_COOKING_TITLE = "A weeknight tomato soup that tastes like it took all day"
EN_COOKING = """
Roast the tomatoes first. Halve two kilos of ripe tomatoes, toss them with olive oil, garlic and a
pinch of salt, and give them forty minutes in a hot oven until the edges char. Meanwhile soften an
onion in butter, add the roasted tomatoes with their juices and a little stock, and simmer for ten
minutes. Blend until smooth, season, and finish with cream or a spoon of yoghurt. Served with
grilled cheese, it is the best reason to buy too many tomatoes at the market.
"""

ZH_SORA_TITLE = "Sora 更新：文生视频支持更长镜头"
ZH_SORA = """
OpenAI 为 Sora 推出了新版本，视频生成的时长和画面稳定性都有提升。
用户输入一段文字，就能得到多个镜头组成的短片，人物在不同镜头之间保持一致。
新版本还加入了把图片变成视频的功能。与其他文生视频工具相比，Sora 在光影和运动上更自然，
但复杂的物理过程仍会出错。
"""

ON_TOPIC = [
    ("zh", ZH_ON_TITLE, ZH_ON),
    ("en", EN_ON_TITLE, EN_ON),
    ("zh", "", ZH_ON),  # no title: the text alone carries it
    ("en", "", EN_ON),
]
OFF_TOPIC = [
    ("zh", ZH_FOOTBALL_TITLE, ZH_FOOTBALL),
    ("zh", ZH_COOKING_TITLE, ZH_COOKING),
    ("zh", ZH_PHONE_TITLE, ZH_PHONE),  # a technology article about cameras and images
    ("en", EN_FOOTBALL_TITLE, EN_FOOTBALL),  # mentions OpenAI once, in passing
    ("en", EN_COOKING_TITLE, EN_COOKING),
]
# ~5 KB of football with OpenAI mentioned once
LONG_EN_FOOTBALL = EN_FOOTBALL.replace("built with tools from OpenAI", "built in-house") * 6 + (
    EN_FOOTBALL
)


@pytest.fixture(scope="module")
def gpt4o() -> Topic:
    [topic] = load_seeds(ROOT / "seeds").topics
    return topic


@pytest.fixture(scope="module")
def profile(gpt4o: Topic) -> TopicProfile:
    return TopicProfile.from_topic(gpt4o)


# --- scoring ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "title", "text"), ON_TOPIC)
def test_on_topic_articles_pass(
    profile: TopicProfile, language: str, title: str, text: str
) -> None:
    result = score_article(profile, title, text, language)
    assert result.relevant
    assert result.score >= 2 * DEFAULT_THRESHOLD
    assert "GPT-4o" in result.matched and "OpenAI" in result.matched


@pytest.mark.parametrize(("language", "title", "text"), OFF_TOPIC)
def test_off_topic_articles_fail(
    profile: TopicProfile, language: str, title: str, text: str
) -> None:
    result = score_article(profile, title, text, language)
    assert not result.relevant
    assert result.score < DEFAULT_THRESHOLD / 2


def test_a_neighbouring_topic_is_not_this_one(profile: TopicProfile) -> None:
    result = score_article(profile, ZH_SORA_TITLE, ZH_SORA, "zh")  # Sora, also by OpenAI
    assert not result.relevant
    assert list(result.matched) == ["OpenAI"]


def test_a_long_article_mentioning_openai_once_fails(profile: TopicProfile) -> None:
    assert 4500 < len(LONG_EN_FOOTBALL) < 6000
    result = score_article(profile, EN_FOOTBALL_TITLE, LONG_EN_FOOTBALL, "en")
    assert list(result.matched) == ["OpenAI"]
    assert result.score < DEFAULT_THRESHOLD / 4
    short = score_article(profile, EN_FOOTBALL_TITLE, EN_FOOTBALL, "en")
    assert result.score < short.score  # longer text, same mention: lower score


def test_topic_derived_from_seeds_scores_too() -> None:
    [topic] = load_seeds(ROOT / "tests" / "fixtures" / "seeds" / "sora").topics
    profile = TopicProfile.from_topic(topic)
    assert profile.threshold == DEFAULT_THRESHOLD
    on = score_article(profile, ZH_SORA_TITLE, ZH_SORA, "zh")
    assert on.relevant and "Sora" in on.matched
    for _, title, text in OFF_TOPIC:
        assert not score_article(profile, title, text).relevant
    # the GPT-4o articles are about a neighbouring topic: related, but not this one
    assert score_article(profile, EN_ON_TITLE, EN_ON).score < on.score


def test_the_score_explains_itself() -> None:
    profile = TopicProfile.from_terms("t", {"GPT-4o": 3.0, "图像生成": 2.0, "OpenAI": 1.0})
    result = score_article(profile, "GPT-4o 上线图像生成", "OpenAI 宣布 GPT-4o 的图像生成功能。")
    assert isinstance(result, Relevance)
    assert set(result.matched) == {"GPT-4o", "图像生成", "OpenAI"}
    assert result.score == pytest.approx(sum(result.matched.values()), abs=0.01)
    # the title counts: the same text scores less without it
    assert score_article(profile, "", "OpenAI 宣布 GPT-4o 的图像生成功能。").score < result.score


def test_matching_rules() -> None:
    profile = TopicProfile.from_terms(
        "t", {"GPT-4o": 1.0, "OpenAI": 1.0, "图像生成": 1.0, "图像": 1.0, "GPT": 1.0, "model": 1.0}
    )

    def counts(text: str) -> dict[str, int]:
        found = profile.counts(text.lower())
        return {t.term: n for t, n in zip(profile.terms, found, strict=True) if n}

    assert counts("GPT-4o gpt-4o GPT 4o GPT4o") == {"GPT-4o": 4}
    # GPT-4o1 is not GPT-4o (though it starts with GPT); pre-GPT-4o is one word
    assert counts("GPT-4o1 and pre-GPT-4o") == {"GPT": 1}
    assert counts("OpenAI's plan") == {"OpenAI": 1}
    assert counts("OpenAIs") == {}
    assert counts("全新的图像生成功能") == {"图像生成": 1}  # 图像 is not counted again
    assert counts("图像生成和图像理解") == {"图像生成": 1, "图像": 1}
    assert counts("GPT and GPT-4o") == {"GPT": 1, "GPT-4o": 1}
    assert counts("two models, one model") == {"model": 2}


def test_repeats_have_diminishing_returns() -> None:
    profile = TopicProfile.from_terms("t", {"sora": 2.0, "openai": 1.0, "video": 1.0})
    once = score_article(profile, "", "Sora by OpenAI makes video.")
    many = score_article(profile, "", "Sora by OpenAI makes video. " + "Sora again. " * 9)
    assert once.score < many.score < 3 * once.score


def test_excluded_terms() -> None:
    profile = TopicProfile.from_terms("t", ["GPT-4o", "OpenAI"], exclude=["招聘"])
    text = "OpenAI 发布 GPT-4o，GPT-4o 支持图像生成。OpenAI 表示免费用户也可使用。"
    clean = score_article(profile, "GPT-4o 发布", text)
    vetoed = score_article(profile, "招聘：GPT-4o 工程师", text)
    halved = score_article(profile, "GPT-4o 发布", text + "（本公司长期招聘）")
    assert clean.relevant and clean.excluded == []
    assert (vetoed.score, vetoed.relevant, vetoed.excluded) == (0.0, False, ["招聘"])
    assert halved.score == pytest.approx(clean.score / 2, abs=0.01)
    assert halved.excluded == ["招聘"]


def test_language_restriction_from_plain_terms() -> None:
    profile = TopicProfile.from_terms("t", ["GPT-4o", "OpenAI"], languages=["zh"])
    text = "OpenAI released GPT-4o. GPT-4o is fast. OpenAI says so."
    assert not score_article(profile, "GPT-4o", text, "en").relevant
    assert score_article(profile, "GPT-4o", text, None).relevant
    assert score_article(profile, "GPT-4o", text, "zh").relevant


def test_thresholds_are_per_topic() -> None:
    strict = TopicProfile.from_terms("t", ["GPT-4o"], threshold=50.0)
    assert not score_article(strict, "GPT-4o", "GPT-4o " * 3).relevant


def test_empty_input() -> None:
    profile = TopicProfile.from_terms("t", ["GPT-4o"])
    assert score_article(profile, "", "") == Relevance(0.0, {}, False, [])


# --- enrichment from the cited pages ------------------------------------------------------------

CITED_A = """Hello GPT-4o. GPT-4o is our new flagship model that can reason across audio, vision and
text in real time. Voice mode with GPT-4o responds in as little as 232 milliseconds. The realtime
voice experience and the vision capabilities are rolling out in ChatGPT."""
CITED_B = """GPT-4o brings realtime voice conversations to ChatGPT. Voice mode now understands tone,
and the vision features let the assistant describe what the camera sees. Developers get the
realtime voice API at half the price."""


def test_enrich_keywords_adds_what_the_cited_pages_share() -> None:
    keywords = {"GPT-4o": 3.0, "多模态": 2.0}
    enriched = enrich_keywords(keywords, [CITED_A, CITED_B], "en")
    assert enriched["GPT-4o"] == 3.0 and enriched["多模态"] == 2.0  # kept as they were
    added = {k: w for k, w in enriched.items() if k not in keywords}
    assert added and all(0 < w <= ENRICHED_MAX_WEIGHT for w in added.values())
    assert {"chatgpt", "voice"} & {term_key(k) for k in added}
    assert enrich_keywords(keywords, []) == keywords
    assert enrich_keywords(keywords, ["", "  "]) == keywords


# --- text utilities ---------------------------------------------------------------------------


def test_detect_language() -> None:
    assert detect_language(ZH_ON) == "zh"
    assert detect_language("OpenAI 发布 GPT-4o，ChatGPT 用户都能用上 DALL-E 3 的继任者") == "zh"
    assert detect_language(EN_ON) == "en"
    assert detect_language("ok") is None
    assert detect_language("") is None


def test_is_cjk() -> None:
    assert is_cjk("图") and is_cjk("の") and is_cjk("한")
    assert not is_cjk("a") and not is_cjk("，") and not is_cjk("")


def test_tokenize() -> None:
    tokens = tokenize("OpenAI 的 GPT-4o 支持图像生成，The model is great!")
    assert "gpt-4o" in tokens and "openai" in tokens and "model" in tokens
    assert "的" not in tokens and "the" not in tokens and "，" not in tokens
    assert "图像" in tokens
    assert tokenize("Football, cooking and GPT-4o.", "en") == ["football", "cooking", "gpt-4o"]


def test_extract_keywords() -> None:
    keywords = extract_keywords(ZH_ON, ZH_ON_TITLE)
    keys = [term_key(k) for k in keywords]
    assert keys[0] == "gpt4o"
    assert {"openai", "chatgpt"} <= set(keys[:8])
    assert max(keywords.values()) == 1.0
    assert all(0 < w <= 1.0 for w in keywords.values())
    english = extract_keywords(EN_ON, EN_ON_TITLE)
    assert "GPT-4o" in list(english)[:3] and "DALL-E 3" in english
    assert "the" not in english
