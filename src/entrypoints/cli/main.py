"""The `prorata` command."""

from __future__ import annotations

import click

from prorata.entrypoints.cli.simulate import simulate_command


@click.group()
def main() -> None:
    """prorata: shares a community's supplier bills among its dwellings, to the cent."""


main.add_command(simulate_command)
