"""The import actor hands the memory an attempt left the worker holding back to the system, whatever the
attempt ended with (see tests/unit/test_worker_memory.py for what that gives back)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from prorata.entrypoints import worker_memory
from tests.api_client import Caller

MULTI = Path(__file__).parents[1] / "fixtures" / "samples" / "export-multi-community.xlsx"


@pytest.mark.one_database("sqlite")
def test_every_import_attempt_hands_its_memory_back(
    manager: Caller, drain: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    handed_back: list[None] = []
    monkeypatch.setattr(worker_memory, "WORTH_HANDING_BACK", 0)  # as after a large file's attempt
    monkeypatch.setattr(worker_memory, "give_back_memory", lambda: handed_back.append(None))
    settled = manager.upload("/v1/imports", MULTI.read_bytes(), "export.xlsx").get_json()
    failed = manager.upload("/v1/imports", b"PK\x03\x04 not a workbook", "roto.xlsx").get_json()
    drain()
    assert manager.get(settled["url"]).get_json()["status"] == "settled"
    assert manager.get(failed["url"]).get_json()["status"] == "failed"
    assert len(handed_back) == 2
