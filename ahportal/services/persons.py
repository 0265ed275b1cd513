"""The signed-in person's own identity, as 个人注册 and 个人中心 show it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ahportal.models import Person
from ahportal.services.errors import NotFound
from ahportal.services.masking import mask_id_number
from ahportal.services.permissions import Actor, require


@dataclass(frozen=True)
class PersonIdentity:
    """Name, masked ID number, phone and photo presence (from 政务网, read-only)."""

    person_id: int
    name: str
    id_number: str
    phone: str
    has_photo: bool


def own_identity(session: Session, *, actor: Actor | None) -> PersonIdentity:
    """The actor's own person record; only applicants have one."""
    checked = require(actor, "person.view_own")
    person = session.get(Person, checked.person_id) if checked.person_id else None
    if person is None or person.id is None:
        raise NotFound("未找到您的个人信息，请重新登录")
    return PersonIdentity(
        person_id=person.id,
        name=person.name,
        id_number=mask_id_number(person.id_number),
        phone=person.phone or "",
        has_photo=bool(person.photo_key),
    )
