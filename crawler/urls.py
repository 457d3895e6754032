"""URL normalisation and classification, shared by the seed parser and the crawler.

:func:`normalize_url` gives the one spelling of a URL used as its key everywhere (seeds, sources,
the article store): tracking parameters removed, scheme and host lower-cased, default port,
credentials and fragment dropped, percent-encoding and parameter order canonical (w3lib), and no
trailing slash except for the root path (``https://openai.com/index/hello-gpt-4o/`` →
``https://openai.com/index/hello-gpt-4o``). Sites answer the other spelling with a redirect.

:func:`classify_url` tells what a link points at: an ``article`` page worth crawling, an
``image``, a ``document`` (PDF and office files), a ``video`` (video and audio platforms and files)
or a ``contact`` (mailto, bare e-mail address).
"""

from __future__ import annotations

import ipaddress
import logging
import posixpath
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import courlan
from w3lib.url import canonicalize_url

logger = logging.getLogger(__name__)

KINDS = ("article", "image", "document", "video", "self", "contact")

TRACKING_PARAMS = frozenset(
    {
        # advertising and analytics click ids
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "ttclid", "wbraid",
        "gbraid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
        "hsctatracking", "mkt_tok", "_ga", "_gl", "trk", "trkcampaign", "ncid", "ocid", "cmpid",
        "oly_anon_id", "oly_enc_id", "vero_id", "wt.mc_id", "s_cid", "sr_share", "cvid",
        # Chinese platforms: share and referral markers
        "spm", "spm_id_from", "scm", "from", "share", "share_source", "share_medium",
        "share_plat", "share_session_id", "share_tag", "share_from", "sharer_sharetime",
        "sharer_shareid", "share_token", "shareid", "vd_source", "tt_from",
        "is_from_webapp", "sender_device", "wfr", "timestamp_share", "unique_k", "bbid", "ts_share",
        # WeChat articles: everything except __biz, mid, idx, sn is session noise
        "chksm", "scene", "srcid", "sessionid", "clicktime", "enterid", "subscene", "ascene",
        "devicetype", "nettype", "pass_ticket", "exportkey", "wx_header", "abtest_cookie",
        "poc_token", "realreporttime", "sharer_username",
        # generic referrers
        "ref", "ref_src", "ref_url", "referrer", "referer", "xtor", "cmp",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci", "mc_", "_hs")
# Hosts whose query string is the article identity: keep exactly these parameters.
KEEP_ONLY = {"mp.weixin.qq.com": frozenset({"__biz", "mid", "idx", "sn"})}
# Share markers of one platform that may mean something elsewhere.
HOST_TRACKING = {
    "youtube.com": frozenset({"feature", "si", "pp", "ab_channel"}),
    "youtu.be": frozenset({"feature", "si"}),
    "bilibili.com": frozenset({"vd_source", "share_source", "buvid", "mid", "up_id"}),
    "x.com": frozenset({"s", "t"}),
    "twitter.com": frozenset({"s", "t"}),
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


IMAGE_EXTENSIONS = _words(
    ".png .jpg .jpeg .gif .webp .svg .bmp .ico .avif .tif .tiff .heic .heif .jfif"
)
DOCUMENT_EXTENSIONS = _words(
    ".pdf .doc .docx .ppt .pptx .xls .xlsx .odt .odp .ods .rtf .epub .csv .zip .rar .7z"
)
MEDIA_EXTENSIONS = _words(
    ".mp4 .webm .mov .m4v .avi .mkv .flv .m3u8 .mp3 .m4a .wav .ogg .oga .opus .aac .flac"
)
ASSET_EXTENSIONS = _words(".css .js .mjs .woff .woff2 .ttf .otf .eot .map .wasm")
FEED_EXTENSIONS = _words(".rss .atom .rdf")
# Image hosting and CDN hosts (a suffix match on the host name).
IMAGE_HOSTS = (
    "qpic.cn", "qlogo.cn", "sinaimg.cn", "csdnimg.cn", "zhimg.com", "hdslb.com", "pstatp.com",
    "toutiaoimg.com", "byteimg.com", "xhscdn.com", "jianshu.io",
    "pbs.twimg.com", "i.imgur.com", "images.unsplash.com", "media.giphy.com", "i.redd.it",
    "preview.redd.it", "lh3.googleusercontent.com", "img.shields.io", "gravatar.com",
    "upload.wikimedia.org",
)  # fmt: skip
VIDEO_HOSTS = (
    "youtube.com", "youtu.be", "youtube-nocookie.com", "vimeo.com", "b23.tv", "v.qq.com",
    "youku.com", "ixigua.com", "douyin.com", "tiktok.com", "twitch.tv", "dailymotion.com",
    "acfun.cn", "iqiyi.com", "v.youku.com", "podcasts.apple.com", "xiaoyuzhoufm.com",
)  # fmt: skip
_IMAGE_QUERY_RE = re.compile(
    r"(?:^|&)(?:wx_fmt|tp|format|fm)=(?:png|jpe?g|gif|webp|avif|bmp|svg)\b"
    r"|x-oss-process=image|imageview|imagemogr",
    re.I,
)
_EMAIL_RE = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_MD_ESCAPE_RE = re.compile(r"\\(?=[_*\[\]()#+\-.!~`{}|])")
_NOT_ARTICLE_PATH_RE = re.compile(
    r"/(?:tags?|topics?|category|categories|authors?|users?|members?|profile|search|archives?|"
    r"page|feed|feeds|rss|atom|login|log-in|signin|sign-in|signup|sign-up|register|logout|"
    r"account|cart|checkout|subscribe|newsletter|privacy|privacy-policy|terms|tos|legal|about|"
    r"about-us|contact|contact-us|help|faq|careers|jobs|wp-admin|wp-login\.php|wp-json|static|"
    r"assets|cdn-cgi|xmlrpc\.php|comments?)(?:/|$)",
    re.I,
)
# A single short path segment without digits (/tech/, /sport, /keji/) names a section, not a story.
_SECTION_PATH_RE = re.compile(r"^/[a-z]+(?:[-_][a-z]+)?/?$", re.I)
_NOT_ARTICLE_QUERY_RE = re.compile(r"(?:^|&)(?:s|q|query|search|keyword|page|p|paged)=", re.I)
_FEED_PATH_RE = re.compile(
    r"(?:/(?:feed|feeds|rss|atom)(?:/|\.xml)?$|(?:rss|atom|feed|index)\.xml$|\.rss$|\.atom$|/rss2?$)",
    re.I,
)
_SITEMAP_PATH_RE = re.compile(r"sitemap[\w-]*\.xml(?:\.gz)?$", re.I)


def _is_tracking(name: str, host: str) -> bool:
    low = name.lower()
    if low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES):
        return True
    for domain, names in HOST_TRACKING.items():
        if low in names and (host == domain or host.endswith("." + domain)):
            return True
    return False


def unescape_markdown(url: str) -> str:
    r"""Drop markdown backslash escapes (``Native\_Image`` → ``Native_Image``)."""
    return _MD_ESCAPE_RE.sub("", url)


def normalize_url(url: str) -> str:
    """The canonical spelling of a URL (see the module docstring); other schemes are trimmed."""
    url = unescape_markdown(url.strip())
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"{scheme}:{url.split(':', 1)[1]}" if scheme else url
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return url
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if ":" not in host else f"[{host}]"
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{netloc}:{port}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    keep_only = KEEP_ONLY.get(host)
    if keep_only is not None:
        pairs = [(k, v) for k, v in pairs if k in keep_only]
    else:
        pairs = [(k, v) for k, v in pairs if not _is_tracking(k, host)]
    path = parts.path or "/"
    if "/./" in path or "/../" in path or path.endswith(("/.", "/..")):
        path = posixpath.normpath(path) + ("/" if path.endswith("/") else "")
    rebuilt = urlunsplit((scheme, netloc, path, urlencode(pairs), ""))
    canonical = canonicalize_url(rebuilt, keep_blank_values=True)
    return _strip_trailing_slash(canonical)


def _strip_trailing_slash(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
    return url


def host_of(url: str) -> str:
    """The lower-case host name of a URL ('' when there is none)."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def site_of(url: str) -> str:
    """``scheme://host[:port]/`` of a URL (the key of a Source)."""
    parts = urlsplit(normalize_url(url))
    return f"{parts.scheme}://{parts.netloc}/"


def _extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lower()
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def _host_matches(host: str, path: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        domain, _, prefix = pattern.partition("/")
        if (host == domain or host.endswith("." + domain)) and path.startswith("/" + prefix):
            return True
    return False


def is_email(text: str) -> bool:
    return bool(_EMAIL_RE.match(text.strip()))


def classify_url(url: str) -> str:
    """``article``, ``image``, ``document``, ``video`` or ``contact`` (``self`` is the parser's)."""
    text = url.strip()
    low = text.lower()
    if low.startswith("mailto:") or is_email(text):
        return "contact"
    if low.startswith(("tel:", "sms:")):
        return "contact"
    parts = urlsplit(unescape_markdown(text))
    host = (parts.hostname or "").lower() if parts.netloc else ""
    path = parts.path or "/"
    ext = _extension(path)
    if ext in IMAGE_EXTENSIONS or _IMAGE_QUERY_RE.search(parts.query):
        return "image"
    if ext in DOCUMENT_EXTENSIONS:
        return "document"
    if ext in MEDIA_EXTENSIONS:
        return "video"
    if _host_matches(host, path, IMAGE_HOSTS):
        return "image"
    if _host_matches(host, path, VIDEO_HOSTS):
        return "video"
    if (host == "bilibili.com" or host.endswith(".bilibili.com")) and path.startswith(
        ("/video/", "/bangumi/")
    ):
        return "video"
    return "article"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def registered_domain(url: str) -> str:
    """``www.bbc.co.uk`` → ``bbc.co.uk``; IP addresses and single-label hosts stay whole."""
    host = host_of(url)
    if not host or _is_ip(host) or "." not in host:
        return host
    domain = courlan.extract_domain(f"https://{host}/")
    return domain or host


def same_site(a: str, b: str) -> bool:
    """True when both URLs belong to one site: the same registered domain (``www.reuters.com``
    and ``reuters.com``, ``learn.microsoft.com`` and ``www.microsoft.com``); for IP hosts and
    ``localhost`` the same host and port."""
    host_a, host_b = host_of(a), host_of(b)
    if not host_a or not host_b:
        return False
    if _is_ip(host_a) or _is_ip(host_b) or "." not in host_a or "." not in host_b:
        return urlsplit(site_of(a)).netloc == urlsplit(site_of(b)).netloc
    return registered_domain(a) == registered_domain(b)


def is_feed_url(url: str) -> bool:
    """A feed address by its look: ``/feed``, ``/rss``, ``rss.xml``, ``atom.xml``, ``.rss``."""
    parts = urlsplit(url)
    return bool(_FEED_PATH_RE.search(parts.path)) or ext_in(parts.path, FEED_EXTENSIONS)


def is_sitemap_url(url: str) -> bool:
    return bool(_SITEMAP_PATH_RE.search(urlsplit(url).path))


def ext_in(path: str, extensions: frozenset[str]) -> bool:
    return _extension(path) in extensions


def looks_like_article(url: str) -> bool:
    """Could this URL be an article? Not a home, tag, author, category, search, login, feed,
    sitemap or asset page, and not an image, document or video."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return False
    if classify_url(url) != "article":
        return False
    path = parts.path or "/"
    if path.strip("/") == "" or path.lower() in ("/index.html", "/index.php", "/index.htm"):
        return False
    if ext_in(path, ASSET_EXTENSIONS) or is_feed_url(url) or is_sitemap_url(url):
        return False
    if _NOT_ARTICLE_PATH_RE.search(path) or _NOT_ARTICLE_QUERY_RE.search(parts.query):
        return False
    if not parts.query and _SECTION_PATH_RE.match(path):
        return False
    return not (courlan.is_not_crawlable(url) or courlan.is_navigation_page(url))
