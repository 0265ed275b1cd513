"""账号管理: operations build in accounts, reset passwords, disable and enable them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from ahportal.models import (
    Account,
    AuthSession,
    HrLevel,
    LoginMethod,
    LoginThrottle,
    OperationLog,
    Organization,
    OrgKind,
    OrgStatus,
    Role,
)
from ahportal.seeding import DEMO_PASSWORD
from ahportal.services.errors import (
    NotFound,
    NotSignedIn,
    PermissionDenied,
    SignInFailed,
    ValidationFailed,
)
from ahportal.services.org_accounts import (
    AccountState,
    create_org_account,
    form_options,
    generate_password,
    list_accounts,
    reset_password,
    set_disabled,
)
from ahportal.services.sessions import authenticate_password, resolve_actor, start_session
from ahportal.state import display
from tests.helpers import db_snapshot

NON_OPS = ["李明", "安徽省立医院", "dept-health-hefei", "hr-340100", "committee-health"]


def _account(session, username):
    return session.exec(select(Account).where(col(Account.username) == username)).one()


def _org_id(session, kind, name):
    return session.exec(
        select(Organization.id).where(
            col(Organization.kind) == kind, col(Organization.name) == name
        )
    ).one()


def _sign_in(session, username, password):
    account = authenticate_password(session, username=username, password=password)
    return start_session(session, account=account)


def test_generated_passwords_are_strong_and_differ():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert re.fullmatch(r"[A-Za-z0-9]{12}", password)
        assert re.search(r"[A-Za-z]", password) and re.search(r"\d", password)


# --- creating -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "username", "division", "extra", "role", "status"),
    [
        (
            OrgKind.UNIT,
            "蜀山区实验幼儿园",
            "unit-youeryuan",
            "340104",
            {},
            Role.UNIT_ADMIN,
            OrgStatus.INCOMPLETE,
        ),
        (
            OrgKind.DEPARTMENT,
            "肥东县教育体育局",
            "dept-edu-feidong",
            "340122",
            {},
            Role.DEPARTMENT,
            OrgStatus.ACTIVE,
        ),
        (
            OrgKind.HR_BUREAU,
            "肥东县人力资源和社会保障局",
            "hr-340122",
            "340122",
            {"hr_level": "county"},
            Role.HR_BUREAU,
            OrgStatus.ACTIVE,
        ),
        (
            OrgKind.COMMITTEE_ORGANIZER,
            "安徽省教育厅（中小学教师系列高级评委会组建单位）",
            "committee-edu",
            "340000",
            {},
            Role.COMMITTEE_ORGANIZER,
            OrgStatus.ACTIVE,
        ),
    ],
)
def test_create_each_kind(session, actor_for, kind, name, username, division, extra, role, status):
    ops = actor_for("ops")
    account_id, password = create_org_account(
        session,
        actor=ops,
        kind=kind.value,
        name=f"  {name} ",
        username=username.upper(),
        division_code=division,
        **extra,
    )
    account = session.get(Account, account_id)
    assert account is not None
    assert account.username == username
    assert account.role is role and account.login_method is LoginMethod.BUILTIN
    assert account.display_name == name
    assert password not in (account.password_hash or "")
    org = session.get(Organization, account.org_id)
    assert org is not None
    assert (org.kind, org.name, org.division_code, org.status) == (kind, name, division, status)
    if kind is OrgKind.HR_BUREAU:
        assert org.hr_level is HrLevel.COUNTY
    else:
        assert org.hr_level is None
    log = session.exec(
        select(OperationLog).where(col(OperationLog.action) == "account.create")
    ).one()
    assert log.actor_account_id == ops.account_id and log.target_id == account_id
    assert log.detail["kind"] == kind.value
    assert log.detail["name"] == name and log.detail["username"] == username
    assert password not in str(log.detail)
    signed_in = authenticate_password(session, username=username, password=password)
    assert signed_in.id == account_id


def test_new_builtin_unit_signs_in_and_must_complete_its_information(session, actor_for):
    hr = _org_id(session, OrgKind.HR_BUREAU, "合肥市人力资源和社会保障局")
    dept = _org_id(session, OrgKind.DEPARTMENT, "蜀山区教育体育局")
    account_id, password = create_org_account(
        session,
        actor=actor_for("ops"),
        kind="unit",
        name="蜀山区红星小学",
        username="unit-hongxing",
        division_code="340104",
        department_id=str(dept),
        requested_by_id=str(hr),
    )
    token = _sign_in(session, "unit-hongxing", password)
    actor = resolve_actor(session, token)
    assert actor is not None
    assert actor.account_id == account_id and actor.role is Role.UNIT_ADMIN
    assert actor.needs_registration is True
    assert actor.must_change_password is True  # operations chose the password
    assert actor.org_name == "蜀山区红星小学" and actor.division_code == "340104"
    org = session.get(Organization, actor.org_id)
    assert org is not None and org.department_id == dept and org.uscc is None
    log = session.exec(
        select(OperationLog).where(
            col(OperationLog.target_id) == account_id, col(OperationLog.action) == "account.create"
        )
    ).one()
    assert log.detail["requested_by"] == {"org_id": hr, "name": "合肥市人力资源和社会保障局"}


@pytest.mark.parametrize(
    ("level", "division", "word"),
    [
        ("city", "340122", "市级"),
        ("province", "340100", "省级"),
        ("county", "340000", "县级"),
        ("county", "340100", "县级"),
    ],
)
def test_hr_bureau_level_must_match_division(session, actor_for, level, division, word):
    before = db_snapshot(session)
    with pytest.raises(ValidationFailed) as exc:
        create_org_account(
            session,
            actor=actor_for("ops"),
            kind="hr_bureau",
            name="某人社局",
            username="hr-new",
            division_code=division,
            hr_level=level,
        )
    assert exc.value.field == "division_code"
    assert "属地" in exc.value.message and word in exc.value.message
    assert db_snapshot(session) == before


def test_hr_bureau_needs_level_and_one_per_division(session, actor_for):
    ops = actor_for("ops")
    with pytest.raises(ValidationFailed) as missing:
        create_org_account(
            session,
            actor=ops,
            kind="hr_bureau",
            name="肥东县人社局",
            username="hr-340122",
            division_code="340122",
        )
    assert missing.value.field == "hr_level" and "人社部门级别" in missing.value.message
    with pytest.raises(ValidationFailed) as taken:
        create_org_account(
            session,
            actor=ops,
            kind="hr_bureau",
            name="合肥市人社局（新）",
            username="hr-340100-b",
            division_code="340100",
            hr_level="city",
        )
    assert taken.value.field == "division_code" and "已有人社部门" in taken.value.message


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"kind": "ops"}, "kind", "账号类型"),
        ({"kind": "applicant"}, "kind", "账号类型"),
        ({"name": "   "}, "name", "名称"),
        ({"name": "长" * 129}, "name", "名称"),
        ({"name": "安徽省教育厅", "kind": "department"}, "name", "已存在"),
        ({"username": "ab"}, "username", "用户名"),
        ({"username": "中文名"}, "username", "用户名"),
        ({"username": "ops"}, "username", "已被使用"),
        ({"username": "HR-340100"}, "username", "已被使用"),
        ({"division_code": ""}, "division_code", "属地"),
        ({"division_code": "999999"}, "division_code", "属地"),
        ({"requested_by_id": "abc"}, "requested_by_id", "申请人社部门"),
        ({"requested_by_id": "1"}, "requested_by_id", "申请人社部门"),
        ({"department_id": "x"}, "department_id", "业务主管部门"),
    ],
)
def test_invalid_input_names_the_field_and_changes_nothing(
    session, actor_for, values, field, words
):
    form = {
        "kind": "unit",
        "name": "测试单位",
        "username": "unit-test",
        "division_code": "340104",
    } | values
    before = db_snapshot(session)
    with pytest.raises(ValidationFailed) as exc:
        create_org_account(session, actor=actor_for("ops"), **form)
    assert exc.value.field == field
    assert words in exc.value.message
    assert db_snapshot(session) == before


def test_requesting_bureau_must_cover_the_territory(session, actor_for):
    wuhu_county = _org_id(session, OrgKind.HR_BUREAU, "镜湖区人力资源和社会保障局")
    with pytest.raises(ValidationFailed) as exc:
        create_org_account(
            session,
            actor=actor_for("ops"),
            kind="unit",
            name="蜀山区某学校",
            username="unit-moumou",
            division_code="340104",
            requested_by_id=wuhu_county,
        )
    assert exc.value.field == "requested_by_id" and "管辖范围" in exc.value.message
    province = _org_id(session, OrgKind.HR_BUREAU, "安徽省人力资源和社会保障厅")
    account_id, _ = create_org_account(
        session,
        actor=actor_for("ops"),
        kind="unit",
        name="蜀山区某学校",
        username="unit-moumou",
        division_code="340104",
        requested_by_id=province,
    )
    assert account_id > 0


def test_duplicate_username_refused(session, actor_for):
    ops = actor_for("ops")
    create_org_account(
        session,
        actor=ops,
        kind="department",
        name="肥东县卫生健康委员会",
        username="dept-feidong",
        division_code="340122",
    )
    before = db_snapshot(session)
    with pytest.raises(ValidationFailed) as exc:
        create_org_account(
            session,
            actor=ops,
            kind="department",
            name="肥西县卫生健康委员会",
            username="Dept-Feidong",
            division_code="340123",
        )
    assert exc.value.field == "username" and "dept-feidong" in exc.value.message
    assert db_snapshot(session) == before


def test_same_name_allowed_for_a_different_kind(session, actor_for):
    # 蜀山区教育体育局 is both a department and a unit (seed 002 三.1); the kinds are separate.
    account_id, _ = create_org_account(
        session,
        actor=actor_for("ops"),
        kind="committee_organizer",
        name="蜀山区教育体育局",
        username="committee-shushan",
        division_code="340104",
    )
    assert account_id


# --- reset password -------------------------------------------------------------------------


def test_reset_password_replaces_it_and_ends_sessions(session, actor_for):
    token = _sign_in(session, "dept-health-hefei", DEMO_PASSWORD)
    target = _account(session, "dept-health-hefei")
    new = reset_password(session, actor=actor_for("ops"), account_id=str(target.id))
    assert re.fullmatch(r"[A-Za-z0-9]{12}", new)
    assert resolve_actor(session, token) is None
    session.refresh(target)
    assert target.must_change_password is True  # operations chose the password
    with pytest.raises(SignInFailed):
        authenticate_password(session, username="dept-health-hefei", password=DEMO_PASSWORD)
    assert authenticate_password(session, username="dept-health-hefei", password=new).id == (
        target.id
    )
    log = session.exec(
        select(OperationLog).where(col(OperationLog.action) == "account.reset_password")
    ).one()
    assert log.target_id == target.id and log.detail["sessions_ended"] == 1
    assert new not in str(log.detail)


def test_reset_password_unlocks_a_locked_account(session, actor_for):
    for _ in range(5):
        with pytest.raises(SignInFailed):
            authenticate_password(session, username="unit-xiwang", password="wrong-pass1")
    rows, _ = list_accounts(
        session, actor=actor_for("ops"), keyword="unit-xiwang", limit=10, offset=0
    )
    assert rows[0].state is AccountState.LOCKED
    new = reset_password(session, actor=actor_for("ops"), account_id=rows[0].id)
    assert session.get(LoginThrottle, "unit-xiwang") is None
    assert authenticate_password(session, username="unit-xiwang", password=new)
    rows, _ = list_accounts(
        session, actor=actor_for("ops"), keyword="unit-xiwang", limit=10, offset=0
    )
    assert rows[0].state is AccountState.ACTIVE


@pytest.mark.parametrize("bad_id", ["abc", "", None, "0", "-3", 999999, "1.5", True])
def test_unknown_account_ids_are_not_found(session, actor_for, bad_id):
    ops = actor_for("ops")
    with pytest.raises(NotFound):
        reset_password(session, actor=ops, account_id=bad_id)
    with pytest.raises(NotFound):
        set_disabled(session, actor=ops, account_id=bad_id, disabled=True)


def test_govnet_accounts_cannot_be_managed_here(session, actor_for):
    applicant = session.exec(select(Account).where(col(Account.display_name) == "李明")).one()
    before = db_snapshot(session)
    with pytest.raises(PermissionDenied) as exc:
        reset_password(session, actor=actor_for("ops"), account_id=applicant.id)
    assert "政务服务网" in exc.value.message
    with pytest.raises(PermissionDenied):
        set_disabled(session, actor=actor_for("ops"), account_id=applicant.id, disabled=True)
    assert db_snapshot(session) == before


def test_ops_cannot_reset_its_own_password(session, actor_for):
    ops = actor_for("ops")
    before = db_snapshot(session)
    with pytest.raises(PermissionDenied):
        reset_password(session, actor=ops, account_id=ops.account_id)
    assert db_snapshot(session) == before


# --- disable and enable ---------------------------------------------------------------------


def test_disable_ends_sessions_at_once_and_enable_restores(session, actor_for):
    ops = actor_for("ops")
    token = _sign_in(session, "hr-340100", DEMO_PASSWORD)
    other = _sign_in(session, "hr-340100", DEMO_PASSWORD)
    target = _account(session, "hr-340100")
    assert set_disabled(session, actor=ops, account_id=target.id, disabled=True) == 2
    assert resolve_actor(session, token) is None and resolve_actor(session, other) is None
    ended = session.exec(select(AuthSession).where(col(AuthSession.account_id) == target.id)).all()
    assert {s.ended_reason for s in ended} == {"disabled"}
    with pytest.raises(SignInFailed) as exc:
        authenticate_password(session, username="hr-340100", password=DEMO_PASSWORD)
    assert "停用" in exc.value.message
    rows, _ = list_accounts(session, actor=ops, keyword="hr-340100", limit=10, offset=0)
    assert rows[0].state is AccountState.DISABLED and rows[0].disabled is True
    # Disabling again changes nothing and logs nothing.
    logs = session.exec(select(func.count()).select_from(OperationLog)).one()
    assert set_disabled(session, actor=ops, account_id=target.id, disabled=True) == 0
    assert session.exec(select(func.count()).select_from(OperationLog)).one() == logs
    set_disabled(session, actor=ops, account_id=str(target.id), disabled=False)
    token = _sign_in(session, "hr-340100", DEMO_PASSWORD)
    assert resolve_actor(session, token) is not None
    actions = session.exec(
        select(OperationLog.action)
        .where(col(OperationLog.target_kind) == "account", col(OperationLog.target_id) == target.id)
        .where(col(OperationLog.action).like("account.%"))  # sign-ins are logged too
        .order_by(col(OperationLog.id))
    ).all()
    assert actions == ["account.disable", "account.enable"]


def test_ops_cannot_disable_itself(session, actor_for):
    ops = actor_for("ops")
    before = db_snapshot(session)
    with pytest.raises(PermissionDenied) as exc:
        set_disabled(session, actor=ops, account_id=ops.account_id, disabled=True)
    assert "当前登录" in exc.value.message
    assert db_snapshot(session) == before


def test_disabled_flag_must_be_a_boolean(session, actor_for):
    target = _account(session, "hr-340100")
    with pytest.raises(ValidationFailed):
        set_disabled(session, actor=actor_for("ops"), account_id=target.id, disabled="false")
    assert not _account(session, "hr-340100").disabled


# --- listing --------------------------------------------------------------------------------


def _builtin_count(session, *conditions):
    return session.exec(
        select(func.count())
        .select_from(Account)
        .where(col(Account.login_method) == LoginMethod.BUILTIN, *conditions)
    ).one()


def test_list_pages_through_every_builtin_account_newest_first(session, actor_for):
    ops = actor_for("ops")
    created, _ = create_org_account(
        session,
        actor=ops,
        kind="unit",
        name="最新内置单位",
        username="unit-newest",
        division_code="340181",
    )
    expected = _builtin_count(session)
    seen: list[int] = []
    offset = 0
    while True:
        rows, total = list_accounts(session, actor=ops, limit=7, offset=offset)
        assert total == expected
        assert len(rows) <= 7
        if not rows:
            break
        seen += [row.id for row in rows]
        offset += 7
    assert len(seen) == expected == len(set(seen))
    assert seen[0] == created
    govnet = session.exec(
        select(Account.id).where(col(Account.login_method) == LoginMethod.GOVNET)
    ).all()
    assert not set(govnet) & set(seen)
    first, _ = list_accounts(session, actor=ops, limit=1, offset=0)
    row = first[0]
    assert row.username == "unit-newest" and row.org_name == "最新内置单位"
    assert row.role is Role.UNIT_ADMIN and row.state is AccountState.ACTIVE
    assert row.territory == "安徽省合肥市巢湖市"
    assert row.created_at.tzinfo is not None


def test_list_rows_show_hr_level_and_territory(session, actor_for):
    rows, total = list_accounts(
        session, actor=actor_for("ops"), keyword="hr-340000", limit=10, offset=0
    )
    assert total == 1
    assert (rows[0].role, rows[0].hr_level) == (Role.HR_BUREAU, HrLevel.PROVINCE)
    assert display.role_label(rows[0].role, rows[0].hr_level) == "省级人社部门"
    assert rows[0].territory == "安徽省"
    rows, _ = list_accounts(
        session, actor=actor_for("ops"), keyword="hr-340104", limit=10, offset=0
    )
    assert display.role_label(rows[0].role, rows[0].hr_level) == "县级人社部门"
    assert rows[0].territory == "安徽省合肥市蜀山区"
    ops_rows, _ = list_accounts(session, actor=actor_for("ops"), keyword="ops", limit=10, offset=0)
    assert any(r.is_self for r in ops_rows)


def test_list_filters_by_role_and_keyword(session, actor_for):
    ops = actor_for("ops")
    rows, total = list_accounts(session, actor=ops, role="hr_bureau", limit=100, offset=0)
    assert total == _builtin_count(session, col(Account.role) == Role.HR_BUREAU) == len(rows)
    assert {r.role for r in rows} == {"hr_bureau"}
    # The keyword matches usernames (case-insensitively) and organisation names.
    rows, total = list_accounts(session, actor=ops, keyword="HR-3401", limit=100, offset=0)
    assert {r.username for r in rows} == {"hr-340100", "hr-340104", "hr-340111", "hr-340123"}
    rows, total = list_accounts(session, actor=ops, keyword="合肥市", limit=100, offset=0)
    assert {r.username for r in rows} == {"hr-340100", "dept-health-hefei"}
    rows, total = list_accounts(
        session, actor=ops, keyword="合肥市", role="department", limit=100, offset=0
    )
    assert [r.username for r in rows] == ["dept-health-hefei"] and total == 1
    rows, total = list_accounts(session, actor=ops, keyword="希望小学", limit=100, offset=0)
    assert [r.username for r in rows] == ["unit-xiwang"]


def test_list_keyword_wildcards_are_literal(session, actor_for):
    ops = actor_for("ops")
    create_org_account(
        session,
        actor=ops,
        kind="unit",
        name="百分之百%单位",
        username="unit_under",
        division_code="340104",
    )
    for keyword in ("%", "_"):
        rows, total = list_accounts(session, actor=ops, keyword=keyword, limit=100, offset=0)
        assert [r.username for r in rows] == ["unit_under"] and total == 1
    rows, total = list_accounts(session, actor=ops, keyword="no-such-thing", limit=10, offset=0)
    assert rows == [] and total == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": "applicant"}, "role"),
        ({"role": "nonsense"}, "role"),
        ({"limit": 0}, "page"),
        ({"limit": 101}, "page"),
        ({"offset": -1}, "page"),
        ({"limit": "x"}, "page"),
        ({"keyword": "k" * 65}, "keyword"),
    ],
)
def test_list_rejects_bad_parameters(session, actor_for, kwargs, field):
    params = {"limit": 10, "offset": 0} | kwargs
    with pytest.raises(ValidationFailed) as exc:
        list_accounts(session, actor=actor_for("ops"), **params)
    assert exc.value.field == field


def test_form_options_group_divisions(session, actor_for):
    options = form_options(session, actor=actor_for("ops"))
    assert options["province"] == [{"value": "340000", "label": "安徽省"}]
    assert {"value": "340100", "label": "合肥市"} in options["city"]
    assert {"value": "340104", "label": "合肥市 · 蜀山区"} in options["county"]
    assert len(options["city"]) == 16
    assert {
        "value": str(_org_id(session, OrgKind.HR_BUREAU, "合肥市人力资源和社会保障局")),
        "label": "合肥市人力资源和社会保障局",
    } in options["hr_bureaus"]
    assert len(options["departments"]) == 4


# --- permission matrix ----------------------------------------------------------------------


def _calls(session):
    target = _account(session, "dept-edu-province").id
    return {
        "list_accounts": lambda actor: list_accounts(session, actor=actor, limit=10, offset=0),
        "form_options": lambda actor: form_options(session, actor=actor),
        "create_org_account": lambda actor: create_org_account(
            session,
            actor=actor,
            kind="unit",
            name="越权单位",
            username="unit-forbidden",
            division_code="340104",
        ),
        "reset_password": lambda actor: reset_password(session, actor=actor, account_id=target),
        "disable": lambda actor: set_disabled(
            session, actor=actor, account_id=target, disabled=True
        ),
        "enable": lambda actor: set_disabled(
            session, actor=actor, account_id=target, disabled=False
        ),
    }


@pytest.mark.parametrize(
    "call",
    ["list_accounts", "form_options", "create_org_account", "reset_password", "disable", "enable"],
)
def test_anonymous_is_refused_and_nothing_changes(session, call):
    before = db_snapshot(session)
    with pytest.raises(NotSignedIn):
        _calls(session)[call](None)
    assert db_snapshot(session) == before


@pytest.mark.parametrize("who", NON_OPS)
def test_other_roles_are_refused_everything_and_nothing_changes(session, actor_for, who):
    actor = actor_for(who)
    assert actor.role is not Role.OPS
    _sign_in(session, "dept-edu-province", DEMO_PASSWORD)
    before = db_snapshot(session)
    for name, call in _calls(session).items():
        with pytest.raises(PermissionDenied):
            call(actor)
        assert db_snapshot(session) == before, name


@pytest.mark.parametrize("account_id", [2**31, 2**63, "99999999999999999999", "²", -1, True])
def test_ids_the_database_cannot_hold_are_unknown_accounts(session, actor_for, account_id):
    with pytest.raises(NotFound):
        reset_password(session, actor=actor_for("ops"), account_id=account_id)
