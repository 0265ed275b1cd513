"""岗位核准信息's State: 新增 → 提交 → 确认提交 with an uploaded PDF, inline messages for every
refusal, and a forged confirmed submission with a real PDF refused for everyone else."""

from __future__ import annotations

from dataclasses import dataclass

from ahportal.state.quotas import PICK_FORM, QuotaState
from tests.factories import image_bytes, pdf_bytes
from tests.helpers import db_snapshot
from tests.state.test_handler_matrix import _call

SCHOOL, HOSPITAL, COMPANY = "unit-xiwang", "安徽省立医院", "合肥宏景软件有限公司"
FORM = {"year": "2027", "full_senior": "2", "deputy_senior": "3", "middle": "", "junior": "5"}


@dataclass
class _Upload:
    """What Reflex hands an upload handler, as far as the handler reads it."""

    name: str
    data: bytes
    filename: str = ""

    async def read(self, size: int = -1) -> bytes:
        return self.data if size < 0 else self.data[:size]


def _state() -> QuotaState:
    return QuotaState(_reflex_internal_init=True)


def test_a_public_institution_adds_a_year_through_the_dialog(session, actor_for, as_actor):
    as_actor(actor_for(SCHOOL))
    state = _state()
    _call(state, "load", ())
    assert state.loaded and state.is_public and state.rows == []
    _call(state, "new_quota", ())
    assert state.dialog_open and state.upload_id == f"quota-form-{state.form_key}"
    _call(state, "review", (FORM, ["2027年核准表.pdf"]))
    assert state.errors == {} and state.confirming
    assert state.confirm_lines == [
        "核准年度：2027 年",
        "岗位数：正高级 2 个，副高级 3 个，中级 0 个，初级 5 个",
        "岗位核准表：2027年核准表.pdf",
    ]
    _call(state, "submit", ([_Upload("2027年核准表.pdf", pdf_bytes())],))
    assert state.form_error == "" and not state.dialog_open and not state.confirming
    assert state.message == "已提交 2027 年岗位核准信息，提交后不能修改或删除"
    assert [(r["year_label"], r["level"], r["approved"], r["remaining"]) for r in state.rows] == [
        ("2027 年", "正高级", "2", "2"),
        ("", "副高级", "3", "3"),
        ("", "中级", "0", "0"),
        ("", "初级", "5", "5"),
    ]
    assert state.rows[0]["form_url"].startswith("/files/quota-form/")
    # The same year again is stopped at 提交, before any file is sent.
    _call(state, "new_quota", ())
    _call(state, "review", (FORM, ["2027年核准表.pdf"]))
    assert not state.confirming and "已提交" in state.errors["year"]


def test_the_dialog_explains_each_refusal_inline(session, actor_for, as_actor):
    as_actor(actor_for(SCHOOL))
    state = _state()
    _call(state, "load", ())
    before = db_snapshot(session)
    for form, files, field, text in (
        ({**FORM, "year": "1999"}, ["a.pdf"], "year", "2000 至 2100"),
        ({**FORM, "full_senior": "-3"}, ["a.pdf"], "full_senior", "正高级岗位数"),
        ({"year": "2027"}, ["a.pdf"], "counts", "至少填写一个"),
        (FORM, [], "file", PICK_FORM),
        (FORM, ["扫描件.jpg"], "file", "不接受图片"),
    ):
        _call(state, "new_quota", ())
        _call(state, "review", (form, files))
        assert not state.confirming and text in state.errors.get(field, ""), (form, state.errors)
    # A picture renamed .pdf passes the name check and is refused by its content.
    _call(state, "new_quota", ())
    _call(state, "review", (FORM, ["核准表.pdf"]))
    _call(state, "submit", ([_Upload("核准表.pdf", image_bytes("PNG"))],))
    assert not state.confirming and "扩展名不符" in state.errors["file"]
    assert db_snapshot(session) == before


def test_a_unit_that_is_not_a_public_institution_sees_the_explanation(actor_for, as_actor):
    as_actor(actor_for(COMPANY))
    state = _state()
    _call(state, "load", ())
    assert state.loaded and not state.is_public and state.rows == []
    _call(state, "new_quota", ())
    assert not state.dialog_open


def test_a_forged_confirmed_submission_with_a_real_pdf_is_refused(session, actor_for, as_actor):
    before = db_snapshot(session)
    for who in (None, "李明", COMPANY, "dept-edu-shushan", "hr-340104", "committee-health", "ops"):
        as_actor(actor_for(who) if who else None)
        state = _state()
        state.confirming, state.pending_year = True, "2031"
        state.pending_counts = {"正高级": "3"}
        _call(state, "submit", ([_Upload("核准表.pdf", pdf_bytes())],))
        assert state.form_error, who
        assert db_snapshot(session) == before, who


def test_the_seeded_hospital_sees_its_numbers(actor_for, as_actor):
    as_actor(actor_for(HOSPITAL))
    state = _state()
    _call(state, "load", ())
    assert [(r["level"], r["approved"], r["used"], r["remaining"]) for r in state.rows] == [
        ("正高级", "5", "0", "5"),
        ("副高级", "10", "0", "10"),
        ("中级", "20", "0", "20"),
        ("初级", "30", "0", "30"),
    ]
