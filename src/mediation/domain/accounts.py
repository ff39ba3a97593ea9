"""Rules for account names and passwords, and the failed-login throttle (pure: no I/O)."""

from __future__ import annotations

import re

from mediation.domain.validation import Problem

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,39}$")


def normalize_username(username: str) -> str:
    return username.strip().lower()


def username_problem(username: str) -> Problem | None:
    if not username:
        return Problem("请填写用户名", "a username is required")
    if not USERNAME_PATTERN.fullmatch(username):
        return Problem(
            "用户名须为 2–40 位小写字母、数字、点、下划线或连字符，并以字母或数字开头",
            "a username is 2-40 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return None


def password_problem(password: str) -> Problem | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return Problem(
            f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符", f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        return Problem(
            f"密码不能超过 {MAX_PASSWORD_LENGTH} 个字符", f"a password has at most {MAX_PASSWORD_LENGTH} characters"
        )
    if not password.strip():
        return Problem("密码不能全是空格", "a password cannot be only spaces")
    return None


def display_name_problem(name: str) -> Problem | None:
    if not name.strip():
        return Problem("请填写姓名", "a name is required")
    if len(name.strip()) > 40:
        return Problem("姓名不能超过 40 个字符", "a name has at most 40 characters")
    return None


def is_throttled(recent_failures: int, limit: int) -> bool:
    """An account/address pair is locked once it has `limit` failures inside the window."""
    return recent_failures >= limit
