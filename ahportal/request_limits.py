"""ASGI middleware that refuses oversized request bodies before they are read.

Reflex's upload endpoint (`POST /_upload`) parses the whole multipart body, spooling files to
disk, before any event handler can look at them, and it accepts anyone who sends a client
token header. So this middleware, wrapped around the whole app:

- answers 413 at once when Content-Length exceeds the cap, without reading the body;
- counts the bytes of a body sent without Content-Length (chunked) and stops the request
  with 413 as soon as the running total passes the cap, so nothing beyond the cap reaches
  the app or the disk;
- refuses `POST /_upload` with 401 before reading the body unless the session cookie belongs
  to a signed-in account (the browser sends it: the portal is served on one origin).

Uploads may carry AHPORTAL_UPLOAD_MAX_MB plus a little multipart framing; every other
request body (sign-in forms, the development identity provider) is capped at 1 MB.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UPLOAD_PATHS = ("/_upload",)
MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers, Reflex's bound-args field
OTHER_BODY_MAX = 1024 * 1024


def upload_body_max() -> int:
    """The largest upload request body, in bytes."""
    from ahportal.settings import get_settings

    return get_settings().upload_max_mb * 1024 * 1024 + MULTIPART_OVERHEAD


def is_upload_path(path: str) -> bool:
    return (path.rstrip("/") or "/").endswith(UPLOAD_PATHS)


def _signed_in(cookie: str | None) -> bool:
    from ahportal.db import session_scope
    from ahportal.services.sessions import resolve_actor, token_from_cookie_header

    token = token_from_cookie_header(cookie)
    if not token:
        return False
    with session_scope() as session:
        return resolve_actor(session, token) is not None


class _BodyTooLarge(Exception):
    """Raised into the app from receive() once the body passes the cap."""


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _too_large_text(limit: int) -> str:
    megabytes = max(1, limit // (1024 * 1024))
    return f"上传的内容过大，不能超过 {megabytes} MB"


class RequestLimitsMiddleware:
    """Caps request bodies (413) and refuses anonymous uploads (401) before reading them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = is_upload_path(scope.get("path", ""))
        limit = upload_body_max() if upload else OTHER_BODY_MAX
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit() or len(declared) > 18:
                await _plain(send, 400, "请求格式不正确")
                return
            if int(declared) > limit:
                await _plain(send, 413, _too_large_text(limit))
                return
        if (
            upload
            and scope.get("method") == "POST"
            and not await run_in_threadpool(_signed_in, headers.get("cookie"))
        ):
            await _plain(send, 401, "登录已失效，请重新登录后再上传")
            return

        received = 0
        too_large = False
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                raise _BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if too_large:
                return  # whatever the app answers once its body was cut off is dropped
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not too_large:
                raise
        if too_large and not response_started:
            await _plain(send, 413, _too_large_text(limit))
