"""Which uploaded files are accepted: PDF, images and Office documents up to 20 MB, judged by content."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from typing import Final

MAX_UPLOAD_BYTES: Final = 20 * 1024 * 1024
ACCEPTED_TYPES: Final = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
}
_OLE_EXTENSIONS: Final = {".doc": "application/msword", ".xls": "application/vnd.ms-excel"}


def sniff_type(head: bytes, zip_members: Collection[str] = (), filename: str = "") -> str | None:
    """The content type from the first bytes (and, for ZIP containers, the member names); None if refused.

    The file name only tells a legacy Word file from a legacy Excel file (both OLE containers)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04") and "[Content_Types].xml" in zip_members:
        for prefix, content_type in (
            ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ):
            if any(name.startswith(prefix) for name in zip_members):
                return content_type
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        suffix = filename.lower()[filename.rfind("."):] if "." in filename else ""
        return _OLE_EXTENSIONS.get(suffix)
    return None


def display_name_problem(filename: str) -> str | None:
    """Why a file name is refused: browsers send a bare name, so a path in it is an attack."""
    name = unicodedata.normalize("NFC", filename)
    if not name.strip():
        return "文件名不能为空"
    if "/" in name or "\\" in name or name.strip() in (".", "..") or name.startswith(".."):
        return "文件名不能包含路径（/、\\ 或 ..）"
    if re.search(r"[\x00-\x1f\x7f]", name):
        return "文件名不能包含控制字符"
    if len(name) > 120:
        return "文件名不能超过 120 个字符"
    return None


def display_name(filename: str) -> str:
    """The name shown and offered on download (the file itself is stored under a generated name)."""
    return unicodedata.normalize("NFC", filename).strip()
