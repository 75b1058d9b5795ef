"""Documents name their uploader (the teacher's or school's account), so that the learning
loop keeps every page of one uploader on one side of its train/gate split.

Revision ID: 0002_uploader
Revises: 0001_initial
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_uploader"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as table:  # batch: SQLite alters by copying
        table.add_column(sa.Column("uploader", sa.String(200), nullable=True))
        table.create_index("ix_documents_uploader", ["uploader"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as table:
        table.drop_index("ix_documents_uploader")
        table.drop_column("uploader")
