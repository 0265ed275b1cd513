"""The Excel import panel's state, mixed into every page that imports a workbook: the
progress flag, the outcome, the row-by-row errors and the annotated copy to download."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import reflex as rx
from sqlmodel import Session

from ahportal.db import session_scope
from ahportal.services import imports
from ahportal.services.errors import DomainError
from ahportal.services.permissions import Actor, require
from ahportal.state.notice import notify

# work(session, actor, data, progress) → the report; runs in a worker thread; progress(n)
# reports the rows read so far (imports that read in chunks call it).
ImportWork = Callable[[Session, Actor | None, bytes, Callable[[int], None]], imports.ImportReport]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ERRORS = 200


class ImportMixin(rx.State, mixin=True):
    """A handler runs `async for _ in self._run_import(...): yield`, then reloads its list
    when `import_ok`."""

    importing: bool = False
    import_ok: bool = False
    import_elapsed: int = 0
    import_rows: int = 0
    import_message: str = ""
    import_errors: list[dict[str, str]] = []
    import_error_total: int = 0
    has_annotated: bool = False
    _annotated: bytes = b""
    _annotated_name: str = "错误标注.xlsx"

    def _start_import(self) -> None:
        self.import_errors, self.import_error_total, self.import_message = [], 0, ""
        self.has_annotated, self._annotated = False, b""
        self.import_ok = False

    async def _run_import(
        self,
        files: list[rx.UploadFile],
        permission: str,
        work: ImportWork,
        noun: str,
        annotated_name: str,
    ) -> AsyncIterator[None]:
        """Check the role, read the upload (capped), then run the import in a worker thread,
        so the server keeps serving every other tab meanwhile; yields once a second to show
        the time spent. The outcome lands in the mixin's vars and `import_ok`."""
        self._start_import()
        try:
            require(self._actor(), permission)  # type: ignore[attr-defined]
        except DomainError as exc:
            self._import_failed(exc.message)
            return
        if not files:
            self._import_failed("请选择 Excel 文件（.xlsx）：" + imports.rules_message())
            return
        data = await files[0].read(imports.limit_bytes() + 1)
        self.importing = True
        self.import_elapsed = self.import_rows = 0
        yield
        rows_read = [0]

        def progress(rows: int) -> None:
            rows_read[0] = rows

        def job() -> imports.ImportReport:
            with session_scope() as session:
                actor = self._actor(session)  # type: ignore[attr-defined]
                return work(session, actor, data, progress)

        task: asyncio.Future[Any] = asyncio.ensure_future(asyncio.to_thread(job))
        started = time.monotonic()
        while not task.done():
            await asyncio.wait({task}, timeout=1.0)
            if not task.done():
                self.import_elapsed = int(time.monotonic() - started)
                self.import_rows = rows_read[0]
                yield
        try:
            report = task.result()
        except DomainError as exc:
            self._import_failed(exc.message)
            return
        self.import_ok = self._finish_import(report, noun, annotated_name)

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
