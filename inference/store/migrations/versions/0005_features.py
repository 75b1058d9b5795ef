"""Extractions say what the feature store gave their routing (issue 17): the status (`online`,
`unavailable` with the reason, `off`), the online store and the feature values the calibrator
read, so a document routed without features is marked as such in its record.

Revision ID: 0005_features
Revises: 0004_task_tokens
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_features"
down_revision: str | None = "0004_task_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("extractions") as table:  # batch: SQLite alters by copying
        table.add_column(sa.Column("features", JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("extractions") as table:
        table.drop_column("features")
