#!/usr/bin/env python
"""Screenshots of every public page (and a member's benchmark) with the demo's published figures.

Seeds a throwaway SQLite database with `seed_demo` (the published figures of the reference file), serves it
with gunicorn as production does, and saves full-page PNGs into docs/screenshots/ with Playwright and the
system chromium. The README links them.

    .venv/bin/python bench/screenshots.py [--seed demo|reference]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dashboard import ROOT, _free_port, prepare, wait_until_up  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PAGES = {
    "overview": "/",
    "prevention": "/prevention/",
    "detection": "/detection/",
    "response": "/response/",
    "trends": "/trends/",
    "methodology": "/methodology/",
    "open-data": "/open-data/",
}
ALL_DRAWN = (
    "document.querySelectorAll('[data-figure]').length === document.querySelectorAll('.chart-drawn').length"
)
DEMO_MEMBER = ("lead@aurorasocial.example", "aurora-social")


def capture(base: str, *, member: bool) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu"],
        )
        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        for name, url in PAGES.items():
            page.goto(url)
            page.wait_for_function(ALL_DRAWN)
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
            print(f"  {OUT / f'{name}.png'}", file=sys.stderr)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto("/detection/")
        page.wait_for_function(ALL_DRAWN)
        page.screenshot(path=str(OUT / "detection-phone.png"), full_page=True)
        if member:
            import django

            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
            django.setup()
            from surveys.demo import DEMO_PASSWORD

            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto("/accounts/login/")
            page.get_by_label("E-mail address").fill(DEMO_MEMBER[0])
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state()
            page.goto(f"/benchmark/{DEMO_MEMBER[1]}/")
            page.screenshot(path=str(OUT / "member-benchmark.png"), full_page=True)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", choices=["demo", "reference"], default="demo")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="milepost-screenshots-"))
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        "DJANGO_SETTINGS_MODULE": "bench.dashboard_settings",
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "DATABASE_URL": f"sqlite:///{workdir / 'screens.sqlite3'}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "screenshots-only-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    print("Seeding and collecting static files…", file=sys.stderr)
    used = prepare(env, args.seed)
    port = _free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "coalition.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}")
        print(f"Capturing ({used} data)…", file=sys.stderr)
        capture(f"http://127.0.0.1:{port}", member=used == "demo")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"Screenshots in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
