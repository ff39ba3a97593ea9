"""Fixtures shared by the case tests: a small district and a signed-in counter mediator."""

from __future__ import annotations

import pytest

from tests.conftest import add_user, sign_in
from tests.web.cases_support import make_district


@pytest.fixture
async def district(db_session):
    return await make_district(db_session)


@pytest.fixture
async def counter(client, db_session, settings, district):
    await add_user(db_session, settings, "chuangkou", "counter", name="陈窗口")
    await sign_in(client, "chuangkou")
    return client
