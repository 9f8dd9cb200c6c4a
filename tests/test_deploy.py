"""Deployment files: docker-compose.yml, .env.example and the Dockerfile agree with coalition/settings.py,
and production settings pass Django's deployment checks and refuse to start half-configured."""

import json
import os
import re
import secrets
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DEV_COMPOSE_FILE = ROOT / "docker-compose.dev.yml"
GUNICORN_CONF = ROOT / "coalition" / "gunicorn.conf.py"
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


GUNICORN_VAR = re.compile(r"os\.environ\.get\(\"([A-Z][A-Z0-9_]*)\"")


def settings_vars() -> set[str]:
    """Every variable the app reads: coalition/settings.py and the gunicorn configuration."""
    return set(SETTINGS_VAR.findall(SETTINGS.read_text())) | set(
        GUNICORN_VAR.findall(GUNICORN_CONF.read_text())
    )


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


@pytest.mark.parametrize("path", [COMPOSE_FILE, DEV_COMPOSE_FILE], ids=lambda path: path.name)
def test_compose_file_validates_against_compose_spec(path):
    check_jsonschema = Path(sys.executable).parent / "check-jsonschema"
    assert check_jsonschema.exists(), "check-jsonschema is missing: make setup-dev"
    result = subprocess.run(
        [str(check_jsonschema), "--builtin-schema", "vendor.compose-spec", str(path)],
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
    for name in (*APP_SERVICES, "migrate"):
        service = services[name]
        assert service["build"] == web["build"], name
        assert service["image"] == web["image"], name
        assert service["environment"] == web["environment"], name
    assert web["environment"]["DJANGO_DEBUG"] == "false"
    assert web["environment"]["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")


def test_compose_runs_migrations_once_before_web_worker_and_beat_start():
    services = compose()["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in APP_SERVICES:
        service = services[name]
        assert service["depends_on"] == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name
        command = " ".join(service["command"])
        assert "migrate" not in command, f"{name} must not migrate (two replicas would race)"


def test_compose_db_and_redis_have_healthchecks():
    services = compose()["services"]
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])


def test_compose_web_and_worker_have_healthchecks():
    services = compose()["services"]
    assert services["web"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "-m",
        "coalition.healthcheck",
        "/healthz",
    ]
    worker_check = " ".join(services["worker"]["healthcheck"]["test"])
    assert "celery -A coalition inspect ping" in worker_check
    assert "--destination celery@$$HOSTNAME" in worker_check  # this worker, not any worker


def test_compose_web_serves_with_gunicorn_configured_from_the_environment():
    command = compose()["services"]["web"]["command"]
    assert command == ["gunicorn", "--config", "coalition/gunicorn.conf.py", "coalition.wsgi:application"]
    environment = compose()["services"]["web"]["environment"]
    assert {"GUNICORN_WORKERS", "GUNICORN_TIMEOUT"} <= environment.keys()


def test_compose_documents_a_mail_service_that_starts_only_on_request():
    mail = compose()["services"]["mail"]
    assert mail["profiles"] == ["mail"]
    assert "EMAIL_HOST=mail" in COMPOSE_FILE.read_text()


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


# --- Dockerfile -----------------------------------------------------------------------------------------


def dockerfile_lines() -> list[str]:
    """Instructions one per line (a trailing backslash joins lines), comments left out."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _index(lines: list[str], pattern: str) -> int:
    return next(i for i, line in enumerate(lines) if re.search(pattern, line))


def test_dockerfile_installs_the_locked_dependencies_before_copying_the_code():
    lines = dockerfile_lines()
    copy_lock = _index(lines, r"^COPY pyproject\.toml uv\.lock \./$")
    install = _index(lines, r"^RUN .*uv sync --locked --no-dev")
    copy_code = _index(lines, r"^COPY \. \.$")
    assert copy_lock < install < copy_code, "a code change must not reinstall every dependency"


def test_dockerfile_builds_static_files_with_a_current_node_lts_and_without_test_only_files():
    lines = dockerfile_lines()
    node = re.search(r"^FROM node:(\d+)", "\n".join(lines), re.MULTILINE)
    major = int(node.group(1))
    assert major >= 24 and major % 2 == 0, "use an even-numbered (LTS) Node.js that is still supported"
    static_stage = "\n".join(lines[: _index(lines, r"^FROM python:")])
    assert "npm ci --omit=dev" in static_stage
    assert "axe" not in static_stage
    package = json.loads((ROOT / "package.json").read_text())
    assert "axe-core" in package["devDependencies"] and "axe-core" not in package["dependencies"]


def test_dockerfile_runs_as_a_user_who_can_write_its_data_folder():
    text = "\n".join(dockerfile_lines())
    assert re.search(r"chown -R milepost:milepost /data", text)
    env = " ".join(re.findall(r"^ENV (.*)$", text, re.MULTILINE))
    assert "DATABASE_URL=sqlite:////data/db.sqlite3" in env and "CACHE_DIR=/data/cache" in env
    assert re.search(r"^HEALTHCHECK .*\"coalition\.healthcheck\"", text, re.MULTILINE)
    assert "gunicorn --config coalition/gunicorn.conf.py" in text


def test_the_docker_run_one_liner_configuration_migrates_and_starts(tmp_path):
    """The image's environment, with /data pointing at a fresh folder: the SQLite database and the file
    cache are created there, and production checks pass (what `docker run` does on start)."""
    env_lines = re.findall(r"^ENV (.*)$", "\n".join(dockerfile_lines()), re.MULTILINE)
    image_env = dict(re.findall(r"(\w+)=(\S+)", " ".join(env_lines)))
    data = tmp_path / "data"
    (data / "cache").mkdir(parents=True)
    environment = {
        "DJANGO_DEBUG": image_env["DJANGO_DEBUG"],
        "DATABASE_URL": image_env["DATABASE_URL"].replace("/data", str(data)),
        "CACHE_DIR": image_env["CACHE_DIR"].replace("/data", str(data)),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
    }
    result = run_manage("migrate", "--noinput", **environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (data / "db.sqlite3").exists()
    result = run_manage("check", **environment)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_takes_workers_and_timeout_from_the_environment():
    code = f"import runpy; c = runpy.run_path({str(GUNICORN_CONF)!r}); print(c['workers'], c['timeout'])"
    env = {**os.environ, "GUNICORN_WORKERS": "7", "GUNICORN_TIMEOUT": "95"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["7", "95"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["3", "60"]


@pytest.mark.django_db(transaction=True)
def test_the_container_health_check_asks_the_running_app(live_server):
    from coalition.healthcheck import check

    port = str(live_server.url.rsplit(":", 1)[-1])
    assert check("/healthz", port=port) is True
    assert check("/no-such-page", port=port) is False


def test_the_health_check_presents_an_allowed_host(monkeypatch):
    from coalition.healthcheck import allowed_host

    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", ".example.org,milepost.example.org")
    assert allowed_host() == "example.org"
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "milepost.example.org")
    assert allowed_host() == "milepost.example.org"


# --- Development services and local files ---------------------------------------------------------------


def test_dev_compose_publishes_postgres_and_redis_with_the_makefiles_credentials():
    services = yaml.safe_load(DEV_COMPOSE_FILE.read_text())["services"]
    makefile = (ROOT / "Makefile").read_text()
    database_url = re.search(r"^TEST_DATABASE_URL \?= (\S+)", makefile, re.MULTILINE).group(1)
    redis_url = re.search(r"^TEST_REDIS_URL \?= (\S+)", makefile, re.MULTILINE).group(1)
    assert database_url == "postgres://postgres@127.0.0.1:5432/milepost"
    assert services["db"]["ports"] == ["127.0.0.1:5432:5432"]
    assert services["db"]["environment"]["POSTGRES_USER"] == "postgres"
    assert services["db"]["environment"]["POSTGRES_HOST_AUTH_METHOD"] == "trust"  # no password in the URL
    assert redis_url.startswith("redis://127.0.0.1:6379/") and not redis_url.endswith("/0")
    assert services["redis"]["ports"] == ["127.0.0.1:6379:6379"]
    readme = (ROOT / "README.md").read_text()
    assert "docker compose -f docker-compose.dev.yml up -d" in readme
    assert "docker compose up -d db redis" not in readme


def test_local_state_is_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text().split()
    for entry in ["celerybeat-schedule*", "/.tools/", ".venv/", "/.cache/"]:
        assert entry in ignored, entry


# --- The lock file --------------------------------------------------------------------------------------


def _locked() -> dict[str, dict]:
    data = tomllib.loads((ROOT / "uv.lock").read_text())
    return {package["name"]: package for package in data["package"]}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_dependency_is_locked_at_its_pinned_version_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    locked = _locked()
    for requirement in declared:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]+\])?==(\S+)", requirement)
        assert match, f"{requirement} is not pinned exactly (==)"
        name, version = _canonical(match.group(1)), match.group(2)
        assert name in locked, f"{name} is missing from uv.lock: run make lock"
        assert locked[name]["version"] == version, (
            f"uv.lock has {name} {locked[name]['version']}: run make lock"
        )
    # Transitive dependencies too (kombu, billiard, jsonschema …), each with the hashes of its files.
    assert {"kombu", "billiard", "jsonschema", "asgiref", "sqlparse"} <= locked.keys()
    for name, package in locked.items():
        if package.get("source", {}).get("registry"):
            files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
            assert files and all(f["hash"].startswith("sha256:") for f in files), name


def test_the_lock_file_is_used_by_make_ci_and_the_dockerfile():
    makefile = (ROOT / "Makefile").read_text()
    assert "sync --locked" in makefile
    assert re.search(r"^lock: ", makefile, re.MULTILINE) and "$(UV) lock" in makefile
    assert "pip install --quiet -e" not in makefile, "installs must come from uv.lock, not a fresh resolve"
    assert "uv sync --locked --no-dev" in DOCKERFILE.read_text()
    assert "make test" in (ROOT / ".ci" / "run").read_text()
