"""The Excel import panel's state, mixed into every page that imports a workbook: the
progress flag, the outcome, the row-by-row errors and the annotated copy to download."""

from __future__ import annotations

import reflex as rx

from ahportal.services import imports
from ahportal.state.notice import notify

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ERRORS = 200


class ImportMixin(rx.State, mixin=True):
    """Implement nothing: call `_start_import`, then `_finish_import(report, noun)`."""

    importing: bool = False
    import_message: str = ""
    import_errors: list[dict[str, str]] = []
    import_error_total: int = 0
    has_annotated: bool = False
    _annotated: bytes = b""
    _annotated_name: str = "错误标注.xlsx"

    def _start_import(self) -> None:
        self.import_errors, self.import_error_total, self.import_message = [], 0, ""
        self.has_annotated, self._annotated = False, b""

    def _import_failed(self, message: str) -> None:
        self.importing = False
        self.import_message = message
        self.import_error_total = 1

    def _finish_import(self, report: imports.ImportReport, noun: str, annotated_name: str) -> bool:
        """Show the outcome; True when the rows were imported."""
        self.importing = False
        if report.errors:
            self.import_error_total = len(report.errors)
            self.import_errors = [
                {"sheet": e.sheet, "row": str(e.row), "column": e.column, "message": e.message}
                for e in report.errors[:SHOWN_ERRORS]
            ]
            more = f"（仅列出前 {SHOWN_ERRORS} 处）" if len(report.errors) > SHOWN_ERRORS else ""
            self.import_message = (
                f"导入失败：共有 {len(report.errors)} 处错误{more}，未导入任何数据。"
                "请按下表修改后重新导入。"
            )
            self._annotated = report.annotated or b""
            self._annotated_name = annotated_name
            self.has_annotated = bool(report.annotated)
            return False
        self.import_message = f"已导入 {report.imported} 条{noun}"
        return True

    @rx.event
    def import_rejected(self, rejections: list) -> None:  # type: ignore[type-arg]
        """The browser refused the file before upload (type or size)."""
        self._import_failed("请选择 Excel 文件（.xlsx）：" + imports.rules_message())

    @rx.event
    def download_annotated(self):  # type: ignore[no-untyped-def]
        if not self._annotated:
            return notify.error("没有可下载的错误标注文件")
        return rx.download(data=self._annotated, filename=self._annotated_name, mime_type=XLSX)
