"""Proof files of library entries (and later of declarations): PDF, JPG or PNG, checked by
their content and size, stored under the storage root by a random key, never served
publicly (auth/files.py checks who may download each one).
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from PIL import Image, UnidentifiedImageError

from ahportal.services import (
    photos,  # noqa: F401  (sets Pillow's decompression-bomb limit)
    validation,
)
from ahportal.services.errors import ValidationFailed
from ahportal.settings import get_settings

MAX_ATTACHMENT_MB = 10
KINDS = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
_EXTENSIONS = {".pdf": "pdf", ".jpg": "jpg", ".jpeg": "jpg", ".png": "png"}
RULES = "附件须为 PDF、JPG 或 PNG 文件"


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes


def limit_mb() -> int:
    """The attachment cap in MB: 10 MB, or less if AHPORTAL_UPLOAD_MAX_MB is lower."""
    return min(MAX_ATTACHMENT_MB, get_settings().upload_max_mb)


def rules_message() -> str:
    return f"{RULES}，且不超过 {limit_mb()} MB"


def _kind_of(data: bytes) -> str | None:
    """The file's real type from its content, or None."""
    if data.startswith(b"%PDF-"):
        # A PDF ends with %%EOF (allowing trailing whitespace or an appended update's tail).
        return "pdf" if b"%%EOF" in data[-2048:] else None
    if data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    image.verify()
                    return {"JPEG": "jpg", "PNG": "png"}.get(image.format or "")
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Warning,
            Image.DecompressionBombError,
        ):
            return None
    return None


def clean_filename(filename: object) -> str:
    raw = str(filename or "").strip()
    name = PureWindowsPath(PurePosixPath(raw).name).name  # no folders, either separator
    name = validation.plain(name, "filename", "文件名").strip() or "附件"
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:110] + dot + ext[:8]) if dot else name[:120]
    return name


def check(filename: object, data: bytes) -> CheckedFile:
    """The file if it is what it claims (by content) and small enough; ValidationFailed else."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ValidationFailed("file", f"请选择文件：{rules_message()}")
    if len(data) > limit_mb() * 1024 * 1024:
        raise ValidationFailed("file", f"文件过大：{rules_message()}")
    name = clean_filename(filename)
    extension = _EXTENSIONS.get(PurePosixPath(name.lower()).suffix)
    if extension is None:
        raise ValidationFailed("file", f"不支持该文件类型：{RULES}")
    kind = _kind_of(bytes(data))
    if kind is None:
        raise ValidationFailed("file", f"文件内容无法识别或已损坏：{RULES}")
    if kind != extension:
        raise ValidationFailed("file", "文件内容与扩展名不符，请上传真实的 PDF、JPG 或 PNG 文件")
    return CheckedFile(name, KINDS[kind], bytes(data))


def _folder() -> Path:
    return get_settings().storage_root / "attachments"


def _valid_key(key: str) -> bool:
    return len(key) == 32 and all(c in "0123456789abcdef" for c in key)


def store(data: bytes) -> str:
    """Write the file under a new random key; returns the key."""
    key = secrets.token_hex(16)
    folder = _folder() / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / key).write_bytes(data)
    return key


def path_of(key: str) -> Path | None:
    if not _valid_key(key):
        return None
    path = _folder() / key[:2] / key
    return path if path.is_file() else None


def remove(key: str) -> None:
    path = path_of(key)
    if path is not None:
        path.unlink(missing_ok=True)
