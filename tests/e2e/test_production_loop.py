"""The whole loop as it runs in production, on PostgreSQL and RabbitMQ: a legacy system pushes its export
with OpenSSH's `sftp` to `prorata sftp`; `prorata watch` claims it; `prorata worker` imports and settles
it; a manager publishes over `prorata api`; a resident downloads her receipt's PDF; every resident is
pushed once on a stand-in OneSignal."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from prorata.application.dropzone import add_account
from tests.e2e.conftest import free_port
from tests.e2e.production import Production, deployment, production, wait_until
from tests.e2e.test_run_processes import _listening
from tests.e2e.test_sftp_drop_zone import DropZone
from tests.fake_onesignal import API_KEY, APP_ID, fake_onesignal
from tests.integration.notification_world import onesignal_env
from tests.production_files import community_workbook, owners

__all__ = ["deployment", "production"]  # the fixtures these tests use

pytestmark = pytest.mark.skipif(shutil.which("sftp") is None, reason="OpenSSH's sftp client is not installed")

LANGUAGES = ("es", "ca", "en")


def test_a_file_pushed_by_sftp_ends_as_receipts_a_pdf_and_one_push_per_resident(
    deployment: Production, tmp_path: Path
) -> None:
    with fake_onesignal() as fake:
        push = onesignal_env(fake.root, APP_ID, API_KEY)
        tenant, key = deployment.tenant()
        zone = drop_zone(deployment, tenant, tmp_path)
        deployment.start("watch")
        deployment.worker(env=push)
        api = deployment.api(env=push)
        manager = api.client(key)
        # The management system registered the owners beforehand, with their app's push id.
        residents = {}
        for owner, language in zip(owners("C0500", 3), LANGUAGES, strict=True):
            body = {"name": owner.name, "tax_id": owner.tax_id, "language": language,
                    "external_id": f"app-{owner.tax_id}"}  # fmt: skip
            answer = manager.post("/v1/residents", json=body)
            assert answer.status_code == 201, answer.text
            residents[owner.unit] = answer.json()

        export = tmp_path / "export.xlsx"
        export.write_bytes(community_workbook("C0500", 3))
        sent = zone.sftp(f"put {export} export.xlsx\n")
        assert sent.returncode == 0, sent.stderr
        result = zone.home / "processed" / "export.xlsx.result.json"
        wait_until(result.exists, 60, deployment.logs)
        assert json.loads(result.read_text())["status"] == "settled"

        [job] = manager.get("/v1/imports").json()
        assert (job["source"], job["original_name"], job["status"]) == ("sftp", "export.xlsx", "settled")
        [settlement] = manager.get(job["url"]).json()["settlements"]
        published = manager.post(f"/v1/settlements/{settlement['id']}/publish")
        assert published.status_code == 201, published.text
        receipts = manager.get("/v1/receipts", params={"settlement_id": settlement["id"]}).json()
        assert len(receipts) == 3
        assert sum(Decimal(r["total"]) for r in receipts) == Decimal("300.00")  # the bill, to the cent

        rosa = residents["1"]
        resident_key = manager.post(f"/v1/residents/{rosa['id']}/keys").json()["key"]
        [mine] = api.client(resident_key).get("/v1/me/receipts").json()
        pdf = api.client(resident_key).get(f"/v1/me/receipts/{mine['id']}/pdf")
        assert pdf.status_code == 200, pdf.text
        assert (pdf.headers["content-type"], pdf.content[:5]) == ("application/pdf", b"%PDF-")

        def all_sent() -> list[dict[str, Any]] | None:
            made: list[dict[str, Any]] = manager.get("/v1/notifications").json()
            return made if len(made) == 3 and {n["status"] for n in made} == {"sent"} else None

        made = wait_until(all_sent, 60, deployment.logs)
    assert sorted(n["resident_id"] for n in made) == sorted(r["id"] for r in residents.values())
    assert len(fake.created) == 3
    for notification in made:
        assert (
            fake.created_for(
                notification["receipt_id"], notification["event_id"], notification["external_id"]
            )
            == 1
        )


def drop_zone(deployment: Production, tenant: str, tmp_path: Path) -> DropZone:
    """`prorata sftp` serving an account of the tenant's that logs in with a key of the test's own."""
    key = tmp_path / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True, timeout=30)
    parts = deployment.parts
    with parts.unit_of_work() as uow:
        account = add_account(
            uow, parts.ids, parts.clock, tenant, "gesfincas", None, Path(f"{key}.pub").read_text()
        )
    root = parts.settings.drop_root
    (root / account.username).mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = deployment.start("sftp", "--port", str(port))
    wait_until(lambda: _listening(port), 30, server.tail)
    return DropZone(port, deployment.env, root, root / account.username, key, tmp_path)
