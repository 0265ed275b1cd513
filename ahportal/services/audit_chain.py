"""审核层级: the audit chain of a review plan, resolved to real organisations for one unit.

A plan names an ordered choice of levels (用人单位, 主管部门, 县级/市级/省级人社部门,
评委会组建单位). For a declaration the chain is resolved from the applicant's unit: its own
administrator, its competent department, the HR bureaus of its territory, and the plan's
committee organizer, who is always last. A level that does not apply to the unit is skipped
(a provincial unit has no county or city bureau; a unit without a department skips that
level); a level that applies but has no organisation in the portal is an error, never a
silent skip, so no case passes a bureau that should have seen it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from ahportal.models import Division, DivisionLevel, HrLevel, Organization, OrgKind, OrgStatus
from ahportal.services.errors import ValidationFailed


class AuditLevel(StrEnum):
    """One level of an audit chain, in the only order a chain may take them."""

    UNIT = "unit"
    DEPARTMENT = "department"
    COUNTY_HR = "county_hr"
    CITY_HR = "city_hr"
    PROVINCE_HR = "province_hr"
    COMMITTEE = "committee"


LEVEL_LABELS: dict[AuditLevel, str] = {
    AuditLevel.UNIT: "用人单位",
    AuditLevel.DEPARTMENT: "主管部门",
    AuditLevel.COUNTY_HR: "县级人社部门",
    AuditLevel.CITY_HR: "市级人社部门",
    AuditLevel.PROVINCE_HR: "省级人社部门",
    AuditLevel.COMMITTEE: "评委会组建单位",
}
ORDER = list(AuditLevel)
PROVINCE_CODE = "340000"
# 省直管县: their bureaus report to the province directly, like a city's (广德市, 宿松县).
PROVINCE_ADMINISTERED_COUNTIES = frozenset({"341882", "340826"})


@dataclass(frozen=True)
class ChainStep:
    """One resolved level: which organisation audits there."""

    level: AuditLevel
    org_id: int
    org_name: str

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level]


def clean_levels(raw: object) -> tuple[AuditLevel, ...]:
    """A plan's chain from the form: known levels, no repeats, in the canonical order, with
    the committee organizer last whether or not it was ticked."""
    if not isinstance(raw, (list, tuple)):
        raise ValidationFailed("chain", "请选择审核层级")
    chosen: set[AuditLevel] = set()
    for item in raw:
        try:
            chosen.add(AuditLevel(item))
        except ValueError:
            raise ValidationFailed("chain", "审核层级不正确，请从列表中选择") from None
    chosen.add(AuditLevel.COMMITTEE)
    return tuple(level for level in ORDER if level in chosen)


def _bureau(session: Session, division_code: str, level: HrLevel) -> Organization | None:
    return session.exec(
        select(Organization).where(
            col(Organization.kind) == OrgKind.HR_BUREAU,
            col(Organization.division_code) == division_code,
            col(Organization.hr_level) == level,
            col(Organization.status) == OrgStatus.ACTIVE,
        )
    ).first()


def _territory(session: Session, unit: Organization) -> tuple[str | None, str | None]:
    """(county code, city code) of the unit's 属地; None where it sits higher up."""
    code = unit.division_code or ""
    division = session.get(Division, code) if code else None
    if division is None:
        raise ValidationFailed("unit", f"单位“{unit.name}”尚未设置属地，请单位管理员完善单位信息")
    if division.level is DivisionLevel.PROVINCE:
        return None, None
    if division.level is DivisionLevel.CITY:
        return None, division.code
    return division.code, division.parent_code


def resolve_chain(
    session: Session,
    unit: Organization,
    levels: Sequence[AuditLevel],
    committee_org_id: int | None,
) -> list[ChainStep]:
    """The organisations that audit a declaration from this unit, in order (without a
    committee organizer when committee_org_id is None: 学术和技术带头人 ends at the province)."""
    county, city = _territory(session, unit)
    steps: list[ChainStep] = []

    def add(level: AuditLevel, org: Organization | None, missing: str) -> None:
        if org is None or org.id is None:
            raise ValidationFailed("chain", missing)
        if steps and steps[-1].org_id == org.id:
            return  # one organisation holding two adjacent levels audits once
        steps.append(ChainStep(level, org.id, org.name))

    for level in clean_levels(list(levels)):
        if level is AuditLevel.UNIT:
            add(level, unit, "单位不存在")
        elif level is AuditLevel.DEPARTMENT:
            if unit.department_id is not None:
                add(
                    level,
                    session.get(Organization, unit.department_id),
                    "单位的主管部门不存在，请单位管理员完善单位信息",
                )
        elif level is AuditLevel.COUNTY_HR:
            if county is not None:
                add(
                    level,
                    _bureau(session, county, HrLevel.COUNTY),
                    "单位所在县（市、区）的人社部门尚未开通平台账号，暂不能提交，请联系当地人社部门",
                )
        elif level is AuditLevel.CITY_HR:
            if city is not None and county not in PROVINCE_ADMINISTERED_COUNTIES:
                add(
                    level,
                    _bureau(session, city, HrLevel.CITY),
                    "单位所在市的人社部门尚未开通平台账号，暂不能提交，请联系当地人社部门",
                )
        elif level is AuditLevel.PROVINCE_HR:
            add(
                level,
                _bureau(session, PROVINCE_CODE, HrLevel.PROVINCE),
                "省级人社部门尚未开通平台账号",
            )
        elif committee_org_id is not None:
            committee = session.get(Organization, committee_org_id)
            if committee is not None and committee.kind is not OrgKind.COMMITTEE_ORGANIZER:
                committee = None
            add(level, committee, "评审计划的评委会组建单位不存在")
    return steps
