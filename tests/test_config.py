from __future__ import annotations

from pathlib import Path

import pytest

from aigis.config import DEFAULT_HOST, Settings, redact_url
from aigis.errors import ConfigError, InputError
from aigis.i18n import parse_lang, resolve_lang


def test_defaults_bind_loopback_and_use_sqlite_in_home(tmp_path: Path) -> None:
    s = Settings.from_env({"AIGIS_HOME": str(tmp_path)})
    assert s.host == DEFAULT_HOST == "127.0.0.1"
    assert s.database_url == f"sqlite:///{tmp_path / 'aigis.db'}"
    assert s.redis_url is None


def test_postgres_url_uses_psycopg3_driver() -> None:
    s = Settings.from_env({"AIGIS_HOME": "/tmp/x", "AIGIS_DATABASE_URL": "postgresql://u:pw@db/aigis"})
    assert s.database_url == "postgresql+psycopg://u:pw@db/aigis"


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"AIGIS_PORT": "eighty"}, "AIGIS_PORT"),
        ({"AIGIS_PORT": "70000"}, "1 to 65535"),
        ({"AIGIS_DATABASE_URL": "mysql://x"}, "scheme 'mysql'"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        Settings.from_env({"AIGIS_HOME": "/tmp/x", **env})


def test_public_dict_hides_passwords() -> None:
    s = Settings.from_env(
        {
            "AIGIS_HOME": "/tmp/x",
            "AIGIS_DATABASE_URL": "postgresql://u:s3cret@db/a",
            "AIGIS_REDIS_URL": "redis://:hunter2@cache:6379/0",
        }
    )
    shown = str(s.public_dict())
    assert "s3cret" not in shown and "hunter2" not in shown
    assert redact_url("postgresql://u:s3cret@db/a") == "postgresql://u:***@db/a"


def test_language_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert resolve_lang() == "zh"
    monkeypatch.setenv("AIGIS_LANG", "en")
    assert resolve_lang() == "en"
    assert resolve_lang("zh") == "zh"
    monkeypatch.delenv("AIGIS_LANG")
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert resolve_lang() == "en"


def test_bad_language_is_a_clear_error() -> None:
    assert parse_lang("zh-CN") == "zh"
    with pytest.raises(InputError, match="use one of: zh, en"):
        parse_lang("fr")
