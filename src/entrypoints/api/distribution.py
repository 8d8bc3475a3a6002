"""A settlement's distribution sheet, for the manager and the community's board: as an XLSX workbook and as
a PDF. A draft's shows its current computation; a published one's, its receipts as issued."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, send_file
from marshmallow import Schema, fields, validate

from prorata.application.distribution import distribution_sheet
from prorata.domain.community.model import Language
from prorata.domain.imports.safe_text import safe_file_name
from prorata.domain.ports.distribution_renderer import DistributionRenderer
from prorata.domain.settlement.distribution import Distribution
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.resources import ResourceBlueprint

blp = ResourceBlueprint(
    "distribution", __name__, url_prefix="/v1", description="Distribution sheets of settlements"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DistributionQuerySchema(Schema):
    lang = fields.String(
        load_default=Language.EN.value,
        validate=validate.OneOf([language.value for language in Language]),
        metadata={"description": "the language of the headers and words (numbers are numbers in the XLSX)"},
    )


@blp.route("/settlements/<settlement_id>/distribution.xlsx")
@blp.arguments(DistributionQuerySchema, location="query")
@blp.response(200, description="the distribution sheet as a workbook", content_type=XLSX)
def distribution_workbook(query: dict[str, Any], settlement_id: str) -> Response:
    """Sheet "Distribution": a row per unit (keys, consumption, one amount per pool, total), a totals row
    of SUM formulas (computed by the spreadsheet program on opening), the bill and the check. Sheet
    "Pools": each pool's amount, total weight and rate. Every text is text, never a formula."""
    return _download(settlement_id, Language(query["lang"]), components().distribution_workbook)


@blp.route("/settlements/<settlement_id>/distribution.pdf")
@blp.arguments(DistributionQuerySchema, location="query")
@blp.response(200, description="the distribution sheet as a PDF", content_type="application/pdf")
def distribution_pdf(query: dict[str, Any], settlement_id: str) -> Response:
    """Landscape A4 pages: the settlement, the pools with their rates, the check, and every unit's row
    (the header repeated on every page), "page n of m"."""
    return _download(settlement_id, Language(query["lang"]), components().distribution_pdf)


def _download(settlement_id: str, language: Language, renderer: DistributionRenderer) -> Response:
    with work() as uow:
        sheet = distribution_sheet(uow, principal(), settlement_id)
    content = io.BytesIO(renderer.render(sheet, language))
    name = f"{file_stem(sheet)}.{renderer.extension}"
    response = send_file(content, mimetype=renderer.media_type, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"  # a draft's figures change with its readings
    return response


def file_stem(sheet: Distribution) -> str:
    """`distribution-<community>-<settlement number>` (a draft: `-draft-<first characters of its id>`)."""
    settlement = sheet.settlement
    number = f"{settlement.number:05d}" if settlement.number else f"draft-{settlement.id[:8]}"
    return safe_file_name(f"distribution-{sheet.community.code}-{number}", "distribution")
