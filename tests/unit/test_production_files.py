"""The Dockerfile and compose.yaml run what the CLI has, the way the README says: each service's command is
a `prorata` command with options it takes, every process shares one files volume at the image's data
folder, the schema is migrated once before the others start, healthchecks ask /ready (or `prorata
ready`), and every PRORATA_ setting named anywhere is a real one, documented in the README."""

from __future__ import annotations

import re
from pathlib import Path
from tomllib import loads as tomllib_loads
from typing import Any

import click
import pytest
import yaml

from prorata.entrypoints.cli.main import main

ROOT = Path(__file__).parents[2]
PRORATA_SERVICES = {"migrate", "api", "worker", "sftp", "watcher"}
SERVING = {"api": "api", "worker": "worker", "sftp": "sftp", "watcher": "watch"}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def settings_read() -> set[str]:
    """Every environment variable config/settings.py reads."""
    return set(re.findall(r'"(PRORATA_[A-Z0-9_]+)"', (ROOT / "config" / "settings.py").read_text()))


def test_compose_runs_postgres_rabbitmq_and_every_prorata_process() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "rabbitmq"} | PRORATA_SERVICES
    for name, command in SERVING.items():
        assert services[name]["command"][0] == command, name


@pytest.mark.parametrize("service", sorted(PRORATA_SERVICES))
def test_each_service_command_is_a_prorata_command_with_options_it_takes(service: str) -> None:
    command = compose()["services"][service]["command"]
    context = click.Context(main)
    found = main.get_command(context, command[0])
    assert found is not None, f"{service}: prorata has no command {command[0]!r}"
    if isinstance(found, click.Group):  # `db upgrade`
        found = found.get_command(context, command[1])
        assert found is not None, command
        command = command[1:]
    found.make_context(command[0], list(command[1:]))  # raises on an option it does not take


def test_every_process_shares_one_files_volume_at_the_image_s_data_folder() -> None:
    data_dir = re.search(r"PRORATA_DATA_DIR=(\S+)", dockerfile())
    assert data_dir is not None
    services = compose()["services"]
    for name in PRORATA_SERVICES:
        service = services[name]
        assert service["image"] == "prorata:latest", name
        assert f"files:{data_dir.group(1)}" in service["volumes"], name
        assert service["environment"]["PRORATA_DATA_DIR"] == data_dir.group(1), name
    assert "files" in compose()["volumes"]


def test_the_schema_is_migrated_once_before_the_serving_processes_start() -> None:
    services = compose()["services"]
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in SERVING:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_healthchecks_ask_whether_each_process_is_ready() -> None:
    services = compose()["services"]
    for name in PRORATA_SERVICES - {"migrate"}:  # with time for a slow check on a loaded host
        assert _seconds(services[name]["healthcheck"]["timeout"]) >= 30, name
    for name in ("watcher", "worker"):  # a hung process is told by the age of the file its loop touches
        service = services[name]
        test = service["healthcheck"]["test"]
        assert test[:3] == ["CMD", "prorata", "ready"], name
        assert "--heartbeat" in test, name
        assert test[test.index("--heartbeat") + 1] == service["environment"]["PRORATA_HEARTBEAT_FILE"], name
    assert services["postgres"]["healthcheck"]["test"][1] == "pg_isready"


def test_the_image_is_multi_stage_runs_as_a_user_and_starts_prorata() -> None:
    text = dockerfile()
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) >= 2
    (user,) = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert user.split(":")[0] not in ("root", "0")
    assert 'ENTRYPOINT ["prorata"]' in text


def test_every_setting_named_in_compose_exists_and_every_setting_is_in_the_readme() -> None:
    known = settings_read()
    named = {
        key
        for service in compose()["services"].values()
        for key in (service.get("environment") or {})
        if key.startswith("PRORATA_")
    }
    assert named <= known, named - known
    production = (ROOT / "README.md").read_text(encoding="utf-8").split("## Running in production", 1)
    assert len(production) == 2, "the README has no 'Running in production' section"
    missing = sorted(name for name in known if f"`{name}`" not in production[1])
    assert missing == [], f"settings not documented under 'Running in production': {missing}"


def _seconds(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)([smh])", text))


def test_the_worker_s_stop_grace_outlasts_a_job_s_lease() -> None:
    lease = re.search(r"`PRORATA_IMPORT_LEASE_SECONDS` \| (\d+)", (ROOT / "README.md").read_text())
    assert lease is not None
    worker = compose()["services"]["worker"]
    assert _seconds(worker["stop_grace_period"]) > float(lease.group(1))


def test_every_prorata_process_runs_under_an_init_that_passes_signals_on() -> None:
    services = compose()["services"]
    assert all(services[name].get("init") is True for name in PRORATA_SERVICES)


def test_healthchecks_test_each_process_itself() -> None:
    services = compose()["services"]
    sftp = services["sftp"]["healthcheck"]["test"]
    assert sftp[:4] == ["CMD", "prorata", "ready", "--sftp-port"]
    assert sftp[4] == services["sftp"]["command"][-1]
    assert sftp[5:] == ["--without", "broker"]  # it uses none: a broker outage is not the drop zone's
    api = services["api"]["healthcheck"]["test"]
    assert api[:5] == ["CMD", "prorata", "ready", "--api-port", services["api"]["command"][-3]]
    assert api[5:] == ["--without", "broker"]  # it answers 202 meanwhile; the sweeper sends later
    assert services["watcher"]["healthcheck"]["test"][-2:] == ["--without", "broker"]  # it records files
    worker = services["worker"]
    for name in ("api", "sftp", "worker", "watcher"):  # options `prorata ready` takes
        ready = main.get_command(click.Context(main), "ready")
        assert ready is not None
        ready.make_context("ready", services[name]["healthcheck"]["test"][3:])
    assert worker["healthcheck"]["test"][:5] == [
        "CMD",
        "prorata",
        "ready",
        "--metrics-port",
        worker["environment"]["PRORATA_WORKER_METRICS_PORT"],
    ]


def test_the_api_and_the_metrics_are_published_on_the_loopback_only() -> None:
    """/metrics answers anyone unauthenticated (the API's and the worker's): a proxy on the host publishes
    the API. The SFTP drop zone is for the tenants' systems outside."""
    for name, service in compose()["services"].items():
        for published in service.get("ports", []):
            container = str(published).rsplit(":", 1)[-1]
            if container != "2222":
                assert str(published).startswith("127.0.0.1:"), (name, published)
    assert compose()["services"]["api"]["ports"] == ["127.0.0.1:8000:8000"]


def test_the_image_user_s_home_is_not_the_shared_data_folder() -> None:
    text = dockerfile()
    data_dir = re.search(r"PRORATA_DATA_DIR=(\S+)", text)
    home = re.search(r"useradd .*--home-dir (\S+)", text)
    assert data_dir is not None
    assert home is not None
    assert home.group(1) != data_dir.group(1)
    assert not home.group(1).startswith(data_dir.group(1) + "/")
    # The data folder exists in the image, the user's: a new volume takes its owner from it.
    assert re.search(rf"install -d .*-o prorata .*{re.escape(data_dir.group(1))}", text)


def test_every_data_file_of_the_package_is_declared_as_package_data() -> None:
    import fnmatch

    config = tomllib_loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {name: ROOT / "src" / Path(*name.split(".")[1:]) for name in config["packages"]}
    folders["prorata.config"] = ROOT / "config"
    declared = config["package-data"]
    missing = []
    for path in [*(ROOT / "src").rglob("*"), *(ROOT / "config").rglob("*")]:
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        owner = max((n for n, f in folders.items() if path.is_relative_to(f)), key=lambda n: len(n))
        relative = path.relative_to(folders[owner]).as_posix()
        if not any(fnmatch.fnmatch(relative, pattern) for pattern in declared.get(owner, [])):
            missing.append(relative if owner == "prorata" else f"{owner}: {relative}")
    assert missing == [], f"data files not in [tool.setuptools.package-data]: {missing}"


def test_the_readme_lists_the_delayed_messages_gauge_with_its_known_fault() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "dramatiq_delayed_messages_inprogress" in readme
    assert "dramatiq#672" in readme


def test_the_readme_shows_no_command_piped_into_one_that_reads_no_input() -> None:
    assert "sftp-users list |" not in (ROOT / "README.md").read_text(encoding="utf-8")


def test_make_run_takes_the_ports_and_the_readme_says_so() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--port $(PORT)" in makefile
    assert "--sftp-port $(SFTP_PORT)" in makefile
    assert "make run PORT=" in (ROOT / "README.md").read_text(encoding="utf-8")
