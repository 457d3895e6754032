"""Line-level clean-up of extracted text: boilerplate lines and repeated post lists.

Extractors keep lines that sit inside the article container but are not the article: editor
credits (责任编辑), copyright notices (©, 版权所有), share/print widgets, view counters, bylines
made only of a date and a source, blog calendars, "related news" lists (相关新闻) and
previous/next links. ``remove_boilerplate`` drops them. ``first_post_only`` cuts a forum thread or
a comment list (many lines carrying a date *and* a time) down to its first post.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

_EDITOR_RE = re.compile(
    r"^[\s(（\[【]*(?:责任编辑|责编|编辑|主编|审核|审校|校对|监制|值班编辑|编审|终审|初审|复审|"
    r"实习编辑|网络编辑|美编|制作)\s*[:：]"
)
_COPYRIGHT_RE = re.compile(r"©|\(c\)\s*\d{4}|copyright|all rights reserved", re.IGNORECASE)
_COPYRIGHT_ZH_RE = re.compile(
    r"版权所有(?![者人权方])|版权归.{0,12}所有|未经.{0,10}授权.{0,6}不得(?:转载|复制)"
)
_DISCLAIMER_RE = re.compile(
    r"仅代表(?:作者|本人)(?:个人)?(?:观点|立场)|不代表本(?:站|网|报|刊|平台)(?:的)?(?:观点|立场)|"
    r"并不表明.{0,8}立场|仅供其表达个人看法|如有侵权.{0,12}删除|"
    r"views expressed .{0,40}(?:are|do not)",
    re.IGNORECASE,
)
_DISCLAIMER_START_RE = re.compile(r"^[\s【\[(（]*(?:\S{0,12}版权(?:与免责)?声明|免责声明|特别声明)")
_SOURCE_RE = re.compile(r"^[\s(（\[【]*(?:文章|新闻|稿件|信息|图片)?(?:来源|出处|来自)\s*[:：]")
_COUNTER_RE = re.compile(
    r"(?:阅读|点击|浏览|阅览|访问|评论)(?:数|量|次数)?\s*[:：]?\s*\d+|本文第\s*\d+\s*个阅览者|"
    r"\d+\s*(?:次阅读|人阅读|次浏览|人浏览|views?\b)",
    re.IGNORECASE,
)
_WIDGET_WORDS = re.compile(
    r"分享到|分享|打印本稿|打印本文|打印|关闭窗口|关闭|收藏本文|收藏|推荐给朋友|推荐|发表评论|查看评论|"
    r"我来说两句|我要评论|热点排行|字体\s*[:：]?\s*[大中小]\s*[大中小]?\s*[大中小]?|返回顶部|"
    r"发送给朋友|纠错|举报|复制链接|微信|微博|QQ空间|扫一扫|二维码|"
    r"share(?: this| on)?|print(?: this)?|e-?mail|tweet|facebook|twitter|linkedin|whatsapp|"
    r"pinterest|reddit|comments?|save|advertisement|广告",
    re.IGNORECASE,
)
_WIDGET_FILLER = re.compile(r"[\s|｜:：\-–—·•/\\\[\]【】()（）<>《》,，.。!！]+")
_NAV_RE = re.compile(
    r"^[\s|｜·•]*(?:上一篇|下一篇|上一页|下一页|上一条|下一条|返回首页|返回列表|返回目录|返目录|"
    r"返回上一页|返回|previous (?:post|article)|next (?:post|article))\s*[:：]?",
    re.IGNORECASE,
)
_RELATED_RE = re.compile(
    r"^[\s|｜·•【\[]*(?:相关新闻|相关阅读|相关文章|相关内容|相关链接|相关报道|相关专题|相关资讯|"
    r"延伸阅读|推荐阅读|热点推荐|热门推荐|更多阅读|猜你喜欢|你可能感兴趣|大家都在看|为您推荐|"
    r"热点新闻|热门新闻|精彩推荐|相关推荐|热门文章|最新文章|点击排行|跟贴排行|编辑推荐|今日推荐|"
    r"most (?:popular|read)|trending(?: now)?|more stories|also read|read next|"
    r"related (?:articles?|stories|posts|news|content|coverage)|read more|more from|"
    r"you may also like|recommended for you)\s*[】\]]?\s*[:：]?\s*$",
    re.IGNORECASE,
)

_FORUM_FURNITURE_RE = re.compile(
    r"(?:游客|访客|guest).{0,6}欢迎|欢迎(?:您|你).{0,4}(?:游客|访客|光临)|在线(?:用户|人数|会员)|"
    r"当值版主|版主\s*[:：]|回复线索|申请版主|精华区",
    re.IGNORECASE,
)
_REPORTER_LINE_RE = re.compile(
    r"(?:记\s*者|通讯员|实习生|特约撰稿)\s*[:：]?\s*[\u4e00-\u9fff]{2,4}"
)
_NUMBERED_RE = re.compile(r"^\(?\d{1,2}[.、)）]")
# "Read more: <another story>" / "延伸阅读：<标题>" inside the body: a link to another article.
_INLINE_RELATED_RE = re.compile(
    r"^[\s【\[]*(?:相关阅读|延伸阅读|推荐阅读|相关新闻|相关链接|相关报道|相关文章|阅读更多|更多阅读|"
    r"read more|read also|also read|related(?: articles?| stor(?:y|ies)| coverage| reading)?|"
    r"see also|further reading|recommended(?: reading)?|more on this(?: story)?)"
    r"\s*[】\]]?\s*[:：>»|]\s*\S",
    re.IGNORECASE,
)
_DATE = (
    r"(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{1,2}\s*月\s*\d{1,2}\s*日|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4})"
)
_TIME = r"\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?"
_DATETIME_RE = re.compile(
    rf"(?:{_DATE}|(?<!\d)\d{{1,2}}-\d{{1,2}})\s*(?:at\s+|[,，]\s*)?{_TIME}", re.IGNORECASE
)
_DATE_RE = re.compile(_DATE, re.IGNORECASE)
_SENTENCE_PUNCT_RE = re.compile(r"[。！？!?…”\"’）)]|\.(?:\s|$)")
_SENTENCE_END_RE = re.compile(r"[。！？!?]|\.(?:\s|$)")
_CELL_SPLIT_RE = re.compile(r"\s*\|\s*")
_WEEKDAYS = frozenset(
    re.findall(
        r"\S+",
        "su mo tu we th fr sa sun mon tue wed thu fri sat 日 一 二 三 四 五 六 周日 周一 周二 周三 "
        "周四 周五 周六",
    )
)
_MONTH_CAPTION_RE = re.compile(
    r"^(?:\d{4}\s*年\s*\d{1,2}\s*月|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+"
    r"\d{4}|\d{4}\s*[-/.]\s*\d{1,2})$",
    re.IGNORECASE,
)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in _CELL_SPLIT_RE.split(line.strip().strip("|")) if c.strip()]


def is_calendar_row(line: str) -> bool:
    """A row of a blog calendar: day numbers, weekday names or a month caption."""
    stripped = line.strip()
    cells = _cells(stripped)
    if not cells:
        return stripped.startswith("|")
    if len(cells) == 1:
        return stripped.startswith("|") and bool(_MONTH_CAPTION_RE.match(cells[0]))
    return (
        all((c.isdigit() and int(c) <= 31) or c.lower() in _WEEKDAYS for c in cells)
        and len(cells) >= 3
    )


def _is_copyright(text: str) -> bool:
    """A copyright notice: a short line with the mark and no running sentence."""
    if len(text) > 200 or "。" in text:
        return False
    if _COPYRIGHT_RE.search(text):
        return True
    return bool(_COPYRIGHT_ZH_RE.search(text)) and (len(text) <= 60 or "，" not in text)


def _is_widget_line(line: str) -> bool:
    if len(line) > 120:
        return False
    rest = _WIDGET_FILLER.sub("", _WIDGET_WORDS.sub("", line))
    return len(rest) <= 1 and len(line.strip()) > 0


def _is_byline(line: str) -> bool:
    """A short line made of a date (and time) plus labels: no sentence in it."""
    text = line.strip().strip("|").strip()
    if len(text) > 80 or not (_DATETIME_RE.search(text) or _DATE_RE.search(text)):
        return False
    rest = _DATETIME_RE.sub("", text)
    rest = _DATE_RE.sub("", rest)
    return not _SENTENCE_END_RE.search(rest) and len(rest.strip()) <= 50


def _row_text(line: str) -> str:
    """The text of a line, with the ``| cell | cell |`` markup of a table row removed."""
    text = line.strip()
    if text.startswith("|") and not is_calendar_row(text):
        return " ".join(_cells(text))
    return text


def _is_sidebar_heading(line: str) -> bool:
    """A table row holding one short label alone ("| 最新文章 | |"): a sidebar box title."""
    cells = _cells(line) if line.strip().startswith("|") else []
    return (
        len(cells) == 1
        and len(cells[0]) <= 6
        and not any(ch.isdigit() for ch in cells[0])
        and not _SENTENCE_PUNCT_RE.search(cells[0])
    )


def is_boilerplate_line(line: str) -> bool:
    """Whether a single extracted line is page furniture rather than article text."""
    if not line.strip():
        return True
    if is_calendar_row(line) or _is_sidebar_heading(line):
        return True
    text = _row_text(line)
    if not text:
        return True
    short = len(text) <= 60
    return bool(
        (short and _EDITOR_RE.search(text))
        or (len(text) <= 160 and _INLINE_RELATED_RE.search(text))
        or (len(text) <= 40 and _FORUM_FURNITURE_RE.search(text))
        or (
            len(text) <= 40 and _REPORTER_LINE_RE.search(text) and not _SENTENCE_END_RE.search(text)
        )
        or _is_copyright(text)
        or _DISCLAIMER_START_RE.search(text)
        or (len(text) <= 150 and _DISCLAIMER_RE.search(text))
        or (short and _SOURCE_RE.search(text))
        or (short and _COUNTER_RE.search(text))
        or (short and _NAV_RE.search(text))
        or _is_widget_line(text)
        or _is_byline(text)
    )


def _is_list_item(line: str) -> bool:
    text = line.strip()
    return (
        len(text) <= 60
        or text[:1] in "·•-*|>※①②③④⑤⑥⑦⑧⑨⑩"
        or bool(_NUMBERED_RE.match(text))
        or bool(_DATE_RE.search(text[-25:]))
    )


def remove_boilerplate(lines: list[str]) -> list[str]:
    """Drop boilerplate lines, and "related news" or disclaimer headings with their lists."""
    kept: list[str] = []
    in_list = False
    for line in lines:
        text = _row_text(line)
        if _RELATED_RE.match(text) or _DISCLAIMER_START_RE.search(text):
            in_list = True
            continue
        if in_list:
            if _is_list_item(text):
                continue
            in_list = False
        if is_boilerplate_line(line):
            continue
        kept.append(line)
    return kept


def trim_tail(lines: list[str], max_len: int = 20, min_run: int = 3) -> list[str]:
    """Drop a run of ``min_run`` or more short, sentence-less lines at the end of the text.

    Such a run is a menu, a row of tabs or a "load more" block; a single short last line is
    more often a signature or a credit and stays.
    """
    end = len(lines)
    while end > 0:
        line = lines[end - 1].strip().lstrip("-*•· ").strip()
        if len(line) > max_len or _SENTENCE_PUNCT_RE.search(line):
            break
        end -= 1
    return lines[:end] if end and len(lines) - end >= min_run else lines


def first_post_only(lines: list[str], min_stamps: int = 3) -> list[str]:
    """Keep the first post when the text is a thread: many lines carry a date and a time.

    Forum threads and comment lists stamp every post. With ``min_stamps`` or more stamped lines,
    the stamps delimit posts: if most of the text comes before the first stamp the stamp is a
    footer (the post ends there); otherwise it is a header and the post runs to the next stamp.
    """
    stamps = [i for i, line in enumerate(lines) if _DATETIME_RE.search(line)]
    if len(stamps) < min_stamps:
        return lines
    sizes = [len(line) for line in lines]
    total = sum(sizes) or 1
    first = stamps[0]
    if sum(sizes[:first]) >= 0.2 * total:
        cut = lines[:first]  # the stamp closes the post
    elif sizes[first] > 200:
        cut = lines[: first + 1]  # the post and its stamp share a line
    else:
        cut = lines[: stamps[1]]  # the stamp opens the post
    if sum(len(x) for x in cut) < 0.05 * total:
        return lines  # the "first post" would be a sliver: not a thread after all
    logger.debug("thread-like text: kept %d of %d lines", len(cut), len(lines))
    return cut
