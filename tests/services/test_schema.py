"""Migrations and models agree; reference and demo data load idempotently."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

import ahportal.models  # noqa: F401
from ahportal.db import get_engine
from ahportal.models import (
    Account,
    Division,
    DivisionLevel,
    Organization,
    OrgKind,
    TitleLevel,
    TitleSeries,
    UnitNature,
)
from ahportal.seeding import seed_demo
from ahportal.services.reference import division_names, load_reference_data


def test_migrations_match_models(db_url):
    with get_engine().connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_divisions_loaded_as_tree(session):
    assert session.exec(select(func.count()).select_from(Division)).one() == 136
    province = session.get(Division, "340000")
    assert province.level is DivisionLevel.PROVINCE and province.parent_code is None
    cities = session.exec(select(Division).where(col(Division.level) == DivisionLevel.CITY)).all()
    assert len(cities) == 16
    assert division_names(session)["340123"] == "安徽省合肥市肥西县"


def test_dictionaries_loaded(session):
    levels = [lvl.name for lvl in session.exec(select(TitleLevel).order_by(col(TitleLevel.rank)))]
    assert levels == ["正高级", "副高级", "中级", "助理级", "员级"]
    natures = {n.name for n in session.exec(select(UnitNature))}
    assert natures == {
        "机关",
        "事业单位",
        "国有企业",
        "集体企业",
        "民营企业",
        "外资企业",
        "社会团体",
        "民办非企业单位",
        "其他",
    }
    public = session.exec(select(UnitNature).where(col(UnitNature.is_public_institution))).one()
    assert public.name == "事业单位"
    assert session.exec(select(TitleSeries).where(col(TitleSeries.name) == "卫生")).one()


def test_reference_reload_keeps_operations_edits(session):
    series = session.exec(select(TitleSeries).where(col(TitleSeries.code) == "health")).one()
    series.name = "卫生技术"
    session.add(series)
    session.commit()
    assert load_reference_data(session) == 0
    session.refresh(series)
    assert series.name == "卫生技术"


def test_demo_seed_is_idempotent(session):
    before = session.exec(select(func.count()).select_from(Account)).one()
    seed_demo(session)
    assert session.exec(select(func.count()).select_from(Account)).one() == before


def test_demo_has_every_kind_of_organisation(session):
    kinds = {o.kind for o in session.exec(select(Organization))}
    assert kinds == set(OrgKind)
    bureaus = session.exec(select(Organization).where(col(Organization.kind) == OrgKind.HR_BUREAU))
    levels = [b.hr_level.value for b in bureaus]
    assert (
        levels.count("province") == 1 and levels.count("city") == 16 and levels.count("county") >= 3
    )
    # Seed 002 三.1: 蜀山区教体局 is both a competent department and a unit.
    names = {(o.kind, o.name) for o in session.exec(select(Organization))}
    assert (OrgKind.DEPARTMENT, "蜀山区教育体育局") in names
    assert (OrgKind.UNIT, "蜀山区教育体育局") in names
