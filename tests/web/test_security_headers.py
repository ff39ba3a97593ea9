"""Security headers on every kind of response, and templates that keep the Content-Security-Policy honest.

The policy forbids inline scripts, so a template with an inline `<script>` body, an `on…=` handler, a
`javascript:` address, an `hx-on` attribute (htmx evaluates it as code) or an inline style would either
be blocked in the browser or tempt someone to loosen the policy: the scan below catches them first."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mediation.app import TEMPLATES_DIR
from tests.conftest import add_user, app_client, post_form, sign_in
from tests.web.cases_support import District, intake_form, make_district

pytestmark = pytest.mark.anyio

SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
SCRIPT_WITH_BODY = re.compile(r"<script\b[^>]*>(?P<body>.*?)</script>", re.IGNORECASE | re.DOTALL)
EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*?\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
CODE_ATTRIBUTE = re.compile(r"""(\shx-on[:\-\w]*\s*=|\s(?:data-)?hx-vals\s*=\s*["']\s*js:|javascript:)""",
                            re.IGNORECASE)
INLINE_STYLE = re.compile(r"""(<style\b|\sstyle\s*=)""", re.IGNORECASE)


def policy(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_secure(response, what: str) -> None:
    headers = response.headers
    assert "content-security-policy" in headers, what
    directives = policy(headers["content-security-policy"])
    script_sources = directives.get("script-src", directives.get("default-src"))
    assert script_sources, what
    assert "'unsafe-inline'" not in script_sources and "'unsafe-eval'" not in script_sources, what
    assert "*" not in script_sources and "data:" not in script_sources, what
    assert directives.get("frame-ancestors") == ["'none'"], what
    assert directives.get("object-src") == ["'none'"], what
    assert headers.get("x-content-type-options") == "nosniff", what
    assert headers.get("referrer-policy") in SAFE_REFERRER_POLICIES, what
    if headers.get("content-type", "").startswith("text/html"):
        assert not INLINE_SCRIPT.search(response.text), f"{what} has an inline script"
        assert not EVENT_ATTRIBUTE.search(response.text), f"{what} has an on…= handler"


@pytest.fixture
async def district(client, db_session, settings) -> District:
    """The district with a supervisor (who may see reports too) and a counter; `client` is the supervisor."""
    district = await make_district(db_session)
    await add_user(db_session, settings, "zhuren", "supervisor", name="周主任")
    await add_user(db_session, settings, "chuangkou", "counter", name="陈窗口")
    await sign_in(client, "zhuren")
    return district


async def test_every_kind_of_response_carries_the_headers(client, settings, district):
    registered = await post_form(client, "/cases/new", intake_form(district))
    assert registered.status_code == 303
    case_id = int(registered.headers["location"].rsplit("/", 1)[1])
    month = datetime.now(ZoneInfo(settings.timezone)).strftime("%Y-%m")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    uploaded = await client.post(f"/cases/{case_id}/evidence", files={"file": ("收据.pdf", pdf, "application/pdf")},
                                 data={"_csrf_token": client.cookies.get("csrftoken")})
    assert uploaded.status_code == 303
    evidence = re.search(rf"/cases/{case_id}/evidence/\d+", (await client.get(f"/cases/{case_id}")).text).group(0)
    samples = {
        "a page": ("/cases", 200, "text/html"),
        "the case page": (f"/cases/{case_id}", 200, "text/html"),
        "an htmx partial": ("/cases?q=张", 200, "text/html"),
        "a 404 of an unknown address": ("/no/such/page", 404, "text/html"),
        "a 404 of an unknown case": ("/cases/999999", 404, "text/html"),
        "a static file": ("/static/htmx.min.js", 200, "javascript"),
        "the stylesheet": ("/static/app.css", 200, "text/css"),
        "/healthz": ("/healthz", 200, "application/json"),
        "a CSV download": (f"/reports/monthly.csv?month={month}", 200, "text/csv"),
        "an XLSX download": (f"/reports/monthly.xlsx?month={month}", 200, "spreadsheetml"),
        "an HTML document": (f"/cases/{case_id}/documents/register", 200, "text/html"),
        "a PDF document": (f"/cases/{case_id}/documents/receipt.pdf", 200, "application/pdf"),
        "an evidence download": (evidence, 200, "application/pdf"),
        "a 400 for a bad month": ("/reports/monthly.csv?month=2026-13", 400, "text/plain"),
    }
    for what, (url, status, content_type) in samples.items():
        headers = {"HX-Request": "true", "HX-Target": "case-table"} if what == "an htmx partial" else {}
        response = await client.get(url, headers=headers)
        assert response.status_code == status, what
        assert content_type in response.headers["content-type"], what
        assert_secure(response, what)

    invalid = await post_form(client, "/cases/new", intake_form(district, summary=""))
    assert invalid.status_code == 422
    assert_secure(invalid, "a form shown again with its errors")
    wrong_method = await client.delete("/cases")
    assert wrong_method.status_code == 405
    assert_secure(wrong_method, "a 405")
    htmx_error = await client.get("/cases/999999", headers={"HX-Request": "true"})
    assert htmx_error.status_code == 404
    assert_secure(htmx_error, "an htmx error toast")

    async with app_client(settings) as counter:
        await sign_in(counter, "chuangkou")
        forbidden = await counter.get("/admin/users")
        assert forbidden.status_code == 403
        assert_secure(forbidden, "a 403")
        no_token = await counter.post("/cases/new", data=intake_form(district))
        assert no_token.status_code == 403
        assert_secure(no_token, "a 403 for a missing CSRF token")
    async with app_client(settings) as anonymous:
        redirect = await anonymous.get("/cases")
        assert redirect.status_code == 303 and redirect.headers["location"].startswith("/login")
        assert_secure(redirect, "a redirect to the sign-in page")
        assert_secure(await anonymous.get("/login"), "the sign-in page")
        assert_secure(await anonymous.get("/track"), "the public /track page")
        assert_secure(await anonymous.get("/track/qr.svg"), "the QR code")


def template_files() -> list[Path]:
    files = sorted(TEMPLATES_DIR.rglob("*.html"))
    assert len(files) > 20, "the templates directory moved: point this scan at it"
    return files


@pytest.mark.parametrize("path", template_files(), ids=lambda path: str(path.relative_to(TEMPLATES_DIR)))
def test_templates_hold_no_inline_code(path):
    text = path.read_text(encoding="utf-8")
    for match in SCRIPT_WITH_BODY.finditer(text):
        assert not match.group("body").strip(), f"inline script body in {path.name}"
    assert not INLINE_SCRIPT.search(text), f"<script> without src in {path.name}"
    assert not EVENT_ATTRIBUTE.search(text), f"on…= event handler attribute in {path.name}"
    assert not CODE_ATTRIBUTE.search(text), f"hx-on, js: values or javascript: address in {path.name}"
    assert not INLINE_STYLE.search(text), f"inline style in {path.name} (style-src has no 'unsafe-inline')"


def test_htmx_is_configured_to_need_neither_eval_nor_inline_styles():
    base = (TEMPLATES_DIR / "base.html").read_text(encoding="utf-8")
    config = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", base)
    assert config, "base.html must configure htmx"
    assert '"allowEval": false' in config.group(1)
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert re.search(r'<script src="/static/htmx\.min\.js"', base)
