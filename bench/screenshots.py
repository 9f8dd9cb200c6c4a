#!/usr/bin/env python
"""Screenshots of every page — public, member and staff — with the demo data, for the docs.

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
            from surveys.demo.people import DEMO_PASSWORD

            page.set_viewport_size({"width": 1280, "height": 900})
            page.goto("/accounts/login/")
            page.get_by_label("E-mail address").fill(DEMO_MEMBER[0])
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_load_state()
            page.goto(f"/benchmark/{DEMO_MEMBER[1]}/")
            page.screenshot(path=str(OUT / "member-benchmark.png"), full_page=True)
            context.close()
            capture_signed_in(browser, base)
        browser.close()


def _shoot(page, name: str, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state()
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"  {OUT / f'{name}.png'}", file=sys.stderr)


def _log_in(browser, base: str, email: str):
    from django_otp.oath import totp

    from surveys.demo.people import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX

    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if "two-factor" in page.url:
        page.get_by_label("Six-digit code").fill(f"{totp(bytes.fromhex(DEMO_TOTP_KEY_HEX)):06d}")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    return context, page


def capture_signed_in(browser, base: str) -> None:
    """The member's survey pages, the reviewer's and the administrator's pages."""
    from surveys.models import Submission

    slug = DEMO_MEMBER[1]
    survey = f"/orgs/{slug}/survey/2026/"
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    _shoot(context.new_page(), "login", "/accounts/login/")
    context.close()
    context, page = _log_in(browser, base, DEMO_MEMBER[0])
    _shoot(page, "member-organisation", f"/orgs/{slug}/")
    _shoot(page, "member-survey-section", survey + "detection/")
    _shoot(page, "member-mileposts", survey + "mileposts/")
    _shoot(page, "member-review-and-submit", survey + "review/")
    context.close()

    submitted = Submission.objects.filter(cycle__year=2026, status=Submission.Status.SUBMITTED).first()
    returned = Submission.objects.filter(cycle__year=2026, status=Submission.Status.RETURNED).first()
    context, page = _log_in(browser, base, "reviewer@coalition.example")
    _shoot(page, "staff-review-queue", "/review/")
    if submitted:
        _shoot(page, "staff-review-submission", f"/review/{submitted.pk}/")
    _shoot(page, "staff-participation", "/staff/participation/")
    context.close()

    if returned:
        member = returned.organization.memberships.filter(role="lead").select_related("user").first()
        if member:
            context, page = _log_in(browser, base, member.user.email)
            _shoot(page, "member-returned-home", f"/orgs/{returned.organization.slug}/")
            _shoot(
                page,
                "member-returned-comments",
                f"/orgs/{returned.organization.slug}/survey/2026/prevention/",
            )
            context.close()

    context, page = _log_in(browser, base, "admin@coalition.example")
    _shoot(page, "staff-administration", "/staff/")
    _shoot(page, "staff-reminders", "/staff/reminders/")
    _shoot(page, "staff-audit-log", "/staff/audit/")
    _shoot(page, "staff-import", "/staff/import/")
    _shoot(page, "staff-figures", "/staff/figures/")
    _shoot(page, "staff-publish-preview", "/staff/figures/2026/publish/")
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", choices=["demo", "reference"], default="demo")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="milepost-screenshots-"))
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        "DJANGO_SETTINGS_MODULE": "bench.dashboard_settings",
        "BENCH_STATIC_ROOT": str(workdir / "static"),
        "CACHE_DIR": str(workdir / "cache"),
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
        # The ORM look-ups below run beside Playwright's event loop; they are plain synchronous reads.
        os.environ.update(env, DJANGO_ALLOW_ASYNC_UNSAFE="true")
        capture(f"http://127.0.0.1:{port}", member=used == "demo")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"Screenshots in {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
