"""records that stay true: people over time, readings history, what an import changed

Revision ID: 0005
Revises: 0004

Sections are edited by separate changes; keep each change inside its own section.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import prorata.adapters.sql.types  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # --- people: residents across units, occupancies over time, keys ---
    # Neither residents nor units may be rebuilt on SQLite: dropping the old table would delete, by
    # cascade, every occupancy and resident key. Columns are added in place; uniqueness is an index.
    with op.batch_alter_table("residents", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("tax_id", sa.String(length=30), nullable=True))
        batch_op.create_index("ix_residents_tenant_id_tax_id", ["tenant_id", "tax_id"], unique=True)
    with op.batch_alter_table("occupancies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("until", sa.Date(), nullable=True))
    # An id for each occupancy so far (one per resident and unit until now); any unique text will do, as
    # new ones are UUIDs.
    held = sa.table("occupancies", sa.column("id"), sa.column("resident_id"), sa.column("unit_id"))
    connection = op.get_bind()
    pairs = connection.execute(sa.select(held.c.resident_id, held.c.unit_id)).all()
    for number, (resident_id, unit_id) in enumerate(pairs, start=1):
        connection.execute(
            sa.update(held)
            .where(held.c.resident_id == resident_id, held.c.unit_id == unit_id)
            .values(id=f"occupancy-{number}")
        )
    with op.batch_alter_table("occupancies", schema=None) as batch_op:
        batch_op.alter_column("id", existing_type=sa.String(length=36), nullable=False)
        batch_op.drop_constraint("pk_occupancies", type_="primary")
        batch_op.create_primary_key("pk_occupancies", ["id"])
        batch_op.create_index(batch_op.f("ix_occupancies_resident_id"), ["resident_id"], unique=False)
    # --- end people ---
    # --- readings: history, sources, corrections, meter replacements ---
    with op.batch_alter_table("meters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaced_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("replaced_by", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_meters_replaced_by_meters"), "meters", ["replaced_by"], ["id"]
        )
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("corrections", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_readings_import_id"), ["import_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_readings_import_id_imports"), "imports", ["import_id"], ["id"]
        )
        # A meter's history is kept: deleting a meter no longer deletes its readings, it is refused.
        batch_op.drop_constraint("fk_readings_meter_id_meters", type_="foreignkey")
        batch_op.create_foreign_key("fk_readings_meter_id_meters", "meters", ["meter_id"], ["id"])
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("corrections_pending", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    # --- end readings ---
    # --- imports: what an import changed ---
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("errors", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("changes", sa.JSON(), nullable=True))
    # Claims a watcher made before claim and import became one transaction, left without an import when it
    # died in between: forgotten, so that the next rescan claims their files afresh.
    op.execute("DELETE FROM drop_claims WHERE import_id IS NULL AND state = 'claimed'")
    with op.batch_alter_table("units", schema=None) as batch_op:  # the community's unit order
        batch_op.add_column(sa.Column("position", sa.Integer(), server_default="0", nullable=False))
    # --- end imports ---


def downgrade() -> None:
    # --- imports ---
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_column("position")
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_column("changes")
        batch_op.drop_column("errors")
    # --- end imports ---
    # --- readings ---
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_column("corrections_pending")
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_readings_meter_id_meters", type_="foreignkey")
        batch_op.create_foreign_key(
            "fk_readings_meter_id_meters", "meters", ["meter_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.drop_constraint(batch_op.f("fk_readings_import_id_imports"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_readings_import_id"))
        batch_op.drop_column("corrections")
        batch_op.drop_column("import_id")
    with op.batch_alter_table("meters", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_meters_replaced_by_meters"), type_="foreignkey")
        batch_op.drop_column("replaced_by")
        batch_op.drop_column("replaced_on")
    # --- end readings ---
    # --- people ---
    # One occupancy per resident and unit again: the first stored of each (the others are lost).
    op.execute(
        "DELETE FROM occupancies WHERE id NOT IN "
        "(SELECT first FROM (SELECT MIN(id) AS first FROM occupancies GROUP BY resident_id, unit_id) AS kept)"
    )
    with op.batch_alter_table("occupancies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_occupancies_resident_id"))
        batch_op.drop_constraint("pk_occupancies", type_="primary")
        batch_op.create_primary_key("pk_occupancies", ["resident_id", "unit_id"])
        batch_op.drop_column("until")
        batch_op.drop_column("id")
    with op.batch_alter_table("residents", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("ix_residents_tenant_id_tax_id")
        batch_op.drop_column("tax_id")
    # --- end people ---
