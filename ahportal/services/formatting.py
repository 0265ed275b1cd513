"""Small helpers every service shares: China time for display, and safe LIKE patterns."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def local_time(value: datetime | None) -> str:
    """YYYY-MM-DD HH:MM in China time ("" for none)."""
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if value else ""


def like_pattern(keyword: str) -> str:
    """A LIKE pattern (escape "\\") matching the keyword anywhere, % and _ taken literally."""
    escaped = keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
