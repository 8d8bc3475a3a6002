"""The schema. Uniqueness and references are enforced here, by the database, not by checks in code."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from prorata.adapters.sql.types import DecimalText, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = 36  # a UUID's text


def _id() -> Column[str]:
    return Column("id", String(ID), primary_key=True)


def _tenant() -> Column[str]:
    return Column("tenant_id", String(ID), ForeignKey("tenants.id"), nullable=False, index=True)


tenants = Table("tenants", metadata, _id(), Column("name", String(200), nullable=False))

api_keys = Table(
    "api_keys",
    metadata,
    _id(),
    Column("tenant_id", String(ID), ForeignKey("tenants.id"), nullable=True, index=True),
    Column("role", String(20), nullable=False),
    Column("resident_id", String(ID), ForeignKey("residents.id", ondelete="CASCADE"), nullable=True),
    Column("secret_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

replays = Table(
    "replays",
    metadata,
    _id(),
    _tenant(),
    Column("key", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", JSON, nullable=False),
    UniqueConstraint("tenant_id", "key"),
)

sequences = Table(
    "sequences",
    metadata,
    Column("tenant_id", String(ID), ForeignKey("tenants.id"), primary_key=True),
    Column("name", String(50), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

communities = Table(
    "communities",
    metadata,
    _id(),
    _tenant(),
    Column("code", String(50), nullable=False),
    Column("name", String(200), nullable=False),
    Column("address", String(300)),
    Column("tax_id", String(30)),
    Column("creditor_id", String(35)),
    Column("due_days", Integer),  # a receipt falls due this many days after its issue (None: 15)
    Column("iban", String(34)),  # the account collections are paid into (collection, 0009)
    Column("bic", String(11)),
    Column("prenotification_days", Integer),  # residents are told of a debit this many days ahead (None: 14)
    UniqueConstraint("tenant_id", "code"),
)

units = Table(
    "units",
    metadata,
    _id(),
    Column("tenant_id", String(ID), ForeignKey("tenants.id"), nullable=False),  # indexed by uq (tenant, id)
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False, index=True),
    Column("code", String(50), nullable=False),
    Column("coefficient", DecimalText()),
    Column("area", DecimalText()),
    Column("kind", String(20), nullable=False),
    Column("position", Integer, nullable=False, server_default="0"),
    UniqueConstraint("community_id", "code"),
    # What a meter's (tenant, unit) refers to, and the tenant's units' index. No index of the tenant alone:
    # with one, PostgreSQL planned the key's check by it on a table new in the transaction (a portfolio's
    # units), and scanned the tenant's units for every meter (20,000 meters: 7.5 s instead of 0.5).
    UniqueConstraint("tenant_id", "id"),
)

residents = Table(
    "residents",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(200), nullable=False),
    Column("email", String(320)),
    Column("language", String(2), nullable=False),
    Column("external_id", String(100)),
    Column("iban", String(34)),
    Column("mandate_id", String(35)),
    Column("mandate_signed_on", Date),
    Column("tax_id", String(30)),
    UniqueConstraint("tenant_id", "external_id"),
)

Index("ix_residents_tenant_id_tax_id", residents.c.tenant_id, residents.c.tax_id, unique=True)  # one person

# A resident may hold the same unit more than once over time (sold, then bought back): an id of its own.
occupancies = Table(
    "occupancies",
    metadata,
    _id(),
    Column(
        "resident_id",
        String(ID),
        ForeignKey("residents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("unit_id", String(ID), ForeignKey("units.id"), nullable=False, index=True),
    Column("role", String(20), nullable=False),
    Column("since", Date),
    Column("until", Date),
)

# A meter is its unit's tenant's, and a reading its meter's: one foreign key of (record, tenant) each
# checks both, where two (record; tenant) took twice the database's time (a 100,000-row import writes
# 100,000 meters and 200,000 readings: ≈ 2.5 s of PostgreSQL's CPU for the tenant checks alone).
meters = Table(
    "meters",
    metadata,
    _id(),
    Column("tenant_id", String(ID), nullable=False),  # indexed by uq (tenant, id)
    Column("unit_id", String(ID), nullable=False),  # looked up by uq (unit_id, serial)
    Column("serial", String(100), nullable=False),
    Column("service", String(20), nullable=False),
    Column("factor", DecimalText(), nullable=False),
    Column("rollover", DecimalText()),
    Column("replaced_on", Date),
    Column("replaced_by", String(ID), ForeignKey("meters.id")),
    UniqueConstraint("unit_id", "serial"),
    UniqueConstraint("tenant_id", "id"),  # what a reading's (tenant, meter) refers to; no tenant-only index
    ForeignKeyConstraint(
        ["tenant_id", "unit_id"], ["units.tenant_id", "units.id"], name="fk_meters_unit_id_units"
    ),
)

readings = Table(
    "readings",
    metadata,
    _id(),
    Column("tenant_id", String(ID), nullable=False),  # looked up by ix_readings_tenant_meter
    # A meter's history is kept: a meter that has readings cannot be deleted.
    Column("meter_id", String(ID), nullable=False),
    Column("read_on", Date, nullable=False),
    Column("value", DecimalText(), nullable=False),
    Column("source", String(20), nullable=False),
    # The file that brought it: no foreign key. Only an import job writes it, its own id from the row it
    # holds in the same transaction, and an import is never deleted; the key's check was a third of the
    # database's time for a file's readings (≈ 2.2 s of PostgreSQL's CPU for 200,000). A tenant-bound
    # write still has it checked (references.py).
    Column("import_id", String(ID), index=True, info={"refers_to": "imports.id"}),
    Column("corrections", JSON),  # the values it held before, oldest first: [{value, reason, at, by}]
    UniqueConstraint("meter_id", "read_on"),
    ForeignKeyConstraint(
        ["tenant_id", "meter_id"], ["meters.tenant_id", "meters.id"], name="fk_readings_meter_id_meters"
    ),
)

settlements = Table(
    "settlements",
    metadata,
    _id(),
    _tenant(),
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False, index=True),
    Column("service", String(20), nullable=False),
    Column("period_from", Date, nullable=False),
    Column("period_to", Date, nullable=False),
    Column("terms", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("number", Integer),
    Column("published_at", UtcDateTime()),
    Column("readings", JSON),
    Column("import_id", String(ID), ForeignKey("imports.id"), index=True),
    Column("origin", String(200), unique=True),
    Column("supersedes", String(ID), ForeignKey("settlements.id")),
    Column("corrections_pending", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("tenant_id", "number"),
)

imports = Table(
    "imports",
    metadata,
    _id(),
    _tenant(),
    Column("source", String(10), nullable=False),
    Column("original_name", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("reason", Text),
    Column("community_id", String(ID), ForeignKey("communities.id")),
    Column("mapping_profile_id", String(ID), ForeignKey("mapping_profiles.id")),
    Column("rows_total", Integer, nullable=False),
    Column("rows_processed", Integer, nullable=False),
    Column("rows_accepted", Integer, nullable=False),
    Column("rows_rejected", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("lease_until", UtcDateTime()),
    Column("started_at", UtcDateTime()),
    Column("finished_at", UtcDateTime()),
    Column("generation", Integer, nullable=False),
    Column("enqueued_at", UtcDateTime()),  # last sent to a worker: the sweeper sends once per interval
    Column("errors", Integer, nullable=False, server_default="0"),
    Column("changes", JSON),
    UniqueConstraint("tenant_id", "sha256"),
)

import_errors = Table(
    "import_errors",
    metadata,
    _id(),
    _tenant(),
    Column("import_id", String(ID), ForeignKey("imports.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("problem", JSON, nullable=False),
)

mapping_profiles = Table(
    "mapping_profiles",
    metadata,
    _id(),
    _tenant(),
    Column("name", String(100), nullable=False),
    Column("mapping", JSON, nullable=False),
    Column("signature", String(64)),
    UniqueConstraint("tenant_id", "name"),
)

receipts = Table(
    "receipts",
    metadata,
    _id(),
    _tenant(),
    Column("settlement_id", String(ID), ForeignKey("settlements.id"), nullable=False),
    Column("unit_id", String(ID), ForeignKey("units.id"), nullable=False, index=True),
    Column("number", String(80), nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("issued_on", Date),
    Column("due_on", Date),
    Column("status_on", Date),
    Column("version", Integer, nullable=False, server_default="1"),
    UniqueConstraint("settlement_id", "unit_id"),
    UniqueConstraint("tenant_id", "number"),
)

# A receipt's history, oldest first: one row per move (seq 1 = issued). (receipt, seq) is unique, so two
# concurrent moves from the same state cannot both be stored.
receipt_events = Table(
    "receipt_events",
    metadata,
    _id(),
    _tenant(),
    Column("receipt_id", String(ID), ForeignKey("receipts.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(20), nullable=False),
    Column("on", Date, nullable=False),
    Column("status", String(20), nullable=False),
    Column("actor", String(50), nullable=False),
    Column("recorded_at", UtcDateTime(), nullable=False),
    Column("reason", String(4)),
    Column("note", String(500)),
    UniqueConstraint("receipt_id", "seq"),
)

# Documents rendered once and kept in the blob store (a receipt's PDF on its first download), found by a
# key naming what they show; one per (tenant, key), so two first downloads at once keep one.
rendered_documents = Table(
    "rendered_documents",
    metadata,
    _id(),
    _tenant(),
    Column("key", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("rendered_at", UtcDateTime(), nullable=False),
    UniqueConstraint("tenant_id", "key"),
)

Index("ix_readings_tenant_meter", readings.c.tenant_id, readings.c.meter_id)

drop_accounts = Table(
    "drop_accounts",
    metadata,
    _id(),
    _tenant(),
    Column("username", String(32), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("password_hash", String(200)),
    Column("public_keys", JSON, nullable=False),
)

drop_claims = Table(
    "drop_claims",
    metadata,
    _id(),
    _tenant(),
    Column("account_id", String(ID), ForeignKey("drop_accounts.id", ondelete="CASCADE"), nullable=False),
    Column("path", String(1024), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("claimed_at", UtcDateTime(), nullable=False),
    Column("import_id", String(ID), ForeignKey("imports.id")),
    Column("state", String(20), nullable=False, index=True),
    Column("outcome", Text),
    # The hold the claimed file was moved into (its folder's name, see dropzone.model.held_path); "" when
    # it was not moved (refused where it stands). Two uploads of one name are two holds: two claims.
    Column("hold", String(ID), nullable=False, server_default="", index=True),
    UniqueConstraint("account_id", "path", "size", "mtime_ns", "hold"),
)

# Failed SFTP authentications and the bans they led to (domain/dropzone/throttle.py): shared by every
# SFTP process, kept across restarts. A failure is one row per subject it counts against.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(10), nullable=False),
    Column("subject", String(100), nullable=False),
    Column("failed_at", UtcDateTime(), nullable=False, index=True),
)

Index(
    "ix_login_failures_subject",
    login_failures.c.scope,
    login_failures.c.subject,
    login_failures.c.failed_at,
)

login_bans = Table(
    "login_bans",
    metadata,
    Column("scope", String(10), primary_key=True),
    Column("subject", String(100), primary_key=True),
    Column("until", UtcDateTime(), nullable=False),
)

# The transactional outbox: each event is stored with the change that made it, in the same transaction.
outbox = Table(
    "outbox",
    metadata,
    _id(),
    _tenant(),
    Column("kind", String(60), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("enqueued_at", UtcDateTime()),
    Column("dispatched_at", UtcDateTime()),
)

Index("ix_outbox_pending", outbox.c.dispatched_at, outbox.c.enqueued_at)

# One row per (event, handler) that ran, written in the handler's own transaction: a redelivered event
# runs no handler twice.
handled_events = Table(
    "handled_events",
    metadata,
    Column("event_id", String(ID), ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True),
    Column("handler", String(60), primary_key=True),
)

# --- collection by SEPA direct debit (migration 0009) ---
# A remittance: one community's receipts sent to its bank for collection on one date (one pain.008
# file). The creditor is kept as the file named it.
remittances = Table(
    "remittances",
    metadata,
    _id(),
    _tenant(),
    Column("community_id", String(ID), ForeignKey("communities.id"), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("message_id", String(35), nullable=False),
    Column("scheme", String(4), nullable=False),
    Column("collection_date", Date, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(50), nullable=False),
    Column("count", Integer, nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("creditor_name", String(200), nullable=False),
    Column("creditor_iban", String(34), nullable=False),
    Column("creditor_bic", String(11)),
    Column("creditor_id", String(35), nullable=False),
    Column("excluded", JSON, nullable=False),  # [{receipt_id, reason}]: left out, and why
    Column("status", String(20), nullable=False),
    Column("cancelled_at", UtcDateTime()),
    UniqueConstraint("tenant_id", "number"),
    UniqueConstraint("tenant_id", "message_id"),
)

# One receipt in a remittance (one transaction of its file). `open` is true while the receipt is at the
# bank through this item and NULL after: unique with the receipt, so a receipt is in one open remittance
# at most (NULLs are distinct in a unique constraint, on SQLite and PostgreSQL alike).
remittance_items = Table(
    "remittance_items",
    metadata,
    _id(),
    _tenant(),
    Column("remittance_id", String(ID), ForeignKey("remittances.id"), nullable=False, index=True),
    Column("receipt_id", String(ID), ForeignKey("receipts.id"), nullable=False, index=True),
    Column("end_to_end_id", String(35), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("sequence_type", String(4), nullable=False),
    Column("payer_id", String(ID), nullable=False),  # the resident then (the record may go; this stays)
    Column("payer_name", String(200), nullable=False),
    Column("payer_iban", String(34), nullable=False),
    Column("payer_bic", String(11)),
    Column("mandate_id", String(35), nullable=False),
    Column("mandate_signed_on", Date, nullable=False),
    Column("description", String(140), nullable=False),
    Column("event_id", String(ID), ForeignKey("receipt_events.id"), nullable=False, unique=True),
    Column("open", Boolean),
    Column("outcome", String(20)),
    Column("outcome_on", Date),
    Column("reason", String(4)),
    UniqueConstraint("receipt_id", "open"),
    UniqueConstraint("remittance_id", "end_to_end_id"),
)

Index("ix_remittance_items_end_to_end", remittance_items.c.tenant_id, remittance_items.c.end_to_end_id)
Index("ix_remittance_items_mandate", remittance_items.c.tenant_id, remittance_items.c.mandate_id)

# A bank file received (pain.002, camt.054), applied once per (tenant, SHA-256); its answer is kept for
# the same file sent again. The file itself is in the blob store, whether it was read or refused.
bank_returns = Table(
    "bank_returns",
    metadata,
    _id(),
    _tenant(),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("original_name", String(255), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("format", String(30)),
    Column("message_id", String(100)),
    Column("problem", Text),
    Column("result", JSON),
    UniqueConstraint("tenant_id", "sha256"),
)

# Each move a bank file made: once per (file, item, outcome), and once per history entry.
bank_return_lines = Table(
    "bank_return_lines",
    metadata,
    _id(),
    _tenant(),
    Column("bank_return_id", String(ID), ForeignKey("bank_returns.id"), nullable=False, index=True),
    Column("item_id", String(ID), ForeignKey("remittance_items.id"), nullable=False),
    Column("receipt_event_id", String(ID), ForeignKey("receipt_events.id"), nullable=False, unique=True),
    Column("outcome", String(20), nullable=False),
    Column("reason", String(4)),
    UniqueConstraint("bank_return_id", "item_id", "outcome"),
)
# --- end collection ---

# --- notifications ---
# A push to a resident, one per (receipt, event, resident) — the database refuses a second — kept as a
# job row (claim, lease and fence: adapters/sql/jobs.py) until OneSignal's answer ends it.
notifications = Table(
    "notifications",
    metadata,
    _id(),
    _tenant(),
    Column("receipt_id", String(ID), ForeignKey("receipts.id"), nullable=False, index=True),
    Column("event_id", String(ID), ForeignKey("receipt_events.id"), nullable=False),
    Column(
        "resident_id", String(ID), ForeignKey("residents.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("kind", String(30), nullable=False),
    Column("language", String(2), nullable=False),
    Column("external_id", String(100), nullable=False),
    Column("idempotency_key", String(ID), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("headings", JSON, nullable=False),
    Column("contents", JSON, nullable=False),
    Column("data", JSON, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("provider_id", Text),
    Column("reason", Text),
    Column("finished_at", UtcDateTime()),
    Column("attempts", Integer, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("lease_until", UtcDateTime()),
    Column("started_at", UtcDateTime()),
    Column("enqueued_at", UtcDateTime()),
    Column("not_before", UtcDateTime()),  # a retry waits until then (429's Retry-After, backoff)
    UniqueConstraint("receipt_id", "event_id", "resident_id"),
)

# A management system's URL subscribed to event types; `secret` signs its deliveries (shown once).
webhooks = Table(
    "webhooks",
    metadata,
    _id(),
    _tenant(),
    Column("url", String(2000), nullable=False),
    Column("events", JSON, nullable=False),
    Column("secret", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("deleted_at", UtcDateTime()),
)

# One delivery per (event, webhook), a job row like a notification's, retried for a day.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    _id(),
    _tenant(),
    Column("webhook_id", String(ID), ForeignKey("webhooks.id"), nullable=False, index=True),
    Column("event_id", String(ID), ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(60), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("delivered_at", UtcDateTime()),
    Column("last_status", Integer),
    Column("reason", Text),
    Column("attempts", Integer, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("lease_until", UtcDateTime()),
    Column("started_at", UtcDateTime()),
    Column("enqueued_at", UtcDateTime()),
    Column("not_before", UtcDateTime()),
    UniqueConstraint("event_id", "webhook_id"),
)

# A rate limit shared by every process: the next free slot (µs since the epoch) per limited sender.
send_paces = Table(
    "send_paces",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("next_free", BigInteger, nullable=False),
)
# --- end notifications ---
