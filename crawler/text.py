"""Text utilities for Chinese and English: script detection, tokens, weighted keywords.

Chinese is segmented with jieba (initialised once, quietly); Latin-script text is split into
words. Both feed :func:`extract_keywords`, a TF-IDF ranking that knows jieba's IDF table for
Chinese words, joins words jieba splits apart when they recur together (``多`` + ``模态`` →
``多模态``, ``图像`` + ``生成`` → ``图像生成``) and keeps model and product names such as
``GPT-4o`` or ``DALL-E 3`` whole.

Terms are compared through :func:`term_key` (lower case, separators dropped), so ``GPT-4o``,
``gpt-4o`` and ``GPT4o`` are one term; the form shown is the one written most often.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

# Han ideographs (URO, extension A, compatibility, extensions B+), kana and Hangul syllables.
_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
    (0x3040, 0x30FF),
    (0xAC00, 0xD7AF),
)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RUN_RE = re.compile(f"[{_HAN}]+")
_HAN_CHAR_RE = re.compile(f"[{_HAN}]")
_KANA_RE = re.compile("[\u3040-\u30ff]")
_LATIN_LETTER_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
# A Latin-script word, keeping inner hyphens, dots, plus signs and apostrophes: GPT-4o, o1-preview,
# Node.js, C++, don't.
LATIN_WORD_RE = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:[-.'’+·・][A-Za-z0-9\u00c0-\u024f]+)*\+*")
_URL_RE = re.compile(r"(?:https?|ftp)://\S+|www\.\S+|\S+@\S+\.\w+", re.I)
_MD_SYNTAX_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_WIKILINK_RE = re.compile(r"\[\[[^\]\n]*\]\]")

# --- stop words -------------------------------------------------------------------------------


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOP_WORDS_ZH = _wordset(
    """
    的 了 是 在 和 与 及 或 也 就 都 而 又 还 并 但 却 则 即 把 被 让 给 对 向 从 到 于 以 为 将
    之 其 此 该 这 那 哪 谁 什么 怎么 怎样 如何 为何 为什么 哪些 哪里 多少 几 个 些 每 各 某 本
    我 你 您 他 她 它 我们 你们 他们 她们 它们 咱们 大家 自己 别人 人家 有人 有些 有的
    一 一个 一些 一种 一样 一下 一次 一直 一起 一定 一般 一边 一方面 一旦 一切 两个
    这个 那个 这些 那些 这种 那种 这样 那样 这么 那么 这里 那里 这时 那时 这次 此外 另外 其他 其它
    其中 其实 其余 以及 以上 以下 以后 以前 以来 以外 之后 之前 之间 之中 之一 之类 当中
    因为 所以 因此 由于 于是 但是 可是 然而 不过 只是 而且 并且 或者 还是 要么 如果 假如 即使 虽然
    尽管 无论 不管 只要 只有 除了 除非 然后 接着 同时 甚至 而是 不是 就是 便是 总之 例如 比如
    可以 可能 能够 应该 应当 需要 必须 已经 曾经 正在 将要 将会 会 能 要 想 得 地 着 过 吗 呢 吧
    啊 呀 哦 哈 嗯 嘛 么 啦 呗 哇 噢 唉 喂 嘿 罢了 而已 似的 一样 等等 等 之所以
    很 太 更 最 非常 十分 特别 比较 相当 极其 越来越 尤其 稍微 几乎 大约 大概 差不多 左右
    不 没 没有 无 非 别 未 否 不会 不能 不要 不用 不再 不仅 不但 并不 并非 从来 从不
    有 是否 又是 还有 还会 还能 也是 也有 也会 也能 都是 都有 就会 就能 就要 才 才能 再 已 曾
    上 下 中 内 外 前 后 里 间 旁 边 时 时候 时间 之时 当时 现在 目前 如今 今天 昨天 明天 今年 去年
    东西 事情 方面 情况 问题 部分 地方 样子 原因 结果 过程 方式 方法 一点 有点 一些 这边 那边
    说 讲 看 做 作 弄 搞 来 去 用 让 使 令 叫 感觉 觉得 认为 表示 指出 称 据 据说 听说 知道 发现
    真的 真是 确实 其实 当然 果然 居然 竟然 终于 毕竟 反正 总是 往往 常常 经常 通常 一般来说
    比 跟 同 像 如 按 按照 根据 通过 经过 随着 关于 对于 至于 作为 为了 针对 基于 依据 凭
    个人 各种 各个 所有 任何 全部 整个 许多 很多 大量 不少 多个 多种 几个 一系列
    吧 呃 额 嗨 哎 诶 呵 咦 哼 呐 嘞 哩 咯 呦 咧 喽
    摘要 正文 总结 简介 前言 结语 附录 原文 原文链接 参考链接 参考 链接
    点击 关注 转载 编辑 责编 声明
    """
)
STOP_WORDS_EN = _wordset(
    """
    a about above after again against all also although am an and any are aren't as at be
    because been before being below between both but by can can't cannot could couldn't did
    didn't do does doesn't doing don't down during each either else even ever every few for
    from further get gets got had hadn't has hasn't have haven't having he he'd he'll he's her
    here here's hers herself him himself his how how's however i i'd i'll i'm i've if in into is
    isn't it it's its itself just let's like made make makes many may me might more most much
    must mustn't my myself new no nor not now of off on once one only or other others ought our
    ours ourselves out over own per rather really said same say says see seen shan't she she'd
    she'll she's should shouldn't since so some still such than that that's the their theirs
    them themselves then there there's these they they'd they'll they're they've this those
    though through thus to too two under until up upon us use used uses using very via was
    wasn't we we'd we'll we're we've well were weren't what what's when when's where where's
    whether which while who who's whom whose why why's will with within without won't would
    wouldn't yes yet you you'd you'll you're you've your yours yourself yourselves also just
    one's s t re ve ll d m etc e.g i.e vs via amp nbsp http https www com html
    """
)
# Words too common to characterise a topic, though a summary or a search may want them.
GENERIC_WORDS_EN = _wordset(
    """
    source sources contact share email click read link links home page here
    first last next later early earlier year years time times day days week weeks month months
    today tomorrow yesterday ago old good great big small long short high low lot lots kind way
    ways thing things something nothing anything everything someone anyone everyone people part
    place case point number fact able better best sure real right left whole likely almost
    already always often never sometimes usually around away back ever far enough quite across
    along among behind beyond toward towards another several various certain clear easy hard
    give gives gave given take takes took taken come comes came go goes going went gone know
    knows knew known think thinks thought want wants wanted look looks looked find finds found
    tell tells told ask asks asked work works worked seem seems seemed feel feels felt try tries
    tried leave leaves let lets put puts show shows showed shown become becomes became begin
    began help helps turn turns start starts started run runs move moves keep keeps kept bring
    brings brought happen happens happened include includes including included continue set
    expect expected expects add adds added open opened opens call calls called need needs needed
    """
)
_KEYWORD_STOP_EN = STOP_WORDS_EN | GENERIC_WORDS_EN
# Acronyms too common in technology writing to characterise a topic on their own.
GENERIC_ACRONYMS = _wordset(
    "ai api app apps ui ux pdf ppt cpu gpu ceo cto cfo it pc ok vs pk gif png jpg jpeg svg seo "
    "ugc ide url urls faq diy usa us uk eu"
)
_PUNCT_RE = re.compile(r"^[\W_]+$")

# --- script -----------------------------------------------------------------------------------


def is_cjk(ch: str) -> bool:
    """True for a Han ideograph, a kana or a Hangul syllable."""
    if not ch:
        return False
    code = ord(ch[0])
    return any(low <= code <= high for low, high in _CJK_RANGES)


def detect_language(text: str) -> str | None:
    """``"zh"`` when Han characters are a fair share of the letters, ``"en"`` for Latin text.

    Latin letters are counted at a third of their number (a word is several letters, a Chinese
    word one or two characters), so a Chinese article full of ``GPT-4o`` and ``OpenAI`` is still
    ``zh``. Returns ``"ja"`` when kana are frequent, and None when the text is too short to tell.
    """
    if not text:
        return None
    sample = text if len(text) <= 20000 else text[:20000]
    han = len(_HAN_CHAR_RE.findall(sample))
    kana = len(_KANA_RE.findall(sample))
    latin = len(_LATIN_LETTER_RE.findall(sample))
    if han + kana >= 4 and (han + kana) >= 0.25 * (han + kana + latin / 3):
        return "ja" if kana >= 0.2 * (han + kana) else "zh"
    if latin >= 12:
        return "en"
    return None


# --- jieba ------------------------------------------------------------------------------------

_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba() -> Any:
    """The jieba module, initialised once and quietly (its dictionary load logs to stderr)."""
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return jieba


_idf: tuple[dict[str, float], float] | None = None


def _idf_table() -> tuple[dict[str, float], float]:
    """jieba's IDF table and its median, read once from ``jieba/analyse/idf.txt`` as
    ``jieba.analyse`` reads it. Importing ``jieba.analyse`` would also load jieba's
    part-of-speech model (about 55 MB and 2 s), which nothing here uses."""
    global _idf
    if _idf is None:
        with _jieba_lock:
            if _idf is None:
                import jieba

                path = Path(jieba.__file__).parent / "analyse" / "idf.txt"
                table: dict[str, float] = {}
                for line in path.read_text(encoding="utf-8").splitlines():
                    word, _, value = line.strip().partition(" ")
                    if word:
                        table[word] = float(value)
                _idf = table, sorted(table.values())[len(table) // 2]
    return _idf


def release_tables() -> None:
    """Drop jieba's dictionary and the IDF table (about 130 MB) until they are needed again.

    The crawl needs them only while it builds the topic profiles at its start; the next use
    loads them again."""
    global _idf, _jieba_ready
    with _jieba_lock:
        _idf = None
        if _jieba_ready:
            import jieba

            jieba.dt.FREQ, jieba.dt.total, jieba.dt.initialized = {}, 0, False
            _jieba_ready = False


def segment(run: str) -> list[str]:
    """jieba's words for a run of Chinese text."""
    return _jieba().lcut(run, HMM=True)


# --- tokens -----------------------------------------------------------------------------------


def is_stop_word(token: str) -> bool:
    low = token.lower()
    return low in STOP_WORDS_EN or low in STOP_WORDS_ZH


def tokenize(text: str, language: str | None = None) -> list[str]:
    """Content tokens of a text: jieba words for Chinese, lower-cased words for Latin script.

    Punctuation, numbers and stop words are dropped. Latin words inside Chinese text are kept
    whole (``GPT-4o`` stays one token, lower-cased), so the result is the same whatever
    ``language`` says; the argument only saves the segmenter on text known to be English.
    """
    tokens: list[str] = []
    use_jieba = language != "en" or _HAN_CHAR_RE.search(text) is not None
    for match in _TOKEN_RE.finditer(text):
        piece = match.group(0)
        if match.lastgroup == "han":
            words = segment(piece) if use_jieba else [piece]
            tokens.extend(w for w in words if w not in STOP_WORDS_ZH and not _PUNCT_RE.match(w))
        else:
            low = piece.lower()
            if low in STOP_WORDS_EN or low.replace(".", "").isdigit():
                continue
            tokens.append(low)
    return tokens


_TOKEN_RE = re.compile(f"(?P<han>[{_HAN}]+)|(?P<latin>{LATIN_WORD_RE.pattern})")


def term_key(term: str) -> str:
    """The comparison key of a term: lower case, without spaces, hyphens, dots or middle dots."""
    return re.sub(r"[\s\-_.·・]+", "", term.lower())


def has_han(text: str) -> bool:
    return _HAN_CHAR_RE.search(text) is not None


# --- keywords ---------------------------------------------------------------------------------

MAX_PHRASE_CHARS = 4
IDF_POWER = 1.5  # > 1 favours specific terms over common words
_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?$")


def _name_kind(word: str, lowered: set[str]) -> str | None:
    """``"strong"`` for GPT-4o, OpenAI, ChatGPT, DALL-E; ``"plain"`` for Sora, Gemini, Altman.

    A plain capitalised word counts as a name only when the text never writes it in lower case
    (so "Users" at the start of a sentence is not one).
    """
    low = word.lower()
    if low in _KEYWORD_STOP_EN or not word[:1].isalpha():
        return None
    has_digit = any(ch.isdigit() for ch in word)
    if has_digit or any(ch.isupper() for ch in word[1:]):
        return "strong" if len(word) > 1 else None
    if word[:1].isupper() and len(word) > 1 and low not in lowered:
        return "plain"
    return None


_SENTENCE_END = frozenset(".!?。！？:：;；\n\"“”'‘’()（）[]【】*#-–—•|>")


def _sentence_initial(text: str, start: int) -> bool:
    """Is the word at ``start`` the first of a sentence, line or list item?"""
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


class _Terms:
    """Counts of candidate terms of one text, with the spelling seen most and an IDF each."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.forms: dict[str, Counter[str]] = {}
        self.idf: dict[str, float] = {}
        self.total = 0

    def add(self, surface: str, idf: float, count: int = 1) -> None:
        key = term_key(surface)
        if not key:
            return
        self.counts[key] += count
        self.forms.setdefault(key, Counter())[surface] += count
        self.idf[key] = max(self.idf.get(key, 0.0), idf)

    def form(self, key: str) -> str:
        return self.forms[key].most_common(1)[0][0]


def _clean_for_keywords(text: str) -> str:
    text = _WIKILINK_RE.sub(" ", text)
    text = _MD_SYNTAX_RE.sub(lambda m: " " + m.group(1) + " ", text)
    return _URL_RE.sub(" ", text)


def _han_terms(text: str, terms: _Terms, min_pair: int) -> None:
    """Chinese words, joining pairs jieba splits apart when they recur together."""
    idf, median = _idf_table()
    sequences = [segment(run) for run in HAN_RUN_RE.findall(text)]
    word_counts = Counter(w for seq in sequences for w in seq)
    sequences = _join_recurring_pairs(sequences, word_counts, min_pair)
    for seq in sequences:
        for word in seq:
            terms.total += 1
            if len(word) < 2 or word in STOP_WORDS_ZH:
                continue
            weight = idf.get(word)
            if weight is None:
                weight = _phrase_idf(word, idf, median)
            terms.add(word, weight)


def _phrase_idf(word: str, idf: dict[str, float], median: float) -> float:
    """Unknown words: rarer than their parts, but not rarer than jieba's median."""
    parts = [idf[p] for p in segment(word) if p in idf and len(p) > 1]
    return min(median, max(parts) + 1.0) if parts else median


def _join_recurring_pairs(
    sequences: list[list[str]], word_counts: Counter[str], min_pair: int
) -> list[list[str]]:
    """Merge adjacent words that recur as a pair (greedy, most frequent pair first)."""
    for _ in range(40):
        pairs: Counter[tuple[str, str]] = Counter()
        for seq in sequences:
            for a, b in zip(seq, seq[1:], strict=False):
                if (
                    a not in STOP_WORDS_ZH
                    and b not in STOP_WORDS_ZH
                    and len(a) + len(b) <= MAX_PHRASE_CHARS
                    and not (len(a) == 1 and len(b) == 1)
                ):
                    pairs[(a, b)] += 1
        best = None
        for (a, b), n in pairs.most_common():
            if n < min_pair:
                break
            if n >= 0.35 * min(word_counts[a], word_counts[b]):
                best = (a, b)
                break
        if best is None:
            break
        joined = best[0] + best[1]
        word_counts[joined] += pairs[best]
        sequences = [_merge_pair(seq, best, joined) for seq in sequences]
    return sequences


def _merge_pair(seq: list[str], pair: tuple[str, str], joined: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(seq):
        if i + 1 < len(seq) and seq[i] == pair[0] and seq[i + 1] == pair[1]:
            out.append(joined)
            i += 2
        else:
            out.append(seq[i])
            i += 1
    return out


def _latin_terms(text: str, terms: _Terms, min_pair: int) -> None:
    """Names (GPT-4o, DALL-E 3, OpenAI, Mira Murati), plain words and recurring word pairs."""
    _, median = _idf_table()
    matches = list(LATIN_WORD_RE.finditer(text))
    lowered = {m.group(0) for m in matches if m.group(0).islower()}
    if len(matches) >= 20 and detect_language(text) == "en":
        # In English prose, a capitalised word seen only at the start of sentences ("Brown the
        # beef") is no name. (Latin words in Chinese text nearly always are.)
        mid_sentence = {m.group(0) for m in matches if not _sentence_initial(text, m.start())}
        lowered |= {
            m.group(0).lower()
            for m in matches
            if m.group(0).istitle() and m.group(0) not in mid_sentence and m.group(0).isalpha()
        }
    i = 0
    while i < len(matches):
        word = matches[i].group(0)
        kind = _name_kind(word, lowered)
        if kind is None:
            i += 1
            continue
        j = i
        if kind == "plain":  # Mira Murati, Stable Diffusion, Khan Academy
            while (
                j + 1 < len(matches)
                and text[matches[j].end() : matches[j + 1].start()] == " "
                and _name_kind(matches[j + 1].group(0), lowered) == "plain"
            ):
                j += 1
        generic = word.lower() in GENERIC_ACRONYMS and j == i
        if (
            not generic
            and j + 1 < len(matches)
            and text[matches[j].end() : matches[j + 1].start()] in (" ", "\t")
            and _NUMBER_RE.match(matches[j + 1].group(0))
        ):
            j += 1  # a version: DALL-E 3, Gemini 2.5
        surface = text[matches[i].start() : matches[j].end()]
        if generic:
            idf = median * 0.35
        elif kind == "plain" and j == i:
            idf = median * 0.8
        else:
            idf = median
        terms.total += 1
        terms.add(surface, idf)
        i = j + 1
    # plain words and adjacent pairs of plain words, split at punctuation and non-Latin text
    for chunk in re.split(r"[^A-Za-z0-9\u00c0-\u024f'’\- ]+", text):
        plain = [w for w in chunk.split() if w.islower() and w.isascii() and w.isalpha()]
        seq = [w if (len(w) > 2 and w not in _KEYWORD_STOP_EN) else "" for w in plain]
        for word in seq:
            terms.total += 1
            if word:
                terms.add(word, median * 0.7)
        for a, b in zip(seq, seq[1:], strict=False):
            if a and b:
                terms.add(f"{a} {b}", median * 0.9)
    for key in [k for k, n in terms.counts.items() if " " in terms.form(k) and n < min_pair]:
        if terms.form(key).islower():
            del terms.counts[key]


def extract_keywords(
    text: str,
    title: str | None = None,
    *,
    top_k: int = 30,
    title_boost: float = 2.0,
) -> dict[str, float]:
    """The characteristic terms of a text, weighted 0..1 (1.0 = the best), best first.

    TF-IDF over Chinese words (jieba's IDF table; words jieba does not know count as rare) and
    Latin names and words; terms of the title count ``title_boost`` times more and are kept even
    when the body never repeats them.
    """
    body = _clean_for_keywords(text or "")
    head = _clean_for_keywords(title or "")
    min_pair = 2 if len(body) < 3000 else 3
    terms = _Terms()
    _han_terms(body, terms, min_pair)
    _latin_terms(body, terms, min_pair)
    title_terms = _Terms()
    if head:
        _han_terms(head, title_terms, 99)
        _latin_terms(head, title_terms, 1)
    total = max(terms.total, 1)
    scores: dict[str, float] = {}
    for key, count in terms.counts.items():
        scores[key] = (1.0 + math.log(count)) / math.sqrt(total) * terms.idf[key] ** IDF_POWER
    floor = max(scores.values(), default=1.0)
    for key in title_terms.counts:
        if key in scores:
            scores[key] *= title_boost
        else:
            scores[key] = 0.5 * floor * title_terms.idf[key] / max(title_terms.idf.values())
            terms.forms[key] = title_terms.forms[key]
    best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:top_k]
    if not best:
        return {}
    top = best[0][1] or 1.0
    return {terms.form(key): round(score / top, 3) for key, score in best if score > 0}


def merge_weighted(items: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Sum weights of terms that share a :func:`term_key`, keeping the first spelling."""
    merged: dict[str, float] = {}
    forms: dict[str, str] = {}
    for term, weight in items:
        key = term_key(term)
        if not key:
            continue
        forms.setdefault(key, term)
        merged[key] = merged.get(key, 0.0) + weight
    return {forms[k]: w for k, w in sorted(merged.items(), key=lambda kv: -kv[1])}
