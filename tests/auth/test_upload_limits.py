"""Request body caps: real ASGI calls through the portal's own middleware chain.

The app under test is what Reflex builds from `ahportal.ahportal._build_api_transformers()`
(the auth routes mounting the inner API, then the body caps, then the security headers),
around a stand-in for Reflex's API whose `/_upload` parses the multipart form exactly as
Reflex's buffered upload does (`await request.form()`, spooling files to disk). A probe
between the two counts every body byte the inner app receives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ahportal.models import Account
from ahportal.request_limits import MULTIPART_OVERHEAD, OTHER_BODY_MAX, upload_body_max
from ahportal.services.sessions import SESSION_COOKIE, end_session, start_session
from ahportal.settings import get_settings

MB = 1024 * 1024
CHUNK = 64 * 1024


class BodyProbe:
    """Counts the request body bytes that reach the wrapped (inner) app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.received = 0
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.calls += 1

        async def counting() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
            return message

        await self.app(scope, counting, send)


async def _upload(request: Request) -> JSONResponse:
    form = await request.form()
    sizes = [len(await f.read()) for f in form.getlist("files") if not isinstance(f, str)]
    await form.close()
    return JSONResponse({"sizes": sizes})


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse({"size": len(await request.body())})


@pytest.fixture
def portal(db_url, monkeypatch):
    """(the wrapped ASGI app, the probe) with a 1 MB upload cap."""
    monkeypatch.setenv("AHPORTAL_UPLOAD_MAX_MB", "1")
    get_settings.cache_clear()
    from ahportal.ahportal import _build_api_transformers

    inner = Starlette(
        routes=[
            Route("/_upload", _upload, methods=["POST"]),
            Route("/echo", _echo, methods=["POST", "GET"]),
        ]
    )
    probe = BodyProbe(inner)
    app: ASGIApp = probe
    for transformer in _build_api_transformers():  # what rx.App does with api_transformer
        if isinstance(transformer, Starlette):
            transformer.mount("", app)
            app = transformer
        else:
            app = transformer(app)
    return app, probe


@pytest.fixture
def cookie(session, actor_for):
    def make(name: str = "李明") -> dict[str, str]:
        account = session.get(Account, actor_for(name).account_id)
        return {"cookie": f"{SESSION_COOKIE}={start_session(session, account=account)}"}

    return make


def _client(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=30
    )


class Source:
    """A streamed multipart body of `total` bytes (no Content-Length); counts what was pulled."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.produced = 0
        self.boundary = "ahportalboundary"

    async def __aiter__(self) -> AsyncIterator[bytes]:
        head = (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
        ).encode()
        self.produced += len(head)
        yield head
        while self.produced < self.total:
            chunk = b"\xff" * min(CHUNK, self.total - self.produced)
            self.produced += len(chunk)
            yield chunk
        tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.produced += len(tail)
        yield tail

    @property
    def headers(self) -> dict[str, str]:
        return {
            "content-type": f"multipart/form-data; boundary={self.boundary}",
            "reflex-client-token": "t",
            "reflex-event-handler": "h",
        }


def test_the_cap_follows_the_setting(portal):
    assert upload_body_max() == 1 * MB + MULTIPART_OVERHEAD


async def test_an_upload_within_the_cap_goes_through(portal, cookie):
    app, probe = portal
    async with _client(app) as client:
        response = await client.post(
            "/_upload",
            files={"files": ("photo.jpg", b"\xff" * (900 * 1024), "image/jpeg")},
            headers=cookie(),
        )
    assert response.status_code == 200 and response.json() == {"sizes": [900 * 1024]}
    assert probe.received > 900 * 1024


async def test_declared_oversize_is_refused_before_any_byte_is_read(portal, cookie):
    app, probe = portal
    source = Source(1024 * MB)  # "1 GB"
    async with _client(app) as client:
        response = await client.post(
            "/_upload",
            content=source,
            headers={**source.headers, **cookie(), "content-length": str(1024 * MB)},
        )
    assert response.status_code == 413
    assert "不能超过 1 MB" in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert probe.calls == 0 and probe.received == 0
    assert source.produced == 0


async def test_a_streamed_body_is_cut_off_at_the_cap(portal, cookie):
    app, probe = portal
    source = Source(1024 * MB)  # "1 GB", chunked: no Content-Length to check up front
    async with _client(app) as client:
        request = client.build_request(
            "POST", "/_upload", content=source, headers={**source.headers, **cookie()}
        )
        assert "content-length" not in request.headers
        assert request.headers["transfer-encoding"] == "chunked"
        response = await client.send(request)
    assert response.status_code == 413
    assert "不能超过 1 MB" in response.text
    cap = upload_body_max()
    assert probe.calls == 1
    assert probe.received <= cap, f"the upload handler received {probe.received} bytes"
    assert source.produced <= cap + 2 * CHUNK, f"{source.produced} bytes were read"


@pytest.mark.parametrize("who", ["nobody", "garbage", "ended"])
async def test_anonymous_uploads_are_refused_unread(portal, cookie, session, who):
    app, probe = portal
    headers = {}
    if who == "garbage":
        headers = {"cookie": f"{SESSION_COOKIE}=not-a-session"}
    elif who == "ended":
        headers = cookie()
        end_session(session, headers["cookie"].split("=", 1)[1])
    source = Source(1024 * MB)
    async with _client(app) as client:
        response = await client.post(
            "/_upload", content=source, headers={**source.headers, **headers}
        )
        small = await client.post(
            "/_upload", files={"files": ("a.jpg", b"x", "image/jpeg")}, headers=headers
        )
    assert response.status_code == 401 and small.status_code == 401
    assert "登录" in response.text
    assert probe.calls == 0 and probe.received == 0 and source.produced == 0


async def test_other_request_bodies_are_capped_at_one_megabyte(portal, cookie):
    app, probe = portal

    async def body(total: int) -> AsyncIterator[bytes]:
        for _ in range(total // CHUNK):
            yield b"a" * CHUNK

    async with _client(app) as client:
        fine = await client.post("/echo", content=b"a" * (OTHER_BODY_MAX - 1))
        declared = await client.post("/echo", content=b"a" * (OTHER_BODY_MAX + 1))
        before = probe.received
        streamed = await client.post("/echo", content=body(50 * MB))
        get = await client.get("/echo")
    assert fine.status_code == 200 and fine.json() == {"size": OTHER_BODY_MAX - 1}
    assert declared.status_code == 413
    assert streamed.status_code == 413
    assert probe.received - before <= OTHER_BODY_MAX
    assert get.status_code == 200


async def test_a_malformed_content_length_is_refused(portal):
    app, probe = portal
    for value in ("-1", "abc", "9" * 30):
        scope_headers = [(b"content-length", value.encode())]
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/echo",
            "raw_path": b"/echo",
            "root_path": "",
            "query_string": b"",
            "headers": scope_headers,
            "http_version": "1.1",
            "scheme": "http",
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 1),
        }
        await app(scope, receive, send)
        assert sent[0]["status"] == 400
    assert probe.calls == 0
