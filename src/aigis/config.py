"""Settings from environment variables (AIGIS_*), with defaults that work on a fresh machine."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from aigis.errors import ConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8470


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise ConfigError(f"AIGIS_PORT: {value!r} is not a number; use an integer from 1 to 65535") from None
    if not 1 <= port <= 65535:
        raise ConfigError(f"AIGIS_PORT: {port} is out of range; use an integer from 1 to 65535")
    return port


def _database_url(value: str) -> str:
    allowed = ("sqlite", "postgresql")
    scheme = value.split(":", 1)[0].split("+", 1)[0]
    if scheme not in allowed:
        raise ConfigError(
            f"AIGIS_DATABASE_URL: scheme {scheme!r} is not supported; use sqlite:///PATH or postgresql://..."
        )
    if value.startswith("postgresql://"):
        # Use psycopg 3, which is what aigis installs.
        value = "postgresql+psycopg://" + value[len("postgresql://") :]
    return value


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    redis_url: str | None
    host: str
    port: int
    lang: str | None
    secret_fields: tuple[str, ...] = field(default=("database_url", "redis_url"), repr=False)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        home = Path(env.get("AIGIS_HOME") or platformdirs.user_data_dir("aigis")).expanduser()
        db = env.get("AIGIS_DATABASE_URL") or f"sqlite:///{home / 'aigis.db'}"
        return cls(
            home=home,
            database_url=_database_url(db),
            redis_url=env.get("AIGIS_REDIS_URL") or None,
            host=env.get("AIGIS_HOST") or DEFAULT_HOST,
            port=_port(env.get("AIGIS_PORT") or str(DEFAULT_PORT)),
            lang=env.get("AIGIS_LANG") or None,
        )

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home

    def public_dict(self) -> dict[str, str | int | None]:
        """Settings as shown to a person: passwords in URLs are replaced by '***'."""
        return {
            "home": str(self.home),
            "database_url": redact_url(self.database_url),
            "redis_url": redact_url(self.redis_url) if self.redis_url else None,
            "host": self.host,
            "port": self.port,
            "lang": self.lang,
        }


def redact_url(url: str) -> str:
    """Hide the password part of scheme://user:password@host URLs."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    if ":" in creds:
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url


def get_settings() -> Settings:
    return Settings.from_env()
