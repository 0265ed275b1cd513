"""Field validators: hidden characters in free text, and record ids the database can hold."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from ahportal.models import Organization, OrgKind, UnitBinding
from ahportal.services import bindings, validation
from ahportal.services.errors import ValidationFailed
from ahportal.services.org_accounts import create_org_account
from ahportal.services.units import save_unit_info, unit_profile

BIDI = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
]
CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\U000e0041", "\ufff9", "\ud800"]


@pytest.mark.parametrize("char", BIDI + CONTROLS)
def test_text_refuses_bidi_and_control_characters_naming_the_field(char):
    with pytest.raises(ValidationFailed) as exc:
        validation.text(f"gpj{char}.exe", "name", "单位名称", required=True)
    assert exc.value.field == "name"
    assert exc.value.message == "单位名称含有不可见的控制字符，请删除后重新输入"
    with pytest.raises(ValidationFailed):
        validation.text(f"意见{char}", "opinion", "审核意见", multiline=True)


def test_the_classic_spoof_is_refused():
    with pytest.raises(ValidationFailed, match="不可见的控制字符"):
        validation.text("简历\u202egpj.exe", "name", "单位名称")


def test_harmless_invisibles_are_dropped_and_whitespace_folded():
    assert validation.text("\ufeff希望\u200b小学\u00ad", "name", "单位名称") == "希望小学"
    assert (
        validation.text("合肥市\t蜀山区\r\n长江西路", "address", "地址") == "合肥市 蜀山区 长江西路"
    )
    assert validation.text("a\u2028b", "address", "地址") == "a b"
    assert validation.text("\u200b \u200d", "name", "名称") is None
    with pytest.raises(ValidationFailed, match="请填写名称"):
        validation.text("\u200b", "name", "名称", required=True)


def test_multiline_text_keeps_line_breaks_and_tabs():
    assert (
        validation.text("第一行\r\n第二行\r第三行\u2028\t缩进", "note", "说明", multiline=True)
        == "第一行\n第二行\n第三行\n\t缩进"
    )


@pytest.mark.parametrize(
    "value", ["王\ue000明", "𠀀𪚥", "丁一 👍", "O'Brien-张", "Zoë Ångström", "１２３"]
)
def test_ordinary_text_passes_unchanged(value):
    assert validation.text(value, "name", "姓名") == value


def test_helpers_built_on_text_refuse_hidden_characters_too():
    with pytest.raises(ValidationFailed, match="手机号码含有不可见"):
        validation.mobile("1391234\u202e5678", "contact_phone")
    with pytest.raises(ValidationFailed, match="电子邮箱含有不可见"):
        validation.email("a\u2066@example.cn", "email")
    with pytest.raises(ValidationFailed, match="身份证号含有不可见"):
        validation.id_number("34010419900101\x001234")


def test_hidden_character_reports_the_first_offender():
    assert validation.hidden_character("普通文字") is None
    assert validation.hidden_character("a\u202eb\x00") == "\u202e"
    assert validation.plain(None, "f", "字段") == ""


@pytest.mark.parametrize(
    "value",
    [
        0,
        -1,
        "0",
        "-5",
        "+5",
        "1.5",
        "",
        None,
        True,
        [1],
        "１２",
        "1_000",
        validation.MAX_RECORD_ID + 1,
        2**63,
        "99999999999999999999",
        "9" * 400,
    ],
)
def test_record_id_refuses_what_the_database_cannot_hold(value):
    with pytest.raises(ValidationFailed) as exc:
        validation.record_id(value, "申请")
    assert exc.value.message == "申请编号无效"


def test_record_id_accepts_the_whole_range():
    assert validation.record_id(1) == 1
    assert validation.record_id(" 42 ") == 42
    assert validation.record_id(str(validation.MAX_RECORD_ID)) == validation.MAX_RECORD_ID


# ---- every service with free text goes through the helper -----------------------------------


def test_unit_information_refuses_hidden_characters(session, actor_for):
    actor = actor_for("合肥宏景软件有限公司")
    before = unit_profile(session, actor=actor)
    for field, label in (("address", "单位通讯地址"), ("contact_name", "单位联系人")):
        with pytest.raises(ValidationFailed) as exc:
            save_unit_info(session, actor=actor, form={**before, field: "gpj\u202e.exe"})
        assert exc.value.message == f"{label}含有不可见的控制字符，请删除后重新输入"
    session.expire_all()
    assert unit_profile(session, actor=actor) == before


def test_built_in_account_name_refuses_hidden_characters(session, actor_for):
    with pytest.raises(ValidationFailed, match="名称含有不可见的控制字符"):
        create_org_account(
            session,
            actor=actor_for("ops"),
            kind="unit",
            name="蜀山区\u202e红星小学",
            username="unit-hongxing",
            division_code="340104",
        )
    assert (
        session.exec(select(Organization).where(col(Organization.name).contains("红星"))).first()
        is None
    )


def test_binding_note_and_opinion_refuse_hidden_characters(session, actor_for):
    li = actor_for("李明")
    unit = session.exec(
        select(Organization).where(
            col(Organization.name) == "合肥市第一人民医院", col(Organization.kind) == OrgKind.UNIT
        )
    ).one()
    with pytest.raises(ValidationFailed, match="申请说明含有不可见的控制字符"):
        bindings.request_binding(session, actor=li, unit_id=unit.id, note="调动\u2067")
    binding_id = bindings.request_binding(session, actor=li, unit_id=unit.id, note="调动")
    with pytest.raises(ValidationFailed, match="含有不可见的控制字符"):
        bindings.decide_binding(
            session,
            actor=actor_for("合肥市第一人民医院"),
            binding_id=binding_id,
            action="reject",
            opinion="不符合\u202e条件",
        )
    assert session.get(UnitBinding, binding_id).opinion is None


@pytest.mark.parametrize("value", ["²", "١٢", "1" * 5000, "-3", "1e3", "10001"])
def test_whole_number_refuses_what_int_cannot_read_or_the_range_excludes(value):
    with pytest.raises(ValidationFailed, match="应为 0 至 10000 之间的整数"):
        validation.whole_number(value, "years", "年限")


def test_whole_number_reads_plain_digits():
    assert validation.whole_number(" 30 ", "years", "年限") == 30
    assert validation.whole_number("", "years", "年限") is None


@pytest.mark.parametrize("value", [2**31, "99999999999999999999", "²", "x", None, "0"])
def test_unit_nature_ids_the_database_cannot_hold_are_refused(session, value):
    with pytest.raises(ValidationFailed) as exc:
        validation.unit_nature(session, value)
    assert exc.value.field == "unit_nature_id" and exc.value.message == "请选择单位性质"


def test_division_codes_are_looked_up_only_when_plausible(session):
    assert validation.division(session, " 340104 ") == "340104"
    for value in ("3" * 5000, "999999", ""):
        with pytest.raises(ValidationFailed):
            validation.division(session, value)
