"""Shared fixtures: isolated data directory, real databases (SQLite, PostgreSQL), a real HTTP server
on loopback and a real headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from aigis.config import Settings
from aigis.store import Database

POSTGRES_URL = os.environ.get("AIGIS_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("AIGIS_TEST_REDIS_URL")
POSTGRES_HINT = "set AIGIS_TEST_POSTGRES_URL=postgresql://USER@HOST/DB to run the PostgreSQL tests"
REDIS_HINT = "set AIGIS_TEST_REDIS_URL=redis://HOST:PORT/DB to run the Redis tests"


def run_aigis(*args: str, stdin: str | None = None, columns: int = 200) -> subprocess.CompletedProcess[str]:
    """The installed entry point, ``aigis ARGS``, in a child process: it prints an error without a
    traceback and exits with the error's code."""
    return subprocess.run(
        [sys.executable, "-c", "from aigis.cli import main; main()", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": str(columns)},
    )


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "aigis-home"
    monkeypatch.setenv("AIGIS_HOME", str(home))
    monkeypatch.delenv("AIGIS_DATABASE_URL", raising=False)
    monkeypatch.delenv("AIGIS_LANG", raising=False)
    return home


@pytest.fixture
def settings(_isolated_home: Path) -> Settings:
    return Settings.from_env()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'test.db'}")
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_HINT)
    from sqlalchemy import create_engine, text

    admin = create_engine(
        Settings.from_env({"AIGIS_DATABASE_URL": POSTGRES_URL}).database_url, isolation_level="AUTOCOMMIT"
    )
    name = f"aigis_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test against SQLite and PostgreSQL."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'param.db'}")
    else:
        url = request.getfixturevalue("postgres_url")
        database = Database(Settings.from_env({"AIGIS_DATABASE_URL": url}).database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        pytest.skip(REDIS_HINT)
    return REDIS_URL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The aigis app served by uvicorn on a loopback port, in a thread."""

    def __init__(self, settings: Settings, db: Database) -> None:
        from aigis.server import create_app

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = db
        config = uvicorn.Config(
            create_app(settings, db), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(settings: Settings, sqlite_db: Database) -> Iterator[LiveServer]:
    server = LiveServer(settings, sqlite_db)
    server.start()
    yield server
    server.stop()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


# Module scope: sync Playwright keeps an event loop running in the main thread while it is open,
# which would break asyncio tests in other modules.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed; 'make test' installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
