"""The photo upload says the size limit whether the browser or the server refuses the file."""

from __future__ import annotations

import asyncio

from ahportal.services import photos
from ahportal.state.person import ProfileState


def test_refused_or_empty_uploads_state_the_rules(actor_for, as_actor):
    as_actor(actor_for("李明"))
    state = ProfileState(_reflex_internal_init=True)
    ProfileState.event_handlers["photo_rejected"].fn(state, [{"name": "big.jpg"}])
    assert f"{photos.photo_limit_mb()} MB" in state.photo_error
    assert "JPG" in state.photo_error
    # After the browser refuses a file, the upload arrives with none: same rules, not a
    # bare "请选择要上传的照片".
    asyncio.run(ProfileState.event_handlers["upload_photo"].fn(state, []))
    assert f"{photos.photo_limit_mb()} MB" in state.photo_error
