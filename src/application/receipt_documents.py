"""Use case: a receipt's PDF, in the reader's language — rendered on its first download, then kept in the
blob store under a key naming what it shows (receipt version, status, language, template), so a later
move renders a new one and every other download is a read. Publishing never renders."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from prorata.application.receipt_facts import document_facts, receipt_facts
from prorata.application.receipts import readable_receipt
from prorata.application.services import Services
from prorata.domain.access.principal import Principal, Role
from prorata.domain.imports.safe_text import safe_file_name
from prorata.domain.ports.receipt_renderer import ReceiptRenderer
from prorata.domain.ports.repository import Conflict
from prorata.domain.ports.unit_of_work import UnitOfWork
from prorata.domain.receipts.build import build_document
from prorata.domain.receipts.catalogue import catalogue, language_of
from prorata.domain.receipts.facts import ReceiptFacts
from prorata.domain.receipts.rendered import RenderedDocument, receipt_pdf_key


@dataclass(frozen=True, slots=True)
class ReceiptPdf:
    """Where the PDF's bytes are, their SHA-256 (the ETag), the name to save it as, its language."""

    path: Path
    sha256: str
    filename: str
    language: str


def receipt_pdf(
    uow: UnitOfWork,
    services: Services,
    renderer: ReceiptRenderer,
    caller: Principal,
    receipt_id: str,
    language: str | None = None,
) -> ReceiptPdf:
    """The receipt's PDF if the caller may read the receipt (NotFound otherwise), in `language`, else the
    resident's own language when a resident asks, else its payer's, else Spanish (UnknownLanguage for a
    language without a catalogue). Commits the record of a first rendering."""
    receipt = readable_receipt(uow, caller, receipt_id)
    [facts] = receipt_facts(uow, [receipt])
    chosen = language_of(language, _reader_language(uow, caller), _payer_language(facts))
    key = receipt_pdf_key(receipt, chosen, renderer.template_version)
    kept = _kept(uow, receipt.tenant_id, key)
    if kept is None:
        document = build_document(document_facts(uow, [facts])[0])
        content = renderer.render(document, catalogue(chosen))
        sha256, size = services.blobs.put_file(io.BytesIO(content))
        kept = RenderedDocument(
            services.ids.new(), receipt.tenant_id, key, sha256, size, services.clock.now()
        )
        try:
            uow.rendered_documents.add(kept)
            uow.commit()
        except Conflict:  # a download at the same moment kept its rendering first: serve that one
            kept = _kept(uow, receipt.tenant_id, key) or kept
    filename = safe_file_name(receipt.number, "receipt") + ".pdf"
    return ReceiptPdf(services.blobs.local_path(kept.sha256), kept.sha256, filename, chosen)


def _kept(uow: UnitOfWork, tenant_id: str, key: str) -> RenderedDocument | None:
    found = uow.rendered_documents.list(tenant_id, key=key, limit=1).items
    return found[0] if found else None


def _reader_language(uow: UnitOfWork, caller: Principal) -> str | None:
    if caller.role is not Role.RESIDENT or caller.resident_id is None:
        return None
    resident = uow.residents.get(caller.tenant_scope, caller.resident_id)
    return None if resident is None else resident.language.value


def _payer_language(facts: ReceiptFacts) -> str | None:
    return None if facts.payer is None else facts.payer.language.value
