"""Evidence uploads under attack, beyond the cases in test_mediation_work.py: the size limit to the byte and a
body beyond the request limit, executables and markup renamed to accepted types, path tricks in the
file name sent as raw multipart bytes (NUL, absolute paths, RFC 5987 names, over-long names), and
downloads that stay inside MEDIATION_UPLOAD_DIR and inside the user's scope."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from mediation.models import Evidence
from tests.conftest import add_user, app_client, post_form, sign_in
from tests.web.cases_support import intake_form, make_district

pytestmark = pytest.mark.anyio
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
async def case_id(client, db_session, settings) -> int:
    """A case in 石门村; `client` is the district supervisor who registered it (and keeps the district)."""
    district = client.district = await make_district(db_session)
    await add_user(db_session, settings, "zhuren", "supervisor", name="周主任")
    await add_user(db_session, settings, "waicun", "village_mediator", district.village_b1_org, name="外村调解员")
    await add_user(db_session, settings, "guwen", "advisor", name="王明远")
    await sign_in(client, "zhuren")
    response = await post_form(client, "/cases/new", intake_form(district))
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("/", 1)[1])


def multipart(client, filename_header: bytes, content: bytes) -> tuple[bytes, dict[str, str]]:
    """A multipart body written byte by byte, so the file name reaches the server exactly as given
    (an HTTP library would percent-encode control characters and quotes on the way)."""
    boundary = uuid.uuid4().hex
    body = b"".join([
        f"--{boundary}\r\n".encode(),
        b'Content-Disposition: form-data; name="_csrf_token"\r\n\r\n',
        client.cookies.get("csrftoken").encode(), b"\r\n",
        f"--{boundary}\r\n".encode(),
        b'Content-Disposition: form-data; name="file"; ', filename_header, b"\r\n",
        b"Content-Type: application/octet-stream\r\n\r\n", content, b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ])
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


async def upload(client, case_id: int, name: str, content: bytes, declared: str = "application/octet-stream"):
    return await client.post(f"/cases/{case_id}/evidence", files={"file": (name, content, declared)},
                             data={"_csrf_token": client.cookies.get("csrftoken")})


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


async def evidence_count(db_session) -> int:
    await db_session.rollback()
    return await db_session.scalar(select(func.count()).select_from(Evidence))


async def test_content_decides_not_the_name_or_the_declared_type(client, case_id, settings, db_session):
    attacks = [
        ("photo.jpg", b"\x7fELF\x02\x01\x01\x00" + bytes(200), "image/jpeg"),
        ("收据.pdf", b"\x7fELF\x02\x01\x01\x00" + bytes(200), "application/pdf"),
        ("证据.pdf", b"<!doctype html><html><script>alert(1)</script></html>", "application/pdf"),
        ("image.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png"),
        ("scan.jpg", b"#!/bin/sh\nrm -rf /\n", "image/jpeg"),
        ("合同.docx", b"PK\x03\x04" + bytes(100), "application/vnd.openxmlformats-officedocument"),
        ("polyglot.pdf", b"<html><body>x</body></html>\n%PDF-1.4\n", "application/pdf"),
    ]
    for name, content, declared in attacks:
        response = await upload(client, case_id, name, content, declared)
        assert response.status_code == 422, name
        assert "只能上传 PDF、图片" in response.text, name
    assert files_under(settings.var_dir) == []
    assert await evidence_count(db_session) == 0


PATH_TRICKS = {
    "absolute": b'filename="/etc/passwd"',
    "percent-encoded": b'filename="..%2F..%2Fetc%2Fpasswd.pdf"',
    "RFC 5987": b"filename*=UTF-8''..%2F..%2Fetc%2Fpasswd.pdf",
    "NUL": b'filename="\xe6\x94\xb6\xe6\x8d\xae.pdf\x00.jpg"',
    "dot-dot": b'filename=".."',
    "backslashes": b'filename="..\\\\..\\\\boot.ini"',
    "control character": b'filename="a\x1b[31m.pdf"',
    "too long": b'filename="' + "名".encode() * 121 + b'.pdf"',
}


async def test_path_tricks_in_the_file_name_store_nothing(client, case_id, settings, db_session):
    for trick, header in PATH_TRICKS.items():
        body, headers = multipart(client, header, PDF)
        response = await client.post(f"/cases/{case_id}/evidence", content=body, headers=headers)
        assert response.status_code == 422, (trick, response.text[:1000])
        assert re.search(r"文件名不能|请选择要上传的文件", response.text), trick
        assert files_under(settings.var_dir) == [], trick
    assert await evidence_count(db_session) == 0


async def test_a_windows_full_path_is_cut_to_its_last_part(client, case_id, settings):
    """Old browsers sent the whole path; only the last part is kept, shown, and offered on download."""
    body, headers = multipart(client, b'filename="C:\\Windows\\System32\\win.ini"', PDF)
    assert (await client.post(f"/cases/{case_id}/evidence", content=body, headers=headers)).status_code == 303
    page = (await client.get(f"/cases/{case_id}")).text
    assert re.search(r'/evidence/\d+"[^>]*>win\.ini<', page) and "System32" not in page
    (stored,) = files_under(settings.var_dir)
    assert stored.parent == settings.upload_dir and re.fullmatch(r"[0-9a-f]{32}", stored.name)


async def test_the_size_limit_holds_to_the_byte(client, case_id, settings, db_session, monkeypatch):
    monkeypatch.setattr("mediation.services.mediation_work.MAX_UPLOAD_BYTES", 4096)
    at_limit = PDF + b"0" * (4096 - len(PDF))
    assert (await upload(client, case_id, "正好.pdf", at_limit)).status_code == 303
    over = await upload(client, case_id, "超出.pdf", at_limit + b"0")
    assert over.status_code == 422 and "文件超过" in over.text
    (stored,) = files_under(settings.var_dir)
    assert stored.parent == settings.upload_dir and stored.read_bytes() == at_limit
    assert await evidence_count(db_session) == 1


async def test_a_body_beyond_the_request_limit_is_cut_off(client, case_id, settings, db_session):
    response = await upload(client, case_id, "大文件.pdf", PDF + bytes(21 * 1024 * 1024))
    assert response.status_code == 413 and "文件过大" in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert files_under(settings.var_dir) == []
    assert await evidence_count(db_session) == 0


async def test_downloads_stay_in_the_upload_dir_and_in_scope(client, case_id, settings, db_session):
    # The browser's declared type is not believed: the file is served as what its content is.
    assert (await upload(client, case_id, "收据.pdf", PDF, "text/html")).status_code == 303
    page = (await client.get(f"/cases/{case_id}")).text
    link = re.search(rf"/cases/{case_id}/evidence/\d+", page).group(0)
    evidence_id = int(link.rsplit("/", 1)[1])
    download = await client.get(link)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["x-content-type-options"] == "nosniff"
    (stored,) = files_under(settings.var_dir)
    assert stored.parent == settings.upload_dir and re.fullmatch(r"[0-9a-f]{32}", stored.name)

    other = await post_form(client, "/cases/new", intake_form(client.district))
    other_id = int(other.headers["location"].rsplit("/", 1)[1])
    assert (await client.get(f"/cases/{other_id}/evidence/{evidence_id}")).status_code == 404

    async with app_client(settings) as anonymous:
        signed_out = await anonymous.get(link)
        assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")
    for outsider in ("waicun", "guwen"):
        async with app_client(settings) as other_user:
            await sign_in(other_user, outsider)
            assert (await other_user.get(link)).status_code == 404, outsider

    # Even a stored name tampered with in the database cannot lead outside the upload directory.
    secret = settings.var_dir / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    for tampered in ("../secret.txt", str(secret), "..", ""):
        await db_session.execute(update(Evidence).where(Evidence.id == evidence_id).values(stored_name=tampered))
        await db_session.commit()
        response = await client.get(link)
        assert response.status_code == 404 and "机密" not in response.text, tampered
