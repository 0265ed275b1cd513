"""The ID photo: checked by content and size, cropped to 5:7, stored 295×413, private."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from PIL import Image

from ahportal.models import Person
from ahportal.services import photos
from ahportal.services.errors import NotSignedIn, PermissionDenied, ValidationFailed
from ahportal.services.sessions import SESSION_COOKIE, start_session


def _image(fmt: str = "JPEG", size=(600, 800), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def test_crop_box_keeps_ratio_and_stays_inside():
    for width, height in ((600, 800), (1000, 500), (300, 420)):
        for zoom in (1.0, 2.0, 4.0):
            for cx, cy in ((0, 0), (0.5, 0.5), (1, 1)):
                box = photos.crop_box(width, height, zoom, cx, cy)
                assert abs(box.width / box.height - 5 / 7) < 0.02
                assert box.left >= 0 and box.left + box.width <= width
                assert box.top >= 0 and box.top + box.height <= height


def test_upload_crop_and_store(session, actor_for):
    actor = actor_for("李明")
    staged = photos.stage_photo(actor=actor, data=_image("PNG"))
    assert staged["width"] == 600
    key = photos.save_photo(
        session, actor=actor, token=str(staged["token"]), zoom=1.5, center_x=0.5, center_y=0.4
    )
    stored = photos.photo_path(key)
    with Image.open(stored) as image:
        assert image.size == photos.PHOTO_SIZE and image.format == "JPEG"
    assert session.get(Person, actor.person_id).photo_key == key
    assert photos.staged_path(actor.account_id, str(staged["token"])) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "请选择"),
        (b"%PDF-1.4 not an image" * 10, "不是有效"),
        (b"GIF89a" + b"\x00" * 100, "不是有效"),
    ],
)
def test_bad_uploads_are_refused_by_content(actor_for, data, message):
    with pytest.raises(ValidationFailed) as exc:
        photos.stage_photo(actor=actor_for("李明"), data=data)
    assert exc.value.field == "photo" and message in exc.value.message


def test_gif_with_image_extension_is_refused(actor_for):
    buffer = io.BytesIO()
    Image.new("RGB", (400, 600)).save(buffer, "GIF")
    with pytest.raises(ValidationFailed) as exc:
        photos.stage_photo(actor=actor_for("李明"), data=buffer.getvalue())
    assert "JPG 或 PNG" in exc.value.message


def test_too_small_and_too_large(actor_for):
    with pytest.raises(ValidationFailed, match="分辨率过低"):
        photos.stage_photo(actor=actor_for("李明"), data=_image(size=(100, 100)))
    with pytest.raises(ValidationFailed, match="MB"):
        photos.stage_photo(actor=actor_for("李明"), data=b"\xff" * (6 * 1024 * 1024))


def test_other_roles_cannot_upload(session, actor_for):
    with pytest.raises(NotSignedIn):
        photos.stage_photo(actor=None, data=_image())
    for name in ("合肥宏景软件有限公司", "hr-340100", "ops"):
        with pytest.raises(PermissionDenied):
            photos.stage_photo(actor=actor_for(name), data=_image())


def test_someone_elses_staged_token_is_useless(session, actor_for):
    staged = photos.stage_photo(actor=actor_for("李明"), data=_image())
    with pytest.raises(ValidationFailed, match="请先上传"):
        photos.save_photo(
            session,
            actor=actor_for("王芳"),
            token=str(staged["token"]),
            zoom=1,
            center_x=0.5,
            center_y=0.5,
        )
    assert photos.staged_path(actor_for("王芳").account_id, "../../etc/passwd") is None


async def test_photo_download_checks_who_asks(session, actor_for):
    from ahportal.auth.routes import build_auth_app
    from ahportal.models import Account

    li = actor_for("李明")
    staged = photos.stage_photo(actor=li, data=_image())
    photos.save_photo(
        session, actor=li, token=str(staged["token"]), zoom=1, center_x=0.5, center_y=0.5
    )

    def cookie(name):
        account = session.get(Account, actor_for(name).account_id)
        return {"cookie": f"{SESSION_COOKIE}={start_session(session, account=account)}"}

    app = build_auth_app()
    url = f"/files/photo/{li.person_id}"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        own = await client.get(url, headers=cookie("李明"))
        assert own.status_code == 200 and own.headers["content-type"] == "image/jpeg"
        assert "no-store" in own.headers["cache-control"]
        assert (await client.get(url, headers=cookie("安徽省立医院"))).status_code == 200
        assert (await client.get(url, headers=cookie("hr-340000"))).status_code == 200
        for outsider in ("王芳", "合肥市第一人民医院", "hr-340100", "ops"):
            assert (await client.get(url, headers=cookie(outsider))).status_code == 404
        assert (await client.get(url)).status_code == 404


def _staged_files(actor) -> list:
    folder = photos._pending_dir(actor.account_id)
    return sorted(folder.glob("*")) if folder.exists() else []


def test_size_messages_state_the_limit(actor_for):
    assert "5 MB" in photos.no_photo_message() and "请选择" in photos.no_photo_message()
    assert "5 MB" in photos.photo_rules_message()
    with pytest.raises(ValidationFailed) as exc:
        photos.stage_photo(actor=actor_for("李明"), data=b"")
    assert exc.value.message == photos.no_photo_message()
    with pytest.raises(ValidationFailed) as exc:
        photos.stage_photo(actor=actor_for("李明"), data=_image() + b"\0" * (5 * 1024 * 1024))
    assert "不能超过 5 MB" in exc.value.message


def test_lower_upload_cap_lowers_the_photo_limit(actor_for, monkeypatch):
    from ahportal.settings import get_settings

    monkeypatch.setenv("AHPORTAL_UPLOAD_MAX_MB", "2")
    get_settings.cache_clear()
    assert "不超过 2 MB" in photos.no_photo_message()
    with pytest.raises(ValidationFailed, match="不能超过 2 MB"):
        photos.stage_photo(actor=actor_for("李明"), data=_image() + b"\0" * (2 * 1024 * 1024))


@pytest.mark.parametrize("size", [(7000, 7000), (20000, 20000)])
def test_decompression_bombs_are_refused_before_decoding(actor_for, size):
    # A 1-bit PNG of 400 M pixels is 48 KB on disk; Pillow's own default would let it through
    # (7000²) or raise an unhandled DecompressionBombError (20000²).
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 100_000
    li = actor_for("李明")
    with pytest.raises(ValidationFailed) as exc:
        photos.stage_photo(actor=li, data=buffer.getvalue())
    assert exc.value.message == photos.TOO_MANY_PIXELS
    assert _staged_files(li) == []
    assert Image.MAX_IMAGE_PIXELS == photos.MAX_PIXELS


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_image_is_refused_and_nothing_is_staged(actor_for, fmt):
    data = _image(fmt, size=(800, 1000))
    li = actor_for("李明")
    for cut in (0.6, 0.95):
        with pytest.raises(ValidationFailed) as exc:
            photos.stage_photo(actor=li, data=data[: int(len(data) * cut)])
        assert exc.value.message == photos.BROKEN_IMAGE
    assert _staged_files(li) == []


def test_a_staged_file_that_fails_to_decode_is_dropped(session, actor_for):
    li = actor_for("李明")
    staged = photos.stage_photo(actor=li, data=_image("JPEG"))
    path = photos.staged_path(li.account_id, str(staged["token"]))
    path.write_bytes(path.read_bytes()[:400])  # damaged on disk after the upload check
    with pytest.raises(ValidationFailed) as exc:
        photos.save_photo(
            session, actor=li, token=str(staged["token"]), zoom=1, center_x=0.5, center_y=0.5
        )
    assert exc.value.message == photos.BROKEN_IMAGE
    assert _staged_files(li) == []
    assert session.get(Person, li.person_id).photo_key is None


def test_crop_parameters_must_be_finite(session, actor_for):
    li = actor_for("李明")
    staged = photos.stage_photo(actor=li, data=_image())
    for bad in ("nan", "x", None):
        with pytest.raises(ValidationFailed, match="裁剪参数无效"):
            photos.save_photo(
                session, actor=li, token=str(staged["token"]), zoom=bad, center_x=0.5, center_y=0.5
            )


def _halves(mode: str, size=(1400, 1960)) -> Image.Image:
    """Left half dark red, right half blue (with alpha modes: right half transparent)."""
    image = Image.new("RGBA", size, (160, 20, 20, 255))
    image.paste((20, 40, 200, 0 if mode in ("RGBA", "LA") else 255), (size[0] // 2, 0, *size))
    if mode == "P":
        return image.convert("RGB").quantize(8)
    return image if mode == "RGBA" else image.convert(mode)


@pytest.mark.parametrize(
    ("fmt", "mode"), [("JPEG", "RGB"), ("JPEG", "L"), ("PNG", "RGB"), ("PNG", "RGBA"), ("PNG", "P")]
)
def test_rendered_photo_shows_the_chosen_crop(session, actor_for, fmt, mode):
    buffer = io.BytesIO()
    _halves(mode).save(buffer, fmt)
    li = actor_for("李明")
    staged = photos.stage_photo(actor=li, data=buffer.getvalue())
    key = photos.save_photo(
        session, actor=li, token=str(staged["token"]), zoom=2, center_x=0.5, center_y=0.5
    )
    with Image.open(photos.photo_path(key)) as photo:
        assert photo.size == photos.PHOTO_SIZE and photo.mode == "RGB"
        left, right = photo.getpixel((40, 200)), photo.getpixel((255, 200))
    if mode == "L":
        assert left[0] < 80 and right[0] < 80 and abs(left[0] - right[0]) > 5
    else:
        assert left[0] > 120 and left[2] < 70  # red on the left
        if mode == "RGBA":
            assert min(right) > 235  # transparency becomes white, not black
        else:
            assert right[2] > 150 and right[0] < 70  # blue on the right


_MEASURE = """
import sys
from pathlib import Path
from sqlmodel import select
from ahportal.db import session_scope
from ahportal.models import Account
from ahportal.services import photos
from ahportal.services.permissions import actor_for_account

def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

data = Path(sys.argv[1]).read_bytes()
with session_scope() as session:
    account = session.exec(select(Account).where(Account.display_name == "李明")).one()
    actor = actor_for_account(session, account)
    Path("/proc/self/clear_refs").write_text("5")
    base = status("VmRSS")
    staged = photos.stage_photo(actor=actor, data=data)
    stage_peak = status("VmHWM") - base
    Path("/proc/self/clear_refs").write_text("5")
    base = status("VmRSS")
    photos.save_photo(
        session, actor=actor, token=str(staged["token"]), zoom=1, center_x=0.5, center_y=0.5
    )
    print(stage_peak, status("VmHWM") - base)
"""


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(("fmt", "budget_mb"), [("JPEG", 40), ("PNG", 200)])
def test_big_small_file_is_decoded_at_the_size_it_needs(db_url, tmp_path, fmt, budget_mb):
    """6000×6600 in a ~100 KB file: saving used to peak at +420 MB (full decode, RGB copy,
    full-size crop); now a JPEG is decoded at 1/8 scale and a PNG once, with no copies.
    The upload check never decodes a PNG and decodes a JPEG at 1/8 scale."""
    source = tmp_path / f"big.{fmt.lower()}"
    _halves("RGB", size=(6000, 6600)).save(source, fmt)
    assert source.stat().st_size < 1024 * 1024
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(source)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    stage_mb, save_mb = map(float, result.stdout.strip().splitlines()[-1].split())
    assert stage_mb < 20, f"checking the upload peaked at +{stage_mb:.0f} MB"
    assert save_mb < budget_mb, f"saving the photo peaked at +{save_mb:.0f} MB"


@pytest.mark.parametrize(
    "person_id", ["99999999999999999999", str(2**31), str(2**63), "0", "00", "-1", "１"]
)
async def test_photo_ids_the_database_cannot_hold_are_not_found(session, actor_for, person_id):
    from ahportal.auth.routes import build_auth_app
    from ahportal.models import Account

    account = session.get(Account, actor_for("hr-340000").account_id)
    headers = {"cookie": f"{SESSION_COOKIE}={start_session(session, account=account)}"}
    transport = httpx.ASGITransport(app=build_auth_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get(f"/files/photo/{person_id}", headers=headers)
    assert response.status_code == 404
    assert "no-store" in response.headers["cache-control"]


def test_exif_orientation_is_applied_like_the_browser_does(session, actor_for):
    """A phone portrait stored turned (orientation 6): the size reported for the preview and
    the saved photo are both the upright picture."""
    raw = Image.new("RGB", (1960, 1400), (160, 20, 20))  # stored landscape: top red
    raw.paste((20, 40, 200), (0, 700, 1960, 1400))  # bottom blue
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned 90° clockwise: the bottom (blue) ends up on the left
    buffer = io.BytesIO()
    raw.save(buffer, "JPEG", exif=exif)
    li = actor_for("李明")
    staged = photos.stage_photo(actor=li, data=buffer.getvalue())
    assert (staged["width"], staged["height"]) == (1400, 1960)
    key = photos.save_photo(
        session, actor=li, token=str(staged["token"]), zoom=1, center_x=0.5, center_y=0.5
    )
    with Image.open(photos.photo_path(key)) as photo:
        assert photo.size == photos.PHOTO_SIZE
        left, right = photo.getpixel((30, 200)), photo.getpixel((265, 200))
    assert left[2] > 150 and left[0] < 70, left  # blue on the left
    assert right[0] > 120 and right[2] < 70, right  # red on the right
