"""Post quotas in the declaration audit (seed 002 二.7): a 事业单位 at the unit level cannot
pass a declaration before its 岗位核准信息 for the plan year exists; when it passes one it
decides 是否占用岗位 (with a 说明) and a post of the declared level is taken in the same
transaction; a later 退回 or 终止 gives the post back.

Wired into services.declarations through its hooks (APPROVE_CHECKS, EXTRA_EFFECTS); the
decision's `extra` carries {"occupy_post": bool, "post_note": str}. Without a choice (e.g.
批量通过) no post is taken: the unit decides post by post in the 审核 dialog.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from ahportal.models import Declaration, Organization, PostQuota, TitleLevel, UnitNature
from ahportal.services import quotas, workflow
from ahportal.services.errors import ValidationFailed
from ahportal.services.permissions import Actor

UNIT_LEVEL = "unit"


def missing_message(year: int) -> str:
    return f"本单位尚未填报{year}年岗位核准信息，请先在 管理设置→岗位核准信息 中填报"


def _public_unit_holding(session: Session, declaration: Declaration) -> Organization | None:
    """The 事业单位 holding the case at the unit level, or None."""
    route = declaration.route or []
    if declaration.step >= len(route) or route[declaration.step].get("level") != UNIT_LEVEL:
        return None
    unit = session.get(Organization, declaration.current_org_id or 0)
    if unit is None or unit.unit_nature_id is None:
        return None
    nature = session.get(UnitNature, unit.unit_nature_id)
    return unit if nature is not None and nature.is_public_institution else None


@dataclass(frozen=True)
class PostQuestion:
    """What the 审核 dialog asks a 事业单位 (ask) and tells it up front (notice)."""

    ask: bool = False
    notice: str = ""  # the missing quota, or the posts left of the declared level


def question(session: Session, declaration: Declaration) -> PostQuestion:
    unit = _public_unit_holding(session, declaration)
    if unit is None or unit.id is None:
        return PostQuestion()
    year = declaration.plan_year
    if not quotas.quota_exists(session, unit.id, year):
        return PostQuestion(True, missing_message(year))
    level = session.get(TitleLevel, declaration.level_id)
    bucket = quotas.level_bucket(level.name) if level else ""
    left = _remaining(session, unit.id, year, bucket) if bucket else 0
    return PostQuestion(True, f"本单位{year}年{bucket}岗位剩余 {left} 个")


def _remaining(session: Session, unit_id: int, year: int, level: str) -> int:
    row = session.exec(
        select(PostQuota.approved, PostQuota.used).where(
            col(PostQuota.unit_id) == unit_id,
            col(PostQuota.year) == year,
            col(PostQuota.level) == level,
        )
    ).first()
    return max(0, row[0] - row[1]) if row else 0


def require_quota(session: Session, declaration: Declaration, _actor: Actor) -> None:
    """APPROVE_CHECKS: a 事业单位 passes nothing before its quota of the plan year exists."""
    unit = _public_unit_holding(session, declaration)
    if unit is not None and not quotas.quota_exists(session, unit.id or 0, declaration.plan_year):
        raise ValidationFailed("post", missing_message(declaration.plan_year))


def occupy_on_approve(session: Session, declaration: Declaration, step: workflow.Step) -> None:
    """EXTRA_EFFECTS["approve"]: 是 takes one post of the declared level (refused when none
    is left); 否 or no choice takes none."""
    choice = step.extra.get("occupy_post")
    if choice is not True:
        return
    unit = _public_unit_holding(session, declaration)
    if unit is None or declaration.id is None:
        return
    level = session.get(TitleLevel, declaration.level_id)
    quotas.occupy(
        session,
        declaration_id=declaration.id,
        unit_id=unit.id or 0,
        year=declaration.plan_year,
        level=quotas.level_bucket(level.name if level else ""),
        note=step.extra.get("post_note"),
    )


def release_post(session: Session, declaration: Declaration, _step: workflow.Step) -> None:
    """EXTRA_EFFECTS["return" / "terminate"]: the post, if one was taken, is given back."""
    if declaration.id is not None:
        quotas.release(session, declaration_id=declaration.id)
