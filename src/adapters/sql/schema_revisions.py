"""A database ahead of the code: its schema at a revision none of this code's migrations is, which a newer
version of prorata applied before this one was rolled back to. Reading it as current would run the old code
on a schema it was not written for; upgrading it cannot work (alembic knows no way from there). Only the
standard library at import: the CLI catches SchemaAhead without loading the database toolkit."""

from __future__ import annotations

from collections.abc import Iterable

# The newest migration's revision: a database at it needs no upgrade, which a command can tell without
# loading Alembic (tests/unit/test_schema_head.py holds it to the migrations' head).
HEAD = "0011"


class SchemaAhead(Exception):
    """The schema at `unknown` revision(s), newer than the code's `heads`: say so, and what to do instead."""

    code = "schema_ahead"

    def __init__(self, unknown: list[str], heads: list[str]) -> None:
        self.unknown, self.heads = unknown, heads
        super().__init__(
            f"database schema at revision {', '.join(unknown)}, newer than this version of prorata knows "
            f"(head {', '.join(heads)}): run the newer version of prorata or restore the database from a "
            "backup taken before its upgrade"
        )


def schema_ahead(current: Iterable[str], known: Iterable[str], heads: Iterable[str]) -> SchemaAhead | None:
    """The database's `current` revisions beside the migrations' `known` ones (and their `heads`)."""
    unknown = sorted(set(current) - set(known))
    return SchemaAhead(unknown, sorted(heads)) if unknown else None


class UpgradeRefused(Exception):
    """Records the database holds stop an upgrade: it was not applied (the schema is as it was); the
    message says which records, and what to do."""

    code = "upgrade_refused"
