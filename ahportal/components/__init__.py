"""Shared UI: the layout shell, page headers, cards and forms."""
