"""The demo's first steps, printed as commands that work when pasted into another terminal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from prorata.application import demo_records as records
from prorata.application.demo import Demo
from prorata.domain.collection.rules import earliest_collection

JSON = '-H "Content-Type: application/json"'


@dataclass(frozen=True)
class Where:
    api: str  # http://host:port
    sftp: str  # the sftp command's arguments: port, known hosts file, user@host
    password: str
    samples: Path | None  # the clone's tests/fixtures/samples, when there is one
    keys_file: Path
    recorded_only: bool  # no OneSignal app configured
    today: date
    account: Path  # the demo SFTP account's folder here


def shown(path: Path) -> str:
    """A path as a person types it here: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


def guide(demo: Demo, keys: dict[str, str], where: Where) -> str:
    return "\n".join(
        [
            "",
            *_summary(demo, where),
            f"Keys (kept in {shown(where.keys_file)}: every start prints these same ones until revoked):",
            f"  manager   {keys['manager']}",
            f"  support   {keys['support']}   (platform staff: reads every tenant, reprocesses files)",
            f"  resident  {keys['resident']}   ({demo.resident.name}: her own receipts, under /v1/me)",
            "",
            "First steps (paste them into another terminal):",
            f"  cd {Path.cwd()}  # the paths below are from here",
            f"  export KEY={keys['manager']} SUPPORT={keys['support']} RESIDENT={keys['resident']}",
            *_http_steps(demo, where),
            *_sftp_steps(demo, where),
            *_after_sftp(demo, where),
            "",
        ]
    )


def _summary(demo: Demo, where: Where) -> list[str]:
    community, last, this = demo.community, demo.published, demo.waiting
    told = (
        "recorded only (recorded_only: no OneSignal app is configured)" if where.recorded_only else "queued"
    )
    return [
        f'Demo tenant "{records.TENANT}": community {community.code} ({community.name}), '
        f"{len(records.UNITS)} units,",
        f"  {len(records.RESIDENTS)} residents in es, ca, fr and en, each with an external id; the owners "
        "with an IBAN and a SEPA mandate.",
        f"  At start: {demo.job.original_name} imported (import {demo.job.id}: {demo.job.status.value});",
        f"  heating {last.period.start}…{last.period.end} {last.status.value}: {len(demo.receipt_ids)} "
        f"receipts, {demo.notifications} notifications {told}.",
        f"  Heating {this.period.start}…{this.period.end} ({this.id}) is a {this.status.value}, waiting for "
        f"its readings: {records.READINGS_SAMPLE} by SFTP (below).",
    ]


def _curl(key: str, rest: str) -> str:
    return f'  curl -sS -H "Authorization: Bearer ${key}" {rest}'


def _http_steps(demo: Demo, where: Where) -> list[str]:
    api = where.api
    steps = [_curl("KEY", f"{api}/v1/receipts")]
    if demo.receipt_ids:
        steps.append(_curl("KEY", f"-o receipt.pdf {api}/v1/receipts/{demo.receipt_ids[0]}/pdf"))
    steps += [_curl("KEY", f"{api}/v1/notifications"), _curl("RESIDENT", f"{api}/v1/me/receipts")]
    if demo.receipt_ids:
        day = earliest_collection(where.today, demo.community.prenotification_days)
        body = f'-d \'{{"collection_date": "{day}"}}\''
        steps.append(_curl("KEY", f"{JSON} {body} {api}/v1/communities/{demo.community.id}/remittances"))
    return steps


def _sftp_steps(demo: Demo, where: Where) -> list[str]:
    folder = f"{demo.community.code}/"
    samples = where.samples
    readings = shown(samples / records.READINGS_SAMPLE) if samples else records.READINGS_SAMPLE
    by_column = (
        shown(samples / records.WITH_COMMUNITY_COLUMN_SAMPLE)
        if samples
        else records.WITH_COMMUNITY_COLUMN_SAMPLE
    )
    return [
        f"  sftp {where.sftp}     # password: {where.password}; then, at its sftp> prompt:",
        "    (typed at the prompt: with -b, its batch mode, sftp never asks for a password; scripts log in",
        "    with a key: `prorata sftp-users add --public-key FILE`)",
        f"    put {readings}",
        f"    put {by_column}",
        "  Both land at the account's root; each file's outcome appears there, in processed/ or failed/, as",
        f"  <name>.result.json. {records.WITH_COMMUNITY_COLUMN_SAMPLE} names its communities in a column",
        f"  (Cod. Comunidad): each is settled. {records.READINGS_SAMPLE} names none, so its import fails",
        f"  (failed/{records.READINGS_SAMPLE}.result.json says why). A file without a community column goes",
        "  into the folder named after its community's code (for another community, mkdir its code",
        "  first); put there, the same bytes run their failed import again, for that community:",
        f"    put {readings} {folder}",
    ]


def _after_sftp(demo: Demo, where: Where) -> list[str]:
    api, this = where.api, demo.waiting
    result = f"{shown(where.account)}/*/{records.READINGS_SAMPLE}.result.json"  # in failed/, then processed/
    read_id = "import json, sys; print(json.load(open(sys.argv[1]))['import_id'])"
    return [
        "  Or support does it from the API: every tenant's files that failed, and one reprocessed for the",
        f"  community it lacked (its import_id is in the list, and in {records.READINGS_SAMPLE}'s result):",
        f'  IMPORT=$(python3 -c "{read_id}" {result})',
        _curl("SUPPORT", f'"{api}/v1/admin/imports?status=failed"'),
        _curl(
            "SUPPORT",
            f'{JSON} -d \'{{"community_id": "{demo.community.id}"}}\' '
            f"{api}/v1/admin/imports/$IMPORT/reprocess",
        ),
        f"  Once the readings are in (processed/{records.READINGS_SAMPLE}.result.json says settled), its",
        f"  import, and the heating of {this.period.start}…{this.period.end} to publish:",
        _curl("KEY", f"{api}/v1/imports/$IMPORT"),
        _curl("KEY", f"-X POST {api}/v1/settlements/{this.id}/publish"),
    ]
