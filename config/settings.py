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

    # Push notifications (OneSignal): without an app id and key they are recorded only, never sent.
    onesignal_app_id: str = ""
    onesignal_api_key: str = ""
    onesignal_api_root: str = "https://api.onesignal.com"
    onesignal_max_rps: float = 100.0  # one pace for every process: the account's limit
    onesignal_timeout: float = 10.0
    onesignal_max_failures: int = 15  # 5xx, timeouts, non-JSON answers before a notification fails
    notify_backoff_seconds: float = 1.0  # after the first failure, doubling up to 10 minutes
    send_lease: timedelta = timedelta(seconds=60)  # a send (or webhook delivery) attempt's lease
    # Webhooks: https to public addresses only, unless allowed otherwise (tests, the all-in-one).
    webhooks_allow_private: bool = False
    webhook_backoff_seconds: float = 2.0  # after the first failure, doubling up to an hour, for 24 h
    # Operations: log lines as `text` (a person at a terminal) or `json` (one object a line, the image's
    # default); `prorata worker` serves dramatiq's Prometheus metrics on this port (0: not at all).
    log_format: str = "text"
    worker_metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = 0

    @property
    def onesignal_configured(self) -> bool:
        return bool(self.onesignal_app_id.strip() and self.onesignal_api_key.strip())

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
        # Absolute from the start: Flask serves files relative to its package, not to the working folder.
        data_dir = Path(env.get("PRORATA_DATA_DIR", "var")).absolute()
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
            onesignal_app_id=env.get("PRORATA_ONESIGNAL_APP_ID", ""),
            onesignal_api_key=env.get("PRORATA_ONESIGNAL_API_KEY", ""),
            onesignal_api_root=env.get("PRORATA_ONESIGNAL_API_ROOT") or "https://api.onesignal.com",
            onesignal_max_rps=float(env.get("PRORATA_ONESIGNAL_MAX_RPS", "100")),
            onesignal_timeout=float(env.get("PRORATA_ONESIGNAL_TIMEOUT_SECONDS", "10")),
            onesignal_max_failures=int(env.get("PRORATA_ONESIGNAL_MAX_FAILURES", "15")),
            notify_backoff_seconds=float(env.get("PRORATA_NOTIFY_BACKOFF_SECONDS", "1")),
            send_lease=timedelta(seconds=float(env.get("PRORATA_SEND_LEASE_SECONDS", "60"))),
            webhooks_allow_private=_flag(env.get("PRORATA_WEBHOOKS_ALLOW_PRIVATE", "")),
            webhook_backoff_seconds=float(env.get("PRORATA_WEBHOOK_BACKOFF_SECONDS", "2")),
            log_format=env.get("PRORATA_LOG_FORMAT", "text").strip().lower() or "text",
            worker_metrics_host=env.get("PRORATA_WORKER_METRICS_HOST", "127.0.0.1"),
            worker_metrics_port=int(env.get("PRORATA_WORKER_METRICS_PORT", "0")),
        )


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")
