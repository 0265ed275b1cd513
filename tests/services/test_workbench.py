"""工作台 figures come from the task registry and real rows, per role."""

from __future__ import annotations

import pytest

from ahportal.models import Role
from ahportal.services.bindings import PersonBindingState
from ahportal.services.errors import NotSignedIn
from ahportal.services.tasks import kinds_for, pending_counts
from ahportal.services.workbench import workbench


def test_anonymous_refused(session):
    with pytest.raises(NotSignedIn):
        workbench(session, None)


def test_unit_sees_its_own_pending_bindings(session, actor_for):
    pending, facts = workbench(session, actor_for("合肥宏景软件有限公司"))
    assert [(c.label, c.value) for c in pending] == [
        ("人员注册审核", 1),
        ("业绩档案审核", 0),
        ("职称申报审核", 0),
        ("学术和技术带头人审核", 0),
    ]
    other, _ = workbench(session, actor_for("安徽省立医院"))
    # The demo seeds 李明's 学历学位, 获奖 and 行业专用·论文 waiting for 安徽省立医院.
    assert [(c.label, c.value) for c in other] == [
        ("人员注册审核", 0),
        ("业绩档案审核", 3),
        ("职称申报审核", 0),
        ("学术和技术带头人审核", 0),
    ]
    assert ("本单位已绑定人员", 1) in [
        (c.label, c.value) for c in workbench(session, actor_for("安徽省立医院"))[1]
    ]
    assert facts[0].value == 0


def test_applicant_sees_binding_state(session, actor_for):
    _, facts = workbench(session, actor_for("李明"))
    assert ("工作单位", "安徽省立医院") in [(c.label, c.value) for c in facts]
    _, waiting = workbench(session, actor_for("赵强"))
    assert ("单位绑定状态", PersonBindingState.PENDING) in [(c.label, c.value) for c in waiting]


def test_supervisors_count_units_in_scope(session, actor_for):
    _, city = workbench(session, actor_for("hr-340100"))
    _, county = workbench(session, actor_for("hr-340123"))
    _, province = workbench(session, actor_for("hr-340000"))
    assert county[0].value == 1 and city[0].value == 5 and province[0].value == 6


def test_task_kinds_are_role_specific(session, actor_for):
    unit_kinds = ["binding", "library_entry", "declaration", "leader_declaration"]
    assert [k.key for k in kinds_for(actor_for("合肥宏景软件有限公司"))] == unit_kinds
    # Departments and bureaus work the declarations' and the leaders' queues; committee
    # organizers only the declarations'.
    for authority in ("dept-health-hefei", "hr-340100"):
        keys = [k.key for k in kinds_for(actor_for(authority))]
        assert keys == ["declaration", "leader_declaration"]
    assert [k.key for k in kinds_for(actor_for("committee-health"))] == ["declaration"]
    assert kinds_for(actor_for("ops")) == []
    assert kinds_for(actor_for("李明")) == []
    assert pending_counts(session, actor_for("希望小学")) == {
        "binding": 1,
        "library_entry": 0,
        "declaration": 0,
        "leader_declaration": 0,
    }
    assert pending_counts(session, actor_for("合肥市第一人民医院"))["library_entry"] == 1
    assert actor_for("ops").role is Role.OPS
