"""Extraction quality and speed: seedwire's extractor against plain trafilatura.

Reads the shared evaluation corpus (``../shared/corpus/extraction`` from the project root):
``aeb`` (English-majority news and blogs) and ``zh_cwced`` (Chinese news, blogs and forums),
runs ``crawler.extract.extract_article`` and ``trafilatura.extract`` on the same raw bytes in the
same process, scores both with the token-shingle metric of ``bench/metrics.py`` and prints
precision, recall, F1, empty outputs and milliseconds per page, plus date and author accuracy on
the Chinese pages whose gold value is known. The table is written into bench/RESULTS.md between the
``<!-- extraction:start -->`` and ``<!-- extraction:end -->`` markers.

    .venv/bin/python bench/extraction.py            # full run, updates bench/RESULTS.md
    .venv/bin/python bench/extraction.py --no-write --worst 10
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import logging
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.metrics import Score, macro_score, precision_recall  # noqa: E402

logger = logging.getLogger(__name__)

CORPUS = ROOT / "../shared/corpus/extraction"
RESULTS = ROOT / "bench" / "RESULTS.md"
START, END = "<!-- extraction:start -->", "<!-- extraction:end -->"
COMMAND = ".venv/bin/python bench/extraction.py"


@dataclass
class Page:
    id: str
    html: bytes
    gold: str
    url: str
    date: str | None = None
    author: str | None = None


@dataclass
class Run:
    """One extractor on one corpus."""

    pairs: list[tuple[float, float]] = field(default_factory=list)
    empty: int = 0
    seconds: list[float] = field(default_factory=list)
    per_page: dict[str, tuple[float, float]] = field(default_factory=dict)
    dates: list[bool] = field(default_factory=list)  # every page with a known date
    full_dates: list[bool] = field(default_factory=list)  # pages whose gold date has a day
    authors: list[bool] = field(default_factory=list)

    @property
    def score(self) -> Score:
        return macro_score(self.pairs)

    @property
    def ms_per_page(self) -> float:
        return 1000 * statistics.fmean(self.seconds) if self.seconds else 0.0


def _known(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip() or value.strip() == "UNKNOWN":
        return None
    return value.strip()


def load_corpus(name: str) -> Iterator[Page]:
    folder = CORPUS / name
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id, item in sorted(truth.items()):
        gz = folder / "html" / f"{page_id}.html.gz"
        raw = folder / "html" / f"{page_id}.html"
        if gz.exists():
            html = gzip.decompress(gz.read_bytes())
        elif raw.exists():
            html = raw.read_bytes()
        else:
            continue
        yield Page(
            id=page_id,
            html=html,
            gold=item.get("articleBody", ""),
            url=item.get("url") or f"http://{name}.example/{page_id}.html",
            date=_known(item.get("date")),
            author=_known(item.get("author")),
        )


# --- date and author accuracy ------------------------------------------------------------------

_GOLD_DATE_RE = re.compile(r"^((?:19|20)\d{2})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?")


def date_matches(gold: str, found: datetime.date | None) -> bool | None:
    """Same day (or same month/year when the gold value is only that precise); None if no gold."""
    m = _GOLD_DATE_RE.match(gold)
    if not m:
        return None
    if found is None:
        return False
    year, month, day = (int(g) if g else None for g in m.groups())
    return (
        found.year == year
        and (month is None or found.month == month)
        and (day is None or found.day == day)
    )


def _has_day(gold: str) -> bool:
    m = _GOLD_DATE_RE.match(gold)
    return bool(m and m.group(3))


def _name_set(value: str) -> set[str]:
    return {p.lower() for p in re.split(r"[\s、,，;；/]+", value) if p}


def author_matches(gold: str, found: str | None) -> bool:
    """The same set of names, ignoring separators and case."""
    return found is not None and _name_set(gold) == _name_set(found)


# --- running -----------------------------------------------------------------------------------


def _ours() -> Callable[[Page], tuple[str, object]]:
    from crawler.extract import extract_article

    def run(page: Page) -> tuple[str, object]:
        article = extract_article(page.html, page.url)
        return (article.text if article else ""), article

    return run


def _trafilatura() -> Callable[[Page], tuple[str, object]]:
    import trafilatura

    def run(page: Page) -> tuple[str, object]:
        return trafilatura.extract(page.html, include_comments=False) or "", None

    return run


def evaluate(pages: list[Page], extractors: dict[str, Callable]) -> dict[str, Run]:
    runs = {name: Run() for name in extractors}
    if pages:  # warm-up: imports and caches, not timed
        for fn in extractors.values():
            fn(pages[0])
    for page in pages:
        for name, fn in extractors.items():
            start = time.perf_counter()
            text, article = fn(page)
            runs[name].seconds.append(time.perf_counter() - start)
            pr = precision_recall(text, page.gold)
            runs[name].pairs.append(pr)
            runs[name].per_page[page.id] = pr
            runs[name].empty += not text.strip()
            if article is not None:
                if page.date:
                    ok = date_matches(page.date, article.published)
                    if ok is not None:
                        runs[name].dates.append(ok)
                        if _has_day(page.date):
                            runs[name].full_dates.append(ok)
                if page.author:
                    runs[name].authors.append(author_matches(page.author, article.author))
    return runs


# --- reporting ---------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def table(results: dict[str, dict[str, Run]], sizes: dict[str, int]) -> str:
    rows = [
        "| corpus | pages | extractor | precision | recall | F1 | empty | ms/page | time ratio |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for corpus, runs in results.items():
        base = runs.get("trafilatura")
        for name, run in runs.items():
            s = run.score
            ratio = (
                f"{run.ms_per_page / base.ms_per_page:.2f}×" if base and base.ms_per_page else ""
            )
            rows.append(
                f"| {corpus} | {sizes[corpus]} | {name} | {s.precision:.3f} | {s.recall:.3f} | "
                f"{s.f1:.3f} | {run.empty} | {run.ms_per_page:.1f} | {ratio} |"
            )
    return "\n".join(rows)


def _share(flags: list[bool]) -> str:
    return f"{sum(flags) / len(flags):.3f} ({sum(flags)}/{len(flags)})"


def metadata_lines(results: dict[str, dict[str, Run]]) -> list[str]:
    lines = []
    for corpus, runs in results.items():
        run = runs.get("seedwire")
        if run is None or not (run.dates or run.authors):
            continue
        if run.full_dates:
            lines.append(
                f"- {corpus}: date accuracy (same day) {_share(run.full_dates)} on the pages whose "
                "gold date has a day"
            )
        if run.dates:
            lines.append(
                f"- {corpus}: date accuracy {_share(run.dates)} on all pages with a known date "
                "(same day; same month or year when the gold value is only that precise)"
            )
        if run.authors:
            lines.append(
                f"- {corpus}: author accuracy {_share(run.authors)} on the pages with a known "
                "author (the same set of names)"
            )
    return lines


def report(results: dict[str, dict[str, Run]], sizes: dict[str, int]) -> str:
    import trafilatura

    now = datetime.datetime.now().astimezone()
    machine = f"{platform.platform()}, {cpu_model()}, {os.cpu_count()} cores"
    parts = [
        START,
        "## Main-text extraction",
        "",
        f"Run {now:%Y-%m-%d %H:%M %Z} on {machine}; Python {platform.python_version()}, "
        f"trafilatura {trafilatura.__version__}. Reproduce with `{COMMAND}`.",
        "",
        "Token-shingle metric (bench/metrics.py): `\\w+` tokens with every CJK character a token, "
        "sets of 4-token shingles, per-page precision and recall macro-averaged, F1 from the "
        "averages, an empty output scores 0/0. `seedwire` is `crawler.extract.extract_article`; "
        "`trafilatura` is `trafilatura.extract(html_bytes, include_comments=False)`; both get "
        "the same raw bytes in the same process, page by page in turn; time per page is wall-clock "
        "and the time ratio is ms/page divided by trafilatura's on the same pages.",
        "",
        table(results, sizes),
        "",
        *metadata_lines(results),
        END,
    ]
    return "\n".join(parts)


def write_results(section: str, path: Path = RESULTS) -> None:
    """Replace our section of RESULTS.md (or append it), leaving other sections untouched."""
    if path.exists():
        content = path.read_text(encoding="utf-8")
        if START in content and END in content:
            head, rest = content.split(START, 1)
            _, tail = rest.split(END, 1)
            content = head + section + tail
        else:
            content = content.rstrip("\n") + "\n\n" + section + "\n"
    else:
        content = section + "\n"
    path.write_text(content, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", choices=["aeb", "zh_cwced"])
    parser.add_argument("--no-write", action="store_true", help="do not update bench/RESULTS.md")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages per corpus")
    parser.add_argument("--ours-only", action="store_true", help="skip the trafilatura baseline")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)

    if not CORPUS.is_dir():
        print(f"extraction corpus not found at {CORPUS.resolve()}: skipping")
        return 0
    corpora = args.corpus or ["aeb", "zh_cwced"]
    extractors = {"seedwire": _ours()}
    if not args.ours_only:
        extractors["trafilatura"] = _trafilatura()

    results: dict[str, dict[str, Run]] = {}
    sizes: dict[str, int] = {}
    for corpus in corpora:
        if not (CORPUS / corpus).is_dir():
            print(f"corpus {corpus} not found: skipping it")
            continue
        pages = list(load_corpus(corpus))
        sizes[corpus] = len(pages)
        results[corpus] = evaluate(pages, extractors)
        if args.worst:
            run = results[corpus]["seedwire"]
            worst = sorted(run.per_page.items(), key=lambda kv: sum(kv[1]))[: args.worst]
            print(f"worst {corpus} pages:")
            for page_id, (p, r) in worst:
                print(f"  {page_id[:12]}  P={p:.2f} R={r:.2f}")
    if not results:
        return 0
    print(table(results, sizes))
    for line in metadata_lines(results):
        print(line)
    if not args.no_write and not args.ours_only and len(results) == 2:
        write_results(report(results, sizes))
        print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
