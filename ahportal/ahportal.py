"""The Reflex app: pages from the route registry, /auth and /dev-idp routes, body caps, headers."""

import logging

import reflex as rx
from reflex.event import EventSpec

from ahportal import log_redaction
from ahportal.components.layout import PORTAL_NAME
from ahportal.components.theme import FONT_STACK
from ahportal.navigation import ROUTES
from ahportal.request_limits import RequestLimitsMiddleware
from ahportal.security_headers import SecurityHeadersMiddleware
from ahportal.state.notice import notify

logger = logging.getLogger("ahportal")
log_redaction.install()


def backend_exception_handler(exception: Exception) -> EventSpec:
    """Log the error on the server; the browser gets a Chinese sentence, never a traceback."""
    logger.exception("unhandled error in an event handler", exc_info=exception)
    return notify.error("系统繁忙，操作未完成，请稍后重试")


def _build_api_transformers() -> list:  # type: ignore[type-arg]
    from ahportal.auth.routes import build_auth_app

    # Applied in order, each wrapping the app so far: Reflex's API (with /_upload) inside the
    # auth routes, then body caps, then headers (so the caps' 413/401 carry them too).
    return [build_auth_app(), RequestLimitsMiddleware, SecurityHeadersMiddleware]


app = rx.App(
    html_lang="zh-CN",
    head_components=[rx.el.meta(name="description", content=PORTAL_NAME)],
    api_transformer=_build_api_transformers(),
    backend_exception_handler=backend_exception_handler,
    style={"font_family": FONT_STACK},
)


async def _warm_import_sandbox() -> None:
    """Start the Excel parser's forkserver once, so the first upload does not wait for it,
    and delete uploads a killed process left waiting for the parser."""
    import asyncio

    from ahportal.io import sandbox, sheets

    await asyncio.to_thread(sheets.remove_stale_spools)
    await asyncio.to_thread(sandbox.warm_up)


app.register_lifespan_task(_warm_import_sandbox)

for route in ROUTES:
    app.add_page(
        route.load(),  # type: ignore[arg-type]
        route=route.path,
        title=f"{route.title} - {PORTAL_NAME}",
        on_load=route.load_events() or None,
    )
