"""contact merges that may be undone: what the two contacts were before the merge, kept for 30 seconds

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("base_contact_id", sa.Integer(), nullable=False),
        sa.Column("mergee_contact_id", sa.Integer(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("undone_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["base_contact_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_contact_merges_created", "contact_merges", ["created_at"], unique=False)
    op.create_index("ix_contact_merges_base_contact_id", "contact_merges", ["base_contact_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_contact_merges_base_contact_id", table_name="contact_merges")
    op.drop_index("ix_contact_merges_created", table_name="contact_merges")
    op.drop_table("contact_merges")
