"""notifications to residents, webhooks and their deliveries, the shared send pace

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import prorata.adapters.sql.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, prorata.adapters.sql.types.UtcDateTime(timezone=True), nullable=nullable)


def _job_columns() -> list[sa.Column[object]]:
    """What every job row holds besides its own fields (adapters/sql/jobs.py)."""
    return [
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        _when("lease_until"),
        _when("started_at"),
        _when("enqueued_at"),
        _when("not_before"),
    ]


def upgrade() -> None:
    op.create_table(
        "send_paces",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("next_free", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_send_paces")),
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        _when("created_at", nullable=False),
        _when("deleted_at"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_webhooks_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_index(op.f("ix_webhooks_tenant_id"), "webhooks", ["tenant_id"], unique=False)
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("webhook_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        _when("created_at", nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        _when("delivered_at"),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        *_job_columns(),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox.id"],
            name=op.f("fk_webhook_deliveries_event_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_webhook_deliveries_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["webhook_id"], ["webhooks.id"], name=op.f("fk_webhook_deliveries_webhook_id_webhooks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("event_id", "webhook_id", name=op.f("uq_webhook_deliveries_event_id_webhook_id")),
    )
    for column in ("status", "tenant_id", "webhook_id"):
        op.create_index(op.f(f"ix_webhook_deliveries_{column}"), "webhook_deliveries", [column], unique=False)
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("receipt_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("resident_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("idempotency_key", sa.String(length=36), nullable=False),
        _when("created_at", nullable=False),
        sa.Column("headings", sa.JSON(), nullable=False),
        sa.Column("contents", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("provider_id", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        _when("finished_at"),
        *_job_columns(),
        sa.ForeignKeyConstraint(
            ["event_id"], ["receipt_events.id"], name=op.f("fk_notifications_event_id_receipt_events")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_notifications_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_notifications_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_notifications_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_notifications_idempotency_key")),
        sa.UniqueConstraint(
            "receipt_id",
            "event_id",
            "resident_id",
            name=op.f("uq_notifications_receipt_id_event_id_resident_id"),
        ),
    )
    for column in ("receipt_id", "resident_id", "status", "tenant_id"):
        op.create_index(op.f(f"ix_notifications_{column}"), "notifications", [column], unique=False)


def downgrade() -> None:
    for column in ("receipt_id", "resident_id", "status", "tenant_id"):
        op.drop_index(op.f(f"ix_notifications_{column}"), table_name="notifications")
    op.drop_table("notifications")
    for column in ("status", "tenant_id", "webhook_id"):
        op.drop_index(op.f(f"ix_webhook_deliveries_{column}"), table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_index(op.f("ix_webhooks_tenant_id"), table_name="webhooks")
    op.drop_table("webhooks")
    op.drop_table("send_paces")
