"""The generator itself: a seed always makes the same files, every kind has its share, and what it
makes is what each kind says it is."""

from __future__ import annotations

import io
import zipfile

from tests.hostile.mutations import KINDS, Hostile, corpus


def _members(hostile: Hostile) -> list[zipfile.ZipInfo]:
    return zipfile.ZipFile(io.BytesIO(hostile.content)).infolist()


def test_a_seed_always_makes_the_same_files_and_another_seed_others() -> None:
    count = 2 * len(KINDS)
    first, again, other = corpus(1, count), corpus.__wrapped__(1, count), corpus(2, count)
    assert [(h.name, h.content) for h in first] == [(h.name, h.content) for h in again]
    assert [h.content for h in first] != [h.content for h in other]


def test_every_kind_has_its_share_of_a_corpus() -> None:
    files = corpus(3, 3 * len(KINDS))
    assert {kind: sum(h.kind == kind for h in files) for kind in KINDS} == dict.fromkeys(KINDS, 3)


def test_the_zip_tricks_are_in_the_archives() -> None:
    files = corpus(4, 4 * len(KINDS))
    for hostile in (h for h in files if h.kind == "zip-duplicate-names"):
        names = [member.filename for member in _members(hostile)]
        assert len(names) > len(set(names)), hostile
    for hostile in (h for h in files if h.kind == "zip-path-traversal"):
        assert any(m.filename.startswith("/") or ".." in m.filename for m in _members(hostile)), hostile
    for hostile in (h for h in files if h.kind == "zip-deflate-bomb"):
        assert len(hostile.content) < 2 * 1024 * 1024, hostile  # hundreds of megabytes once inflated
        assert any(m.compress_size > 100_000 for m in _members(hostile)), hostile
