"""a meter refers to its unit and a reading to its meter with the tenant: one foreign key each; a
reading's import is a provenance tag

Revision ID: 0011
Revises: 0010

Each (tenant, record) foreign key replaces two (record; tenant): the database checks that a meter is its
unit's tenant's and a reading its meter's, at half the cost. The unique (tenant_id, id) of units and
meters they refer to replaces the tenant-only index (PostgreSQL planned the key's check by that one on
tables new in the transaction: a scan of the tenant's units for every meter). Indexes another one covers
go (ix_readings_tenant_id by ix_readings_tenant_meter, ix_meters_unit_id by uq_meters_unit_id_serial). A
reading's import_id keeps no foreign key (see tables.readings: a third of a file's readings' write). On
SQLite, migrate.upgrade runs this with foreign keys off and checks them all afterwards: rebuilding
`meters` would otherwise delete its readings' parent rows."""

from __future__ import annotations

from alembic import op

from prorata.adapters.sql.schema_revisions import UpgradeRefused

# Records of one tenant on another's: what the new keys refuse, found before any table changes.
_OF_TWO_TENANTS = (
    (
        "meter",
        "unit",
        "SELECT m.id, m.tenant_id, u.id, u.tenant_id FROM meters m JOIN units u ON u.id = m.unit_id"
        " WHERE m.tenant_id <> u.tenant_id",
    ),
    (
        "reading",
        "meter",
        "SELECT r.id, r.tenant_id, m.id, m.tenant_id FROM readings r JOIN meters m ON m.id = r.meter_id"
        " WHERE r.tenant_id <> m.tenant_id",
    ),
)

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _refuse_records_of_two_tenants()
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_units_tenant_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_units_tenant_id_id"), ["tenant_id", "id"])
    with op.batch_alter_table("meters", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_meters_tenant_id_tenants"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_meters_unit_id_units"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_meters_unit_id"))
        batch_op.drop_index(batch_op.f("ix_meters_tenant_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_meters_tenant_id_id"), ["tenant_id", "id"])
        batch_op.create_foreign_key(
            "fk_meters_unit_id_units", "units", ["tenant_id", "unit_id"], ["tenant_id", "id"]
        )
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_readings_tenant_id_tenants"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_readings_meter_id_meters"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_readings_import_id_imports"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_readings_tenant_id"))
        batch_op.create_foreign_key(
            "fk_readings_meter_id_meters", "meters", ["tenant_id", "meter_id"], ["tenant_id", "id"]
        )


def _refuse_records_of_two_tenants() -> None:
    connection = op.get_bind()
    for record, parent, query in _OF_TWO_TENANTS:
        found = connection.exec_driver_sql(query).all()
        if found:
            id, tenant, parent_id, parent_tenant = found[0]
            raise UpgradeRefused(
                f"upgrade to 0011 not applied: {len(found)} {record}s are another tenant's than their"
                f" {parent}'s (the first: {record} {id} of tenant {tenant}, on {parent} {parent_id} of tenant"
                f" {parent_tenant}); move each to its {parent}'s tenant or delete it, then upgrade again"
            )


def downgrade() -> None:
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_readings_meter_id_meters", type_="foreignkey")
        batch_op.create_index(batch_op.f("ix_readings_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_readings_meter_id_meters"), "meters", ["meter_id"], ["id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_readings_import_id_imports"), "imports", ["import_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_readings_tenant_id_tenants"), "tenants", ["tenant_id"], ["id"]
        )
    with op.batch_alter_table("meters", schema=None) as batch_op:
        batch_op.drop_constraint("fk_meters_unit_id_units", type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_meters_tenant_id_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_meters_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_meters_unit_id"), ["unit_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_meters_unit_id_units"), "units", ["unit_id"], ["id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_meters_tenant_id_tenants"), "tenants", ["tenant_id"], ["id"]
        )
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_units_tenant_id_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_units_tenant_id"), ["tenant_id"], unique=False)
