"""The applicant's ID photo: checked by content, size-capped, cropped to 5:7, stored 295×413.

The photo is used later on review forms and the electronic title certificate (seed 002 一.14).
Originals wait under the storage root per account until cropped; nothing goes to Reflex's
public upload folder.
"""

from __future__ import annotations

import io
import math
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session

from ahportal.models import Person, utcnow
from ahportal.services import audit_log
from ahportal.services.errors import NotFound, ValidationFailed
from ahportal.services.permissions import Actor, require
from ahportal.settings import get_settings

PHOTO_SIZE = (295, 413)  # 一寸 at 300 dpi, ratio 5:7
RATIO = PHOTO_SIZE[0] / PHOTO_SIZE[1]
MAX_PHOTO_MB = 5
MAX_PIXELS = 40_000_000  # 4000 万像素: far beyond any ID photo, and bounded decode memory
_FORMATS = {"JPEG": "jpg", "PNG": "png"}
_WHITE = (255, 255, 255)

# Pillow warns above MAX_IMAGE_PIXELS and refuses (DecompressionBombError) above twice it,
# before decoding; its default (89 M pixels) lets a 1 MB PNG decode to gigabytes.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

TOO_MANY_PIXELS = "照片分辨率过高（不能超过 4000 万像素），请缩小后再上传"
BROKEN_IMAGE = "照片文件不完整或已损坏，请重新选择照片"


def _orientation(image: Image.Image) -> int:
    """A JPEG's EXIF orientation (1 = upright; 5 to 8 turn the picture a quarter).

    PNGs count as upright: Pillow would decode the whole image to look for the tag.
    """
    if image.format != "JPEG":
        return 1
    try:
        value = int(image.getexif().get(ExifTags.Base.Orientation, 1))
    except (SyntaxError, ValueError, TypeError, OSError, KeyError):
        return 1
    return value if 1 <= value <= 8 else 1


def photo_limit_mb() -> int:
    """The photo size cap in MB: 5 MB, or less if AHPORTAL_UPLOAD_MAX_MB is lower."""
    return min(MAX_PHOTO_MB, get_settings().upload_max_mb)


def photo_rules_message() -> str:
    """What a photo must be; shown when the browser refuses a file before upload."""
    return f"照片须为 JPG 或 PNG 格式，且不超过 {photo_limit_mb()} MB"


def no_photo_message() -> str:
    """An upload without a file (the browser also sends one when it refused the file)."""
    return f"请选择照片：须为 JPG 或 PNG 格式，且不超过 {photo_limit_mb()} MB"


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
    """Format and pixel size of an upload, refused unless it is a whole JPEG or PNG.

    JPEGs are decoded at 1/8 scale (cheap), so a truncated file is refused here rather
    than when it is cropped; PNGs have every chunk's checksum verified.
    """
    limit_mb = photo_limit_mb()
    if not data:
        raise ValidationFailed("photo", no_photo_message())
    if len(data) > limit_mb * 1024 * 1024:
        raise ValidationFailed("photo", f"照片不能超过 {limit_mb} MB，请压缩后再上传")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            size = probe.size
            if kind in _FORMATS and size[0] * size[1] <= MAX_PIXELS:
                probe.verify()
        if kind in _FORMATS and size[0] * size[1] <= MAX_PIXELS:
            with Image.open(io.BytesIO(data)) as image:
                # Phones store portraits turned; browsers show them upright, and so do we.
                if _orientation(image) >= 5:
                    size = (size[1], size[0])
                if kind == "JPEG":
                    image.draft("RGB", (1, 1))
                    image.load()
    except Image.DecompressionBombError:
        raise ValidationFailed("photo", TOO_MANY_PIXELS) from None
    except UnidentifiedImageError:
        raise ValidationFailed("photo", "文件不是有效的 JPG 或 PNG 图片") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ValidationFailed("photo", BROKEN_IMAGE) from None
    if kind not in _FORMATS:
        raise ValidationFailed("photo", "照片格式须为 JPG 或 PNG")
    if size[0] < 150 or size[1] < 210:
        raise ValidationFailed("photo", "照片分辨率过低，宽至少 150 像素、高至少 210 像素")
    if size[0] * size[1] > MAX_PIXELS:
        raise ValidationFailed("photo", TOO_MANY_PIXELS)
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
    if not all(math.isfinite(v) for v in (zoom_f, cx, cy)):
        raise ValidationFailed("photo", "裁剪参数无效")
    try:
        cropped = render_photo(source, zoom_f, cx, cy)
    except Image.DecompressionBombError:
        source.unlink(missing_ok=True)
        raise ValidationFailed("photo", TOO_MANY_PIXELS) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        source.unlink(missing_ok=True)
        raise ValidationFailed("photo", BROKEN_IMAGE) from None
    key = f"photos/{secrets.token_urlsafe(16)}.jpg"
    target = _root() / key
    target.parent.mkdir(parents=True, exist_ok=True)
    cropped.save(target, "JPEG", quality=90)
    old_key = person.photo_key
    person.photo_key = key
    person.updated_at = utcnow()
    session.add(person)
    audit_log.record(
        session,
        checked,
        "person.photo",
        target_kind="person",
        target_id=person.id,
        detail={"replaced": bool(old_key)},
    )
    session.commit()
    source.unlink(missing_ok=True)
    if old_key and old_key != key:
        (_root() / old_key).unlink(missing_ok=True)
    return key


def render_photo(source: Path, zoom: float, center_x: float, center_y: float) -> Image.Image:
    """The 295×413 RGB photo cut from a staged original, decoded no larger than needed.

    A JPEG is decoded at the smallest 1/2, 1/4 or 1/8 scale that still gives the crop at
    least 295×413 pixels (Image.draft); RGB and grey images are then cut and shrunk in one
    step (resize with a box and a reducing gap), so only the decoded original is ever held
    at full size: no converted, cropped or intermediate full-size copies. EXIF orientation
    is applied, so the photo is cut from the picture as the browser showed it.
    """
    with Image.open(source) as original:
        raw_width, raw_height = original.size
        orientation = _orientation(original)
        # The crop box is in the picture as shown (EXIF orientation applied), like the preview.
        width, height = (raw_height, raw_width) if orientation >= 5 else (raw_width, raw_height)
        box = crop_box(width, height, zoom, center_x, center_y)
        if original.format == "JPEG":
            scale = max(PHOTO_SIZE[0] / box.width, PHOTO_SIZE[1] / box.height)
            original.draft("RGB", (math.ceil(raw_width * scale), math.ceil(raw_height * scale)))
        original.load()
        # Turn the decoded (for JPEG: already reduced) picture upright; a copy only if needed.
        image = ImageOps.exif_transpose(original) if orientation != 1 else original
        sx, sy = image.width / width, image.height / height
        region = (
            box.left * sx,
            box.top * sy,
            (box.left + box.width) * sx,
            (box.top + box.height) * sy,
        )
        if image.mode in ("RGB", "L"):
            small = image.resize(PHOTO_SIZE, Image.Resampling.LANCZOS, box=region, reducing_gap=3.0)
            return small.convert("RGB")
        # Palette, alpha, CMYK, 16-bit: cut first, then convert only the cut.
        left, top, right, bottom = (round(v) for v in region)
        cut = image.crop((left, top, right, bottom))
    if cut.mode in ("RGBA", "LA", "PA") or "transparency" in cut.info:
        rgba = cut.convert("RGBA")
        del cut
        flat = Image.new("RGB", rgba.size, _WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        del rgba
    else:
        flat = cut.convert("RGB")
        del cut
    return flat.resize(PHOTO_SIZE, Image.Resampling.LANCZOS, reducing_gap=3.0)


def photo_path(key: str | None) -> Path | None:
    """Where a stored photo lives (None if absent)."""
    if not key or ".." in key or not key.startswith("photos/"):
        return None
    path = _root() / key
    return path if path.is_file() else None
