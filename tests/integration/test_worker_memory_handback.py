"""The import actor hands the memory an attempt freed back to the system after every attempt, settled or
failed (see tests/unit/test_worker_memory.py for what that gives back)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import prorata.entrypoints.worker as worker_module
from tests.api_client import Caller

MULTI = Path(__file__).parents[1] / "fixtures" / "samples" / "export-multi-community.xlsx"


@pytest.mark.one_database("sqlite")
def test_every_import_attempt_hands_its_memory_back(
    manager: Caller, drain: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    handed_back: list[None] = []
    monkeypatch.setattr(worker_module, "give_back_memory", lambda: handed_back.append(None))
    settled = manager.upload("/v1/imports", MULTI.read_bytes(), "export.xlsx").get_json()
    failed = manager.upload("/v1/imports", b"PK\x03\x04 not a workbook", "roto.xlsx").get_json()
    drain()
    assert manager.get(settled["url"]).get_json()["status"] == "settled"
    assert manager.get(failed["url"]).get_json()["status"] == "failed"
    assert len(handed_back) == 2
