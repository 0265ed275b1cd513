"""Imports every module that registers a task kind, so the registry is complete."""

from ahportal.services import bindings  # noqa: F401  (registers "binding")
