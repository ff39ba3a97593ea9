"""ledger: the audit of ledger imports and exports, and what an import brought with each case

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table('ledger_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=False),
    sa.Column('started_at', UTC_TIME, nullable=False),
    sa.Column('finished_at', UTC_TIME, nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('date_from', sa.Date(), nullable=True),
    sa.Column('date_to', sa.Date(), nullable=True),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('new_count', sa.Integer(), nullable=False),
    sa.Column('skipped_count', sa.Integer(), nullable=False),
    sa.Column('exported_count', sa.Integer(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('stored_name', sa.String(length=64), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_ledger_transfer_user_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['ledger_transfer.id'], name=op.f('fk_ledger_transfer_source_id_ledger_transfer'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_transfer')),
    sa.UniqueConstraint('source_id', name=op.f('uq_ledger_transfer_source_id'))
    )
    op.create_index('ix_ledger_transfer_started_at', 'ledger_transfer', ['started_at'])
    op.create_table('ledger_imported_case',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=True),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('mediators', sa.String(length=400), nullable=False),
    sa.Column('unlinked_mediators', sa.String(length=400), nullable=False),
    sa.Column('advisors', sa.String(length=400), nullable=False),
    sa.Column('unlinked_advisors', sa.String(length=400), nullable=False),
    sa.Column('agreement_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_ledger_imported_case_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['transfer_id'], ['ledger_transfer.id'], name=op.f('fk_ledger_imported_case_transfer_id_ledger_transfer'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_ledger_imported_case'))
    )
    op.create_index('ix_ledger_imported_case_transfer_id', 'ledger_imported_case', ['transfer_id'])


def downgrade() -> None:
    op.drop_index('ix_ledger_imported_case_transfer_id', table_name='ledger_imported_case')
    op.drop_table('ledger_imported_case')
    op.drop_index('ix_ledger_transfer_started_at', table_name='ledger_transfer')
    op.drop_table('ledger_transfer')
