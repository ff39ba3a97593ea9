"""One migration history on both databases: up, down to base, up again; and no drift from the models."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from mediation import database
from mediation.models import Base


def _run(url: str, work):
    async def main():
        engine = database.create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _tables(url: str) -> set[str]:
    return _run(url, lambda sync: {
        name for name in inspect(sync).get_table_names()
        if name != "alembic_version" and not name.startswith("case_search")
    })


def _defaults(url: str):
    def read(sync):
        kinds = dict(sync.execute(text("SELECT kind, COUNT(*) FROM dictionary_entry GROUP BY kind")).all())
        types = [row[0] for row in sync.execute(
            text("SELECT label FROM dictionary_entry WHERE kind = 'dispute_type' ORDER BY position")
        )]
        center = sync.execute(text("SELECT name, kind FROM organization")).all()
        return kinds, types, center

    return _run(url, read)


def test_upgrade_downgrade_upgrade(databases):
    url = databases.empty_url()
    database.upgrade(url)
    assert _tables(url) == set(Base.metadata.tables)
    kinds, types, center = _defaults(url)
    assert kinds == {"dispute_type": 15, "case_source": 9, "outcome": 3, "risk_level": 3}
    assert types[:3] == ["婚姻家庭", "邻里", "房屋宅基地"] and types[-1] == "其他"
    assert [tuple(row) for row in center] == [("区矛盾纠纷调解中心", "district_center")]

    database.downgrade(url, "base")
    assert _tables(url) == set()

    database.upgrade(url)
    assert _tables(url) == set(Base.metadata.tables)
    assert _defaults(url)[0]["case_source"] == 9


def test_models_and_migrations_do_not_drift(databases):
    url = databases.migrated_url()

    def diff(sync):
        context = MigrationContext.configure(
            sync, opts={"compare_type": True, "include_object": database.include_in_comparison}
        )
        return compare_metadata(context, Base.metadata)

    assert _run(url, diff) == []
