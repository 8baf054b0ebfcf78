"""Storage: SQLAlchemy models and Alembic migrations. The only package that speaks SQL.

Table modules are imported here so that ``Base.metadata`` knows every table.
"""

from aigis.store import assess as assess  # assessment tables
from aigis.store import guard_reviews as guard_reviews  # the guard's review queue
from aigis.store import inventory as inventory  # AI system inventory
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
