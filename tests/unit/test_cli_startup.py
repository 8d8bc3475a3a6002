"""`prorata --help`, every command's `--help` and `prorata simulate` start without loading what they do not
use: the web framework, the database toolkit, the PDF library, the broker, SSH, SEPA, HTTP clients (each
costs a tenth of a second or more); a command that works on the database loads the database toolkit, not
the libraries of the ports it does not use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from prorata.entrypoints.cli.main import main

# What a command that does not use them must not pay for: each takes from a few hundredths of a second
# to half a second to import, with what it imports in turn.
DATABASE = ("sqlalchemy", "alembic", "psycopg", "dramatiq", "pika", "redis")
PORTS = (
    "flask", "werkzeug", "flask_smorest", "marshmallow", "gunicorn", "prometheus_client",  # the API
    "borb", "fontTools",  # PDF
    "openpyxl", "python_calamine",  # spreadsheets
    "sepaxml", "xmlschema", "lxml", "schwifty", "defusedxml",  # SEPA direct debit
    "httpx", "onesignal_sdk",  # pushes, webhooks
    "paramiko", "cryptography", "watchdog",  # the drop zone
)  # fmt: skip
HEAVY = DATABASE + PORTS
SAMPLES = Path(__file__).parents[1] / "fixtures" / "samples"


def loaded_after(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """The top-level packages a fresh `prorata ARGS` process has imported when it ends."""
    script = (
        "import sys, json, atexit\n"
        "top = lambda: sorted({m.split('.')[0] for m in sys.modules})\n"
        "atexit.register(lambda: sys.__stderr__.write(json.dumps(top())))\n"
        "from prorata.entrypoints.cli.main import main\n"
        f"main({list(args)!r}, prog_name='prorata')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True, text=True, timeout=60, check=False, env={**os.environ, **(env or {})},
    )  # fmt: skip
    assert done.returncode in (0, 2), done.stderr
    return set(json.loads(done.stderr.splitlines()[-1]))


def every_command() -> Iterator[tuple[str, ...]]:
    """Each command and, for a group, each of its subcommands, as typed after `prorata`."""
    context = click.Context(main, info_name="prorata")
    for name in main.list_commands(context):
        command = main.get_command(context, name)
        yield (name,)
        if isinstance(command, click.Group):
            yield from ((name, sub) for sub in command.list_commands(context))


HELPS = [("--help",), *((*command, "--help") for command in every_command())]

# One process imports the command list, then forks a child for each `prorata … --help`: each child
# starts from what `prorata` itself has loaded, as a process of its own would, for a fraction of the time.
EACH_IN_A_CHILD = """
import json, os, sys
from prorata.entrypoints.cli.main import main
for args in json.loads(sys.argv[1]):
    child = os.fork()
    if child == 0:
        try:
            main(args, prog_name="prorata")
        except SystemExit:
            pass
        sys.__stderr__.write(json.dumps([args, sorted({m.split(".")[0] for m in sys.modules})]) + "\\n")
        os._exit(0)
    os.waitpid(child, 0)
"""


@pytest.fixture(scope="module")
def loaded_by_help() -> dict[tuple[str, ...], set[str]]:
    """What each `prorata … --help` has loaded when it ends."""
    done = subprocess.run(
        [sys.executable, "-c", EACH_IN_A_CHILD, json.dumps(HELPS)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    found = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("[[")]
    return {tuple(args): set(loaded) for args, loaded in found}


@pytest.mark.parametrize("args", HELPS, ids=" ".join)
def test_a_command_s_help_loads_no_library_of_what_it_does(
    args: tuple[str, ...], loaded_by_help: dict[tuple[str, ...], set[str]]
) -> None:
    assert loaded_by_help[args] & set(HEAVY) == set()


def test_a_simulation_loads_no_server_library() -> None:
    loaded = loaded_after(
        "simulate",
        str(SAMPLES / "settlement-heating.json"),
        "--readings",
        str(SAMPLES / "readings-heating-es.csv"),
    )
    assert loaded & {*DATABASE, *PORTS} - {"python_calamine"} == set()


def test_a_command_on_the_database_loads_none_of_the_ports_it_does_not_use(tmp_path: Path) -> None:
    env = {"PRORATA_DATA_DIR": str(tmp_path), "PRORATA_DATABASE_URL": "", "PRORATA_BROKER_URL": ""}
    assert loaded_after("tenants", "create", "Fincas Sol", env=env) & set(PORTS) == set()


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_the_command_list_says_what_each_command_says_of_itself(width: int) -> None:
    lazy = main.get_help(click.Context(main, info_name="prorata", terminal_width=width))
    context = click.Context(main, info_name="prorata", terminal_width=width)
    commands = {name: main.get_command(context, name) for name in main.list_commands(context)}
    assert None not in commands.values()
    eager = click.Group(help=main.help, commands=commands)  # type: ignore[arg-type]  # every one imported
    assert lazy == eager.get_help(click.Context(eager, info_name="prorata", terminal_width=width))


def test_a_command_on_a_database_at_head_does_not_load_the_migrations(tmp_path: Path) -> None:
    # Alembic, Mako and the migrations took ≈ 0.1–0.3 s of every database command's start, to find
    # nothing to do.
    env = {"PRORATA_DATA_DIR": str(tmp_path), "PRORATA_DATABASE_URL": "", "PRORATA_BROKER_URL": ""}
    assert "alembic" in loaded_after("db", "upgrade", env=env)  # a new database: migrated
    assert "alembic" not in loaded_after("keys", "list", env=env)
    assert "alembic" not in loaded_after("db", "upgrade", env=env)
