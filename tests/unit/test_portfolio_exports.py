"""The portfolio exports bench_scale imports are files the import understands whole: every community,
dwelling, allocator (by its serial, with its factor), reading and day; in the XLSX also each community's
bill and its dwellings' coefficients. A benchmark of files it half refused would measure the wrong thing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from prorata.config.readers import spreadsheet_reader
from prorata.config.settings import Settings
from prorata.domain.imports.interpret import interpret
from tests.benchmarks.portfolio_exports import Portfolio, portfolio, write_csv, write_xlsx


@pytest.mark.parametrize("write", [write_csv, write_xlsx])
def test_every_row_of_a_portfolio_export_is_read_as_its_community_meter_and_readings(
    write: Callable[[Portfolio, Path], Path], tmp_path: Path
) -> None:
    book = portfolio(3, rows=600, communities=7)
    path = write(book, tmp_path / ("export.csv" if write is write_csv else "export.xlsx"))
    contents = interpret(spreadsheet_reader(Settings.from_environment({})).read(path))

    assert contents.problems == []
    assert sorted(contents.communities) == [b.code for b in book.buildings]
    expected = list(book.readings())
    read = [
        (code, item.unit, *(getattr(item.reading, f) for f in ("meter", "factor", "previous", "current")))
        for code, found in sorted(contents.communities.items())
        for item in found.readings
    ]
    assert read == [(r[0], r[2], r[3], r[4], r[5], r[6]) for r in expected]
    assert {item.reading.read_on for f in contents.communities.values() for item in f.readings} == {
        r[7] for r in expected
    }
    if write is write_xlsx:
        for building in book.buildings:
            found = contents.communities[building.code]
            assert [c.amount for c in found.costs] == [building.bill]
            assert [c.consumption_share for c in found.costs] == [Decimal("0.7")]
            assert len(found.units) == len(building.dwellings)
