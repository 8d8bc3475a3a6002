"""hostile files and clients: drop-zone holds, SFTP login failures and bans

Revision ID: 0006
Revises: 0005

Sections are edited by separate changes; keep each change inside its own section.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import prorata.adapters.sql.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # --- drop zone: a claim names the hold its file was moved into; the hold is part of its key ---
    # Nothing refers to drop_claims, so SQLite may rebuild it.
    with op.batch_alter_table("drop_claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hold", sa.String(length=36), nullable=False, server_default=""))
        batch_op.drop_constraint("uq_drop_claims_account_id_path_size_mtime_ns", type_="unique")
        batch_op.create_unique_constraint(
            "uq_drop_claims_account_id_path_size_mtime_ns_hold",
            ["account_id", "path", "size", "mtime_ns", "hold"],
        )
        batch_op.create_index(batch_op.f("ix_drop_claims_hold"), ["hold"], unique=False)
    # --- end drop zone ---
    # --- sftp logins: failures and bans, shared by every SFTP process ---
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("failed_at", prorata.adapters.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failures_failed_at"), ["failed_at"], unique=False)
        batch_op.create_index("ix_login_failures_subject", ["scope", "subject", "failed_at"], unique=False)
    op.create_table(
        "login_bans",
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("until", prorata.adapters.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "subject", name=op.f("pk_login_bans")),
    )
    # --- end sftp logins ---


def downgrade() -> None:
    # --- sftp logins ---
    op.drop_table("login_bans")
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_subject")
        batch_op.drop_index(batch_op.f("ix_login_failures_failed_at"))
    op.drop_table("login_failures")
    # --- end sftp logins ---
    # --- drop zone ---
    with op.batch_alter_table("drop_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drop_claims_hold"))
        batch_op.drop_constraint("uq_drop_claims_account_id_path_size_mtime_ns_hold", type_="unique")
        batch_op.create_unique_constraint(
            "uq_drop_claims_account_id_path_size_mtime_ns", ["account_id", "path", "size", "mtime_ns"]
        )
        batch_op.drop_column("hold")
    # --- end drop zone ---
