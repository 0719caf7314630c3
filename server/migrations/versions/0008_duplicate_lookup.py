"""an index for duplicate suggestions: a company's contacts by name

(account_id, lower-cased company name, lower-cased name, id), the expressions server/duplicates.py compares
(`company_sql`), so that a contact's duplicate suggestions read the names of its company around its own from an
index, in order, whatever the size of the company. The other lookups have theirs already: `lower(email)`
(0006) and the (account_id, phone_number) unique constraint (0001).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from server.duplicates import COMPANY_NAME_INDEX, company_sql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    company = company_sql(op.get_bind().dialect.name)
    op.create_index(
        COMPANY_NAME_INDEX, "contacts", ["account_id", sa.text(company), sa.text("lower(name)"), "id"]
    )


def downgrade() -> None:
    op.drop_index(COMPANY_NAME_INDEX, table_name="contacts")
