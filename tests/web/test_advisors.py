"""The advisor registry: import (all or nothing, re-import updates), the registry page and coverage."""

from __future__ import annotations

import anyio
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from mediation.cli import main
from mediation.models import LegalAdvisor, advisor_village
from tests.conftest import add_user, sign_in
from tests.web.cases_support import make_district

HEADER = "姓名,执业机构,执业证号,电话,服务村居,账号\n"


@pytest.fixture
def run_cli(database_url, monkeypatch):
    monkeypatch.setenv("MEDIATION_DATABASE_URL", database_url)
    monkeypatch.setenv("MEDIATION_SECRET_KEY", "cli-test-secret-key-0123456789-abcdef")
    runner = CliRunner()

    async def invoke(*args: str):
        # The command runs its own event loop: keep it off the test's loop.
        return await anyio.to_thread.run_sync(lambda: runner.invoke(main, list(args), catch_exceptions=False))

    return invoke


@pytest.fixture
async def district(db_session, settings):
    district = await make_district(db_session)
    await add_user(db_session, settings, "guwen", "advisor", name="王明远")
    await add_user(db_session, settings, "chuangkou", "counter")
    await db_session.commit()
    return district


async def counts(session):
    await session.rollback()
    return (await session.scalar(select(func.count()).select_from(LegalAdvisor)),
            await session.scalar(select(func.count()).select_from(advisor_village)))


@pytest.mark.anyio
async def test_import_then_reimport_updates_by_licence_number(run_cli, district, db_session, tmp_path):
    path = tmp_path / "advisors.csv"
    path.write_text(HEADER + "王明远,明理律师事务所,13301201010001,13900000001,城关镇/石门村、城关镇/大岭村,guwen\n"
                    "李静,正平律师事务所,13301201010002,,东湖街道/湖滨社区,\n", encoding="utf-8")
    result = await run_cli("advisors", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "imported 2 new advisors, updated 0" in result.output
    assert await counts(db_session) == (2, 3)
    path.write_text(HEADER + "王明远,明理律师事务所（城关分所）,13301201010001,13900000001,城关镇/石门村,guwen\n",
                    encoding="gbk")
    result = await run_cli("advisors", "import", str(path))
    assert "imported 0 new advisors, updated 1" in result.output
    assert await counts(db_session) == (2, 2)
    firm = await db_session.scalar(select(LegalAdvisor.firm).where(LegalAdvisor.licence_no == "13301201010001"))
    assert firm == "明理律师事务所（城关分所）"


@pytest.mark.anyio
async def test_bad_rows_are_reported_and_nothing_is_written(run_cli, district, db_session, tmp_path):
    path = tmp_path / "advisors.csv"
    path.write_text(HEADER + "王明远,明理所,13301201010001,,城关镇/石门村,guwen\n"
                    "李静,正平所,13301201010002,,城关镇/不存在村,\n"
                    "赵敏,和衡所,13301201010003,,东湖街道/湖滨社区,chuangkou\n"
                    "钱七,和衡所,13301201010004,,东湖街道/湖滨社区,nobody\n", encoding="utf-8")
    result = await run_cli("advisors", "import", str(path))
    assert result.exit_code == 1
    assert "line 3, column 服务村居: 城关镇/不存在村 is not in the place tree" in result.output
    assert "line 4, column 账号: 'chuangkou' is not an advisor account" in result.output
    assert "line 5, column 账号: no account named 'nobody'" in result.output
    assert "nothing was imported" in result.output
    assert await counts(db_session) == (0, 0)


@pytest.mark.anyio
async def test_malformed_file(run_cli, tmp_path):
    path = tmp_path / "advisors.csv"
    path.write_text("姓名,律所\n王明远,明理所\n", encoding="utf-8")
    result = await run_cli("advisors", "import", str(path))
    assert result.exit_code == 1 and "column 律所: unknown column" in result.output


@pytest.mark.anyio
async def test_registry_page_shows_workload_and_coverage(run_cli, district, client, tmp_path):
    path = tmp_path / "advisors.csv"
    path.write_text(HEADER + "王明远,明理律师事务所,13301201010001,13900000001,城关镇/石门村,guwen\n",
                    encoding="utf-8")
    await run_cli("advisors", "import", str(path))
    await sign_in(client, "chuangkou")
    page = (await client.get("/advisors")).text
    for text in ("王明远", "明理律师事务所", "13301201010001", "城关镇/石门村", "guwen"):
        assert text in page
    assert "已配备法律顾问的村居 <strong>1</strong> / 3，覆盖率 <strong>33.3%</strong>" in page
    uncovered = page.split("尚未配备法律顾问的村居")[1].split("</ul>")[0]
    assert "城关镇/大岭村" in uncovered and "东湖街道/湖滨社区" in uncovered and "石门村" not in uncovered
