"""The creditor details a file's community columns give — the account the community's collections are
paid into, its bank's BIC, its SEPA creditor identifier — checked as the API checks them. A value that
fails, or one of two different values for one community, is a row problem, and the community keeps the
value it has."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from prorata.domain.collection.bic import normalize_bic
from prorata.domain.collection.creditor import normalize_creditor_id
from prorata.domain.community.iban import normalize_iban
from prorata.domain.community.model import Community
from prorata.domain.problems import ErrorCode, Problem
from prorata.domain.readings.headers import Field

# Each column: the community's attribute it sets, and what a message calls it.
CREDITOR_COLUMNS: dict[Field, tuple[str, str]] = {
    Field.COMMUNITY_IBAN: ("iban", "IBAN"),
    Field.COMMUNITY_BIC: ("bic", "BIC"),
    Field.CREDITOR_ID: ("creditor_id", "SEPA creditor identifier"),
}
_LONGEST = 64  # longer than any of them, spaces included: shown cut in a message
_SHOWN = 40


@dataclass(slots=True)
class CreditorCell:
    """A value a community column gives: where it was first given, and how many rows give it."""

    field: Field
    text: str
    sheet: str
    row: int
    column: str
    rows: int = 1

    def where(self) -> str:
        return f"sheet {self.sheet!r}, row {self.row}"


@dataclass(frozen=True, slots=True)
class CreditorDetails:
    """What a file sets of a community as a creditor, each as the API keeps it; None: left as it is."""

    iban: str | None = None
    bic: str | None = None
    creditor_id: str | None = None

    def on(self, community: Community) -> Community:
        return replace(
            community,
            iban=self.iban or community.iban,
            bic=self.bic or community.bic,
            creditor_id=self.creditor_id or community.creditor_id,
        )


def creditor_details(
    file_name: str, code: str, cells: Iterable[CreditorCell], iban_problem: Callable[[str], str | None]
) -> tuple[CreditorDetails, list[Problem]]:
    """What the file's values set of the community, and the problems of the others. `iban_problem`
    says why an IBAN's national control digits (a Spanish account's "DC") are wrong, or None."""
    given = list(cells)
    values: dict[str, str] = {}
    problems: list[Problem] = []
    for field, (name, label) in CREDITOR_COLUMNS.items():
        valid: dict[str, CreditorCell] = {}
        for cell in (c for c in given if c.field is field):
            try:
                value = _checked(field, cell.text, iban_problem)
            except ValueError as error:
                more = f" (and {cell.rows - 1} more rows)" if cell.rows > 1 else ""
                why = f"community {code}: {error}{more}; the community keeps the {label} it has"
                problems.append(_problem(file_name, cell, why))
                continue
            valid.setdefault(value, cell)
        if len(valid) == 1:
            values[name] = next(iter(valid))
        elif valid:
            (first, at), *others = valid.items()
            for value, cell in others:
                why = (
                    f"community {code} is given another {label}: {first} ({at.where()}) and {value} here; "
                    f"a community has one, so it keeps the {label} it has — give the same in every row"
                )
                problems.append(_problem(file_name, cell, why))
    return CreditorDetails(**values), problems


def _checked(field: Field, text: str, iban_problem: Callable[[str], str | None]) -> str:
    if len(text) > _LONGEST:
        raise ValueError(f"{text[:_SHOWN]!r}… is too long to be a {CREDITOR_COLUMNS[field][1]}")
    if field is Field.COMMUNITY_BIC:
        return normalize_bic(text)
    if field is Field.CREDITOR_ID:
        return normalize_creditor_id(text)
    iban = normalize_iban(text)
    problem = iban_problem(iban)
    if problem is not None:
        raise ValueError(problem)
    return iban


def _problem(file_name: str, cell: CreditorCell, why: str) -> Problem:
    return Problem(
        ErrorCode.INVALID_REQUEST,
        f"{file_name}, {cell.where()}, column {cell.column!r}: {why}",
        row=cell.row,
        column=cell.column,
    )
