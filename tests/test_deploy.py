"""Deployment files: docker-compose.yml, .env.example and the Dockerfile agree with coalition/settings.py,
and production settings pass Django's deployment checks and refuse to start half-configured."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
SETTINGS = ROOT / "coalition" / "settings.py"

APP_SERVICES = ("web", "worker", "beat")
# Matches env("NAME", env.bool("NAME", env.int(... and the other django-environ readers, across line breaks.
SETTINGS_VAR = re.compile(
    r"\benv(?:\.(?:bool|int|float|str|list|tuple|dict|json|url|db|db_url|cache|path))?\(\s*\"([A-Z][A-Z0-9_]*)\""
)
INTERPOLATED_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")
ENV_EXAMPLE_VAR = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)

# Stops settings.py from loading a developer's .env into the subprocess, so only the environment given counts.
NO_DOTENV = "import environ; environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)"
MANAGE = (
    f"{NO_DOTENV}; import sys; from django.core.management import execute_from_command_line; "
    "execute_from_command_line(['manage.py', *sys.argv[1:]])"
)


def settings_vars() -> set[str]:
    return set(SETTINGS_VAR.findall(SETTINGS.read_text()))


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def env_example_vars() -> set[str]:
    return set(ENV_EXAMPLE_VAR.findall(ENV_EXAMPLE.read_text()))


def depends_on(service: dict) -> set[str]:
    deps = service.get("depends_on", [])
    return set(deps if isinstance(deps, list) else deps.keys())


def run_manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    """Run manage.py in a clean environment: nothing settings.py reads is inherited, and no .env is read."""
    ignored = settings_vars()
    env = {k: v for k, v in os.environ.items() if k not in ignored and not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="coalition.settings", **environment)
    return subprocess.run(
        [sys.executable, "-c", MANAGE, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_settings_parsing_finds_the_variables():
    # Guards the tests below against passing vacuously if the regex stops matching.
    assert {
        "DJANGO_DEBUG",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
    } <= settings_vars()


def test_compose_file_validates_against_compose_spec():
    check_jsonschema = Path(sys.executable).parent / "check-jsonschema"
    assert check_jsonschema.exists(), "check-jsonschema is missing: pip install -e '.[dev]'"
    result = subprocess.run(
        [str(check_jsonschema), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_depends_on_names_existing_services():
    services = compose()["services"]
    for name, service in services.items():
        missing = depends_on(service) - services.keys()
        assert not missing, f"{name} depends on unknown services {missing}"


def test_compose_app_services_share_one_configuration():
    services = compose()["services"]
    web = services["web"]
    for name in APP_SERVICES:
        service = services[name]
        assert service["build"] == web["build"], name
        assert service["image"] == web["image"], name
        assert service["environment"] == web["environment"], name
        assert depends_on(service) == {"db", "redis"}, name
        for dependency in service["depends_on"].values():
            assert dependency["condition"] == "service_healthy", name
    assert web["environment"]["DJANGO_DEBUG"] == "false"
    assert web["environment"]["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")


def test_compose_db_and_redis_have_healthchecks():
    services = compose()["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])


def test_compose_web_migrates_before_serving():
    command = compose()["services"]["web"]["command"]
    command = command if isinstance(command, str) else " ".join(command)
    assert "manage.py migrate --noinput" in command
    assert command.index("migrate") < command.index("gunicorn")


def test_compose_uses_only_variables_settings_reads():
    known = settings_vars()
    data = compose()
    for name, service in data["services"].items():
        for var in service.get("environment") or {}:
            allowed = name == "db" and var.startswith("POSTGRES_")
            assert allowed or var in known, f"{name} sets {var}, which coalition/settings.py never reads"
    interpolated = set(INTERPOLATED_VAR.findall(COMPOSE_FILE.read_text()))
    assert interpolated <= known, f"docker-compose.yml substitutes unknown variables {interpolated - known}"


def test_env_example_lists_exactly_the_variables_settings_reads():
    listed, known = env_example_vars(), settings_vars()
    assert not listed - known, f".env.example lists variables settings.py never reads: {listed - known}"
    assert not known - listed, f".env.example is missing variables settings.py reads: {known - listed}"


def test_dockerfile_builds_a_production_image_that_does_not_run_as_root():
    # One instruction per line: join the lines a trailing backslash continues.
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    assert re.search(r"^FROM python:3\.13", text, re.MULTILINE)
    assert re.search(r"^RUN\b.*manage\.py collectstatic --noinput", text, re.MULTILINE)
    assert re.search(r"^ENV\b.*\bDJANGO_DEBUG=false\b", text, re.MULTILINE)
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users, "the Dockerfile has no USER line, so the app would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_production_settings_pass_deploy_checks():
    environment = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "milepost.example.org",
    }
    if os.environ.get("DATABASE_URL"):
        environment["DATABASE_URL"] = os.environ["DATABASE_URL"]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **environment)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output, output


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="milepost.example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr, result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY=secrets.token_urlsafe(64))
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr, result.stderr
