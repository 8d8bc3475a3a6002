"""prorata as an operator runs it in production: PostgreSQL, RabbitMQ, and the installed `prorata`
command's processes — `api` (gunicorn), `worker`, `sftp`, `watch` — sharing one data folder, each with its
log in a file that a failing assertion shows.

`production` (module scope) gives a database and a RabbitMQ vhost of the module's own; each test uses a
tenant of its own and leaves no job unfinished, so tests of a module can share them. Without PostgreSQL or
RabbitMQ the tests are skipped with the reason, and fail under CI=true (tests/services.py)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from prorata.config.bootstrap import Components, bootstrap
from prorata.config.settings import Settings
from prorata.domain.access.principal import Role
from tests.api_client import key_for, new_tenant
from tests.e2e.conftest import _prorata, free_port
from tests.services import fresh_postgres_database, fresh_rabbitmq_vhost

# Short intervals so that what a sweeper or a lease decides happens within a test's seconds.
FAST = {
    "PRORATA_SWEEP_SECONDS": "0.3",
    "PRORATA_RESEND_SECONDS": "1",
    "PRORATA_IMPORT_LEASE_SECONDS": "3",
    "PRORATA_SEND_LEASE_SECONDS": "3",
    "PRORATA_NOTIFY_BACKOFF_SECONDS": "0.05",
    "PRORATA_DROP_STABLE_SECONDS": "0.5",
    "PRORATA_DROP_RESCAN_SECONDS": "1",
    "PRORATA_WORKER_THREADS": "2",
}


@dataclass
class Service:
    """One `prorata …` process; `log` holds its stdout and stderr."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- prorata {self.name} (exit {self.process.poll()}) ---\n" + "\n".join(
            text.splitlines()[-lines:]
        )

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            raise


@dataclass
class Production:
    env: dict[str, str]
    folder: Path
    services: list[Service] = field(default_factory=list)
    _parts: Components | None = None

    @property
    def parts(self) -> Components:
        """The same wiring in this process: to set up tenants and keys and to read rows back."""
        if self._parts is None:
            self._parts = bootstrap(Settings.from_environment(self.env))
        return self._parts

    def start(self, *args: str, env: dict[str, str] | None = None) -> Service:
        """`prorata ARGS` with this deployment's environment (plus `env`)."""
        log = self.folder / f"{args[0]}-{len(self.services)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [_prorata(), *args],
                env={**os.environ, **self.env, **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        service = Service(args[0], process, log)
        self.services.append(service)
        return service

    def worker(self, threads: int = 2, env: dict[str, str] | None = None) -> Service:
        service = self.start("worker", "--threads", str(threads), env=env)
        wait_until(lambda: "prorata worker:" in service.log.read_text(), 30, service.tail)
        return service

    def api(self, workers: int = 1, env: dict[str, str] | None = None) -> Api:
        port = free_port()
        service = self.start("api", "--port", str(port), "--workers", str(workers), env=env)
        api = Api(f"http://127.0.0.1:{port}", service)

        def up() -> bool:
            assert service.process.poll() is None, service.tail()
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(api.base + "/health", timeout=2).status_code == 200
            return False

        wait_until(up, 30, service.tail)
        return api

    def tenant(self, name: str = "Fincas Producción") -> tuple[str, str]:
        """A tenant of the test's own and a manager key for it."""
        tenant = new_tenant(self.parts, name)
        return tenant, key_for(self.parts, Role.MANAGER, tenant)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the processes started here and their children (gunicorn's workers,
        the spreadsheet readers' children): on a shared machine, the figure other runs do not inflate."""
        return sum(_cpu_of_tree(service.process.pid) for service in self.services)

    def logs(self) -> str:
        return "\n".join(service.tail() for service in self.services)

    def stop_all(self) -> None:
        for service in reversed(self.services):
            with contextlib.suppress(Exception):
                service.stop()
        self.services.clear()


@dataclass
class Api:
    """`prorata api` over real HTTP."""

    base: str
    service: Service

    def client(self, key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=30)


def _cpu_of_tree(pid: int) -> float:
    """utime + stime of `pid` and its reaped children (cutime + cstime), and so of its live children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(f) for f in fields[11:15])
    children = [int(c) for c in _children_of(pid)]
    return ticks / os.sysconf("SC_CLK_TCK") + sum(_cpu_of_tree(c) for c in children)


def _children_of(pid: int) -> list[str]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += (task / "children").read_text().split()
    if found or Path(f"/proc/{pid}/task/{pid}/children").exists():
        return found
    for stat in Path("/proc").glob("[0-9]*/stat"):  # kernels without …/children
        with contextlib.suppress(OSError, IndexError):
            if stat.read_text().rsplit(")", 1)[1].split()[1] == str(pid):
                found.append(stat.parent.name)
    return found


def wait_until(
    condition: Callable[[], Any], seconds: float, explain: Callable[[], str] = str, every: float = 0.05
) -> Any:
    """`condition()`'s first true value, asked every `every` seconds; fails after `seconds`, explained."""
    deadline = time.monotonic() + seconds
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out after {seconds} s\n{explain()}"
        time.sleep(every)


@contextlib.contextmanager
def production_services(folder: Path, **more: str) -> Iterator[Production]:
    """A database and a vhost of their own, the data folder under `folder`."""
    with fresh_postgres_database() as database, fresh_rabbitmq_vhost() as broker:
        env = {
            "PRORATA_DATA_DIR": str(folder / "var"),
            "PRORATA_DATABASE_URL": database,
            "PRORATA_BROKER_URL": broker,
            **FAST,
            **more,
        }
        deployment = Production(env, folder)
        deployment.parts.upgrade_database()
        try:
            yield deployment
        finally:
            deployment.stop_all()
            if deployment._parts is not None:
                deployment._parts.broker.close()
                deployment._parts.engine.dispose()


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    with production_services(tmp_path_factory.mktemp("production")) as deployment:
        yield deployment


@pytest.fixture
def deployment(production: Production) -> Iterator[Production]:
    """The module's deployment; the processes a test started are stopped after it."""
    yield production
    production.stop_all()
