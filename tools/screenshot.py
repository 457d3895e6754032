"""Screenshots of the email and an archive page, for looking at the rendering.

Renders a realistic sample issue (Chinese and English entries) with ``digest.render`` into a
temporary folder and photographs ``email.html`` and ``issues/<period>.html`` in headless
Chromium at desktop (1200 px) and phone (390 px) widths, light and dark, into
``docs/screenshots/`` (``--language en`` adds ``-en`` to the names).  Without Chromium it
says so and exits 0.

    python tools/screenshot.py [--out docs/screenshots] [--chromium PATH] [--language zh|en]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.config import Config, load_config  # noqa: E402
from digest.context import Coverage, Entry, IssueContext, TopicSection  # noqa: E402
from digest.render import render_issue, write_outputs  # noqa: E402

TZ = "Asia/Shanghai"
BASE_URL = "https://weekly.example.org/"
SHOTS = [  # (name, page, width, height, dark)
    ("email-desktop", "email.html", 1200, 1800, False),
    ("email-phone", "email.html", 390, 1600, False),
    ("email-phone-dark", "email.html", 390, 1600, True),
    ("archive-desktop", "issue", 1200, 1800, False),
    ("archive-phone", "issue", 390, 1600, False),
    ("archive-desktop-dark", "issue", 1200, 1800, True),
    ("archive-index", "index.html", 1200, 1100, False),
]


def _entry(n: int, title: str, url: str, site: str, day: int, summary: str, lang: str,
           also: list[Coverage] | None = None) -> Entry:
    return Entry(article_id=n, title=title, url=url, site=site, published=date(2026, 11, day),
                 summary=summary, language=lang, score=1.0 - n / 100, also=also or [])


def sample_topics() -> list[TopicSection]:
    """Three topics, Chinese and English entries, one with "also covered by"."""
    llm = TopicSection(
        slug="llm",
        name="大语言模型",
        lead="本周多家机构发布了长上下文评测结果，开源模型在中文阅读理解上的差距继续缩小。",
        entries=[
            _entry(1, "长上下文模型评测：百万字输入下的检索准确率首次超过九成",
                   "https://tech.example.cn/2026/11/long-context-eval", "tech.example.cn", 12,
                   "评测团队用法律文书、财报和小说构造了十二组长文本任务。结果显示，在百万字输入"
                   "下，三款模型的关键信息检索准确率超过百分之九十，但跨段落推理仍明显落后于短文本"
                   "场景。研究者建议在实际部署中结合检索增强，而不是单纯依赖更长的上下文窗口。",
                   "zh",
                   [Coverage("百万字上下文评测发布", "https://news.example.com.cn/ai/8812",
                             "news.example.com.cn"),
                    Coverage("Long-context benchmark results", "https://ml.example.org/lc-bench",
                             "ml.example.org")]),
            _entry(2, "Open-weight models close the gap on Chinese reading comprehension",
                   "https://ml.example.org/2026/11/open-weights-c3", "ml.example.org", 11,
                   "A new round of the C3 reading-comprehension benchmark puts three open-weight "
                   "models within two points of the best proprietary system. The authors credit "
                   "better pre-training data filtering rather than model size, and publish the "
                   "filtering scripts alongside the results.", "en"),
            _entry(3, "推理成本下降背后：投机解码在生产环境中的实践",
                   "https://blog.example.net/speculative-decoding", "blog.example.net", 10,
                   "作者复盘了在线服务引入投机解码后的三个月：平均延迟下降约四成，但草稿模型与主模型"
                   "的词表不一致曾导致少量输出错误，最终通过统一分词器解决。", "zh"),
        ],
    )
    oss = TopicSection(
        slug="open-source",
        name="开源软件",
        lead="Python 3.15 的第一个测试版带来了新的性能分析工具；多个基础库调整了维护模式。",
        entries=[
            _entry(4, "Python 3.15 beta 1: a sampling profiler in the standard library",
                   "https://py.example.org/news/3-15-beta-1", "py.example.org", 13,
                   "The first beta freezes the feature set. The headline addition is a "
                   "low-overhead sampling profiler that can attach to a running process, "
                   "alongside faster startup and clearer error messages for common typing "
                   "mistakes.", "en"),
            _entry(5, "一个维护了十五年的开源库，如何交接给社区",
                   "https://oss.example.cn/handover", "oss.example.cn", 9,
                   "原作者详细介绍了交接流程：先整理文档和发布脚本，再邀请三位长期贡献者共同维护，"
                   "最后把仓库迁移到基金会名下。文章还讨论了资金与安全响应的安排。", "zh"),
        ],
    )
    chips = TopicSection(
        slug="compute",
        name="芯片与算力",
        lead="数据中心的电力约束正在改变算力建设的选址逻辑。",
        entries=[
            _entry(6, "Why the next data centres are being built next to power plants",
                   "https://infra.example.com/power-first", "infra.example.com", 14,
                   "Grid connection queues now run to several years in many regions, so operators "
                   "are signing agreements directly with generators and building on adjacent land. "
                   "The article compares costs for gas, nuclear and solar-plus-storage sites.",
                   "en"),
        ],
    )
    return [llm, oss, chips]


def sample_issue(language: str = "zh", number: int = 12, weeks_back: int = 0) -> IssueContext:
    """The sample issue: week 46 of 2026 (or ``weeks_back`` weeks earlier)."""
    tz = ZoneInfo(TZ)
    starts = datetime(2026, 11, 9, tzinfo=tz) - timedelta(weeks=weeks_back)
    ends = starts + timedelta(days=7)
    week = starts.isocalendar().week
    subject = ("seedwire 周报 第 %d 期：长上下文评测与开源模型" if language == "zh"
               else "seedwire weekly #%d: long-context evaluations and open models") % number
    return IssueContext(
        number=number, period=f"2026-W{week:02d}", starts=starts, ends=ends, subject=subject,
        topics=sample_topics(), generated=ends + timedelta(hours=7), site_title="seedwire 周报"
        if language == "zh" else "seedwire weekly", base_url=BASE_URL, language=language,
        timezone=TZ,
    )


def sample_config(root: Path, language: str) -> Config:
    """Defaults, with the sample's site settings and ``root/out`` as the output folder."""
    return load_config(root=root, env={}, overrides={
        "paths": {"out_dir": str(root / "out")},
        "site": {"base_url": BASE_URL, "language": language, "timezone": TZ,
                 "title": "seedwire 周报" if language == "zh" else "seedwire weekly"},
    })


def shoot(chromium: str, url: str, target: Path, width: int, height: int, dark: bool) -> None:
    """One screenshot with a fresh, throw-away profile."""
    with tempfile.TemporaryDirectory() as profile:
        command = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--hide-scrollbars",
            f"--window-size={width},{height}", f"--screenshot={target}",
        ]
        if dark:
            command.append("--force-dark-mode")
        subprocess.run(command + [url], check=True, capture_output=True, timeout=120)


def main(argv: list[str] | None = None) -> int:
    """Render the sample and take the screenshots; 0 also when Chromium is missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default="")
    parser.add_argument("--language", choices=["zh", "en"], default="zh")
    args = parser.parse_args(argv)
    chromium = args.chromium or next(
        (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome"))
         if p), "")
    if not chromium:
        print("screenshots skipped: Chromium not found (apt-get install chromium)")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = sample_config(root, args.language)
        older = sample_issue(args.language, number=11, weeks_back=1)
        ctx = sample_issue(args.language)
        now = ctx.generated
        written = write_outputs(ctx, render_issue(ctx), history=[older, ctx], config=config,
                                now=now)
        pages = {"email.html": written["email_html"], "issue": written["issue_html"],
                 "index.html": written["index_html"]}
        for name, page, width, height, dark in SHOTS:
            suffix = "" if args.language == "zh" else f"-{args.language}"
            target = args.out / f"{name}{suffix}.png"
            shoot(chromium, pages[page].as_uri(), target, width, height, dark)
            print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: "
                  f"{target.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
