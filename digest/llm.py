"""Optional LLM summaries through any OpenAI-compatible chat-completions endpoint.

The backend is a plain HTTP POST (urllib, no SDK) to ``{base_url}/v1/chat/completions``, so it
works with hosted APIs and with local servers (llama.cpp, vLLM, Ollama) alike. Answers are cached
per (article, model, prompt version) through a :class:`SummaryCache`, which the store implements.
:func:`summarize_article` never fails because of the backend: on any problem it logs a warning and
returns the extractive summary instead.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from digest.summarize import resolve_language, summarize

logger = logging.getLogger(__name__)

__all__ = [
    "LLMConfig",
    "LLMError",
    "PROMPT_VERSION",
    "SummaryCache",
    "build_messages",
    "chat_completions_url",
    "llm_summarize",
    "summarize_article",
]

PROMPT_VERSION = "1"  # bump whenever the prompt or its parameters change
MAX_INPUT_CHARS = 6000  # article text sent to the model
MAX_RESPONSE_BYTES = 1_000_000
_BUDGET_KEYS = frozenset({"max_chars_zh", "max_words_en"})


@dataclass
class LLMConfig:
    """Where and how to ask for summaries."""

    base_url: str  # e.g. "https://api.openai.com" or "http://127.0.0.1:8080/v1"
    model: str
    api_key: str | None
    timeout: float = 30.0  # seconds, for connecting and for each read
    max_tokens: int = 300


class LLMError(Exception):
    """The LLM backend could not give a usable summary (network, HTTP, protocol, empty answer)."""


class SummaryCache(Protocol):
    """Storage for LLM summaries, keyed by article, model and prompt version."""

    def get(self, article_key: str, model: str, prompt_version: str) -> str | None: ...

    def put(self, article_key: str, model: str, prompt_version: str, summary: str) -> None: ...


# --------------------------------------------------------------------------------------------
# Prompt
# --------------------------------------------------------------------------------------------

_SYSTEM_PROMPT = (
    "You write the summaries of a weekly news digest. Summarise the article the user gives you "
    "in one to three sentences: neutral and factual, the main news first, no opinion, nothing "
    "that is not in the article. Answer with the summary only: no preamble, no title, no "
    "quotation marks around it, no lists, no markdown. Always write in the language of the "
    "article: a Chinese article gets a Chinese summary, an English article an English one."
)


def _language_instruction(language: str, max_chars_zh: int, max_words_en: int) -> str:
    if language == "zh":
        return (
            f"Write the summary in Chinese, the language of the article, in at most "
            f"{max_chars_zh} Chinese characters. 请用中文撰写摘要，不超过{max_chars_zh}个字。"
        )
    return (
        f"Write the summary in English, the language of the article, in at most "
        f"{max_words_en} words."
    )


def _truncate(text: str, limit: int = MAX_INPUT_CHARS) -> str:
    """At most ``limit`` characters, cut at a sentence end when one is near the limit."""
    text = text.strip()
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = max(head.rfind(mark) for mark in ("。", "！", "？", ". ", "! ", "? ", "\n"))
    if cut >= limit * 0.8:
        head = head[: cut + 1]
    return head.rstrip()


def build_messages(
    text: str,
    *,
    title: str | None,
    language: str,
    topic_name: str | None = None,
    max_chars_zh: int = 120,
    max_words_en: int = 60,
) -> list[dict[str, str]]:
    """The system and user messages asking for a summary of ``text`` in ``language``."""
    parts = [_language_instruction(language, max_chars_zh, max_words_en)]
    if topic_name:
        parts.append(
            f'The digest section is "{topic_name}": put first what matters for it, without '
            "inventing a connection."
        )
    if title:
        parts.append(f"Title: {title.strip()}")
    parts.append("Article:\n" + _truncate(text))
    return [
        {"role": "system", "content": _SYSTEM_PROMPT},
        {"role": "user", "content": "\n\n".join(parts)},
    ]


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


def chat_completions_url(base_url: str) -> str:
    """``{base}/v1/chat/completions``, whether or not ``base_url`` already ends in ``/v1``."""
    base = base_url.strip().rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if re.search(r"/v\d+$", base):
        return base + "/chat/completions"
    return base + "/v1/chat/completions"


def _is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _opener(url: str) -> urllib.request.OpenerDirector:
    """A local model server is reached directly even when an HTTP proxy is configured."""
    if _is_loopback(url):
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def _post_json(url: str, payload: dict[str, Any], config: LLMConfig) -> bytes:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "User-Agent": "seedwire",
    }
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener(url).open(request, timeout=config.timeout) as response:
            raw = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        try:
            detail = exc.read(300).decode("utf-8", "replace").strip()
        except Exception:
            detail = ""
        raise LLMError(f"HTTP {exc.code} from {url}: {detail or exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise LLMError(f"cannot reach {url}: {exc.reason}") from exc
    except TimeoutError as exc:
        raise LLMError(f"no answer from {url} within {config.timeout:g} s") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise LLMError(f"request to {url} failed: {exc!r}") from exc
    if len(raw) > MAX_RESPONSE_BYTES:
        raise LLMError(f"answer from {url} is larger than {MAX_RESPONSE_BYTES} bytes")
    return raw


_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_PREAMBLE = re.compile(
    r"^\s*(?:\*\*)?(?:summary|tl;?dr|摘要|总结|概要|内容摘要)(?:\*\*)?\s*[:：]\s*", re.IGNORECASE
)
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}


def _clean_answer(content: str) -> str:
    """The summary from a model's answer: no reasoning block, label, wrapping quotes or breaks."""
    text = _THINKING.sub("", content).strip()
    text = _PREAMBLE.sub("", text).strip()
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1] and text.count(text[0]) == 1:
        text = text[1:-1].strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out = ""
    for line in lines:  # join lines: a space between Latin text, nothing between Chinese
        if out and (out[-1].isascii() or line[0].isascii()):
            out += " "
        out += line
    return out


def _content(raw: bytes) -> str:
    """``choices[0].message.content`` of a chat-completions answer, or LLMError."""
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LLMError(f"answer is not JSON: {raw[:80]!r}") from exc
    if not isinstance(payload, dict):
        raise LLMError("answer is not a JSON object")
    if payload.get("error"):
        raise LLMError(f"API error: {payload['error']}")
    try:
        choice = payload["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise LLMError("answer has no choices[0].message.content") from exc
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}]
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    if not isinstance(content, str):
        raise LLMError(f"answer content is {type(content).__name__}, not text")
    if isinstance(choice, dict) and choice.get("finish_reason") == "length":
        raise LLMError("answer was cut off at max_tokens")
    return content


def llm_summarize(
    text: str,
    *,
    title: str | None,
    language: str | None,
    config: LLMConfig,
    topic_name: str | None = None,
    max_chars_zh: int = 120,
    max_words_en: int = 60,
) -> str:
    """Ask the configured model for a summary of ``text`` in the article's language.

    Raises :class:`LLMError` on any failure: unreachable server, timeout, HTTP error, an answer
    that is not chat-completions JSON, an answer cut off at ``max_tokens``, or an empty one.
    """
    lang = resolve_language(language, text)
    url = chat_completions_url(config.base_url)
    payload = {
        "model": config.model,
        "messages": build_messages(
            text,
            title=title,
            language=lang,
            topic_name=topic_name,
            max_chars_zh=max_chars_zh,
            max_words_en=max_words_en,
        ),
        "temperature": 0,
        "max_tokens": config.max_tokens,
    }
    summary = _clean_answer(_content(_post_json(url, payload, config)))
    if not summary:
        raise LLMError("the model answered with an empty summary")
    return summary


# --------------------------------------------------------------------------------------------
# The digest's entry point
# --------------------------------------------------------------------------------------------


def summarize_article(
    text: str,
    *,
    article_key: str,
    language: str | None,
    title: str | None,
    topic_terms: dict[str, float] | None,
    llm: LLMConfig | None,
    cache: SummaryCache | None,
    topic_name: str | None = None,
    **budget: int,
) -> tuple[str, str]:
    """An article's summary and how it was made: ``"llm"``, ``"llm-cache"`` or ``"extractive"``.

    With an LLM configured, a cached answer for (article, model, prompt version) is used first;
    otherwise the model is asked and its answer cached. Any failure (of the model or of the
    cache) is logged as a warning and the extractive summary is returned instead. ``budget``
    takes ``max_chars_zh`` and ``max_words_en``, as :func:`digest.summarize.summarize` does.
    """
    unknown = set(budget) - _BUDGET_KEYS
    if unknown:
        raise TypeError(f"unexpected budget argument(s): {', '.join(sorted(unknown))}")
    if llm is not None and text and text.strip():
        if cache is not None:
            try:
                cached = cache.get(article_key, llm.model, PROMPT_VERSION)
            except Exception as exc:  # a broken cache must not cost the summary
                logger.warning("summary cache lookup failed for %s: %s", article_key, exc)
                cached = None
            if cached:
                return cached, "llm-cache"
        try:
            summary = llm_summarize(
                text, title=title, language=language, config=llm, topic_name=topic_name, **budget
            )
        except LLMError as exc:
            logger.warning("LLM summary failed for %s, using extractive: %s", article_key, exc)
        except Exception as exc:  # whatever happens, the digest gets a summary
            logger.warning(
                "LLM summary failed for %s, using extractive: %s: %s",
                article_key,
                type(exc).__name__,
                exc,
            )
        else:
            if cache is not None:
                try:
                    cache.put(article_key, llm.model, PROMPT_VERSION, summary)
                except Exception as exc:
                    logger.warning("could not cache the summary of %s: %s", article_key, exc)
            return summary, "llm"
    extractive = summarize(text, language=language, topic_terms=topic_terms, title=title, **budget)
    return extractive, "extractive"
