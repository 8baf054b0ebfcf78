"""inventory: AI systems and their versions

Revision ID: 0002_inventory
Revises: 0001_foundation
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_inventory"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ai_systems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ai_systems"),
        sa.UniqueConstraint("name", name="uq_ai_systems_name"),
    )
    op.create_table(
        "ai_system_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("system_name", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ai_system_versions"),
        sa.UniqueConstraint("system_name", "version", name="uq_ai_system_versions_name_version"),
    )
    op.create_index("ix_ai_system_versions_system_name", "ai_system_versions", ["system_name"])


def downgrade() -> None:
    op.drop_index("ix_ai_system_versions_system_name", table_name="ai_system_versions")
    op.drop_table("ai_system_versions")
    op.drop_table("ai_systems")
