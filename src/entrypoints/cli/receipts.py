"""`prorata receipts pdf ID -o FILE [--lang xx]`: a receipt's PDF for support, from any tenant."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from prorata.domain.receipts.catalogue import LANGUAGES

NOT_FOUND = 2


@click.group("receipts")
def receipts() -> None:
    """Receipts of published settlements."""


@receipts.command("pdf")
@click.argument("receipt_id")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
    help="Where to write the PDF.",
)  # fmt: skip
@click.option("--lang", type=click.Choice(LANGUAGES), help="Its language (default: its payer's, else es).")
def receipts_pdf(receipt_id: str, output: Path, lang: str | None) -> None:
    """Write a receipt's PDF, exactly as its payer downloads it (the same kept rendering). Acts as
    support: reads any tenant's receipt."""
    # Imported to run, not by `--help` (10× its time); the PDF library when it renders, on first use.
    from prorata.application.errors import NotFound
    from prorata.application.receipt_documents import receipt_pdf
    from prorata.config.bootstrap import bootstrap
    from prorata.domain.access.principal import Principal, Role

    parts = bootstrap()
    parts.upgrade_database()
    support = Principal(Role.SUPPORT)
    try:
        with parts.unit_of_work_for(support) as uow:
            pdf = receipt_pdf(uow, parts.services, parts.receipt_renderer, support, receipt_id, lang)
    except NotFound as error:
        click.echo(str(error), err=True)
        sys.exit(NOT_FOUND)
    shutil.copyfile(pdf.path, output)
    click.echo(f"{output}: receipt {receipt_id} in {pdf.language}")
