"""The loop every attachment upload handler runs: read each file at most one byte past the
cap (the service refuses it by size, never reading the rest), save it, stop at the first
refusal with the file's name in the message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from ahportal.services import attachments
from ahportal.services.errors import DomainError


async def save_uploads(
    files: list[rx.UploadFile], save: Callable[[str, bytes], Any], *, most: int = 5
) -> tuple[int, str]:
    """(how many were saved, the error to show or "")."""
    if not files:
        return 0, "请选择文件：" + attachments.rules_message()
    limit = attachments.limit_mb() * 1024 * 1024
    added = 0
    for upload in files[:most]:
        name = upload.name or upload.filename or "附件"
        data = await upload.read(limit + 1)
        try:
            save(name, data)
        except DomainError as exc:
            return added, f"{name}：{exc.message}"
        added += 1
    return added, ""


def file_rows(files: list[Any], *, pending_note: str = "") -> list[dict[str, str]]:
    """FileRow read models as the file_links component's rows."""
    return [
        {
            "id": str(f.id),
            "name": f.filename,
            "size": f"{max(1, f.size // 1024)} KB" if f.size else "",
            "url": f.url,
            "note": "" if getattr(f, "sent", True) else pending_note,
        }
        for f in files
    ]
