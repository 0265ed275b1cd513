"""Make the PDF font shipped here: Noto Serif CJK SC cut to GB2312, Latin and punctuation.

Run with the venv's Python on a machine with Debian's fonts-noto-cjk (takes ~20 s):
    .venv/bin/python ahportal/data/fonts/make_subset.py
Characters outside the subset (rare name characters) are drawn from the system's Noto CJK
font when the document needs them (see ahportal/io/pdf.py).
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset, ttLib

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
SC_FACE = 2  # the Simplified Chinese face of the collection
TARGET = Path(__file__).with_name("NotoSerifCJKsc-Regular-GB2312.otf")


def gb2312() -> set[int]:
    """Every character of GB2312 (6,763 hanzi and its symbols)."""
    found = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def codepoints() -> set[int]:
    ranges = [
        (0x20, 0x7F),  # ASCII
        (0xA0, 0x100),  # Latin-1
        (0x2000, 0x2070),  # general punctuation
        (0x2160, 0x2190),  # Roman numerals
        (0x2460, 0x2500),  # circled numbers
        (0x3000, 0x3040),  # CJK symbols and punctuation
        (0xFF00, 0xFFF0),  # full-width forms
    ]
    return gb2312().union(*(range(low, high) for low, high in ranges))


def main() -> None:
    font = ttLib.TTFont(SOURCE, fontNumber=SC_FACE)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints())
    subsetter.subset(font)
    font.save(TARGET)
    print(TARGET, TARGET.stat().st_size)


if __name__ == "__main__":
    main()
