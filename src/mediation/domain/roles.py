"""The five roles of CONTRACT.md and what each may do in the app shell."""

from __future__ import annotations

from typing import Final

ROLE_LABELS: Final[dict[str, str]] = {
    "counter": "窗口调解员",
    "village_mediator": "村调委会调解员",
    "advisor": "村法律顾问",
    "supervisor": "中心主任/司法所长",
    "admin": "系统管理员",
}
ROLES: Final = tuple(ROLE_LABELS)

# Who may register a dispute at the counter (issue: intake), and who administers accounts and places.
INTAKE_ROLES: Final = frozenset({"counter", "village_mediator", "supervisor", "admin"})
ADMIN_ROLES: Final = frozenset({"admin"})


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def is_valid_role(role: str) -> bool:
    return role in ROLE_LABELS
