"""各级审核 of 职称申报, one row per level decision (declaration_stage), written by the
decision itself: 统计分析's 通过率 and 办理天数 group these small rows by level instead of
running a window over every flow record (migration 0012 fills them for older decisions
with the same rule, in SQL).

A stage is a flow record with a level (通过, 退回 or 终止 by the organisation holding the
case): the case arrived at that level with the flow record before it (提交, 重新提交 or the
level below's 通过) and waited from then until the decision.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from ahportal.models import Declaration, DeclarationStage, FlowRecord, RecordKind
from ahportal.services import workflow
from ahportal.services.formatting import CHINA


def month_of(value: datetime) -> str:
    """提交月份: "YYYY-MM" of a submission time in China time (declaration.submitted_month)."""
    return value.astimezone(CHINA).strftime("%Y-%m")


def days_between(later: datetime, earlier: datetime) -> float:
    """Days (fractional) a case waited."""
    return (later - earlier).total_seconds() / 86400.0


def record(session: Session, declaration: Declaration, step: workflow.Step) -> None:
    """The decision's stage, in the decision's transaction (an effect of 通过, 退回 and 终止).

    The conditional update of the move has already let exactly one decision through, so a
    second one on the same case from another session never reaches here; the stage's
    unique flow_id is the database's own guard."""
    flow = step.flow
    if flow is None or flow.level is None:
        return
    session.flush()  # the flow record's id
    before = session.execute(
        sa_select(col(FlowRecord.created_at))
        .where(
            col(FlowRecord.kind) == RecordKind.DECLARATION,
            col(FlowRecord.record_id) == flow.record_id,
            or_(
                col(FlowRecord.created_at) < flow.created_at,
                and_(col(FlowRecord.created_at) == flow.created_at, col(FlowRecord.id) < flow.id),
            ),
        )
        .order_by(col(FlowRecord.created_at).desc(), col(FlowRecord.id).desc())
        .limit(1)
    ).scalar()
    assert declaration.id is not None and flow.id is not None
    session.add(
        DeclarationStage(
            declaration_id=declaration.id,
            flow_id=flow.id,
            level=flow.level,
            org_id=flow.org_id,
            outcome=flow.action,
            arrived_at=before,
            decided_at=flow.created_at,
            days=days_between(flow.created_at, before) if before else None,
        )
    )
