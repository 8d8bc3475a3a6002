"""A file dropped by another server (OpenSSH, SFTPGo: no upload limit of ours) larger than any readings
file may be — a sparse file of a terabyte is one SFTP write at its last byte — is refused as it stands:
nothing of it is copied into the file store, hashed or imported."""

from __future__ import annotations

import json
import time
import uuid

from prorata.adapters.passwords import hash_password
from prorata.application import dropzone
from prorata.config.bootstrap import Components
from prorata.entrypoints.watcher import DropWatcher


def test_a_dropped_file_past_the_size_limit_is_refused_without_being_read(
    components: Components, tenant: str
) -> None:
    username = f"s{uuid.uuid4().hex[:12]}"
    with components.unit_of_work() as uow:
        dropzone.add_account(
            uow, components.ids, components.clock, tenant, username, hash_password("secret"), None
        )
    home = components.settings.drop_root / username
    home.mkdir(parents=True)
    limit = components.settings.max_file_bytes
    dropped = home / "lecturas.csv"
    with dropped.open("wb") as handle:
        handle.write(b"Piso;Lectura anterior;Lectura actual\r\n")
        handle.truncate(4 * limit)  # sparse: no disk taken, every byte a NUL to read
    stored = set(components.settings.blob_dir.rglob("*"))
    started = time.monotonic()
    DropWatcher(components, components.settings.drop_root).consider(dropped)
    assert time.monotonic() - started < 2
    assert set(components.settings.blob_dir.rglob("*")) == stored
    result = json.loads((home / "failed" / "lecturas.csv.result.json").read_text())
    assert result["status"] == "failed"
    assert f"larger than the limit of {limit} bytes" in result["reason"]
    assert (home / "failed" / "lecturas.csv").stat().st_size == 4 * limit
    with components.unit_of_work() as uow:
        assert uow.imports.list(tenant).items == []
