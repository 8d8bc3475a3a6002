"""Two `prorata worker` processes on RabbitMQ share a queue of imports: a worker busy with one import
holds no other — the next one goes to the worker that is free, not behind the busy one's file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from prorata.application.receive_file import receive_file
from prorata.domain.access.principal import Principal, Role
from prorata.domain.imports.model import ImportSource
from tests.e2e.production import Production, deployment, production, wait_until

__all__ = ["deployment", "production"]  # the fixtures these tests use

# Production's lease and resend interval: no time limit ends the busy attempt, and no sweeper sends the
# waiting import a second message that a free worker could take anyway.
PATIENT = {"PRORATA_IMPORT_LEASE_SECONDS": "600", "PRORATA_RESEND_SECONDS": "600"}


def _upload(deployment: Production, tenant: str, path: Path) -> str:
    parts = deployment.parts
    with parts.unit_of_work() as uow:
        job, _ = receive_file(
            uow, parts.services, Principal(Role.MANAGER, tenant), path, path.name, ImportSource.API
        )
    return job.id


def _status(deployment: Production, import_id: str) -> str:
    with deployment.parts.engine.connect() as connection:
        return str(
            connection.execute(text("SELECT status FROM imports WHERE id = :id"), {"id": import_id}).scalar()
        )


def test_the_next_import_goes_to_the_free_worker_not_behind_the_busy_one(
    deployment: Production, tmp_path: Path
) -> None:
    tenant, _ = deployment.tenant()
    files = []
    for name, unit in (("big.csv", "1A"), ("next.csv", "2B")):
        files.append(tmp_path / name)
        files[-1].write_text(
            f"Cod. Comunidad;Piso;Contador;Lectura anterior;Lectura actual\nC1;{unit};M-{unit};10,5;20,25\n"
        )
    big = _upload(deployment, tenant, files[0])
    # The big import's row held by a transaction of this test: the worker that takes it waits for it
    # as long as this lasts, as it would while importing a file of half a million rows.
    with deployment.parts.engine.connect() as held:
        held.execute(text("SELECT id FROM imports WHERE id = :id FOR UPDATE"), {"id": big})
        busy = deployment.worker(threads=1, env=PATIENT)
        wait_until(lambda: _claims_waiting(deployment) == 1, 30, busy.tail)  # it took the big one
        following = _upload(deployment, tenant, files[1])
        deployment.worker(threads=1, env=PATIENT)
        wait_until(lambda: _status(deployment, following) == "awaiting_costs", 30, deployment.logs)
        assert _status(deployment, big) == "received"  # still waiting for its row
        held.rollback()
    wait_until(lambda: _status(deployment, big) == "awaiting_costs", 30, deployment.logs)


def _claims_waiting(deployment: Production) -> int:
    """How many of the database's sessions wait for a lock (a worker's claim of the held row)."""
    with deployment.parts.engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )
