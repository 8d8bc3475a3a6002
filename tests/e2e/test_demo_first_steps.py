"""`make run` as a newcomer meets it: `prorata run --demo` prints where it listens and the first steps, and
those steps work as printed — curl against the API (receipts, a PDF, the notifications recorded, a
resident's own receipts, a remittance), OpenSSH's sftp into the printed folder, publishing what it
brought, support's list of failed files and reprocess. Ctrl-C stops it cleanly. (Started again on the
same data it makes nothing twice: tests/integration/test_demo_tenant.py.)"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import free_port

pytestmark = pytest.mark.skipif(
    shutil.which("curl") is None or shutil.which("sftp") is None, reason="needs curl and OpenSSH's sftp"
)
GUIDE_ENDS = "/publish"


@dataclass(frozen=True)
class Started:
    demo: dict[str, Any]
    guide: list[str]
    stderr: str


@contextmanager
def _demo(folder: Path, api: int, drop: int) -> Iterator[Started]:
    """`prorata run --demo` started in `folder` as a person starts it there; stopped with Ctrl-C (SIGINT
    to its process group, as a terminal sends it), which must end it cleanly."""
    env = {
        **os.environ,
        "PRORATA_DATA_DIR": "var",
        "PRORATA_DATABASE_URL": "",
        "PRORATA_BROKER_URL": "",
        "PRORATA_DROP_STABLE_SECONDS": "1",
    }
    env.pop("PRORATA_ONESIGNAL_APP_ID", None)
    command = [str(Path(sys.executable).parent / "prorata"), "run", "--demo", "--port", str(api)]
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [*command, "--sftp-port", str(drop)],
            cwd=folder,
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 40
        while GUIDE_ENDS not in out.read_text() or not _healthy(api):
            assert process.poll() is None, err.read_text()
            assert time.monotonic() < deadline, f"no guide or no API within 40 s: {err.read_text()[-2000:]}"
            time.sleep(0.2)
        first, *guide = out.read_text().splitlines()
        yield Started(json.loads(first), guide, err.read_text())
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=30) == 0, err.read_text()[-2000:]
        assert "Traceback" not in err.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _curl(folder: Path, export: str, line: str) -> tuple[int, bytes]:
    """A printed curl line run as pasted after the printed `export` (plus the status code at the end)."""
    done = subprocess.run(
        ["bash", "-c", f"{export}\n{line} -w '\\n%{{http_code}}'"],
        cwd=folder,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    body, _, status = done.stdout.rpartition(b"\n")
    return int(status), body


def _wait_for(path: Path, seconds: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.2)
    time.sleep(0.2)  # written under a temporary name and renamed: whole once there
    found: dict[str, Any] = json.loads(path.read_text())
    return found


def _sftp(folder: Path, line: str, puts: list[str], password: str) -> subprocess.CompletedProcess[str]:
    """The printed sftp command with the printed `put` lines typed at its prompt, the password given
    through SSH_ASKPASS (as a person types it). Nothing about the host key is asked: the printed known
    hosts file pins it."""
    askpass = folder / "askpass.sh"
    askpass.write_text(f"#!/bin/sh\necho '{password}'\n")
    askpass.chmod(0o700)
    command = shlex.split(line.split("#")[0])
    env = {**os.environ, "SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"}
    return subprocess.run(
        [command[0], "-o", "BatchMode=no", "-o", "PubkeyAuthentication=no", "-b", "-", *command[1:]],
        input="\n".join(puts) + "\n",
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def _lines(guide: list[str], start: str) -> list[str]:
    return [line.strip() for line in guide if line.strip().startswith(start)]


def test_the_demo_prints_first_steps_that_work_as_printed(tmp_path: Path) -> None:
    api, drop = free_port(), free_port()
    with _demo(tmp_path, api, drop) as started:
        demo, guide = started.demo, started.guide
        for part in (f"http://127.0.0.1:{api}", f"127.0.0.1:{drop}", "workers", "database"):
            assert part in started.stderr  # where each part listens
        (export,) = _lines(guide, "export ")
        (folder_line,) = _lines(guide, "cd ")  # pasted into another terminal, it starts where the demo runs
        assert Path(folder_line.split(None, 1)[1].split("  #")[0].strip()).resolve() == tmp_path.resolve()
        curls = {line.split()[-1].rsplit("/v1/", 1)[1].strip('"'): line for line in _lines(guide, "curl ")}

        def run(ending: str) -> tuple[int, bytes]:
            exact = [line for path, line in curls.items() if path == ending]
            (line,) = exact or [line for path, line in curls.items() if path.endswith(f"/{ending}")]
            return _curl(tmp_path, export, line)

        status, receipts = run("receipts")
        assert status == 200
        assert len(json.loads(receipts)) == 9
        assert run("pdf")[0] == 200
        assert (tmp_path / "receipt.pdf").read_bytes().startswith(b"%PDF-")
        status, notifications = run("notifications")
        told = json.loads(notifications)
        assert {n["status"] for n in told} == {"recorded_only"}
        assert {n["language"] for n in told} == {"es", "ca", "fr", "en"}
        status, own = run("me/receipts")
        assert (status, len(json.loads(own))) == (200, 1)
        assert run("remittances")[0] == 201

        (sftp_line,) = _lines(guide, "sftp ")
        puts = _lines(guide, "put ")
        (into_folder,) = [put for put in puts if put.endswith(f" {demo['community']['code']}/")]
        at_root = [put for put in puts if put != into_folder]
        readings, by_column = (Path(put.split()[1]).name for put in at_root)
        account = tmp_path / "var" / "dropzone" / demo["sftp"]["user"]

        sent = _sftp(tmp_path, sftp_line, at_root, demo["sftp"]["password"])  # as printed, at the root
        assert sent.returncode == 0, sent.stderr
        failed = _wait_for(account / "failed" / f"{readings}.result.json")
        assert failed["status"] == "failed"
        assert "no community code" in failed["reason"]  # as the guide says it would
        both = _wait_for(account / "processed" / f"{by_column}.result.json")
        assert both["status"] == "settled"
        status, listed = run("admin/imports?status=failed")
        assert failed["import_id"] in [i["id"] for i in json.loads(listed)]
        (import_line,) = _lines(guide, "IMPORT=")
        reprocess = f"{export}\n{import_line}"  # as the guide sets it
        said = subprocess.run(
            ["bash", "-c", f"{reprocess}\necho $IMPORT"], cwd=tmp_path, capture_output=True, check=True
        )
        assert said.stdout.strip() == failed["import_id"].encode()
        assert _curl(tmp_path, reprocess, curls["admin/imports/$IMPORT/reprocess"])[0] == 202
        again = _wait_for(account / "processed" / f"{readings}.result.json")
        assert (again["import_id"], again["status"]) == (failed["import_id"], "settled")
        assert not (account / "failed" / f"{readings}.result.json").exists()
        status, job = _curl(tmp_path, reprocess, curls["imports/$IMPORT"])
        assert (status, json.loads(job)["status"]) == (200, "settled")
        # The other way the guide gives: the same bytes put into the community's folder are that import.
        assert _sftp(tmp_path, sftp_line, [into_folder], demo["sftp"]["password"]).returncode == 0
        repeated = _wait_for(account / "processed" / f"{Path(readings).stem}.1.csv.result.json")
        assert (repeated["import_id"], repeated["status"]) == (failed["import_id"], "settled")
        assert (repeated["dropped"], repeated["imported_as"]) == (f"DEMO/{readings}", readings)
        assert run("publish")[0] == 201
        status, receipts = run("receipts")
        assert len(json.loads(receipts)) == 18
        request = urllib.request.Request(
            f"http://127.0.0.1:{api}/v1/imports", headers={"Authorization": f"Bearer {demo['manager_key']}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            imports = {(i["original_name"], i["source"], i["status"]) for i in json.loads(answer.read())}
        assert ("export-multi-community.xlsx", "sftp", "settled") in imports
