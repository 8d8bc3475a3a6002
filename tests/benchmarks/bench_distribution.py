"""Benchmark: the distribution sheet PDF of a published 1,000-unit settlement, downloaded end to end over
HTTP (a real server on a loopback port, SQLite), against a baseline borb document of the same pages as
plain text lines in the same font — in one run, so the ratio holds across machines. Run with `make bench`.

The baseline is made twice: with the font as borb_runtime loads it, and with the table font (its widths as
one run; see adapters/pdf/table_fonts.py) that the sheet uses."""

from __future__ import annotations

import http.client
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).parents[2]))

from prorata.adapters.pdf.borb_runtime import font, pdf_bytes
from prorata.adapters.pdf.distribution_grids import DistributionGrids
from prorata.adapters.pdf.distribution_pdf import HEIGHT, MARGIN, SIZE, WIDTH, measure, row_height
from prorata.adapters.pdf.page_plan import plan
from prorata.adapters.pdf.table_fonts import table_font
from prorata.application.access import create_key
from prorata.application.distribution import distribution_sheet
from prorata.config.bootstrap import Components, bootstrap
from prorata.config.settings import Settings
from prorata.domain.access.principal import Principal, Role
from prorata.domain.community.model import Community, CommunityUnit, Language, Meter, MeterReading
from prorata.domain.settlement.distribution import Distribution
from prorata.domain.settlement.distribution_labels import labels
from prorata.domain.settlement.request import Service
from prorata.entrypoints.api.app import create_app
from tests.api_client import new_tenant

from borb.pdf import Chunk, Document, Page  # isort: skip  (after borb_runtime)

UNITS = 1_000
ROUNDS = 5


def community_of(parts: Components, tenant: str) -> str:
    """A community of UNITS units, each with a heating meter read at the period's start and end, added
    in bulk (not 3,000 API calls)."""
    ids = parts.ids
    community = Community(ids.new(), tenant, "C1000", "CP Mil Viviendas")
    units = [
        CommunityUnit(
            ids.new(),
            tenant,
            community.id,
            f"U{n:04d}",
            Decimal(f"{1 + n % 9}.{n % 100:02d}"),
            Decimal(50 + n % 90),
            position=n + 1,
        )
        for n in range(UNITS)
    ]
    meters = [Meter(ids.new(), tenant, u.id, f"HC-{n}", Service.HEATING) for n, u in enumerate(units)]
    readings = [
        MeterReading(ids.new(), tenant, m.id, day, Decimal(value))
        for n, m in enumerate(meters)
        for day, value in ((date(2026, 1, 1), 1000 + n), (date(2026, 3, 31), 1000 + n + 5 + n % 60))
    ]
    with parts.unit_of_work() as uow:
        uow.communities.add(community)
        uow.units.add_all(units)
        uow.meters.add_all(meters)
        uow.readings.add_all(readings)
        uow.commit()
    return community.id


def call(port: int, key: str, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def baseline(pages: list[list[str]], shown: Any) -> bytes:
    """The same pages as lines of plain text, one Chunk a line, in the font given."""
    document = Document()
    for lines in pages:
        page = Page(width_in_points=WIDTH, height_in_points=HEIGHT)
        document.append_page(page)
        top = HEIGHT - MARGIN
        for line in lines:
            top -= row_height()
            Chunk(line or " ", font=shown, font_size=SIZE).paint(
                available_space=(MARGIN, top, WIDTH - 2 * MARGIN, row_height()), page=page
            )
    return pdf_bytes(document)


def page_lines(parts: Components, principal: Principal, settlement_id: str) -> list[list[str]]:
    """The text of the sheet's pages, row by row, as its renderer plans them."""
    with parts.unit_of_work_for(principal) as uow:
        sheet = distribution_sheet(uow, principal, settlement_id)
    grids = DistributionGrids(sheet, labels(Language.EN), Language.EN, measure, WIDTH - 2 * MARGIN).all()
    heading_rows = 3
    pages = plan(grids, (HEIGHT - 2 * MARGIN) // row_height() - heading_rows - 1)
    return [
        [
            "  ".join(cells)
            for piece in pieces
            for cells in [*piece.grid.header, *piece.grid.body[piece.start : piece.stop], *piece.grid.footer]
        ]
        for pieces in pages
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        parts = bootstrap(Settings.from_environment({"PRORATA_DATA_DIR": folder}))
        parts.upgrade_database()
        tenant = new_tenant(parts, "bench")
        with parts.unit_of_work() as uow:
            key = create_key(uow, parts.ids, parts.clock, Role.MANAGER, tenant)
        community = community_of(parts, tenant)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        server = make_server("127.0.0.1", 0, create_app(parts), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_port
        terms = {
            "community_id": community,
            "service": "heating",
            "period": {"from": "2026-01-01", "to": "2026-03-31"},
            "consumption_share": "0.70",
            "costs": [
                {"concept": "Gasóleo", "amount": "61234.56"},
                {
                    "concept": "Mantenimiento",
                    "amount": "4800.00",
                    "consumption_share": "0",
                    "fixed_key": "equal",
                },
            ],
        }
        status, created = call(port, key, "POST", "/v1/settlements", json.dumps(terms).encode())
        assert status == 201, created
        settlement = json.loads(created)["id"]
        status, published = call(port, key, "POST", f"/v1/settlements/{settlement}/publish")
        assert status == 201, published[:300]
        path = f"/v1/settlements/{settlement}/distribution.pdf"
        downloads: list[float] = []
        pdf = b""

        def download() -> None:
            nonlocal pdf
            status, pdf = call(port, key, "GET", path)
            assert status == 200, pdf[:300]

        download()  # warm: fonts loaded, caches filled
        downloads = [timed(download) for _ in range(ROUNDS)]
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        manager = Principal(Role.MANAGER, tenant)
        lines = page_lines(parts, manager, settlement)

        def sheet() -> Distribution:
            with parts.unit_of_work_for(manager) as uow:
                return distribution_sheet(uow, manager, settlement)

        read = min(timed(sheet) for _ in range(ROUNDS))
        built = sheet()
        render = min(timed(lambda: parts.distribution_pdf.render(built, Language.EN)) for _ in range(ROUNDS))
        plain = min(timed(lambda: baseline(lines, table_font())) for _ in range(ROUNDS))
        shared = min(timed(lambda: baseline(lines, font())) for _ in range(2))
        server.shutdown()
        parts.engine.dispose()
    best, middle = min(downloads), statistics.median(downloads)

    def per_page(seconds: float) -> str:
        return f"{seconds:6.2f} s, {seconds / pages * 1000:4.0f} ms/page"

    print(
        f"distribution sheet PDF of a published {UNITS:,}-unit settlement: {pages} pages, {len(pdf):,} bytes"
    )
    print(f"  GET over HTTP (SQLite), best of {ROUNDS}: {per_page(best)} (median {middle:.2f} s)")
    print(
        f"    of which: read the settlement and build the sheet {read:.2f} s, render the PDF {render:.2f} s"
    )
    print(f"  baseline, the same pages as plain text lines, table font:  {per_page(plain)}")
    print(f"  baseline, the same pages as plain text lines, shared font: {per_page(shared)}")
    print(f"  ratio sheet over HTTP / baseline (table font): {best / plain:5.2f}")


if __name__ == "__main__":
    main()
