#!/usr/bin/env python
"""Benchmark: the public overview against a trivial Django view, on the same gunicorn server.

Builds a throwaway database (SQLite in a temporary folder, or with --postgres a PostgreSQL database on the
server of $DATABASE_URL named by $BENCH_DATABASE_NAME, else `<database of DATABASE_URL>_dashboard_bench`) straight from the models, seeds it with the demo
(`seed_demo`; or, with --seed reference or when the demo seed fails, one release per year of the reference
figures), collects the static files as production does (compressed, hashed names), starts gunicorn with
2 workers on a loopback port with DJANGO_DEBUG=false, warms the cache, then measures with `wrk`
(bounded, --latency) the overview `/` and `/healthz` and prints requests per second, p50/p99 and the
ratio (target: overview ≥ 0.7× the trivial view). Finally it prints the first-visit transfer size of the
overview: HTML + CSS + JS as served to a browser (`Accept-Encoding: br, gzip`; target: ≤ 600 KB), and the
same with gzip only.

    .venv/bin/python bench/dashboard.py [--duration 10] [--connections 16] [--postgres] [--seed demo|reference]

Uses Redis for the cache when $REDIS_URL is set (as in production), else the file cache.
"""

import argparse
import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import brotli

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from throwaway_db import bench_database_name, database_url, recreate_database  # noqa: E402

WRK = shutil.which("wrk") or "/usr/bin/wrk"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env: dict, seed: str) -> str:
    """Schema from the models, seed data, collected static files; in a child process (own settings)."""
    code = f"""
import django, sys
django.setup()
sys.path.insert(0, "bench")
from throwaway_db import schema_from_models
schema_from_models()
from django.core.management import call_command
seed = {seed!r}
used = "reference"
if seed == "demo":
    try:
        call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))
        from metrics.models import Release
        used = "demo" if Release.objects.exists() else "reference"
    except Exception as error:
        print(f"The demo seed failed ({{error!r}}); using the reference figures instead.", file=sys.stderr)
if used == "reference":
    from metrics.models import Release
    Release.objects.all().delete()
    from tests.factories import reference_releases_create
    reference_releases_create()
call_command("collectstatic", interactive=False, verbosity=0)
print("SEED=" + used)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"Preparing the benchmark database failed:\n{result.stderr[-3000:]}")
    for line in result.stderr.splitlines():
        if "demo seed failed" in line:
            print(line, file=sys.stderr)
    match = re.search(r"SEED=(\w+)", result.stdout)
    return match.group(1) if match else "?"


def wait_until_up(base: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer /healthz within 30 s.")


def fetch(url: str, *, accept: str = "br, gzip") -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read(), dict(response.headers)


def run_wrk(url: str, *, duration: int, connections: int, threads: int = 2) -> dict:
    output = subprocess.run(
        [WRK, f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+\w+)", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p50": latency.get("50"),
        "p99": latency.get("99"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "") and attrs.get("media") != "print":
            self.urls.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def _decoded(body: bytes, encoding: str) -> bytes:
    return {"gzip": gzip.decompress, "br": brotli.decompress}.get(encoding, lambda raw: raw)(body)


def transfer_size(base: str, accept: str) -> list[tuple[str, int, int, str]]:
    """(url, bytes on the wire, bytes uncompressed, content-encoding) for the overview and its CSS and JS."""
    rows = []
    status, body, headers = fetch(f"{base}/", accept=accept)
    encoding = headers.get("Content-Encoding", "identity")
    html = _decoded(body, encoding)
    rows.append(("/ (HTML)", len(body), len(html), encoding))
    parser = _Assets()
    parser.feed(html.decode())
    for url in parser.urls:
        status, body, headers = fetch(f"{base}{url}", accept=accept)
        encoding = headers.get("Content-Encoding", "identity")
        rows.append((url, len(body), len(_decoded(body, encoding)), encoding))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per URL (default 10)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--postgres", action="store_true", help="use PostgreSQL on the server of $DATABASE_URL"
    )
    parser.add_argument("--seed", choices=["demo", "reference"], default="demo")
    parser.add_argument(
        "--also", nargs="*", default=[], help="more paths to measure, e.g. /api/v1/indicators/"
    )
    args = parser.parse_args()
    if not Path(WRK).exists():
        sys.exit("wrk is needed: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="milepost-dashboard-bench-"))
    env = {
        **os.environ,
        # Production settings, but collectstatic writes to the throwaway folder, not the project's staticfiles/.
        "DJANGO_SETTINGS_MODULE": "bench.dashboard_settings",
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "CACHE_DIR": str(workdir / "cache"),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        # The seed sends no mail and runs its tasks in-process.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "PYTHONPATH": str(ROOT),
    }
    if args.postgres:
        if not os.environ.get("DATABASE_URL"):
            sys.exit("--postgres needs DATABASE_URL (the server to create the benchmark database on).")
        pg_name = bench_database_name(os.environ["DATABASE_URL"], "dashboard_bench")
        recreate_database(os.environ["DATABASE_URL"], pg_name)
        env["DATABASE_URL"] = database_url(os.environ["DATABASE_URL"], pg_name)
        database = f"PostgreSQL ({pg_name})"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        database = "SQLite"
    cache_backend = "Redis" if env.get("REDIS_URL") else "the file cache"

    print(f"Preparing {database}: schema, {args.seed} seed, collectstatic…", file=sys.stderr)
    used_seed = prepare(env, args.seed)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "coalition.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_up(base)
        # Warm: every worker renders and caches the page (with Redis, the first one does for both).
        for _ in range(20):
            fetch(f"{base}/")
            fetch(f"{base}/healthz")
        run_wrk(f"{base}/", duration=2, connections=args.connections)  # warm-up run, not reported
        trivial = run_wrk(f"{base}/healthz", duration=args.duration, connections=args.connections)
        overview = run_wrk(f"{base}/", duration=args.duration, connections=args.connections)
        extra = {
            path: run_wrk(f"{base}{path}", duration=args.duration, connections=args.connections)
            for path in args.also
        }
        sizes = transfer_size(base, "br, gzip")
        gzip_total = sum(row[1] for row in transfer_size(base, "gzip"))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        if args.postgres:
            recreate_database(os.environ["DATABASE_URL"], pg_name, drop_only=True)
        shutil.rmtree(workdir, ignore_errors=True)

    ratio = overview["rps"] / trivial["rps"]
    total = sum(row[1] for row in sizes)
    print(
        f"\nDashboard benchmark: gunicorn 2 workers, {database}, cache: {cache_backend}, seed: {used_seed},"
    )
    print(f"wrk {args.duration}s each, {args.connections} connections, loopback.\n")
    print(f"{'view':<12}{'req/s':>10}{'p50':>10}{'p99':>10}")
    print(f"{'/healthz':<12}{trivial['rps']:>10.0f}{trivial['p50']:>10}{trivial['p99']:>10}")
    print(f"{'/ overview':<12}{overview['rps']:>10.0f}{overview['p50']:>10}{overview['p99']:>10}")
    for path, result in extra.items():
        print(f"{path:<12}{result['rps']:>10.0f}{result['p50']:>10}{result['p99']:>10}")
    print(
        f"\nRatio overview / trivial: {ratio:.2f}× (target ≥ 0.70×) — {'OK' if ratio >= 0.7 else 'BELOW TARGET'}"
    )
    if overview["non_2xx"] or trivial["non_2xx"]:
        print(f"Warning: non-2xx responses: overview {overview['non_2xx']}, healthz {trivial['non_2xx']}")
    print("\nFirst visit to the overview (as served, Accept-Encoding: br, gzip):")
    for url, wire, raw, encoding in sizes:
        print(f"  {url:<60}{wire / 1024:>9.1f} KB  ({raw / 1024:.1f} KB, {encoding})")
    print(
        f"  {'total':<60}{total / 1024:>9.1f} KB (target ≤ 600 KB) — {'OK' if total <= 600 * 1024 else 'ABOVE TARGET'}"
    )
    print(f"  {'total with gzip only (a client without Brotli)':<60}{gzip_total / 1024:>9.1f} KB")


if __name__ == "__main__":
    main()
