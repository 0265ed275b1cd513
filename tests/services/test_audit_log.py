"""操作日志 (issue 10): each logged action writes exactly one row naming who (name, role,
organisation), what, which record, from where and with what result; no row can be changed
or deleted (the service has no such function, the database trigger refuses raw SQL on
SQLite and PostgreSQL); the archive command moves exactly the rows older than six months.
"""

from __future__ import annotations

import gzip
import inspect
import io
import json
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select
from stdnum.cn import ric

from ahportal import cli
from ahportal.models import Account, AuditCategory, AuditResult, OperationLog, Role, utcnow
from ahportal.seeding import DEMO_PASSWORD
from ahportal.services import (
    audit_archive,
    audit_log,
    bindings,
    imports,
    leaders,
    org_accounts,
    sessions,
)
from ahportal.services.errors import SignInFailed
from ahportal.services.library_catalog import PUBLIC_HOURS_FIELDS
from ahportal.services.permissions import Actor
from ahportal.settings import get_settings
from tests.factories import make_request, make_unit

IP = "203.0.113.7"


def _rows(session: Session, after: int) -> list[OperationLog]:
    session.rollback()
    session.expire_all()
    return list(
        session.exec(
            select(OperationLog).where(col(OperationLog.id) > after).order_by(col(OperationLog.id))
        )
    )


def _last_id(session: Session) -> int:
    session.rollback()
    return int(session.exec(select(func.coalesce(func.max(OperationLog.id), 0))).one())


def _with_ip(actor: Actor) -> Actor:
    return replace(actor, ip=IP)


# ---- sign-in and sign-out -------------------------------------------------------------------


def test_a_password_sign_in_writes_one_success_row(session):
    mark = _last_id(session)
    account = sessions.authenticate_password(
        session, username="hr-340100", password=DEMO_PASSWORD, client_ip=IP
    )
    sessions.start_session(session, account=account, client_ip=IP)
    (row,) = _rows(session, mark)
    assert (row.action, row.category, row.result) == (
        "auth.sign_in",
        AuditCategory.SIGN_IN,
        AuditResult.SUCCESS,
    )
    assert row.actor_account_id == account.id and row.username == "hr-340100"
    assert row.actor_role is Role.HR_BUREAU
    assert row.org_id == account.org_id and row.org_name == "合肥市人力资源和社会保障局"
    assert row.ip == IP and row.summary == "登录成功"


def test_a_wrong_password_writes_one_failure_row_naming_the_username(session):
    mark = _last_id(session)
    with pytest.raises(SignInFailed):
        sessions.authenticate_password(
            session, username="hr-340100", password="wrong-password", client_ip=IP
        )
    (row,) = _rows(session, mark)
    assert row.result is AuditResult.FAILURE and row.category is AuditCategory.SIGN_IN
    assert row.actor_account_id is None and row.actor_role is None and row.org_name is None
    assert row.username == "hr-340100" and row.ip == IP
    assert row.detail == {"method": "builtin", "reason": "wrong"}


def test_a_lockout_is_logged_once_per_attempt(session):
    limit = get_settings().lockout_attempts
    mark = _last_id(session)
    for _ in range(limit + 1):
        with pytest.raises(SignInFailed):
            sessions.authenticate_password(
                session, username="nobody-here", password="wrong-password", client_ip=IP
            )
    rows = _rows(session, mark)
    assert len(rows) == limit + 1
    assert [r.result for r in rows] == [AuditResult.FAILURE] * (limit - 1) + [
        AuditResult.LOCKED
    ] * 2
    assert {r.username for r in rows} == {"nobody-here"}


def test_a_disabled_account_is_refused_and_named(session, actor_for):
    account = session.exec(select(Account).where(col(Account.username) == "hr-340100")).one()
    org_accounts.set_disabled(session, actor=actor_for("ops"), account_id=account.id, disabled=True)
    mark = _last_id(session)
    with pytest.raises(SignInFailed):
        sessions.authenticate_password(
            session, username="hr-340100", password=DEMO_PASSWORD, client_ip=IP
        )
    (row,) = _rows(session, mark)
    assert row.result is AuditResult.REFUSED and row.actor_account_id == account.id


def test_sign_out_writes_one_row_and_a_replaced_session_none(session):
    account = session.exec(select(Account).where(col(Account.username) == "ops")).one()
    token = sessions.start_session(session, account=account)
    mark = _last_id(session)
    assert sessions.end_session(session, token, client_ip=IP)
    (row,) = _rows(session, mark)
    assert (row.action, row.category, row.ip) == ("auth.sign_out", AuditCategory.SIGN_OUT, IP)
    assert row.actor_role is Role.OPS and row.actor_name == account.display_name
    again = sessions.start_session(session, account=account)
    mark = _last_id(session)
    sessions.end_session(session, again, reason="replaced")
    assert _rows(session, mark) == []


def test_the_actor_carries_the_ip_it_was_resolved_with(session):
    account = session.exec(select(Account).where(col(Account.username) == "ops")).one()
    token = sessions.start_session(session, account=account)
    actor = sessions.resolve_actor(session, token, client_ip=IP)
    assert actor is not None and actor.ip == IP


# ---- account changes, decisions, exports, imports ------------------------------------------


def test_an_account_change_writes_one_row_with_the_operators_ip(session, actor_for):
    ops = _with_ip(actor_for("ops"))
    target = session.exec(select(Account).where(col(Account.username) == "hr-340200")).one()
    mark = _last_id(session)
    org_accounts.reset_password(session, actor=ops, account_id=target.id)
    (row,) = _rows(session, mark)
    assert (row.action, row.category) == ("account.reset_password", AuditCategory.ACCOUNT)
    assert (row.target_kind, row.target_id) == ("account", target.id)
    assert row.actor_role is Role.OPS and row.ip == IP and row.summary == "重置密码"


def test_a_decision_writes_one_row_in_its_transaction(session):
    unit = make_unit(session)
    request = make_request(session, unit=unit, name="吴一")
    mark = _last_id(session)
    bindings.decide_binding(
        session, actor=_with_ip(unit), binding_id=request.id, action="approve", opinion="同意"
    )
    (row,) = _rows(session, mark)
    assert (row.action, row.category) == ("binding.approve", AuditCategory.DECISION)
    assert (row.target_kind, row.target_id) == ("binding", request.id)
    assert row.actor_role is Role.UNIT_ADMIN and row.org_id == unit.org_id
    assert row.org_name == unit.org_name and row.ip == IP
    assert row.detail["from"] == "pending" and row.detail["to"] == "approved"


def test_a_refused_decision_writes_nothing(session, actor_for):
    unit = make_unit(session)
    request = make_request(session, unit=unit, name="吴二")
    mark = _last_id(session)
    with pytest.raises(Exception):
        bindings.decide_binding(
            session,
            actor=actor_for("合肥宏景软件有限公司"),
            binding_id=request.id,
            action="approve",
        )
    assert _rows(session, mark) == []


def test_a_batch_decision_writes_one_row_per_record(session):
    unit = make_unit(session)
    first = make_request(session, unit=unit, name="吴三")
    second = make_request(session, unit=unit, name="吴四")
    mark = _last_id(session)
    result = bindings.decide_bindings(
        session, actor=unit, binding_ids=[first.id, second.id, 999999], action="approve"
    )
    assert (result.succeeded, result.failed) == (2, 1)
    rows = _rows(session, mark)
    assert sorted(r.target_id for r in rows) == sorted([first.id, second.id])
    assert {r.action for r in rows} == {"binding.approve"}


def test_an_export_writes_one_row_and_an_empty_one_none(session, actor_for):
    unit = _with_ip(make_unit(session))
    make_request(session, unit=unit, name="吴导出")
    mark = _last_id(session)
    exported = bindings.export_bindings(session, actor=unit, status_label=str)
    assert exported.rows == 1 and exported.data.startswith(b"PK")
    (row,) = _rows(session, mark)
    assert (row.action, row.category, row.ip) == ("binding.export", AuditCategory.EXPORT, IP)
    assert row.detail["rows"] == 1
    # The province's 评审结果 under a batch with no result: no file, no row.
    province = _with_ip(actor_for("hr-340000"))
    assert leaders.export_results(session, actor=province, batch="无此批次").rows == 0
    assert _rows(session, mark) == [row]


def test_an_import_writes_one_row(session, actor_for):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("数据")
    sheet.append([spec.label for spec in PUBLIC_HOURS_FIELDS])
    for serial, name in ((11, "学员甲"), (12, "学员乙")):
        body = f"340104199001010{serial}"
        sheet.append([body + ric.calc_check_digit(body + "0"), name, 2025, "审计日志课程", 2])
    out = io.BytesIO()
    book.save(out)
    mark = _last_id(session)
    report = imports.import_public_hours(session, actor=actor_for("ops"), data=out.getvalue())
    assert report.imported == 2, report.errors
    (row,) = _rows(session, mark)
    assert (row.action, row.category) == ("cpd.import_public", AuditCategory.IMPORT)
    assert row.detail == {"rows": 2}


# ---- operations' view and export ------------------------------------------------------------


def test_operations_filters_pages_and_exports_the_log(session, actor_for):
    ops = _with_ip(actor_for("ops"))
    with pytest.raises(SignInFailed):
        sessions.authenticate_password(
            session, username="=cmd|' /C calc'!A0", password="x-wrong-1", client_ip=IP
        )
    filters = audit_log.clean_filters(
        keyword="=cmd", category="sign_in", result="failure", date_from="2020-01-01"
    )
    rows, total = audit_log.list_entries(session, actor=ops, filters=filters, limit=10)
    assert total == 1 and rows[0].username == "=cmd|' /c calc'!a0" and rows[0].ip == IP
    mark = _last_id(session)
    exported = audit_log.export(session, actor=ops, filters=filters)
    assert exported.rows == 1
    sheet = load_workbook(io.BytesIO(exported.data)).active
    assert sheet is not None and sheet.freeze_panes == "A3"
    assert "操作类型 登录" in str(sheet["A1"].value) and "导出时间" in str(sheet["A1"].value)
    assert [c.value for c in sheet[2]] == audit_log.EXPORT_HEADERS
    assert sheet["C3"].value == "'=cmd|' /c calc'!a0" and sheet["J3"].value == IP
    for line in sheet.iter_rows(values_only=True):
        assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in line)
    (logged,) = _rows(session, mark)
    assert (logged.action, logged.category) == ("audit_log.export", AuditCategory.EXPORT)


def test_bad_filters_name_their_field():
    with pytest.raises(Exception, match="结束日期不能早于开始日期"):
        audit_log.clean_filters(date_from="2026-05-02", date_to="2026-05-01")
    with pytest.raises(Exception, match="操作类型"):
        audit_log.clean_filters(category="drop table")


# ---- append-only -----------------------------------------------------------------------------


def test_the_services_have_no_way_to_change_or_remove_a_row():
    names = [n for n, f in inspect.getmembers(audit_log, inspect.isfunction)]
    assert not [n for n in names if re.match(r"_?(update|delete|remove|edit|change|purge)", n)]
    source = inspect.getsource(audit_log)
    assert "delete(" not in source and "update(" not in source
    # The archive is the command's alone: no portal module imports it.
    root = Path(audit_log.__file__).resolve().parent.parent
    users = [
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if re.search(r"audit_archive import|import audit_archive", p.read_text(encoding="utf-8"))
    ]
    assert users == ["cli.py"]


def _some_row(session: Session) -> int:
    row = audit_log.record(session, None, "auth.sign_in", username="someone", ip=IP)
    session.commit()
    assert row.id is not None
    return row.id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE operation_log SET result = 'success', username = 'x' WHERE id = :id",
        "UPDATE operation_log SET created_at = created_at WHERE id = :id",
        "DELETE FROM operation_log WHERE id = :id",
        "DELETE FROM operation_log",
    ],
)
def test_raw_sql_cannot_change_or_delete_a_row(session, statement):
    ident = _some_row(session)
    before = session.exec(select(func.count()).select_from(OperationLog)).one()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement), {"id": ident})
        session.commit()
    session.rollback()
    assert session.exec(select(func.count()).select_from(OperationLog)).one() == before
    assert session.get(OperationLog, ident, populate_existing=True).username == "someone"


def test_truncate_is_refused_on_postgresql(session):
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    _some_row(session)
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("TRUNCATE operation_log CASCADE"))
    session.rollback()


def test_even_the_archive_escape_cannot_delete_a_recent_row(session):
    ident = _some_row(session)
    audit_archive._open_escape(session)
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("DELETE FROM operation_log WHERE id = :id"), {"id": ident})
    session.rollback()
    assert session.get(OperationLog, ident) is not None


# ---- archive ---------------------------------------------------------------------------------


def _insert_at(session: Session, days_ago: int, action: str) -> None:
    """A row dated in the past (an INSERT: the trigger guards only changes)."""
    row = audit_log.record(session, None, action, username="old-user", ip=IP)
    row.created_at = utcnow() - timedelta(days=days_ago)
    session.commit()


def test_the_archive_moves_exactly_the_rows_older_than_six_months(session, tmp_path):
    _insert_at(session, 400, "auth.sign_in")
    _insert_at(session, 200, "auth.sign_out")
    _insert_at(session, 170, "account.create")  # younger than six months: stays
    old = session.exec(
        select(func.count())
        .select_from(OperationLog)
        .where(col(OperationLog.created_at) < utcnow() - timedelta(days=190))
    ).one()
    total = session.exec(select(func.count()).select_from(OperationLog)).one()
    session.rollback()
    done = audit_archive.archive(session, directory=tmp_path)
    assert done.count == old >= 2 and done.path is not None and done.path.parent == tmp_path
    with gzip.open(done.path, "rt", encoding="utf-8") as archived:
        lines = [json.loads(line) for line in archived]
    assert len(lines) == old
    assert {"auth.sign_in", "auth.sign_out"} <= {line["action"] for line in lines}
    assert all(line["ip"] == IP for line in lines if line["username"] == "old-user")
    session.expire_all()
    assert session.exec(select(func.count()).select_from(OperationLog)).one() == total - old
    assert session.exec(
        select(OperationLog).where(col(OperationLog.action) == "account.create")
    ).all()
    # Nothing older remains: a second run archives nothing and writes no file.
    session.rollback()
    again = audit_archive.archive(session, directory=tmp_path / "again")
    assert again.count == 0 and again.path is None and not (tmp_path / "again").exists()
    # The connection is back to refusing deletes.
    ident = _some_row(session)
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text("DELETE FROM operation_log WHERE id = :id"), {"id": ident})
    session.rollback()


def test_the_archive_keeps_at_least_six_months(session, tmp_path, capsys):
    with pytest.raises(ValueError, match="至少保留 6 个月"):
        audit_archive.archive(session, months=5, directory=tmp_path)
    assert cli.main(["archive-audit-log", "--months", "3"]) == 2
    assert "不能小于 6" in capsys.readouterr().err


def test_the_archive_command_prints_what_it_did(session, tmp_path, capsys):
    _insert_at(session, 365, "auth.sign_in")
    session.close()
    assert cli.main(["archive-audit-log", "--to", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"已归档 \d+ 条 .* 之前的操作日志到 ", out), out
    assert str(tmp_path) in out and list(tmp_path.glob("operation_log_before_*.jsonl.gz"))


def test_months_before_clips_to_the_months_end():
    from datetime import UTC, datetime

    moment = datetime(2026, 8, 31, 12, 0, tzinfo=UTC)
    assert audit_archive.months_before(moment, 6) == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)
    assert audit_archive.months_before(moment, 12) == datetime(2025, 8, 31, 12, 0, tzinfo=UTC)


def test_the_auth_routes_trust_x_forwarded_for_only_behind_configured_proxies(monkeypatch):
    from starlette.requests import Request

    from ahportal.auth import routes

    forwarded = [(b"x-forwarded-for", b"198.51.100.9, 10.0.0.2")]
    request = Request({"type": "http", "headers": forwarded, "client": ("10.0.0.1", 5000)})
    for hops, expected in ((0, "10.0.0.1"), (1, "10.0.0.2"), (2, "198.51.100.9"), (3, "10.0.0.1")):
        monkeypatch.setattr(routes, "_trusted_proxy_hops", lambda hops=hops: hops)
        assert routes.client_ip(request) == expected
