"""`prorata run --demo` started again on the same data: nothing is made twice, and the same keys and first
steps are printed (tests/e2e/test_demo_first_steps.py follows those steps against the running process)."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask

from prorata.application.access import authenticate, key_id_of, revoke_key
from prorata.config.bootstrap import Components
from prorata.entrypoints.cli.demo import prepare_demo
from tests.api_client import Caller


def _started(components: Components, capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, str], str]:
    prepare_demo(components, "127.0.0.1", 8000, 2222)
    printed = capsys.readouterr().out
    first, _, guide = printed.partition("\n")
    return json.loads(first), guide


def _held(components: Components, tenant: str) -> dict[str, int]:
    with components.unit_of_work() as uow:
        return {
            "communities": uow.communities.list(tenant).total,
            "units": uow.units.list(tenant).total,
            "residents": uow.residents.list(tenant).total,
            "settlements": uow.settlements.list(tenant).total,
            "imports": uow.imports.list(tenant).total,
            "receipts": uow.receipts.list(tenant).total,
            "notifications": uow.notifications.list(tenant).total,
            "sftp accounts": uow.drop_accounts.list(tenant).total,
            "keys": uow.keys.list(tenant).total,
        }


def test_a_second_start_makes_nothing_twice_and_prints_the_same_keys_and_steps(
    components: Components, capsys: pytest.CaptureFixture[str]
) -> None:
    demo, guide = _started(components, capsys)
    held = _held(components, demo["tenant"])
    assert held == {
        "communities": 1,
        "units": 9,
        "residents": 11,
        "settlements": 2,  # last quarter's, published; this quarter's, waiting for its readings
        "imports": 1,
        "receipts": 9,
        "notifications": 11,  # nine owners and two occupants, told of last quarter's receipts
        "sftp accounts": 1,
        "keys": 2,  # the manager's and the resident's (support belongs to no tenant)
    }
    again, guide_again = _started(components, capsys)
    assert (again, guide_again) == (demo, guide)
    assert _held(components, demo["tenant"]) == held
    assert (components.settings.data_dir / "demo-keys.json").stat().st_mode & 0o077 == 0


def test_a_key_revoked_since_is_replaced_by_a_new_one_at_the_next_start(
    components: Components, capsys: pytest.CaptureFixture[str]
) -> None:
    demo, _ = _started(components, capsys)
    with components.unit_of_work() as uow:
        key_id = key_id_of(demo["manager_key"])
        assert key_id is not None
        revoke_key(uow, components.clock, demo["tenant"], key_id)
    again, guide = _started(components, capsys)
    assert again["manager_key"] != demo["manager_key"]
    assert again["manager_key"] in guide
    assert (again["support_key"], again["resident_key"]) == (demo["support_key"], demo["resident_key"])
    with components.unit_of_work() as uow:
        assert authenticate(uow, again["manager_key"]) is not None


def test_the_printed_remittance_step_collects_every_owners_receipt(
    components: Components, capsys: pytest.CaptureFixture[str], app: Flask
) -> None:
    demo, guide = _started(components, capsys)
    step = next(line for line in guide.splitlines() if "/remittances" in line)
    day = re.search(r'"collection_date": "(\d{4}-\d{2}-\d{2})"', step)
    path = re.search(r"(/v1/communities/\S+/remittances)", step)
    assert day, step
    assert path, step
    boss = Caller(app.test_client(), demo["manager_key"])
    made = boss.post(path[1], {"collection_date": day[1]}, headers={"Idempotency-Key": "demo-try"})
    assert made.status_code == 201, made.get_json()
    remittance = made.get_json()
    assert remittance["excluded"] == []  # every owner has an IBAN and a mandate a bank takes
    assert remittance["count"] == 9
