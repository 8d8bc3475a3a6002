"""Collection errors say what was wrong and what to do, without pointing at what the caller did not send:
a remittance that finds nothing to collect says why each receipt was left out; a bank file upload
without its file shows a bank file's example."""

from __future__ import annotations

from typing import Any

from tests.api_client import Caller
from tests.integration.published import published_receipts
from tests.integration.test_remittances import COMMUNITY_IBAN, CREDITOR_ID, collection_day


def creditor(manager: Caller, community: dict[str, Any]) -> None:
    patched = manager.patch(
        f"/v1/communities/{community['id']}", {"iban": COMMUNITY_IBAN, "creditor_id": CREDITOR_ID}
    )
    assert patched.status_code == 200, patched.get_json()


def refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.get_json()
    [error] = response.get_json()["errors"]
    assert error["code"] == "nothing_to_collect"
    found: dict[str, Any] = error
    return found


def test_a_remittance_of_the_whole_community_that_finds_nothing_says_why_without_naming_receipt_ids(
    manager: Caller, community: dict[str, Any]
) -> None:
    creditor(manager, community)
    path = f"/v1/communities/{community['id']}/remittances"
    empty = refused(manager.post(path, {"collection_date": collection_day()}))
    assert empty.get("field") != "receipt_ids"
    assert "no issued receipt" in empty["message"]
    assert "publish" in empty["message"]
    receipts = published_receipts(manager, community)  # nobody owns its units: no payer
    error = refused(manager.post(path, {"collection_date": collection_day()}))
    assert error.get("field") != "receipt_ids"
    assert f"none of the {len(receipts)} issued receipts of community C0012" in error["message"]
    assert "3 no_payer" in error["message"]
    assert "nobody owned the unit" in error["message"]
    assert {e["reason"] for e in error["excluded"]} == {"no_payer"}
    named = refused(
        manager.post(path, {"collection_date": collection_day(), "receipt_ids": [receipts[0]["id"]]})
    )
    assert named["field"] == "receipt_ids"


def test_a_bank_file_upload_without_its_file_shows_a_bank_file_example(manager: Caller) -> None:
    response = manager.post("/v1/bank-returns", {"nothing": "here"})
    assert response.status_code in (415, 422), response.get_json()
    [error] = response.get_json()["errors"]
    assert "readings.xlsx" not in error["message"]
    assert "-F file=@" in error["message"]
    assert ".xml" in error["message"]
