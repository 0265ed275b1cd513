"""Test data made through the same models the portal uses: units, people, requests, actors.

Each factory commits and returns the row; names are unique per call, so tests can make
records outside any seeded actor's scope without touching the demo data.
"""

from __future__ import annotations

import itertools

from sqlmodel import Session, col, select
from stdnum.cn import ric

from ahportal.models import (
    Account,
    BindingStatus,
    LoginMethod,
    Organization,
    OrgKind,
    OrgStatus,
    Person,
    Role,
    UnitBinding,
    utcnow,
)
from ahportal.services.govnet import sign_in_govnet
from ahportal.services.permissions import Actor, actor_for_account

_serial = itertools.count(1)


def unit_named(session: Session, name: str) -> Organization:
    """A seeded (or earlier made) unit by its name."""
    return session.exec(
        select(Organization).where(
            col(Organization.name) == name, col(Organization.kind) == OrgKind.UNIT
        )
    ).one()


def pending_binding_of(session: Session, person_name: str) -> UnitBinding:
    """The one pending binding request of a person, by the person's name."""
    return session.exec(
        select(UnitBinding)
        .join(Person, col(Person.id) == col(UnitBinding.person_id))
        .where(col(Person.name) == person_name, col(UnitBinding.status) == BindingStatus.PENDING)
    ).one()


def new_person_claims(name: str = "周新") -> dict[str, str]:
    """政务网 claims of a person who has never signed in (a valid, unique ID number)."""
    first17 = f"34010419950101{next(_serial):03d}"
    return {
        "sub": f"test-person-{first17}",
        "user_type": "person",
        "name": name,
        "id_number": first17 + ric.calc_check_digit(first17 + "0"),
        "phone_number": "13912345678",
    }


def new_person_actor(session: Session, name: str = "周新") -> Actor:
    """A person signing in through 政务网 for the first time (not yet registered)."""
    return actor_for_account(session, sign_in_govnet(session, claims=new_person_claims(name)))


def make_unit(session: Session, *, division_code: str = "340100", name: str = "") -> Actor:
    """A registered unit with a built-in administrator account; returns that admin's actor."""
    serial = next(_serial)
    now = utcnow()
    unit = Organization(
        kind=OrgKind.UNIT,
        name=name or f"测试单位{serial:04d}",
        division_code=division_code,
        status=OrgStatus.ACTIVE,
        created_at=now,
        updated_at=now,
    )
    session.add(unit)
    session.flush()
    account = Account(
        username=f"unit-test-{serial:04d}",
        login_method=LoginMethod.BUILTIN,
        role=Role.UNIT_ADMIN,
        display_name=unit.name,
        org_id=unit.id,
        password_hash="!",  # cannot sign in by password; tests act through the actor
    )
    session.add(account)
    session.commit()
    return actor_for_account(session, account)


def make_request(session: Session, *, unit: Actor, name: str = "吴测") -> UnitBinding:
    """A registered person with a pending request to bind to the unit (with its flow)."""
    from ahportal.services import bindings

    person = new_person_actor(session, name)
    bindings.complete_registration(session, actor=person, choose_unit=True, unit_id=unit.org_id)
    return pending_binding_of(session, name)
