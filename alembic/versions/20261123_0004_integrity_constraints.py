"""integrity constraints: partial unique indexes for check-then-insert rules

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'uq_unit_binding_one_pending',
        'unit_binding',
        ['person_id'],
        unique=True,
        sqlite_where=sa.text("status = 'pending'"),
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        'uq_organization_kind_name',
        'organization',
        ['kind', 'name'],
        unique=True,
        sqlite_where=sa.text("uscc IS NULL"),
        postgresql_where=sa.text("uscc IS NULL"),
    )
    op.create_index(
        'uq_organization_hr_bureau_division',
        'organization',
        ['division_code'],
        unique=True,
        sqlite_where=sa.text("kind = 'hr_bureau'"),
        postgresql_where=sa.text("kind = 'hr_bureau'"),
    )
    # One opinion limit (1000) for the check, the flow record and the binding.
    with op.batch_alter_table('unit_binding') as batch:
        batch.alter_column(
            'opinion',
            existing_type=sa.String(length=500),
            type_=sa.String(length=1000),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table('unit_binding') as batch:
        batch.alter_column(
            'opinion',
            existing_type=sa.String(length=1000),
            type_=sa.String(length=500),
            existing_nullable=True,
        )
    op.drop_index('uq_organization_hr_bureau_division', table_name='organization')
    op.drop_index('uq_organization_kind_name', table_name='organization')
    op.drop_index('uq_unit_binding_one_pending', table_name='unit_binding')
