"""`prorata watch` as an operator runs it, over a drop zone written by OpenSSH or SFTPGo, whose users
can create symbolic links: a dropped link is refused and told, never imported."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from prorata.config.bootstrap import bootstrap
from prorata.config.settings import Settings

ENV = {
    "PRORATA_DROP_STABLE_SECONDS": "1",
    "PRORATA_DROP_RESCAN_SECONDS": "1",
    "PRORATA_DATABASE_URL": "",
    "PRORATA_BROKER_URL": "",
}
SECRET = "Piso;Lectura anterior;Lectura actual\n1A;0;999\n"


def test_prorata_watch_refuses_a_dropped_link_and_imports_nothing(prorata: Any, tmp_path: Path) -> None:
    created = prorata("tenants", "create", "Fincas Enlace", "--json", env=ENV)
    assert created.code == 0, created.stderr
    added = prorata(
        "sftp-users",
        "add",
        "--tenant",
        created.json()["id"],
        "--username",
        "gesfincas",
        "--password-stdin",
        env=ENV,
        stdin="correct horse battery staple\n",
    )
    assert added.code == 0, added.stderr
    data = tmp_path / "var"
    home = data / "dropzone" / "gesfincas"
    home.mkdir(parents=True, exist_ok=True)  # `sftp-users add` makes it
    secret = tmp_path / "secret.csv"
    secret.write_text(SECRET)
    env = {**os.environ, "PRORATA_DATA_DIR": str(data), **ENV}
    watch = subprocess.Popen(
        [prorata.executable, "watch"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        (home / "lecturas.csv").symlink_to(secret)  # as an SFTP user's `ln -s` leaves it
        told = home / "failed" / "lecturas.csv.result.json"
        deadline = time.monotonic() + 30
        while not told.exists():
            assert time.monotonic() < deadline, "the dropped link was not reported"
            time.sleep(0.2)
    finally:
        watch.send_signal(signal.SIGTERM)
        watch.wait(timeout=30)
    result = json.loads(told.read_text())
    assert result["status"] == "failed"
    assert "lecturas.csv is a symbolic link" in result["reason"]
    assert secret.read_text() == SECRET
    parts = bootstrap(Settings.from_environment({"PRORATA_DATA_DIR": str(data), **ENV}))
    with parts.unit_of_work() as uow:
        assert uow.imports.list(None).items == []
    parts.engine.dispose()
