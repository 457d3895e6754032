"""Extractive, multilingual, topic-aware summaries.

The summary of an article is a handful of its own whole sentences, chosen by

* centrality: the TF-IDF vector of each sentence against the rest of the article (words from
  :func:`crawler.text.tokenize`, character bigrams for Chinese, IDF over the article's own
  sentences);
* a bias toward the topic's weighted terms, the title and the lead (early sentences);
* redundancy removal (maximal marginal relevance);
* a length budget (about 120 Chinese characters or 60 English words by default),

and printed in their original order. Boilerplate (bylines, editor credits, copyright lines, calls
to action, captions, URLs, bare dates, fragments) is never chosen. Everything is deterministic: ties
are broken by position.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.text import HAN_RUN_RE, detect_language, term_key, tokenize

logger = logging.getLogger(__name__)

__all__ = ["resolve_language", "split_sentences", "summarize", "text_length", "topic_lead"]

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


def _wordset(words: str) -> frozenset[str]:
    """A frozenset of the whitespace-separated words of ``words``."""
    return frozenset(words.split())


# Abbreviations after which a period never ends a sentence (lowercased, inner dots kept).
_NEVER_SPLIT = _wordset(
    """mr mrs ms mx dr prof sen rep gov gen col capt lt sgt cmdr adm pres rev hon fr st mt ft
    no nos vol vols fig figs eq eqs pp p ch sec art vs v cf e.g i.e viz al approx ca est dept
    jan feb mar apr jun jul aug sep sept oct nov dec"""
)
# Abbreviations that may also end a sentence: split only before a common sentence opener.
_SOFT_SPLIT = _wordset("inc ltd corp co etc jr sr bros llc plc gmbh ag sa nv u.s")
_SENTENCE_OPENERS = _wordset(
    """the a an it its he she they we i you this that these those there then but and or so yet
    in on at for from with after before when while as if however meanwhile still also last next
    some many most all both one two three his her their our my according earlier later today"""
)


def _is_cjk(ch: str) -> bool:
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
    if not (ch.isspace() or _is_cjk(ch) or ch in _OPENERS):
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
    while k > start and (par[k - 1].isalpha() or par[k - 1] == ".") and not _is_cjk(par[k - 1]):
        k -= 1
    token = par[k:i].lower()
    if re.fullmatch(r"\(?\w{1,3}\)?", par[start:i].strip()) and not token.isalpha():
        return False  # list markers "1." "(a)."
    if token in _NEVER_SPLIT or (len(token) == 1 and token.isalpha() and par[i - 1].isupper()):
        return False  # "Dr. Li", "e.g. GPT", "John F. Kennedy"
    if token in _SOFT_SPLIT or re.fullmatch(r"(?:[a-z]\.)+[a-z]", token):
        nxt = par[j:].lstrip()
        return bool(nxt) and (_is_cjk(nxt[0]) or _next_word(par, j).lower() in _SENTENCE_OPENERS)
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


def _clean_sentence(sentence: str) -> str:
    """Strip a dateline or reporter credit in front of a sentence; the rest is kept verbatim."""
    s = sentence.strip()
    cleaned = _DATELINE_PREFIX.sub("", s, count=1).strip()
    return cleaned if re.search(r"\w", cleaned) else s


def _is_boilerplate(sentence: str) -> bool:
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


# --------------------------------------------------------------------------------------------
# Helpers: language, length, vectors
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
    return _script_language(text)


def _script_language(text: str) -> str:
    """A cheap guess from the script: ``"zh"`` when CJK characters dominate the letters."""
    cjk = sum(1 for c in text if _is_cjk(c) and c.isalpha())
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "zh" if cjk and cjk * 3 >= latin else "en"


def text_length(text: str, language: str) -> int:
    """The length that budgets count: non-space characters for Chinese, words for English."""
    if language == "zh":
        return len("".join(text.split()))
    return len(text.split())


def _join(sentences: Sequence[str], language: str) -> str:
    """Join sentences: no spaces in Chinese (except next to Latin text), spaces in English."""
    out = ""
    for s in sentences:
        if out and (language != "zh" or out[-1].isascii() or s[0].isascii()):
            out += " "
        out += s
    return out


# Reporting verbs and fillers that say nothing about what a sentence is about.
_WEAK_TOKENS = _wordset(
    """said says say saying told tells added adds according also would could just like
    表示 说 称 介绍 认为 指出 据 还 将 已经 可以 进行"""
)
# Openers that make a sentence lean on the one before it (a pronoun, a connective).
_DEPENDENT_OPENER = re.compile(
    r"^[\"“‘']|^(?:he|she|they|it|this|these|those|that|but|however|also|and|meanwhile|still|"
    r"instead|then|so)\b|^(?:他|她|它|此|这|那|但|不过|然而|同时|此外|另外|而且|对此|因此|其中)",
    re.IGNORECASE,
)


# Characters too common in Chinese to say what a sentence is about (function words, pronouns).
_HAN_FUNCTION_CHARS = frozenset(
    "的了是在和与及或也就都而又还并但把被让给对向从到于以为将之其此该这那个些我你他她它们着过地得"
)


def _han_units(run: str) -> list[str]:
    """Character bigrams of a run of Han text, skipping those with a function character."""
    if len(run) == 1:
        return [] if run in _HAN_FUNCTION_CHARS else [run]
    return [
        run[i : i + 2]
        for i in range(len(run) - 1)
        if run[i] not in _HAN_FUNCTION_CHARS and run[i + 1] not in _HAN_FUNCTION_CHARS
    ]


def _tokens(text: str, language: str) -> list[str]:
    """Content units of ``text`` for similarity: words and names, and bigrams for Chinese.

    Latin-script words come from :func:`crawler.text.tokenize` (stop words dropped, names such
    as GPT-4o kept whole). Chinese runs become character bigrams: as good as segmented words
    for sentence similarity, and about twenty times faster than jieba, which alone would take
    longer than a summary's whole time budget.
    """
    units: list[str] = []
    for run in HAN_RUN_RE.findall(text):
        units.extend(_han_units(run))
    rest = HAN_RUN_RE.sub(" ", text)  # keeps jieba out of tokenize: no Han text is left
    try:
        units.extend(tokenize(rest, "en"))
    except Exception:
        logger.debug("tokenize failed, falling back to a simple split", exc_info=True)
        units.extend(re.findall(r"\w+", rest.lower()))
    return [t for t in units if t not in _WEAK_TOKENS]


Vector = dict[str, float]


def _tfidf(token_lists: Sequence[list[str]]) -> tuple[list[Vector], dict[str, float]]:
    """Unit-length TF-IDF vectors (sublinear TF, smoothed IDF over these token lists)."""
    n = len(token_lists)
    counts = [Counter(toks) for toks in token_lists]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    vectors: list[Vector] = []
    for c in counts:
        vec = {t: (1.0 + math.log(k) if k > 1 else 1.0) * idf[t] for t, k in c.items()}
        vectors.append(_unit(vec))
    return vectors, idf


def _unit(vec: Vector) -> Vector:
    norm = math.sqrt(sum(w * w for w in vec.values()))
    return {t: w / norm for t, w in vec.items()} if norm else {}


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def _centrality(vectors: Sequence[Vector]) -> list[float]:
    """Mean cosine similarity of each sentence to all the others, in linear time.

    With unit vectors, sum_j cos(i, j) = v_i . (sum_j v_j) - 1, so no pairwise loop is needed.
    """
    n = len(vectors)
    if n < 2:
        return [1.0] * n
    total: Vector = {}
    for vec in vectors:
        for t, w in vec.items():
            total[t] = total.get(t, 0.0) + w
    return [max(0.0, _cosine(vec, total) - (1.0 if vec else 0.0)) / (n - 1) for vec in vectors]


def _topic_scores(
    sentences: Sequence[str], token_lists: Sequence[list[str]], topic_terms: dict[str, float] | None
) -> list[float]:
    """Sum of the weights of the topic terms each sentence mentions.

    Single ASCII words match tokens; phrases and Chinese terms match as substrings, so a term
    like 大模型 counts even when the tokenizer cuts it into 大 + 模型.
    """
    if not topic_terms:
        return [0.0] * len(sentences)
    words: dict[str, float] = {}
    phrases: list[tuple[re.Pattern[str], float]] = []
    for term, weight in topic_terms.items():
        key = term.strip().lower()
        if not key or weight <= 0:
            continue
        if re.fullmatch(r"[a-z0-9][a-z0-9.+\-]*", key):  # one word or name: "agents", "gpt-4o"
            words[term_key(key)] = max(weight, words.get(term_key(key), 0.0))
        elif any(_is_cjk(c) for c in key):
            phrases.append((re.compile(re.escape(key)), weight))
        else:  # phrases: "language model", "DALL-E 3"
            pattern = r"(?<![a-z0-9])" + re.escape(key) + r"(?![a-z0-9])"
            phrases.append((re.compile(pattern), weight))
    scores = []
    for sentence, toks in zip(sentences, token_lists, strict=True):
        low = sentence.lower()
        score = 0.0
        if words:
            keys = {term_key(t) for t in toks if t.isascii()}
            score += sum(w for k, w in words.items() if k in keys)
        score += sum(w for pattern, w in phrases if pattern.search(low))
        scores.append(score)
    return scores


def _normalized(values: Sequence[float]) -> list[float]:
    top = max(values, default=0.0)
    return [v / top for v in values] if top > 0 else [0.0] * len(values)


# --------------------------------------------------------------------------------------------
# Selection
# --------------------------------------------------------------------------------------------

_MMR_LAMBDA = 0.7
_REDUNDANT = 0.6  # cosine above which a sentence repeats one already chosen
_MIN_RELATIVE_SCORE = 0.5  # later sentences must score at least this share of the best one
_MAX_SENTENCES = 3
_OVERSIZE = 1.5  # the best sentence may exceed the budget by this factor, alone


@dataclass(frozen=True)
class _Candidate:
    index: int  # position among the input sentences
    text: str
    length: int
    score: float
    vector: Vector
    group: int = 0  # the entry a sentence comes from (topic leads)


def _select(
    candidates: Sequence[_Candidate],
    budget: int,
    *,
    max_sentences: int = _MAX_SENTENCES,
    min_relative: float = _MIN_RELATIVE_SCORE,
    group_penalty: float = 0.0,
) -> list[_Candidate]:
    """Greedy MMR under a length budget; the result is in original order.

    After the first pick, a sentence must score at least ``min_relative`` times the best one;
    ``group_penalty`` discourages a second sentence from the same group (entry).
    """
    if not candidates or budget <= 0:
        return []
    ranked = sorted(candidates, key=lambda c: (-c.score, c.index))
    best = ranked[0]
    chosen: list[_Candidate] = []
    if best.length > budget:
        if best.length <= budget * _OVERSIZE:
            return [best]
        fitting = [c for c in ranked if c.length <= budget]
        if not fitting:
            near = [c for c in ranked if c.length <= budget * _OVERSIZE]
            return near[:1]
        ranked = fitting
    top_score = ranked[0].score
    used = 0
    pool = list(ranked)
    while pool and len(chosen) < max_sentences:
        best_value = -math.inf
        pick: _Candidate | None = None
        for cand in pool:
            if used + cand.length > budget:
                continue
            if chosen and cand.score < top_score * min_relative:
                continue
            overlap = max((_cosine(cand.vector, c.vector) for c in chosen), default=0.0)
            if overlap > _REDUNDANT:
                continue
            value = _MMR_LAMBDA * cand.score - (1 - _MMR_LAMBDA) * overlap
            if group_penalty and any(c.group == cand.group for c in chosen):
                value -= group_penalty
            if value > best_value:  # strict: earlier (higher-ranked, then earlier) wins ties
                best_value, pick = value, cand
        if pick is None:
            break
        chosen.append(pick)
        used += pick.length
        pool.remove(pick)
    return sorted(chosen, key=lambda c: c.index)


def _same_as_title(sentence: str, title: str | None) -> bool:
    if not title:
        return False
    a = re.sub(r"\W+", "", sentence.lower())
    b = re.sub(r"\W+", "", title.lower())
    return bool(a) and (a == b or (b in a and len(a) <= len(b) + 4))


def _is_fragment(sentence: str, language: str) -> bool:
    """Very short pieces, and short unterminated lines (headings, captions, labels)."""
    length = text_length(sentence, language)
    terminated = sentence.rstrip(_CLOSERS)[-1:] in _ALL_TERMINATORS
    if language == "zh":
        return length < 8 or (not terminated and length < 20)
    return length < 5 or (not terminated and length < 10)


def _fallback(sentences: Sequence[str], language: str, budget: int) -> str:
    """For tiny texts: the first non-boilerplate sentences that fit the budget, or ""."""
    kept: list[str] = []
    used = 0
    for s in sentences:
        s = _clean_sentence(s)
        if not s or _is_boilerplate(s) or not re.search(r"\w", s):
            continue
        length = text_length(s, language)
        if used + length > budget:
            break
        kept.append(s)
        used += length
    return _join(kept, language)


def summarize(
    text: str,
    *,
    language: str | None,
    topic_terms: dict[str, float] | None = None,
    title: str | None = None,
    max_chars_zh: int = 120,
    max_words_en: int = 60,
) -> str:
    """An extractive summary of ``text`` in its own language, made of its own whole sentences.

    ``topic_terms`` (term → weight) pulls the choice toward the topic; ``title`` toward the
    headline (a sentence that just repeats the title is skipped). The budget is
    ``max_chars_zh`` non-space characters for Chinese or ``max_words_en`` words otherwise; one
    sentence longer than that is used only when it is the best one and within 1.5 times the
    budget. Never raises on odd input: empty or tiny texts give a cleaned first part or "".
    """
    if not text or not text.strip():
        return ""
    lang = resolve_language(language, text)
    budget = max_chars_zh if lang == "zh" else max_words_en
    sentences = split_sentences(text, lang)
    kept: list[tuple[int, str]] = []
    for idx, raw in enumerate(sentences):
        s = _clean_sentence(raw)
        if not s or _is_boilerplate(s) or _is_fragment(s, lang) or _same_as_title(s, title):
            continue
        kept.append((idx, s))
    if not kept:
        return _fallback(sentences, lang, budget)

    token_lists = [_tokens(s, lang) for _, s in kept]
    vectors, idf = _tfidf(token_lists)
    central = _normalized(_centrality(vectors))
    topical = _normalized(_topic_scores([s for _, s in kept], token_lists, topic_terms))
    title_vec: Vector = {}
    if title:
        max_idf = max(idf.values(), default=1.0)
        title_vec = _unit({t: idf.get(t, max_idf) for t in set(_tokens(title, lang))})
    lengths = [text_length(s, lang) for _, s in kept]
    typical = sorted(lengths)[len(lengths) // 2] or 1
    candidates = []
    for rank, ((idx, s), vec) in enumerate(zip(kept, vectors, strict=True)):
        lead = 1.0 / math.sqrt(1.0 + rank)
        substance = min(1.0, lengths[rank] / (0.75 * typical))  # short lines say less
        score = (
            0.45 * central[rank] * substance
            + 0.30 * topical[rank]
            + 0.10 * (_cosine(vec, title_vec) if title_vec else 0.0)
            + 0.15 * lead
        )
        if not vec:
            score *= 0.5  # nothing but stop words and punctuation
        if rank and _DEPENDENT_OPENER.search(s):
            score *= 0.85  # needs the sentence before it to make sense
        candidates.append(_Candidate(idx, s, lengths[rank], score, vec))
    chosen = _select(candidates, budget)
    if not chosen:
        logger.debug("no sentence fits a budget of %d (%s); summary left empty", budget, lang)
        return ""
    return _join([c.text for c in chosen], lang)


_LEAD_BUDGET = {"zh": 200, "en": 90}


def topic_lead(
    summaries: list[tuple[str, str]],
    *,
    language: str,
    topic_terms: dict[str, float] | None = None,
    max_sentences: int = 3,
) -> str:
    """A short lead (2–3 sentences) for a topic's week from its top entries' (title, summary).

    Entries are given best first. Sentences come from the summaries, preferably in
    ``language`` and from different entries; the choice favours central, on-topic sentences
    from the better-ranked entries, and the lead lists them in entry order.
    """
    lang = resolve_language(language, "")
    pool: list[tuple[int, int, str]] = []  # (entry, sentence index, text)
    for entry, (_title, summary) in enumerate(summaries):
        for k, raw in enumerate(split_sentences(summary or "")):
            s = _clean_sentence(raw)
            if s and not _is_boilerplate(s) and text_length(s, _script_language(s)) >= 3:
                pool.append((entry, k, s))
    if not pool:
        return ""
    in_language = [p for p in pool if _script_language(p[2]) == lang]
    if in_language:
        pool = in_language
    else:
        lang = _script_language(pool[0][2])
    token_lists = [_tokens(s, lang) for _, _, s in pool]
    vectors, _idf = _tfidf(token_lists)
    central = _normalized(_centrality(vectors))
    topical = _normalized(_topic_scores([s for _, _, s in pool], token_lists, topic_terms))
    titles = {
        e: _unit(dict.fromkeys(_tokens(t or "", lang), 1.0)) for e, (t, _) in enumerate(summaries)
    }
    candidates = []
    for pos, ((entry, k, s), vec) in enumerate(zip(pool, vectors, strict=True)):
        score = (
            0.35 * central[pos]
            + 0.25 * topical[pos]
            + 0.10 * _cosine(vec, titles[entry])
            + 0.20 / math.sqrt(1.0 + entry)
            + (0.10 if k == 0 else 0.0)
        )
        candidates.append(
            _Candidate(entry * 10_000 + k, s, text_length(s, lang), score, vec, group=entry)
        )
    chosen = _select(
        candidates,
        _LEAD_BUDGET[lang],
        max_sentences=max_sentences,
        min_relative=0.3,
        group_penalty=0.3,
    )
    return _join([c.text for c in chosen], lang)
