"""A PRORATA_ setting prorata cannot use — not a number, empty, out of range, an unknown URL scheme, a port
that is no port — is refused when the settings are read, naming the variable, its value (a URL's password
masked) and what is accepted; values at the edge of what is accepted are taken."""

from __future__ import annotations

import pytest

from prorata.config.settings import InvalidSetting, Settings

WHOLE_FROM_1 = [
    "PRORATA_WORKER_THREADS",
    "PRORATA_MAX_FILE_BYTES",
    "PRORATA_MAX_FILE_ROWS",
    "PRORATA_MAX_DECODED_BYTES",
    "PRORATA_MAX_BODY_BYTES",
    "PRORATA_SFTP_MAX_UPLOAD_BYTES",
    "PRORATA_SFTP_MAX_FAILURES",
    "PRORATA_SFTP_ADDRESS_MAX_FAILURES",
    "PRORATA_SFTP_ACCOUNT_MAX_FAILURES",
    "PRORATA_SFTP_MAX_STARTUPS",
    "PRORATA_SFTP_MAX_STARTUPS_PER_ADDRESS",
    "PRORATA_ONESIGNAL_MAX_FAILURES",
]
SECONDS_OVER_0 = [
    "PRORATA_IMPORT_LEASE_SECONDS",
    "PRORATA_SWEEP_SECONDS",
    "PRORATA_RESEND_SECONDS",
    "PRORATA_SEND_LEASE_SECONDS",
    "PRORATA_SFTP_BAN_SECONDS",
    "PRORATA_SFTP_LOGIN_SECONDS",
    "PRORATA_DROP_STABLE_SECONDS",
    "PRORATA_DROP_RESCAN_SECONDS",
    "PRORATA_ONESIGNAL_TIMEOUT_SECONDS",
    "PRORATA_ONESIGNAL_MAX_RPS",
]
SECONDS_FROM_0 = ["PRORATA_NOTIFY_BACKOFF_SECONDS", "PRORATA_WEBHOOK_BACKOFF_SECONDS"]

REFUSED = [
    *((name, value) for name in WHOLE_FROM_1 for value in ("abc", "", " ", "0", "-3", "2.5")),
    *((name, value) for name in SECONDS_OVER_0 for value in ("abc", "", "0", "-1", "nan", "inf")),
    *((name, value) for name in SECONDS_FROM_0 for value in ("abc", "", "-0.5", "nan")),
    *(("PRORATA_SFTP_IPV6_PREFIX", value) for value in ("abc", "", "0", "31", "129", "64.5", "-64")),
    ("PRORATA_WORKER_METRICS_PORT", "abc"),
    ("PRORATA_WORKER_METRICS_PORT", "-1"),
    ("PRORATA_WORKER_METRICS_PORT", "65536"),
    ("PRORATA_WORKER_METRICS_PORT", "99999"),
    ("PRORATA_LOG_FORMAT", "yaml"),
    ("PRORATA_WEBHOOKS_ALLOW_PRIVATE", "maybe"),
    ("PRORATA_DATABASE_URL", "notaurl"),
    ("PRORATA_DATABASE_URL", "mysql://u@h/x"),
    ("PRORATA_DATABASE_URL", "postgresql://u@h:abc/x"),
    ("PRORATA_DATABASE_URL", "postgresql://u@h:0/x"),
    ("PRORATA_DATABASE_URL", "postgresql://u@h:70000/x"),
    ("PRORATA_BROKER_URL", "kafka://x"),
    ("PRORATA_BROKER_URL", "notaurl"),
    ("PRORATA_BROKER_URL", "amqp://guest@127.0.0.1:abc/x"),
    ("PRORATA_BROKER_URL", "redis://127.0.0.1:abc/0"),
    ("PRORATA_BROKER_URL", "redis://127.0.0.1:99999/0"),
    ("PRORATA_ONESIGNAL_API_ROOT", "ftp://api.onesignal.com"),
    ("PRORATA_ONESIGNAL_API_ROOT", "https://api.onesignal.com:port"),
]


@pytest.mark.parametrize(("name", "value"), REFUSED)
def test_a_value_prorata_cannot_use_is_refused_naming_the_variable_its_value_and_what_is_accepted(
    name: str, value: str
) -> None:
    with pytest.raises(InvalidSetting) as refused:
        Settings.from_environment({name: value})
    line = str(refused.value)
    assert "\n" not in line
    assert line.startswith(f"{name}={value!r}"), line
    assert refused.value.variable == name
    assert refused.value.accepted
    assert refused.value.accepted in line


def test_what_is_accepted_is_said_in_an_operator_s_words() -> None:
    with pytest.raises(InvalidSetting) as threads:
        Settings.from_environment({"PRORATA_WORKER_THREADS": "0"})
    assert str(threads.value) == "PRORATA_WORKER_THREADS='0' is not accepted: a whole number, 1 or more"
    with pytest.raises(InvalidSetting) as port:
        Settings.from_environment({"PRORATA_WORKER_METRICS_PORT": "99999"})
    assert "a port number from 1 to 65535, or 0 for none" in str(port.value)
    with pytest.raises(InvalidSetting) as broker:
        Settings.from_environment({"PRORATA_BROKER_URL": "kafka://x"})
    assert "amqp://" in str(broker.value)
    assert "redis://" in str(broker.value)


@pytest.mark.parametrize("name", ["PRORATA_DATABASE_URL", "PRORATA_BROKER_URL", "PRORATA_ONESIGNAL_API_ROOT"])
def test_what_is_accepted_reads_the_same_in_the_logs(name: str) -> None:
    """The logs mask what looks like a password: the shapes of URL accepted must not look like one."""
    from prorata.entrypoints.log_format import redact

    with pytest.raises(InvalidSetting) as refused:
        Settings.from_environment({name: "kafka://x"})
    assert redact(str(refused.value)) == str(refused.value)


@pytest.mark.parametrize(
    ("name", "value", "password"),
    [
        ("PRORATA_DATABASE_URL", "mysql://prorata:s3cret-pw@db:3306/prorata", "s3cret-pw"),
        ("PRORATA_DATABASE_URL", "postgresql://u:s3cret-pw@h:abc/x", "s3cret-pw"),
        ("PRORATA_DATABASE_URL", "postgresql://u:pa/ss@h:abc/x", "pa/ss"),
        ("PRORATA_BROKER_URL", "amqp://guest:s3cret@pw@127.0.0.1:abc/x", "s3cret@pw"),
        ("PRORATA_BROKER_URL", "redis://:s3cretpw@127.0.0.1:abc/0", "s3cretpw"),
        ("PRORATA_BROKER_URL", "kafka://user:s3cretpw@host", "s3cretpw"),
        ("PRORATA_DATABASE_URL", "user:s3cretpw@host/db", "s3cretpw"),
    ],
)
def test_a_refused_url_is_shown_with_its_password_masked(name: str, value: str, password: str) -> None:
    with pytest.raises(InvalidSetting) as refused:
        Settings.from_environment({name: value})
    line = str(refused.value)
    assert password not in line, line
    assert ":***@" in line, line


@pytest.mark.parametrize(
    "env",
    [
        {"PRORATA_WORKER_THREADS": "1", "PRORATA_MAX_BODY_BYTES": "1"},
        {"PRORATA_SFTP_IPV6_PREFIX": "32"},
        {"PRORATA_SFTP_IPV6_PREFIX": " 128 "},
        {"PRORATA_WORKER_METRICS_PORT": "0"},
        {"PRORATA_WORKER_METRICS_PORT": "65535"},
        {"PRORATA_SWEEP_SECONDS": "0.1", "PRORATA_RESEND_SECONDS": " 2 "},
        {"PRORATA_NOTIFY_BACKOFF_SECONDS": "0", "PRORATA_WEBHOOK_BACKOFF_SECONDS": "0"},
        {"PRORATA_LOG_FORMAT": " JSON "},
        {"PRORATA_LOG_FORMAT": ""},
        {"PRORATA_WEBHOOKS_ALLOW_PRIVATE": "false"},
        {"PRORATA_WEBHOOKS_ALLOW_PRIVATE": ""},
        {"PRORATA_DATABASE_URL": ""},
        {"PRORATA_DATABASE_URL": "sqlite:////var/lib/prorata/prorata.db"},
        {"PRORATA_DATABASE_URL": "sqlite://"},
        {"PRORATA_DATABASE_URL": "postgresql://prorata:pa/ss@db:5432/prorata"},
        {"PRORATA_DATABASE_URL": "postgres://prorata@db/prorata"},
        {"PRORATA_DATABASE_URL": "postgresql+psycopg://prorata@[::1]:5432/prorata"},
        {"PRORATA_BROKER_URL": ""},
        {"PRORATA_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672/%2F"},
        {"PRORATA_BROKER_URL": "amqps://guest:guest@rabbit/%2F"},
        {"PRORATA_BROKER_URL": "redis://:pw@127.0.0.1:6379/0"},
        {"PRORATA_BROKER_URL": "rediss://127.0.0.1/0"},
        {"PRORATA_BROKER_URL": "unix:///run/redis.sock"},
        {"PRORATA_ONESIGNAL_API_ROOT": "http://127.0.0.1:8999"},
    ],
)
def test_values_at_the_edge_of_what_is_accepted_are_taken(env: dict[str, str]) -> None:
    Settings.from_environment(env)


def test_the_values_read_are_the_ones_given() -> None:
    settings = Settings.from_environment(
        {"PRORATA_WORKER_THREADS": " 4 ", "PRORATA_SWEEP_SECONDS": "0.5", "PRORATA_LOG_FORMAT": "JSON"}
    )
    assert (settings.worker_threads, settings.sweep_seconds, settings.log_format) == (4, 0.5, "json")
    assert Settings.from_environment({}).worker_threads == 2
    assert Settings.from_environment({}).sftp_ipv6_prefix == 64
    assert Settings.from_environment({"PRORATA_SFTP_IPV6_PREFIX": "56"}).sftp_ipv6_prefix == 56
