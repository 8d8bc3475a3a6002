"""Settings from the environment (12-factor), read once by the composition root, never at import; each
value checked here, once, so that a command given one it cannot use says which and stops before it starts."""

from __future__ import annotations

import math
import os
import re
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
    # SFTP connections not logged in yet, at once and from one address; how long one may take to log in.
    sftp_max_startups: int = 100
    sftp_max_startups_per_address: int = 20
    sftp_login_seconds: float = 120.0
    # The IPv6 network a client counts as, for those bounds and the bans (OpenSSH's PerSourceNetBlockSize).
    sftp_ipv6_prefix: int = 64

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
    # Touched by `prorata watch` every pass of its loop and by `prorata worker` every second while its
    # threads live (None: not at all), for `prorata ready --heartbeat` to tell a hung process by its age.
    heartbeat_file: Path | None = None

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
        """Every setting, each checked: a value prorata cannot use raises InvalidSetting, naming it."""
        env = _Environment(os.environ if environ is None else environ)
        # Absolute from the start: Flask serves files relative to its package, not to the working folder.
        data_dir = Path(env.text("PRORATA_DATA_DIR", "var")).absolute()
        return cls(
            data_dir=data_dir,
            database_url=env.url("PRORATA_DATABASE_URL", _DATABASES)
            or f"sqlite:///{(data_dir / 'prorata.db').resolve()}",
            max_file_bytes=env.whole("PRORATA_MAX_FILE_BYTES", 50 * 1024 * 1024),
            max_file_rows=env.whole("PRORATA_MAX_FILE_ROWS", 1_000_000),
            max_decoded_bytes=env.whole("PRORATA_MAX_DECODED_BYTES", 256 * 1024 * 1024),
            max_body_bytes=env.whole("PRORATA_MAX_BODY_BYTES", 10 * 1024 * 1024),
            broker_url=env.url("PRORATA_BROKER_URL", _BROKERS),
            broker_namespace=env.text("PRORATA_BROKER_NAMESPACE", "prorata"),
            import_lease=timedelta(seconds=env.seconds("PRORATA_IMPORT_LEASE_SECONDS", 600)),
            sweep_seconds=env.seconds("PRORATA_SWEEP_SECONDS", 30),
            resend_seconds=env.seconds("PRORATA_RESEND_SECONDS", 120),
            worker_threads=env.whole("PRORATA_WORKER_THREADS", 2),
            sftp_max_upload_bytes=env.whole("PRORATA_SFTP_MAX_UPLOAD_BYTES", 50 * 1024 * 1024),
            sftp_max_failures=env.whole("PRORATA_SFTP_MAX_FAILURES", 5),
            sftp_address_max_failures=env.whole("PRORATA_SFTP_ADDRESS_MAX_FAILURES", 20),
            sftp_account_max_failures=env.whole("PRORATA_SFTP_ACCOUNT_MAX_FAILURES", 100),
            sftp_ban_seconds=env.seconds("PRORATA_SFTP_BAN_SECONDS", 900),
            drop_stable_seconds=env.seconds("PRORATA_DROP_STABLE_SECONDS", 5),
            drop_rescan_seconds=env.seconds("PRORATA_DROP_RESCAN_SECONDS", 30),
            sftp_max_startups=env.whole("PRORATA_SFTP_MAX_STARTUPS", 100),
            sftp_max_startups_per_address=env.whole("PRORATA_SFTP_MAX_STARTUPS_PER_ADDRESS", 20),
            sftp_login_seconds=env.seconds("PRORATA_SFTP_LOGIN_SECONDS", 120),
            sftp_ipv6_prefix=env.whole("PRORATA_SFTP_IPV6_PREFIX", 64, least=32, most=128),
            onesignal_app_id=env.text("PRORATA_ONESIGNAL_APP_ID", ""),
            onesignal_api_key=env.text("PRORATA_ONESIGNAL_API_KEY", ""),
            onesignal_api_root=env.url("PRORATA_ONESIGNAL_API_ROOT", _WEB) or "https://api.onesignal.com",
            onesignal_max_rps=env.seconds("PRORATA_ONESIGNAL_MAX_RPS", 100, unit="requests a second"),
            onesignal_timeout=env.seconds("PRORATA_ONESIGNAL_TIMEOUT_SECONDS", 10),
            onesignal_max_failures=env.whole("PRORATA_ONESIGNAL_MAX_FAILURES", 15),
            notify_backoff_seconds=env.seconds("PRORATA_NOTIFY_BACKOFF_SECONDS", 1, zero=True),
            send_lease=timedelta(seconds=env.seconds("PRORATA_SEND_LEASE_SECONDS", 60)),
            webhooks_allow_private=env.flag("PRORATA_WEBHOOKS_ALLOW_PRIVATE"),
            webhook_backoff_seconds=env.seconds("PRORATA_WEBHOOK_BACKOFF_SECONDS", 2, zero=True),
            log_format=log_format(env.variables),
            worker_metrics_host=env.text("PRORATA_WORKER_METRICS_HOST", "127.0.0.1"),
            worker_metrics_port=env.port("PRORATA_WORKER_METRICS_PORT", 0),
            heartbeat_file=Path(beat) if (beat := env.text("PRORATA_HEARTBEAT_FILE", "").strip()) else None,
        )


def log_format(environ: Mapping[str, str]) -> str:
    """PRORATA_LOG_FORMAT alone: a serving command sets up its logs with it before reading the rest."""
    return _Environment(environ).choice("PRORATA_LOG_FORMAT", ("text", "json"))


class InvalidSetting(ValueError):
    """A PRORATA_ variable set to a value prorata cannot use. Its message is one line for the operator: the
    variable, its value (a URL's password masked) and what is accepted."""

    code = "invalid_setting"

    def __init__(self, variable: str, value: str, accepted: str) -> None:
        self.variable, self.accepted = variable, accepted
        super().__init__(f"{variable}={_masked(value)[:200]!r} is not accepted: {accepted}")


# Each kind of URL: the schemes prorata has an adapter for, and what to tell an operator who set another
# (no `USER:PASSWORD@` in it: the logs' redaction would mask it as a password).
_PORT = "a port from 1 to 65535"
_DATABASES = (
    ("sqlite", "sqlite+pysqlite", "postgresql", "postgres", "postgresql+psycopg"),
    f"empty (SQLite in PRORATA_DATA_DIR), sqlite:///PATH or postgresql://USER@HOST[:PORT]/NAME ({_PORT})",
)
_BROKERS = (
    ("amqp", "amqps", "redis", "rediss", "unix"),
    f"empty (the in-process broker), amqp://USER@HOST[:PORT]/VHOST or redis://HOST[:PORT]/DB "
    f"({_PORT}; amqps://, rediss://, unix:// too)",
)
_WEB = (("http", "https"), f"http://HOST[:PORT] or https://HOST[:PORT] ({_PORT})")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


@dataclass(frozen=True, slots=True)
class _Environment:
    """The environment, read one variable at a time; an unset variable is its default."""

    variables: Mapping[str, str]

    def text(self, name: str, default: str) -> str:
        return self.variables.get(name, default)

    def whole(self, name: str, default: int, least: int = 1, most: int | None = None) -> int:
        raw = self.variables.get(name)
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            value = least - 1
        if value < least or (most is not None and value > most):
            accepted = f"{least} or more" if most is None else f"from {least} to {most}"
            raise InvalidSetting(name, raw, f"a whole number, {accepted}")
        return value

    def seconds(self, name: str, default: float, zero: bool = False, unit: str = "seconds") -> float:
        """Over 0 (0 or more when `zero`): a period of 0 would spin a loop, a lease of 0 expire at once."""
        raw = self.variables.get(name)
        if raw is None:
            return float(default)
        try:
            value = float(raw.strip())
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
            raise InvalidSetting(name, raw, f"a number of {unit}, " + ("0 or more" if zero else "over 0"))
        return value

    def port(self, name: str, default: int) -> int:
        raw = self.variables.get(name)
        if raw is None:
            return default
        if not raw.strip().isdigit() or int(raw) > 65535:
            raise InvalidSetting(name, raw, "a port number from 1 to 65535, or 0 for none")
        return int(raw)

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        """One of `choices` (in any case; unset or empty: the first)."""
        raw = self.variables.get(name, "")
        value = raw.strip().lower() or choices[0]
        if value not in choices:
            raise InvalidSetting(name, raw, " or ".join(choices))
        return value

    def flag(self, name: str) -> bool:
        raw = self.variables.get(name, "")
        if raw.strip().lower() not in _TRUE + _FALSE:
            raise InvalidSetting(name, raw, "true or false (or 1/0, yes/no, on/off; unset: false)")
        return raw.strip().lower() in _TRUE

    def url(self, name: str, kind: tuple[tuple[str, ...], str]) -> str:
        """A URL of one of the kind's schemes, with a port that is one when it names one; or empty."""
        raw = self.variables.get(name, "")
        schemes, accepted = kind
        if raw and not _url_of(raw, schemes):
            raise InvalidSetting(name, raw, accepted)
        return raw


def _url_of(url: str, schemes: tuple[str, ...]) -> bool:
    scheme, separator, rest = url.partition("://")
    if not separator or scheme.lower() not in schemes:
        return False
    place = re.split(r"[/?#]", rest.rpartition("@")[2], maxsplit=1)[0]  # host[:port], after credentials
    port = place.rpartition("]")[2] if place.startswith("[") else place  # an IPv6 address holds colons
    digits = port.partition(":")[2]
    return not digits or (digits.isdigit() and 1 <= int(digits) <= 65535)


def _masked(value: str) -> str:
    """A URL's password as ***, wherever the URL ends: a password may hold `/` or `@`."""
    head, separator, rest = value.partition("://")
    if not separator:
        head, rest = "", value
    credentials, at, place = rest.rpartition("@")
    if not at or ":" not in credentials:
        return value
    return f"{head}{separator}{credentials.partition(':')[0]}:***@{place}"
