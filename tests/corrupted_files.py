"""Workbooks damaged the way files are damaged in transit: bytes flipped inside a sheet's compressed data,
or cut short. Made from a real export with a fixed seed, so every run sees the same damage."""

from __future__ import annotations

import random
import struct
import zipfile
from pathlib import Path

SAMPLE = Path(__file__).parent / "fixtures" / "samples" / "export-multi-community.xlsx"
_LOCAL_HEADER = 30


def sheet_data_spans(content: bytes) -> list[tuple[int, int]]:
    """Where each worksheet's compressed bytes lie in the archive."""
    spans = []
    with zipfile.ZipFile(SAMPLE) as archive:
        for entry in archive.infolist():
            if entry.filename.startswith("xl/worksheets/"):
                at = entry.header_offset
                name_length, extra_length = struct.unpack("<HH", content[at + 26 : at + _LOCAL_HEADER])
                start = at + _LOCAL_HEADER + name_length + extra_length
                spans.append((start, start + entry.compress_size))
    return spans


def flipped(folder: Path, seed: int) -> Path:
    """The sample with a few bytes of one sheet's compressed data overwritten."""
    content = bytearray(SAMPLE.read_bytes())
    rng = random.Random(seed)
    start, end = rng.choice(sheet_data_spans(bytes(content)))
    at = rng.randrange(start + 8, end - 24)
    for offset in range(16):
        content[at + offset] ^= rng.randrange(1, 256)
    path = folder / f"export-flipped-{seed}.xlsx"
    path.write_bytes(bytes(content))
    return path


def truncated(folder: Path, seed: int) -> Path:
    """The sample cut short somewhere after its first entry."""
    content = SAMPLE.read_bytes()
    rng = random.Random(seed)
    path = folder / f"export-truncated-{seed}.xlsx"
    path.write_bytes(content[: rng.randrange(200, len(content) - 1)])
    return path
