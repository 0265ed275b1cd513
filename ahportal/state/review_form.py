"""导出申报信息: the review form PDF as a download, for the applicant and the audit dialog."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from ahportal.db import session_scope
from ahportal.services import review_form, validation
from ahportal.services.errors import DomainError
from ahportal.services.permissions import Actor
from ahportal.state.base import PortalState
from ahportal.state.notice import notify

PDF = "application/pdf"


def _build(resolve: Callable[[Session], Actor | None], declaration_id: object) -> tuple[str, bytes]:
    """Check and build in a worker thread (font work takes ~0.1 s of CPU)."""
    with session_scope() as session:
        actor = resolve(session)
        data = review_form.build_review_form(session, actor=actor, declaration_id=declaration_id)
        ident = validation.record_id(declaration_id, "申报记录")  # checked by the build
        return review_form.download_name(session, ident), data


class ReviewFormState(PortalState):
    """One handler: the wiring lives on the pages that show 导出申报信息."""

    @rx.event
    async def export(self, declaration_id: int):  # type: ignore[no-untyped-def]
        try:
            filename, data = await asyncio.to_thread(_build, self._actor, declaration_id)
        except DomainError as exc:
            return notify.error(exc.message)
        return rx.download(data=data, filename=filename, mime_type=PDF)
