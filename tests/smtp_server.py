"""A real SMTP server on loopback for tests (aiosmtpd), recording what it receives.

    with smtp_server() as server:
        server.handler.answers["bob@example.org"] = ["451 4.3.0 try later"]  # then 250
        server.handler.always["eve@example.org"] = "550 5.1.1 no such user"
        ... send to server.host:server.port ...
        server.handler.wait_for(3)
        server.handler.received  # [Received(sender, recipients, data), ...]

``delay`` makes the server sleep after recording a message and before answering 250 (to
kill a sender in the middle of a transaction).
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any, cast

from aiosmtpd.controller import Controller


def free_port(host: str = "127.0.0.1") -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return cast(EmailMessage, email.message_from_bytes(self.data, policy=default))


@dataclass
class RecordingHandler:
    """Accepts everything except what ``answers`` (one answer per attempt, then accept) and
    ``always`` (every attempt) say for a recipient, at RCPT time."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    always: dict[str, str] = field(default_factory=dict)
    data_answers: list[str] = field(default_factory=list)  # for the next DATA commands
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        with self._cond:
            self.attempts[address] = self.attempts.get(address, 0) + 1
            queued = self.answers.get(address)
            if queued:
                return queued.pop(0)
            if address in self.always:
                return self.always[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._cond:
            if self.data_answers:
                return self.data_answers.pop(0)
            data = envelope.original_content or envelope.content
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), data))
            self._cond.notify_all()
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 2.0.0 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.received)} messages arrived, not {count}")
                self._cond.wait(left)
            return list(self.received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


@dataclass
class SMTPServer:
    host: str
    port: int
    handler: RecordingHandler
    controller: Controller


@contextmanager
def smtp_server(
    handler: RecordingHandler | None = None, host: str = "127.0.0.1"
) -> Iterator[SMTPServer]:
    handler = handler or RecordingHandler()
    port = free_port(host)
    controller = Controller(handler, hostname=host, port=port, ready_timeout=10)
    controller.start()
    try:
        yield SMTPServer(host, port, handler, controller)
    finally:
        controller.stop()
