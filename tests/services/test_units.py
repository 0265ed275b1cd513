"""单位信息: first sign-in registration, the unit's information, its changes and their log."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, func, select
from stdnum.cn import uscc

from ahportal.models import (
    Account,
    OperationLog,
    Organization,
    OrgKind,
    OrgStatus,
    UnitNature,
)
from ahportal.services.errors import (
    NotSignedIn,
    PermissionDenied,
    ValidationFailed,
)
from ahportal.services.govnet import sign_in_govnet
from ahportal.services.permissions import actor_for_account
from ahportal.services.units import (
    ACTION_REGISTER,
    ACTION_UPDATE,
    TARGET_KIND,
    FormInvalid,
    division_options,
    save_unit_info,
    unit_change_log,
    unit_natures,
    unit_profile,
)
from tests.helpers import db_snapshot

NEW_USCC = "91340100MA2N0T3X1" + uscc.calc_check_digit("91340100MA2N0T3X1")
NEW_NAME = "合肥测试科技有限公司"


def _unit(session: Session, name: str) -> Organization:
    return session.exec(
        select(Organization).where(
            col(Organization.name) == name, col(Organization.kind) == OrgKind.UNIT
        )
    ).one()


def _nature_id(session: Session, code: str) -> int:
    nature = session.exec(select(UnitNature).where(col(UnitNature.code) == code)).one()
    assert nature.id is not None
    return nature.id


def _log_count(session: Session) -> int:
    """Operation-log rows about units (the demo's library entries log too)."""
    return session.exec(
        select(func.count())
        .select_from(OperationLog)
        .where(col(OperationLog.target_kind) == TARGET_KIND)
    ).one()


@pytest.fixture
def new_unit(session: Session):
    """A unit signing in through 政务网 for the first time: INCOMPLETE, with its actor."""
    account = sign_in_govnet(
        session,
        claims={"sub": "legal-test-0001", "user_type": "legal", "name": NEW_NAME, "uscc": NEW_USCC},
    )
    actor = actor_for_account(session, account)
    assert actor.needs_registration
    return actor


@pytest.fixture
def form(session: Session) -> dict[str, object]:
    return {
        "legal_rep_name": "张伟",
        "legal_rep_phone": "0551-62345678",
        "address": "安徽省合肥市肥西县桃花镇",
        "contact_name": "王敏",
        "contact_phone": "13955112345",
        "unit_nature_id": str(_nature_id(session, "private")),
        "email": "hr@example.cn",
        "division_code": "340123",
        "is_central": False,
    }


# ---- registration -----------------------------------------------------------------------------


def test_registration_completes_and_activates(session, new_unit, form):
    save_unit_info(
        session,
        actor=new_unit,
        form={**form, "name": "别的名字", "uscc": "91340100683643522D", "is_central": "1"},
    )
    session.expire_all()
    unit = session.get(Organization, new_unit.org_id)
    assert unit is not None
    assert unit.status is OrgStatus.ACTIVE
    assert (unit.name, unit.uscc) == (NEW_NAME, NEW_USCC)  # from 政务网, never the form
    assert unit.contact_phone == "13955112345"
    assert unit.division_code == "340123"
    assert unit.unit_nature_id == _nature_id(session, "private")
    assert unit.is_central is True
    assert unit.legal_rep_phone == "0551-62345678"
    profile = unit_profile(session, actor=new_unit)
    assert profile["division_name"] == "安徽省合肥市肥西县"
    assert profile["status"] == "active"
    logged = session.exec(
        select(OperationLog).where(col(OperationLog.target_id) == new_unit.org_id)
    ).one()
    assert logged.action == "unit.register"
    assert logged.detail["changes"]["status"] == ["incomplete", "active"]
    assert logged.detail["changes"]["contact_phone"] == [None, "13955112345"]
    # The actor resolved again no longer needs registration.
    account = session.get(Account, new_unit.account_id)
    assert account is not None
    assert not actor_for_account(session, account).needs_registration


def test_address_and_legal_rep_are_optional(session, new_unit, form):
    save_unit_info(
        session,
        actor=new_unit,
        form={**form, "address": "", "legal_rep_name": "", "legal_rep_phone": ""},
    )
    unit = session.get(Organization, new_unit.org_id)
    assert unit is not None and unit.status is OrgStatus.ACTIVE
    assert unit.address is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact_phone", "12345"),
        ("contact_phone", ""),
        ("email", "hr@example"),
        ("email", ""),
        ("unit_nature_id", ""),
        ("unit_nature_id", "999999"),
        ("unit_nature_id", "abc"),
        ("division_code", "999999"),
        ("division_code", ""),
        ("contact_name", ""),
        ("contact_name", "   "),
        ("legal_rep_phone", "0551"),
        ("is_central", "maybe"),
        ("address", "地" * 201),
    ],
)
def test_registration_rejects_each_invalid_field(session, new_unit, form, field, value):
    before = db_snapshot(session)
    logs = _log_count(session)
    with pytest.raises(ValidationFailed) as caught:
        save_unit_info(session, actor=new_unit, form={**form, field: value})
    assert caught.value.field == field
    assert caught.value.message
    assert db_snapshot(session) == before
    assert _log_count(session) == logs
    unit = session.get(Organization, new_unit.org_id)
    assert unit is not None and unit.status is OrgStatus.INCOMPLETE


def test_registration_names_every_invalid_field(session, new_unit, form):
    with pytest.raises(FormInvalid) as caught:
        save_unit_info(
            session,
            actor=new_unit,
            form={**form, "contact_name": "", "email": "x", "division_code": "1"},
        )
    assert set(caught.value.errors) == {"contact_name", "email", "division_code"}
    assert caught.value.field == "contact_name"  # the first in form order
    assert caught.value.errors["contact_name"] == "请填写单位联系人"


def test_a_second_save_is_a_change_not_a_second_registration(session, new_unit, form):
    save_unit_info(session, actor=new_unit, form=form)
    # Once registered, the same function changes the information, and the address that
    # registration left optional is now required (figure 4-2).
    with pytest.raises(ValidationFailed) as caught:
        save_unit_info(session, actor=new_unit, form={**form, "address": ""})
    assert caught.value.field == "address"
    changed = save_unit_info(
        session, actor=new_unit, form={**form, "contact_name": "李四", "address": "合肥市1号"}
    )
    assert "单位联系人" in changed
    actions = session.exec(
        select(OperationLog.action)
        .where(col(OperationLog.target_id) == new_unit.org_id)
        .order_by(col(OperationLog.id))
    ).all()
    assert actions == [ACTION_REGISTER, ACTION_UPDATE]


def test_builtin_unit_completes_the_same_form(session, actor_for):
    unit = _unit(session, "希望小学")
    unit.status = OrgStatus.INCOMPLETE
    session.add(unit)
    session.commit()
    actor = actor_for("unit-xiwang")
    assert actor.needs_registration
    assert unit_profile(session, actor=actor)["uscc"] == "-"
    # Fields already on file (from operations) are kept when the form leaves them out.
    save_unit_info(session, actor=actor, form={"contact_phone": "13699998888"})
    session.expire_all()
    done = session.get(Organization, unit.id)
    assert done is not None
    assert done.status is OrgStatus.ACTIVE
    assert done.uscc is None
    assert done.contact_phone == "13699998888"
    assert done.division_code == "340104"


# ---- profile ----------------------------------------------------------------------------------


def test_profile_of_own_unit(session, actor_for):
    profile = unit_profile(session, actor=actor_for("unit-xiwang"))
    assert profile["name"] == "希望小学"
    assert profile["uscc"] == "-"
    assert profile["division_name"] == "安徽省合肥市蜀山区"
    assert profile["division_code"] == "340104"
    assert profile["unit_nature_name"] == "事业单位"
    assert profile["is_public_institution"] is True
    assert profile["is_central"] is False
    assert profile["status"] == "active"
    assert profile["license_valid_years"] is None
    other = unit_profile(session, actor=actor_for("合肥宏景软件有限公司"))
    assert other["uscc"] == "91340100683643522D"
    assert other["is_public_institution"] is False


# ---- update and its log -----------------------------------------------------------------------


def test_update_logs_exactly_the_changed_fields(session, actor_for):
    actor = actor_for("合肥宏景软件有限公司")
    unit = _unit(session, "合肥宏景软件有限公司")
    old_phone = unit.contact_phone
    changed = save_unit_info(
        session,
        actor=actor,
        form={
            **unit_profile(session, actor=actor),
            "contact_phone": "13912345678",
            "fax": "0551-65551234",
            "license_issued_on": "2015-06-01",
            "license_valid_years": "30",
            "unit_state": "已变更",
            "division_code": "340123",
        },
    )
    assert changed == [
        "手机号码",
        "属地",
        "传真号码",
        "单位状态",
        "工商登记发照日期",
        "工商登记有效期限(年)",
    ]
    entry = session.exec(
        select(OperationLog).where(col(OperationLog.action) == "unit.update")
    ).one()
    assert entry.target_kind == "organization"
    assert entry.target_id == unit.id
    assert entry.actor_account_id == actor.account_id
    assert entry.detail == {
        "changes": {
            "contact_phone": [old_phone, "13912345678"],
            "division_code": ["340100", "340123"],
            "fax": [None, "0551-65551234"],
            "unit_state": ["登记在册", "已变更"],
            "license_issued_on": [None, "2015-06-01"],
            "license_valid_years": [None, 30],
        }
    }
    session.expire_all()
    saved = session.get(Organization, unit.id)
    assert saved is not None
    assert saved.license_issued_on == date(2015, 6, 1)
    assert saved.license_valid_years == 30
    assert saved.name == "合肥宏景软件有限公司"


def test_update_without_changes_writes_no_log(session, actor_for):
    actor = actor_for("合肥宏景软件有限公司")
    profile = unit_profile(session, actor=actor)
    assert save_unit_info(session, actor=actor, form=profile) == []
    assert save_unit_info(session, actor=actor, form={}) == []
    assert save_unit_info(session, actor=actor, form={"email": " contact@example.cn "}) == []
    assert _log_count(session) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fax", "fax-number"),
        ("email", "not-an-email"),
        ("contact_phone", "23912345678"),
        ("license_valid_years", "101"),
        ("license_valid_years", "-1"),
        ("license_valid_years", "ten"),
        ("license_issued_on", "2020-13-01"),
        ("license_issued_on", (date.today() + timedelta(days=3)).isoformat()),
        ("approval_date", "2020/01/01"),
        ("unit_state", "不知道"),
        ("economic_type", "火星经济"),
        ("license_kind", "驾驶证"),
        ("tax_number", "123"),
        ("industry_code", "65"),
        ("approval_authority", "批" * 129),
        ("license_number", "号" * 65),
        ("address", ""),
        ("unit_nature_id", ""),
        ("division_code", "340999"),
    ],
)
def test_update_rejects_invalid_fields(session, actor_for, field, value):
    actor = actor_for("合肥宏景软件有限公司")
    before = db_snapshot(session)
    with pytest.raises(ValidationFailed) as caught:
        save_unit_info(session, actor=actor, form={"contact_name": "新联系人", field: value})
    assert caught.value.field == field
    assert db_snapshot(session) == before
    assert _log_count(session) == 0


def test_update_ignores_other_org_ids_in_the_form(session, actor_for):
    actor = actor_for("合肥宏景软件有限公司")
    other = _unit(session, "安徽省立医院")
    other_before = other.model_dump()
    changed = save_unit_info(
        session,
        actor=actor,
        form={
            "id": other.id,
            "org_id": other.id,
            "name": "改名",
            "uscc": other.uscc,
            "status": "incomplete",
            "contact_name": "只改本单位",
        },
    )
    assert changed == ["单位联系人"]
    session.expire_all()
    assert session.get(Organization, other.id).model_dump() == other_before  # type: ignore[union-attr]
    own = _unit(session, "合肥宏景软件有限公司")
    assert own.contact_name == "只改本单位"
    assert own.name == "合肥宏景软件有限公司"
    assert own.status is OrgStatus.ACTIVE
    assert unit_profile(session, actor=actor)["name"] == "合肥宏景软件有限公司"


def test_change_log_pages_in_sql(session, actor_for):
    actor = actor_for("合肥宏景软件有限公司")
    for phone in ("13900000001", "13900000002", "13900000003"):
        save_unit_info(session, actor=actor, form={"contact_phone": phone})
    save_unit_info(session, actor=actor, form={"unit_nature_id": _nature_id(session, "foreign")})
    # Another unit's changes never show up here.
    save_unit_info(session, actor=actor_for("安徽省立医院"), form={"fax": "0551-62283114"})
    rows, total = unit_change_log(session, actor=actor, limit=2, offset=0)
    assert total == 4
    assert len(rows) == 2
    assert rows[0]["summary"] == "单位性质：民营企业 → 外资企业"
    assert rows[0]["actor_name"] == "合肥宏景软件有限公司"
    assert rows[0]["action"] == "变更单位信息"
    assert rows[1]["summary"] == "手机号码：13900000002 → 13900000003"
    rows, total = unit_change_log(session, actor=actor, limit=2, offset=2)
    assert total == 4
    assert [r["summary"] for r in rows] == [
        "手机号码：13900000001 → 13900000002",
        "手机号码：13800000000 → 13900000001",
    ]
    assert unit_change_log(session, actor=actor, limit=2, offset=4) == ([], 4)


def test_change_log_shows_registration(session, new_unit, form):
    save_unit_info(session, actor=new_unit, form=form)
    rows, total = unit_change_log(session, actor=new_unit, limit=10, offset=0)
    assert total == 1
    assert rows[0]["action"] == "完成单位注册"
    assert "属地：空 → 安徽省合肥市肥西县" in rows[0]["summary"]
    assert "单位性质：空 → 民营企业" in rows[0]["summary"]


# ---- who may do what --------------------------------------------------------------------------


def _calls(form):
    return [
        lambda s, a: unit_profile(s, actor=a),
        lambda s, a: save_unit_info(s, actor=a, form=form),
        lambda s, a: save_unit_info(s, actor=a, form=form),
        lambda s, a: unit_change_log(s, actor=a, limit=10, offset=0),
    ]


@pytest.mark.parametrize("call", range(4))
@pytest.mark.parametrize(
    "who", [None, "李明", "dept-health-hefei", "hr-340100", "committee-health", "ops"]
)
def test_only_unit_admins_may_use_the_services(session, actor_for, new_unit, form, who, call):
    actor = actor_for(who) if who else None
    before = db_snapshot(session)
    logs = _log_count(session)
    expected = NotSignedIn if who is None else PermissionDenied
    with pytest.raises(expected):
        _calls(form)[call](session, actor)
    assert db_snapshot(session) == before
    assert _log_count(session) == logs


def test_unit_admin_without_an_org_is_refused(session, actor_for):
    from dataclasses import replace

    actor = replace(actor_for("合肥宏景软件有限公司"), org_id=None)
    with pytest.raises(PermissionDenied):
        unit_profile(session, actor=actor)
    with pytest.raises(PermissionDenied):
        save_unit_info(session, actor=actor, form={"contact_name": "x"})


# ---- reference lists --------------------------------------------------------------------------


def test_division_options_tree_order(session):
    options = division_options(session)
    assert options[0]["name"] == "安徽省"
    assert options[0]["depth"] == 0
    assert options[1]["name"] == "合肥市"
    assert options[1]["depth"] == 1
    assert options[2]["parent_code"] == "340100"
    assert options[2]["depth"] == 2
    assert sum(1 for o in options if o["depth"] == 1) == 16
    by_code = {o["code"]: o for o in options}
    assert by_code["340123"]["full_name"] == "安徽省合肥市肥西县"
    # Every division follows its parent.
    seen: set[str] = set()
    for option in options:
        if option["parent_code"]:
            assert option["parent_code"] in seen
        seen.add(option["code"])


def test_division_filter_keeps_ancestors(session):
    options = division_options(session, "肥西")
    assert [o["name"] for o in options] == ["安徽省", "合肥市", "肥西县"]
    assert [o["depth"] for o in options] == [0, 1, 2]
    assert options[-1]["full_name"] == "安徽省合肥市肥西县"
    assert division_options(session, "不存在的地方") == []
    matched = division_options(session, "开发区")
    assert matched[0]["name"] == "安徽省"
    assert all("开发区" in o["name"] or o["depth"] < 2 for o in matched)
    assert [o["name"] for o in division_options(session, "340123")][-1] == "肥西县"
    assert division_options(session, "  ") == division_options(session)


def test_unit_natures_lists_active_ones(session):
    names = [n["name"] for n in unit_natures(session)]
    assert names[0] == "机关"
    assert "事业单位" in names
    nature = session.get(UnitNature, _nature_id(session, "other"))
    nature.active = False
    session.add(nature)
    session.commit()
    assert "其他" not in [n["name"] for n in unit_natures(session)]


def test_registration_is_the_engines_move_and_happens_once_under_a_race(session, new_unit, form):
    """Two tabs submit 单位注册 at the same moment: one registers (INCOMPLETE → ACTIVE, one
    flow row, one register log), the other then finds the unit registered and saves as a
    change; the unit is never registered twice."""
    import threading

    from ahportal.db import get_engine
    from ahportal.models import FlowRecord, RecordKind

    session.rollback()
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def submit(index: int, contact: str) -> None:
        with Session(get_engine(), expire_on_commit=False) as own:
            barrier.wait()
            try:
                save_unit_info(own, actor=new_unit, form={**form, "contact_name": contact})
                results[index] = "ok"
            except Exception as error:
                results[index] = error

    threads = [threading.Thread(target=submit, args=(i, c)) for i, c in enumerate("甲乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == ["ok", "ok"], results
    unit = session.get(Organization, new_unit.org_id)
    assert unit is not None and unit.status is OrgStatus.ACTIVE
    flows = session.exec(
        select(FlowRecord).where(
            col(FlowRecord.kind) == RecordKind.UNIT, col(FlowRecord.record_id) == unit.id
        )
    ).all()
    assert [(f.action, f.from_status, f.to_status) for f in flows] == [
        ("register", "incomplete", "active")
    ]
    actions = session.exec(
        select(OperationLog.action)
        .where(col(OperationLog.target_id) == unit.id)
        .order_by(col(OperationLog.id))
    ).all()
    assert actions == [ACTION_REGISTER, ACTION_UPDATE]
