"""The catalogue of the fixture web's sites: kinds, names, sections, bylines, tags and how many
articles of each kind a week brings."""

from __future__ import annotations

KINDS: tuple[str, ...] = ("news-en", "news-zh", "blog")
SITE_NAMES: dict[str, list[tuple[str, str, str]]] = {
    "news-en": [
        ("ledger", "The Circuit Ledger", "Technology, business and city life, every day"),
        ("harbor", "Harbor Street Journal", "News from the waterfront and beyond"),
        ("relay", "The Morning Relay", "What happened overnight, in five minutes"),
    ],
    "news-zh": [
        ("jiangnan", "江南数字日报", "数字生活 每日新闻"),
        ("beichen", "北辰科技报", "科技与城市的每一天"),
        ("donghai", "东海晨报", "早上好，这是今天的新闻"),
    ],
    "blog": [
        ("latent", "Latent Notes 潜变量笔记", "Notes on models, cities and food 模型、城市与吃"),
        ("tokens", "Tokens & Tea 茶与词元", "A slow blog about fast machines"),
        ("sidechannel", "Side Channel 旁路笔记", "Things I read this week"),
    ],
}
SECTIONS: dict[str, list[tuple[str, str, str]]] = {
    "news-en": [
        ("tech", "Tech", "en"), ("sport", "Sport", "en"), ("food", "Food", "en"),
        ("cities", "Cities", "en"), ("weather", "Weather", "en"), ("cn", "中文", "zh"),
    ],
    "news-zh": [
        ("keji", "科技", "zh"), ("tiyu", "体育", "zh"), ("meishi", "美食", "zh"),
        ("chengshi", "城市", "zh"), ("tianqi", "天气", "zh"), ("en", "English", "en"),
    ],
    "blog": [],
}
TOPIC_SECTION: dict[str, dict[str, str]] = {
    "news-en": {"gpt4o": "tech", "football": "sport", "cooking": "food", "transport": "cities",
                "weather": "weather"},
    "news-zh": {"gpt4o": "keji", "football": "tiyu", "cooking": "meishi", "transport": "chengshi",
                "weather": "tianqi"},
    "blog": {},
}
SECOND_LANGUAGE_SECTION = {"news-en": "cn", "news-zh": "en", "blog": ""}
AUTHORS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "news-en": {
        "en": [("Jane Whitfield", "jane-whitfield"), ("Marcus Okafor", "marcus-okafor"),
               ("Priya Raman", "priya-raman"), ("Tom Brennan", "tom-brennan"),
               ("Elena Novak", "elena-novak"), ("David Larsen", "david-larsen")],
        "zh": [("周敏", "zhou-min"), ("陈一鸣", "chen-yiming")],
    },
    "news-zh": {
        "zh": [("张伟", "zhangwei"), ("李静", "lijing"), ("王思远", "wangsiyuan"),
               ("刘嘉怡", "liujiayi"), ("赵磊", "zhaolei"), ("孙晓东", "sunxiaodong")],
        "en": [("Grace Lin", "grace-lin")],
    },
    "blog": {"zh": [("林桥", "linqiao")], "en": [("Max Ferreira", "max-ferreira")]},
}
TAGS: dict[str, dict[str, str]] = {
    "openai": {"en": "OpenAI", "zh": "OpenAI"},
    "gpt-4o": {"en": "GPT-4o", "zh": "GPT-4o"},
    "voice": {"en": "Voice", "zh": "实时语音"},
    "image-generation": {"en": "Image generation", "zh": "图像生成"},
    "api-pricing": {"en": "API pricing", "zh": "API价格"},
    "multimodal": {"en": "Multimodal", "zh": "多模态"},
    "chatgpt": {"en": "ChatGPT", "zh": "ChatGPT"},
    "ai-industry": {"en": "AI industry", "zh": "AI产业"},
    "football": {"en": "Football", "zh": "足球"},
    "recipes": {"en": "Recipes", "zh": "美食"},
    "transport": {"en": "Transport", "zh": "交通"},
    "weather": {"en": "Weather", "zh": "天气"},
}
SUB_TAG = {"voice": "voice", "image": "image-generation", "api": "api-pricing",
           "vision": "multimodal", "chatgpt": "chatgpt", "industry": "ai-industry"}
OFF_TAG = {"football": "football", "cooking": "recipes", "transport": "transport",
           "weather": "weather"}
#: Regular articles per week at scale=1: (language, on_topic, count).
WEEK_PLAN: dict[str, list[tuple[str, bool, int]]] = {
    "news-en": [("en", True, 5), ("en", False, 5), ("zh", True, 1), ("zh", False, 1)],
    "news-zh": [("zh", True, 5), ("zh", False, 5), ("en", True, 1)],
    "blog": [("zh", True, 3), ("zh", False, 2), ("en", True, 3), ("en", False, 2)],
}
ARCHIVE_PLAN: dict[str, list[tuple[str, bool, int]]] = {
    "news-en": [("en", True, 2), ("en", False, 2)],
    "news-zh": [("zh", True, 2), ("zh", False, 2)],
    "blog": [("en", True, 1), ("zh", True, 1), ("en", False, 1), ("zh", False, 1)],
}
