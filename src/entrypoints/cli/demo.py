"""`prorata run --demo`: the demo tenant made (or found again), its keys kept for the next start, and the
first steps printed as commands that work when pasted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from prorata.adapters.passwords import hash_password
from prorata.application import demo_records as records
from prorata.application import dropzone
from prorata.application.demo import KEY_ROLES, demo_keys, seed_demo
from prorata.config.bootstrap import Components
from prorata.entrypoints.cli.demo_guide import Where, guide, shown
from prorata.entrypoints.sftp.server import load_host_key

SFTP_USER = SFTP_PASSWORD = "demo"  # noqa: S105 (the demo's login, printed for anyone to try)


def samples_folder() -> Path | None:
    """The bundled samples (tests/fixtures/samples) of the clone prorata runs from, if it is one."""
    found = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "samples"
    return found if found.is_dir() else None


def prepare_demo(parts: Components, host: str, port: int, sftp_port: int) -> None:
    """Make or find the demo tenant, then print its keys and the first steps (on standard output: a line
    of JSON for scripts, then the steps for a person)."""
    settings = parts.settings
    readings = settings.data_dir / "demo" / records.LAST_QUARTER_FILE
    readings.parent.mkdir(parents=True, exist_ok=True)
    readings.write_bytes(records.last_quarter_file().encode())  # the same bytes at every start
    demo = seed_demo(parts.unit_of_work, parts.services, parts.outlets, readings)
    with parts.unit_of_work() as uow:
        if dropzone.find_account(uow, SFTP_USER) is None:
            dropzone.add_account(
                uow, parts.ids, parts.clock, demo.tenant_id, SFTP_USER, hash_password(SFTP_PASSWORD), None
            )
    # The community's folder in the account, ready for a file without a community column.
    (settings.drop_root / SFTP_USER / demo.community.code).mkdir(parents=True, exist_ok=True)
    kept = settings.data_dir / "demo-keys.json"
    keys = demo_keys(parts.unit_of_work, parts.services, demo, _known(kept))
    _keep(kept, keys)
    near = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 (where a client connects)
    pinned = _known_hosts(parts, near, sftp_port)
    where = Where(
        api=f"http://{near}:{port}",
        sftp=f"-P {sftp_port} -o UserKnownHostsFile={pinned} {SFTP_USER}@{near}",
        password=SFTP_PASSWORD,
        samples=samples_folder(),
        keys_file=kept,
        recorded_only=not settings.onesignal_configured,
        today=parts.clock.now().date(),
        account=settings.drop_root / SFTP_USER,
    )
    click.echo(
        json.dumps(
            {
                "tenant": demo.tenant_id,
                "community": {"id": demo.community.id, "code": demo.community.code},
                **{f"{role}_key": keys[role] for role in KEY_ROLES},
                "sftp": {"host": near, "port": sftp_port, "user": SFTP_USER, "password": SFTP_PASSWORD},
            }
        )
    )
    click.echo(guide(demo, keys, where))


def _known(path: Path) -> dict[str, str]:
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in found.items() if isinstance(v, str)} if isinstance(found, dict) else {}


def _keep(path: Path, keys: dict[str, str]) -> None:
    """The keys, readable by this user only: the next start prints the same ones."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(keys, out, indent=2)
    path.chmod(0o600)


def _known_hosts(parts: Components, host: str, port: int) -> str:
    """An OpenSSH known_hosts file that pins the drop zone's host key, so `sftp` asks nothing about it."""
    key = load_host_key(parts.settings.sftp_host_key)
    path = parts.settings.data_dir / "sftp_known_hosts"
    name = host if port == 22 else f"[{host}]:{port}"
    path.write_text(f"{name} {key.get_name()} {key.get_base64()}\n")
    return shown(path)
