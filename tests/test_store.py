from __future__ import annotations

import pytest
from sqlalchemy import inspect

from aigis.errors import AuthError, ConfigError, InputError, NotFoundError
from aigis.store import Database, authenticate, create_token, list_tokens, revoke_token


def test_migrations_create_tables_and_are_current(db: Database) -> None:
    assert "api_tokens" in inspect(db.engine).get_table_names()
    assert db.is_current()
    # Running again is a no-op.
    assert db.upgrade() == db.head_revisions()


def test_token_lifecycle(db: Database) -> None:
    with db.session() as s:
        secret = create_token(s, "ci", "read")
        assert secret.startswith("aigis_") and len(secret) > 30
        assert authenticate(s, secret, "read").name == "ci"
        with pytest.raises(AuthError, match="needs 'write'"):
            authenticate(s, secret, "write")
        with pytest.raises(AuthError, match="not valid"):
            authenticate(s, secret + "x")
        revoke_token(s, "ci")
        with pytest.raises(AuthError):
            authenticate(s, secret)
        assert [t.name for t in list_tokens(s)] == ["ci"]


def test_token_secret_is_not_stored(db: Database) -> None:
    with db.session() as s:
        secret = create_token(s, "ops", "admin")
        row = list_tokens(s)[0]
        assert secret not in row.token_hash and len(row.token_hash) == 64


def test_token_errors(db: Database) -> None:
    with db.session() as s:
        create_token(s, "a")
        with pytest.raises(InputError, match="already exists"):
            create_token(s, "a")
        with pytest.raises(InputError, match="use one of: read, write, admin"):
            create_token(s, "b", "root")
        with pytest.raises(NotFoundError, match="unknown token 'zz'"):
            revoke_token(s, "zz")


def test_unreachable_database_is_a_config_error() -> None:
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(ConfigError, match="cannot reach the database"):
        db.upgrade()
