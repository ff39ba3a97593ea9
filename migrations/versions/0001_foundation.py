"""foundation: places, organizations, accounts, dictionaries, advisors

Revision ID: 0001
Revises:
Create Date: 2026-11-26

The empty database already holds the default dictionaries of DOMAIN.md and the district
(with its one-stop mediation center), so a fresh install is usable at once.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
import advanced_alchemy.types

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


DISPUTE_TYPES = [
    ("marriage_family", "婚姻家庭"), ("neighbourhood", "邻里"), ("housing_homestead", "房屋宅基地"),
    ("contract", "合同"), ("production_business", "生产经营"), ("damages", "损害赔偿"),
    ("forest_land", "山林土地"), ("land_requisition", "征地拆迁"), ("environment", "环境污染"),
    ("labour", "劳动争议"), ("consumer", "消费"), ("medical", "医疗"), ("traffic_accident", "道路交通事故"),
    ("property_management", "物业"), ("other", "其他"),
]
CASE_SOURCES = [
    ("party_application", "当事人申请"), ("own_initiative", "主动调解"), ("police_referral", "公安移送"),
    ("court_entrusted", "法院委托"), ("government_assigned", "政府部门交办"), ("petition_referral", "信访转办"),
    ("hotline_12345", "12345热线转办"), ("grid_screening", "网格排查上报"), ("other", "其他"),
]
OUTCOMES = [("success", "调解成功"), ("failure", "调解不成"), ("withdrawn", "当事人撤回")]
RISK_LEVELS = [("ordinary", "一般"), ("serious", "较大"), ("major", "重大")]


def seed_defaults() -> None:
    entries = sa.table(
        "dictionary_entry",
        sa.column("kind", sa.String), sa.column("code", sa.String), sa.column("label", sa.String),
        sa.column("position", sa.Integer), sa.column("active", sa.Boolean),
    )
    rows = []
    for kind, items in (
        ("dispute_type", DISPUTE_TYPES), ("case_source", CASE_SOURCES),
        ("outcome", OUTCOMES), ("risk_level", RISK_LEVELS),
    ):
        rows += [
            {"kind": kind, "code": code, "label": label, "position": index, "active": True}
            for index, (code, label) in enumerate(items, start=1)
        ]
    op.bulk_insert(entries, rows)
    now = datetime.now(UTC)
    places = sa.table(
        "place", sa.column("id", sa.Integer), sa.column("parent_id", sa.Integer), sa.column("level", sa.String),
        sa.column("name", sa.String), sa.column("position", sa.Integer),
        sa.column("created_at", advanced_alchemy.types.DateTimeUTC(timezone=True)),
    )
    op.bulk_insert(places, [{"id": 1, "parent_id": None, "level": "district", "name": "本区", "position": 1,
                             "created_at": now}])
    organizations = sa.table(
        "organization", sa.column("id", sa.Integer), sa.column("name", sa.String),
        sa.column("short_name", sa.String), sa.column("kind", sa.String), sa.column("place_id", sa.Integer),
        sa.column("active", sa.Boolean),
        sa.column("created_at", advanced_alchemy.types.DateTimeUTC(timezone=True)),
    )
    op.bulk_insert(organizations, [{"id": 1, "name": "区矛盾纠纷调解中心", "short_name": "区中心",
                                    "kind": "district_center", "place_id": 1, "active": True,
                                    "created_at": now}])
    if op.get_bind().dialect.name == "postgresql":
        # Rows inserted with explicit ids: move the sequences past them.
        op.execute("SELECT setval(pg_get_serial_sequence('place', 'id'), 1)")
        op.execute("SELECT setval(pg_get_serial_sequence('organization', 'id'), 1)")


def upgrade() -> None:
    op.create_table('dictionary_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dictionary_entry')),
    sa.UniqueConstraint('kind', 'code', name=op.f('uq_dictionary_entry_kind_code')),
    sa.UniqueConstraint('kind', 'label', name=op.f('uq_dictionary_entry_kind_label'))
    )
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    op.create_index('ix_login_failure_username_address_occurred_at', 'login_failure', ['username', 'address', 'occurred_at'])

    op.create_table('place',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['place.id'], name=op.f('fk_place_parent_id_place'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_place')),
    sa.UniqueConstraint('parent_id', 'name', name=op.f('uq_place_parent_id_name'))
    )
    op.create_index('ix_place_parent_id_position', 'place', ['parent_id', 'position'])

    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('short_name', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('specialty', sa.String(length=40), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_organization_place_id_place'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization')),
    sa.UniqueConstraint('name', name=op.f('uq_organization_name'))
    )
    op.create_index('ix_organization_place_id', 'organization', ['place_id'])

    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('display_name', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('password_changed_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_app_user_organization_id_organization'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_index('ix_app_user_organization_id', 'app_user', ['organization_id'])

    op.create_table('legal_advisor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('firm', sa.String(length=100), nullable=False),
    sa.Column('licence_no', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('duty_days', sa.String(length=60), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_legal_advisor_user_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_advisor')),
    sa.UniqueConstraint('licence_no', name=op.f('uq_legal_advisor_licence_no')),
    sa.UniqueConstraint('user_id', name=op.f('uq_legal_advisor_user_id'))
    )
    op.create_table('user_session',
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('expires_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('created_at', advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_user_session_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_digest', name=op.f('pk_user_session'))
    )
    op.create_index('ix_user_session_user_id', 'user_session', ['user_id'])

    op.create_table('advisor_village',
    sa.Column('advisor_id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['advisor_id'], ['legal_advisor.id'], name=op.f('fk_advisor_village_advisor_id_legal_advisor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['place_id'], ['place.id'], name=op.f('fk_advisor_village_place_id_place'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('advisor_id', 'place_id', name=op.f('pk_advisor_village'))
    )
    op.create_index('ix_advisor_village_place_id', 'advisor_village', ['place_id'])

    seed_defaults()


def downgrade() -> None:
    op.drop_index('ix_advisor_village_place_id', table_name='advisor_village')
    op.drop_table('advisor_village')
    op.drop_index('ix_user_session_user_id', table_name='user_session')
    op.drop_table('user_session')
    op.drop_table('legal_advisor')
    op.drop_index('ix_app_user_organization_id', table_name='app_user')
    op.drop_table('app_user')
    op.drop_index('ix_organization_place_id', table_name='organization')
    op.drop_table('organization')
    op.drop_index('ix_place_parent_id_position', table_name='place')
    op.drop_table('place')
    op.drop_index('ix_login_failure_username_address_occurred_at', table_name='login_failure')
    op.drop_table('login_failure')
    op.drop_table('dictionary_entry')
