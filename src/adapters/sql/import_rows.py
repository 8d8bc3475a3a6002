"""Table rows of imports (jobs, row errors, mapping profiles) and of the drop zone (accounts, claims), and
back."""

from __future__ import annotations

from prorata.adapters.sql.rows import Row, plain_row
from prorata.domain.dropzone.model import ClaimState, DropAccount, DropClaim
from prorata.domain.imports.model import (
    ImportJob,
    ImportSource,
    ImportStatus,
    MappingProfile,
    RowError,
    problem_row,
)
from prorata.domain.problems import ErrorCode, Problem


def import_job(row: Row) -> ImportJob:
    return ImportJob(**{**row, "source": ImportSource(row["source"]), "status": ImportStatus(row["status"])})


def row_error_row(item: RowError) -> Row:
    return {
        "id": item.id,
        "import_id": item.import_id,
        "tenant_id": item.tenant_id,
        "problem": problem_row(item.problem),
    }


def row_error(row: Row) -> RowError:
    problem = {k: v for k, v in row["problem"].items() if v is not None}
    return RowError(
        row["id"],
        row["import_id"],
        row["tenant_id"],
        Problem(**{**problem, "code": ErrorCode(problem["code"])}),
    )


def mapping_profile(row: Row) -> MappingProfile:
    return MappingProfile(**row)


def drop_account_row(item: DropAccount) -> Row:
    return {**plain_row(item), "public_keys": list(item.public_keys)}


def drop_account(row: Row) -> DropAccount:
    return DropAccount(**{**row, "public_keys": tuple(row["public_keys"])})


def drop_claim(row: Row) -> DropClaim:
    return DropClaim(**{**row, "state": ClaimState(row["state"])})
