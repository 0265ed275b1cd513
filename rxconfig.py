"""Reflex configuration: ports, origin, plugins and scale settings come from ahportal.settings."""

import os

import reflex as rx
from reflex.constants import StateManagerMode
from reflex_base.plugins.sitemap import SitemapPlugin

from ahportal.settings import get_settings

_settings = get_settings()
_port = int(os.environ.get("AHPORTAL_PORT", "3000"))

config = rx.Config(
    app_name="ahportal",
    frontend_port=_port,
    backend_port=int(os.environ.get("AHPORTAL_BACKEND_PORT", "8000")),
    # The portal is reached at its own origin; the default "*" would also switch off the
    # websocket origin check.
    cors_allowed_origins=[_settings.base_url],
    telemetry_enabled=False,
    show_built_with_reflex=False,
    redis_url=_settings.redis_url,
    # One process keeps tab state in memory: Reflex's default (disk) pickles every changed
    # state, personal data shown in dialogs included, into .states/ on every event, which
    # costs a quarter of an audit dialog's server time. With Redis, Reflex uses Redis.
    **({} if _settings.redis_url else {"state_manager_mode": StateManagerMode.MEMORY}),
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium"))],
    disable_plugins=[SitemapPlugin],
)
