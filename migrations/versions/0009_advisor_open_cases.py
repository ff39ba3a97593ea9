"""each legal advisor's open workload, kept as a count

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Measured over 1,000,000 cases on PostgreSQL: counting every advisor's open workload for the case list's bulk
form read about 230,000 index entries (6 ms) on each supervisor's list page. Now `legal_advisor.open_cases`
holds the count (在办): triggers on `case_assignment` add or take one whenever an assignment starts or stops
counting (its advisor, its status or whether its case is open changes; it is inserted or deleted), whichever
code path changes it. A restore recounts it (mediation.models.assignments.recount_open_cases).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECOUNT = ("UPDATE legal_advisor SET open_cases = (SELECT count(*) FROM case_assignment "
           "WHERE case_assignment.advisor_id = legal_advisor.id AND case_assignment.case_open "
           "AND case_assignment.status IN ('accepted', 'pending'))")


def _counts(row: str) -> str:
    return f"{row}.advisor_id IS NOT NULL AND {row}.case_open AND {row}.status IN ('accepted', 'pending')"


SQLITE_TRIGGERS = (
    f"CREATE TRIGGER case_assignment_open_cases_ai AFTER INSERT ON case_assignment WHEN {_counts('NEW')} BEGIN "
    "UPDATE legal_advisor SET open_cases = open_cases + 1 WHERE id = NEW.advisor_id; END",
    "CREATE TRIGGER case_assignment_open_cases_au AFTER UPDATE OF advisor_id, status, case_open "
    "ON case_assignment BEGIN "
    f"UPDATE legal_advisor SET open_cases = open_cases - 1 WHERE id = OLD.advisor_id AND {_counts('OLD')}; "
    f"UPDATE legal_advisor SET open_cases = open_cases + 1 WHERE id = NEW.advisor_id AND {_counts('NEW')}; END",
    f"CREATE TRIGGER case_assignment_open_cases_ad AFTER DELETE ON case_assignment WHEN {_counts('OLD')} BEGIN "
    "UPDATE legal_advisor SET open_cases = open_cases - 1 WHERE id = OLD.advisor_id; END",
)
POSTGRES_TRIGGERS = (
    "CREATE FUNCTION case_assignment_count_open_cases() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "DECLARE counted boolean := false; counts boolean := false; BEGIN "
    f"IF TG_OP <> 'INSERT' THEN counted := {_counts('OLD')}; END IF; "
    f"IF TG_OP <> 'DELETE' THEN counts := {_counts('NEW')}; END IF; "
    "IF counted AND TG_OP = 'UPDATE' AND counts AND OLD.advisor_id = NEW.advisor_id THEN RETURN NULL; END IF; "
    "IF counted THEN UPDATE legal_advisor SET open_cases = open_cases - 1 WHERE id = OLD.advisor_id; END IF; "
    "IF counts THEN UPDATE legal_advisor SET open_cases = open_cases + 1 WHERE id = NEW.advisor_id; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER case_assignment_open_cases AFTER INSERT OR DELETE OR UPDATE OF advisor_id, status, case_open "
    "ON case_assignment FOR EACH ROW EXECUTE FUNCTION case_assignment_count_open_cases()",
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table('legal_advisor') as batch_op:
        batch_op.add_column(sa.Column('open_cases', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.execute(RECOUNT)
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("case_assignment_open_cases_ad", "case_assignment_open_cases_au",
                        "case_assignment_open_cases_ai"):
            op.execute(f"DROP TRIGGER {trigger}")
    else:
        op.execute("DROP TRIGGER case_assignment_open_cases ON case_assignment")
        op.execute("DROP FUNCTION case_assignment_count_open_cases()")
    with op.batch_alter_table('legal_advisor') as batch_op:
        batch_op.drop_column('open_cases')
