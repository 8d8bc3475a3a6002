"""receipts residents can read: issue and due dates, status date and version, history; due days

Revision ID: 0007
Revises: 0006

Sections are edited by separate changes; keep each change inside its own section.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

import prorata.adapters.sql.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # --- receipts: dates, version, history ---
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issued_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("status_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "receipt_events",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("receipt_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=50), nullable=False),
        sa.Column("recorded_at", prorata.adapters.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=4), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_receipt_events_receipt_id_receipts")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_receipt_events_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_events")),
        sa.UniqueConstraint("receipt_id", "seq", name=op.f("uq_receipt_events_receipt_id_seq")),
    )
    with op.batch_alter_table("receipt_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipt_events_tenant_id"), ["tenant_id"], unique=False)
    _backfill()
    # --- end receipts ---


def _backfill() -> None:
    """Receipts issued before this version: issued on their settlement's publication day, due 15 days
    later; their history starts with that issue (and, for a superseded one, its replacement on the day
    the correction was published)."""
    bind = op.get_bind()
    dates = prorata.adapters.sql.types.UtcDateTime()
    settlements = sa.table(
        "settlements",
        sa.column("id", sa.String),
        sa.column("published_at", dates),
        sa.column("supersedes", sa.String),
    )
    receipts = sa.table(
        "receipts",
        *(sa.column(n, sa.String) for n in ("id", "tenant_id", "settlement_id", "status")),
        sa.column("issued_on", sa.Date),
        sa.column("due_on", sa.Date),
        sa.column("status_on", sa.Date),
        sa.column("version", sa.Integer),
    )
    events = sa.table(
        "receipt_events",
        *(sa.column(n) for n in ("id", "tenant_id", "receipt_id", "seq", "type", "status", "actor")),
        sa.column("on", sa.Date),
        sa.column("recorded_at", dates),
    )
    found = bind.execute(
        sa.select(
            receipts.c.id,
            receipts.c.tenant_id,
            receipts.c.settlement_id,
            receipts.c.status,
            settlements.c.published_at,
        ).join(settlements, settlements.c.id == receipts.c.settlement_id)
    ).all()
    corrected: dict[str, datetime] = {}  # a settlement -> when its first correction was published
    for supersedes, published_at in bind.execute(
        sa.select(settlements.c.supersedes, settlements.c.published_at).where(
            settlements.c.supersedes.is_not(None), settlements.c.published_at.is_not(None)
        )
    ):
        corrected[supersedes] = min(published_at, corrected.get(supersedes, published_at))
    for id, tenant_id, settlement_id, status, published_at in found:
        history = [("issued", "issued", published_at)]
        if status == "superseded":
            history.append(("superseded", "superseded", corrected.get(settlement_id, published_at)))
        day, last = published_at.date(), history[-1][2].date()
        bind.execute(
            receipts.update()
            .where(receipts.c.id == id)
            .values(issued_on=day, due_on=day + timedelta(days=15), status_on=last, version=len(history))
        )
        for seq, (kind, after, at) in enumerate(history, start=1):
            bind.execute(
                events.insert().values(
                    id=str(uuid.uuid4()), tenant_id=tenant_id, receipt_id=id, seq=seq, type=kind,
                    status=after, actor="prorata", on=at.date(), recorded_at=at,
                )
            )  # fmt: skip


def downgrade() -> None:
    # --- receipts ---
    with op.batch_alter_table("receipt_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipt_events_tenant_id"))
    op.drop_table("receipt_events")
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("status_on")
        batch_op.drop_column("due_on")
        batch_op.drop_column("issued_on")
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_column("due_days")
    # --- end receipts ---
