"""专业技术资格评审表: who may export it when, and what the PDF says (read back with pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ahportal.io import pdf as pdf_module
from ahportal.models import Declaration, DeclarationStatus
from ahportal.services import review_form
from ahportal.services.errors import NotFound, PermissionDenied, ValidationFailed
from tests.review_form_data import (
    HEALTH_CASES,
    OPINIONS,
    PAPER_TITLE,
    review_form_declaration,
)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "review_form"
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (make browser) is not installed"
)


def _text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def _pages(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "form.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))


def _keep_pngs(data: bytes, name: str) -> None:
    """The pages as PNGs in test-artifacts/ (not committed), to look at."""
    if shutil.which("pdftoppm") is None:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(ARTIFACTS / f"{name}.pdf"), str(ARTIFACTS / name)],
        check=True,
    )


@needs_poppler
def test_the_passed_form_reads_back_with_every_level(session, actor_for, tmp_path):
    declaration_id = review_form_declaration(session)
    session.commit()
    data = review_form.build_review_form(
        session, actor=actor_for("李明"), declaration_id=declaration_id
    )
    assert data.startswith(b"%PDF")
    assert len(data) < 250_000  # the font is subset to the characters used
    _keep_pngs(data, "passed")
    text = _text(data, tmp_path)
    flat = re.sub(r"\s+", "", text)
    for expected in ("专业技术资格评审表", "李明", "安徽省立医院", "卫生", "副高级", "内科学"):
        assert expected in flat, expected
    declaration = session.get(Declaration, declaration_id)
    for step in declaration.route:
        assert step["org_name"] in flat, step["org_name"]
        assert re.sub(r"\s+", "", OPINIONS[step["level"]]) in flat, step["level"]
    assert PAPER_TITLE in flat
    assert "安徽医科大学" in flat and "心内科主治医师" in flat
    assert "340***********" in flat and "男" in flat and "1985年03月" in flat
    assert str(HEALTH_CASES) in flat and "病案数" in flat
    assert "102.5" in flat  # 2024: 30 + 72.5 hours
    pages = _pages(data, tmp_path)
    assert pages > 1
    assert f"第1页共{pages}页" in flat


@needs_poppler
def test_a_form_without_photo_says_so(session, actor_for, tmp_path):
    declaration_id = review_form_declaration(session, photo=False)
    data = review_form.build_review_form(
        session, actor=actor_for("committee-health"), declaration_id=declaration_id
    )
    assert "未上传照片" in re.sub(r"\s+", "", _text(data, tmp_path))


def test_the_applicant_waits_for_the_committee(session, actor_for):
    declaration_id = review_form_declaration(session, status=DeclarationStatus.AUDITING, step=3)
    applicant = actor_for("李明")
    reason = review_form.export_reason(session, actor=applicant, declaration_id=declaration_id)
    assert reason == review_form.NOT_YET
    assert "评委会组建单位审核通过后" in reason
    with pytest.raises(PermissionDenied, match="评委会组建单位审核通过后"):
        review_form.build_review_form(session, actor=applicant, declaration_id=declaration_id)
    declaration = session.get(Declaration, declaration_id)
    declaration.status = DeclarationStatus.PASSED
    session.add(declaration)
    assert review_form.export_reason(session, actor=applicant, declaration_id=declaration_id) == ""
    data = review_form.build_review_form(session, actor=applicant, declaration_id=declaration_id)
    assert data.startswith(b"%PDF")


@needs_poppler
def test_an_auditor_exports_while_the_case_is_under_way(session, actor_for, tmp_path):
    # At the province's bureau: the unit and the department have approved.
    declaration_id = review_form_declaration(session, status=DeclarationStatus.AUDITING, step=2)
    for who in ("安徽省立医院", "dept-health-province", "hr-340000"):
        actor = actor_for(who)
        assert review_form.export_reason(session, actor=actor, declaration_id=declaration_id) == ""
    data = review_form.build_review_form(
        session, actor=actor_for("hr-340000"), declaration_id=declaration_id
    )
    _keep_pngs(data, "auditing")
    flat = re.sub(r"\s+", "", _text(data, tmp_path))
    assert OPINIONS["department"] in flat
    assert OPINIONS["committee"] not in flat and "尚未审核" in flat


def test_a_level_not_yet_reached_is_refused(session, actor_for):
    declaration_id = review_form_declaration(session, status=DeclarationStatus.AUDITING, step=1)
    for who in ("hr-340000", "committee-health"):
        with pytest.raises(PermissionDenied, match="尚未送达"):
            review_form.build_review_form(
                session, actor=actor_for(who), declaration_id=declaration_id
            )


def test_outsiders_are_refused(session, actor_for):
    declaration_id = review_form_declaration(session)
    with pytest.raises(NotFound):
        review_form.build_review_form(
            session, actor=actor_for("王芳"), declaration_id=declaration_id
        )
    with pytest.raises(NotFound):
        review_form.export_reason(session, actor=actor_for("王芳"), declaration_id=declaration_id)
    for who in ("dept-health-hefei", "hr-340100", "合肥市第一人民医院", "ops"):
        with pytest.raises(PermissionDenied):
            review_form.build_review_form(
                session, actor=actor_for(who), declaration_id=declaration_id
            )
    with pytest.raises(NotFound):
        review_form.build_review_form(
            session, actor=actor_for("hr-340000"), declaration_id=declaration_id + 999
        )


def test_hostile_ids_are_refused_with_a_message(session, actor_for):
    for raw in ("1 or 1=1", None, -1, {"id": 1}):
        with pytest.raises((NotFound, PermissionDenied, ValidationFailed)):
            review_form.build_review_form(session, actor=actor_for("hr-340000"), declaration_id=raw)


def test_a_rare_character_without_a_system_font_fails_in_chinese(session, actor_for, monkeypatch):
    declaration_id = review_form_declaration(session)
    form = review_form.review_form(session, session.get(Declaration, declaration_id))
    form.name = "李喆"  # 喆 is outside GB2312
    monkeypatch.setattr(pdf_module, "_system_font", lambda: None)
    with pytest.raises(pdf_module.FontMissing, match="fonts-noto-cjk"):
        review_form.render(form)
