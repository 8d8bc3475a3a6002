"""When an upload over our SFTP server shows that it reached its end: the pure rule. A client streams its
file in blocks of one size, the last one shorter; an interrupted one (OpenSSH's sftp on Ctrl-C) stops
after a full block and closes the file all the same."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prorata.domain.dropzone.uploads import UploadProgress

BLOCK = 32768


def streamed(size: int, block: int = BLOCK, *, stop_after: int | None = None) -> UploadProgress:
    """The writes a client sends for a file of `size` bytes — or the first `stop_after` of them."""
    progress = UploadProgress()
    offsets = range(0, size, block)
    for n, offset in enumerate(offsets):
        if stop_after is not None and n == stop_after:
            break
        progress = progress.wrote(offset, min(block, size - offset))
    return progress


def test_a_file_streamed_to_its_short_last_block_is_complete() -> None:
    progress = streamed(1_280_064)
    assert progress.written == 1_280_064
    assert progress.incomplete() is None


def test_a_transfer_stopped_after_a_full_block_is_not() -> None:
    progress = streamed(1_280_064, stop_after=13)
    assert progress.written == 425_984
    assert progress.incomplete() is not None


@given(st.integers(1, 40 * BLOCK), st.sampled_from([4096, BLOCK, 65536, 262144]), st.data())
def test_an_interrupted_stream_is_never_complete(size: int, block: int, data: st.DataObject) -> None:
    blocks = -(-size // block)
    if blocks < 2:
        return
    stop = data.draw(st.integers(1, blocks - 1))
    assert streamed(size, block, stop_after=stop).incomplete() is not None


def test_a_small_file_in_one_write_is_complete() -> None:
    assert UploadProgress().wrote(0, 539).incomplete() is None


def test_one_write_of_a_whole_block_cannot_be_told_from_a_cut_and_is_not_complete() -> None:
    assert UploadProgress().wrote(0, BLOCK).incomplete() is not None


def test_a_file_of_an_exact_number_of_blocks_needs_its_size_stated() -> None:
    progress = streamed(4 * BLOCK)
    assert progress.incomplete() is not None
    assert progress.stated_size(4 * BLOCK).incomplete() is None


def test_a_stated_size_counts_only_if_it_is_what_was_written_after_the_last_write() -> None:
    progress = streamed(4 * BLOCK, stop_after=2)
    assert progress.stated_size(4 * BLOCK).incomplete() is not None
    assert UploadProgress().stated_size(0).wrote(0, 10).wrote(10, 5).incomplete() is None  # truncated first
    assert streamed(4 * BLOCK).stated_size(100).incomplete() is None  # cut to its first 100 bytes
    assert streamed(4 * BLOCK).stated_size(4 * BLOCK).wrote(4 * BLOCK, BLOCK).incomplete() is not None


@pytest.mark.parametrize(
    "writes",
    [
        [(0, BLOCK), (2 * BLOCK, 100)],  # a gap
        [(BLOCK, 100)],  # resumed from an offset: the start is missing
    ],
)
def test_writes_that_leave_a_gap_are_not_complete(writes: list[tuple[int, int]]) -> None:
    progress = UploadProgress()
    for offset, length in writes:
        progress = progress.wrote(offset, length)
    assert progress.incomplete() is not None


def test_writes_out_of_order_that_cover_the_file_are_complete() -> None:
    progress = UploadProgress().wrote(BLOCK, BLOCK).wrote(2 * BLOCK, 7).wrote(0, BLOCK)
    assert progress.written == 2 * BLOCK + 7
    assert progress.incomplete() is None


def test_an_upload_with_nothing_written_is_not_complete() -> None:
    assert UploadProgress().incomplete() is not None


def test_only_a_whole_upload_ending_on_a_full_block_leaves_the_question_to_the_file_itself() -> None:
    assert streamed(4 * BLOCK).ends_on_a_full_block
    assert UploadProgress().wrote(0, BLOCK).ends_on_a_full_block
    assert streamed(4 * BLOCK, stop_after=2).ends_on_a_full_block  # cut: the same on the wire
    assert not streamed(1_280_064).ends_on_a_full_block  # short last block: complete by its writes
    assert not streamed(4 * BLOCK).stated_size(4 * BLOCK).ends_on_a_full_block  # stated: complete
    assert not UploadProgress().wrote(BLOCK, BLOCK).ends_on_a_full_block  # a gap: never complete
    assert not UploadProgress().ends_on_a_full_block
