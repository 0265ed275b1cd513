"""Masking of personal data for lists and exports."""

from __future__ import annotations


def mask_id_number(id_number: str | None) -> str:
    """Show the first 3 and last 4 characters of an ID number: 340***********1234."""
    if not id_number:
        return ""
    if len(id_number) <= 7:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def mask_keyword(keyword: object) -> str:
    """A person search's keyword as an export's title row or the operation log may show it:
    with digits in it, it may be (part of) an ID number, so it is masked like one."""
    text = str(keyword or "").strip()
    return mask_id_number(text) if any(ch.isdigit() for ch in text) else text
