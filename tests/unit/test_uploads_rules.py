"""Upload types are judged by content, not by name; display names lose any path."""

import pytest

from mediation.domain.uploads import display_name_problem, sniff_type


@pytest.mark.parametrize(
    ("head", "members", "name", "expected"),
    [
        (b"%PDF-1.7\n", (), "a.exe", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", (), "a.pdf", "image/png"),
        (b"\xff\xd8\xff\xe0", (), "", "image/jpeg"),
        (b"GIF89a", (), "", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", (), "", "image/webp"),
        (b"PK\x03\x04", ("[Content_Types].xml", "word/document.xml"), "a.zip",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (b"PK\x03\x04", ("[Content_Types].xml", "xl/workbook.xml"), "",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (b"PK\x03\x04", ("evil.sh",), "a.docx", None),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", (), "旧合同.DOC", "application/msword"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", (), "x.msi", None),
        (b"MZ\x90\x00", (), "report.pdf", None),
        (b"<html><script>", (), "photo.jpg", None),
    ],
)
def test_sniff_type(head, members, name, expected):
    assert sniff_type(head, members, name) == expected


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "C:\\Users\\x\\收据.pdf", "..", "a/b.pdf", "a\x00b.pdf", "x\n.pdf", "长" * 121, " "]
)
def test_names_with_paths_or_control_characters_are_refused(name):
    assert display_name_problem(name) is not None


@pytest.mark.parametrize("name", ["收据.pdf", "2026年3月 转账凭证(1).jpg", "合同.v2.docx"])
def test_plain_names_are_accepted(name):
    assert display_name_problem(name) is None
