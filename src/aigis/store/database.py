"""Engine, sessions and migrations. SQLite in the data directory by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from aigis.config import Settings, redact_url
from aigis.errors import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


class Database:
    """One database: an engine, a session factory and its migrations."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ConfigError(
                f"database URL {redact_url(url)!r} is not valid; use sqlite:///PATH or "
                "postgresql://USER@HOST/DB"
            ) from None
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.url = url

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.database_url)

    @cached_property
    def engine(self) -> Engine:
        engine = create_engine(self.url, pool_pre_ping=True, future=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self) -> list[str]:
        """Apply every pending migration (all branches) and return the heads now applied."""
        cfg = self._alembic_config()
        try:
            command.upgrade(cfg, "heads")
        except OperationalError as exc:
            raise ConfigError(f"cannot reach the database at {redact_url(self.url)!r}: {exc.orig}") from None
        return self.current_revisions()

    def current_revisions(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(MigrationContext.configure(conn).get_current_heads())

    def head_revisions(self) -> list[str]:
        return sorted(ScriptDirectory.from_config(self._alembic_config()).get_heads())

    def is_current(self) -> bool:
        return self.current_revisions() == self.head_revisions()

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
