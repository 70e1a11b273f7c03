"""Settings come from the environment, with laptop defaults, and are all documented."""

import re
from base64 import b64decode
from pathlib import Path

import pytest

from participation.sealing import new_key
from participation.settings import SETTINGS, ConfigurationError, Settings, new_secret_key

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_defaults_run_on_a_laptop(tmp_path: Path) -> None:
    settings = Settings.from_env({"DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite://{tmp_path / 'participation.db'}"
    assert settings.redis_url == ""  # embedded Redis
    assert settings.port == 8000
    assert settings.default_language == "fr"
    assert settings.time_zone == "Europe/Paris"  # people read and type the town's time
    assert not settings.smtp_host  # e-mails go to the log


def test_development_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings.from_env({"DATA_DIR": str(tmp_path)}).secret_key
    second = Settings.from_env({"DATA_DIR": str(tmp_path)}).secret_key
    assert len(first) >= 40 and first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        Settings.from_env({"DATA_DIR": str(tmp_path), "ENVIRONMENT": "production"})


def test_answers_key_is_generated_once_in_development_and_required_in_production(
    tmp_path: Path,
) -> None:
    first = Settings.from_env({"DATA_DIR": str(tmp_path)}).answers_key
    assert len(first) == 32 and first == Settings.from_env({"DATA_DIR": str(tmp_path)}).answers_key
    assert (tmp_path / "answers_key").stat().st_mode & 0o077 == 0
    assert first != Settings.from_env({"DATA_DIR": str(tmp_path / "other")}).answers_key
    production = {
        "DATA_DIR": str(tmp_path / "p"),
        "ENVIRONMENT": "production",
        "DATABASE_URL": "postgres://participation@db.internal/participation",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "BASE_URL": "https://participer.villebelle.fr",
        "SECRET_KEY": new_secret_key(),
    }
    with pytest.raises(ConfigurationError, match="ANSWERS_KEY is required"):
        Settings.from_env(production)
    assert not (tmp_path / "p" / "answers_key").exists()  # never generated on a server
    key = new_key()
    assert Settings.from_env({**production, "ANSWERS_KEY": key}).answers_key == b64decode(key)
    with pytest.raises(ConfigurationError, match="must differ from SECRET_KEY"):
        Settings.from_env({**production, "SECRET_KEY": key, "ANSWERS_KEY": key})
    for wrong in ("not base64!", "c2hvcnQ="):
        with pytest.raises(ConfigurationError, match="ANSWERS_KEY must"):
            Settings.from_env({**production, "ANSWERS_KEY": wrong})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "huit-mille", "PORT must be a whole number"),
        ("DATABASE_URL", "mysql://localhost/x", "DATABASE_URL must start with"),
        ("DEFAULT_LANGUAGE", "de", "DEFAULT_LANGUAGE must be one of"),
        ("ENVIRONMENT", "staging", "ENVIRONMENT must be"),
        ("TIME_ZONE", "Paris", "TIME_ZONE must be an IANA time zone"),
        ("TIME_ZONE", "../../etc/passwd", "TIME_ZONE must be an IANA time zone"),
    ],
)
def test_invalid_values_say_what_to_fix(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env({"DATA_DIR": str(tmp_path), name: value})


def test_postgresql_scheme_is_accepted(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u@db:5432/participation"}
    )
    assert settings.database_url == "postgres://u@db:5432/participation"


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", DOCS.read_text(), flags=re.MULTILINE))
    assert {s.name for s in SETTINGS} <= documented, "add the missing settings to the docs"
