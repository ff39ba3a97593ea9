"""resolution

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

Columns are added to mediation_case with plain ADD COLUMN (never a table rebuild on SQLite, which would
drop the search triggers).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import advanced_alchemy.types

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('form', sa.String(length=16), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('disputes', sa.Text(), nullable=False),
    sa.Column('responsibilities', sa.Text(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('performance_method', sa.String(length=400), nullable=False),
    sa.Column('performance_place', sa.String(length=200), nullable=False),
    sa.Column('performance_deadline', sa.Date(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_agreement_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_agreement_created_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement')),
    sa.UniqueConstraint('case_id', name=op.f('uq_agreement_case_id')),
    sa.UniqueConstraint('number', name=op.f('uq_agreement_number'))
    )
    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('scheduled_on', sa.Date(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=True),
    sa.Column('visitor', sa.String(length=60), nullable=False),
    sa.Column('party', sa.String(length=120), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('performance', sa.String(length=400), nullable=False),
    sa.Column('satisfaction', sa.String(length=16), nullable=False),
    sa.Column('lawsuit_filed', sa.Boolean(), nullable=False),
    sa.Column('remaining_risk', sa.String(length=400), nullable=False),
    sa.Column('measures', sa.String(length=400), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_follow_up_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_follow_up_recorded_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up'))
    )
    op.create_index(op.f('ix_follow_up_case_id'), 'follow_up', ['case_id'])
    op.create_index('ix_follow_up_visited_on_scheduled_on', 'follow_up', ['visited_on', 'scheduled_on'])

    op.create_table('judicial_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('court', sa.String(length=100), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('result_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_judicial_confirmation_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_judicial_confirmation_recorded_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_judicial_confirmation')),
    sa.UniqueConstraint('case_id', name=op.f('uq_judicial_confirmation_case_id'))
    )
    op.create_table('agreement_amendment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('amended_by_id', sa.Integer(), nullable=False),
    sa.Column('amended_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_agreement_amendment_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['amended_by_id'], ['app_user.id'], name=op.f('fk_agreement_amendment_amended_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_amendment'))
    )
    op.create_index(op.f('ix_agreement_amendment_agreement_id'), 'agreement_amendment', ['agreement_id'])

    op.create_table('obligation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=400), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('performed_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=400), nullable=False),
    sa.Column('receipt_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_obligation_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['receipt_id'], ['evidence.id'], name=op.f('fk_obligation_receipt_id_evidence'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_obligation'))
    )
    op.create_index(op.f('ix_obligation_agreement_id'), 'obligation', ['agreement_id'])

    op.add_column('mediation_case', sa.Column('outcome', sa.String(length=16), nullable=True))
    op.add_column('mediation_case', sa.Column('closed_on', sa.Date(), nullable=True))
    op.add_column('mediation_case', sa.Column('failure_route', sa.String(length=16), nullable=True))
    op.add_column('mediation_case', sa.Column('referral', sa.Text(), server_default='', nullable=False))
    op.add_column('mediation_case', sa.Column('prevented_criminal_people', sa.Integer(), server_default='0', nullable=False))
    op.add_column('mediation_case', sa.Column('prevented_petition_people', sa.Integer(), server_default='0', nullable=False))
    op.add_column('mediation_case', sa.Column('archive_number', sa.String(length=60), nullable=True))
    op.add_column('mediation_case', sa.Column('archived_on', sa.Date(), nullable=True))
    op.add_column('mediation_case', sa.Column('retention_period', sa.String(length=16), server_default='', nullable=False))
    op.create_index('ix_mediation_case_archive_number', 'mediation_case', ['archive_number'], unique=True)
    op.create_index('ix_mediation_case_closed_on', 'mediation_case', ['closed_on'])



def downgrade() -> None:
    op.drop_index('ix_mediation_case_closed_on', table_name='mediation_case')
    op.drop_index('ix_mediation_case_archive_number', table_name='mediation_case')
    op.drop_column('mediation_case', 'retention_period')
    op.drop_column('mediation_case', 'archived_on')
    op.drop_column('mediation_case', 'archive_number')
    op.drop_column('mediation_case', 'prevented_petition_people')
    op.drop_column('mediation_case', 'prevented_criminal_people')
    op.drop_column('mediation_case', 'referral')
    op.drop_column('mediation_case', 'failure_route')
    op.drop_column('mediation_case', 'closed_on')
    op.drop_column('mediation_case', 'outcome')

    op.drop_index(op.f('ix_obligation_agreement_id'), table_name='obligation')

    op.drop_table('obligation')
    op.drop_index(op.f('ix_agreement_amendment_agreement_id'), table_name='agreement_amendment')

    op.drop_table('agreement_amendment')
    op.drop_table('judicial_confirmation')
    op.drop_index('ix_follow_up_visited_on_scheduled_on', table_name='follow_up')
    op.drop_index(op.f('ix_follow_up_case_id'), table_name='follow_up')

    op.drop_table('follow_up')
    op.drop_table('agreement')
