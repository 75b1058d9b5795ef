"""Reviewing: a document names the reviewer who holds it and until when (a lease, so two
reviewers do not edit the same page), and a gold label keeps what the reviewer changed against
the model's answer (`labels.diff`).

Revision ID: 0003_review
Revises: 0002_uploader
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_review"
down_revision: str | None = "0002_uploader"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("documents") as table:  # batch: SQLite alters by copying
        table.add_column(sa.Column("review_claimed_by", sa.String(200), nullable=True))
        table.add_column(sa.Column("review_claim_expires_at", sa.DateTime(timezone=True),
                                   nullable=True))
    with op.batch_alter_table("labels") as table:
        table.add_column(sa.Column("diff", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("labels") as table:
        table.drop_column("diff")
    with op.batch_alter_table("documents") as table:
        table.drop_column("review_claim_expires_at")
        table.drop_column("review_claimed_by")
