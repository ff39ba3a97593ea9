"""mediation work

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import advanced_alchemy.types

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('advisor_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('chosen_by_parties', sa.Boolean(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('responded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.Column('conflict_override_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['advisor_id'], ['legal_advisor.id'], name=op.f('fk_case_assignment_advisor_id_legal_advisor'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['app_user.id'], name=op.f('fk_case_assignment_assigned_by_id_app_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_case_assignment_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_case_assignment_user_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_assignment'))
    )
    op.create_index('ix_case_assignment_advisor_id_status', 'case_assignment', ['advisor_id', 'status'])
    op.create_index('ix_case_assignment_case_id', 'case_assignment', ['case_id'])
    op.create_index('ix_case_assignment_user_id_status', 'case_assignment', ['user_id', 'status'])

    op.create_table('conflict_declaration',
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('advisor_id', sa.Integer(), nullable=True),
    sa.Column('relation', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['advisor_id'], ['legal_advisor.id'], name=op.f('fk_conflict_declaration_advisor_id_legal_advisor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_conflict_declaration_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_conflict_declaration_recorded_by_id_app_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_conflict_declaration_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conflict_declaration'))
    )
    op.create_index(op.f('ix_conflict_declaration_case_id'), 'conflict_declaration', ['case_id'])

    op.create_table('evidence',
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_evidence_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_evidence_recorded_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_evidence_stored_name'))
    )
    op.create_index(op.f('ix_evidence_case_id'), 'evidence', ['case_id'])

    op.create_table('extension',
    sa.Column('current_deadline', sa.Date(), nullable=False),
    sa.Column('requested_deadline', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('applicant_consent', sa.String(length=200), nullable=False),
    sa.Column('respondent_consent', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_extension_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_extension_decided_by_id_app_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_extension_recorded_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension'))
    )
    op.create_index(op.f('ix_extension_case_id'), 'extension', ['case_id'])
    op.create_index('ix_extension_status', 'extension', ['status'])

    op.create_table('hearing',
    sa.Column('held_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('mediators', sa.String(length=200), nullable=False),
    sa.Column('attendees', sa.String(length=400), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_hearing_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_hearing_recorded_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing'))
    )
    op.create_index(op.f('ix_hearing_case_id'), 'hearing', ['case_id'])

    op.create_table('investigation_record',
    sa.Column('investigated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('investigators', sa.String(length=200), nullable=False),
    sa.Column('subjects', sa.String(length=200), nullable=False),
    sa.Column('findings', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_investigation_record_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_investigation_record_recorded_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_investigation_record'))
    )
    op.create_index(op.f('ix_investigation_record_case_id'), 'investigation_record', ['case_id'])

    op.create_table('legal_opinion',
    sa.Column('advisor_id', sa.Integer(), nullable=True),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['advisor_id'], ['legal_advisor.id'], name=op.f('fk_legal_opinion_advisor_id_legal_advisor'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_legal_opinion_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_legal_opinion_recorded_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_opinion'))
    )
    op.create_index(op.f('ix_legal_opinion_case_id'), 'legal_opinion', ['case_id'])

    op.create_table('rights_notice',
    sa.Column('notified_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('parties_told', sa.String(length=400), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_rights_notice_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_rights_notice_recorded_by_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rights_notice'))
    )
    op.create_index(op.f('ix_rights_notice_case_id'), 'rights_notice', ['case_id'])

    # Plain ADD COLUMN (no table rebuild on SQLite, which would drop the search triggers), with constant
    # defaults for the rows already there; last_action_at then takes each case's last update.
    op.add_column('mediation_case', sa.Column('preventive_steps', sa.Text(), nullable=False, server_default=''))
    op.add_column('mediation_case', sa.Column('last_action_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
                                              nullable=False, server_default='1970-01-01 00:00:00'))
    op.execute("UPDATE mediation_case SET last_action_at = updated_at")
    op.create_index('ix_mediation_case_last_action_at', 'mediation_case', ['last_action_at'])



def downgrade() -> None:
    op.drop_index('ix_mediation_case_last_action_at', table_name='mediation_case')
    op.drop_column('mediation_case', 'last_action_at')
    op.drop_column('mediation_case', 'preventive_steps')

    op.drop_index(op.f('ix_rights_notice_case_id'), table_name='rights_notice')

    op.drop_table('rights_notice')
    op.drop_index(op.f('ix_legal_opinion_case_id'), table_name='legal_opinion')

    op.drop_table('legal_opinion')
    op.drop_index(op.f('ix_investigation_record_case_id'), table_name='investigation_record')

    op.drop_table('investigation_record')
    op.drop_index(op.f('ix_hearing_case_id'), table_name='hearing')

    op.drop_table('hearing')
    op.drop_index('ix_extension_status', table_name='extension')
    op.drop_index(op.f('ix_extension_case_id'), table_name='extension')

    op.drop_table('extension')
    op.drop_index(op.f('ix_evidence_case_id'), table_name='evidence')

    op.drop_table('evidence')
    op.drop_index(op.f('ix_conflict_declaration_case_id'), table_name='conflict_declaration')

    op.drop_table('conflict_declaration')
    op.drop_index('ix_case_assignment_user_id_status', table_name='case_assignment')
    op.drop_index('ix_case_assignment_case_id', table_name='case_assignment')
    op.drop_index('ix_case_assignment_advisor_id_status', table_name='case_assignment')

    op.drop_table('case_assignment')
