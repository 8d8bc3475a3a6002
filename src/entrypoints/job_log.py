"""One log line per job a worker ran: actor, message id, job id (the import, event, notification or
delivery the message names), tenant, outcome (`ok`, `retrying`, `failed`, `skipped`), the job row's status
after it, and duration. Messages carry ids only; tenant and status are read back from the job's row."""

from __future__ import annotations

import logging
import time
from typing import Any

import dramatiq

from prorata.adapters.dramatiq_deliveries import DELIVER_WEBHOOK, SEND_NOTIFICATION
from prorata.adapters.dramatiq_queue import DISPATCH_EVENT, RUN_IMPORT
from prorata.config.bootstrap import Components

log = logging.getLogger("prorata.jobs")
# A notification or delivery the message tried and that did not get through: queued again, or given up.
_ATTEMPT_OUTCOMES = {"queued": "retrying", "failed": "failed"}


class JobLog(dramatiq.Middleware):
    def __init__(self, components: Components) -> None:
        self.components = components
        self.started: dict[str, float] = {}

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self.started[message.message_id] = time.perf_counter()

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        # The Retries middleware, before this one, has either sent a failed message again or failed it.
        failed = "failed" if message.failed else "retrying"
        self._log(
            message, "ok" if exception is None else failed, exception, _attempts(result), _tenants(result)
        )

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self._log(message, "skipped", None)

    def _log(
        self,
        message: Any,
        outcome: str,
        exception: BaseException | None,
        attempts: dict[str, tuple[str, str | None]] | None = None,
        tenants: dict[str, str] | None = None,
    ) -> None:
        seconds = time.perf_counter() - self.started.pop(message.message_id, time.perf_counter())
        job_ids: list[str | None] = [str(id) for id in message.args] or [None]
        known = tenants or {}  # the jobs the actor returned need no reading back (their status: `attempts`)
        rows: dict[str, tuple[str | None, str | None]] = {id: (tenant, None) for id, tenant in known.items()}
        rows |= self._rows(message.actor_name, [id for id in job_ids if id is not None and id not in known])
        level = logging.INFO if outcome in ("ok", "skipped") else logging.WARNING
        for job_id in job_ids:  # a message naming several jobs (sent together) gets a line for each
            tenant, status = rows.get(job_id, (None, None)) if job_id is not None else (None, None)
            done, reason = outcome, None
            if exception is None and job_id in (attempts or {}):
                status, reason = (attempts or {})[job_id]
                done = _ATTEMPT_OUTCOMES.get(status, outcome)
            told = f": {type(exception).__name__}: {exception}" if exception is not None else ""
            log.log(
                level if done == outcome else logging.WARNING,
                "job %s %s %s%s",
                message.actor_name,
                job_id,
                done,
                told or (f": {reason}" if reason else ""),
                extra={
                    "actor": message.actor_name,
                    "message_id": message.message_id,
                    "job_id": job_id,
                    "tenant_id": tenant,
                    "outcome": done,
                    "status": status,
                    "reason": reason,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )

    def _rows(self, actor: str, job_ids: list[str]) -> dict[str, tuple[str, str]]:
        """The job rows' tenant and status, by id, in one query; none that cannot be read (a log line
        must not fail)."""
        if not job_ids:
            return {}
        try:
            with self.components.unit_of_work() as uow:
                if actor == DISPATCH_EVENT:
                    return {
                        stored.id: (
                            stored.event.tenant_id,
                            "dispatched" if stored.dispatched_at else "pending",
                        )
                        for stored in uow.outbox.get_all(job_ids)
                    }
                repository: Any = {
                    RUN_IMPORT: uow.imports,
                    SEND_NOTIFICATION: uow.notifications,
                    DELIVER_WEBHOOK: uow.webhook_deliveries,
                }.get(actor)
                found = repository.list(None, id=job_ids).items if repository is not None else []
        except Exception:
            return {}
        return {row.id: (row.tenant_id, str(getattr(row.status, "value", row.status))) for row in found}


def _tenants(result: Any) -> dict[str, str]:
    """The tenant of each job the actor returned, by job id."""
    tried = result if isinstance(result, list) else [result]
    return {job.id: job.tenant_id for job in tried if hasattr(job, "id") and hasattr(job, "tenant_id")}


def _attempts(result: Any) -> dict[str, tuple[str, str | None]]:
    """What the actor's attempts came to, by job id: the status each job row was left in and why (the
    notification and webhook actors return the jobs they tried)."""
    tried = result if isinstance(result, list) else [result]
    return {
        job.id: (str(getattr(job.status, "value", job.status)), getattr(job, "reason", None))
        for job in tried
        if hasattr(job, "id") and hasattr(job, "status")
    }
