"""Settings come from the environment passed in; production refuses to start without a secret."""

import pytest

from mediation.settings import Settings, SettingsError


def test_development_defaults_generate_a_secret_once(tmp_path):
    first = Settings.from_env({}, var_dir=tmp_path)
    second = Settings.from_env({}, var_dir=tmp_path)
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32
    assert first.database_url == f"sqlite+aiosqlite:///{tmp_path / 'mediation.sqlite3'}"
    assert first.upload_dir == tmp_path / "uploads"
    assert first.timezone == "Asia/Shanghai" and not first.production


def test_production_requires_secret_key(tmp_path):
    with pytest.raises(SettingsError, match="MEDIATION_SECRET_KEY is required"):
        Settings.from_env({"MEDIATION_ENV": "production"}, var_dir=tmp_path)
    settings = Settings.from_env({"MEDIATION_ENV": "production", "MEDIATION_SECRET_KEY": "k" * 40}, var_dir=tmp_path)
    assert settings.production
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MEDIATION_ENV": "staging"}, "MEDIATION_ENV must be one of"),
        ({"MEDIATION_TIMEZONE": "Mars/Olympus"}, "not a known time zone"),
        ({"MEDIATION_SECRET_KEY": "short"}, "at least 32 characters"),
        ({"MEDIATION_DATABASE_URL": "mysql://x"}, "must start with sqlite"),
    ],
)
def test_bad_environment_is_refused(tmp_path, environ, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ, var_dir=tmp_path)


def test_environment_values_are_used(tmp_path):
    settings = Settings.from_env(
        {
            "MEDIATION_DATABASE_URL": "postgresql+asyncpg://u@h/db",
            "MEDIATION_UPLOAD_DIR": str(tmp_path / "up"),
            "MEDIATION_TIMEZONE": "Asia/Urumqi",
            "MEDIATION_SECRET_KEY": "s" * 32,
        },
        var_dir=tmp_path,
    )
    assert settings.database_url == "postgresql+asyncpg://u@h/db"
    assert settings.upload_dir == tmp_path / "up"
    assert settings.tz.key == "Asia/Urumqi"
