"""Stop early, with instructions, when the test suite's PostgreSQL or Redis is not reachable.

Run as `python -m coalition.check_services` (make test does); it reads DATABASE_URL and REDIS_URL.
"""

import os
import sys

HOW_TO_START = """
Start them with Docker:     docker compose -f docker-compose.dev.yml up -d
or on Debian/Ubuntu:         sudo pg_ctlcluster 15 main start && sudo redis-server --daemonize yes
or point the tests elsewhere: make test TEST_DATABASE_URL=postgres://USER@HOST:5432/milepost TEST_REDIS_URL=redis://HOST:6379/15
(the tests empty their Redis database: give them one of their own, never your development database 0)
"""


def problems() -> list[str]:
    found = []
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    try:
        # The tests create their own database, so connecting to the server's maintenance database is enough.
        import environ
        import psycopg

        config = environ.Env.db_url_config(database_url)
        psycopg.connect(
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable", and we say which
        found.append(
            f"PostgreSQL is not reachable at {database_url or '(DATABASE_URL unset)'}: {error}".strip()
        )
    try:
        import redis

        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as error:  # noqa: BLE001
        found.append(f"Redis is not reachable at {redis_url or '(REDIS_URL unset)'}: {error}".strip())
    return found


def main() -> int:
    found = problems()
    if not found:
        return 0
    print("The tests need PostgreSQL and Redis, and cannot reach them:", file=sys.stderr)
    for line in found:
        print(f"  - {line}", file=sys.stderr)
    print(HOW_TO_START, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
