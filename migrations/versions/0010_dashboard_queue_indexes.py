"""indexes for the dashboard's declined and major-risk queues, and party names that carry their case

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

Measured over 1,000,000 cases on PostgreSQL: the supervisor's "declined, to reassign" queue walked the open
cases in id order checking each for a declined assignment (17 ms), and the major-risk alerts walked the open
cases by last action until 20 major ones turned up (6 ms). Now the declined assignments of open cases have
a partial index of their own (a few thousand entries), and so do the open major-risk cases by last action.
A search by a common two-character name (1,300 parties) fetched each party's row for its case id: the name
indexes now carry the case id (PostgreSQL's pattern index INCLUDEs it; the plain one is on name and case id).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('accepted', 'in_mediation')"


def upgrade() -> None:
    with op.batch_alter_table('party') as batch_op:
        batch_op.drop_index('ix_party_name')
        batch_op.create_index('ix_party_name', ['name', 'case_id'])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_party_name_pattern")
        op.execute("CREATE INDEX ix_party_name_pattern ON party (name text_pattern_ops) INCLUDE (case_id)")
    op.create_index('ix_case_assignment_open_declined', 'case_assignment', ['case_id'],
                    sqlite_where=sa.text("case_open = 1 AND status = 'declined'"),
                    postgresql_where=sa.text("case_open AND status = 'declined'"))
    op.create_index('ix_mediation_case_open_major_last_action_at', 'mediation_case', ['last_action_at', 'id'],
                    sqlite_where=sa.text(f"{OPEN} AND risk_level = 'major'"),
                    postgresql_where=sa.text(f"{OPEN} AND risk_level = 'major'"))


def downgrade() -> None:
    op.drop_index('ix_mediation_case_open_major_last_action_at', table_name='mediation_case')
    op.drop_index('ix_case_assignment_open_declined', table_name='case_assignment')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_party_name_pattern")
        op.execute("CREATE INDEX ix_party_name_pattern ON party (name text_pattern_ops)")
    with op.batch_alter_table('party') as batch_op:
        batch_op.drop_index('ix_party_name')
        batch_op.create_index('ix_party_name', ['name'])
