"""Shared helpers of the benchmarks: machine description, RESULTS.md sections, /proc sampling.

Each benchmark owns one section of ``bench/RESULTS.md`` between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->``; :func:`write_section` replaces that section (or appends it) and leaves every
other section as it is.
"""

from __future__ import annotations

import datetime
import itertools
import os
import platform
import random
import statistics
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- the machine ----------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def versions(*packages: str) -> str:
    """``Python 3.11.7, Scrapy 2.x, …`` for the packages that are installed."""
    from importlib import metadata

    parts = [f"Python {platform.python_version()}"]
    for name in packages:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(parts)


def machine_line(*packages: str) -> str:
    """One line: date, OS, CPU model, cores, RAM and versions."""
    now = datetime.datetime.now().astimezone()
    return (f"Run {now:%Y-%m-%d %H:%M %Z} on {platform.system()} {platform.release()}, "
            f"{cpu_model()}, {os.cpu_count()} cores, {ram_gb():.0f} GB RAM; "
            f"{versions(*packages)}.")


# --- RESULTS.md -----------------------------------------------------------------------------------


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def write_section(name: str, body: str, path: Path = RESULTS) -> None:
    """Put ``body`` between the ``name`` markers of RESULTS.md (append when missing)."""
    start, end = markers(name)
    section = f"{start}\n{body.strip()}\n{end}"
    if path.exists():
        content = path.read_text(encoding="utf-8")
        if start in content and end in content:
            head, rest = content.split(start, 1)
            _, tail = rest.split(end, 1)
            content = head + section + tail
        else:
            content = content.rstrip("\n") + "\n\n" + section + "\n"
    else:
        content = section + "\n"
    path.write_text(content, encoding="utf-8")


def table(header: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> str:
    """A markdown table; ``align`` has one letter per column (``l`` or ``r``, default ``r``
    except the first column)."""
    align = align or "l" + "r" * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(lines)


def percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


# --- /proc sampling -------------------------------------------------------------------------------


def cpu_times() -> list[tuple[int, int]]:
    """(busy, total) jiffies per core from /proc/stat."""
    out = []
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("cpu") and line[3:4].isdigit():
            values = [int(v) for v in line.split()[1:]]
            idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
            total = sum(values[:8])  # guest time is already counted in user
            out.append((total - idle, total))
    return out


_PARENTS: dict[int, int] = {}  # pid → parent pid, read once per pid


def _parent(pid: int) -> int | None:
    if pid not in _PARENTS:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        _PARENTS[pid] = int(stat.rsplit(")", 1)[1].split()[1])
    return _PARENTS[pid]


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants (from /proc; each pid's parent is read once)."""
    children: dict[int, list[int]] = {}
    live = {int(entry) for entry in os.listdir("/proc") if entry.isdigit()}
    for pid in [p for p in _PARENTS if p not in live]:
        del _PARENTS[pid]
    for pid in live:
        parent = _parent(pid)
        if parent is not None:
            children.setdefault(parent, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


@dataclass
class Usage:
    """What :class:`TreeSampler` saw over one run."""

    seconds: float = 0.0
    core_busy: list[float] = field(default_factory=list)  # share of each core, 0..1
    peak_rss: int = 0  # bytes: the largest sum of RSS over the tree at one instant
    peak_processes: int = 0
    peak_root_rss: int = 0  # bytes: the root process alone
    peak_child_rss: int = 0  # bytes: the largest single descendant
    root_cpu: float = 0.0  # CPU seconds of the root process
    children_cpu: float = 0.0  # CPU seconds of its descendants (last values seen)


class TreeSampler:
    """Sample per-core CPU use and the summed RSS of a process tree in a background thread."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        self.root = root
        self.interval = interval
        self.usage = Usage()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)
        self._child_cpu: dict[int, float] = {}

    def __enter__(self) -> TreeSampler:
        self._start_cpu = cpu_times()
        self._start = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        end = cpu_times()
        self.usage.seconds = time.perf_counter() - self._start
        self.usage.core_busy = [
            (b1 - b0) / max(1, t1 - t0)
            for (b0, t0), (b1, t1) in zip(self._start_cpu, end, strict=False)
        ]
        self.usage.children_cpu = sum(self._child_cpu.values())

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        pids = process_tree(self.root)
        sizes = {pid: rss_bytes(pid) for pid in pids}
        total = sum(sizes.values())
        self.usage.peak_root_rss = max(self.usage.peak_root_rss, sizes.get(self.root, 0))
        self.usage.peak_child_rss = max(
            [self.usage.peak_child_rss, *(v for k, v in sizes.items() if k != self.root)])
        if total > self.usage.peak_rss:
            self.usage.peak_rss = total
        self.usage.peak_processes = max(self.usage.peak_processes, len(pids))
        for pid in pids:
            seconds = cpu_seconds(pid)
            if pid == self.root:
                self.usage.root_cpu = max(self.usage.root_cpu, seconds)
            elif seconds:
                self._child_cpu[pid] = max(self._child_cpu.get(pid, 0.0), seconds)


# --- synthetic articles ---------------------------------------------------------------------------

_FUNCTION_TEXT = """the of and to a in is that for it on with as was by at be this are from or
have an they which one you were all there would their we been has when who will more no if out so
said what up its about into than them can only other new some could time these two may then do
first any now such like our over even most made after also did many before must through back years
where much way well down should because each just those people how too little state good very make
world still own see work long get here between both life being under never day same another know
while last might year off come since against go came right used take three"""
_FUNCTION_WORDS = _FUNCTION_TEXT.split()
_SYLLABLE_TEXT = ("ba be bi bo da de di do ka ke ki ko la le li lo ma me mi mo na ne ni no ra "
                  "re ri ro sa se si so ta te ti to va ve vi vo an en in on ar er or al el il "
                  "str tr pl gr br ck nd st th sh ng")
_SYLLABLES = _SYLLABLE_TEXT.split()

_BOILERPLATE = {
    "en": {
        "head": ["Originally published by {site} on {date}.", "{site} | {section}",
                 "This article first appeared on {site}.", "Updated {date} at {time} UTC",
                 "Share this article: Facebook, X, LinkedIn, Email"],
        "foot": ["Copyright {year} {site}. All rights reserved.",
                 "Subscribe to our newsletter for more stories like this.",
                 "Related: {related}", "Reporting by {name}; editing by {name2}.",
                 "Read more on {section} at {site}.",
                 "Comments are closed for this article. Follow us for updates."],
    },
    "zh": {
        "head": ["原标题：{title}", "来源：{site}  {date}", "本文转载自{site}，版权归原作者所有。",
                 "{site} {section}频道 {date} {time}", "分享到：微信 微博 QQ空间"],
        "foot": ["责任编辑：{name}", "（完）", "相关阅读：{related}",
                 "版权声明：本文版权归{site}所有，未经授权不得转载。",
                 "关注{site}公众号，获取更多{section}资讯。", "记者：{name} 编辑：{name2}"],
    },
}
_SITES = {"en": ["Daily Ledger", "Harbor Times", "Northern Post", "Metro Wire", "Tech Journal"],
          "zh": ["新华日报", "南方周末", "科技日报", "北京晚报", "澎湃新闻"]}
_NAMES = {"en": ["Ann Lee", "Tom Reyes", "Mia Chen", "Sam Patel", "Eva Novak"],
          "zh": ["张伟", "王芳", "李娜", "刘洋", "陈静"]}
_SECTIONS = {"en": ["Technology", "Business", "World", "Science", "Culture"],
             "zh": ["科技", "财经", "国际", "社会", "文化"]}


@dataclass
class Bank:
    """Words of one language with Zipf-like cumulative weights, and topic vocabularies."""

    lang: str
    words: list[str]
    cum: list[float]
    topics: list[list[str]]


def _zh_words(limit: int = 60000) -> list[tuple[str, float]]:
    import re

    import jieba

    found = []
    path = Path(jieba.__file__).parent / "dict.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]{1,4}", parts[0]):
            found.append((parts[0], float(parts[1])))
    found.sort(key=lambda item: -item[1])
    return found[:limit]


def _en_words(rng: random.Random, tail: int = 8000) -> list[tuple[str, float]]:
    import re

    from demoweb import banks_en

    counts: dict[str, int] = {}
    strings: list[str] = []
    todo: list[object] = [v for k, v in vars(banks_en).items() if not k.startswith("__")]
    while todo:
        value = todo.pop()
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            todo.extend(value.keys())
            todo.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            todo.extend(value)
    for text in strings:
        for word in re.findall(r"[a-z]{3,}", text.lower()):
            counts[word] = counts.get(word, 0) + 1
    function = set(_FUNCTION_WORDS)
    content = sorted((w for w in counts if w not in function), key=lambda w: (-counts[w], w))
    made: set[str] = set(function) | set(content)
    synthetic = []
    while len(synthetic) < tail:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in made:
            made.add(word)
            synthetic.append(word)
    ranked = _FUNCTION_WORDS + content + synthetic
    return [(word, 1.0 / (rank + 2.7)) for rank, word in enumerate(ranked)]


def make_bank(lang: str, seed: int = 7, topics: int = 200, topic_words: int = 300) -> Bank:
    rng = random.Random(f"{seed}-{lang}")
    weighted = _zh_words() if lang == "zh" else _en_words(rng)
    words = [w for w, _ in weighted]
    cum = list(itertools.accumulate(weight for _, weight in weighted))
    middle = words[len(words) // 50 : len(words) // 3]  # neither function words nor the rarest
    vocabularies = [rng.sample(middle, topic_words) for _ in range(topics)]
    return Bank(lang=lang, words=words, cum=cum, topics=vocabularies)


class TextMaker:
    """Deterministic synthetic articles in Chinese and English (sentences of Zipf-distributed
    words with a topic's vocabulary mixed in), plus the boilerplate of re-posts."""

    def __init__(self, seed: int = 7) -> None:
        self.banks = {lang: make_bank(lang, seed) for lang in ("en", "zh")}

    def _words(self, rng: random.Random, bank: Bank, topic: int, count: int) -> list[str]:
        general = rng.choices(bank.words, cum_weights=bank.cum, k=count)
        vocabulary = bank.topics[topic % len(bank.topics)]
        return [rng.choice(vocabulary) if rng.random() < 0.25 else w for w in general]

    def sentence(self, rng: random.Random, lang: str, topic: int) -> str:
        bank = self.banks[lang]
        if lang == "zh":
            words = self._words(rng, bank, topic, rng.randint(8, 22))
            out = []
            for i, word in enumerate(words):
                out.append(word)
                if 0 < i < len(words) - 2 and rng.random() < 0.12:
                    out.append("，")
            return "".join(out) + rng.choice("。。。！？")
        words = self._words(rng, bank, topic, rng.randint(8, 26))
        for i in range(2, len(words) - 2):
            if rng.random() < 0.07:
                words[i] += ","
        return " ".join(words).capitalize() + rng.choice("....?!")

    def text(self, rng: random.Random, lang: str, topic: int, chars: int) -> str:
        """Paragraphs of sentences, about ``chars`` characters (cut at a sentence end)."""
        paragraphs: list[str] = []
        size = 0
        while size < chars:
            sentences = [self.sentence(rng, lang, topic) for _ in range(rng.randint(2, 5))]
            glue = "" if lang == "zh" else " "
            paragraph = glue.join(sentences)
            paragraphs.append(paragraph)
            size += len(paragraph) + 1
        return "\n".join(paragraphs)

    def title(self, rng: random.Random, lang: str, topic: int) -> str:
        sentence = self.sentence(rng, lang, topic)
        return sentence[:28 if lang == "zh" else 80].rstrip("，,。.!?！？ ")

    def boilerplate(self, rng: random.Random, lang: str, where: str, title: str = "") -> str:
        fields = {
            "site": rng.choice(_SITES[lang]), "section": rng.choice(_SECTIONS[lang]),
            "name": rng.choice(_NAMES[lang]), "name2": rng.choice(_NAMES[lang]),
            "date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "time": f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            "year": "2026", "title": title,
            "related": ("；" if lang == "zh" else "; ").join(
                self.title(rng, lang, rng.randrange(1000)) for _ in range(rng.randint(1, 3))),
        }
        lines = rng.sample(_BOILERPLATE[lang][where], rng.randint(1, 2))
        return "\n".join(line.format(**fields) for line in lines)
