"""Port: a receipt document laid out as PDF bytes."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from prorata.domain.receipts.catalogue import Catalogue
from prorata.domain.receipts.document import ReceiptDocument


class ReceiptRenderer(Protocol):
    @property
    @abstractmethod
    def template_version(self) -> int:
        """Changes whenever the same document would be laid out differently (the layout or the catalogues
        changed): PDFs cached under an older version are rendered again."""

    @abstractmethod
    def render(self, document: ReceiptDocument, text: Catalogue) -> bytes:
        """The document as a PDF, every word from `text` (its language's catalogue). Prints nothing, sends
        nothing anywhere, and may be called from several threads at once."""
