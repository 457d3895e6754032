"""Density-based main-text extraction over linearised DOM blocks, and DOM helpers around it.

The page is flattened, in document order, into text blocks (one per block-level element or
``<br>``-separated line). Each block gets a score: positive for prose (enough non-link text with
sentence punctuation), negative for everything else (navigation, link lists, short labels, ads),
and the article is the contiguous run of blocks with the largest total score (maximum-subsequence
segmentation, Pasternack & Roth 2009). Short lines inside the article (sub-headings, captions) are
bridged because they cost little; navigation bars and link lists between two text regions cost
more than a short paragraph earns. This works on table layouts and on Chinese pages, where
trafilatura's tag rules see a page of tables.

Also here: ``prune_link_dense`` (drops navigation-like tables and lists before trafilatura sees the
tree) and ``continue_siblings`` (an article body split over several same-class containers).
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml.html import HtmlElement

logger = logging.getLogger(__name__)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SKIP_TAGS = _names(
    "script style noscript iframe select option textarea button input svg object embed "
    "head title template canvas map marquee"
)
_BLOCK_TAGS = _names(
    "p div td th tr li ul ol dl dt dd h1 h2 h3 h4 h5 h6 table tbody thead tfoot "
    "blockquote pre section article header footer nav aside form center main figure "
    "figcaption address fieldset hr body html caption details summary menu"
)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BOILERPLATE_TAGS = frozenset({"nav", "footer", "aside", "menu"})
_NO_HINT_TAGS = frozenset({"html", "body", "main", "article"})

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_TOKEN_RE = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])\w)+")
# Sentence punctuation: CJK full-width marks anywhere, Latin marks only when they end a word.
_PUNCT_RE = re.compile(r"[，。！？；：、“”（）《》…—]|[,.!?;:](?=\s|$|[\"'”’)])")
_BOILER_ATTR_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|footer|sidebar|comments?|share|sharing|social|breadcrumbs?|"
    r"related|recommend|copyright|advert|adsense|toolbar|login|topbar|pagination|pager)"
    r"(?:$|[\s_-]|\d)",
    re.IGNORECASE,
)


@dataclass
class Block:
    """A run of text between block boundaries, with the facts the scorer needs."""

    parts: list[str] = field(default_factory=list)
    link_parts: list[str] = field(default_factory=list)
    heading: bool = False
    boiler_hint: bool = False
    pre: bool = False
    _text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            raw = "".join(self.parts)
            self._text = raw.strip("\n") if self.pre else " ".join(raw.split())
        return self._text

    @property
    def link_text(self) -> str:
        return " ".join(self.link_parts)


def _boiler_attrs(el: HtmlElement) -> bool:
    if el.tag in _NO_HINT_TAGS:
        return False
    attrs = f"{el.get('class', '')} {el.get('id', '')}"
    return bool(attrs.strip()) and bool(_BOILER_ATTR_RE.search(attrs))


class _Linearizer:
    """Walk the tree once, cutting text into blocks at block-level boundaries and ``<br>``."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.current = Block()

    def flush(self) -> None:
        if "".join(self.current.parts).strip():
            self.blocks.append(self.current)
        self.current = Block()

    def _add(self, text: str | None, in_link: bool, boiler: bool, heading: bool, pre: bool) -> None:
        if not text:
            return
        block = self.current
        block.parts.append(text)
        if in_link:
            block.link_parts.append(text)
        if text.strip():
            block.boiler_hint = block.boiler_hint or boiler
            block.heading = block.heading or heading
            block.pre = block.pre or pre

    def walk(self, el: HtmlElement, in_link: bool, boiler: bool, heading: bool, pre: bool) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP_TAGS:
            return  # comments, processing instructions, scripts: their tails belong to the parent
        is_block = tag in _BLOCK_TAGS
        if is_block or tag == "br":
            self.flush()
        if tag == "br":
            return
        in_link = in_link or tag == "a"
        boiler = boiler or tag in _BOILERPLATE_TAGS or (is_block and _boiler_attrs(el))
        heading = heading or tag in _HEADINGS
        pre = pre or tag == "pre"
        self._add(el.text, in_link, boiler, heading, pre)
        for child in el:
            self.walk(child, in_link, boiler, heading, pre)
            self._add(child.tail, in_link, boiler, heading, pre)
        if is_block:
            self.flush()


def linearize(root: HtmlElement) -> list[Block]:
    """Document-order text blocks of ``root``'s body (the tree is not modified)."""
    lin = _Linearizer()
    body = root.find(".//body") if root.tag != "body" else root
    start = body if body is not None else root
    try:
        lin.walk(start, False, False, False, False)
    except RecursionError:  # pathological nesting
        logger.debug("tree too deep to linearise")
        return []
    lin.flush()
    return lin.blocks


def tokenize(text: str) -> list[str]:
    """Word tokens, every CJK character being a token of its own."""
    return _TOKEN_RE.findall(text)


def count_tokens(text: str) -> int:
    """Word tokens, counting every CJK character as one (as the evaluation metric does)."""
    return len(_TOKEN_RE.findall(text))


def count_punct(text: str) -> int:
    return len(_PUNCT_RE.findall(text))


def block_score(block: Block) -> float:
    """Positive for prose, negative for navigation, labels and link lists."""
    text = block.text
    n = count_tokens(text)
    if n == 0:
        return 0.0
    link_n = count_tokens(block.link_text) if block.link_parts else 0
    own = max(0, n - link_n)
    link_density = link_n / n
    if link_density > 0.5:
        return -1.0 - n
    punct = count_punct(text)
    prose = own >= 8 and punct >= 1 and (punct * 40 >= own or own >= 60)
    if prose and not block.boiler_hint:
        return own * (1.0 - link_density)
    if prose:
        return own * 0.3 - 2.0
    # short lines: sub-headings, captions, labels, date lines
    return -2.0 - 0.5 * n


def best_span(scores: list[float]) -> tuple[int, int, float]:
    """Maximum-sum contiguous run (Kadane); returns (start, end-exclusive, total)."""
    best = (0, 0, 0.0)
    start, total = 0, 0.0
    for i, score in enumerate(scores):
        if total <= 0:
            start, total = i, score
        else:
            total += score
        if total > best[2]:
            best = (start, i + 1, total)
    return best


@dataclass
class DensityResult:
    """The best text region: its blocks (and their indices in ``all_blocks``)."""

    all_blocks: list[Block]
    scores: list[float]
    start: int
    end: int

    @property
    def lines(self) -> list[str]:
        return [b.text for b in self.all_blocks[self.start : self.end]]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def prose_text(self) -> str:
        """The region's prose blocks only (positive scores)."""
        span = range(self.start, self.end)
        return "\n".join(self.all_blocks[i].text for i in span if self.scores[i] > 0)


def extract_by_density(root: HtmlElement) -> DensityResult:
    """The best contiguous text region of the page."""
    blocks = linearize(root)
    scores = [block_score(b) for b in blocks]
    start, end, _ = best_span(scores)
    return DensityResult(blocks, scores, start, end)


# --- pruning before trafilatura --------------------------------------------------------------

_PRUNE_TAGS = frozenset({"table", "tbody", "tr", "td", "th", "ul", "ol"})


def _nonspace_len(text: str | None) -> int:
    return len("".join(text.split())) if text else 0


def _measure(
    el: HtmlElement, sizes: dict[HtmlElement, tuple[int, int]], in_link: bool
) -> tuple[int, int]:
    """Bottom-up (text, link text) non-space lengths, recorded for prunable elements."""
    in_link = in_link or el.tag == "a"
    total = _nonspace_len(el.text)
    link = total if in_link else 0
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _SKIP_TAGS:
            c_total, c_link = _measure(child, sizes, in_link)
            total += c_total
            link += c_link
        tail = _nonspace_len(child.tail)
        total += tail
        if in_link:
            link += tail
    if el.tag in _PRUNE_TAGS:
        sizes[el] = (total, link)
    return total, link


def prune_link_dense(root: HtmlElement, max_own_text: int = 100, max_density: float = 0.5) -> int:
    """Remove tables, rows, cells and lists that are mostly links (navigation, link lists, ads).

    Layout-table pages put menus and "more news" lists into table cells that trafilatura keeps
    as content. An element is removed when more than ``max_density`` of its text is link text and
    its own non-link text is shorter than ``max_own_text`` characters. Returns the number removed.
    """
    sizes: dict[HtmlElement, tuple[int, int]] = {}
    try:
        _measure(root, sizes, False)
    except RecursionError:
        logger.debug("tree too deep to prune")
        return 0
    doomed = {
        el
        for el, (total, link) in sizes.items()
        if total and link / total > max_density and total - link < max_own_text
    }
    removed = 0
    for el in doomed:
        if el.getparent() is None or any(anc in doomed for anc in el.iterancestors()):
            continue
        el.drop_tree()
        removed += 1
    return removed


# --- table rows back into paragraphs --------------------------------------------------------


def _squash(text: str) -> str:
    return "".join(text.split())


def split_table_rows(lines: list[str], blocks: list[Block], min_len: int = 120) -> list[str]:
    """Replace long ``| cell | cell |`` lines by the page blocks they are made of.

    trafilatura renders a table row as one line; on table-layout pages a whole article (title,
    byline, paragraphs, editor credit) sits in one cell and becomes one line. The consecutive
    blocks of the page that make up the start of such a line (gaps of a few characters allowed)
    replace that part: paragraphs become lines again and line-level clean-up can see the byline
    and the credits. Whatever the blocks do not account for stays as a line of its own.
    """
    if not blocks:
        return lines
    squashed = [_squash(b.text) for b in blocks]
    result: list[str] = []
    for line in lines:
        flat = line.replace("|", " ")
        keep = [i for i, ch in enumerate(flat) if not ch.isspace()]  # squashed -> line index
        body = "".join(flat[i] for i in keep)
        if len(line) < min_len or "|" not in line or len(body) < 20:
            result.append(line)
            continue
        start = next((i for i, t in enumerate(squashed) if t and body.startswith(t[:20])), None)
        parts: list[str] = []
        covered = pos = 0
        i = start if start is not None else len(blocks)
        while i < len(blocks) and pos < len(body):
            piece = squashed[i]
            found = body.find(piece, pos) if piece else -1
            if found < 0 or found - pos > 20:
                break
            parts.append(blocks[i].text)
            covered += len(piece)
            pos = found + len(piece)
            i += 1
        if len(parts) < 2 or covered < 0.9 * pos:
            result.append(line)
            continue
        result.extend(parts)
        rest = flat[keep[pos] :].strip() if pos < len(body) else ""
        if rest:
            result.append(" ".join(rest.split()))
    return result


# --- an article body split over several containers -------------------------------------------


def _link_density(blocks: list[Block]) -> float:
    total = sum(count_tokens(b.text) for b in blocks)
    links = sum(count_tokens(b.link_text) for b in blocks if b.link_parts)
    return links / total if total else 0.0


def _signature(el: HtmlElement) -> tuple[str, str] | None:
    cls = " ".join((el.get("class") or "").split())
    return (el.tag, cls) if cls else None


def continue_siblings(
    root: HtmlElement,
    lines: list[str],
    covered: Callable[[str], float],
    in_region: Callable[[str], float],
) -> list[str]:
    """Add prose from containers that share the class of the container the text came from.

    Some sites cut the article body into several ``<div class="article-body">`` blocks (around
    ads or embeds) and extractors stop after the first. ``covered(text) -> float`` tells how much
    of a text is already in the extraction, ``in_region(text)`` how much of it lies in the densest
    text region of the page. A container group qualifies when one member is mostly covered and
    makes up a good part of the extraction; other members are added when they hold uncovered prose
    of several paragraphs that lies inside the dense region (teaser cards and sidebars do not).
    """
    chosen_tokens = sum(count_tokens(line) for line in lines)
    groups: dict[tuple[str, str], list[HtmlElement]] = defaultdict(list)
    for el in root.iter("div", "section", "article"):
        sig = _signature(el)
        if sig is not None:
            groups[sig].append(el)
    before: list[str] = []
    after: list[str] = []
    for members in groups.values():
        if not 2 <= len(members) <= 8:
            continue
        member_blocks = [linearize(m) for m in members]
        texts = ["\n".join(b.text for b in blocks) for blocks in member_blocks]
        sizes = [count_tokens(t) for t in texts]
        if min(sizes) < 20:
            continue
        coverage = [covered(t) for t in texts]
        anchors = [
            i for i, c in enumerate(coverage) if c >= 0.8 and sizes[i] >= 0.3 * chosen_tokens
        ]
        if not anchors:
            continue
        for i, blocks in enumerate(member_blocks):
            if coverage[i] >= 0.2:
                continue
            prose = [b.text for b in blocks if block_score(b) > 0]
            if len(prose) < 2 or sum(count_tokens(t) for t in prose) < 60:
                continue
            if len(prose) < 0.4 * len(blocks) or _link_density(blocks) > 0.15:
                continue  # a rail of teasers or links, not running text
            if in_region("\n".join(prose)) < 0.5:
                continue
            logger.debug("continuing the article into sibling container %d", i)
            (before if i < anchors[0] else after).extend(prose)
    if not before and not after:
        return lines
    return before + list(lines) + after
