"""Private file downloads: each checks the session cookie and who may see the file."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from ahportal.db import session_scope
from ahportal.models import Organization, Person
from ahportal.services import declaration_files, leaders, library, quotas
from ahportal.services.errors import ValidationFailed
from ahportal.services.permissions import can_see_person
from ahportal.services.photos import photo_path, staged_path
from ahportal.services.sessions import resolve_actor, token_from_cookie_header
from ahportal.services.validation import record_id

_PRIVATE = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _photo_file(cookie: str | None, person_id: str) -> str | None:
    try:
        number = record_id(person_id, "人员")  # a number the database cannot hold is unknown
    except ValidationFailed:
        return None
    with session_scope() as session:
        actor = resolve_actor(session, token_from_cookie_header(cookie))
        person = session.get(Person, number)
        if actor is None or person is None:
            return None
        unit = session.get(Organization, person.unit_id) if person.unit_id else None
        if not can_see_person(actor, person, unit):
            return None
        path = photo_path(person.photo_key)
        return str(path) if path else None


def _staged_file(cookie: str | None, token: str) -> str | None:
    with session_scope() as session:
        actor = resolve_actor(session, token_from_cookie_header(cookie))
    if actor is None:
        return None
    path = staged_path(actor.account_id, token)
    return str(path) if path else None


async def person_photo(request: Request) -> Response:
    """GET /files/photo/{person_id}: the cropped ID photo."""
    path = await run_in_threadpool(
        _photo_file, request.headers.get("cookie"), request.path_params["person_id"]
    )
    if path is None:
        return Response("未找到文件或无权查看", status_code=404, headers=_PRIVATE)
    return FileResponse(path, media_type="image/jpeg", headers=_PRIVATE)


async def staged_photo(request: Request) -> Response:
    """GET /files/staged/{token}: the account's own uploaded original, while cropping."""
    path = await run_in_threadpool(
        _staged_file, request.headers.get("cookie"), request.path_params["token"]
    )
    if path is None:
        return Response("未找到文件或无权查看", status_code=404, headers=_PRIVATE)
    media = "image/png" if path.endswith(".png") else "image/jpeg"
    return FileResponse(path, media_type=media, headers=_PRIVATE)


def _attachment_file(cookie: str | None, attachment_id: str) -> tuple[str, str, str] | None:
    with session_scope() as session:
        actor = resolve_actor(session, token_from_cookie_header(cookie))
        return library.attachment_for(session, actor, attachment_id)


async def library_attachment(request: Request) -> Response:
    """GET /files/attachment/{id}: a library entry's proof file, for its person and unit."""
    found = await run_in_threadpool(
        _attachment_file, request.headers.get("cookie"), request.path_params["attachment_id"]
    )
    if found is None:
        return Response("未找到文件或无权查看", status_code=404, headers=_PRIVATE)
    path, filename, media = found
    return FileResponse(
        path,
        media_type=media,
        filename=filename,
        content_disposition_type="inline",
        headers={**_PRIVATE, "Content-Security-Policy": "default-src 'none'; sandbox"},
    )


def _declaration_file(cookie: str | None, params: dict[str, str]) -> tuple[str, str, str] | None:
    with session_scope() as session:
        actor = resolve_actor(session, token_from_cookie_header(cookie))
        if "material_id" in params:
            return declaration_files.material_file_for(
                session, actor, params["material_id"], params["index"]
            )
        return declaration_files.attachment_for(session, actor, params["file_id"])


async def declaration_file(request: Request) -> Response:
    """GET /files/declaration-attachment/{file_id} (申报附件, 单位相关证明材料) and
    /files/declaration-material/{material_id}/{index} (a material snapshot's proof file):
    for the applicant and the organisations that have held the declaration."""
    found = await run_in_threadpool(
        _declaration_file, request.headers.get("cookie"), dict(request.path_params)
    )
    if found is None:
        return Response("未找到文件或无权查看", status_code=404, headers=_PRIVATE)
    path, filename, media = found
    return FileResponse(
        path,
        media_type=media,
        filename=filename,
        content_disposition_type="inline",
        headers={**_PRIVATE, "Content-Security-Policy": "default-src 'none'; sandbox"},
    )


def _recommendation_file(cookie: str | None, declaration_id: str) -> tuple[str, str] | None:
    with session_scope() as session:
        actor = resolve_actor(session, token_from_cookie_header(cookie))
        found = leaders.recommendation_for(session, actor, declaration_id)
    return (found[0], str(found[1])) if found else None


async def leader_recommendation(request: Request) -> Response:
    """GET /files/leader-recommendation/{declaration_id}: the unit's stamped 情况登记表 (单位
    推荐意见), for the organisations that have held the case."""
    found = await run_in_threadpool(
        _recommendation_file,
        request.headers.get("cookie"),
        request.path_params["declaration_id"],
    )
    if found is None:
        return Response("未找到文件或无权查看", status_code=404, headers=_PRIVATE)
    filename, path = found
    return FileResponse(
        path,
        media_type="application/pdf",
        filename=filename,
        content_disposition_type="inline",
        headers={**_PRIVATE, "Content-Security-Policy": "default-src 'none'; sandbox"},
    )


def _quota_form_file(cookie: str | None, unit_id: str, year: str) -> tuple[str, str] | None:
    with session_scope() as session:
        actor = resolve_actor(session, token_from_cookie_header(cookie))
        return quotas.quota_form_for(session, actor, unit_id, year)


async def quota_form(request: Request) -> Response:
    """GET /files/quota-form/{unit_id}/{year}: a unit's stamped 岗位核准表, for the unit and
    the departments and HR bureaus whose scope holds it."""
    found = await run_in_threadpool(
        _quota_form_file,
        request.headers.get("cookie"),
        request.path_params["unit_id"],
        request.path_params["year"],
    )
    if found is None:
        return Response("未找到文件或无权查看", status_code=404, headers=_PRIVATE)
    path, filename = found
    return FileResponse(
        path,
        media_type="application/pdf",
        filename=filename,
        content_disposition_type="inline",
        headers={**_PRIVATE, "Content-Security-Policy": "default-src 'none'; sandbox"},
    )


def file_routes() -> list[Route]:
    return [
        Route("/files/attachment/{attachment_id}", library_attachment, methods=["GET"]),
        Route("/files/declaration-attachment/{file_id}", declaration_file, methods=["GET"]),
        Route(
            "/files/declaration-material/{material_id}/{index}", declaration_file, methods=["GET"]
        ),
        Route(
            "/files/leader-recommendation/{declaration_id}",
            leader_recommendation,
            methods=["GET"],
        ),
        Route("/files/photo/{person_id}", person_photo, methods=["GET"]),
        Route("/files/quota-form/{unit_id}/{year}", quota_form, methods=["GET"]),
        Route("/files/staged/{token}", staged_photo, methods=["GET"]),
    ]
