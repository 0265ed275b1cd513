"""Rules that are checked and then inserted also hold in the database: the unique indexes
refuse what two people slip past the check at the same moment."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ahportal.db import get_engine
from ahportal.models import (
    BindingStatus,
    Organization,
    OrgKind,
    OrgStatus,
    Person,
    UnitBinding,
)
from ahportal.services.errors import ValidationFailed
from ahportal.services.org_accounts import create_org_account


def _insert_fails(session, *rows):
    for row in rows:
        session.add(row)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_one_name_per_kind_without_uscc(session):
    _insert_fails(
        session,
        Organization(kind=OrgKind.DEPARTMENT, name="同名主管部门", division_code="340100"),
        Organization(kind=OrgKind.DEPARTMENT, name="同名主管部门", division_code="340200"),
    )
    # Another kind may carry the name (a bureau's unit and department, seed 002 三.1) …
    session.add(Organization(kind=OrgKind.DEPARTMENT, name="同名单位", division_code="340100"))
    session.add(Organization(kind=OrgKind.UNIT, name="同名单位", division_code="340100"))
    # … and legal persons known by their USCC may share a name.
    session.add(Organization(kind=OrgKind.UNIT, name="希望小学", uscc="52340100MJ0000001X"))
    session.flush()
    session.rollback()


def test_one_hr_bureau_per_division(session):
    _insert_fails(
        session,
        Organization(
            kind=OrgKind.HR_BUREAU,
            name="第二个合肥市人社局",
            division_code="340100",
            status=OrgStatus.ACTIVE,
        ),
    )


def test_one_pending_binding_per_person(session):
    waiting = session.exec(
        select(UnitBinding)
        .join(Person, col(Person.id) == col(UnitBinding.person_id))
        .where(col(Person.name) == "赵强", col(UnitBinding.status) == BindingStatus.PENDING)
    ).one()
    other_unit = session.exec(
        select(Organization).where(col(Organization.name) == "安徽省立医院")
    ).one()
    _insert_fails(session, UnitBinding(person_id=waiting.person_id, unit_id=other_unit.id))


def test_two_operators_creating_the_same_department_at_once(session, actor_for):
    """Both pass the name check; the index lets one through and the other hears why."""
    ops = actor_for("ops")
    session.rollback()
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def create(index: int) -> None:
        with Session(get_engine(), expire_on_commit=False) as own:
            barrier.wait()
            try:
                create_org_account(
                    own,
                    actor=ops,
                    kind=OrgKind.DEPARTMENT.value,
                    name="合肥市新设主管部门",
                    username=f"dept-race-{index}",
                    division_code="340100",
                )
                results[index] = "ok"
            except Exception as error:
                results[index] = error

    threads = [threading.Thread(target=create, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results.count("ok") == 1, results
    loser = next(r for r in results if r != "ok")
    assert isinstance(loser, ValidationFailed) and loser.field == "name", repr(loser)
    assert "已存在名称" in loser.message
    made = session.exec(
        select(Organization).where(col(Organization.name) == "合肥市新设主管部门")
    ).all()
    assert len(made) == 1
