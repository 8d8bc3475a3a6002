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
        self._log(message, "ok" if exception is None else failed, exception)

    def after_skip_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self._log(message, "skipped", None)

    def _log(self, message: Any, outcome: str, exception: BaseException | None) -> None:
        seconds = time.perf_counter() - self.started.pop(message.message_id, time.perf_counter())
        job_id = str(message.args[0]) if message.args else None
        tenant, status = self._row(message.actor_name, job_id)
        level = logging.INFO if outcome in ("ok", "skipped") else logging.WARNING
        log.log(
            level,
            "job %s %s %s%s",
            message.actor_name,
            job_id,
            outcome,
            f": {type(exception).__name__}: {exception}" if exception is not None else "",
            extra={
                "actor": message.actor_name,
                "message_id": message.message_id,
                "job_id": job_id,
                "tenant_id": tenant,
                "outcome": outcome,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
            },
        )

    def _row(self, actor: str, job_id: str | None) -> tuple[str | None, str | None]:
        """The job row's tenant and status; (None, None) if it cannot be read (a log line must not fail)."""
        if job_id is None:
            return None, None
        try:
            with self.components.unit_of_work() as uow:
                if actor == DISPATCH_EVENT:
                    stored = uow.outbox.get(job_id)
                    if stored is None:
                        return None, None
                    return stored.event.tenant_id, "dispatched" if stored.dispatched_at else "pending"
                repository: Any = {
                    RUN_IMPORT: uow.imports,
                    SEND_NOTIFICATION: uow.notifications,
                    DELIVER_WEBHOOK: uow.webhook_deliveries,
                }.get(actor)
                row = repository.get(None, job_id) if repository is not None else None
        except Exception:
            return None, None
        if row is None:
            return None, None
        return row.tenant_id, str(getattr(row.status, "value", row.status))
