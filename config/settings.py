"""Settings from the environment (12-factor), read once by the composition root, never at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    max_file_bytes: int
    max_file_rows: int

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            data_dir=Path(env.get("PRORATA_DATA_DIR", "var")),
            max_file_bytes=int(env.get("PRORATA_MAX_FILE_BYTES", str(50 * 1024 * 1024))),
            max_file_rows=int(env.get("PRORATA_MAX_FILE_ROWS", "1000000")),
        )
