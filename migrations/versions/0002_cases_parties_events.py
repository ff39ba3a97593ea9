"""cases parties events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Also the search structures each database needs for the case list's search box: on SQLite an FTS5
trigram index of 纠纷简要情况 kept in step by triggers; on PostgreSQL a pg_trgm GIN index of it and a
pattern index on party names (two-character names are found through that name index on both).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
import advanced_alchemy.types

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE case_search USING fts5(summary, content='mediation_case', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER case_search_ai AFTER INSERT ON mediation_case BEGIN "
    "INSERT INTO case_search(rowid, summary) VALUES (new.id, new.summary); END",
    "CREATE TRIGGER case_search_ad AFTER DELETE ON mediation_case BEGIN "
    "INSERT INTO case_search(case_search, rowid, summary) VALUES ('delete', old.id, old.summary); END",
    "CREATE TRIGGER case_search_au AFTER UPDATE OF summary ON mediation_case BEGIN "
    "INSERT INTO case_search(case_search, rowid, summary) VALUES ('delete', old.id, old.summary); "
    "INSERT INTO case_search(rowid, summary) VALUES (new.id, new.summary); END",
)
POSTGRES_SEARCH = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_mediation_case_summary_trgm ON mediation_case USING gin (summary gin_trgm_ops)",
    "CREATE INDEX ix_party_name_pattern ON party (name text_pattern_ops)",
)


def create_search() -> None:
    statements = SQLITE_SEARCH if op.get_bind().dialect.name == "sqlite" else POSTGRES_SEARCH
    for statement in statements:
        op.execute(statement)


def drop_search() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("case_search_ai", "case_search_ad", "case_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS case_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_party_name_pattern")
        op.execute("DROP INDEX IF EXISTS ix_mediation_case_summary_trgm")


def upgrade() -> None:
    op.create_table('case_number_counter',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_case_number_counter_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'year', name=op.f('pk_case_number_counter'))
    )
    op.create_table('mediation_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('intake_token', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('dispute_type', sa.String(length=40), nullable=False),
    sa.Column('risk_level', sa.String(length=16), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=True),
    sa.Column('people_involved', sa.Integer(), nullable=False),
    sa.Column('amount_involved', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('claims', sa.Text(), nullable=False),
    sa.Column('applicant_names', sa.String(length=400), nullable=False),
    sa.Column('respondent_names', sa.String(length=400), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('registering_organization_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=False),
    sa.Column('suggested_level', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('refusal_reason', sa.String(length=40), nullable=True),
    sa.Column('refusal_note', sa.Text(), nullable=False),
    sa.Column('void_reason', sa.Text(), nullable=False),
    sa.Column('repeat_of_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['grid_id'], ['place.id'], name=op.f('fk_mediation_case_grid_id_place'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_mediation_case_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['registered_by_id'], ['app_user.id'], name=op.f('fk_mediation_case_registered_by_id_app_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['registering_organization_id'], ['organization.id'], name=op.f('fk_mediation_case_registering_organization_id_organization'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['repeat_of_id'], ['mediation_case.id'], name=op.f('fk_mediation_case_repeat_of_id_mediation_case'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['town_id'], ['place.id'], name=op.f('fk_mediation_case_town_id_place'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['village_id'], ['place.id'], name=op.f('fk_mediation_case_village_id_place'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_case')),
    sa.UniqueConstraint('intake_token', name=op.f('uq_mediation_case_intake_token')),
    sa.UniqueConstraint('number', name=op.f('uq_mediation_case_number'))
    )
    op.create_index('ix_mediation_case_registered_on_id', 'mediation_case', ['registered_on', 'id'])
    op.create_index('ix_mediation_case_accepted_on', 'mediation_case', ['accepted_on'])
    op.create_index('ix_mediation_case_organization_id_status', 'mediation_case', ['organization_id', 'status'])
    op.create_index('ix_mediation_case_repeat_of_id', 'mediation_case', ['repeat_of_id'])
    op.create_index('ix_mediation_case_status_deadline', 'mediation_case', ['status', 'deadline'])
    op.create_index('ix_mediation_case_town_id_accepted_on', 'mediation_case', ['town_id', 'accepted_on'])
    op.create_index('ix_mediation_case_village_id_accepted_on', 'mediation_case', ['village_id', 'accepted_on'])

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('summary', sa.String(length=400), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['app_user.id'], name=op.f('fk_case_event_actor_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_case_event_case_id_mediation_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_event'))
    )
    op.create_index('ix_case_event_case_id_id', 'case_event', ['case_id', 'id'])

    op.create_table('party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['mediation_case.id'], name=op.f('fk_party_case_id_mediation_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['town_id'], ['place.id'], name=op.f('fk_party_town_id_place'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['village_id'], ['place.id'], name=op.f('fk_party_village_id_place'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party'))
    )
    op.create_index('ix_party_case_id', 'party', ['case_id'])
    op.create_index('ix_party_id_number', 'party', ['id_number'])
    op.create_index('ix_party_name', 'party', ['name'])
    op.create_index('ix_party_phone', 'party', ['phone'])
    op.create_index('ix_party_village_id_name', 'party', ['village_id', 'name'])

    create_search()


def downgrade() -> None:
    drop_search()
    op.drop_index('ix_party_village_id_name', table_name='party')
    op.drop_index('ix_party_phone', table_name='party')
    op.drop_index('ix_party_name', table_name='party')
    op.drop_index('ix_party_id_number', table_name='party')
    op.drop_index('ix_party_case_id', table_name='party')

    op.drop_table('party')
    op.drop_index('ix_case_event_case_id_id', table_name='case_event')

    op.drop_table('case_event')
    op.drop_index('ix_mediation_case_village_id_accepted_on', table_name='mediation_case')
    op.drop_index('ix_mediation_case_town_id_accepted_on', table_name='mediation_case')
    op.drop_index('ix_mediation_case_status_deadline', table_name='mediation_case')
    op.drop_index('ix_mediation_case_repeat_of_id', table_name='mediation_case')
    op.drop_index('ix_mediation_case_organization_id_status', table_name='mediation_case')
    op.drop_index('ix_mediation_case_accepted_on', table_name='mediation_case')
    op.drop_index('ix_mediation_case_registered_on_id', table_name='mediation_case')

    op.drop_table('mediation_case')
    op.drop_table('case_number_counter')
