"""The audit chain of a plan resolved for units in the province, a city and a county, with
and without a department, and for a county the province administers directly."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from ahportal.models import HrLevel, Organization, OrgKind, OrgStatus, utcnow
from ahportal.services.audit_chain import AuditLevel, clean_levels, resolve_chain
from ahportal.services.errors import ValidationFailed
from tests.factories import make_unit, unit_named

ALL = list(AuditLevel)


def _org(session, kind: OrgKind, name: str) -> Organization:
    return session.exec(
        select(Organization).where(col(Organization.kind) == kind, col(Organization.name) == name)
    ).one()


def _committee(session) -> int:
    return session.exec(
        select(Organization.id).where(col(Organization.kind) == OrgKind.COMMITTEE_ORGANIZER)
    ).first()


def _names(steps) -> list[tuple[str, str]]:
    return [(step.level.value, step.org_name) for step in steps]


def test_a_provincial_unit_skips_the_county_and_city_bureaus(session):
    unit = unit_named(session, "安徽省立医院")
    steps = resolve_chain(session, unit, ALL, _committee(session))
    assert [s.level for s in steps] == [
        AuditLevel.UNIT,
        AuditLevel.DEPARTMENT,
        AuditLevel.PROVINCE_HR,
        AuditLevel.COMMITTEE,
    ]
    assert steps[1].org_name == "安徽省卫生健康委员会"
    assert steps[2].org_name == "安徽省人力资源和社会保障厅"


def test_a_city_unit_goes_through_its_city_bureau(session):
    unit = unit_named(session, "合肥市第一人民医院")
    steps = resolve_chain(session, unit, ALL, _committee(session))
    assert _names(steps)[:4] == [
        ("unit", "合肥市第一人民医院"),
        ("department", "合肥市卫生健康委员会"),
        ("city_hr", "合肥市人力资源和社会保障局"),
        ("province_hr", "安徽省人力资源和社会保障厅"),
    ]


def test_a_county_unit_goes_through_county_then_city(session):
    unit = unit_named(session, "希望小学")
    steps = resolve_chain(session, unit, ALL, _committee(session))
    assert [s.level.value for s in steps] == [
        "unit",
        "department",
        "county_hr",
        "city_hr",
        "province_hr",
        "committee",
    ]
    assert steps[2].org_id == _bureau_id(session, "340104")


def test_a_unit_without_department_skips_that_level(session):
    unit = unit_named(session, "安徽肥西建设投资集团有限公司")
    steps = resolve_chain(session, unit, ALL, _committee(session))
    assert [s.level.value for s in steps] == [
        "unit",
        "county_hr",
        "city_hr",
        "province_hr",
        "committee",
    ]


def test_the_plan_chooses_levels_and_the_committee_is_always_last(session):
    unit = unit_named(session, "希望小学")
    chosen = [AuditLevel.CITY_HR, AuditLevel.UNIT]  # any order in, the canonical order out
    steps = resolve_chain(session, unit, chosen, _committee(session))
    assert [s.level.value for s in steps] == ["unit", "city_hr", "committee"]
    assert clean_levels(["committee", "unit"]) == (AuditLevel.UNIT, AuditLevel.COMMITTEE)
    with pytest.raises(ValidationFailed):
        clean_levels(["unit", "mayor"])
    with pytest.raises(ValidationFailed):
        clean_levels("unit")


def test_a_county_the_province_administers_skips_the_city(session):
    """广德市 reports to the province directly: county bureau, then the province."""
    now = utcnow()
    session.add(
        Organization(
            kind=OrgKind.HR_BUREAU,
            name="广德市人力资源和社会保障局",
            division_code="341882",
            hr_level=HrLevel.COUNTY,
            status=OrgStatus.ACTIVE,
            created_at=now,
            updated_at=now,
        )
    )
    session.commit()
    admin = make_unit(session, division_code="341882")
    unit = session.get(Organization, admin.org_id)
    steps = resolve_chain(session, unit, ALL, _committee(session))
    assert [s.level.value for s in steps] == ["unit", "county_hr", "province_hr", "committee"]


def test_a_level_that_applies_but_has_no_organisation_is_an_error(session):
    """A 宣城 county unit: the county bureau has no account, so nothing may pass it."""
    admin = make_unit(session, division_code="341821")
    unit = session.get(Organization, admin.org_id)
    with pytest.raises(ValidationFailed) as refused:
        resolve_chain(session, unit, ALL, _committee(session))
    assert "县（市、区）的人社部门尚未开通" in refused.value.message
    # Without the county level the same unit resolves (city, province, committee).
    steps = resolve_chain(
        session, unit, [AuditLevel.UNIT, AuditLevel.PROVINCE_HR], _committee(session)
    )
    assert [s.level.value for s in steps] == ["unit", "province_hr", "committee"]


def test_the_committee_must_be_a_committee_organizer(session):
    unit = unit_named(session, "希望小学")
    not_a_committee = _bureau_id(session, "340104")
    with pytest.raises(ValidationFailed):
        resolve_chain(session, unit, [AuditLevel.UNIT], not_a_committee)


def _bureau_id(session, code: str) -> int:
    return session.exec(
        select(Organization.id).where(
            col(Organization.kind) == OrgKind.HR_BUREAU, col(Organization.division_code) == code
        )
    ).one()
