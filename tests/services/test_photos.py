"""The ID photo: checked by content and size, cropped to 5:7, stored 295×413, private."""

from __future__ import annotations

import io

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
