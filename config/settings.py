"""Settings from the environment (12-factor), read once by the composition root, never at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    max_file_bytes: int
    max_file_rows: int
    max_decoded_bytes: int
    max_body_bytes: int
    broker_url: str
    broker_namespace: str
    import_lease: timedelta
    sweep_seconds: float
    resend_seconds: float
    worker_threads: int

    sftp_max_upload_bytes: int
    sftp_max_failures: int
    sftp_address_max_failures: int
    sftp_account_max_failures: int
    sftp_ban_seconds: float
    drop_stable_seconds: float
    drop_rescan_seconds: float

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def drop_root(self) -> Path:
        return self.data_dir / "dropzone"

    @property
    def sftp_host_key(self) -> Path:
        return self.data_dir / "sftp_host_key"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("PRORATA_DATA_DIR", "var"))
        return cls(
            data_dir=data_dir,
            database_url=env.get("PRORATA_DATABASE_URL")
            or f"sqlite:///{(data_dir / 'prorata.db').resolve()}",
            max_file_bytes=int(env.get("PRORATA_MAX_FILE_BYTES", str(50 * 1024 * 1024))),
            max_file_rows=int(env.get("PRORATA_MAX_FILE_ROWS", "1000000")),
            max_decoded_bytes=int(env.get("PRORATA_MAX_DECODED_BYTES", str(256 * 1024 * 1024))),
            max_body_bytes=int(env.get("PRORATA_MAX_BODY_BYTES", str(10 * 1024 * 1024))),
            broker_url=env.get("PRORATA_BROKER_URL", ""),
            broker_namespace=env.get("PRORATA_BROKER_NAMESPACE", "prorata"),
            import_lease=timedelta(seconds=float(env.get("PRORATA_IMPORT_LEASE_SECONDS", "600"))),
            sweep_seconds=float(env.get("PRORATA_SWEEP_SECONDS", "30")),
            resend_seconds=float(env.get("PRORATA_RESEND_SECONDS", "120")),
            worker_threads=int(env.get("PRORATA_WORKER_THREADS", "2")),
            sftp_max_upload_bytes=int(env.get("PRORATA_SFTP_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024))),
            sftp_max_failures=int(env.get("PRORATA_SFTP_MAX_FAILURES", "5")),
            sftp_address_max_failures=int(env.get("PRORATA_SFTP_ADDRESS_MAX_FAILURES", "20")),
            sftp_account_max_failures=int(env.get("PRORATA_SFTP_ACCOUNT_MAX_FAILURES", "100")),
            sftp_ban_seconds=float(env.get("PRORATA_SFTP_BAN_SECONDS", "900")),
            drop_stable_seconds=float(env.get("PRORATA_DROP_STABLE_SECONDS", "5")),
            drop_rescan_seconds=float(env.get("PRORATA_DROP_RESCAN_SECONDS", "30")),
        )
