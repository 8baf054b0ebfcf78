"""assess: assessment runs and attempts

Revision ID: 0003_assess
Revises: 0001_foundation
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_assess"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assess_runs",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("config_hash", sa.String(64), nullable=False),
        sa.Column("suite", sa.String(200), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("system_name", sa.String(200), nullable=True),
        sa.Column("clauses", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_assess_runs"),
    )
    op.create_index("ix_assess_runs_config_hash", "assess_runs", ["config_hash"])
    op.create_index("ix_assess_runs_system_name", "assess_runs", ["system_name"])
    op.create_table(
        "assess_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("item_id", sa.String(200), nullable=False),
        sa.Column("attack", sa.String(100), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("item_set", sa.String(32), nullable=False),
        sa.Column("expected", sa.String(32), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assess_attempts"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["assess_runs.id"], name="fk_assess_attempts_run_id_assess_runs", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("run_id", "key", name="uq_assess_attempts_run_id_key"),
    )
    op.create_index("ix_assess_attempts_run_id", "assess_attempts", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_assess_attempts_run_id", table_name="assess_attempts")
    op.drop_table("assess_attempts")
    op.drop_index("ix_assess_runs_system_name", table_name="assess_runs")
    op.drop_index("ix_assess_runs_config_hash", table_name="assess_runs")
    op.drop_table("assess_runs")
