"""Main-text and metadata extraction: raw page bytes in, an ``Article`` (or None) out.

The pipeline, for one page:

1. decode the bytes (``extract_encoding``: declared versus detected charset, GB2312/GBK as
   GB18030, a UTF-8 declaration that does not decode is probably GBK) and parse once with lxml;
2. linearise the page into text blocks and find the densest prose region
   (``extract_density``); this is the second opinion and the fallback;
3. prune link-dense tables and lists (menus, "more news" cells of table layouts), then run
   trafilatura twice on the pruned tree, in recall mode and in precision mode (fast, no external
   fallbacks). The precision result wins when it is a clean subset that still holds most of the
   recall result; the density result wins when trafilatura's text is thin and contained in it;
4. continue into sibling containers when the article body is split over several same-class
   blocks, cut threads to their first post, drop boilerplate lines (``extract_clean``);
5. metadata (``extract_meta``): structured data first, then Chinese-aware dates and bylines
   near the main text, then htmldate.

``extract_article`` never raises: anything unexpected is logged at debug level and gives None.
It keeps no state between calls, so it can run in a process pool (fork or spawn).
"""

from __future__ import annotations

import datetime
import gzip
import logging
import threading
import zlib
from dataclasses import dataclass

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from crawler import extract_author, extract_clean, extract_density, extract_meta
from crawler.extract_encoding import decode_html

logger = logging.getLogger(__name__)

MIN_TEXT_CHARS = 50
MAX_INPUT_BYTES = 20 * 1024 * 1024
THIN_TOKENS = 100
SHINGLE = 4


@dataclass
class Article:
    text: str  # main text, paragraphs separated by "\n"
    title: str | None
    author: str | None
    published: datetime.date | None
    language: str | None  # "zh", "en", ... (ISO 639-1)
    sitename: str | None
    description: str | None
    canonical_url: str | None  # rel=canonical or og:url as found in the page, made absolute
    encoding: str | None  # the encoding actually used to decode


_local = threading.local()


def _parser() -> lxml.html.HTMLParser:
    """One parser per thread (lxml parser objects must not be shared between threads)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = lxml.html.HTMLParser(
            encoding="utf-8",
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
            default_doctype=False,
        )
        _local.parser = parser
    return parser


def extract_article(html: bytes, url: str) -> Article | None:
    """Extract the main text and metadata of a page; None when there is no usable text."""
    try:
        return _extract(html, url)
    except Exception:  # noqa: BLE001 - bad input must never break the crawl
        logger.debug("extraction failed for %s", url, exc_info=True)
        return None


# --- input handling ---------------------------------------------------------------------------


# Bytes that occur in text: tab, newlines, form feed, escape, and everything from space up.
_TEXT_BYTES = bytes([7, 8, 9, 10, 12, 13, 27, *range(0x20, 0x100)])


def _unwrap(html: bytes) -> bytes | None:
    """Decompress a gzip payload; reject binary junk and bytes with no markup at all."""
    if html[:2] == b"\x1f\x8b":
        try:
            html = gzip.decompress(html)[:MAX_INPUT_BYTES]
        except (OSError, EOFError, zlib.error):
            return None
    head = html[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return html  # UTF-16 with a BOM: NUL bytes are expected
    if len(head.translate(None, _TEXT_BYTES)) > len(head) // 100:
        return None  # control characters: an image, an archive, a binary file
    if b"<" not in head and b"<" not in html[:65536]:
        return None
    return html


def parse(html: bytes) -> tuple[HtmlElement | None, str]:
    """Decode and parse page bytes; returns (tree or None, encoding used)."""
    text, encoding = decode_html(html)
    data = text.encode("utf-8", "replace")  # lone surrogates from a broken UTF-16 page
    try:
        tree = lxml.html.document_fromstring(data, parser=_parser())
    except (ValueError, etree.ParserError):
        logger.debug("lxml could not parse the page")
        return None, encoding
    return tree, encoding


# --- comparing candidate texts ----------------------------------------------------------------


def _shingles(text: str) -> set[tuple[str, ...]]:
    """The set of 4-token shingles of ``text`` (the evaluation metric's unit)."""
    tokens = extract_density.tokenize(text)
    if len(tokens) < SHINGLE:
        return {tuple(tokens)} if tokens else set()
    return set(zip(*(tokens[i:] for i in range(SHINGLE)), strict=False))


def _containment(part: set, whole: set) -> float:
    """Share of ``part`` found in ``whole`` (0 when ``part`` is empty)."""
    return len(part & whole) / len(part) if part else 0.0


def _trafilatura(tree: HtmlElement, url: str, precision: bool) -> str:
    """trafilatura's text in fast recall or precision mode ("" if it fails: we have a fallback)."""
    import trafilatura  # imported lazily: heavy, and not needed to decode or parse

    try:
        text = trafilatura.extract(
            tree,
            url=url or None,
            fast=True,
            favor_precision=precision,
            favor_recall=not precision,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            deduplicate=False,
            with_metadata=False,
            output_format="txt",
        )
    except Exception:  # noqa: BLE001 - the density region is there for exactly this
        logger.debug("trafilatura failed on %s", url, exc_info=True)
        return ""
    return text or ""


@dataclass
class Choice:
    text: str
    shingles: set[tuple[str, ...]]
    density_shingles: set[tuple[str, ...]]


def choose_text(
    recall: str, precision: str, density: str, density_prose: str | None = None
) -> Choice:
    """Pick between trafilatura's recall and precision results and the density region.

    * precision mode wins when its text is (nearly) all inside the recall text and still holds
      most of it: what it dropped was boilerplate;
    * the density region wins when trafilatura's text is empty, or thin (under ``THIN_TOKENS``
      shingles) while the region contains it and adds prose of its own (``density_prose``: the
      region's prose blocks) at least as long again: a short article stays short.
    """
    rec = _shingles(recall)
    den = _shingles(density)
    chosen = Choice(recall, rec, den)
    if precision and precision != recall:
        pre = _shingles(precision)
        if pre and rec and _containment(pre, rec) >= 0.97 and _containment(rec, pre) >= 0.6:
            chosen = Choice(precision, pre, den)
    if not chosen.shingles:
        return Choice(density, den, den)
    if len(chosen.shingles) >= THIN_TOKENS or _containment(chosen.shingles, den) < 0.8:
        return chosen
    prose = _shingles(density if density_prose is None else density_prose)
    if len(prose - chosen.shingles) >= max(30, len(chosen.shingles)):
        logger.debug("thin trafilatura result: using the density region")
        return Choice(density, den, den)
    return chosen


# --- metadata ---------------------------------------------------------------------------------


def _locate(blocks: list[extract_density.Block], line: str, default: int, last: bool) -> int:
    """Index of the block holding the start (or, with ``last``, the end) of an extracted line."""
    text = " ".join(line.replace("|", " ").split())
    for size in (30, 12):
        probe = text[-size:] if last else text[:size]
        if len(probe) < 6:
            break
        order = range(len(blocks) - 1, -1, -1) if last else range(len(blocks))
        for i in order:
            if probe in blocks[i].text:
                return i
    return default


@dataclass
class _Context:
    """Lines around the main text, where bylines and dates are written."""

    dated: list[tuple[float, str]]  # (distance from the text start, line) for date scoring
    bylines: list[str]  # closest first: before the text, its first lines, its short lines, after
    lone: list[str]  # the lines right before the text (a name alone on a line)


def _context(density: extract_density.DensityResult, body: list[str], lines: list[str]) -> _Context:
    """Context of the main text ``body`` (cleaned lines); ``lines`` are the same before cleaning."""
    blocks = density.all_blocks
    if not blocks or not body:
        return _Context([(0, x) for x in lines[:6]], lines[:6], [])
    start = _locate(blocks, body[0], density.start, last=False)
    end = max(start, _locate(blocks, body[-1], density.end - 1, last=True)) + 1
    dated: list[tuple[float, str]] = []
    for i in range(max(0, start - 20), min(len(blocks), start + 6)):
        dated.append((i - start, blocks[i].text))
    for i in range(max(start + 6, end - 1), min(len(blocks), end + 8)):
        dated.append((8 + i - end, blocks[i].text))
    # the densest region may start elsewhere (the text began with a sidebar): look there too
    d_start = density.start
    seen = {text for _, text in dated}
    for i in range(max(0, d_start - 8), min(len(blocks), d_start + 3)):
        if blocks[i].text not in seen:
            dated.append((2 + abs(i - d_start), blocks[i].text))
    before = [blocks[i].text for i in range(start - 1, max(-1, start - 16), -1)]
    d_before = [blocks[i].text for i in range(d_start - 1, max(-1, d_start - 6), -1)]
    short = [x for x in lines[4:] if len(x) <= 60]
    tail = [blocks[i].text for i in range(end, min(len(blocks), end + 6))]
    lone = before[:3] + [x for x in lines[:2] if len(x) <= 20]
    bylines = before[:8] + lines[:4] + short + tail + d_before + before[8:]
    return _Context(dated, bylines, lone)


@dataclass
class _Meta:
    title: str | None
    sitename: str | None
    description: str | None
    canonical: str | None
    date: datetime.date | None
    author: str | None


def _structured_meta(tree: HtmlElement, url: str) -> _Meta:
    ld = extract_meta.json_ld(tree)
    return _Meta(
        title=extract_meta.extract_title(tree),
        sitename=extract_meta.extract_sitename(tree, ld),
        description=extract_meta.extract_description(tree),
        canonical=extract_meta.extract_canonical(tree, url),
        date=extract_meta.structured_date(tree, ld),
        author=extract_meta.structured_author(tree, ld),
    )


# --- the pipeline -----------------------------------------------------------------------------


def _extract(html: bytes, url: str) -> Article | None:
    if isinstance(html, str):
        html = html.encode("utf-8", "surrogatepass")
    if not isinstance(html, bytes | bytearray) or not html.strip():
        return None
    data = _unwrap(bytes(html[:MAX_INPUT_BYTES]))
    if data is None:
        logger.debug("not an HTML page: %s", url)
        return None
    tree, encoding = parse(data)
    if tree is None:
        return None

    density = extract_density.extract_by_density(tree)
    meta = _structured_meta(tree, url)

    extract_density.prune_link_dense(tree)
    recall = _trafilatura(tree, url, precision=False)
    precision = _trafilatura(tree, url, precision=True)
    choice = choose_text(recall, precision, density.text, density.prose_text)

    lines = [line for line in (x.strip() for x in choice.text.split("\n")) if line]
    if lines and _containment(choice.density_shingles, choice.shingles) < 0.8:
        # the densest region holds prose we did not take: is the body split in several blocks?
        lines = extract_density.continue_siblings(
            tree,
            lines,
            lambda t: _containment(_shingles(t), choice.shingles),
            lambda t: _containment(_shingles(t), choice.density_shingles),
        )
    lines = extract_density.split_table_rows(lines, density.all_blocks)
    lines = extract_clean.first_post_only(lines)
    clean = extract_clean.trim_tail(extract_clean.remove_boilerplate(lines))
    if clean and meta.title and " ".join(clean[0].split()) == " ".join(meta.title.split()):
        clean = clean[1:]  # the headline is the title field, not the first paragraph
    context = _context(density, clean, lines)
    body = "\n".join(clean)
    if len("".join(body.split())) < MIN_TEXT_CHARS:
        logger.debug("no usable main text: %s", url)
        return None

    published = (
        meta.date or extract_meta.text_date(context.dated) or extract_meta.htmldate_date(tree, url)
    )
    author = (
        extract_author.byline_author(context.bylines, context.lone)
        or meta.author
        or extract_author.editor_author([x for x in lines if len(x) <= 80] + context.bylines)
    )
    return Article(
        text=body,
        title=meta.title,
        author=author,
        published=published,
        language=extract_meta.detect_language(body, tree),
        sitename=meta.sitename,
        description=meta.description,
        canonical_url=meta.canonical,
        encoding=encoding,
    )
