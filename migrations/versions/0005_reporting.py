"""reporting: month close snapshots, zero reports, screenings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table('month_close',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=False),
    sa.Column('closed_at', UTC_TIME, nullable=False),
    sa.Column('reference_on', sa.Date(), nullable=False),
    sa.Column('header', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_month_close_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['app_user.id'], name=op.f('fk_month_close_closed_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_close')),
    sa.UniqueConstraint('organization_id', 'month', name=op.f('uq_month_close_organization_id_month'))
    )
    op.create_table('zero_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('filed_at', UTC_TIME, nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['village_id'], ['place.id'], name=op.f('fk_zero_report_village_id_place'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['filed_by_id'], ['app_user.id'], name=op.f('fk_zero_report_filed_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zero_report')),
    sa.UniqueConstraint('village_id', 'month', name=op.f('uq_zero_report_village_id_month'))
    )
    op.create_index('ix_zero_report_month', 'zero_report', ['month'])
    op.create_table('screening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('screened_on', sa.Date(), nullable=False),
    sa.Column('found_disputes', sa.Integer(), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('actions', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTC_TIME, nullable=False),
    sa.ForeignKeyConstraint(['town_id'], ['place.id'], name=op.f('fk_screening_town_id_place'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['village_id'], ['place.id'], name=op.f('fk_screening_village_id_place'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['grid_id'], ['place.id'], name=op.f('fk_screening_grid_id_place'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_screening_recorded_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening'))
    )
    op.create_index('ix_screening_screened_on', 'screening', ['screened_on'])
    op.create_index('ix_screening_village_id_screened_on', 'screening', ['village_id', 'screened_on'])
    op.create_index('ix_case_event_occurred_at', 'case_event', ['occurred_at'])


def downgrade() -> None:
    op.drop_index('ix_case_event_occurred_at', table_name='case_event')
    op.drop_index('ix_screening_village_id_screened_on', table_name='screening')
    op.drop_index('ix_screening_screened_on', table_name='screening')
    op.drop_table('screening')
    op.drop_index('ix_zero_report_month', table_name='zero_report')
    op.drop_table('zero_report')
    op.drop_table('month_close')
