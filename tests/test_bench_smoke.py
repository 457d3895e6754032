"""The benchmarks at tiny sizes, so they cannot rot: each script runs to the end and prints its
tables. Nothing here asserts on speed, and nothing writes bench/RESULTS.md (``--no-write``).

The three scripts run at the same time (as subprocesses, from the project root) to keep this
module short.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.common import markers, write_section

ROOT = Path(__file__).resolve().parents[1]
RUNS = {
    "dedupe": ["bench/dedupe.py", "--n", "400", "--no-write"],
    "digest": ["bench/digest.py", "--n", "500", "--no-write"],
    "crawl": ["bench/crawl.py", "--pages", "40", "--hosts", "3", "--timeout", "1",
              "--no-second-crawl", "--no-write"],
}


@pytest.fixture(scope="module")
def outputs() -> Iterator[dict[str, subprocess.CompletedProcess]]:
    running = {
        name: subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        for name, args in RUNS.items()
    }
    done = {}
    try:
        for name, process in running.items():
            out, _ = process.communicate(timeout=240)
            done[name] = subprocess.CompletedProcess(process.args, process.returncode, out)
        yield done
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()


def test_dedupe_prints_timings_and_recall_per_kind(outputs: dict) -> None:
    run = outputs["dedupe"]
    assert run.returncode == 0, run.stdout[-3000:]
    assert "| store size | articles timed | fingerprint median ms" in run.stdout
    for kind in ("boilerplate", "edits", "title", "truncated", "mixed"):
        assert f"| {kind} |" in run.stdout
    assert "precision" in run.stdout and "recall" in run.stdout


def test_digest_prints_build_times_per_store_size(outputs: dict) -> None:
    run = outputs["digest"]
    assert run.returncode == 0, run.stdout[-3000:]
    assert "| articles in store | relevant | candidates in the week" in run.stdout
    assert "| 500 |" in run.stdout
    assert "candidate query plan:" in run.stdout


def test_crawl_prints_end_to_end_limit_and_fetch_only(outputs: dict) -> None:
    run = outputs["crawl"]
    assert run.returncode == 0, run.stdout[-3000:]
    assert "| end to end |" in run.stdout
    assert "| fetch only (SEEDWIRE_EXTRACT=False) |" in run.stdout
    assert "| extraction limit (" in run.stdout
    assert "peak RSS of the crawl's process tree" in run.stdout


def test_write_section_replaces_only_its_own_section(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    start, end = markers("extraction")
    results.write_text(f"{start}\nextraction table\n{end}\n", encoding="utf-8")
    write_section("dedupe", "first", results)
    write_section("digest", "digest table", results)
    write_section("dedupe", "second", results)
    text = results.read_text(encoding="utf-8")
    assert f"{start}\nextraction table\n{end}" in text
    assert "second" in text and "first" not in text and "digest table" in text
    assert text.count("<!-- dedupe:start -->") == 1
