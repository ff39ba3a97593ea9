"""open-case indexes and the open workload

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

Measured over 1,000,000 cases on PostgreSQL (bench/load.py): the dashboard's queues walked the whole open
set to find the nearest deadlines, and every case page and supervisor's case list counted each advisor's
open workload by joining every active assignment with its case (0.2–0.3 s). Now the queues read partial
indexes over open cases in deadline (or last action) order, pending extensions by deadline, the zero-report check from a covering index, and each assignment carries whether its case is open
(`case_open`), kept by triggers on both tables, so the workload is counted from one small partial index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('accepted', 'in_mediation')"
ACTIVE = "status IN ('accepted', 'pending')"

SQLITE_TRIGGERS = (
    "CREATE TRIGGER case_assignment_case_open_ai AFTER INSERT ON case_assignment BEGIN "
    "UPDATE case_assignment SET case_open = COALESCE((SELECT status IN ('accepted', 'in_mediation') "
    "FROM mediation_case WHERE id = NEW.case_id), 0) WHERE id = NEW.id; END",
    "CREATE TRIGGER case_assignment_case_open_au AFTER UPDATE OF case_id ON case_assignment BEGIN "
    "UPDATE case_assignment SET case_open = COALESCE((SELECT status IN ('accepted', 'in_mediation') "
    "FROM mediation_case WHERE id = NEW.case_id), 0) WHERE id = NEW.id; END",
    "CREATE TRIGGER mediation_case_open_au AFTER UPDATE OF status ON mediation_case "
    "WHEN (OLD.status IN ('accepted', 'in_mediation')) <> (NEW.status IN ('accepted', 'in_mediation')) BEGIN "
    "UPDATE case_assignment SET case_open = (NEW.status IN ('accepted', 'in_mediation')) "
    "WHERE case_id = NEW.id; END",
)
POSTGRES_TRIGGERS = (
    "CREATE FUNCTION case_assignment_set_case_open() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "NEW.case_open := EXISTS (SELECT 1 FROM mediation_case WHERE id = NEW.case_id "
    "AND status IN ('accepted', 'in_mediation')); RETURN NEW; END $$",
    "CREATE TRIGGER case_assignment_case_open BEFORE INSERT OR UPDATE OF case_id ON case_assignment "
    "FOR EACH ROW EXECUTE FUNCTION case_assignment_set_case_open()",
    "CREATE FUNCTION mediation_case_spread_open() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE case_assignment SET case_open = NEW.status IN ('accepted', 'in_mediation') "
    "WHERE case_id = NEW.id; RETURN NULL; END $$",
    "CREATE TRIGGER mediation_case_open AFTER UPDATE OF status ON mediation_case FOR EACH ROW "
    "WHEN ((OLD.status IN ('accepted', 'in_mediation')) IS DISTINCT FROM "
    "(NEW.status IN ('accepted', 'in_mediation'))) EXECUTE FUNCTION mediation_case_spread_open()",
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('case_assignment') as batch_op:
        batch_op.add_column(sa.Column('case_open', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.execute("UPDATE case_assignment SET case_open = EXISTS (SELECT 1 FROM mediation_case "
               f"WHERE mediation_case.id = case_assignment.case_id AND mediation_case.{OPEN})")
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS:
        op.execute(statement)
    open_where = {"sqlite_where": sa.text(OPEN), "postgresql_where": sa.text(OPEN)}
    op.create_index('ix_mediation_case_open_deadline', 'mediation_case', ['deadline', 'id'], **open_where)
    op.create_index('ix_mediation_case_open_organization_deadline', 'mediation_case',
                    ['organization_id', 'deadline', 'id'], **open_where)
    op.create_index('ix_mediation_case_open_last_action_at', 'mediation_case', ['last_action_at', 'id'],
                    **open_where)
    op.create_index('ix_extension_pending_deadline', 'extension', ['current_deadline', 'case_id'],
                    sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
    op.create_index('ix_mediation_case_registered_report', 'mediation_case',
                    ['registered_on', 'village_id', 'town_id', 'status'])
    op.create_index('ix_case_assignment_open_workload', 'case_assignment', ['advisor_id'],
                    sqlite_where=sa.text(f"case_open = 1 AND {ACTIVE}"),
                    postgresql_where=sa.text(f"case_open AND {ACTIVE}"))
    op.create_index('ix_follow_up_due', 'follow_up', ['scheduled_on', 'case_id'],
                    sqlite_where=sa.text("visited_on IS NULL"), postgresql_where=sa.text("visited_on IS NULL"))
    op.create_index('ix_agreement_written_signed_on', 'agreement', ['signed_on', 'case_id'],
                    sqlite_where=sa.text("form = 'written'"), postgresql_where=sa.text("form = 'written'"))


def downgrade() -> None:
    op.drop_index('ix_agreement_written_signed_on', table_name='agreement')
    op.drop_index('ix_follow_up_due', table_name='follow_up')
    op.drop_index('ix_case_assignment_open_workload', table_name='case_assignment')
    op.drop_index('ix_extension_pending_deadline', table_name='extension')
    op.drop_index('ix_mediation_case_registered_report', table_name='mediation_case')
    op.drop_index('ix_mediation_case_open_last_action_at', table_name='mediation_case')
    op.drop_index('ix_mediation_case_open_organization_deadline', table_name='mediation_case')
    op.drop_index('ix_mediation_case_open_deadline', table_name='mediation_case')
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("mediation_case_open_au", "case_assignment_case_open_au", "case_assignment_case_open_ai"):
            op.execute(f"DROP TRIGGER {trigger}")
    else:
        op.execute("DROP TRIGGER mediation_case_open ON mediation_case")
        op.execute("DROP FUNCTION mediation_case_spread_open()")
        op.execute("DROP TRIGGER case_assignment_case_open ON case_assignment")
        op.execute("DROP FUNCTION case_assignment_set_case_open()")
    with op.batch_alter_table('case_assignment') as batch_op:
        batch_op.drop_column('case_open')
