"""Hostile files through `POST /v1/imports` and the session's worker, on SQLite and PostgreSQL: every
request is answered without a server error, every import ends (settled, awaiting costs or failed) after
one attempt, the errors workbook handed back runs no formula and is built within bounded memory, and the
worker imports the next good file.

The whole corpus is sent once per database (the `sent` fixture); each test then judges one kind of file,
so a known finding marks only the tests it fails (findings.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import dramatiq
import pytest
from flask import Flask

from prorata.adapters.dramatiq_queue import EVENTS, QUEUE
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Role
from tests.api_client import Caller, key_for, new_tenant
from tests.hostile.budget import sample
from tests.hostile.harness import DeadLetters, Through, database_of, drain, judge
from tests.hostile.mutations import KINDS, Hostile, good_csv
from tests.hostile.oracles import ENDED, failures, formulas_in_workbook, memory_growth

ANSWERED = {200, 202, 413, 422}
# The API process may grow by this much while it hands back one errors workbook, whatever the file.
MEMORY_BOUND = 200 * 1024 * 1024
# The corpus through the API on PostgreSQL (the production database) in `make test`; on both in `make fuzz`.
pytestmark = pytest.mark.one_database("postgresql")


@dataclass
class Upload:
    file: Hostile
    status: int
    body: Any
    job: dict[str, Any] | None = None
    answers: dict[str, int] = field(default_factory=dict)
    handed_back: list[str] = field(default_factory=list)
    growth: int = 0
    echoed: bool = True
    crash: str | None = None

    @property
    def url(self) -> str | None:
        return self.body.get("url") if isinstance(self.body, dict) else None


Sent = Through[Upload]


@pytest.fixture(scope="module")
def caller(app: Flask, components: Components) -> Caller:
    tenant = new_tenant(components, "Fincas Hostil")
    return Caller(app.test_client(), key_for(components, Role.MANAGER, tenant))


@pytest.fixture(scope="module")
def sent(
    caller: Caller, components: Components, worker: dramatiq.Worker, hostile_files: tuple[Hostile, ...]
) -> Sent:
    dead = DeadLetters(components)
    uploads = []
    for number, hostile in enumerate(hostile_files):
        # A community of its own: files never race each other for the same units.
        community = caller.created("/v1/communities", {"code": f"H{number:05d}", "name": hostile.name})
        response = caller.upload("/v1/imports", hostile.content, hostile.name, community_id=community["id"])
        uploads.append(Upload(hostile, response.status_code, response.get_json(silent=True)))
    drain(components, worker)
    crashed = dead.take(QUEUE)
    # The errors workbook is built from the stored file and its row errors, by a process of its own: no
    # database has a say in it, so one database weighs it.
    weighed = {h.name for h in sample(hostile_files)} if database_of(components) == "postgresql" else set()
    for upload in uploads:
        if upload.url:
            _collect(caller, upload, upload.file.name in weighed)
            upload.crash = crashed.get(upload.body["id"])
    return Sent.of(uploads, lambda upload: upload.file.kind, dead.take(EVENTS))


def _collect(caller: Caller, upload: Upload, workbook_too: bool) -> None:
    url = str(upload.url)
    job = caller.get(url)
    upload.answers[url] = job.status_code
    upload.job = job.get_json(silent=True)
    upload.answers[f"{url}/errors"] = caller.get(f"{url}/errors").status_code
    original = caller.get(f"{url}/file")
    upload.answers[f"{url}/file"] = original.status_code
    upload.echoed = original.data == upload.file.content
    if workbook_too:
        with memory_growth() as growth:
            workbook = caller.get(f"{url}/errors.xlsx")
        upload.growth = growth.bytes
        upload.answers[f"{url}/errors.xlsx"] = workbook.status_code
        if workbook.status_code == 200:
            upload.handed_back = failures(lambda: formulas_in_workbook(workbook.data))


@pytest.mark.parametrize("kind", KINDS)
def test_every_request_is_answered_without_a_server_error(
    sent: Sent, kind: str, request: pytest.FixtureRequest, components: Components
) -> None:
    wrong = []
    for upload in sent.by_kind[kind]:
        if upload.status not in ANSWERED:
            wrong.append(f"{upload.file.name}: upload {upload.status} {upload.body}"[:300])
        wrong += [
            f"{upload.file.name}: GET {at} {code}" for at, code in upload.answers.items() if code != 200
        ]
        if not upload.echoed:
            wrong.append(f"{upload.file.name}: GET …/file gave other bytes than were sent")
    judge(request, wrong, database_of(components))


@pytest.mark.parametrize("kind", KINDS)
def test_every_import_ends_after_one_attempt(
    sent: Sent, kind: str, request: pytest.FixtureRequest, components: Components
) -> None:
    wrong = []
    for upload in sent.by_kind[kind]:
        if upload.crash:
            wrong.append(f"{upload.file.name}: every attempt raised {upload.crash}")
        if upload.job is not None:
            status, attempts, reason = upload.job["status"], upload.job["attempts"], upload.job["reason"]
            if status not in ENDED:
                wrong.append(f"{upload.file.name}: left {status} ({reason})")
            elif status == "failed" and attempts != 1:
                wrong.append(f"{upload.file.name}: failed after {attempts} attempts ({reason})")
    judge(request, wrong, database_of(components))


@pytest.mark.parametrize("kind", KINDS)
def test_the_errors_workbook_handed_back_runs_no_formula(
    sent: Sent, kind: str, request: pytest.FixtureRequest, components: Components
) -> None:
    wrong = [f"{u.file.name}: {finding}" for u in sent.by_kind[kind] for finding in u.handed_back]
    judge(request, wrong, database_of(components))


@pytest.mark.parametrize("kind", KINDS)
def test_the_errors_workbook_is_built_within_bounded_memory(
    sent: Sent, kind: str, request: pytest.FixtureRequest, components: Components
) -> None:
    wrong = [
        f"{u.file.name}: +{u.growth // 2**20} MiB" for u in sent.by_kind[kind] if u.growth > MEMORY_BOUND
    ]
    judge(request, wrong, database_of(components))


def test_every_event_the_imports_led_to_is_handled(
    sent: Sent, request: pytest.FixtureRequest, components: Components
) -> None:
    judge(request, sent.unhandled_events(), database_of(components))


def test_the_worker_imports_a_good_file_after_the_hostile_ones(
    caller: Caller, components: Components, worker: dramatiq.Worker, sent: Sent
) -> None:
    community = caller.created("/v1/communities", {"code": "GOOD", "name": "CP Buena"})
    response = caller.upload("/v1/imports", good_csv("después"), "lecturas.csv", community_id=community["id"])
    assert response.status_code == 202, response.get_json()
    drain(components, worker)
    job = caller.get(response.get_json()["url"]).get_json()
    assert (job["status"], job["attempts"], job["rows"]["accepted"], job["rows"]["rejected"]) == (
        "awaiting_costs",
        1,
        9,
        0,
    ), job
