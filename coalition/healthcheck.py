"""Container health check: `python -m coalition.healthcheck [PATH]` exits 0 when the app on this machine
answers PATH (default /healthz) with 200.

It asks as a real visitor would arrive through the TLS proxy: with one of DJANGO_ALLOWED_HOSTS as Host (any
other is refused with 400) and X-Forwarded-Proto https (or production redirects it to https).
"""

import os
import sys
import urllib.error
import urllib.request


def allowed_host() -> str:
    hosts = [host.strip() for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if host.strip()]
    host = hosts[0] if hosts else "localhost"
    return "localhost" if host == "*" else host.lstrip(".")


def check(path: str = "/healthz", *, port: str | None = None) -> bool:
    port = port or os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1]
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": allowed_host(), "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError) as error:
        print(f"{path}: {error}", file=sys.stderr)
        return False


if __name__ == "__main__":
    sys.exit(0 if check(sys.argv[1] if len(sys.argv) > 1 else "/healthz") else 1)
