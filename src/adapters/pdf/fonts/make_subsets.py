"""Makes the font subsets shipped here from Debian's fonts-dejavu-core (run once; the output is kept in the
repository): Latin-1, the euro sign and typographic punctuation. A whole DejaVu Sans makes borb take
seconds per page (it searches the width table linearly per character); the subset, milliseconds."""

from __future__ import annotations

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

CHARACTERS = (
    "".join(chr(c) for c in range(0x20, 0x7F)) + "".join(chr(c) for c in range(0xA0, 0x100)) + "€—–‘’“”•…‰−·"
)
SOURCE = Path("/usr/share/fonts/truetype/dejavu")


def main() -> None:
    for name in ("DejaVuSans", "DejaVuSans-Bold"):
        options = subset.Options()
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.drop_tables += ["FFTM"]
        font = TTFont(SOURCE / f"{name}.ttf")
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=CHARACTERS)
        subsetter.subset(font)
        font.save(Path(__file__).with_name(f"{name}-Latin1.ttf"))


if __name__ == "__main__":
    main()
