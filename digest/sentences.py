"""Sentences: splitting (Chinese and English at once), clean-up and boilerplate.

:func:`split_sentences` cuts text into verbatim sentences; :func:`clean_sentence` strips a
dateline or reporter credit in front of one; :func:`is_boilerplate` and :func:`is_fragment` say
which sentences a summary never uses (bylines, credits, copyright lines, calls to action,
captions, URLs, bare dates, headings). The language helpers (:func:`resolve_language`,
:func:`text_length`, :func:`join_sentences`) are shared by the summaries and the topic leads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from crawler.text import detect_language

logger = logging.getLogger(__name__)

__all__ = [
    "clean_sentence",
    "is_boilerplate",
    "is_cjk",
    "is_fragment",
    "join_sentences",
    "resolve_language",
    "script_language",
    "split_sentences",
    "text_length",
    "wordset",
]

# --------------------------------------------------------------------------------------------
# Sentence splitting
# --------------------------------------------------------------------------------------------

_CJK_TERMINATORS = "。！？；…"
_ASCII_TERMINATORS = "!?"
_ALL_TERMINATORS = _CJK_TERMINATORS + _ASCII_TERMINATORS + ".．"
_CLOSERS = "”’」』）》】〉〕\"')]"
_OPENERS = "“‘「『（《【〈〔\"'(["
_TERMINATOR_RUN = re.compile(f"([{re.escape(_ALL_TERMINATORS)}]+)[{re.escape(_CLOSERS)}]*")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def wordset(words: str) -> frozenset[str]:
    """A frozenset of the whitespace-separated words of ``words``."""
    return frozenset(words.split())


# Abbreviations after which a period never ends a sentence (lowercased, inner dots kept).
_NEVER_SPLIT = wordset(
    """mr mrs ms mx dr prof sen rep gov gen col capt lt sgt cmdr adm pres rev hon fr st mt ft
    no nos vol vols fig figs eq eqs pp p ch sec art vs v cf e.g i.e viz al approx ca est dept
    jan feb mar apr jun jul aug sep sept oct nov dec"""
)
# Abbreviations that may also end a sentence: split only before a common sentence opener.
_SOFT_SPLIT = wordset("inc ltd corp co etc jr sr bros llc plc gmbh ag sa nv u.s")
_SENTENCE_OPENERS = wordset(
    """the a an it its he she they we i you this that these those there then but and or so yet
    in on at for from with after before when while as if however meanwhile still also last next
    some many most all both one two three his her their our my according earlier later today"""
)


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs, kana, hangul and CJK/full-width punctuation."""
    o = ord(ch)
    return (
        0x3000 <= o <= 0x9FFF
        or 0xAC00 <= o <= 0xD7AF
        or 0xF900 <= o <= 0xFAFF
        or 0xFF00 <= o <= 0xFFEF
        or 0x20000 <= o <= 0x2FA1F
    )


def _next_word(par: str, j: int) -> str:
    """The word that starts after position ``j`` (skipping spaces and opening quotes)."""
    m = re.match(r"[\s\"'“‘(\[]*([A-Za-z]+)", par[j:])
    return m.group(1) if m else ""


def _boundary_after(par: str, j: int) -> bool:
    """Whether the text after an ASCII terminator at ``j`` may start a new sentence."""
    if j >= len(par):
        return True
    ch = par[j]
    if not (ch.isspace() or is_cjk(ch) or ch in _OPENERS):
        return False  # "Yahoo!Japan", "example.com", "U.S" inside "U.S."
    rest = par[j:].lstrip()
    return not rest or not ("a" <= rest[0] <= "z")  # "approx. two", "Really? he asked"


def _period_ends_sentence(par: str, start: int, i: int, j: int) -> bool:
    """Whether the period at ``i`` (terminator run ending at ``j``) ends a sentence."""
    if i > 0 and i + 1 < len(par) and par[i - 1].isdigit() and par[i + 1].isdigit():
        return False  # 3.5, GPT-4.5, v2.0.1
    if not _boundary_after(par, j):
        return False
    if j >= len(par):
        return True
    k = i
    while k > start and (par[k - 1].isalpha() or par[k - 1] == ".") and not is_cjk(par[k - 1]):
        k -= 1
    token = par[k:i].lower()
    if re.fullmatch(r"\(?\w{1,3}\)?", par[start:i].strip()) and not token.isalpha():
        return False  # list markers "1." "(a)."
    if token in _NEVER_SPLIT or (len(token) == 1 and token.isalpha() and par[i - 1].isupper()):
        return False  # "Dr. Li", "e.g. GPT", "John F. Kennedy"
    if token in _SOFT_SPLIT or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token):
        nxt = par[j:].lstrip()
        return bool(nxt) and (is_cjk(nxt[0]) or _next_word(par, j).lower() in _SENTENCE_OPENERS)
    return True


def _split_paragraph(par: str) -> list[str]:
    """Split one paragraph (no line breaks) into sentences; sentence text is kept verbatim."""
    out: list[str] = []
    start = 0
    for match in _TERMINATOR_RUN.finditer(par):
        i, j = match.start(), match.end()
        ch, run = par[i], match.group(1)
        if any(c in "。！？；．" for c in run):
            ends = True  # Chinese terminators always end a sentence
        elif "…" in run or run.startswith(".."):
            ends = _boundary_after(par, j)
        elif ch == ".":
            ends = _period_ends_sentence(par, start, i, j)
        else:  # ! ?
            ends = _boundary_after(par, j)
        if ends:
            sentence = par[start:j].strip()
            if sentence:
                out.append(sentence)
            start = j
    tail = par[start:].strip()
    if tail:
        out.append(tail)
    return out


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Split ``text`` into sentences, each a verbatim (stripped) substring of the input.

    Knows Chinese terminators (。！？；… with closing quotes and brackets after them), English ones
    (.!? with abbreviations, initials, decimals, version numbers, ellipses, quotes after the
    period), mixed text, and treats every line break as a paragraph boundary. ``language`` is
    accepted for symmetry with the rest of the API; the rules work for both languages at once.
    """
    if not text:
        return []
    sentences: list[str] = []
    for par in _LINE_BREAKS.split(text):
        if par.strip():
            sentences.extend(_split_paragraph(par))
    return sentences


# --------------------------------------------------------------------------------------------
# Boilerplate
# --------------------------------------------------------------------------------------------

_BOILERPLATE_ZH = re.compile(
    r"责任编辑|(?:^|[（(【\[\s/|])(?:编辑|编者|记者|来源|作者|校对|审核|审校|监制|统筹|撰文|摄影|摄像"
    r"|设计|制图|出品|策划|文字|翻译|编译|视觉)\s*[：:/]"
    r"|图片来源|图源|图片[：:]|视频来源|资料图|版权所有|版权归|版权声明|未经(?:授权|许可)|禁止转载"
    r"|不得转载|转载请|原标题[：:]|本文(?:来自|来源|转载|首发|经授权)|免责声明|阅读原文|往期回顾|推荐阅读"
    r"|扫码|二维码|长按识别|点击(?!量|率|数|次数)"
    r"|(?:欢迎|请|敬请|记得|长按|点击)关注|关注(?:我们|本号|公众号|微信|官方|账号)"
    r"|关注.{0,8}(?:公众号|微信号|视频号|微博号|订阅号)"
)
_BYLINE_ZH = re.compile(
    r"(?:^|[（(【\[])\s*(?:本报|本台|新华社|中新社|人民网|特约|实习)?记者\s*"
    r"[\u4e00-\u9fff·]{2,4}(?:[\s、，,]+[\u4e00-\u9fff·]{2,4})*\s*(?:[）)】\]]|报道|摄|$)"
)
_BOILERPLATE_EN = re.compile(
    r"all rights reserved|©|\(c\)\s*\d{4}|^\W*copyright\b|\bcopyright\s+(?:\d{4}|©)"
    r"|^\W*(?:read more|read also|read next|see also|subscribe|sign up|click here|follow us"
    r"|share (?:this|on)|advertisement|sponsored content|download (?:the|our) app|reporting by"
    r"|editing by|writing by|additional reporting|contact us|more from|recommended (?:for you"
    r"|reading|stories)|top stories)\b"
    r"|^\W*(?:related(?: articles?| stories)?|watch|listen|photo|image|credit|source)\s*:"
    r"|\bsubscribe (?:to|for|now|today)\b|\bour newsletter\b|\bin your inbox\b|\bgetty images\b"
    r"|\(photo\b|\bphoto by\b|\bimage credit|\bterms of (?:use|service)\b|\bprivacy policy\b"
    r"|\baccept (?:all )?cookies\b",
    re.IGNORECASE,
)
_BYLINE_EN = re.compile(
    r"^\W*(?i:by)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
    r"(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})*\W*$"
)
_LATIN = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[^\W\d_]")
_URL = re.compile(
    r"https?://|\bwww\.[\w-]+\.|(?<![\w.+-])[\w.+-]+@[\w-]+\.[a-z]{2,}", re.IGNORECASE
)
_DATE_WORDS = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|(?:mon|tue|wed|thu|fri|sat"
    r"|sun)[a-z]*\.?|published|updated|posted|last modified|on|at|am|pm|a\.m\.|p\.m\.|gmt|utc|bst"
    r"|cet|cst|edt|est|pdt|pst|et|pt|发布时间|更新时间|发布于|更新于|发表于|时间|日期"
    r"|星期.|周.|[年月日号时点分秒]|上午|下午",
    re.IGNORECASE,
)
_DATELINE_PREFIX = re.compile(
    r"^\s*(?:(?:新华社|中新社|中新网|人民网|央视网|本报|本台)?[\u4e00-\u9fff]{0,10}"
    r"(?:\d{1,2}月\d{1,2}日)?(?:电|讯)\s*)?[（(](?:记者|通讯员)[^）)]{1,30}[）)]\s*"
    r"|^\s*(?:新华社|中新社|中新网|本报)[\u4e00-\u9fff]{0,10}\d{1,2}月\d{1,2}日(?:电|讯)\s*"
    r"|^\s*[A-Z][A-Z .'-]{2,30}(?:,\s*[A-Z][A-Za-z .]{2,20})?\s*(?:\([A-Za-z .&]{2,30}\))?"
    r"\s*[—–-]+\s+"
)


def clean_sentence(sentence: str) -> str:
    """Strip a dateline or reporter credit in front of a sentence; the rest is kept verbatim."""
    s = sentence.strip()
    cleaned = _DATELINE_PREFIX.sub("", s, count=1).strip()
    return cleaned if re.search(r"\w", cleaned) else s


def is_boilerplate(sentence: str) -> bool:
    """Bylines, credits, copyright lines, calls to action, captions, URLs and bare dates."""
    s = sentence.strip()
    if not s:
        return True
    if _BOILERPLATE_ZH.search(s) or _BYLINE_ZH.search(s):
        return True
    if _LATIN.search(s) or "©" in s:
        if _BOILERPLATE_EN.search(s) or _BYLINE_EN.match(s):
            return True
        if ("@" in s or "://" in s or "www." in s.lower()) and _URL.search(s):
            return True
    if len(s) > 80 or not _DIGIT.search(s):
        return False
    return not _LETTER.search(_DATE_WORDS.sub("", s))  # a bare date or time


def is_fragment(sentence: str, language: str) -> bool:
    """Very short pieces, and short unterminated lines (headings, captions, labels)."""
    length = text_length(sentence, language)
    terminated = sentence.rstrip(_CLOSERS)[-1:] in _ALL_TERMINATORS
    if language == "zh":
        return length < 8 or (not terminated and length < 20)
    return length < 5 or (not terminated and length < 10)


# --------------------------------------------------------------------------------------------
# Language, length, joining
# --------------------------------------------------------------------------------------------


def resolve_language(language: str | None, text: str) -> str:
    """``"zh"`` or ``"en"`` from a hint such as ``zh-CN``/``en_US``, else detected from the text."""
    if language:
        lang = language.lower().replace("_", "-")
        if lang.startswith(("zh", "cmn", "yue")):
            return "zh"
        if lang.startswith("en"):
            return "en"
    detected = None
    try:
        detected = detect_language(text) if text else None
    except Exception:  # a detector problem must not break a digest
        logger.debug("language detection failed", exc_info=True)
    if detected in ("zh", "en"):
        return detected
    return script_language(text)


def script_language(text: str) -> str:
    """A cheap guess from the script: ``"zh"`` when CJK characters dominate the letters."""
    cjk = sum(1 for c in text if is_cjk(c) and c.isalpha())
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "zh" if cjk and cjk * 3 >= latin else "en"


def text_length(text: str, language: str) -> int:
    """The length that budgets count: non-space characters for Chinese, words for English."""
    if language == "zh":
        return len("".join(text.split()))
    return len(text.split())


def join_sentences(sentences: Sequence[str], language: str) -> str:
    """Join sentences: no spaces in Chinese (except next to Latin text), spaces in English."""
    out = ""
    for s in sentences:
        if out and (language != "zh" or out[-1].isascii() or s[0].isascii()):
            out += " "
        out += s
    return out

