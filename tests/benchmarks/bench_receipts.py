"""Benchmark: receipt PDFs per second and the latency of a receipt's first download, against a baseline
one-page borb document in the same embedded font, all in this one run (so the ratios hold across machines).

Downloads go through the Flask test client (in process: the API's views, use cases, SQLite database and
blob store, without a network or a WSGI server); first downloads render, later ones read the kept PDF.
Run with `make bench`."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[2]))  # tests.* helpers, when run as a script

from prorata.adapters.pdf.blocks import fitted
from prorata.adapters.pdf.borb_runtime import pdf_bytes
from prorata.adapters.pdf.receipt_pdf import BorbReceiptRenderer
from prorata.config.bootstrap import bootstrap
from prorata.config.settings import Settings
from prorata.domain.access.principal import Role
from prorata.domain.receipts.catalogue import catalogue
from prorata.entrypoints.api.app import create_app
from tests import receipt_samples
from tests.api_client import Caller, key_for, new_tenant

# isort: split
from borb.pdf import Document, Page, Paragraph, SingleColumnLayout  # after borb_runtime

ROUNDS = 20
UNITS = 40


def baseline() -> bytes:
    """One page: a title and a dozen lines of text in the embedded font."""
    document = Document()
    page = Page()
    document.append_page(page)
    layout = SingleColumnLayout(page)
    layout.append_layout_element(Paragraph("Recibo C0012-00001-0001", font=fitted(True), font_size=20))
    for line in range(12):
        layout.append_layout_element(
            Paragraph(f"Línea {line}: 1.234,56 € — consumo 60 m²", font=fitted(False), font_size=9)
        )
    return pdf_bytes(document)


def per_second(work: Callable[[], Any], rounds: int = ROUNDS) -> float:
    work()  # warm: fonts loaded, modules imported
    started = time.perf_counter()
    for _ in range(rounds):
        work()
    return rounds / (time.perf_counter() - started)


def downloads() -> tuple[list[float], list[float]]:
    """First and second download times (seconds) of every receipt of a published settlement."""
    with tempfile.TemporaryDirectory() as folder:
        parts = bootstrap(Settings.from_environment({"PRORATA_DATA_DIR": folder}))
        parts.upgrade_database()
        manager = Caller(create_app(parts).test_client(), key_for(parts, Role.MANAGER, new_tenant(parts)))
        community = manager.created("/v1/communities", {"code": "B1", "name": "CP Bench 1"})
        for index in range(UNITS):
            unit = manager.created(
                f"/v1/communities/{community['id']}/units",
                {"code": f"{index:02d}", "coefficient": "1", "area": "70"},
            )
            meter = manager.created(
                "/v1/meters", {"unit_id": unit["id"], "serial": f"HC-{index}", "service": "heating"}
            )
            readings = [
                {"meter_id": meter["id"], "date": "2026-01-01", "value": "100"},
                {"meter_id": meter["id"], "date": "2026-03-31", "value": str(120 + index)},
            ]
            manager.created("/v1/readings", {"readings": readings})
        terms = {
            "community_id": community["id"],
            "service": "heating",
            "period": {"from": "2026-01-01", "to": "2026-03-31"},
            "consumption_share": "0.70",
            "costs": [{"concept": "Gas", "amount": "4000.00"}],
        }
        settlement = manager.created("/v1/settlements", terms)
        receipts = manager.created(f"/v1/settlements/{settlement['id']}/publish", None)["receipts"]
        manager.get(f"/v1/receipts/{receipts[0]['id']}/pdf?lang=en")  # warm, in another language
        first: list[float] = []
        second: list[float] = []
        for times in (first, second):
            for receipt in receipts:
                started = time.perf_counter()
                response = manager.get(f"/v1/receipts/{receipt['id']}/pdf")
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.get_json()
        parts.engine.dispose()
        return first, second


def quantile(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[int(q * 100) - 1]


def main() -> None:
    renderer, document, text = BorbReceiptRenderer(), receipt_samples.document(), catalogue("es")
    base = per_second(baseline)
    receipts = per_second(lambda: renderer.render(document, text))
    first, second = downloads()
    print(f"receipt PDFs ({UNITS} downloads over the Flask test client, SQLite, in process)")
    print(f"{'':34} {'per second':>10} {'ms each':>8} {'× baseline':>10}")
    for name, rate in (("baseline one-page borb document", base), ("receipt PDF (render only)", receipts)):
        print(f"{name:34} {rate:10.1f} {1000 / rate:8.1f} {base / rate:10.2f}")
    print(f"{'':34} {'p50 ms':>10} {'p95 ms':>8}")
    for name, times in (("first download (renders)", first), ("later download (kept)", second)):
        print(f"{name:34} {1000 * quantile(times, 0.5):10.1f} {1000 * quantile(times, 0.95):8.1f}")


if __name__ == "__main__":
    main()
