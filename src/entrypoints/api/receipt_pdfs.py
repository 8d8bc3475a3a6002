"""Receipts as PDF: every reading and line of the calculation, the comparison block and the payment status,
in the reader's language. Rendered on the first download, then served as kept (ETag: its SHA-256)."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

from flask import Response, request, send_file

from prorata.application.access import require
from prorata.application.receipt_documents import ReceiptPdf, receipt_pdf
from prorata.domain.access.principal import Action
from prorata.entrypoints.api.context import components, principal, work
from prorata.entrypoints.api.resources import ResourceBlueprint
from prorata.entrypoints.api.schemas import ReceiptPdfQuerySchema

PDF = "application/pdf"
blp = ResourceBlueprint("receipt_pdfs", __name__, url_prefix="/v1", description="Receipts as PDF")


def _download(receipt_id: str, language: str | None) -> Response:
    parts = components()
    with work() as uow:
        pdf = receipt_pdf(uow, parts.services, parts.receipt_renderer, principal(), receipt_id, language)
    return _sent(pdf)


def _sent(pdf: ReceiptPdf) -> Response:
    """The PDF as an attachment named after the receipt, or 304 when If-None-Match names it. Private:
    no shared cache may keep a resident's receipt."""
    if request.if_none_match.contains_weak(pdf.sha256):  # If-None-Match compares weakly (RFC 9110)
        response = Response(status=304)
    else:
        response = send_file(pdf.path, mimetype=PDF, conditional=False, etag=False)
        response.headers["Content-Disposition"] = attachment(pdf.filename)
        response.headers["Content-Language"] = pdf.language
    response.set_etag(pdf.sha256)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def attachment(filename: str) -> str:
    """`attachment; filename="…"` in plain ASCII, and the name itself as UTF-8 when it is not ASCII."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode().replace('"', "_")
    header = f'attachment; filename="{plain or "receipt.pdf"}"'
    return header if plain == filename else f"{header}; filename*=UTF-8''{quote(filename)}"


_DOCUMENTED: dict[str, Any] = {
    "description": "the receipt as a PDF: every reading and line of its calculation, its total, status and "
    "history, in the language asked for (else the reader's)",
    "content_type": PDF,
}


@blp.route("/receipts/<receipt_id>/pdf")
@blp.arguments(ReceiptPdfQuerySchema, location="query")
@blp.response(200, **_DOCUMENTED)
@blp.alt_response(304, description="not modified: the PDF If-None-Match names is the current one")
def get_receipt_pdf(query: dict[str, Any], receipt_id: str) -> Response:
    """Any receipt the caller may read (a resident: those of the units she held, for the periods she held
    them). Rendered on its first download in that language, then served as kept until the receipt moves."""
    return _download(receipt_id, query.get("lang"))


@blp.route("/me/receipts/<receipt_id>/pdf")
@blp.arguments(ReceiptPdfQuerySchema, location="query")
@blp.response(200, **_DOCUMENTED)
@blp.alt_response(304, description="not modified: the PDF If-None-Match names is the current one")
def get_my_receipt_pdf(query: dict[str, Any], receipt_id: str) -> Response:
    """One of the resident's own receipts (her key only; another's is a 404), in her language unless
    `lang` says otherwise."""
    require(principal(), Action.READ_OWN_RECEIPTS)
    return _download(receipt_id, query.get("lang"))
