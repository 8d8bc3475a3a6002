"""`prorata --help` and `prorata simulate` start without loading what they do not use: the web
framework, the database toolkit, the PDF library, the broker (each costs a tenth of a second or more)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from prorata.entrypoints.cli.main import main

HEAVY = ("flask", "sqlalchemy", "borb", "dramatiq", "openpyxl", "httpx", "paramiko")
SAMPLES = Path(__file__).parents[1] / "fixtures" / "samples"


def loaded_after(*args: str) -> set[str]:
    """The top-level packages a fresh `prorata ARGS` process has imported when it ends."""
    script = (
        "import sys, json, atexit\n"
        "top = lambda: sorted({m.split('.')[0] for m in sys.modules})\n"
        "atexit.register(lambda: sys.__stderr__.write(json.dumps(top())))\n"
        "from prorata.entrypoints.cli.main import main\n"
        f"main({list(args)!r}, prog_name='prorata')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode in (0, 2), done.stderr
    return set(json.loads(done.stderr.splitlines()[-1]))


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("simulate", "--help"),
        (
            "simulate",
            str(SAMPLES / "settlement-heating.json"),
            "--readings",
            str(SAMPLES / "readings-heating-es.csv"),
        ),
    ],
)
def test_the_command_list_and_a_simulation_load_no_server_library(args: tuple[str, ...]) -> None:
    assert loaded_after(*args) & set(HEAVY) == set()


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_the_command_list_says_what_each_command_says_of_itself(width: int) -> None:
    lazy = main.get_help(click.Context(main, info_name="prorata", terminal_width=width))
    context = click.Context(main, info_name="prorata", terminal_width=width)
    commands = {name: main.get_command(context, name) for name in main.list_commands(context)}
    assert None not in commands.values()
    eager = click.Group(help=main.help, commands=commands)  # type: ignore[arg-type]  # every one imported
    assert lazy == eager.get_help(click.Context(eager, info_name="prorata", terminal_width=width))
