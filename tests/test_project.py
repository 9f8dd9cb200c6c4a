"""Project hygiene that CI must keep true: migrations match the models, and the code is lint-clean."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([ruff, "check", "--quiet", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_front_end_files_come_from_our_static_folder():
    """No page may load anything from another origin (the CSP would block it, and so do many networks)."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if "https://cdn" in path.read_text()
        or "//unpkg" in path.read_text()
        or "jsdelivr" in path.read_text()
    ]
    assert not offenders


def test_unreachable_services_stop_the_tests_with_how_to_start_them(monkeypatch, capsys):
    from coalition import check_services

    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/milepost")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    assert check_services.main() == 1
    message = capsys.readouterr().err
    assert "PostgreSQL is not reachable" in message and "Redis is not reachable" in message
    assert "docker compose -f docker-compose.dev.yml up -d" in message


def test_reachable_services_pass_the_check():
    from coalition import check_services

    assert check_services.problems() == []


def test_tests_flush_only_the_redis_database_given_for_tests():
    from .conftest import redis_flush_refusal

    given = "redis://127.0.0.1:6379/15"
    assert redis_flush_refusal(given, test_url=given, dotenv_url=None) == ""
    assert "TEST_REDIS_URL" in redis_flush_refusal(
        "redis://127.0.0.1:6379/3", test_url=given, dotenv_url=None
    )
    # Without TEST_REDIS_URL: never the development database 0, nor the one a .env file names.
    assert "database 0" in redis_flush_refusal("redis://127.0.0.1:6379/0", test_url=None, dotenv_url=None)
    assert "database 0" in redis_flush_refusal("redis://127.0.0.1:6379", test_url=None, dotenv_url=None)
    assert ".env" in redis_flush_refusal(given, test_url=None, dotenv_url=given)
    assert redis_flush_refusal(given, test_url=None, dotenv_url="redis://127.0.0.1:6379/0") == ""


def test_the_test_run_stops_before_flushing_a_development_redis(tmp_path):
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/0", "TEST_REDIS_URL": ""}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_project.py::test_ruff_finds_nothing",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Refusing to run the tests" in result.stdout + result.stderr


def _run_python(code: str, **environment) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="coalition.settings", **environment)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_each_log_line_is_printed_once_in_development():
    result = _run_python(
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').warning('Not Found: /probe')",
        DJANGO_DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Not Found: /probe") == 1, result.stderr


def test_the_demo_broker_sends_tasks_without_kombu_noise():
    result = _run_python(
        "import django; django.setup(); from coalition.celery import app; "
        "app.conf.task_always_eager = False; "
        "app.send_task('metrics.tasks.indicators_recompute_due_task')",
        DJANGO_DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert "No hostname" not in result.stdout + result.stderr
