"""Throwaway PostgreSQL databases for the benchmarks, on the server that $DATABASE_URL names.

Each benchmark's database is named by $BENCH_DATABASE_NAME, or else after the database of $DATABASE_URL plus
the benchmark's suffix (`milepost_h16` → `milepost_h16_recompute_bench`), so two people who test against
their own databases never drop each other's benchmark.
"""

import os
import re
from urllib.parse import urlsplit, urlunsplit


def database_url(url: str, name: str) -> str:
    """The same server and credentials as `url`, pointing at database `name`."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def bench_database_name(url: str, suffix: str) -> str:
    """The benchmark's throwaway database: $BENCH_DATABASE_NAME, else `<database of url>_<suffix>`."""
    name = os.environ.get("BENCH_DATABASE_NAME") or f"{urlsplit(url).path.strip('/') or 'milepost'}_{suffix}"
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
        raise SystemExit(f"{name!r} is not a plain PostgreSQL database name: set BENCH_DATABASE_NAME.")
    if name == urlsplit(url).path.strip("/"):
        raise SystemExit(f"The benchmark would drop {name}, the database of DATABASE_URL: pick another name.")
    return name


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
