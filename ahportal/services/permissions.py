"""The one place that says who may do what on which record: role permissions and scopes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, false
from sqlmodel import Session, col

from ahportal.models import (
    ROLE_LABELS,
    Account,
    DivisionLevel,
    HrLevel,
    Organization,
    OrgKind,
    OrgStatus,
    Person,
    Role,
)
from ahportal.models.division import territory_prefix
from ahportal.services.errors import NotSignedIn, PermissionDenied

# Permissions are named <area>.<action>[_<thing>]; each lists the roles that hold it.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "workbench.view": frozenset(Role),
    "tasks.view": frozenset(Role),
    "person.register": frozenset({Role.APPLICANT}),
    "person.view_own": frozenset({Role.APPLICANT}),
    "profile.view_own": frozenset({Role.APPLICANT}),
    "binding.request": frozenset({Role.APPLICANT}),
    "binding.audit": frozenset({Role.UNIT_ADMIN}),
    "unit.register": frozenset({Role.UNIT_ADMIN}),
    "unit.view_own": frozenset({Role.UNIT_ADMIN}),
    "unit.edit_own": frozenset({Role.UNIT_ADMIN}),
    "unit.view_supervised": frozenset({Role.DEPARTMENT, Role.HR_BUREAU}),
    "account.manage": frozenset({Role.OPS}),
    "account.change_own_password": frozenset(Role) - {Role.APPLICANT},  # built-in accounts
    "reference.manage": frozenset({Role.OPS}),
    # 个人业绩库: the person keeps entries; their unit audits them (业绩档案).
    "library.manage_own": frozenset({Role.APPLICANT}),
    "library.audit": frozenset({Role.UNIT_ADMIN}),
    # 继续教育: 提取 of one's own 公需课 hours; loading the learning platform's export.
    "cpd.extract": frozenset({Role.APPLICANT}),
    "cpd.import_public": frozenset({Role.HR_BUREAU, Role.OPS}),
    # 职称申报: plans, declaring, the level-by-level audit, post quotas (issue 8).
    "plan.manage": frozenset({Role.COMMITTEE_ORGANIZER, Role.HR_BUREAU}),
    "declaration.declare": frozenset({Role.APPLICANT}),
    "declaration.audit": frozenset(
        {Role.UNIT_ADMIN, Role.DEPARTMENT, Role.HR_BUREAU, Role.COMMITTEE_ORGANIZER}
    ),
    "quota.manage": frozenset({Role.UNIT_ADMIN}),
    # 专业技术资格评审表: the applicant (once passed) and every level that has seen the case.
    "declaration.export_form": frozenset(
        {Role.APPLICANT, Role.UNIT_ADMIN, Role.DEPARTMENT, Role.HR_BUREAU, Role.COMMITTEE_ORGANIZER}
    ),
    # 学术和技术带头人 (issue 9): the provincial HR bureau's plans and results (its level is
    # checked by the service), declaring, the unit's recommendation, the level-by-level audit.
    "leader.plan_manage": frozenset({Role.HR_BUREAU}),
    "leader.view_plan": frozenset(
        {Role.APPLICANT, Role.UNIT_ADMIN, Role.DEPARTMENT, Role.HR_BUREAU}
    ),
    "leader.declare": frozenset({Role.APPLICANT}),
    "leader.recommend": frozenset({Role.UNIT_ADMIN}),
    "leader.audit": frozenset({Role.UNIT_ADMIN, Role.DEPARTMENT, Role.HR_BUREAU}),
    # 统计分析 (issue 10): each in its own scope (services/statistics.py).
    "statistics.view": frozenset(
        {Role.HR_BUREAU, Role.DEPARTMENT, Role.COMMITTEE_ORGANIZER, Role.UNIT_ADMIN}
    ),
    # 操作日志 (issue 10): operations reads and exports the append-only log.
    "audit_log.view": frozenset({Role.OPS}),
}

_HR_LEVEL_TO_DIVISION = {
    HrLevel.PROVINCE: DivisionLevel.PROVINCE,
    HrLevel.CITY: DivisionLevel.CITY,
    HrLevel.COUNTY: DivisionLevel.COUNTY,
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: resolved on the server from the session, never from the browser."""

    account_id: int
    role: Role
    display_name: str
    person_id: int | None = None
    org_id: int | None = None
    org_name: str | None = None
    org_kind: OrgKind | None = None
    division_code: str | None = None
    hr_level: HrLevel | None = None
    # True until the person finishes 个人注册 / the unit completes its information.
    needs_registration: bool = False
    # True for a built-in account operations created or reset, until it sets its own password.
    must_change_password: bool = False
    # Where the request came from (for the operation log): set where the actor is resolved
    # from a request (PortalState._actor, the auth routes); None in tests and commands.
    ip: str | None = None

    @property
    def role_label(self) -> str:
        label = ROLE_LABELS[self.role]
        if self.role is Role.HR_BUREAU and self.hr_level is not None:
            return {HrLevel.PROVINCE: "省级", HrLevel.CITY: "市级", HrLevel.COUNTY: "县级"}[
                self.hr_level
            ] + label
        return label

    @property
    def territory_prefix(self) -> str | None:
        """Division-code prefix of an HR bureau's territory."""
        if self.role is not Role.HR_BUREAU or not self.division_code or self.hr_level is None:
            return None
        return territory_prefix(self.division_code, _HR_LEVEL_TO_DIVISION[self.hr_level])


def actor_for_account(session: Session, account: Account) -> Actor:
    """Build the Actor for a loaded account (with its organisation, if any)."""
    org = session.get(Organization, account.org_id) if account.org_id else None
    assert account.id is not None
    needs_registration = False
    if account.role is Role.APPLICANT and account.person_id is not None:
        person = session.get(Person, account.person_id)
        needs_registration = person is not None and person.registered_at is None
    elif account.role is Role.UNIT_ADMIN and org is not None:
        needs_registration = org.status is OrgStatus.INCOMPLETE
    return Actor(
        account_id=account.id,
        role=account.role,
        display_name=account.display_name,
        person_id=account.person_id,
        org_id=org.id if org else None,
        org_name=org.name if org else None,
        org_kind=org.kind if org else None,
        division_code=org.division_code if org else None,
        hr_level=org.hr_level if org else None,
        needs_registration=needs_registration,
        must_change_password=account.must_change_password,
    )


CHANGE_OWN_PASSWORD = "account.change_own_password"  # noqa: S105 (a permission name)


def has_permission(actor: Actor | None, permission: str) -> bool:
    """Whether the actor's role holds the permission (unknown permissions hold for nobody)."""
    if actor is None:
        return False
    return actor.role in PERMISSIONS.get(permission, frozenset())


def require(actor: Actor | None, permission: str) -> Actor:
    """Return the actor if signed in and the role holds the permission; raise otherwise."""
    if actor is None:
        raise NotSignedIn()
    if actor.must_change_password and permission != CHANGE_OWN_PASSWORD:
        # An account operations set up acts only once its owner chose the password, on any
        # path a tab can reach (a page load is redirected; a forged event lands here).
        raise PermissionDenied("请先修改初始密码，再进行其他操作")
    if not has_permission(actor, permission):
        raise PermissionDenied()
    return actor


def can_see_unit(actor: Actor, unit: Organization) -> bool:
    """Whether a unit lies inside the actor's scope."""
    if unit.kind is not OrgKind.UNIT:
        return False
    if actor.role is Role.UNIT_ADMIN:
        return unit.id == actor.org_id
    if actor.role is Role.DEPARTMENT:
        return unit.department_id is not None and unit.department_id == actor.org_id
    if actor.role is Role.HR_BUREAU:
        prefix = actor.territory_prefix
        return bool(prefix and unit.division_code and unit.division_code.startswith(prefix))
    return False


def can_see_person(actor: Actor, person: Person, unit: Organization | None) -> bool:
    """The person themself, or an authority whose scope holds the person's bound unit."""
    if actor.role is Role.APPLICANT:
        return person.id == actor.person_id
    return unit is not None and can_see_unit(actor, unit)


def require_unit(actor: Actor | None, permission: str, unit: Organization | None) -> Actor:
    """Check permission, then that the unit is inside the actor's scope."""
    checked = require(actor, permission)
    if unit is None or not can_see_unit(checked, unit):
        raise PermissionDenied("该单位不在您的管辖范围内")
    return checked


class UnitRequest(Protocol):
    """A binding request, or any row of one, as far as its scope goes."""

    @property
    def unit_id(self) -> int: ...


def can_audit_binding(actor: Actor, binding: UnitRequest) -> bool:
    """A binding request is decided by the unit it asks to join, and by no one else."""
    return (
        actor.role is Role.UNIT_ADMIN
        and actor.org_id is not None
        and (binding.unit_id == actor.org_id)
    )


class LibraryRecord(Protocol):
    """A library entry, or any row of one, as far as its scope goes."""

    @property
    def person_id(self) -> int: ...

    @property
    def unit_id(self) -> int | None: ...


def can_touch_library_entry(actor: Actor, entry: LibraryRecord) -> bool:
    """A library entry is the person's own; once submitted, its unit audits it."""
    if actor.role is Role.APPLICANT:
        return actor.person_id is not None and entry.person_id == actor.person_id
    if actor.role is Role.UNIT_ADMIN:
        return actor.org_id is not None and entry.unit_id == actor.org_id
    return False


def can_edit_unit(actor: Actor, unit: Organization) -> bool:
    """A unit's information is completed and changed by its own administrator only."""
    return actor.role is Role.UNIT_ADMIN and unit.id is not None and unit.id == actor.org_id


def unit_scope_clause(actor: Actor) -> ColumnElement[bool]:
    """A SQL condition on Organization selecting the units inside the actor's scope."""
    is_unit = col(Organization.kind) == OrgKind.UNIT
    if actor.role is Role.UNIT_ADMIN and actor.org_id is not None:
        return is_unit & (col(Organization.id) == actor.org_id)
    if actor.role is Role.DEPARTMENT and actor.org_id is not None:
        return is_unit & (col(Organization.department_id) == actor.org_id)
    if actor.role is Role.HR_BUREAU and actor.territory_prefix:
        return is_unit & col(Organization.division_code).startswith(actor.territory_prefix)
    return false()
