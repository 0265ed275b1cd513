"""Reference dictionaries that operations keep: unit natures, title series, levels, specialties."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class UnitNature(SQLModel, table=True):
    """单位性质: 机关, 事业单位, 国有企业, … (is_public_institution marks 事业单位)."""

    __tablename__ = "unit_nature"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=64, unique=True)
    is_public_institution: bool = Field(default=False)
    sort_order: int = Field(default=0)
    active: bool = Field(default=True)


class TitleSeries(SQLModel, table=True):
    """职称系列: e.g. 卫生系列, 中小学教师系列."""

    __tablename__ = "title_series"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=64, unique=True)
    sort_order: int = Field(default=0)
    active: bool = Field(default=True)


class TitleLevel(SQLModel, table=True):
    """职称级别: 正高级, 副高级, 中级, 助理级, 员级 (rank 1 is highest)."""

    __tablename__ = "title_level"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=32, unique=True)
    rank: int = Field(ge=1)
    active: bool = Field(default=True)


class Specialty(SQLModel, table=True):
    """专业 within a title series."""

    __tablename__ = "specialty"
    __table_args__ = (UniqueConstraint("series_id", "code", name="uq_specialty_series_code"),)

    id: int | None = Field(default=None, primary_key=True)
    series_id: int = Field(foreign_key="title_series.id", index=True)
    code: str = Field(max_length=32)
    name: str = Field(max_length=64)
    sort_order: int = Field(default=0)
    active: bool = Field(default=True)
