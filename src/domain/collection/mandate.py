"""A SEPA direct-debit mandate as a resident's record keeps it — its reference (MndtId) and the day it
was signed — and the one rule both a write of it and a remittance apply.

The reference is Max35Text in the EPC's implementation guidelines, of the basic Latin set SEPA allows in
identifiers (a-z A-Z 0-9 / - ? : ( ) . , ' + and space), and — as the EPC's clarification paper on
slashes has it for every reference, identification and identifier — neither starts nor ends with "/"
nor holds "//". A mandate cannot be signed after the day it is used (written: today; collected: the
collection date)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MAX_MANDATE_ID = 35
_ALLOWED = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]")
SEPA_SET = "A-Z a-z 0-9 / - ? : ( ) . , ' + and space"


@dataclass(frozen=True, slots=True)
class MandateProblem:
    """What is wrong with a mandate, and the field it is in (`mandate_id`, `mandate_signed_on`)."""

    field: str
    message: str


def mandate_problems(mandate_id: str | None, signed_on: date | None, latest: date) -> list[MandateProblem]:
    """Everything wrong with the mandate, none when it may be used on `latest` (its id and date may each
    be missing: that is no mandate yet, not a wrong one)."""
    problems = [] if mandate_id is None else _id_problems(mandate_id)
    if signed_on is not None and signed_on > latest:
        problems.append(
            MandateProblem(
                "mandate_signed_on",
                f"mandate_signed_on {signed_on.isoformat()} is in the future (after "
                f"{latest.isoformat()}): give the day the resident signed the mandate",
            )
        )
    return problems


def _id_problems(mandate_id: str) -> list[MandateProblem]:
    said = f"mandate_id {mandate_id!r}"
    wrong = list(dict.fromkeys(c for c in mandate_id if not _ALLOWED.fullmatch(c)))
    problems = []
    if not mandate_id.strip():
        problems.append(f"{said} is blank: give the mandate's reference, or null for no mandate")
    if len(mandate_id) > MAX_MANDATE_ID:
        problems.append(f"{said} is {len(mandate_id)} characters long: SEPA allows {MAX_MANDATE_ID}")
    if wrong:
        shown = ", ".join(repr(c) for c in wrong)
        problems.append(
            f"{said} holds {shown}, which SEPA does not allow in a mandate reference: at most "
            f"{MAX_MANDATE_ID} of {SEPA_SET}; write it as the signed mandate and the bank have it"
        )
    if mandate_id.startswith("/") or mandate_id.endswith("/"):
        problems.append(f"{said} starts or ends with '/', which SEPA does not allow in a reference")
    if "//" in mandate_id:
        problems.append(f"{said} holds '//', which SEPA does not allow in a reference")
    return [MandateProblem("mandate_id", p) for p in problems]
