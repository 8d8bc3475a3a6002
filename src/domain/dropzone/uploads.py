"""Whether an upload over our SFTP server shows that it reached its end.

What OpenSSH's `sftp` sends for `put` is OPEN, WRITEs, CLOSE — and, interrupted (Ctrl-C), the very same,
only fewer WRITEs: no size is ever stated (`put -p` adds an FSETSTAT of mode and times only). A closed
handle therefore proves nothing. What does: a client streams its file in blocks of one size, so the write
that reaches furthest is shorter than the longest exactly when the client read the end of its file; an
interrupted one stops after a full block. An upload is complete when its writes cover it from byte 0
without a gap, and it ends on a short block — or the client stated its size (SETSTAT/FSETSTAT) after its
last write, and that is what was written. A file of an exact number of blocks cannot be told from a cut
one by its writes: it is taken if it is a workbook whose bytes show their end (workbook_ends.py), and
refused otherwise, visibly, like a cut one."""

from __future__ import annotations

from dataclasses import dataclass, replace

# Clients stream in blocks that are powers of two (OpenSSH, paramiko, WinSCP: 32 KiB; up to 256 KiB):
# one write of such a size may be the first block of a longer file.
_SMALLEST_BLOCK = 4096
# Past this many separate ranges the writes are not a transfer of a file but scattered bytes: not tracked.
_MOST_SPANS = 1024


@dataclass(frozen=True, slots=True)
class UploadProgress:
    """The writes received for one upload handle, as merged byte ranges [start, end)."""

    spans: tuple[tuple[int, int], ...] = ()
    writes: int = 0
    longest: int = 0
    tail: int = 0  # the length of the write that reaches furthest
    stated: int | None = None  # the size the client stated after its last write

    @property
    def written(self) -> int:
        return self.spans[-1][1] if self.spans else 0

    def wrote(self, offset: int, length: int) -> UploadProgress:
        if offset < 0 or length < 0:
            raise ValueError("a write has a non-negative offset and length")
        end = offset + length
        tail = length if end >= self.written else self.tail
        spans = _merge(self.spans, offset, end)
        return UploadProgress(
            spans if len(spans) <= _MOST_SPANS else ((-1, -1), *spans[-_MOST_SPANS:]),
            self.writes + 1,
            max(self.longest, length),
            tail,
            None,  # a size stated before a write says nothing of what follows
        )

    def stated_size(self, size: int) -> UploadProgress:
        """The client set the file's size (SETSTAT/FSETSTAT): what lay beyond it is cut away."""
        if size < 0:
            raise ValueError("a size is not negative")
        kept = tuple((low, min(high, size)) for low, high in self.spans if low < size)
        return replace(self, spans=kept, stated=size)

    def incomplete(self) -> str | None:
        """Why the upload cannot be taken for the whole file, or None when it can."""
        if not self.writes or not self.written:
            return "nothing was written"
        if self.spans != ((0, self.written),):
            return "its writes leave gaps: parts of the file never arrived"
        if self.stated is not None:
            if self.stated == self.written:
                return None
            return f"the client stated {self.stated} bytes but {self.written} arrived"
        if not self.ends_on_a_full_block:
            return None
        return (
            f"it ends on a full block of {self.tail} bytes, as an interrupted transfer does, and is not a"
            " workbook whose bytes show their end; send it with scp, or state the size (SETSTAT) after the"
            " last write"
        )

    @property
    def ends_on_a_full_block(self) -> bool:
        """Whole from byte 0, no size stated, and its furthest write a full block: a file of an exact number
        of blocks, or one cut after a block — the wire cannot tell; only the file's own bytes can."""
        if self.stated is not None or self.spans != ((0, self.written),) or not self.written:
            return False
        return self.tail == self.longest and (self.writes > 1 or _block_sized(self.tail))


def _block_sized(length: int) -> bool:
    return length >= _SMALLEST_BLOCK and length & (length - 1) == 0


def _merge(spans: tuple[tuple[int, int], ...], start: int, end: int) -> tuple[tuple[int, int], ...]:
    """The ranges with [start, end) added; touching or overlapping ranges become one."""
    kept: list[tuple[int, int]] = []
    for low, high in spans:
        if high < start or low > end:
            kept.append((low, high))
        else:
            start, end = min(start, low), max(end, high)
    kept.append((start, end))
    return tuple(sorted(kept))
