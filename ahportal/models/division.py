"""Administrative divisions of Anhui (属地): province, cities, counties and zones."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Field, SQLModel

from ahportal.models.base import enum_field


class DivisionLevel(StrEnum):
    """Level of a division in the 安徽省 → 市 → 县/区 tree."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class Division(SQLModel, table=True):
    """One division with its six-digit code; parent_code links the tree."""

    __tablename__ = "division"

    code: str = Field(primary_key=True, max_length=6)
    name: str = Field(max_length=64)
    parent_code: str | None = Field(
        default=None, foreign_key="division.code", index=True, max_length=6
    )
    level: DivisionLevel = enum_field(DivisionLevel)
    sort_order: int = Field(default=0)


def territory_prefix(code: str, level: DivisionLevel) -> str:
    """The code prefix every division inside a territory shares (34 / 3401 / 340102)."""
    if level is DivisionLevel.PROVINCE:
        return code[:2]
    if level is DivisionLevel.CITY:
        return code[:4]
    return code


def is_within(code: str | None, territory_code: str, territory_level: DivisionLevel) -> bool:
    """Whether division `code` lies inside the territory (inclusive)."""
    if not code:
        return False
    return code.startswith(territory_prefix(territory_code, territory_level))
