"""Fixtures for subscribers, delivery, the web app and the scheduler (a pytest plugin: test
modules load it with ``pytest_plugins = ["conftest_delivery"]``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from delivery_support import Project, project_env
from smtp_server import SMTPServer, smtp_server


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A throwaway project root configured through environment variables."""
    root = tmp_path / "project"
    root.mkdir()
    return Project(root, project_env())


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    """A real SMTP server on 127.0.0.1 that records what it receives."""
    with smtp_server() as server:
        yield server


@pytest.fixture
def mailed(project: Project, smtp: SMTPServer) -> Project:
    """The project, sending to the test SMTP server."""
    project.env["SEEDWIRE_EMAIL_SMTP_PORT"] = str(smtp.port)
    return project
