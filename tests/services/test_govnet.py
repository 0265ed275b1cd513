"""Sign-in through 政务网: accounts, persons and units found or created from ID token claims."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select
from stdnum.cn import ric, uscc

from ahportal.models import Account, LoginMethod, Organization, OrgKind, OrgStatus, Person, Role
from ahportal.services.errors import SignInFailed, ValidationFailed
from ahportal.services.govnet import sign_in_govnet

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


def valid_ric(first17: str) -> str:
    # ric.calc_check_digit takes the whole number and ignores its last character.
    return first17 + ric.calc_check_digit(first17 + "0")


def valid_uscc(first17: str) -> str:
    return first17 + uscc.calc_check_digit(first17)


def ric_ending_in_x() -> str:
    for serial in range(100, 1000):
        first17 = f"34010219850315{serial}"
        if ric.calc_check_digit(first17 + "0") == "X":
            return first17 + "X"
    raise AssertionError("no X check digit found")


ID_NUMBER = valid_ric("34010219900101123")
USCC = valid_uscc("91340100MA2N00000")


@pytest.fixture
def govnet_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """A fresh SQLite database built by the Alembic migrations."""
    from alembic.config import Config

    from ahportal import db, settings
    from alembic import command

    monkeypatch.setenv("AHPORTAL_MODE", "test")
    monkeypatch.setenv("AHPORTAL_DATABASE_URL", f"sqlite:///{tmp_path}/t.db")
    monkeypatch.setenv("AHPORTAL_STORAGE_ROOT", str(tmp_path / "storage"))
    monkeypatch.setenv("AHPORTAL_BASE_URL", "http://testserver")
    monkeypatch.setenv("AHPORTAL_SECRET_KEY", "test-secret-key-for-govnet-tests")
    settings.get_settings.cache_clear()
    db._engine_for.cache_clear()
    cfg = Config(str(ALEMBIC_INI))
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, "head")
    with Session(db.get_engine(), expire_on_commit=False) as session:
        yield session
    db.get_engine().dispose()
    settings.get_settings.cache_clear()
    db._engine_for.cache_clear()


def person_claims(**overrides: str) -> dict[str, str]:
    claims = {
        "sub": "person-sub-1",
        "user_type": "person",
        "name": "张三",
        "id_number": ID_NUMBER,
        "phone_number": "13800138000",
    }
    claims.update(overrides)
    return claims


def legal_claims(**overrides: str) -> dict[str, str]:
    claims = {
        "sub": "legal-sub-1",
        "user_type": "legal",
        "name": "合肥示例科技有限公司",
        "uscc": USCC,
    }
    claims.update(overrides)
    return claims


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_first_person_sign_in_creates_person_and_applicant(govnet_db: Session) -> None:
    account = sign_in_govnet(govnet_db, claims=person_claims())
    assert account.role is Role.APPLICANT
    assert account.login_method is LoginMethod.GOVNET
    assert account.govnet_subject == "person-sub-1"
    assert account.display_name == "张三"
    person = govnet_db.get(Person, account.person_id)
    assert person is not None
    assert (person.name, person.id_number, person.phone) == ("张三", ID_NUMBER, "13800138000")


def test_id_number_is_normalised_to_uppercase(govnet_db: Session) -> None:
    number = ric_ending_in_x()
    account = sign_in_govnet(govnet_db, claims=person_claims(id_number=number.lower()))
    person = govnet_db.get(Person, account.person_id)
    assert person is not None and person.id_number == number


def test_first_legal_sign_in_creates_incomplete_unit_and_admin(govnet_db: Session) -> None:
    account = sign_in_govnet(govnet_db, claims=legal_claims())
    assert account.role is Role.UNIT_ADMIN
    assert account.display_name == "合肥示例科技有限公司"
    unit = govnet_db.get(Organization, account.org_id)
    assert unit is not None
    assert (unit.kind, unit.status, unit.uscc) == (OrgKind.UNIT, OrgStatus.INCOMPLETE, USCC)


def test_second_sign_in_reuses_and_refreshes_the_account(govnet_db: Session) -> None:
    first = sign_in_govnet(govnet_db, claims=person_claims())
    again = sign_in_govnet(
        govnet_db, claims=person_claims(name="张三丰", phone_number="13900139000")
    )
    assert again.id == first.id
    assert again.display_name == "张三丰"
    person = govnet_db.get(Person, again.person_id)
    assert person is not None and (person.name, person.phone) == ("张三丰", "13900139000")
    assert count(govnet_db, Account) == 1 and count(govnet_db, Person) == 1


def test_existing_person_without_account_is_linked(govnet_db: Session) -> None:
    govnet_db.add(Person(name="张三", id_number=ID_NUMBER))
    govnet_db.commit()
    account = sign_in_govnet(govnet_db, claims=person_claims())
    assert count(govnet_db, Person) == 1
    person = govnet_db.exec(select(Person)).one()
    assert account.person_id == person.id and person.phone == "13800138000"


def test_new_subject_for_the_same_person_keeps_one_account(govnet_db: Session) -> None:
    first = sign_in_govnet(govnet_db, claims=person_claims())
    second = sign_in_govnet(govnet_db, claims=person_claims(sub="person-sub-2"))
    assert second.id == first.id and second.govnet_subject == "person-sub-2"


def test_existing_unit_is_reused(govnet_db: Session) -> None:
    govnet_db.add(
        Organization(
            kind=OrgKind.UNIT, name="合肥示例科技有限公司", uscc=USCC, status=OrgStatus.ACTIVE
        )
    )
    govnet_db.commit()
    account = sign_in_govnet(govnet_db, claims=legal_claims())
    unit = govnet_db.get(Organization, account.org_id)
    assert unit is not None and unit.status is OrgStatus.ACTIVE
    assert count(govnet_db, Organization) == 1


def test_uscc_of_a_non_unit_is_refused(govnet_db: Session) -> None:
    govnet_db.add(Organization(kind=OrgKind.DEPARTMENT, name="某厅", uscc=USCC))
    govnet_db.commit()
    with pytest.raises(ValidationFailed) as exc:
        sign_in_govnet(govnet_db, claims=legal_claims())
    assert exc.value.field == "uscc"


def test_disabled_account_is_refused(govnet_db: Session) -> None:
    account = sign_in_govnet(govnet_db, claims=person_claims())
    account.disabled = True
    govnet_db.add(account)
    govnet_db.commit()
    with pytest.raises(SignInFailed) as exc:
        sign_in_govnet(govnet_db, claims=person_claims())
    assert exc.value.message == "该账号已停用，请联系系统运维人员"


@pytest.mark.parametrize(
    ("claims", "field", "words"),
    [
        (person_claims(id_number="340102199001011230"), "id_number", "身份证号"),
        (person_claims(phone_number="12345"), "phone_number", "手机号码"),
        (person_claims(name=""), "name", "姓名"),
        (legal_claims(uscc="91340100MA2N000000"), "uscc", "统一社会信用代码"),
        (legal_claims(name="单" * 129), "name", "单位名称"),
        (person_claims(user_type="robot"), "user_type", "用户类型"),
        (person_claims(sub=""), "sub", "用户标识"),
    ],
)
def test_bad_claims_are_refused_in_chinese(
    govnet_db: Session, claims: dict[str, str], field: str, words: str
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        sign_in_govnet(govnet_db, claims=claims)
    assert exc.value.field == field
    assert words in exc.value.message
    assert count(govnet_db, Account) == 0


def test_nothing_is_left_behind_when_refused(govnet_db: Session) -> None:
    with pytest.raises(ValidationFailed):
        sign_in_govnet(govnet_db, claims=person_claims(phone_number="bad"))
    assert govnet_db.exec(select(Person).where(col(Person.id_number) == ID_NUMBER)).first() is None


def test_names_from_govnet_refuse_bidi_overrides():
    from ahportal.services.govnet import clean_name

    with pytest.raises(ValidationFailed) as refused:
        clean_name("合肥\u202egpj.exe", "name", "单位名称", 64)
    assert refused.value.field == "name" and "控制字符" in refused.value.message
    assert clean_name("  合肥  新程 ", "name", "单位名称", 64) == "合肥 新程"
