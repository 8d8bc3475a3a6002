"""What an import leaves in the records: rows counted as rows, nothing changed by a failed import, what a
settled one changed, readings attached only where they belong, a failed import retried, and files that
are no spreadsheet refused at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api_client import Caller

HEATING = {
    "service": "heating",
    "period": {"from": "2026-01-01", "to": "2026-03-31"},
    "costs": [{"concept": "Gas", "amount": "100.00"}],
}
HOT_WATER = {**HEATING, "service": "hot_water", "costs": [{"concept": "ACS", "amount": "60.00"}]}


def csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def units_of(manager: Caller, community: dict[str, Any]) -> dict[str, dict[str, Any]]:
    units = manager.get(f"/v1/communities/{community['id']}/units").get_json()
    return {u["code"]: u for u in units}


def imported(
    manager: Caller, drain: Callable[[], None], content: bytes, name: str, **form: str
) -> dict[str, Any]:
    sent = manager.upload("/v1/imports", content, name, **form)
    assert sent.status_code in (200, 202), sent.get_json()
    drain()
    job: dict[str, Any] = manager.get(sent.get_json()["url"]).get_json()
    return job


def test_rows_are_counted_as_rows_and_errors_as_problems(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    content = csv(
        "Vivienda;Coeficiente;Superficie;Lectura anterior;Lectura actual",
        "1A;abc;xyz;0;10",
        "1B;50;80;0;20",
    )
    job = imported(manager, drain, content, "lecturas.csv", community_id=community["id"])
    assert job["rows"] == {"total": 2, "processed": 2, "accepted": 1, "rejected": 1}, job
    assert job["errors"] == 2


def test_a_failed_import_leaves_the_registry_as_it_was(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    manager.created(f"/v1/communities/{community['id']}/units", {"code": "1A", "coefficient": "1"})
    manager.created(f"/v1/communities/{community['id']}/units", {"code": "1B", "coefficient": "1"})
    manager.created("/v1/settlements", {"community_id": community["id"], **HEATING})
    content = csv(
        "Vivienda;Coeficiente;Propietario;Lectura anterior;Lectura actual",
        "1A;7;Ana Nueva;100;50",  # the meter went backwards: the settlement cannot be computed
        "1B;3;Luis Nuevo;0;20",
        "9Z;5;Eva Nueva;0;20",
    )
    job = imported(manager, drain, content, "lecturas.csv", community_id=community["id"])
    assert job["status"] == "failed", job
    units = units_of(manager, community)
    assert sorted(units) == ["1A", "1B"]
    assert (units["1A"]["coefficient"], units["1B"]["coefficient"]) == ("1", "1")
    assert manager.get("/v1/residents").get_json() == []
    assert job["changes"] is None


def test_a_settled_import_shows_what_it_changed(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    manager.created(f"/v1/communities/{community['id']}/units", {"code": "1A", "coefficient": "1"})
    manager.created("/v1/settlements", {"community_id": community["id"], **HEATING})
    content = csv(
        "Vivienda;Coeficiente;Propietario;Lectura anterior;Lectura actual",
        "1A;7;Ana Nueva;0;50",
        "9Z;5;Eva Nueva;0;20",
    )
    job = imported(manager, drain, content, "lecturas.csv", community_id=community["id"])
    assert job["status"] == "settled", job
    changes = job["changes"]
    assert (changes["units_created"], changes["units_updated"]) == (1, 1), changes
    assert changes["residents_created"] == 2, changes


def test_readings_attach_only_to_a_draft_of_their_service(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    for code in ("1A", "1B"):
        manager.created(f"/v1/communities/{community['id']}/units", {"code": code, "coefficient": "50"})
    heating = manager.created("/v1/settlements", {"community_id": community["id"], **HEATING})
    content = csv(
        "Vivienda;Servicio;Lectura anterior;Lectura actual",
        "1A;Agua caliente;0;30",
        "1B;Agua caliente;0;10",
    )
    job = imported(manager, drain, content, "acs.csv", community_id=community["id"])
    assert job["status"] == "awaiting_costs", job
    assert manager.get(f"/v1/settlements/{heating['id']}").get_json().get("import_id") is None
    hot_water = manager.created("/v1/settlements", {"community_id": community["id"], **HOT_WATER})
    drain()  # the hot-water draft's arrival resumes the import, which attaches to it alone
    done = manager.get(job["url"]).get_json()
    assert done["status"] == "settled", done
    assert [s["id"] for s in done["settlements"]] == [hot_water["id"]]
    preview = manager.post(f"/v1/settlements/{hot_water['id']}/preview").get_json()
    assert [r["total"] for r in preview["receipts"]] == ["45.00", "15.00"]


def test_a_manager_retries_a_failed_import_with_another_community(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    content = csv("Vivienda;Lectura anterior;Lectura actual", "1A;0;30", "1B;0;10")
    job = imported(manager, drain, content, "sin-comunidad.csv")
    assert job["status"] == "failed", job
    retried = manager.post(f"{job['url']}/retry", {"community_id": community["id"]})
    assert retried.status_code == 202, retried.get_json()
    drain()
    again = manager.get(job["url"]).get_json()
    assert (again["id"], again["status"], again["community_id"]) == (
        job["id"],
        "awaiting_costs",
        community["id"],
    )
    # Not failed any more: the same bytes again are the same job, as for any import that did not fail.
    same = manager.upload("/v1/imports", content, "sin-comunidad.csv", community_id=community["id"])
    assert (same.status_code, same.get_json()["generation"]) == (200, again["generation"])


def test_the_same_bytes_uploaded_again_after_a_failure_are_its_retry(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    content = csv("Vivienda;Lectura anterior;Lectura actual", "2A;0;30", "2B;0;10")
    job = imported(manager, drain, content, "otra.csv")
    assert job["status"] == "failed", job
    again = manager.upload("/v1/imports", content, "otra.csv", community_id=community["id"])
    assert again.status_code == 202, again.get_json()
    assert again.get_json()["id"] == job["id"]
    drain()
    assert manager.get(job["url"]).get_json()["status"] == "awaiting_costs"


def test_a_file_that_is_no_spreadsheet_is_refused_at_upload(manager: Caller) -> None:
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    for name in ("lecturas.csv", "lecturas.xlsx", "factura.pdf"):
        sent = manager.upload("/v1/imports", pdf, name)
        assert sent.status_code == 422, (name, sent.get_json())
        assert sent.get_json()["errors"][0]["code"] == "unsupported_file"
    assert manager.get("/v1/imports").get_json() == []


def test_a_value_too_long_to_keep_fails_the_import_at_once_not_after_retries(
    manager: Caller, community: dict[str, Any], drain: Callable[[], None]
) -> None:
    long_code = "Vivienda-" + "x" * 60  # units keep codes of up to 50 characters
    content = csv("Vivienda;Coeficiente;Lectura anterior;Lectura actual", f"{long_code};1;0;10", "1B;1;0;20")
    job = imported(manager, drain, content, "largo.csv", community_id=community["id"])
    assert job["attempts"] == 1, job
    if job["status"] == "failed":  # PostgreSQL keeps the limit; SQLite keeps any length
        assert "too long" in job["reason"]
        assert long_code not in units_of(manager, community)
