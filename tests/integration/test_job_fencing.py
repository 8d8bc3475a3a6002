"""Jobs that cannot collide (on SQLite and PostgreSQL): one claim wins, a lapsed or cancelled attempt
commits nothing, and the sweeper sends a lost job once per interval however many processes sweep."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prorata.application.import_admin import STALE, cancel, reprocess, sweep
from prorata.application.process_import import claim, process_import
from prorata.application.receive_file import receive_file
from prorata.config.bootstrap import Components
from prorata.domain.access.principal import Principal, Role
from prorata.domain.imports.model import ImportJob, ImportSource, ImportStatus
from prorata.domain.ports.spreadsheet_reader import SpreadsheetReader
from prorata.domain.readings.sheet import Sheet, Workbook
from tests.api_client import new_tenant

MULTI = Path(__file__).parents[1] / "fixtures" / "samples" / "export-multi-community.xlsx"
SUPPORT = Principal(Role.SUPPORT)


@dataclass
class RecordingQueue:
    """Records what would wake a worker, and wakes none: these tests drive the use cases themselves."""

    sent: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)

    def run_import(self, import_id: str) -> None:
        self.sent.append(import_id)

    def dispatch_event(self, event_id: str) -> None:
        self.events.append(event_id)

    def dispatch_events(self, event_ids: list[str]) -> None:
        self.events.extend(event_ids)


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


class MeetingClock:
    """Holds each caller until all have asked the time: claimers that read the job before either writes."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=10)

    def now(self) -> datetime:
        with contextlib.suppress(threading.BrokenBarrierError):
            self.barrier.wait()
        return datetime.now(UTC)


class GatedReader:
    """The real reader, held back until the test lets it go: an attempt that is provably mid-way."""

    def __init__(self, inner: SpreadsheetReader) -> None:
        self.inner = inner
        self.reading = threading.Event()
        self.go = threading.Event()

    def refuse_unreadable(self, path: Path, name: str) -> None:
        self.inner.refuse_unreadable(path, name)

    def read(self, path: Path, enough: Callable[[Sheet], bool] | None = None) -> Workbook:
        self.reading.set()
        assert self.go.wait(30)
        return self.inner.read(path, enough)


def received(parts: Components, queue: RecordingQueue | None = None) -> ImportJob:
    tenant = new_tenant(parts)
    with parts.unit_of_work() as uow:
        job, _ = receive_file(
            uow,
            dataclasses.replace(parts.services, queue=queue or RecordingQueue()),
            Principal(Role.MANAGER, tenant),
            MULTI,
            MULTI.name,
            ImportSource.UPLOAD,
        )
    return job


def sends(queue: RecordingQueue, job: ImportJob) -> int:
    """How often this job was sent (the sweeper sees every tenant's jobs, other tests' too)."""
    return queue.sent.count(job.id)


def stored(parts: Components, import_id: str) -> ImportJob:
    with parts.unit_of_work() as uow:
        job = uow.imports.get(None, import_id)
    assert job is not None
    return job


def settlement_ids(parts: Components, job: ImportJob) -> list[str]:
    with parts.unit_of_work() as uow:
        return sorted(s.id for s in uow.settlements.list(job.tenant_id, import_id=job.id).items)


def run(parts: Components, import_id: str, reader: SpreadsheetReader, lease: timedelta) -> None:
    with parts.unit_of_work() as uow:
        process_import(uow, dataclasses.replace(parts.services, reader=reader), import_id, lease)


def test_two_workers_claiming_one_job_at_once_only_one_gets_it(components: Components) -> None:
    job = received(components)
    clock = MeetingClock(2)
    won: list[ImportJob | None] = []

    def take() -> None:
        with components.unit_of_work() as uow:
            won.append(claim(uow, clock, job.id))

    racers = [threading.Thread(target=take) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert len([w for w in won if w is not None]) == 1
    assert stored(components, job.id).attempts == 1


def test_an_attempt_whose_lease_ran_out_and_was_taken_over_writes_nothing(components: Components) -> None:
    job = received(components)
    slow_reader = GatedReader(components.spreadsheet_reader)
    slow = threading.Thread(target=run, args=(components, job.id, slow_reader, timedelta(0)))
    slow.start()
    assert slow_reader.reading.wait(30)
    run(components, job.id, components.spreadsheet_reader, timedelta(minutes=10))  # takes over
    taken_over = stored(components, job.id)
    assert (taken_over.status, taken_over.attempts) == (ImportStatus.SETTLED, 2)
    produced = settlement_ids(components, job)
    assert produced
    slow_reader.go.set()
    slow.join(60)
    assert not slow.is_alive()
    after = stored(components, job.id)
    assert (after.status, after.attempts, after.finished_at) == (
        ImportStatus.SETTLED,
        2,
        taken_over.finished_at,
    )
    assert settlement_ids(components, job) == produced


def test_support_cancelling_a_running_import_wins_and_nothing_it_did_is_kept(
    components: Components,
) -> None:
    job = received(components)
    reader = GatedReader(components.spreadsheet_reader)
    worker = threading.Thread(target=run, args=(components, job.id, reader, timedelta(minutes=10)))
    worker.start()
    assert reader.reading.wait(30)
    with components.unit_of_work() as uow:
        assert cancel(uow, components.clock, SUPPORT, job.id).status is ImportStatus.CANCELLED
    reader.go.set()
    worker.join(60)
    assert stored(components, job.id).status is ImportStatus.CANCELLED
    assert settlement_ids(components, job) == []
    with components.unit_of_work() as uow:
        assert uow.communities.list(job.tenant_id).items == []


def test_many_sweepers_send_a_lost_job_once_per_interval(components: Components) -> None:
    job = received(components)
    queue = RecordingQueue()
    later = job.received_at + timedelta(minutes=10)
    for _ in range(5):  # five processes sweeping, one after another
        with components.unit_of_work() as uow:
            sweep(uow, FixedClock(later), queue)
    assert sends(queue, job) == 1
    for _ in range(3):
        with components.unit_of_work() as uow:
            sweep(uow, FixedClock(later + STALE / 2), queue)
    assert sends(queue, job) == 1
    with components.unit_of_work() as uow:  # lost again: one more, a whole interval on
        sweep(uow, FixedClock(later + STALE + timedelta(seconds=1)), queue)
    assert sends(queue, job) == 2


def test_sweepers_racing_in_threads_send_once(components: Components) -> None:
    job = received(components)
    queue = RecordingQueue()
    later = FixedClock(job.received_at + timedelta(minutes=10))
    start = threading.Barrier(4, timeout=10)

    def sweeping() -> None:
        start.wait()
        with components.unit_of_work() as uow:
            sweep(uow, later, queue)

    sweepers = [threading.Thread(target=sweeping) for _ in range(4)]
    for sweeper in sweepers:
        sweeper.start()
    for sweeper in sweepers:
        sweeper.join()
    assert sends(queue, job) == 1


def test_a_reprocessed_job_just_sent_is_not_sent_again_by_the_sweeper(components: Components) -> None:
    job = received(components)
    run(components, job.id, components.spreadsheet_reader, timedelta(minutes=10))
    sent = RecordingQueue()
    with components.unit_of_work() as uow:
        reprocess(uow, dataclasses.replace(components.services, queue=sent), SUPPORT, job.id)
    assert sent.sent == [job.id]
    swept = RecordingQueue()
    with components.unit_of_work() as uow:
        sweep(uow, components.clock, swept)
    assert sends(swept, job) == 0


class FailingReader:
    def refuse_unreadable(self, path: Path, name: str) -> None:
        return None

    def read(self, path: Path, enough: Callable[[Sheet], bool] | None = None) -> Workbook:
        raise RuntimeError("disk hiccup")


def test_a_released_job_waits_for_its_retry_not_for_the_sweeper(components: Components) -> None:
    job = received(components)
    with components.unit_of_work() as uow, contextlib.suppress(RuntimeError):
        process_import(uow, dataclasses.replace(components.services, reader=FailingReader()), job.id)
    released = stored(components, job.id)
    assert (released.status, released.attempts) == (ImportStatus.RECEIVED, 1)
    queue = RecordingQueue()
    with components.unit_of_work() as uow:  # the broker's retry, after its backoff, is the one to run it
        sweep(uow, FixedClock(components.clock.now() + timedelta(seconds=30)), queue)
    assert sends(queue, job) == 0


def test_an_attempt_cancelled_before_a_reprocess_cannot_commit_over_the_new_one(
    components: Components,
) -> None:
    """Cancel, reprocess, and a new claim numbered 1 again: the cancelled attempt 1 still loses."""
    job = received(components)
    old_reader = GatedReader(components.spreadsheet_reader)
    old = threading.Thread(target=run, args=(components, job.id, old_reader, timedelta(minutes=10)))
    old.start()
    assert old_reader.reading.wait(30)
    with components.unit_of_work() as uow:
        cancel(uow, components.clock, SUPPORT, job.id)
    with components.unit_of_work() as uow:
        reprocess(uow, dataclasses.replace(components.services, queue=RecordingQueue()), SUPPORT, job.id)
    new_reader = GatedReader(components.spreadsheet_reader)
    new = threading.Thread(target=run, args=(components, job.id, new_reader, timedelta(minutes=10)))
    new.start()
    assert new_reader.reading.wait(30)
    assert (stored(components, job.id).generation, stored(components, job.id).attempts) == (1, 1)
    old_reader.go.set()
    old.join(60)
    assert stored(components, job.id).status is ImportStatus.PARSING  # the old attempt wrote nothing
    new_reader.go.set()
    new.join(60)
    done = stored(components, job.id)
    assert (done.status, done.generation) == (ImportStatus.SETTLED, 1)


class DyingReader:
    """An attempt that never ends by itself: killed by the memory limit, or by the broker's time limit."""

    def refuse_unreadable(self, path: Path, name: str) -> None:
        return None

    def read(self, path: Path, enough: Callable[[Sheet], bool] | None = None) -> Workbook:
        raise KeyboardInterrupt  # a BaseException, as dramatiq's TimeLimitExceeded is


def test_a_file_whose_attempts_keep_dying_ends_failed_however_its_messages_come(
    components: Components,
) -> None:
    job = received(components)
    dying = dataclasses.replace(components.services, reader=DyingReader())
    for _ in range(6):  # each delivery as the sweeper's first one: no broker retry count to go by
        with components.unit_of_work() as uow, contextlib.suppress(KeyboardInterrupt):
            process_import(uow, dying, job.id)
    ended = stored(components, job.id)
    assert ended.status is ImportStatus.FAILED
    assert ended.reason is not None
    assert "gave up after 4 attempts" in ended.reason
