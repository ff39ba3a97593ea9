"""Settings read from the environment once, at start-up, and passed to the app (never read at import)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mediation.domain.case_numbers import DEFAULT_TEMPLATE, template_problem

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"
ENVIRONMENTS = ("development", "production")


class SettingsError(Exception):
    """The environment describes a configuration the app refuses to start with."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    env: str = "development"
    upload_dir: Path = field(default=DEFAULT_VAR_DIR / "uploads")
    timezone: str = "Asia/Shanghai"
    var_dir: Path = field(default=DEFAULT_VAR_DIR)
    session_hours: int = 12
    login_failure_limit: int = 5
    login_failure_window_minutes: int = 15
    case_number_template: str = DEFAULT_TEMPLATE
    follow_up_days: int = 15

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, var_dir: Path | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        var_dir = var_dir or DEFAULT_VAR_DIR
        env = environ.get("MEDIATION_ENV", "development").strip() or "development"
        if env not in ENVIRONMENTS:
            raise SettingsError(f"MEDIATION_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
        timezone = environ.get("MEDIATION_TIMEZONE", "Asia/Shanghai").strip() or "Asia/Shanghai"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"MEDIATION_TIMEZONE {timezone!r} is not a known time zone") from exc
        secret_key = environ.get("MEDIATION_SECRET_KEY", "").strip()
        if not secret_key:
            if env == "production":
                raise SettingsError("MEDIATION_SECRET_KEY is required when MEDIATION_ENV=production")
            secret_key = _development_secret(var_dir)
        elif len(secret_key) < 32:
            raise SettingsError("MEDIATION_SECRET_KEY must be at least 32 characters long")
        database_url = environ.get("MEDIATION_DATABASE_URL", "").strip()
        if not database_url:
            database_url = f"sqlite+aiosqlite:///{var_dir / 'mediation.sqlite3'}"
        if not database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise SettingsError(
                "MEDIATION_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
            )
        upload_dir = Path(environ.get("MEDIATION_UPLOAD_DIR", "").strip() or var_dir / "uploads")
        follow_up_text = environ.get("MEDIATION_FOLLOW_UP_DAYS", "").strip() or "15"
        if not follow_up_text.isascii() or not follow_up_text.isdigit() or not 1 <= int(follow_up_text) <= 365:
            raise SettingsError("MEDIATION_FOLLOW_UP_DAYS must be a whole number of days from 1 to 365")
        case_number_template = environ.get("MEDIATION_CASE_NUMBER_TEMPLATE", "").strip() or DEFAULT_TEMPLATE
        if problem := template_problem(case_number_template):
            raise SettingsError(f"MEDIATION_CASE_NUMBER_TEMPLATE: {problem}")
        return cls(
            database_url=database_url,
            secret_key=secret_key,
            env=env,
            upload_dir=upload_dir,
            timezone=timezone,
            var_dir=var_dir,
            case_number_template=case_number_template,
            follow_up_days=int(follow_up_text),
        )


def _development_secret(var_dir: Path) -> str:
    """Generate the development key once and keep it in var/, so sessions survive restarts."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
