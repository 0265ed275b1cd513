"""导出 in the browser: press a list's 导出, take the download, open it with openpyxl, and
see the success toast (shared by the list pages' browser tests)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

NOTICES = "#notices .notice"


def export_rows(page: Page, button: str, toast: str) -> tuple[str, list[tuple[Any, ...]]]:
    """Press `button`, wait for the .xlsx; its title row and data rows. The toast must
    say `toast` (e.g. "已导出")."""
    # An earlier export's toast (they stay 6 s, across page loads) is gone first, so the one
    # counted below is this export's, and it is the only one.
    expect(page.locator(NOTICES).filter(has_text=toast)).to_have_count(0, timeout=15_000)
    with page.expect_download() as download:
        page.click(button)
    assert download.value.suggested_filename.endswith(".xlsx")
    path = download.value.path()
    assert path is not None
    sheet = load_workbook(io.BytesIO(path.read_bytes())).active
    assert sheet is not None and sheet.freeze_panes == "A3"
    title = str(sheet["A1"].value)
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    for line in rows:
        assert not any(isinstance(v, str) and v[:1] in "=+-@" for v in line), line
    expect(page.locator(NOTICES).filter(has_text=toast)).to_have_count(1)
    return title, rows
