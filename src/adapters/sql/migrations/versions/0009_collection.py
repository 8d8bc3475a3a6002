"""collection by SEPA direct debit: the community's account, remittances and their items, bank files

Revision ID: 0009
Revises: 0008

Sections are edited by separate changes; keep each change inside its own section.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import prorata.adapters.sql.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(length=36), nullable=False)


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant_id", sa.String(length=36), nullable=False)


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, prorata.adapters.sql.types.UtcDateTime(timezone=True), nullable=nullable)


def _tenant_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"))


def upgrade() -> None:
    # --- collection ---
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("iban", sa.String(length=34), nullable=True))
        batch_op.add_column(sa.Column("bic", sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column("prenotification_days", sa.Integer(), nullable=True))
    op.create_table(
        "remittances",
        _id(),
        _tenant(),
        sa.Column("community_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("scheme", sa.String(length=4), nullable=False),
        sa.Column("collection_date", sa.Date(), nullable=False),
        _when("created_at"),
        sa.Column("created_by", sa.String(length=50), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("creditor_name", sa.String(length=200), nullable=False),
        sa.Column("creditor_iban", sa.String(length=34), nullable=False),
        sa.Column("creditor_bic", sa.String(length=11), nullable=True),
        sa.Column("creditor_id", sa.String(length=35), nullable=False),
        sa.Column("excluded", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        _when("cancelled_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_remittances_community_id_communities")
        ),
        _tenant_key("remittances"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittances")),
        sa.UniqueConstraint("tenant_id", "message_id", name=op.f("uq_remittances_tenant_id_message_id")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_remittances_tenant_id_number")),
    )
    with op.batch_alter_table("remittances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_remittances_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_remittances_tenant_id"), ["tenant_id"], unique=False)
    op.create_table(
        "remittance_items",
        _id(),
        _tenant(),
        sa.Column("remittance_id", sa.String(length=36), nullable=False),
        sa.Column("receipt_id", sa.String(length=36), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("sequence_type", sa.String(length=4), nullable=False),
        sa.Column("payer_id", sa.String(length=36), nullable=False),
        sa.Column("payer_name", sa.String(length=200), nullable=False),
        sa.Column("payer_iban", sa.String(length=34), nullable=False),
        sa.Column("payer_bic", sa.String(length=11), nullable=True),
        sa.Column("mandate_id", sa.String(length=35), nullable=False),
        sa.Column("mandate_signed_on", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=140), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=4), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["receipt_events.id"], name=op.f("fk_remittance_items_event_id_receipt_events")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_remittance_items_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["remittance_id"],
            ["remittances.id"],
            name=op.f("fk_remittance_items_remittance_id_remittances"),
        ),
        _tenant_key("remittance_items"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittance_items")),
        sa.UniqueConstraint("event_id", name=op.f("uq_remittance_items_event_id")),
        sa.UniqueConstraint("receipt_id", "open", name=op.f("uq_remittance_items_receipt_id_open")),
        sa.UniqueConstraint(
            "remittance_id", "end_to_end_id", name=op.f("uq_remittance_items_remittance_id_end_to_end_id")
        ),
    )
    with op.batch_alter_table("remittance_items", schema=None) as batch_op:
        batch_op.create_index("ix_remittance_items_end_to_end", ["tenant_id", "end_to_end_id"], unique=False)
        batch_op.create_index("ix_remittance_items_mandate", ["tenant_id", "mandate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_remittance_items_receipt_id"), ["receipt_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_remittance_items_remittance_id"), ["remittance_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_remittance_items_tenant_id"), ["tenant_id"], unique=False)
    op.create_table(
        "bank_returns",
        _id(),
        _tenant(),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        _when("received_at"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=30), nullable=True),
        sa.Column("message_id", sa.String(length=100), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        _tenant_key("bank_returns"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_returns")),
        sa.UniqueConstraint("tenant_id", "sha256", name=op.f("uq_bank_returns_tenant_id_sha256")),
    )
    with op.batch_alter_table("bank_returns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_returns_tenant_id"), ["tenant_id"], unique=False)
    op.create_table(
        "bank_return_lines",
        _id(),
        _tenant(),
        sa.Column("bank_return_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("receipt_event_id", sa.String(length=36), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=4), nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_return_id"],
            ["bank_returns.id"],
            name=op.f("fk_bank_return_lines_bank_return_id_bank_returns"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["remittance_items.id"], name=op.f("fk_bank_return_lines_item_id_remittance_items")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_event_id"],
            ["receipt_events.id"],
            name=op.f("fk_bank_return_lines_receipt_event_id_receipt_events"),
        ),
        _tenant_key("bank_return_lines"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_return_lines")),
        sa.UniqueConstraint(
            "bank_return_id",
            "item_id",
            "outcome",
            name=op.f("uq_bank_return_lines_bank_return_id_item_id_outcome"),
        ),
        sa.UniqueConstraint("receipt_event_id", name=op.f("uq_bank_return_lines_receipt_event_id")),
    )
    with op.batch_alter_table("bank_return_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_return_lines_bank_return_id"), ["bank_return_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_bank_return_lines_tenant_id"), ["tenant_id"], unique=False)
    # --- end collection ---


def downgrade() -> None:
    # --- collection ---
    for table in ("bank_return_lines", "bank_returns", "remittance_items", "remittances"):
        op.drop_table(table)  # their indexes go with them
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_column("prenotification_days")
        batch_op.drop_column("bic")
        batch_op.drop_column("iban")
    # --- end collection ---
