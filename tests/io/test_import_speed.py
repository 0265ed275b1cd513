"""The fast paths of the import give exactly what the plain, cell-by-cell code gave.

`check_rows` validates column by column (each distinct value once, C-speed paths for
printable text and for all-new keys), `plain()` skips printable strings, and
`store_cases` hands tuples to the driver: each is compared here with a straightforward
reference on inputs built to hit every branch.
"""

from __future__ import annotations

import math
import random
import sys
import unicodedata
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlmodel import col, select

from ahportal.io import sheets
from ahportal.io.sheets import ParsedSheet, RowError
from ahportal.models import CaseRecord
from ahportal.services import fields, validation
from ahportal.services.errors import ValidationFailed
from ahportal.services.fields import DateOrder, FieldKind, FieldSpec, check_rules, clean_value
from ahportal.services.library_catalog import CASE_FIELDS, CASE_RULES, PUBLIC_HOURS_FIELDS

# ---- references: the code as it was before the fast paths --------------------------------


def _hidden_reference(value: str) -> str | None:
    for char in value:
        if char in validation.BIDI_CONTROLS or unicodedata.category(char) in (
            "Cc",
            "Cf",
            "Cs",
            "Zl",
            "Zp",
        ):
            return char
    return None


def _validate_reference(
    parsed: ParsedSheet,
    specs: tuple[FieldSpec, ...],
    rules: tuple[DateOrder, ...] = (),
    unique_keys: tuple[str, ...] = (),
    existing: Any = frozenset(),
    *,
    seen: dict[Any, int] | None = None,
    max_errors: int = sheets.MAX_ERRORS,
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """validate_rows as it was: row by row, cell by cell (seen keyed like existing)."""
    keys = [spec.key for spec in specs]
    labels = {spec.key: spec.label for spec in specs}
    letters = {spec.key: parsed.column_of(index) for index, spec in enumerate(specs)}
    unique_index = [keys.index(key) for key in unique_keys]
    single = len(unique_index) == 1
    seen = seen if seen is not None else {}
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    truncated = False

    def add(error: RowError) -> None:
        nonlocal truncated
        if len(errors) < max_errors:
            errors.append(error)
        else:
            truncated = True

    for number, raw_values in parsed.rows:
        values: dict[str, Any] = {}
        failed = False
        bad: set[int] = set()
        for index, raw in enumerate(raw_values):
            try:
                values[keys[index]] = clean_value(specs[index], raw, excel=True)
            except ValidationFailed as exc:
                values[keys[index]] = None
                failed = True
                bad.add(index)
                key = keys[index]
                add(RowError(parsed.sheet, number, letters[key], exc.message, labels[key]))
        if rules and not failed:
            try:
                check_rules(specs, rules, values)
            except ValidationFailed as exc:
                failed = True
                add(
                    RowError(
                        parsed.sheet,
                        number,
                        letters.get(exc.field, ""),
                        exc.message,
                        labels.get(exc.field, ""),
                    )
                )
        if unique_index and not bad.intersection(unique_index):
            key_values = tuple(values[keys[index]] for index in unique_index)
            names = "、".join(labels[keys[index]] for index in unique_index)
            first_key = keys[unique_index[0]]
            probe = key_values[0] if single else key_values
            shown = "、".join(str(value) for value in key_values)
            if probe in existing:
                failed = True
                add(
                    RowError(
                        parsed.sheet,
                        number,
                        letters[first_key],
                        f"{names}“{shown}”已存在，不能重复导入",
                        labels[first_key],
                    )
                )
            elif probe in seen:
                failed = True
                add(
                    RowError(
                        parsed.sheet,
                        number,
                        letters[first_key],
                        f"{names}“{shown}”与第 {seen[probe]} 行重复",
                        labels[first_key],
                    )
                )
            else:
                seen[probe] = number
        if not failed:
            rows.append(values)
    if truncated:
        errors.append(
            RowError(parsed.sheet, 0, "", f"错误较多，仅列出前 {max_errors} 条；请修改后重新导入")
        )
    return rows, errors


# ---- inputs ------------------------------------------------------------------------------

_NAN = float("nan")
_ODD_TEXT = [
    "",
    "   ",
    "\u3000",
    "a\tb",
    "a\nb",
    "x\u202ey",
    "x\x00",
    "零\u200b宽",
    "soft\u00adhyphen",
    "\ue000私用",
    "  前后空格  ",
    "长" * 201,
    "2023-02-30",
    "2023/3/4",
    "2023年3月4日",
    "1949-12-31",
    "2999-01-01",
    "男",
    "女",
    "其他",
    "药物治疗",
    "治愈",
]
_ODD_VALUES = [
    None,
    0,
    1,
    1.0,
    True,
    False,
    2.5,
    -3,
    131,
    45000,
    45000.0,
    _NAN,
    date(2023, 3, 4),
    datetime(2023, 3, 5, 0, 0),
    datetime(2023, 3, 5, 8, 30),
]


def _value(rnd: random.Random, good: Any, bad: float = 0.2) -> Any:
    roll = rnd.random()
    if roll >= bad:
        return good
    if roll < bad / 2:
        return rnd.choice(_ODD_TEXT)
    return rnd.choice(_ODD_VALUES)


def _parsed(specs: tuple[FieldSpec, ...], rows: list[tuple[Any, ...]]) -> ParsedSheet:
    numbers = list(range(5, 5 + len(rows)))
    values = [list(column) for column in zip(*rows, strict=True)] if rows else []
    columns = tuple(range(len(specs)))
    return ParsedSheet("病案列表", 3, specs, columns, numbers, values)


def _case_rows(
    rnd: random.Random, count: int, dup_every: int, bad: float = 0.2
) -> list[tuple[Any, ...]]:
    rows = []
    for number in range(count):
        case_no = f"C{number % dup_every if dup_every else number:05d}"
        good = [
            case_no,
            rnd.choice(["男", "女"]),
            rnd.choice([rnd.randint(0, 99), float(rnd.randint(0, 99))]),
            f"2023-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}",
            f"2023-0{rnd.randint(1, 9)}-2{rnd.randint(0, 8)}",
            rnd.choice(["肺炎", "脑梗死", " 2型糖尿病 "]),
            rnd.choice(["I21.0", None]),
            rnd.choice(["经皮冠状动脉介入治疗", None]),
            "药物治疗",
            "主诊医师",
            rnd.choice(["治愈", "好转"]),
            rnd.choice([None, "备注"]),
        ]
        rows.append(tuple(_value(rnd, value, bad) for value in good))
    return rows


def _same(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> bool:
    def norm(value: Any) -> Any:
        return "NaN" if isinstance(value, float) and math.isnan(value) else value

    return [{k: (norm(v), type(v)) for k, v in row.items()} for row in left] == [
        {k: (norm(v), type(v)) for k, v in row.items()} for row in right
    ]


# ---- tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.0, 0.003, 0.2])
@pytest.mark.parametrize("seed", range(8))
def test_check_rows_matches_the_row_by_row_reference(seed: int, bad: float) -> None:
    rnd = random.Random(seed)
    specs = tuple(CASE_FIELDS)
    rows = _case_rows(rnd, rnd.choice([0, 1, 40, 300]), rnd.choice([0, 0, 7]), bad)
    existing = frozenset({"C00003", "C00010"}) if seed % 3 == 0 else frozenset()
    max_errors = rnd.choice([5, 1000])
    parsed = _parsed(specs, rows)
    expected = _validate_reference(
        parsed, specs, CASE_RULES, ("case_no",), existing, max_errors=max_errors
    )
    checked = sheets.check_rows(
        parsed, specs, CASE_RULES, ("case_no",), existing, max_errors=max_errors
    )
    assert checked.errors == expected[1]
    assert _same(checked.dicts(), expected[0])
    assert len(checked.numbers) == checked.count == len(expected[0])
    rows_again, errors_again = sheets.validate_rows(
        parsed, specs, CASE_RULES, ("case_no",), existing, max_errors=max_errors
    )
    assert errors_again == expected[1] and _same(rows_again, expected[0])


@pytest.mark.parametrize("seed", range(4))
def test_keys_carried_across_chunks_match_the_reference(seed: int) -> None:
    rnd = random.Random(100 + seed)
    specs = tuple(CASE_FIELDS)
    rows = _case_rows(rnd, 120, rnd.choice([0, 50]))
    seen_fast: dict[Any, int] = {}
    seen_reference: dict[Any, int] = {}
    for start in range(0, len(rows), 25):
        parsed = _parsed(specs, rows[start : start + 25])
        parsed.numbers = list(range(5 + start, 5 + start + len(parsed.numbers)))
        expected = _validate_reference(parsed, specs, CASE_RULES, ("case_no",), seen=seen_reference)
        checked = sheets.check_rows(parsed, specs, CASE_RULES, ("case_no",), seen=seen_fast)
        assert checked.errors == expected[1]
        assert _same(checked.dicts(), expected[0])
    assert seen_fast == seen_reference


@pytest.mark.parametrize("seed", range(4))
def test_several_key_fields_and_mixed_numbers_match_the_reference(seed: int) -> None:
    rnd = random.Random(200 + seed)
    specs = tuple(PUBLIC_HOURS_FIELDS)
    rows = []
    for number in range(80):
        good = [
            "340104199001011239" if number % 3 else "11010519491231002X",
            rnd.choice(["张三", "李四"]),
            rnd.choice([2024, 2024.0, "2024", 2023, True]),
            rnd.choice(["课程甲", "课程乙", "课程丙"]),
            rnd.choice([1, 1.0, True, "1.5", 30, 30.25]),
        ]
        rows.append(tuple(_value(rnd, value) for value in good))
    keys = ("id_number", "year", "course")
    existing = {("340104199001011239", 2024, "课程甲")}
    parsed = _parsed(specs, rows)
    expected = _validate_reference(parsed, specs, (), keys, existing)
    checked = sheets.check_rows(parsed, specs, (), keys, existing)
    assert checked.errors == expected[1]
    assert _same(checked.dicts(), expected[0])


def test_hidden_character_agrees_with_the_unicode_categories_everywhere() -> None:
    assert all(
        validation.hidden_character(char) == _hidden_reference(char)
        for char in map(chr, range(sys.maxunicode + 1))
    )
    for sample in [*_ODD_TEXT, "普通文字", "a\u202eb\x00", "ok \u3000 ok"]:
        assert validation.hidden_character(sample) == _hidden_reference(sample)


@pytest.mark.parametrize("multiline", [False, True])
def test_plain_keeps_its_answers(multiline: bool) -> None:
    for sample in [*_ODD_TEXT, "行一\r\n行二", "tab\there", "\u2028sep", "ok"]:
        try:
            got: Any = validation.plain(sample, "f", "字段", multiline=multiline)
        except ValidationFailed as exc:
            got = exc.message
        cleaned = sample.translate(validation._DROPPED)
        if multiline:
            cleaned, allowed = validation._LINE_BREAKS.sub("\n", cleaned), {"\n", "\t"}
        else:
            cleaned, allowed = validation._SPACES.sub(" ", cleaned), set()
        refused = any(c not in allowed and _hidden_reference(c) for c in cleaned)
        assert got == ("字段含有不可见的控制字符，请删除后重新输入" if refused else cleaned)


def test_clean_texts_gives_clean_value_or_declines() -> None:
    spec = FieldSpec("note", "备注", max_length=5)
    long_spec = FieldSpec("body", "正文", FieldKind.LONGTEXT, required=True)
    for kind_spec in (spec, long_spec):
        for sample in [*_ODD_TEXT, "abc", " abc ", "五个字正好", "六个字超过了"]:
            fast = fields.clean_texts(kind_spec, [sample])
            if fast is not None:
                assert fast == [clean_value(kind_spec, sample, excel=True)]
    assert fields.clean_texts(FieldSpec("age", "年龄", FieldKind.INT), ["1"]) is None


def test_store_cases_writes_what_the_orm_writes(session, actor_for) -> None:
    from ahportal.services import imports, library
    from tests.factories import library_entry_of

    first = library_entry_of(session, "李明", "health_paper")
    second = library_entry_of(session, "李明", "health_paper")
    session.commit()
    row = (
        "2024000123",
        "男",
        56,
        "2024-03-02",
        "2024-03-15",
        "急性心肌梗死",
        None,
        "经皮冠状动脉介入治疗",
        "介入治疗",
        "主刀医师",
        "好转",
        None,
    )
    specs = tuple(CASE_FIELDS)
    checked = sheets.check_rows(_parsed(specs, [row]), specs, CASE_RULES, ("case_no",))
    assert not checked.errors
    imports.store_cases(session, first, checked)
    values = library.case_values_for_storage(checked.dicts()[0])
    session.execute(insert(CaseRecord), [{"entry_id": second, **values}])
    session.commit()
    stored = session.exec(select(CaseRecord).order_by(col(CaseRecord.entry_id))).all()
    ours, theirs = (
        next(r for r in stored if r.entry_id == entry).model_dump(exclude={"id", "entry_id"})
        for entry in (first, second)
    )
    assert ours == theirs and ours["admitted_on"] == date(2024, 3, 2)
    if session.get_bind().dialect.name == "sqlite":
        raw = session.execute(
            text(
                "SELECT entry_id, admitted_on, discharged_on, typeof(admitted_on), age, "
                "typeof(age), icd_code FROM case_record WHERE entry_id IN (:a, :b) "
                "ORDER BY entry_id"
            ),
            {"a": first, "b": second},
        ).all()
        ours_raw, theirs_raw = (tuple(r)[1:] for r in raw)
        assert ours_raw == theirs_raw and ours_raw[:3] == ("2024-03-02", "2024-03-15", "text")


def test_store_cases_meets_the_unique_key_as_an_integrity_error(session) -> None:
    from sqlalchemy.exc import IntegrityError

    from ahportal.services import imports
    from tests.factories import library_entry_of

    entry = library_entry_of(session, "李明", "health_paper", cases=1)
    session.commit()
    taken = session.exec(select(CaseRecord.case_no).where(col(CaseRecord.entry_id) == entry)).one()
    row = (
        taken,
        "女",
        40,
        "2024-01-02",
        "2024-01-03",
        "肺炎",
        None,
        None,
        "药物治疗",
        "主诊医师",
        "治愈",
        None,
    )
    specs = tuple(CASE_FIELDS)
    checked = sheets.check_rows(_parsed(specs, [row]), specs, CASE_RULES, ("case_no",))
    with pytest.raises(IntegrityError):
        imports.store_cases(session, entry, checked)
    session.rollback()
