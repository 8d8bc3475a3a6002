"""A worker killed with SIGKILL in the middle of a push: once another worker takes the push over, the
resident still gets it exactly once — OneSignal had made it, and the retry carries the same key."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from prorata.config.bootstrap import bootstrap
from prorata.config.settings import Settings
from prorata.domain.access.principal import Role
from prorata.domain.notifications.model import NotificationStatus
from prorata.entrypoints.api.app import create_app
from tests import fake_onesignal as answers
from tests.api_client import Caller, key_for, new_tenant
from tests.e2e.conftest import _prorata
from tests.fake_onesignal import API_KEY, APP_ID, fake_onesignal
from tests.integration.notification_world import published_world


def test_a_push_cut_off_by_sigkill_reaches_the_resident_once(tmp_path: Path) -> None:
    with fake_onesignal() as fake:
        env = {
            **os.environ,
            "PRORATA_DATA_DIR": str(tmp_path / "var"),
            "PRORATA_DATABASE_URL": "",
            "PRORATA_BROKER_URL": "",
            "PRORATA_ONESIGNAL_APP_ID": APP_ID,
            "PRORATA_ONESIGNAL_API_KEY": API_KEY,
            "PRORATA_ONESIGNAL_API_ROOT": fake.root,
            "PRORATA_SEND_LEASE_SECONDS": "1",
            "PRORATA_SWEEP_SECONDS": "0.1",
            "PRORATA_RESEND_SECONDS": "0.2",
            "PRORATA_WORKER_THREADS": "1",
        }
        parts = bootstrap(Settings.from_environment(env))
        parts.upgrade_database()
        tenant = new_tenant(parts)
        boss = Caller(create_app(parts).test_client(), key_for(parts, Role.MANAGER, tenant))
        # Published here; this process has no worker: the workers started below find the events.
        world = published_world(
            boss, boss.created("/v1/communities", {"code": "C0012", "name": "CP Mayor 12"})
        )
        fake.then(answers.hang())  # the first push is made by OneSignal, and its answer never comes back
        first = subprocess.Popen([_prorata(), "worker"], env=env, stderr=subprocess.DEVNULL)
        try:
            fake.wait_for_requests(1, timeout=15)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(5)
        cut_off = fake.requests[0].key
        fake.release()
        second = subprocess.Popen([_prorata(), "worker"], env=env, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 15
            while True:
                with parts.unit_of_work() as uow:
                    made = uow.notifications.list(tenant).items
                if len(made) == 3 and all(n.status is NotificationStatus.SENT for n in made):
                    break
                assert time.monotonic() < deadline, [(n.status.value, n.reason) for n in made]
                time.sleep(0.1)
        finally:
            second.kill()  # its work is done; a graceful stop would only cost a second
            second.wait(5)
        parts.engine.dispose()
    assert [r.key for r in fake.requests].count(cut_off) == 2  # asked again after the kill
    for notification in made:
        assert fake.created_for(notification.receipt_id, notification.event_id, notification.external_id) == 1
        assert notification.provider_id == fake.by_key[notification.idempotency_key]
    assert len(fake.created) == 3
    assert {n.resident_id for n in made} == {world.residents[k]["id"] for k in ("rosa", "marc", "jordi")}
