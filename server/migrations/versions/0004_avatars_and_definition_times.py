"""contact avatars kept by the server; custom attribute definitions carry updated_at

`contact_avatars` holds each contact's uploaded picture (resized), served at an unguessable key.
`custom_attribute_definitions.updated_at` starts as the definition's `created_at`.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_avatars",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("contact_id"),
        sa.UniqueConstraint("key"),
    )
    op.add_column(
        "custom_attribute_definitions",
        sa.Column("updated_at", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.execute("UPDATE custom_attribute_definitions SET updated_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("custom_attribute_definitions") as batch:
        batch.drop_column("updated_at")
    op.drop_table("contact_avatars")
