"""Settings: production mode passes `check --deploy`; bad values fail loudly."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PROD = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 30 + "-a-production-secret-key-with-enough-entropy-123",
    "ALLOWED_HOSTS": "communeos.example.vn",
}


def manage(*args, env=None):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}} | (env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=full_env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PROD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_without_a_secret_key_refuses_to_start():
    result = manage("check", env={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_malformed_boolean_is_named():
    result = manage("check", env={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_an_unknown_cache_backend_is_named():
    result = manage("check", env={"CACHE_BACKEND": "redis"})
    assert result.returncode != 0
    assert "CACHE_BACKEND='redis' is not one of: memory, database." in result.stderr


def test_an_unknown_file_store_is_named():
    result = manage("check", env={"FILE_STORE": "s3"})
    assert result.returncode != 0
    assert "FILE_STORE='s3' is not one of: database, filesystem." in result.stderr


def test_sqlite_commits_are_on_the_disk_when_they_return(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL (NORMAL, in WAL mode, may lose the last commits in a power cut)


def test_a_missing_cache_table_is_reported_with_its_fix(tmp_path):
    env = {"CACHE_BACKEND": "database", "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    before = manage("check", "--database", "default", env=env)
    assert "core.W001" in before.stderr and "manage.py createcachetable" in before.stderr
    assert manage("createcachetable", env=env).returncode == 0
    after = manage("check", "--database", "default", env=env)
    assert after.returncode == 0 and "core.W001" not in after.stdout + after.stderr


def test_each_apps_api_module_can_be_imported_first():
    # The API root (core/api.py) must not import the apps' routers: they import it.
    for module in ("communeos.onestop.api", "communeos.documents.api", "communeos.units.api", "communeos.people.api"):
        result = manage("shell", "-c", f"import {module}")  # a fresh process: nothing imported yet
        assert result.returncode == 0, f"{module}: {result.stderr[-2000:]}"


def test_security_headers_and_csp_are_sent(client, db):
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_json_answers_get_the_strict_api_policy(client, db):
    response = client.get("/api/v1/onestop/procedures/")
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    docs = client.get("/api/v1/docs")  # a page: the pages' policy
    assert "default-src 'self'" in docs["Content-Security-Policy"]
