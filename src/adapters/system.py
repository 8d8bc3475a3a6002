"""The system's clock and time-ordered ids."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime


class SystemUtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Uuid7Ids:
    """RFC 9562 UUIDv7: a millisecond timestamp, then randomness, so ids sort by creation."""

    def new(self) -> str:
        millis = time.time_ns() // 1_000_000
        random = int.from_bytes(os.urandom(10), "big")
        value = (millis & (2**48 - 1)) << 80 | random
        value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
        value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
        text = f"{value:032x}"  # formatted as uuid.UUID would, at a fraction of its cost
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
