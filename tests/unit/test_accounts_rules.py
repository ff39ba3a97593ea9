"""Account rules: usernames, passwords, the throttle threshold."""

from mediation.domain import accounts


def test_username_rules():
    assert accounts.username_problem("") is not None
    assert accounts.username_problem("a") is not None
    assert accounts.username_problem("Zhang") is not None  # callers normalize to lower case first
    assert accounts.username_problem("张三") is not None
    assert accounts.username_problem("-x") is not None
    assert accounts.username_problem("zhang.san_01") is None
    assert accounts.normalize_username("  ZhangSan ") == "zhangsan"


def test_password_needs_ten_characters():
    assert accounts.password_problem("123456789").zh == "密码至少需要 10 个字符"
    assert accounts.password_problem("1234567890") is None
    assert accounts.password_problem(" " * 12) is not None
    assert accounts.password_problem("x" * 129) is not None


def test_display_name():
    assert accounts.display_name_problem("  ") is not None
    assert accounts.display_name_problem("王" * 41) is not None
    assert accounts.display_name_problem("王明远") is None


def test_throttle_threshold():
    assert not accounts.is_throttled(4, 5)
    assert accounts.is_throttled(5, 5)
