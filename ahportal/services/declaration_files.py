"""Files of a declaration beside its library snapshots (seed 002 一.8, 一.10):

- 申报附件: the applicant's extra attachments, added and removed while the declaration is
  being filled in (填报中 or 已退回), like the imported materials;
- 单位相关证明材料: the unit's proof materials, uploaded while the unit holds the case at the
  unit level and sent with its 通过 (the flow record lists them; until then the unit may
  remove them);
- downloads of those and of the material snapshots' copied proof files, for whoever may see
  the declaration (the applicant, and every organisation that has held it).

Files are checked by content and size (services.attachments) and stored by random key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from ahportal.db import begin_write
from ahportal.models import (
    AttachmentSource,
    Declaration,
    DeclarationAttachment,
    DeclarationMaterial,
    DeclarationStatus,
    Role,
)
from ahportal.services import attachments, audit_log, declarations, validation, workflow
from ahportal.services.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from ahportal.services.permissions import Actor, require

MAX_APPLICANT_FILES = 20
MAX_UNIT_FILES = 10
UNIT_LEVEL = "unit"
NOT_FOUND = "该附件不存在或已被删除"


@dataclass(frozen=True)
class FileRow:
    """A file as the pages list it: name, size and its download address."""

    id: int
    filename: str
    size: int
    url: str
    # For the unit's proofs: False while uploaded but not yet sent with a 通过.
    sent: bool = True


def attachment_url(attachment_id: int) -> str:
    return f"/files/declaration-attachment/{attachment_id}"


def material_file_url(material_id: int, index: int) -> str:
    return f"/files/declaration-material/{material_id}/{index}"


def _rows(session: Session, declaration_id: int, source: AttachmentSource) -> list[FileRow]:
    return [
        FileRow(a.id or 0, a.filename, a.size, attachment_url(a.id or 0), a.flow_id is not None)
        for a in session.exec(
            select(DeclarationAttachment)
            .where(
                col(DeclarationAttachment.declaration_id) == declaration_id,
                col(DeclarationAttachment.source) == source,
            )
            .order_by(col(DeclarationAttachment.id))
        )
    ]


def applicant_files(session: Session, declaration_id: int) -> list[FileRow]:
    """The applicant's 申报附件 (the caller has checked the declaration is visible)."""
    return _rows(session, declaration_id, AttachmentSource.APPLICANT)


def unit_files(session: Session, declaration_id: int) -> list[FileRow]:
    """The unit's 单位相关证明材料, sent or waiting for its 通过."""
    return _rows(session, declaration_id, AttachmentSource.UNIT)


def _count(session: Session, declaration_id: int, source: AttachmentSource) -> int:
    return session.exec(
        select(func.count())
        .select_from(DeclarationAttachment)
        .where(
            col(DeclarationAttachment.declaration_id) == declaration_id,
            col(DeclarationAttachment.source) == source,
        )
    ).one()


def _add(
    session: Session,
    actor: Actor,
    declaration: Declaration,
    source: AttachmentSource,
    checked: attachments.CheckedFile,
    limit: int,
) -> int:
    """Store the file and its row; the caller holds the transaction and commits."""
    assert declaration.id is not None
    # Count under the declaration's row lock: two uploads at once on PostgreSQL (READ
    # COMMITTED) would both count 19 and make 21; on SQLite begin_write already queues them.
    session.exec(
        select(Declaration.id).where(col(Declaration.id) == declaration.id).with_for_update()
    ).one()
    if _count(session, declaration.id, source) >= limit:
        raise ValidationFailed("file", f"最多上传 {limit} 个附件，请先删除不需要的附件")
    key = attachments.store(checked.data)
    try:
        row = DeclarationAttachment(
            declaration_id=declaration.id,
            source=source,
            org_id=actor.org_id if source is AttachmentSource.UNIT else None,
            filename=checked.filename,
            content_type=checked.content_type,
            size=len(checked.data),
            storage_key=key,
            uploaded_by_account_id=actor.account_id,
        )
        session.add(row)
        session.flush()
        _log(session, actor, f"declaration.add_{source.value}_file", declaration.id, file=row.id)
        session.commit()
    except BaseException:
        session.rollback()
        attachments.remove(key)
        raise
    return row.id or 0


def _remove(
    session: Session, actor: Actor, declaration: Declaration, source: AttachmentSource, raw: object
) -> None:
    row = session.get(DeclarationAttachment, validation.record_id(raw, "附件"))
    if row is None or row.declaration_id != declaration.id or row.source is not source:
        raise NotFound(NOT_FOUND)
    if row.flow_id is not None:
        raise InvalidTransition("该证明材料已随审核意见提交，不能删除")
    key = row.storage_key
    session.delete(row)
    _log(session, actor, f"declaration.remove_{source.value}_file", declaration.id, file=row.id)
    session.commit()
    attachments.remove(key)


# ---- the applicant's 申报附件 -------------------------------------------------------------------


def _own_editable(session: Session, actor: Actor, declaration_id: object) -> Declaration:
    declaration = declarations.visible(session, actor, declaration_id)
    if declaration.status not in declarations.EDITABLE:
        raise InvalidTransition("申报已提交审核，不能修改；如需修改请联系当前审核部门退回")
    return declaration


def add_applicant_file(
    session: Session, *, actor: Actor | None, declaration_id: object, filename: object, data: bytes
) -> int:
    """上传申报附件 while the declaration is being filled in; returns the new file's id."""
    checked_actor = require(actor, declarations.DECLARE)
    checked = attachments.check(filename, data)
    try:
        begin_write(session)
        declaration = _own_editable(session, checked_actor, declaration_id)
        return _add(
            session,
            checked_actor,
            declaration,
            AttachmentSource.APPLICANT,
            checked,
            MAX_APPLICANT_FILES,
        )
    except BaseException:
        session.rollback()
        raise


def remove_applicant_file(
    session: Session, *, actor: Actor | None, declaration_id: object, file_id: object
) -> None:
    checked_actor = require(actor, declarations.DECLARE)
    try:
        begin_write(session)
        declaration = _own_editable(session, checked_actor, declaration_id)
        _remove(session, checked_actor, declaration, AttachmentSource.APPLICANT, file_id)
    except BaseException:
        session.rollback()
        raise


# ---- the unit's 单位相关证明材料 ---------------------------------------------------------------


def unit_may_upload(declaration: Declaration, actor: Actor) -> bool:
    """The unit holds the case at the unit level now (its 审核 dialog offers the upload)."""
    route = declaration.route or []
    return (
        actor.role is Role.UNIT_ADMIN
        and declaration.status is DeclarationStatus.AUDITING
        and actor.org_id is not None
        and declaration.current_org_id == actor.org_id
        and declaration.step < len(route)
        and route[declaration.step].get("level") == UNIT_LEVEL
    )


def _held_by_unit(session: Session, actor: Actor, declaration_id: object) -> Declaration:
    declaration = declarations.visible(session, actor, declaration_id)
    if not unit_may_upload(declaration, actor):
        raise PermissionDenied("只有在本单位审核该申报时才能上传或删除单位相关证明材料")
    return declaration


def add_unit_file(
    session: Session, *, actor: Actor | None, declaration_id: object, filename: object, data: bytes
) -> int:
    """上传单位相关证明材料 while the unit audits the case; sent with its 通过."""
    checked_actor = require(actor, declarations.AUDIT)
    checked = attachments.check(filename, data)
    try:
        begin_write(session)
        declaration = _held_by_unit(session, checked_actor, declaration_id)
        return _add(
            session, checked_actor, declaration, AttachmentSource.UNIT, checked, MAX_UNIT_FILES
        )
    except BaseException:
        session.rollback()
        raise


def remove_unit_file(
    session: Session, *, actor: Actor | None, declaration_id: object, file_id: object
) -> None:
    checked_actor = require(actor, declarations.AUDIT)
    try:
        begin_write(session)
        declaration = _held_by_unit(session, checked_actor, declaration_id)
        _remove(session, checked_actor, declaration, AttachmentSource.UNIT, file_id)
    except BaseException:
        session.rollback()
        raise


def send_unit_files(session: Session, declaration: Declaration, step: workflow.Step) -> None:
    """Effect of 通过: the unit's waiting proofs go with this decision (its flow record lists
    them). Runs in the move's transaction, so a 通过 that fails sends nothing."""
    if step.flow is None or step.actor.org_id is None:
        return
    waiting = session.exec(
        select(DeclarationAttachment).where(
            col(DeclarationAttachment.declaration_id) == declaration.id,
            col(DeclarationAttachment.source) == AttachmentSource.UNIT,
            col(DeclarationAttachment.org_id) == step.actor.org_id,
            col(DeclarationAttachment.flow_id).is_(None),
        )
    ).all()
    if not waiting:
        return
    session.flush()  # the flow record's id
    session.execute(
        update(DeclarationAttachment)
        .where(col(DeclarationAttachment.id).in_([a.id for a in waiting]))
        .values(flow_id=step.flow.id)
        .execution_options(synchronize_session=False)
    )
    step.flow.files = [{"filename": a.filename, "attachment_id": a.id} for a in waiting]
    session.add(step.flow)


# ---- downloads -----------------------------------------------------------------------------------


def _viewer(actor: Actor | None) -> Actor | None:
    if actor is None:
        return None
    permission = declarations.DECLARE if actor.role is Role.APPLICANT else declarations.AUDIT
    try:
        return require(actor, permission)
    except PermissionDenied:
        return None


def _visible(session: Session, actor: Actor, declaration_id: int) -> bool:
    try:
        declarations.visible(session, actor, declaration_id)
    except (NotFound, PermissionDenied, ValidationFailed):
        return False
    return True


def attachment_for(
    session: Session, actor: Actor | None, file_id: object
) -> tuple[str, str, str] | None:
    """(path, filename, content type) of a 申报附件 or 证明材料 the actor may see, else None."""
    viewer = _viewer(actor)
    if viewer is None:
        return None
    try:
        ident = validation.record_id(file_id, "附件")
    except ValidationFailed:
        return None
    row = session.get(DeclarationAttachment, ident)
    if row is None or not _visible(session, viewer, row.declaration_id):
        return None
    path = attachments.path_of(row.storage_key)
    return (str(path), row.filename, row.content_type) if path else None


def material_file_for(
    session: Session, actor: Actor | None, material_id: object, index: object
) -> tuple[str, str, str] | None:
    """(path, filename, content type) of a material snapshot's copied proof file."""
    viewer = _viewer(actor)
    if viewer is None:
        return None
    try:
        ident = validation.record_id(material_id, "申报材料")
    except ValidationFailed:
        return None
    raw = str(index) if isinstance(index, (str, int)) and not isinstance(index, bool) else ""
    if not (raw.isdecimal() and raw.isascii() and len(raw) <= 3):
        return None
    position = int(raw)
    material = session.get(DeclarationMaterial, ident)
    if material is None or not _visible(session, viewer, material.declaration_id):
        return None
    if position >= len(material.files):
        return None
    entry: dict[str, Any] = material.files[position]
    path = attachments.path_of(str(entry.get("storage_key", "")))
    if path is None:
        return None
    return str(path), str(entry.get("filename", "附件")), str(entry.get("content_type", ""))


def delete_all(session: Session, declaration_id: int) -> list[str]:
    """Drop a deleted declaration's rows (caller's transaction); returns the keys to remove
    from storage once it commits."""
    keys = list(
        session.exec(
            select(DeclarationAttachment.storage_key).where(
                col(DeclarationAttachment.declaration_id) == declaration_id
            )
        )
    )
    session.execute(
        delete(DeclarationAttachment).where(
            col(DeclarationAttachment.declaration_id) == declaration_id
        )
    )
    return keys


def _log(session: Session, actor: Actor, action: str, target_id: int | None, **detail: Any) -> None:
    audit_log.record(
        session,
        actor,
        action,
        target_kind=declarations.KIND.value,
        target_id=target_id,
        detail=detail,
    )
