"""Throwaway PostgreSQL databases for the benchmarks, on the server that $DATABASE_URL names."""

from urllib.parse import urlsplit, urlunsplit


def database_url(url: str, name: str) -> str:
    """The same server and credentials as `url`, pointing at database `name`."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def recreate_database(url: str, name: str, *, drop_only: bool = False) -> None:
    """Drop database `name` (closing its connections) and, unless `drop_only`, create it empty."""
    import psycopg

    with psycopg.connect(database_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {name}")


def migrations_off() -> None:
    """Build tables straight from the models from now on (as the tests do), whatever migrations exist."""
    from django.apps import apps
    from django.conf import settings

    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}


def schema_from_models() -> None:
    """Create every table of the current database from the models; Django must be set up."""
    from django.core.management import call_command

    migrations_off()
    call_command("migrate", run_syncdb=True, verbosity=0)
