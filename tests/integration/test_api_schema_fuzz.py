"""Schemathesis over our own OpenAPI document, in-process: no request makes a server error, every response
matches what the document says, and a request the document allows is not refused as invalid — a client
generated from /openapi.json sends what the server accepts.

Driven through its Python API: its pytest plugin does not run under this pytest version. Derandomized,
with a bounded number of examples per operation, so a run is repeatable and quick; `make fuzz` takes
more examples (PRORATA_FUZZ_EXAMPLES) from a seed of its own (PRORATA_FUZZ_SEED)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_client import Caller

# In `make test` on PostgreSQL only (the production database); `make fuzz` runs it on both.
pytestmark = pytest.mark.one_database("postgresql")

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = int(os.environ.get("PRORATA_FUZZ_EXAMPLES", "10"))
SEED = os.environ.get("PRORATA_FUZZ_SEED")

# Operations whose requests must meet rules beyond what a JSON schema states, each with the rule: valid
# data by the schema may be refused there with a 422 that names the field and why.
BEYOND_THE_SCHEMA = {
    "POST /v1/simulations": "the contract's rules across fields: a tariff line takes no consumption share, "
    "a key needs every unit's coefficient or area, a reading gives previous and current or a consumption",
    "POST /v1/readings": "each meter_id must name a meter of the caller's, and a value must not fall below "
    "the meter's previous reading (the 422 names the row, as a batch is all or nothing)",
    "POST /v1/imports": "the file must be a spreadsheet or a CSV file, whatever its name",
    "POST /v1/communities/{community_id}/remittances": "the date must be a TARGET2 business day the "
    "community's pre-notification period away, the community a creditor (IBAN, creditor id), and some "
    "receipt collectable",
    "POST /v1/bank-returns": "the file must be a pain.002 or camt.054 bank file",
    "POST /v1/residents": "a mandate id holds only the SEPA set (A-Z a-z 0-9 / - ? : ( ) . , ' + space), "
    "neither starts nor ends with '/' nor holds '//', and its date of signature is not after today",
    "PATCH /v1/residents/{resident_id}": "the same mandate rules as POST /v1/residents",
}
VALID_IBAN = "ES91 2100 0418 4502 0005 1332"
VALID_CREDITOR_ID = "ES97000B12345678"  # its check digits are MOD 97-10 of the rest


def _examples(check: Callable[[Any], None]) -> Callable[..., None]:
    bounded: Callable[..., None] = settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=SEED is None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )(check)
    return bounded if SEED is None else seed(int(SEED))(bounded)


def test_the_api_holds_to_its_schema(app: Flask, manager: Caller) -> None:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {manager.key}"}
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 30

    for operation in operations:

        @given(case=operation.as_strategy())
        @_examples
        def holds(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        holds()


def test_what_the_schema_allows_the_server_accepts(app: Flask, manager: Caller) -> None:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    schema.config.generation.allow_x00 = False  # the one rule stated in prose (info.description)
    headers = {"Authorization": f"Bearer {manager.key}"}
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert set(BEYOND_THE_SCHEMA) <= {op.label for op in operations}
    # Only a body can hold what a server refuses as invalid: a path's ids find something or not (404).
    checked = [op for op in operations if op.body and op.label not in BEYOND_THE_SCHEMA]
    assert len(checked) >= 15

    for operation in checked:

        @given(case=operation.as_strategy())
        @_examples
        def accepted(case: Any) -> None:
            _what_no_schema_says(case.body)
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error, positive_data_acceptance])

        accepted()


def _what_no_schema_says(body: object) -> None:
    """The rules of a record no JSON schema can state, applied to a generated body: an IBAN's or a
    creditor identifier's check digits, an occupancy that does not end before it starts."""
    if not isinstance(body, dict):
        return
    if body.get("iban"):
        body["iban"] = VALID_IBAN
    if body.get("creditor_id"):
        body["creditor_id"] = VALID_CREDITOR_ID
    for held in body.get("units") or []:
        if (
            isinstance(held, dict)
            and held.get("since")
            and held.get("until")
            and held["until"] < held["since"]
        ):
            held["until"] = held["since"]
