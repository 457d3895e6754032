"""Authors named in the text around an article: Chinese bylines and forum post signatures.

trafilatura's author heuristics expect Western names with spaces and miss most Chinese bylines.
Three strengths of evidence, tried in this order over the lines near the main text:

1. explicit labels: 作者/撰文/执笔/文：/楼主/发帖人, and forum signatures ("by NAME 〓",
   "本贴由NAME于", "NAME 发表于"); any name-like token is accepted (user names included);
2. weak labels that also occur inside running text: 记者/通讯员/实习生/来源, a lone name line
   right before the text, a name in brackets at the end of a paragraph ("（林雨）"); these need a
   plausible Chinese name: a common surname, 2-4 characters, not a publication (报/网/社...);
3. the editor credit (责任编辑) as a last resort, used by the caller.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

logger = logging.getLogger(__name__)

# Common Chinese surnames (single and compound), enough to tell a name from a word.
_SURNAMES_1 = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚"
    "符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆"
    "农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋"
    "商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟"
    "冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来"
    "扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾"
    "茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_SURNAMES_2 = frozenset(
    re.findall(
        r"\S+",
        "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐 夏侯 长孙 宇文 司徒 端木 轩辕 西门 独孤 "
        "南宫 百里 呼延 万俟 申屠 澹台 公冶 太史 仲孙 钟离 宗政 濮阳 淳于 单于 闻人 赫连 拓跋",
    )
)
_NOT_A_PERSON_RE = re.compile(
    r"(?:报|网|社|台|刊|站|社区|频道|新闻|日报|晚报|周刊|中心|集团|公司|出版社|杂志|论坛|博客|"
    r"编辑部|委员会|政府|学院|大学|研究所|记者|通讯员|摄影|摄|整理|转载|综合|原创|汇编|编译|供稿|"
    r"管理员|客户端|科技|财经|消息)$"
)
# The most common surnames, for a name standing alone on a line (less evidence than a label).
_COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱严覃武"
    "戴莫孔汤"
)
_NOT_NAMES = frozenset(
    re.findall(
        r"\S+",
        "本报 记者 通讯员 新华社 新华网 中新网 中新社 人民网 来源 作者 佚名 未知 网友 匿名 "
        "游客 本站 转载 原创 简介 介绍 不详 综合 整理 编译 供稿 网络 互联网 本网 "
        "admin administrator unknown",
    )
)

_STRONG_LABEL_RE = re.compile(
    r"(?:作\s*者|撰\s*文|执笔人?|发帖人|楼\s*主|发表人|口\s*述)\s*[:：]\s*|"
    r"(?:作\s*者|撰\s*文|执笔人?)\s+(?=\S)|(?<![\u4e00-\u9fff])文\s*[:：/]\s*"
)
_REPORTER_RE = re.compile(
    r"(?:本报|本刊|特约|实习|见习|驻\S{1,4})?(?:记\s*者|通讯员|实习生)\s*[:：/]?\s*"
)
_OPENS_BYLINE_RE = re.compile(r"(?:^|[（(【\[□■●]|讯|电)\s*(?:本报|本刊|特约|实习|见习)?$")
_SOURCE_RE = re.compile(r"(?:来\s*源|来自)\s*[:：]\s*")
# A post signature: "… by NAME 〓", "by NAME | 2012-03-15", "by NAME at 10:20"
_SIGNED_BY_RE = re.compile(
    r"\b[Bb]y\s+([\w\-']{2,30}(?:\s+[A-Z][\w\-']+){0,3})\s*(?:〓|\||于|at\s+\d|on\s+\w+\s+\d)"
)
_FORUM_RE = re.compile(
    r"(?:本贴|本帖|此贴|该贴|此帖|该帖)由\s*([^\s，。,、；：:]{2,20}?)\s*于|"
    r"由\s*([^\s，。,、；：:]{2,20}?)\s*(?:张贴|发表于)|"
    r"^\s*([\w.\-\u4e00-\u9fff]{2,20})\s+(?:发表于|发表在|posted)",
    re.IGNORECASE,
)
_ENGLISH_BY_RE = re.compile(r"^\s*[Bb][Yy]:?\s+([A-Z][a-z'\-]+(?:\s+[A-Z][a-z'.\-]+){1,3})\b")
_STOP_RE = re.compile(
    r"[|｜/\\()（）\[\]【】<>《》,，;；。!！?？:：\d]|来源|出处|时间|日期|发布|发表|阅读|点击|编辑|"
    r"报道|摄影?|供图|出自|字号|评论|浏览|\s{3,}"
)
_EDITOR_RE = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*")
_PAREN_NAME_RE = re.compile(
    r"[（(]\s*(?:记者\s*)?([\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})*)\s*[）)]$"
)
_BRACKET_NAME_RE = re.compile(r"\[\s*([\u4e00-\u9fff]{2,4})\s*\]")
_CJK_NAME_RE = re.compile(r"^[\u4e00-\u9fff·]{2,5}$")
_LATIN_NAME_RE = re.compile(r"^[A-Za-z][\w.\-']{1,30}$")


def plausible_chinese_name(token: str) -> bool:
    """2-4 Han characters starting with a common surname, and not a publication or a title."""
    if not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", token) or token in _NOT_NAMES:
        return False
    if _NOT_A_PERSON_RE.search(token):
        return False
    if token[:2] in _SURNAMES_2:
        return True
    return token[0] in _SURNAMES_1 and len(token) <= 3


def _names(fragment: str, strict: bool) -> list[str]:
    """Names at the start of ``fragment``, up to the next label or delimiter."""
    head = _STOP_RE.split(fragment, maxsplit=1)[0]
    names: list[str] = []
    for token in re.split(r"[\s、]+", head.strip()):
        token = token.strip("·.-_ ")
        if not token:
            continue
        if token in _NOT_NAMES or _NOT_A_PERSON_RE.search(token):
            break  # "作者：未知 责任编辑：…": what follows belongs to another label
        if strict:
            if not plausible_chinese_name(token):
                if _NOT_A_PERSON_RE.search(token):
                    break
                # glued to the following word ("宋远航摄"): try the usual name lengths
                token = next((token[:n] for n in (3, 2) if plausible_chinese_name(token[:n])), "")
                if not token:
                    break
                names.append(token)
                break
        elif _CJK_NAME_RE.match(token):
            if names and not _CJK_NAME_RE.match(names[0]):
                break
        elif not _LATIN_NAME_RE.match(token) or names:
            break
        names.append(token)
        if len(names) >= 6:
            break
    return names


def _strong(line: str) -> str | None:
    for m in _STRONG_LABEL_RE.finditer(line):
        names = _names(line[m.end() :], strict=False)
        if names:
            return " ".join(names)
    m = _SIGNED_BY_RE.search(line) or _FORUM_RE.search(line)
    if m:
        name = next(g for g in m.groups() if g).strip()
        if name.lower() not in _NOT_NAMES and not name.isdigit():
            return name
    m = _ENGLISH_BY_RE.match(line)
    return m.group(1) if m else None


def _labelled(line: str, label: re.Pattern[str]) -> str | None:
    for m in label.finditer(line):
        sentence = len(line) > 60 or "。" in line or "，" in line
        if sentence and not (m.start() <= 20 and _OPENS_BYLINE_RE.search(line[: m.start()])):
            continue  # "记者向…核实" inside a sentence is not a byline
        names = _names(line[m.end() :], strict=True)
        if names:
            return " ".join(names)
    return None


def _weak(line: str) -> str | None:
    m = _PAREN_NAME_RE.search(line)
    if m and all(plausible_chinese_name(n) for n in m.group(1).split()):
        return m.group(1)  # "…（林雨）" closing a news report; photo credits end in 摄
    m = _BRACKET_NAME_RE.search(line)
    if m and plausible_chinese_name(m.group(1)) and re.search(r"\d{4}", line):
        return m.group(1)
    return None


def _ends(line: str, size: int = 120) -> str:
    """A long line is a post with its signature: keep its head and tail only."""
    return line if len(line) <= 2 * size else f"{line[:size]} | {line[-size:]}"


def byline_author(lines: Iterable[str], lone_name_lines: Iterable[str] = ()) -> str | None:
    """The author named by a byline in ``lines`` (ordered by closeness to the text start).

    Explicit labels anywhere in ``lines`` beat weak ones; ``lone_name_lines`` (the few lines right
    before the text) may hold the author alone on a line.
    """
    lines = [_ends(line) for line in lines if line]
    for line in lines:
        found = _strong(line)
        if found:
            return found
    for finder in (lambda x: _labelled(x, _REPORTER_RE), _weak, lambda x: _labelled(x, _SOURCE_RE)):
        for line in lines:
            found = finder(line)
            if found:
                return found
    for line in lone_name_lines:
        names = [t for t in re.split(r"[\s、]+", line.strip()) if t]
        if 1 <= len(names) <= 4 and all(
            plausible_chinese_name(n) and n[0] in _COMMON_SURNAMES for n in names
        ):
            return " ".join(names)
    return None


def editor_author(lines: Iterable[str]) -> str | None:
    """The editor credit (责任编辑) as a last-resort author."""
    for line in lines:
        m = _EDITOR_RE.search(line)
        if m and len(line) <= 60:
            names = _names(line[m.end() :], strict=False)
            if names:
                return " ".join(names)
    return None
