"""A production start that would not be safe is refused, each problem named on its own line;
the demo town (published passwords) never loads there. (The health checks: test_worker.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from participation.cli import main
from participation.sealing import new_key
from participation.settings import (
    ConfigurationError,
    Settings,
    new_secret_key,
    production_problems,
)


def production(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """A production environment that starts, with `overrides`."""
    return {
        "ENVIRONMENT": "production",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://participation:secret@db.internal:5432/participation",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "BASE_URL": "https://participer.villebelle.fr",
        "SECRET_KEY": new_secret_key(),
        "ANSWERS_KEY": new_key(),
        **overrides,
    }


def test_a_complete_production_environment_starts(tmp_path: Path) -> None:
    settings = Settings.from_env(production(tmp_path))
    assert settings.is_production and settings.secure_cookies
    assert not (tmp_path / "secret_key").exists()  # nothing generated on a server


def test_an_empty_production_environment_names_every_missing_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env({"ENVIRONMENT": "production", "DATA_DIR": str(tmp_path)})
    lines = str(refused.value).splitlines()
    assert lines[0] == "ENVIRONMENT=production refuses to start:"
    named = [line.split(" ", 1)[0] for line in lines[1:]]
    assert named == ["DATABASE_URL", "REDIS_URL", "BASE_URL", "SECRET_KEY", "ANSWERS_KEY"]


# (setting, its value): what the refusal says
UNSAFE = {
    ("DATABASE_URL", ""): "DATABASE_URL is required",
    ("DATABASE_URL", "sqlite:///srv/participation.db"): "must be a PostgreSQL URL",
    ("REDIS_URL", ""): "REDIS_URL is required",
    ("BASE_URL", ""): "BASE_URL must be the site's public https://",
    ("BASE_URL", "http://participer.villebelle.fr"): "not 'http://participer",
    ("BASE_URL", "https://"): "BASE_URL must be",
    ("SECRET_KEY", ""): "SECRET_KEY is required",
    ("SECRET_KEY", "s3cr3t"): "too short or too regular",
    ("SECRET_KEY", "a" * 64): "too short or too regular",
    ("SECRET_KEY", "changeme" * 8): "too short or too regular",
    ("ANSWERS_KEY", ""): "ANSWERS_KEY is required",
}


@pytest.mark.parametrize(("unsafe", "said"), UNSAFE.items())
def test_each_unsafe_production_setting_is_refused_on_its_own_line(
    tmp_path: Path, unsafe: tuple[str, str], said: str
) -> None:
    setting, value = unsafe
    problems = production_problems(production(tmp_path, **{setting: value}))
    assert len(problems) == 1 and said in problems[0], problems
    assert problems[0].startswith(setting)
    with pytest.raises(ConfigurationError, match=setting):
        Settings.from_env(production(tmp_path, **{setting: value}))


def test_generated_secret_keys_pass_and_hex_keys_of_32_bytes_too(tmp_path: Path) -> None:
    import secrets

    for _ in range(200):
        assert production_problems(production(tmp_path, SECRET_KEY=new_secret_key())) == []
        assert production_problems(production(tmp_path, SECRET_KEY=secrets.token_hex(32))) == []


def test_commands_refuse_an_unsafe_production_start_with_status_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in production(tmp_path, BASE_URL="http://localhost:8000").items():
        monkeypatch.setenv(name, value)
    assert main(["migrate"]) == 2
    error = capsys.readouterr().err
    assert "ENVIRONMENT=production refuses to start" in error and "BASE_URL" in error
    assert not list(tmp_path.iterdir())  # nothing created


def test_the_demo_town_is_never_loaded_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in production(tmp_path).items():
        monkeypatch.setenv(name, value)
    assert main(["demo"]) == 2  # before any connection: the database host does not exist
    assert "not loaded in production" in capsys.readouterr().err


def test_secret_key_command_prints_a_key_production_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["secret-key"]) == 0
    key = capsys.readouterr().out.strip()
    assert production_problems(production(tmp_path, SECRET_KEY=key)) == []
