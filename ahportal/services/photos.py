"""The applicant's ID photo: checked by content, size-capped, cropped to 5:7, stored 295×413.

The photo is used later on review forms and the electronic title certificate (seed 002 一.14).
Originals wait under the storage root per account until cropped; nothing goes to Reflex's
public upload folder.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlmodel import Session

from ahportal.models import Person, utcnow
from ahportal.services.errors import NotFound, ValidationFailed
from ahportal.services.permissions import Actor, require
from ahportal.settings import get_settings

PHOTO_SIZE = (295, 413)  # 一寸 at 300 dpi, ratio 5:7
RATIO = PHOTO_SIZE[0] / PHOTO_SIZE[1]
MAX_PHOTO_MB = 5
_FORMATS = {"JPEG": "jpg", "PNG": "png"}
_TOKEN_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


@dataclass(frozen=True)
class Crop:
    """The crop box in original pixels."""

    left: int
    top: int
    width: int
    height: int


def _root() -> Path:
    return get_settings().storage_root


def _pending_dir(account_id: int) -> Path:
    return _root() / "uploads" / str(account_id)


def _check_image(data: bytes) -> tuple[str, tuple[int, int]]:
    limit = min(MAX_PHOTO_MB, get_settings().upload_max_mb) * 1024 * 1024
    if not data:
        raise ValidationFailed("photo", "请选择要上传的照片")
    if len(data) > limit:
        raise ValidationFailed("photo", f"照片不能超过 {limit // (1024 * 1024)} MB")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            size = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed("photo", "文件不是有效的 JPG 或 PNG 图片") from None
    if kind not in _FORMATS:
        raise ValidationFailed("photo", "照片格式须为 JPG 或 PNG")
    if size[0] < 150 or size[1] < 210:
        raise ValidationFailed("photo", "照片分辨率过低，宽至少 150 像素、高至少 210 像素")
    if size[0] * size[1] > 40_000_000:
        raise ValidationFailed("photo", "照片分辨率过高，请压缩后再上传")
    return kind, size


def stage_photo(*, actor: Actor | None, data: bytes) -> dict[str, int | str]:
    """Check an upload and keep it for cropping; returns its token and pixel size."""
    checked = require(actor, "profile.view_own")
    kind, (width, height) = _check_image(data)
    folder = _pending_dir(checked.account_id)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(16)
    (folder / f"{token}.{_FORMATS[kind]}").write_bytes(data)
    return {"token": token, "width": width, "height": height}


def staged_path(account_id: int, token: str) -> Path | None:
    """The staged original of this account, if the token names one."""
    if not token or not set(token) <= _TOKEN_CHARS or len(token) > 64:
        return None
    for suffix in _FORMATS.values():
        path = _pending_dir(account_id) / f"{token}.{suffix}"
        if path.is_file():
            return path
    return None


def crop_box(width: int, height: int, zoom: float, center_x: float, center_y: float) -> Crop:
    """The largest 5:7 box at zoom 1, shrunk by zoom, centred near (center_x, center_y) ∈ [0,1]."""
    zoom = min(max(zoom, 1.0), 4.0)
    base_w = min(width, height * RATIO)
    crop_w = max(1, int(base_w / zoom))
    crop_h = max(1, min(height, round(crop_w / RATIO)))
    left = round(min(max(center_x, 0.0), 1.0) * width - crop_w / 2)
    top = round(min(max(center_y, 0.0), 1.0) * height - crop_h / 2)
    left = min(max(left, 0), width - crop_w)
    top = min(max(top, 0), height - crop_h)
    return Crop(left, top, crop_w, crop_h)


def save_photo(
    session: Session,
    *,
    actor: Actor | None,
    token: str,
    zoom: float,
    center_x: float,
    center_y: float,
) -> str:
    """Crop the staged original to 5:7, store it at 295×413 JPEG, and link it to the person."""
    checked = require(actor, "profile.view_own")
    person = session.get(Person, checked.person_id) if checked.person_id else None
    if person is None:
        raise NotFound("未找到您的个人信息")
    source = staged_path(checked.account_id, token)
    if source is None:
        raise ValidationFailed("photo", "请先上传照片")
    try:
        zoom_f, cx, cy = float(zoom), float(center_x), float(center_y)
    except (TypeError, ValueError):
        raise ValidationFailed("photo", "裁剪参数无效") from None
    with Image.open(source) as image:
        box = crop_box(image.width, image.height, zoom_f, cx, cy)
        cropped = (
            image.convert("RGB")
            .crop((box.left, box.top, box.left + box.width, box.top + box.height))
            .resize(PHOTO_SIZE, Image.Resampling.LANCZOS)
        )
    key = f"photos/{secrets.token_urlsafe(16)}.jpg"
    target = _root() / key
    target.parent.mkdir(parents=True, exist_ok=True)
    cropped.save(target, "JPEG", quality=90)
    old_key = person.photo_key
    person.photo_key = key
    person.updated_at = utcnow()
    session.add(person)
    session.commit()
    source.unlink(missing_ok=True)
    if old_key and old_key != key:
        (_root() / old_key).unlink(missing_ok=True)
    return key


def photo_path(key: str | None) -> Path | None:
    """Where a stored photo lives (None if absent)."""
    if not key or ".." in key or not key.startswith("photos/"):
        return None
    path = _root() / key
    return path if path.is_file() else None
