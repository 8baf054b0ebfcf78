"""Storage: SQLAlchemy models and Alembic migrations. The only package that speaks SQL.

Table modules are imported here so that ``Base.metadata`` knows every table.
"""

from aigis.store.base import Base
from aigis.store.database import Database
from aigis.store.tokens import (
    SCOPES,
    ApiToken,
    authenticate,
    create_token,
    list_tokens,
    revoke_token,
)

__all__ = [
    "SCOPES",
    "ApiToken",
    "Base",
    "Database",
    "authenticate",
    "create_token",
    "list_tokens",
    "revoke_token",
]
