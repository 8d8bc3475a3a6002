"""borb in real processes: a process that rendered a receipt PDF still stops cleanly on SIGTERM (borb, not
opted out, replaces the handlers with one that ends in a TypeError), and support writes a receipt's PDF
with `prorata receipts pdf` beside a running `prorata api`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.e2e.conftest import free_port
from tests.pdf_text import pdf_text

RENDER_THEN_WAIT = textwrap.dedent(
    """
    import signal, sys, time
    # A server's own SIGTERM handler: stop cleanly. borb, not opted out, would replace it at its first write.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(0))
    from prorata.adapters.pdf.receipt_pdf import BorbReceiptRenderer
    from prorata.domain.receipts.catalogue import catalogue
    from tests import receipt_samples
    pdf = BorbReceiptRenderer().render(receipt_samples.document(), catalogue("es"))
    assert pdf.startswith(b"%PDF")
    print("rendered", flush=True)
    time.sleep(60)
    """
)


def test_a_process_that_rendered_a_receipt_stops_cleanly_on_sigterm() -> None:
    root = Path(__file__).parents[2]
    process = subprocess.Popen(
        [sys.executable, "-c", RENDER_THEN_WAIT], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == b"rendered\n", process.stderr.read() if process.stderr else ""
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    finally:
        process.kill()
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert code == 0, stderr
    assert "TypeError" not in stderr
    assert process.stdout.read() == b""  # and nothing else printed (no licence reminder)


def call(base: str, key: str, method: str, path: str, body: Any = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(
        base + path, data=None if body is None else json.dumps(body).encode(), method=method
    )
    request.add_header("Content-Type", "application/json")
    request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_support_writes_a_receipt_pdf_and_the_api_that_served_one_stops_cleanly(
    prorata: Any, tmp_path: Path
) -> None:
    # On the default SQLite database only: what is tested here is borb in a serving process, not SQL.
    env = {"PRORATA_DATA_DIR": str(tmp_path / "var")}
    tenant = prorata("tenants", "create", "Fincas García", "--json", env=env).json()["id"]
    key = prorata("keys", "create", "--tenant", tenant, "--role", "manager", "--json", env=env).json()["key"]
    port = free_port()
    api = subprocess.Popen(
        [prorata.executable, "api", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert api.poll() is None, api.stderr.read().decode() if api.stderr else ""
            try:
                if urllib.request.urlopen(base + "/health", timeout=2).status == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, "prorata api did not answer /health within 30 s"
                time.sleep(0.2)
        receipt = publish_one(base, key)
        status, content, headers = call(base, key, "GET", f"/v1/receipts/{receipt['id']}/pdf")
        assert status == 200
        assert headers["Content-Type"] == "application/pdf"
        assert content.startswith(b"%PDF")
    finally:
        api.send_signal(signal.SIGTERM)
        code = api.wait(timeout=60)
    stderr = api.stderr.read().decode() if api.stderr else ""
    assert code == 0, stderr
    assert "TypeError" not in stderr

    written = tmp_path / "support.pdf"
    done = prorata("receipts", "pdf", receipt["id"], "-o", written, "--lang", "en", env=env)
    assert done.code == 0, done.stderr
    assert written.read_bytes().startswith(b"%PDF")
    text = pdf_text(written.read_bytes())
    assert "Receipt" in text
    assert receipt["number"] in text


def publish_one(base: str, key: str) -> dict[str, Any]:
    def created(path: str, body: Any) -> Any:
        status, content, _ = call(base, key, "POST", path, body)
        assert status == 201, content
        return json.loads(content)

    community = created("/v1/communities", {"code": "C0012", "name": "CP Calle Mayor 12"})
    created(f"/v1/communities/{community['id']}/units", {"code": "1A", "coefficient": "1"})
    terms = {
        "community_id": community["id"],
        "service": "other",
        "period": {"from": "2026-01-01", "to": "2026-03-31"},
        "consumption_share": "0",
        "costs": [{"concept": "Limpieza", "amount": "90.00"}],
    }
    settlement = created("/v1/settlements", terms)
    receipt: dict[str, Any] = created(f"/v1/settlements/{settlement['id']}/publish", None)["receipts"][0]
    return receipt
