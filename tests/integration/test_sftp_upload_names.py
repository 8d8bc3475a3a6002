"""Names a legacy system may upload under, over our SFTP server: one as long as a folder entry takes
(255 bytes) lands under that very name — the upload's temporary name must not need more room than the
file's — and a second upload of it lands beside it, its number cut into the stem, never refused."""

from __future__ import annotations

import os

import pytest

from tests.integration.sftp_zone import Zone

CSV = b"Piso;Lectura anterior;Lectura actual\r\n1A;0;30\r\n"


def _upload(zone: Zone, name: str, content: bytes) -> None:
    with zone.client() as sftp, sftp.open(name, "wb") as handle:
        handle.write(content)


@pytest.mark.parametrize("name", ["x" * 251 + ".csv", "ñ" * 125 + ".csv"], ids=["ascii", "two-byte"])
def test_an_upload_named_as_long_as_a_folder_entry_allows_lands_and_so_does_the_next(
    zone: Zone,
    tmp_path: os.PathLike[str],
    name: str,
) -> None:
    home = tmp_path / "dropzone" / zone.user  # type: ignore[operator]
    _upload(zone, name, CSV)
    _upload(zone, name, CSV + b"1B;0;10\r\n")
    landed = sorted(p.name for p in home.iterdir() if not p.name.startswith("."))
    assert len(landed) == 2, landed
    assert name in landed
    assert all(len(os.fsencode(n)) <= 255 and n.endswith(".csv") for n in landed)
    assert sorted((home / n).read_bytes() for n in landed) == [CSV, CSV + b"1B;0;10\r\n"]


def test_a_file_renamed_onto_itself_stays_as_it_is(zone: Zone, tmp_path: os.PathLike[str]) -> None:
    home = tmp_path / "dropzone" / zone.user  # type: ignore[operator]
    _upload(zone, "lecturas.csv", CSV)
    with zone.client() as sftp:
        sftp.posix_rename("lecturas.csv", "lecturas.csv")
        sftp.posix_rename("lecturas.csv", "./lecturas.csv")
    assert sorted(p.name for p in home.iterdir()) == ["lecturas.csv"]
