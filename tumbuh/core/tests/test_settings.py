"""Settings come from the environment; production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-that-is-long-enough-and-random-0123456789-abcdefghijkl",
    "ALLOWED_HOSTS": "tumbuh.example.go.id",
    "CSRF_TRUSTED_ORIGINS": "https://tumbuh.example.go.id",
    "DATABASE_URL": "postgres://tumbuh@db.internal:5432/tumbuh",
    "TUMBUH_DATA_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
}


def tumbuh(*arguments: str, env: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "TUMBUH_DATA_KEY"}
    }
    environment.update(env, TUMBUH_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tumbuh.settings")
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "tumbuh.cli", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    result = tumbuh(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert not (tmp_path / "secret_key").exists()


def test_production_without_secret_key_stops_with_a_clear_message(tmp_path):
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRET_KEY"}
    result = tumbuh("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in the environment when DEBUG is off" in result.stderr


def test_production_without_data_key_stops_with_a_clear_message(tmp_path):
    env = {key: value for key, value in PRODUCTION.items() if key != "TUMBUH_DATA_KEY"}
    result = tumbuh("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "TUMBUH_DATA_KEY must be set in the environment when DEBUG is off" in result.stderr


def test_embedded_default_generates_and_keeps_a_secret_key(tmp_path):
    first = tumbuh("check", env={}, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    tumbuh("check", env={}, tmp_path=tmp_path)
    assert (tmp_path / "secret_key").read_text() == key


def test_a_malformed_boolean_is_refused(tmp_path):
    result = tumbuh("check", env={"DEBUG": "maybe"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be 1/0, true/false, yes/no or on/off, not 'maybe'" in result.stderr


def test_settings_of_this_run():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "id"
    assert [code for code, _name in settings.LANGUAGES] == ["id", "en"]
    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert settings.USE_TZ is True
    assert settings.AUTH_USER_MODEL == "accounts.User"


@pytest.mark.django_db
def test_sqlite_runs_in_wal_with_immediate_transactions():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in connection.settings_dict["OPTIONS"]["init_command"]


def test_production_has_no_payment_sandbox(tmp_path):
    """With DEBUG off the sandbox's routes are absent and no provider is chosen by default."""
    script = (
        "from django.urls import Resolver404, resolve; from django.conf import settings; "
        "print(settings.TUMBUH_PAYMENT_SANDBOX, repr(settings.TUMBUH_PAYMENT_GATEWAY)); "
        "resolve('/pesanan/TB-ABC/')\n"
        "try:\n    resolve('/pesanan/TB-ABC/sandbox/'); print('sandbox route')\n"
        "except Resolver404:\n    print('no sandbox route')"
    )
    result = tumbuh("shell", "--no-imports", "-c", script, env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["False ''", "no sandbox route"]


def test_production_refuses_the_sandbox_unless_asked_for(tmp_path):
    env = {**PRODUCTION, "TUMBUH_PAYMENT_GATEWAY": "sandbox"}
    result = tumbuh("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert (
        "TUMBUH_PAYMENT_GATEWAY=sandbox needs DEBUG on or TUMBUH_PAYMENT_SANDBOX=1" in result.stderr
    )
    allowed = tumbuh("check", env={**env, "TUMBUH_PAYMENT_SANDBOX": "1"}, tmp_path=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    midtrans = tumbuh(
        "check", env={**PRODUCTION, "TUMBUH_PAYMENT_GATEWAY": "midtrans"}, tmp_path=tmp_path
    )
    assert midtrans.returncode != 0
    assert "needs TUMBUH_MIDTRANS_SERVER_KEY" in midtrans.stderr


def test_the_cache_is_one_for_every_process(tmp_path):
    """Files in var/cache by default, Redis when asked for; a per-process memory cache never."""
    script = (
        "from django.conf import settings; c = settings.CACHES['default']; "
        "print(c['BACKEND'].rsplit('.', 1)[1], c['LOCATION'])"
    )
    embedded = tumbuh("shell", "--no-imports", "-c", script, env={}, tmp_path=tmp_path)
    assert embedded.returncode == 0, embedded.stderr
    assert embedded.stdout.split() == ["FileBasedCache", str(tmp_path / "cache")]
    redis = tumbuh(
        "shell",
        "--no-imports",
        "-c",
        script,
        env={**PRODUCTION, "TUMBUH_CACHE_URL": "redis://cache.internal:6379/1"},
        tmp_path=tmp_path,
    )
    assert redis.returncode == 0, redis.stderr
    assert redis.stdout.split() == ["RedisCache", "redis://cache.internal:6379/1"]
    wrong = tumbuh("check", env={"TUMBUH_CACHE_URL": "locmem://"}, tmp_path=tmp_path)
    assert wrong.returncode != 0
    assert "TUMBUH_CACHE_URL must be a redis:// address or empty" in wrong.stderr
