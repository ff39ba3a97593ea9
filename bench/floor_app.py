"""The floor of the load run (bench/load.py): a bare Litestar app, one plain text route, no database.

    .venv/bin/python -m uvicorn floor_app:app --app-dir bench --workers 2 --port 8001
"""

from litestar import Litestar, MediaType, get


@get("/", media_type=MediaType.TEXT)
async def index() -> str:
    return "ok"


app = Litestar(route_handlers=[index])
