"""Demo identities: the people and legal persons a tester can sign in as."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from ahportal.models import DemoIdentity, GovnetUserType
from ahportal.services import validation
from ahportal.services.errors import ValidationFailed
from ahportal.services.govnet import (
    PERSON_NAME_MAX,
    UNIT_NAME_MAX,
    clean_id_number,
    clean_mobile,
    clean_name,
    clean_uscc,
)


def demo_subject(user_type: GovnetUserType, number: str) -> str:
    """A stable opaque subject for a demo identity (same formula as ahportal.seeding)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"govnet:{user_type.value}:{number}"))


def identity_from_form(session: Session, form: dict[str, str]) -> DemoIdentity:
    """The identity the tester chose or typed; new ones are saved. ValidationFailed if bad."""
    choice = form.get("choice")
    if choice == "existing":
        raw_id = form.get("identity_id", "")
        try:
            identity = session.get(DemoIdentity, validation.record_id(raw_id))
        except ValidationFailed:
            identity = None
        if identity is None:
            raise ValidationFailed("identity_id", "所选演示身份不存在，请刷新页面后重试")
        return identity
    if choice == GovnetUserType.PERSON.value:
        name = clean_name(form.get("name"), "name", "姓名", PERSON_NAME_MAX)
        id_number = clean_id_number(form.get("id_number"))
        phone = clean_mobile(form.get("phone"))
        return _save_identity(
            session, GovnetUserType.PERSON, id_number, name=name, id_number=id_number, phone=phone
        )
    if choice == GovnetUserType.LEGAL.value:
        name = clean_name(form.get("unit_name"), "unit_name", "单位名称", UNIT_NAME_MAX)
        code = clean_uscc(form.get("uscc"))
        return _save_identity(session, GovnetUserType.LEGAL, code, name=name, uscc=code)
    raise ValidationFailed("choice", "请选择登录身份")


def _save_identity(
    session: Session, user_type: GovnetUserType, number: str, **fields: str
) -> DemoIdentity:
    subject = demo_subject(user_type, number)
    identity = session.exec(
        select(DemoIdentity).where(col(DemoIdentity.subject) == subject)
    ).first() or DemoIdentity(user_type=user_type, subject=subject, name=fields["name"])
    for key, value in fields.items():
        setattr(identity, key, value)
    session.add(identity)
    session.commit()
    return identity


def list_identities(session: Session) -> dict[GovnetUserType, list[DemoIdentity]]:
    """Demo identities by type, oldest first."""
    rows = session.exec(select(DemoIdentity).order_by(col(DemoIdentity.id))).all()
    grouped: dict[GovnetUserType, list[DemoIdentity]] = {t: [] for t in GovnetUserType}
    for row in rows:
        grouped[row.user_type].append(row)
    return grouped
