"""The OpenAI-compatible summary backend, against a real chat-completions server on loopback."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from digest.llm import (
    MAX_INPUT_CHARS,
    PROMPT_VERSION,
    LLMConfig,
    LLMError,
    build_messages,
    chat_completions_url,
    llm_summarize,
    summarize_article,
)
from digest.summarize import summarize

FIXTURES = Path(__file__).parent / "fixtures" / "summarize"
ZH_TEXT = (FIXTURES / "zh_article.txt").read_text(encoding="utf-8")
EN_TEXT = (FIXTURES / "en_article.txt").read_text(encoding="utf-8")
ZH_ANSWER = "星海智能发布开源大模型“潮汐-2”，中文评测成绩比上一代提高约三成，权重已公开。"
EN_ANSWER = "Harbor Labs released Tern, a small open model that rivals larger ones."


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeLLM:
    """What the fake server answers, and what it was asked."""

    mode: str = "ok"  # ok | error500 | slow | badjson | empty | length
    answer: str = ZH_ANSWER
    delay: float = 0.0
    requests: list[Recorded] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    def config(self, **overrides: Any) -> LLMConfig:
        values: dict[str, Any] = {
            "base_url": f"http://127.0.0.1:{self.port}",
            "model": "test-model",
            "api_key": "sk-test",
            "timeout": 5.0,
            "max_tokens": 256,
        }
        values.update(overrides)
        return LLMConfig(**values)


class ChatHandler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        fake: FakeLLM = self.server.fake
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        fake.requests.append(Recorded(self.path, dict(self.headers.items()), json.loads(raw)))
        if fake.mode == "slow":
            fake.release.wait(fake.delay)
        if fake.mode == "error500":
            self._send(500, b'{"error": {"message": "model overloaded"}}')
        elif fake.mode == "badjson":
            self._send(200, b'{"choices": [{"message": {"content": "half an answ')
        else:
            content = "   " if fake.mode == "empty" else fake.answer
            finish = "length" if fake.mode == "length" else "stop"
            payload = {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": fake.requests[-1].body.get("model"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": finish,
                    }
                ],
            }
            self._send(200, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    def _send(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    fake = FakeLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), ChatHandler)
    server.daemon_threads = True
    server.fake = fake  # type: ignore[attr-defined]
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class DictCache:
    """A SummaryCache in a dict, as the store keeps it in a table."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str, str], str] = {}
        self.gets = 0

    def get(self, article_key: str, model: str, prompt_version: str) -> str | None:
        self.gets += 1
        return self.data.get((article_key, model, prompt_version))

    def put(self, article_key: str, model: str, prompt_version: str, summary: str) -> None:
        self.data[(article_key, model, prompt_version)] = summary


def user_message(recorded: Recorded) -> str:
    messages = recorded.body["messages"]
    assert [m["role"] for m in messages] == ["system", "user"]
    return messages[1]["content"]


# --------------------------------------------------------------------------------------------
# Success and cache
# --------------------------------------------------------------------------------------------


def test_llm_summary_then_cache_hit(fake_llm: FakeLLM) -> None:
    cache = DictCache()
    config = fake_llm.config()
    kwargs: dict[str, Any] = {
        "article_key": "https://news.example/a/1",
        "language": "zh",
        "title": "星海智能发布开源大模型",
        "topic_terms": {"大模型": 1.0},
        "llm": config,
        "cache": cache,
        "topic_name": "开源大模型",
    }
    assert summarize_article(ZH_TEXT, **kwargs) == (ZH_ANSWER, "llm")
    assert len(fake_llm.requests) == 1
    request = fake_llm.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.body["model"] == "test-model"
    assert request.body["temperature"] == 0
    assert request.body["max_tokens"] == 256
    user = user_message(request)
    assert "周明远介绍，“潮汐-2”采用混合专家架构" in user  # the article text
    assert "in Chinese" in user and "请用中文撰写摘要" in user  # the language instruction
    assert "120" in user  # the budget
    assert "开源大模型" in user and "星海智能发布开源大模型" in user  # topic and title
    assert cache.data == {("https://news.example/a/1", "test-model", PROMPT_VERSION): ZH_ANSWER}

    assert summarize_article(ZH_TEXT, **kwargs) == (ZH_ANSWER, "llm-cache")
    assert len(fake_llm.requests) == 1  # the server was not asked again


def test_english_article_asks_for_english(fake_llm: FakeLLM) -> None:
    fake_llm.answer = EN_ANSWER
    summary = llm_summarize(EN_TEXT, title=None, language=None, config=fake_llm.config())
    assert summary == EN_ANSWER
    user = user_message(fake_llm.requests[0])
    assert "in English" in user and "60 words" in user
    assert "中文" not in user
    assert "Dr. Priya Raman, who leads the research team" in user


def test_budget_reaches_the_prompt(fake_llm: FakeLLM) -> None:
    fake_llm.answer = EN_ANSWER
    summary, method = summarize_article(
        EN_TEXT,
        article_key="k",
        language="en",
        title=None,
        topic_terms=None,
        llm=fake_llm.config(),
        cache=None,
        max_words_en=35,
    )
    assert (summary, method) == (EN_ANSWER, "llm")
    assert "at most 35 words" in user_message(fake_llm.requests[0])


def test_base_url_with_v1_and_no_key(fake_llm: FakeLLM) -> None:
    config = fake_llm.config(base_url=f"http://127.0.0.1:{fake_llm.port}/v1/", api_key=None)
    assert llm_summarize(ZH_TEXT, title=None, language="zh", config=config) == ZH_ANSWER
    request = fake_llm.requests[0]
    assert request.path == "/v1/chat/completions"
    assert "Authorization" not in request.headers


def test_answer_is_cleaned(fake_llm: FakeLLM) -> None:
    fake_llm.answer = (
        "<think>short and neutral</think>\n摘要：星海智能发布开源大模型。\n权重已公开。\n"
    )
    assert llm_summarize(ZH_TEXT, title=None, language="zh", config=fake_llm.config()) == (
        "星海智能发布开源大模型。权重已公开。"
    )


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("https://api.example.com", "https://api.example.com/v1/chat/completions"),
        ("https://api.example.com/", "https://api.example.com/v1/chat/completions"),
        ("https://api.example.com/v1", "https://api.example.com/v1/chat/completions"),
        ("http://127.0.0.1:8080/v1/", "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://h/openai/v1/chat/completions", "http://h/openai/v1/chat/completions"),
    ],
)
def test_chat_completions_url(base: str, url: str) -> None:
    assert chat_completions_url(base) == url


def test_long_article_is_truncated() -> None:
    text = "这是一句很长的测试文字，用来检查截断。" * 1000
    messages = build_messages(text, title=None, language="zh")
    article = messages[1]["content"].split("Article:\n", 1)[1]
    assert MAX_INPUT_CHARS * 0.8 <= len(article) <= MAX_INPUT_CHARS
    assert article.endswith("。")


# --------------------------------------------------------------------------------------------
# Failures fall back to the extractive summary
# --------------------------------------------------------------------------------------------


def fallback_case(
    fake_llm: FakeLLM, caplog: pytest.LogCaptureFixture, **config: Any
) -> tuple[str, str, DictCache]:
    cache = DictCache()
    with caplog.at_level(logging.WARNING, logger="digest.llm"):
        summary, method = summarize_article(
            ZH_TEXT,
            article_key="https://news.example/a/2",
            language="zh",
            title=None,
            topic_terms={"开源": 1.0},
            llm=fake_llm.config(**config),
            cache=cache,
        )
    return summary, method, cache


def expected_extractive() -> str:
    return summarize(ZH_TEXT, language="zh", topic_terms={"开源": 1.0})


def test_http_500_falls_back(fake_llm: FakeLLM, caplog: pytest.LogCaptureFixture) -> None:
    fake_llm.mode = "error500"
    summary, method, cache = fallback_case(fake_llm, caplog)
    assert (summary, method) == (expected_extractive(), "extractive")
    assert summary
    assert cache.data == {}
    assert "HTTP 500" in caplog.text and "model overloaded" in caplog.text
    assert "https://news.example/a/2" in caplog.text


def test_timeout_falls_back(fake_llm: FakeLLM, caplog: pytest.LogCaptureFixture) -> None:
    fake_llm.mode, fake_llm.delay = "slow", 5.0
    started = time.monotonic()
    summary, method, cache = fallback_case(fake_llm, caplog, timeout=0.3)
    assert time.monotonic() - started < 3.0
    assert (summary, method) == (expected_extractive(), "extractive")
    assert cache.data == {}
    assert "0.3 s" in caplog.text or "timed out" in caplog.text


def test_malformed_json_falls_back(fake_llm: FakeLLM, caplog: pytest.LogCaptureFixture) -> None:
    fake_llm.mode = "badjson"
    summary, method, _cache = fallback_case(fake_llm, caplog)
    assert (summary, method) == (expected_extractive(), "extractive")
    assert "not JSON" in caplog.text


def test_empty_answer_falls_back(fake_llm: FakeLLM, caplog: pytest.LogCaptureFixture) -> None:
    fake_llm.mode = "empty"
    summary, method, cache = fallback_case(fake_llm, caplog)
    assert (summary, method) == (expected_extractive(), "extractive")
    assert cache.data == {}
    assert "empty" in caplog.text


def test_cut_off_answer_falls_back(fake_llm: FakeLLM, caplog: pytest.LogCaptureFixture) -> None:
    fake_llm.mode = "length"
    _summary, method, _cache = fallback_case(fake_llm, caplog)
    assert method == "extractive"
    assert "cut off" in caplog.text


def test_unreachable_server_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), ChatHandler)
    port = closed.server_address[1]
    closed.server_close()  # nothing listens there any more
    config = LLMConfig(base_url=f"http://127.0.0.1:{port}", model="m", api_key=None, timeout=2)
    with caplog.at_level(logging.WARNING, logger="digest.llm"):
        result = summarize_article(
            EN_TEXT,
            article_key="k",
            language="en",
            title=None,
            topic_terms=None,
            llm=config,
            cache=None,
        )
    assert result == (summarize(EN_TEXT, language="en"), "extractive")
    assert "cannot reach" in caplog.text


def test_llm_summarize_raises_llm_error(fake_llm: FakeLLM) -> None:
    fake_llm.mode = "error500"
    with pytest.raises(LLMError, match="HTTP 500"):
        llm_summarize(ZH_TEXT, title=None, language="zh", config=fake_llm.config())


def test_broken_cache_does_not_cost_the_summary(
    fake_llm: FakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    class BrokenCache:
        def get(self, article_key: str, model: str, prompt_version: str) -> str | None:
            raise OSError("database is locked")

        def put(self, article_key: str, model: str, prompt_version: str, summary: str) -> None:
            raise OSError("database is locked")

    with caplog.at_level(logging.WARNING, logger="digest.llm"):
        result = summarize_article(
            ZH_TEXT,
            article_key="k",
            language="zh",
            title=None,
            topic_terms=None,
            llm=fake_llm.config(),
            cache=BrokenCache(),
        )
    assert result == (ZH_ANSWER, "llm")
    assert "database is locked" in caplog.text


# --------------------------------------------------------------------------------------------
# Without an LLM
# --------------------------------------------------------------------------------------------


def test_no_llm_configured_is_extractive(fake_llm: FakeLLM) -> None:
    cache = DictCache()
    result = summarize_article(
        EN_TEXT,
        article_key="k",
        language="en",
        title=None,
        topic_terms=None,
        llm=None,
        cache=cache,
        max_words_en=30,
    )
    assert result == (summarize(EN_TEXT, language="en", max_words_en=30), "extractive")
    assert fake_llm.requests == [] and cache.gets == 0


def test_empty_text_never_asks_the_model(fake_llm: FakeLLM) -> None:
    result = summarize_article(
        "  ",
        article_key="k",
        language=None,
        title="A title",
        topic_terms=None,
        llm=fake_llm.config(),
        cache=DictCache(),
    )
    assert result == ("", "extractive")
    assert fake_llm.requests == []


def test_unknown_budget_argument_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="max_chars"):
        summarize_article(
            "text",
            article_key="k",
            language="en",
            title=None,
            topic_terms=None,
            llm=None,
            cache=None,
            max_chars=10,
        )
