"""Post quotas in the declaration audit: a 事业单位 (希望小学) passes nothing before its quota
of the plan year exists; 是否占用岗位 是 takes a post of the declared level in the approval's
transaction, refused with a clear message when none is left; 退回 and 终止 give it back."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from ahportal.models import Declaration, FlowRecord, PostQuota, PostUse, RecordKind
from ahportal.services import declarations, declaring, task_kinds  # noqa: F401
from ahportal.services.errors import ValidationFailed
from tests.factories import declaration_of, person_at_unit, quota_of, unit_named

XIWANG = "希望小学"
YES = {"occupy_post": True, "post_note": "占用本单位正高级岗位"}


def _submitted(session, name: str) -> int:
    person = person_at_unit(session, XIWANG, name)
    made = declaration_of(session, person, name)
    declaring.submit(session, actor=person, declaration_id=made["declaration"])
    return made["declaration"]


def _used(session, level: str = "正高级") -> int:
    session.expire_all()
    return session.exec(
        select(PostQuota.used).where(
            col(PostQuota.unit_id) == unit_named(session, XIWANG).id,
            col(PostQuota.year) == 2026,
            col(PostQuota.level) == level,
        )
    ).one()


def _approve(session, actor, declaration_id, extra=None) -> None:
    declarations.decide(
        session, actor=actor, declaration_id=declaration_id, action="approve", extra=extra
    )


def test_no_quota_no_approval_and_the_dialog_says_so(session, actor_for):
    unit = actor_for("unit-xiwang")
    case = _submitted(session, "岗位甲")
    detail = declarations.detail(session, actor=unit, declaration_id=case)
    assert detail.post.ask
    assert detail.post.notice == (
        "本单位尚未填报2026年岗位核准信息，请先在 管理设置→岗位核准信息 中填报"
    )
    with pytest.raises(ValidationFailed) as refused:
        _approve(session, unit, case, YES)
    assert refused.value.message == detail.post.notice
    session.expire_all()
    assert session.get(Declaration, case).step == 0
    # 退回 is still possible: the applicant is not stuck behind the unit's paperwork.
    declarations.decide(
        session, actor=unit, declaration_id=case, action="return", opinion="请补充材料"
    )


def test_yes_takes_a_post_no_takes_none(session, actor_for):
    quota_of(session, XIWANG, 2026, 正高级=3)
    unit = actor_for("unit-xiwang")
    first, second = _submitted(session, "岗位乙"), _submitted(session, "岗位丙")
    assert declarations.detail(session, actor=unit, declaration_id=first).post.notice == (
        "本单位2026年正高级岗位剩余 3 个"
    )
    _approve(session, unit, first, YES)
    _approve(session, unit, second, {"occupy_post": False, "post_note": ""})
    assert _used(session) == 1
    use = session.exec(select(PostUse)).one()
    assert use.declaration_id == first and use.note == YES["post_note"]
    # Past the unit, no level is asked.
    dept = actor_for("dept-edu-shushan")
    assert not declarations.detail(session, actor=dept, declaration_id=first).post.ask


def test_an_exhausted_quota_refuses_with_a_clear_message(session, actor_for):
    quota_of(session, XIWANG, 2026, 正高级=1, 中级=4)
    unit = actor_for("unit-xiwang")
    first, second = _submitted(session, "岗位丁"), _submitted(session, "岗位戊")
    _approve(session, unit, first, YES)
    flows_before = session.exec(select(FlowRecord.id)).all()
    with pytest.raises(ValidationFailed) as refused:
        _approve(session, unit, second, YES)
    assert refused.value.message == (
        "本单位2026年正高级岗位已用完（核准 1 个，已使用 1 个），不能占用岗位"
    )
    session.expire_all()
    assert session.get(Declaration, second).step == 0  # nothing moved, no flow written
    assert session.exec(select(FlowRecord.id)).all() == flows_before
    _approve(session, unit, second, {"occupy_post": False})  # 否 still passes it
    assert _used(session) == 1


@pytest.mark.parametrize("action", ["return", "terminate"])
def test_a_return_or_termination_releases_the_post(session, actor_for, action):
    quota_of(session, XIWANG, 2026, 正高级=1)
    unit = actor_for("unit-xiwang")
    case = _submitted(session, f"岗位{action}")
    _approve(session, unit, case, YES)
    for login in ("dept-edu-shushan", "hr-340104"):
        _approve(session, actor_for(login), case)
    assert _used(session) == 1
    declarations.decide(
        session,
        actor=actor_for("hr-340100"),
        declaration_id=case,
        action=action,
        opinion="不符合申报条件",
    )
    assert _used(session) == 0
    assert session.exec(select(PostUse)).all() == []
    kinds = session.exec(
        select(FlowRecord.action).where(
            col(FlowRecord.kind) == RecordKind.DECLARATION, col(FlowRecord.record_id) == case
        )
    ).all()
    assert kinds[-1] == action
