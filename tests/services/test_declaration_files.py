"""Files of a declaration: the applicant's 申报附件 while filling it in, the unit's
单位相关证明材料 sent with its 通过, and who may download them and the material snapshots'
copied proof files."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from ahportal.models import DeclarationAttachment, FlowRecord, RecordKind
from ahportal.services import attachments, declaration_files, declarations, declaring
from ahportal.services.errors import InvalidTransition, PermissionDenied, ValidationFailed
from tests.factories import image_bytes, library_entry_of, pdf_bytes, person_actor, quota_of
from tests.services.test_declarations import XIWANG, _declare, _person_at_xiwang, _plan


def _draft(session, actor_for, name):
    plan = _plan(session)
    quota_of(session, XIWANG, plan.plan_year)
    person = _person_at_xiwang(session, actor_for, name)
    declaration_id = _declare(session, person, plan)
    entry = library_entry_of(session, name, "appraisal", "approved", attach=True)
    declaring.import_materials(
        session, actor=person, declaration_id=declaration_id, entry_ids=[entry]
    )
    return person, declaration_id


def _add(session, person, declaration_id, name="学术交流证明.pdf", data=None):
    return declaration_files.add_applicant_file(
        session,
        actor=person,
        declaration_id=declaration_id,
        filename=name,
        data=pdf_bytes() if data is None else data,
    )


def test_the_applicant_adds_and_removes_files_only_while_filling_in(session, actor_for):
    person, declaration_id = _draft(session, actor_for, "附件甲")
    first = _add(session, person, declaration_id)
    second = _add(session, person, declaration_id, "获奖照片.png", image_bytes())
    form = declaring.declaration_form(session, actor=person, declaration_id=declaration_id)
    assert [f.filename for f in form.attachments] == ["学术交流证明.pdf", "获奖照片.png"]
    assert form.attachments[0].url == f"/files/declaration-attachment/{first}"
    declaration_files.remove_applicant_file(
        session, actor=person, declaration_id=declaration_id, file_id=second
    )
    declaring.submit(session, actor=person, declaration_id=declaration_id)
    with pytest.raises(InvalidTransition):  # 审核中: nothing changes until it is returned
        _add(session, person, declaration_id)
    with pytest.raises(InvalidTransition):
        declaration_files.remove_applicant_file(
            session, actor=person, declaration_id=declaration_id, file_id=first
        )
    detail = declarations.detail(session, actor=person, declaration_id=declaration_id)
    assert [f.filename for f in detail.applicant_files] == ["学术交流证明.pdf"]
    declarations.decide(
        session,
        actor=actor_for("unit-xiwang"),
        declaration_id=declaration_id,
        action="return",
        opinion="请补充学术交流证明原件扫描件",
    )
    assert _add(session, person, declaration_id, "补充证明.pdf")


@pytest.mark.parametrize(
    ("filename", "make", "message"),
    [
        ("伪装.pdf", lambda: image_bytes(), "内容与扩展名不符"),
        ("文档.docx", lambda: b"PK\x03\x04" + b"0" * 64, "不支持该文件类型"),
        ("损坏.pdf", lambda: b"%PDF-1.4\n" + b"0" * 64, "无法识别或已损坏"),
        ("巨大.pdf", lambda: b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n", "过大"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(session, actor_for, filename, make, message):
    person, declaration_id = _draft(session, actor_for, "附件乙")
    folder = attachments._folder()
    before = sorted(folder.rglob("*")) if folder.exists() else []
    with pytest.raises(ValidationFailed) as refused:
        _add(session, person, declaration_id, filename, make())
    assert message in refused.value.message
    assert (sorted(folder.rglob("*")) if folder.exists() else []) == before
    assert not session.exec(select(DeclarationAttachment)).all()


def test_the_units_proofs_go_with_its_approval(session, actor_for):
    person, declaration_id = _draft(session, actor_for, "附件丙")
    declaring.submit(session, actor=person, declaration_id=declaration_id)
    unit = actor_for("unit-xiwang")
    # Only the unit holding it at the unit level may upload: not the department (not its
    # turn), not the applicant (not an auditor), not another unit.
    for outsider in ("dept-edu-shushan", "合肥宏景软件有限公司"):
        with pytest.raises(PermissionDenied):
            declaration_files.add_unit_file(
                session,
                actor=actor_for(outsider),
                declaration_id=declaration_id,
                filename="证明.pdf",
                data=pdf_bytes(),
            )
    with pytest.raises(PermissionDenied):
        declaration_files.add_unit_file(
            session,
            actor=person,
            declaration_id=declaration_id,
            filename="证明.pdf",
            data=pdf_bytes(),
        )
    kept = declaration_files.add_unit_file(
        session,
        actor=unit,
        declaration_id=declaration_id,
        filename="单位推荐证明.pdf",
        data=pdf_bytes(),
    )
    dropped = declaration_files.add_unit_file(
        session, actor=unit, declaration_id=declaration_id, filename="多余.pdf", data=pdf_bytes()
    )
    declaration_files.remove_unit_file(
        session, actor=unit, declaration_id=declaration_id, file_id=dropped
    )
    shown = declarations.detail(session, actor=unit, declaration_id=declaration_id)
    assert shown.may_upload_proof
    assert [(f.filename, f.sent) for f in shown.unit_files] == [("单位推荐证明.pdf", False)]
    declarations.decide(
        session,
        actor=unit,
        declaration_id=declaration_id,
        action="approve",
        opinion="同意推荐",
        extra={"occupy_post": False, "post_note": ""},
    )
    flow = session.exec(
        select(FlowRecord).where(
            col(FlowRecord.kind) == RecordKind.DECLARATION,
            col(FlowRecord.record_id) == declaration_id,
            col(FlowRecord.action) == "approve",
        )
    ).one()
    assert flow.files == [{"filename": "单位推荐证明.pdf", "attachment_id": kept}]
    shown = declarations.detail(
        session, actor=actor_for("dept-edu-shushan"), declaration_id=declaration_id
    )
    assert [(f.filename, f.sent) for f in shown.unit_files] == [("单位推荐证明.pdf", True)]
    assert not shown.may_upload_proof  # the department sends none of the unit's proofs
    with pytest.raises(PermissionDenied):  # sent with the 通过, and no longer the unit's turn
        declaration_files.remove_unit_file(
            session, actor=unit, declaration_id=declaration_id, file_id=kept
        )


def test_who_may_download_the_files(session, actor_for):
    person, declaration_id = _draft(session, actor_for, "附件丁")
    file_id = _add(session, person, declaration_id)
    form = declaring.declaration_form(session, actor=person, declaration_id=declaration_id)
    material_id = form.materials[0].id
    assert declaration_files.attachment_for(session, person, file_id)[1] == "学术交流证明.pdf"
    found = declaration_files.material_file_for(session, person, material_id, "0")
    assert found is not None and found[2] == "application/pdf"
    # Before submission no organisation has held it; another person never may.
    nobody = [
        None,
        person_actor(session, "李明"),
        actor_for("unit-xiwang"),
        actor_for("hr-340100"),
        actor_for("ops"),
    ]
    for outsider in nobody:
        assert declaration_files.attachment_for(session, outsider, file_id) is None
        assert declaration_files.material_file_for(session, outsider, material_id, 0) is None
    declaring.submit(session, actor=person, declaration_id=declaration_id)
    unit = actor_for("unit-xiwang")
    assert declaration_files.attachment_for(session, unit, file_id) is not None
    assert declaration_files.material_file_for(session, unit, material_id, 0) is not None
    # Not yet reached; another city's bureau; bad ids and positions.
    for outsider in ("dept-edu-shushan", "hr-340200"):
        assert declaration_files.attachment_for(session, actor_for(outsider), file_id) is None
    for bad in ("1", "-1", "x", 99, "00000000001"):
        assert declaration_files.material_file_for(session, unit, material_id, bad) is None
    assert declaration_files.attachment_for(session, unit, "../etc/passwd") is None


def test_deleting_a_declaration_removes_its_files(session, actor_for):
    person, declaration_id = _draft(session, actor_for, "附件戊")
    file_id = _add(session, person, declaration_id)
    key = session.get(DeclarationAttachment, file_id).storage_key
    assert attachments.path_of(key) is not None
    declaring.delete_declaration(session, actor=person, declaration_id=declaration_id)
    session.expire_all()
    assert session.get(DeclarationAttachment, file_id) is None
    assert attachments.path_of(key) is None


def test_uploads_at_once_never_pass_the_limit(session, actor_for):
    """Six uploads at the same moment when 17 of 20 files are there: exactly three are
    stored, the others are told the limit (on PostgreSQL too, where each transaction would
    otherwise count 17 and insert)."""
    from sqlalchemy import func

    from tests.helpers import race

    person, declaration_id = _draft(session, actor_for, "附件并发")
    for n in range(declaration_files.MAX_APPLICANT_FILES - 3):
        _add(session, person, declaration_id, f"证明{n}.pdf")
    session.rollback()

    def upload(n: int):
        return lambda own: _add(own, person, declaration_id, f"同时{n}.pdf")

    results = race([upload(n) for n in range(6)])
    assert results.count("ok") == 3, results
    refused = [r for r in results if r != "ok"]
    assert all(isinstance(r, ValidationFailed) and "最多上传 20 个" in r.message for r in refused)
    stored = session.exec(
        select(func.count())
        .select_from(DeclarationAttachment)
        .where(col(DeclarationAttachment.declaration_id) == declaration_id)
    ).one()
    assert stored == declaration_files.MAX_APPLICANT_FILES
