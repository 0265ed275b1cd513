"""导出申报信息 through ReviewFormState.export: a download for who may export, else a notice."""

from __future__ import annotations

from ahportal.models import DeclarationStatus
from ahportal.services import review_form
from ahportal.state.review_form import ReviewFormState
from tests.helpers import db_snapshot
from tests.review_form_data import review_form_declaration
from tests.state.test_handler_matrix import _call


def _export(declaration_id: object) -> str:
    """The handler's answer as text (an rx.download or a notice event)."""
    state = ReviewFormState(_reflex_internal_init=True)
    return repr(_call(state, "export", (declaration_id,)))


def test_export_downloads_for_a_level_that_has_seen_the_case(session, actor_for, as_actor):
    declaration_id = review_form_declaration(session, status=DeclarationStatus.AUDITING, step=1)
    session.commit()
    calls = as_actor(actor_for("安徽省立医院"))
    answer = _export(declaration_id)
    assert calls
    assert "专业技术资格评审表_李明.pdf" in answer and "data:application/pdf" in answer


def test_export_explains_or_refuses(session, actor_for, as_actor):
    declaration_id = review_form_declaration(session, status=DeclarationStatus.AUDITING, step=1)
    session.commit()
    before = db_snapshot(session)
    as_actor(actor_for("李明"))
    answer = _export(declaration_id)
    assert review_form.NOT_YET in answer and "application/pdf" not in answer
    for who in ("王芳", "committee-health", "dept-health-hefei", "ops"):
        as_actor(actor_for(who))
        assert "application/pdf" not in _export(declaration_id), who
    as_actor(None)
    assert "application/pdf" not in _export(declaration_id)
    assert db_snapshot(session) == before
