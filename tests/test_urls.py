"""URL normalisation and classification."""

from __future__ import annotations

import pytest

from crawler.urls import (
    classify_url,
    is_feed_url,
    is_sitemap_url,
    looks_like_article,
    normalize_url,
    registered_domain,
    same_site,
    site_of,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # tracking parameters go, the others stay (in a canonical order)
        (
            "https://news.example.com/a/b?utm_source=x&utm_medium=y&id=7&fbclid=abc",
            "https://news.example.com/a/b?id=7",
        ),
        ("https://example.com/p?gclid=1&spm=a.b.c&from=timeline&share=1", "https://example.com/p"),
        ("https://example.com/p?b=2&a=1", "https://example.com/p?a=1&b=2"),
        # scheme and host lower case, default port dropped, fragment dropped
        (
            "HTTPS://WWW.Example.COM:443/Path/To?x=1#section-2",
            "https://www.example.com/Path/To?x=1",
        ),
        ("http://example.com:80/", "http://example.com/"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        # trailing slash: always on the root, never elsewhere
        ("https://openai.com/index/hello-gpt-4o/", "https://openai.com/index/hello-gpt-4o"),
        ("https://openai.com", "https://openai.com/"),
        # dot segments resolved, markdown escapes undone
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        (
            r"https://cdn.example.com/x/System\_Card\_v2.pdf",
            "https://cdn.example.com/x/System_Card_v2.pdf",
        ),
        # credentials never kept
        ("https://user:secret@example.com/a", "https://example.com/a"),
        # protocol-relative
        ("//example.com/a", "https://example.com/a"),
    ],
)
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


def test_weixin_articles_keep_their_identity_and_lose_session_noise() -> None:
    url = (
        "https://mp.weixin.qq.com/s?__biz=MzA4MDAwMDAwMA==&mid=2650000001&idx=1"
        "&sn=0123abcd&chksm=84000000&scene=21&sessionid=9#wechat_redirect"
    )
    normalized = normalize_url(url)
    assert normalized.startswith("https://mp.weixin.qq.com/s?")
    for kept in ("__biz=MzA4MDAwMDAwMA", "mid=2650000001", "idx=1", "sn=0123abcd"):
        assert kept in normalized
    for gone in ("chksm", "scene", "sessionid", "wechat_redirect"):
        assert gone not in normalized


def test_youtube_keeps_video_and_time_but_not_share_markers() -> None:
    url = "https://www.youtube.com/watch?v=abc123&t=30s&feature=share&si=XYZ"
    assert normalize_url(url) == "https://www.youtube.com/watch?t=30s&v=abc123"


def test_normalize_is_idempotent() -> None:
    urls = [
        "https://mp.weixin.qq.com/s?__biz=MzA4MDAwMDAwMA==&mid=1&idx=1&sn=2",
        "https://zh.example.com/文章/人工智能?标签=模型",
        "https://münchen.example/straße/",
        "https://example.com/a%7Eb/?q=a+b",
    ]
    for url in urls:
        once = normalize_url(url)
        assert normalize_url(once) == once


def test_non_web_urls_are_only_trimmed() -> None:
    assert normalize_url("  mailto:someone@example.com ") == "mailto:someone@example.com"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://openai.com/index/hello-gpt-4o/", "article"),
        ("https://example.com/photo.JPG", "image"),
        ("https://example.com/a/b.webp?x=1", "image"),
        ("https://mmbiz.qpic.cn/mmbiz_png/AbC/640?wx_fmt=png&from=appmsg", "image"),
        ("https://mmbiz.qpic.cn/mmbiz_jpg/AbC/640", "image"),
        ("https://example.com/render?id=3&wx_fmt=jpeg", "image"),
        ("https://n.sinaimg.cn/spider20250326/96/w614h1082/x.png", "image"),
        ("https://i-blog.csdnimg.cn/img_convert/4a44863d.png", "image"),
        ("https://img-blog.csdnimg.cn/20240101/abc", "image"),
        ("https://cdn.example.com/x/Native_Image_Generation_System_Card.pdf", "document"),
        ("https://example.com/report.docx", "document"),
        ("https://www.youtube.com/watch?v=ltcC9grSZFU", "video"),
        ("https://youtu.be/ltcC9grSZFU", "video"),
        ("https://www.bilibili.com/video/BV1xx411c7mD", "video"),
        ("https://www.bilibili.com/read/cv123456", "article"),
        ("https://example.com/clip.mp4", "video"),
        ("mailto:desk@example.com", "contact"),
        ("desk@example.com", "contact"),
    ],
)
def test_classify_url(url: str, kind: str) -> None:
    assert classify_url(url) == kind


def test_same_site() -> None:
    assert same_site("https://www.reuters.com/a", "https://reuters.com/b")
    assert same_site("https://learn.microsoft.com/x", "https://www.microsoft.com/y")
    assert same_site("https://www.bbc.co.uk/news/1", "https://bbc.co.uk/sport")
    assert not same_site("https://www.bbc.co.uk/", "https://www.itv.co.uk/")
    assert not same_site("https://alice.github.io/", "https://bob.github.io/")
    # loopback hosts stand for different sites in the fixture web
    assert not same_site("http://127.0.0.2:8000/a", "http://127.0.0.3:8000/a")
    assert same_site("http://127.0.0.2:8000/a", "http://127.0.0.2:8000/b")
    assert not same_site("not a url", "https://example.com/")


def test_site_and_domain() -> None:
    assert site_of("https://WWW.reuters.com/technology/x?y=1") == "https://www.reuters.com/"
    assert site_of("http://127.0.0.2:8000/a/b") == "http://127.0.0.2:8000/"
    assert registered_domain("https://news.bbc.co.uk/x") == "bbc.co.uk"
    assert registered_domain("http://localhost:8000/") == "localhost"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://openai.com/index/hello-gpt-4o/", True),
        ("https://www.reuters.com/technology/openai-announce-2024-05-13/", True),
        ("https://news.example.com/2025/03/26/gpt-4o-image-generation.html", True),
        ("https://mp.weixin.qq.com/s?__biz=Mz==&mid=1&idx=1&sn=2", True),
        ("https://example.com/", False),
        ("https://example.com/index.html", False),
        ("https://example.com/tag/ai", False),
        ("https://example.com/tags/gpt-4o/", False),
        ("https://example.com/category/tech", False),
        ("https://example.com/author/jane-doe", False),
        ("https://example.com/page/3", False),
        ("https://example.com/search?q=gpt", False),
        ("https://example.com/news?page=2", False),
        ("https://example.com/login", False),
        ("https://example.com/feed", False),
        ("https://example.com/rss.xml", False),
        ("https://example.com/sitemap.xml", False),
        ("https://example.com/static/app.js", False),
        ("https://example.com/assets/site.css", False),
        ("https://example.com/photo.png", False),
        ("https://example.com/paper.pdf", False),
        ("mailto:desk@example.com", False),
        ("javascript:void(0)", False),
    ],
)
def test_looks_like_article(url: str, expected: bool) -> None:
    assert looks_like_article(url) is expected


def test_feed_and_sitemap_addresses() -> None:
    assert is_feed_url("https://openai.com/news/rss.xml")
    assert is_feed_url("https://example.com/feed/")
    assert is_feed_url("https://example.com/blog/atom.xml")
    assert is_feed_url("https://example.com/index.rss")
    assert not is_feed_url("https://example.com/feedback-on-gpt-4o")
    assert is_sitemap_url("https://example.com/sitemap.xml")
    assert is_sitemap_url("https://example.com/sitemap-news.xml.gz")
    assert not is_sitemap_url("https://example.com/sitemaps-explained")
