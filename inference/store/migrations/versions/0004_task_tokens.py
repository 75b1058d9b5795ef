"""Task tokens: the processing state machine's Review task records its token with the
document, and the reviewer's correction hands it back (`inference/store/task_tokens.py`).

Revision ID: 0004_task_tokens
Revises: 0003_review
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_task_tokens"
down_revision: str | None = "0003_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "task_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(64), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("execution", sa.String(2048), nullable=False),
        sa.Column("state", sa.String(80), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("output", JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_task_tokens_document_id", "task_tokens", ["document_id"])
    op.create_index("ix_task_tokens_status", "task_tokens", ["status"])


def downgrade() -> None:
    op.drop_index("ix_task_tokens_status", "task_tokens")
    op.drop_index("ix_task_tokens_document_id", "task_tokens")
    op.drop_table("task_tokens")
