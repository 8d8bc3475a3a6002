"""rendered documents: a receipt's PDF kept in the blob store after its first download

Revision ID: 0008
Revises: 0007

Sections are edited by separate changes; keep each change inside its own section.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import prorata.adapters.sql.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # --- rendered documents ---
    op.create_table(
        "rendered_documents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("rendered_at", prorata.adapters.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_rendered_documents_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rendered_documents")),
        sa.UniqueConstraint("tenant_id", "key", name=op.f("uq_rendered_documents_tenant_id_key")),
    )
    with op.batch_alter_table("rendered_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rendered_documents_tenant_id"), ["tenant_id"], unique=False)
    # --- end rendered documents ---


def downgrade() -> None:
    # --- rendered documents ---
    with op.batch_alter_table("rendered_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rendered_documents_tenant_id"))
    op.drop_table("rendered_documents")
    # --- end rendered documents ---
