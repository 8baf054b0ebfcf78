"""guard: the review queue

Revision ID: 0004_guard_reviews
Revises: 0001_foundation
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_guard_reviews"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guard_reviews",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("source", sa.String(16), nullable=True),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("policy", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_chars", sa.Integer(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("clauses", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("requested_by", sa.String(100), nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_guard_reviews"),
    )
    op.create_index("ix_guard_reviews_created_at", "guard_reviews", ["created_at"])
    op.create_index("ix_guard_reviews_status", "guard_reviews", ["status"])


def downgrade() -> None:
    op.drop_index("ix_guard_reviews_status", table_name="guard_reviews")
    op.drop_index("ix_guard_reviews_created_at", table_name="guard_reviews")
    op.drop_table("guard_reviews")
