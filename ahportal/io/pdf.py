"""PDF documents with fpdf2: the embedded CJK font, A4 form pages, ruled cells and tables.

The font is Noto Serif CJK SC cut to GB2312, Latin and punctuation (2 MB, shipped in
`ahportal/data/fonts/`, made by `make_subset.py` there): parsing and subsetting it costs
about 0.1 s a document where the 19 MB system collection costs 0.5 s. A document whose text
has characters beyond it (a rare name character) also embeds the system's Noto CJK face as a
fallback for those characters; without one, it refuses with a message naming them.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF, XPos, YPos
from fpdf.fonts import FontFace

from ahportal.services.errors import DomainError

FONT_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"
FONT_FILE = FONT_DIR / "NotoSerifCJKsc-Regular-GB2312.otf"
FAMILY = "form"
FALLBACK_FAMILY = "formfallback"
# Debian's fonts-noto-cjk (face 2 of each collection is Simplified Chinese).
SYSTEM_FONTS: tuple[tuple[Path, int], ...] = (
    (Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"), 2),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
)
FONT_MISSING = (
    "服务器缺少中文字体，无法生成 PDF 文件（{detail}），请联系系统运维人员安装 fonts-noto-cjk"
)

BLACK = (0, 0, 0)
RULE = (40, 40, 40)
SHADE = (238, 238, 238)
_HEADINGS = FontFace(family=FAMILY, emphasis="", fill_color=SHADE, size_pt=9.5)


class FontMissing(DomainError):
    """No font can draw the document's text."""


@lru_cache(maxsize=1)
def _shipped_codepoints() -> frozenset[int]:
    if not FONT_FILE.is_file():
        return frozenset()
    font = ttLib.TTFont(FONT_FILE, lazy=True)
    return frozenset(font.getBestCmap())


@lru_cache(maxsize=1)
def _system_font() -> tuple[Path, int] | None:
    """The system's Noto CJK collection (Debian path first, then what fontconfig knows)."""
    for path, face in SYSTEM_FONTS:
        if path.is_file():
            return path, face
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [fc_list, ":lang=zh", "file", "index", "family"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in sorted(out.splitlines(), key=lambda line: "SC" not in line):
        file, _, rest = line.partition(":")
        if not file.lower().endswith((".ttf", ".otf", ".ttc", ".otc")):
            continue
        index = rest.split("index=")[-1].split(":")[0] if "index=" in rest else "0"
        return Path(file), int(index) if index.isdigit() else 0
    return None


def missing_characters(texts: Iterable[str]) -> set[str]:
    """Characters of the texts the shipped font lacks (blanks and controls aside)."""
    covered = _shipped_codepoints()
    return {ch for text in texts for ch in text if ch.isprintable() and ord(ch) not in covered}


class FormPDF(FPDF):
    """An A4 portrait form: margins, a running header, 第 x 页 共 y 页 in the footer."""

    MARGIN = 18.0

    def __init__(self, *, header_left: str, header_right: str, texts: Iterable[str]) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.header_left = header_left
        self.header_right = header_right
        self._add_fonts(texts)
        self.set_margins(self.MARGIN, 20, self.MARGIN)
        self.set_auto_page_break(True, margin=18)
        self.set_draw_color(*RULE)
        self.set_text_color(*BLACK)
        self.set_line_width(0.3)
        self.show_header = True

    def _add_fonts(self, texts: Iterable[str]) -> None:
        if not FONT_FILE.is_file():
            raise FontMissing(FONT_MISSING.format(detail="缺少 ahportal/data/fonts 下的字体文件"))
        self.add_font(FAMILY, "", FONT_FILE)
        missing = missing_characters(texts)
        if not missing:
            return
        system = _system_font()
        if system is None:
            shown = "、".join(sorted(missing)[:5])
            raise FontMissing(FONT_MISSING.format(detail=f"不能显示“{shown}”"))
        self.add_font(FALLBACK_FAMILY, "", system[0], collection_font_number=system[1])
        self.set_fallback_fonts([FALLBACK_FAMILY], exact_match=False)

    @property
    def content_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def font(self, size: float) -> None:
        self.set_font(FAMILY, size=size)

    def header(self) -> None:
        if not self.show_header:
            return
        self.font(8)
        self.set_text_color(90, 90, 90)
        top = 9.0
        self.set_xy(self.l_margin, top)
        self.cell(self.content_width / 2, 5, self.header_left)
        self.set_xy(self.l_margin + self.content_width / 2, top)
        self.cell(self.content_width / 2, 5, self.header_right, align="R")
        self.set_draw_color(120, 120, 120)
        self.set_line_width(0.2)
        self.line(self.l_margin, top + 5.5, self.w - self.r_margin, top + 5.5)
        self.set_draw_color(*RULE)
        self.set_line_width(0.3)
        self.set_text_color(*BLACK)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_y(-12)
        self.font(9)
        self.set_text_color(60, 60, 60)
        self.cell(0, 5, f"第 {self.page_no()} 页 共 {{nb}} 页", align="C")
        self.set_text_color(*BLACK)

    # ---- ruled cells -------------------------------------------------------------------------

    def fitted_size(self, text: str, width: float, size: float, smallest: float = 7.5) -> float:
        """The largest size ≤ size (down to smallest) at which text fits one line of width."""
        while size > smallest:
            self.font(size)
            if self.get_string_width(text) <= width:
                return size
            size -= 0.5
        return smallest

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        text: str = "",
        *,
        align: str = "C",
        size: float = 10.5,
        fill: bool = False,
    ) -> None:
        """A ruled cell with text centred vertically: one line shrunk to fit, else wrapped."""
        if fill:
            self.set_fill_color(*SHADE)
        self.rect(x, y, w, h, style="DF" if fill else "D")
        if not text:
            return
        inner = w - 2.4
        fitted = size if "\n" in text else self.fitted_size(text, inner, size)
        self.font(fitted)
        if "\n" not in text and self.get_string_width(text) <= inner:
            self.set_xy(x + 1.2, y)
            self.cell(inner, h, text, align=align)
            return
        line_h = fitted * 0.45
        lines = self.wrapped(inner, line_h, text)
        top = y + max(0.5, (h - line_h * len(lines)) / 2)
        self.set_xy(x + 1.2, top)
        self.multi_cell(inner, line_h, text, align="L" if align != "C" else "C")

    def wrapped(self, width: float, line_h: float, text: str) -> list[str]:
        """The lines multi_cell would draw text in, at the current font."""
        lines = self.multi_cell(width, line_h, text, dry_run=True, output="LINES")
        return lines if isinstance(lines, list) else [text]

    def section_title(self, text: str, keep_with: float = 16) -> None:
        """一、基本信息: a heading, on the page of the first keep_with mm that follow it."""
        if self.will_page_break(keep_with + 12):
            self.add_page()
        self.ln(3)
        self.font(12)
        self.set_text_color(*BLACK)
        self.set_x(self.l_margin)
        self.cell(self.content_width, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def grid(
        self, headers: Sequence[str], rows: Sequence[Sequence[str]], weights: Sequence[float]
    ) -> None:
        """A ruled table filling the width; the heading row is shaded and repeats on a new
        page; a long cell wraps."""
        total = sum(weights)
        widths = [self.content_width * w / total for w in weights]
        self.font(9.5)
        with self.table(
            col_widths=widths,
            width=self.content_width,
            line_height=5.6,
            text_align="CENTER",
            v_align="MIDDLE",
            padding=(1.2, 1.2),
            headings_style=_HEADINGS,
            repeat_headings=1,
        ) as table:
            heading = table.row()
            for label in headers:
                heading.cell(label)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(value or "")
        self.ln(2)
