from django.core.management.base import BaseCommand

from surveys import demo as survey_demo
from surveys import demo_survey


class Command(BaseCommand):
    help = "Create (or complete) the demo world: organisations, people, surveys and published figures. Idempotent."

    def handle(self, *args, **options):
        self.stdout.write("Creating organisations and people…")
        logins = survey_demo.seed_people()
        self.stdout.write("Loading the questionnaires (2024, 2025, 2026) and the milepost catalogue…")
        demo_survey.seed_questionnaires()
        self.stdout.write(
            self.style.SUCCESS("Demo ready. Log in at http://127.0.0.1:8000/accounts/login/ with:")
        )
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {survey_demo.DEMO_PASSWORD}   ({login.role})")
        self.stdout.write(
            "Staff accounts ask for a two-factor code: add the key "
            f"{survey_demo.demo_totp_secret()} to an authenticator app, or run "
            "`.venv/bin/python manage.py demo_totp_code reviewer@coalition.example`."
        )
