"""ASGI middleware adding security headers to every HTTP response of the portal."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ahportal.settings import get_settings

# The compiled React app runs inline bootstrap scripts and Radix/emotion inline styles, so
# those two need 'unsafe-inline'; everything else is locked to the portal's own origin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
# Sent whenever the portal's base URL is https (any mode): browsers then refuse plain http.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
_HTML_ONLY = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeadersMiddleware:
    """Adds nosniff and referrer policy everywhere, CSP and frame protection to HTML."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in {h for h, _ in _ALWAYS + _HTML_ONLY}
                ]
                content_type = dict(headers).get(b"content-type", b"")
                headers.extend(_ALWAYS)
                if get_settings().https:
                    headers.append(HSTS)
                if content_type.startswith(b"text/html") or not content_type:
                    headers.extend(_HTML_ONLY)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
