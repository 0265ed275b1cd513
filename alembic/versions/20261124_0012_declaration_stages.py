"""declaration stages

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 02:12:58

统计分析 at a million declarations: one declaration_stage row per audit level's decision
(通过率 and 办理天数 group these instead of the flow records), and declaration.submitted_month
(按月趋势 groups it instead of converting every submission time). Both are written with the
decision or the submission from now on; `backfill` fills them from what is there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import ahportal.models.base
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A stage per level decision (a declaration flow record with a level): it arrived with the
# record before it (LAG over the declaration's flow, by time then id), as the decision path
# writes it (services/declaration_stages.record). Flow records of deleted declarations are
# left out, as the statistics always left them out.
_STAGES = """
INSERT INTO declaration_stage
    (declaration_id, flow_id, level, org_id, outcome, arrived_at, decided_at, days)
SELECT s.record_id, s.id, s.level, s.org_id, s.action, s.before, s.created_at, {days}
FROM (
    SELECT f.id, f.record_id, f.level, f.org_id, f.action, f.created_at,
           LAG(f.created_at) OVER (PARTITION BY f.record_id ORDER BY f.created_at, f.id) AS before
    FROM flow_record f
    WHERE f.kind = 'declaration'
) s
JOIN declaration d ON d.id = s.record_id
WHERE s.level IS NOT NULL AND s.action IN ('approve', 'return', 'terminate')
"""
_DAYS = {
    "postgresql": "EXTRACT(EPOCH FROM s.created_at - s.before) / 86400.0",
    "sqlite": "julianday(s.created_at) - julianday(s.before)",
}
# YYYY-MM of the submission in China time (UTC+8 all year; SQLite stores UTC text).
_MONTH = {
    "postgresql": "to_char(submitted_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')",
    "sqlite": "strftime('%Y-%m', submitted_at, '+8 hours')",
}


def backfill(bind: sa.engine.Connection) -> None:
    """Stages from the flow records, months from the submission times (idempotent)."""
    dialect = bind.dialect.name
    bind.execute(sa.text("DELETE FROM declaration_stage"))
    bind.execute(sa.text(_STAGES.format(days=_DAYS[dialect])))
    bind.execute(
        sa.text(
            f"UPDATE declaration SET submitted_month = {_MONTH[dialect]} "
            "WHERE submitted_at IS NOT NULL"
        )
    )


def upgrade() -> None:
    op.create_table('declaration_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('flow_id', sa.Integer(), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('arrived_at', ahportal.models.base.AwareDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', ahportal.models.base.AwareDateTime(timezone=True), nullable=False),
    sa.Column('days', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['declaration_id'], ['declaration.id'], name=op.f('fk_declaration_stage_declaration_id_declaration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['flow_id'], ['flow_record.id'], name=op.f('fk_declaration_stage_flow_id_flow_record')),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], name=op.f('fk_declaration_stage_org_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declaration_stage')),
    sa.UniqueConstraint('flow_id', name=op.f('uq_declaration_stage_flow_id'))
    )
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True))

    # Filled before the indexes are made (one sort each instead of a million inserts).
    backfill(op.get_bind())

    with op.batch_alter_table('declaration_stage', schema=None) as batch_op:
        batch_op.create_index('ix_declaration_stage_days', ['level', 'days'], unique=False)
        batch_op.create_index(batch_op.f('ix_declaration_stage_declaration_id'), ['declaration_id'], unique=False)
        batch_op.create_index('ix_declaration_stage_outcome', ['level', 'outcome'], unique=False)

    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.create_index('ix_declaration_stats_month', ['submitted_month', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('declaration', schema=None) as batch_op:
        batch_op.drop_index('ix_declaration_stats_month')
        batch_op.drop_column('submitted_month')

    with op.batch_alter_table('declaration_stage', schema=None) as batch_op:
        batch_op.drop_index('ix_declaration_stage_outcome')
        batch_op.drop_index(batch_op.f('ix_declaration_stage_declaration_id'))
        batch_op.drop_index('ix_declaration_stage_days')

    op.drop_table('declaration_stage')
