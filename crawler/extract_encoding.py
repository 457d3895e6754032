"""Decode raw HTML bytes: declared charset versus what the bytes really are.

Chinese pages often lie about their encoding: ``gb2312`` pages use GBK/GB18030 characters, pages
declared ``utf-8`` are GBK, and some declare nothing at all. The rules, in order:

1. a byte-order mark wins;
2. bytes that decode strictly as UTF-8 and contain non-ASCII text are UTF-8, whatever is declared
   (valid multi-byte UTF-8 almost never happens by accident);
3. a GB2312/GBK/GB18030 declaration is decoded as GB18030, their common superset;
4. any other declaration is used if it decodes strictly (but a page declared as a Latin
   single-byte charset that is made of valid GB18030 pairs reading as common Chinese is Chinese);
5. without a usable declaration: GB18030 when it reads as Chinese, else charset-normalizer's guess,
   else cp1252, and as a last resort UTF-8 with replacement characters.
"""

from __future__ import annotations

import codecs
import logging
import re

logger = logging.getLogger(__name__)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""")

_CHINESE_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936", "ms936", "euc_cn", "iso2022_cn"}
_SINGLE_BYTE_LATIN = frozenset(
    ("latin_1", "iso8859_1", "cp1252", "iso8859_15", "ascii", "cp1250", "iso8859_2", "cp1251")
)

# The most frequent Chinese characters (simplified and traditional). Real Chinese text has a third
# or more of its Han characters among them; bytes of another encoding misread as GB18030 produce
# near-uniformly distributed characters and score a few percent.
_COMMON_HAN = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年"
    "过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本"
    "前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最"
    "重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任"
    "常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少"
    "报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基"
    "眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉"
    "术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近"
    "失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请"
    "技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广"
    "顯們這個來為國時說會對後學發經從現當動還進樣與長機實開產東見門問點種麼裡過電將頭員們區"
)
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")


def normalize_encoding(name: str | None) -> str | None:
    """Python codec name for a charset label, or None if unknown. GB family becomes gb18030."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    if label in {"x-gbk", "x-gb2312", "gb_2312-80", "csgb2312", "chinese", "gb_2312", "936"}:
        return "gb18030"
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    if codec in _CHINESE_FAMILY:
        return "gb18030"
    if codec == "big5":
        return "big5hkscs"
    return codec


def declared_encoding(data: bytes) -> str | None:
    """The charset the page declares (meta charset, http-equiv content type or XML declaration)."""
    head = data[:8192]
    match = _XML_ENCODING_RE.search(head) or _META_CHARSET_RE.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


def han_plausibility(text: str) -> float:
    """Share of Han characters that are among the most common ones (0 when there are none)."""
    han = _HAN_RE.findall(text)
    if len(han) < 20:
        return 0.0
    return sum(1 for ch in han if ch in _COMMON_HAN) / len(han)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _lenient_gb18030(data: bytes) -> str | None:
    """GB18030 allowing a few broken bytes (truncated pages, stray bytes), else None."""
    text = data.decode("gb18030", errors="replace")
    if text.count("\ufffd") <= max(3, len(text) // 2000):
        return text
    return None


def _charset_normalizer_guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover
        return None
    sample = data if len(data) <= 20000 else data[:10000] + data[-10000:]
    try:
        best = from_bytes(sample).best()
    except Exception:  # noqa: BLE001 - a detector must never break extraction
        logger.debug("charset-normalizer failed", exc_info=True)
        return None
    return normalize_encoding(best.encoding) if best is not None else None


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode HTML bytes, returning the text and the Python codec name actually used."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _strict(data, encoding)  # these codecs consume the BOM themselves
            if text is not None:
                return text, "utf-8" if encoding == "utf-8-sig" else encoding
    declared = normalize_encoding(declared_encoding(data))

    is_ascii = data.isascii()
    if not is_ascii:
        text = _strict(data, "utf-8")
        if text is not None:
            return text, "utf-8"
    elif declared in (None, "utf-8") or declared in _SINGLE_BYTE_LATIN:
        return data.decode("ascii"), declared or "utf-8"

    if declared == "gb18030":
        text = _strict(data, "gb18030") or _lenient_gb18030(data)
        if text is not None:
            return text, "gb18030"
    elif declared and declared not in ("utf-8", "utf-16", "utf-32"):
        text = _strict(data, declared)
        if text is not None:
            if declared in _SINGLE_BYTE_LATIN:
                # A Latin declaration on a page of GB18030 pairs that read as Chinese is a lie.
                gb_text = _strict(data, "gb18030")
                if gb_text is not None and han_plausibility(gb_text) > 0.2:
                    return gb_text, "gb18030"
            return text, declared

    # No usable declaration (none, UTF-8 that is not UTF-8, or one that fails to decode).
    gb_text = _strict(data, "gb18030") or _lenient_gb18030(data)
    if gb_text is not None and han_plausibility(gb_text) > 0.2:
        return gb_text, "gb18030"
    guess = _charset_normalizer_guess(data)
    if guess:
        text = _strict(data, guess)
        if text is not None:
            return text, guess
    text = _strict(data, "cp1252")
    if text is not None:
        return text, "cp1252"
    return data.decode("utf-8", errors="replace"), "utf-8"
