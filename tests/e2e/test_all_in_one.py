"""`prorata run --demo` (what `make run` starts): API, workers, SFTP drop zone and watcher in one process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port

SAMPLES = Path(__file__).parents[1] / "fixtures" / "samples"


@pytest.mark.skipif(shutil.which("sftp") is None, reason="OpenSSH's sftp client is not installed")
def test_make_run_serves_the_api_and_the_drop_zone(tmp_path: Path) -> None:
    api, drop = free_port(), free_port()
    env = {
        **os.environ,
        "PRORATA_DATA_DIR": str(tmp_path / "var"),
        "PRORATA_DROP_STABLE_SECONDS": "1",
        "PRORATA_DATABASE_URL": "",
        "PRORATA_BROKER_URL": "",
    }
    command = [
        str(Path(sys.executable).parent / "prorata"),
        "run",
        "--demo",
        "--port",
        str(api),
        "--sftp-port",
        str(drop),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        demo = json.loads(process.stdout.readline())
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{api}/health", timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the API did not come up"
                time.sleep(0.2)
        askpass = tmp_path / "askpass.sh"
        askpass.write_text(f"#!/bin/sh\necho '{demo['sftp']['password']}'\n")
        askpass.chmod(0o700)
        source = tmp_path / "export.xlsx"
        shutil.copy(SAMPLES / "export-multi-community.xlsx", source)
        sent = subprocess.run(
            [
                "sftp",
                "-o",
                "BatchMode=no",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "PubkeyAuthentication=no",
                "-b",
                "-",
                "-P",
                str(drop),
                f"{demo['sftp']['user']}@127.0.0.1",
            ],
            input=f"put {source}\n",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"},
        )
        assert sent.returncode == 0, sent.stderr
        result = tmp_path / "var" / "dropzone" / "demo" / "processed" / "export.xlsx.result.json"
        deadline = time.monotonic() + 30
        while not result.exists():
            assert time.monotonic() < deadline, "the uploaded file was not imported"
            time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{api}/v1/imports", headers={"Authorization": f"Bearer {demo['manager_key']}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            imports = json.loads(answer.read())
        assert [(i["original_name"], i["source"], i["status"]) for i in imports] == [
            ("export.xlsx", "sftp", "settled")
        ]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
