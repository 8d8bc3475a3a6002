"""A resident's SEPA mandate is checked when it is written, by the rule a remittance applies: a reference
of at most 35 characters of the EPC's set, no '/' at either end nor '//', and a date of signature not in
the future. A mandate stored before the rule is still left out of a remittance, with the reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from prorata.config.bootstrap import Components
from tests.api_client import Caller
from tests.integration.test_remittances import collecting, remitted


def rosa(manager: Caller, **changes: Any) -> Any:
    return manager.post(
        "/v1/residents",
        {"name": "Rosa Díaz", "iban": "ES7421000000610123456789", "mandate_id": "M-1",
         "mandate_signed_on": "2024-05-01", **changes},
    )  # fmt: skip


def refusal(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.get_json()
    [error] = response.get_json()["errors"]
    found: dict[str, Any] = error
    return found


@pytest.mark.parametrize(
    ("mandate_id", "said"),
    [
        ("MANDATO ÑÚ & Co", ("'Ñ', 'Ú', '&'", "at most 35", "A-Z a-z 0-9 / - ? : ( ) . , ' +")),
        ("/M-1", ("starts or ends with '/'",)),
        ("M-1/", ("starts or ends with '/'",)),
        ("M//1", ("'//'",)),
        ("   ", ("blank",)),
    ],
)
def test_a_mandate_reference_sepa_does_not_allow_is_refused_naming_the_rule(
    manager: Caller, mandate_id: str, said: tuple[str, ...]
) -> None:
    error = refusal(rosa(manager, mandate_id=mandate_id))
    assert error["field"] == "mandate_id"
    assert all(words in error["message"] for words in said), error["message"]


def test_a_mandate_signed_in_the_future_is_refused_on_post_and_patch(manager: Caller) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    error = refusal(rosa(manager, mandate_signed_on=tomorrow))
    assert error["field"] == "mandate_signed_on"
    assert tomorrow in error["message"]
    assert "future" in error["message"]
    created = rosa(manager)
    assert created.status_code == 201, created.get_json()
    path = f"/v1/residents/{created.get_json()['id']}"
    error = refusal(manager.patch(path, {"mandate_signed_on": tomorrow}))
    assert error["field"] == "mandate_signed_on"
    error = refusal(manager.patch(path, {"mandate_id": "MANDATO ÑÚ & Co"}))
    assert error["field"] == "mandate_id"
    kept = manager.get(path).get_json()
    assert (kept["mandate_id"], kept["mandate_signed_on"]) == ("M-1", "2024-05-01")
    fine = manager.patch(path, {"mandate_id": "CP12/2024-0001 (1A)", "mandate_signed_on": "2025-01-31"})
    assert fine.status_code == 200, fine.get_json()


def test_a_bad_mandate_stored_before_the_rule_is_still_excluded_with_its_reason(
    components: Components, manager: Caller, community: dict[str, Any]
) -> None:
    receipts = collecting(manager, community)
    [jordi] = [r for r in manager.get("/v1/residents").get_json() if r["name"] == "Jordi Puig"]
    with components.unit_of_work() as uow:  # as a record kept before writes were checked
        stored = uow.residents.get(None, jordi["id"])
        assert stored is not None
        uow.residents.update(replace(stored, mandate_id="MANDATO ÑÚ & Co"))
        uow.commit()
    made = remitted(manager, community)
    assert {"receipt_id": receipts["1B"]["id"], "reason": "invalid_mandate"} in made["excluded"]
    # Its other fields can still be changed without correcting it first; the mandate cannot be kept bad.
    renamed = manager.patch(f"/v1/residents/{jordi['id']}", {"email": "jordi@example.org"})
    assert renamed.status_code == 200, renamed.get_json()
