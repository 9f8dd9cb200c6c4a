from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from metrics.demo.figures import publish_demo_figures
from metrics.demo.reference import answer_targets
from surveys.demo import people, questionnaires, submissions


class Command(BaseCommand):
    help = "Create (or complete) the demo world: organisations, people, surveys and published figures. Idempotent."

    def handle(self, *args, **options):
        # The demo's people are fictional: the e-mails that seeding triggers (approvals, returns) go nowhere.
        with override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
        ):
            logins = self._seed()
        self._print_logins(logins)

    def _seed(self):
        self.stdout.write("Creating organisations and people…")
        logins = people.seed_people()
        self.stdout.write("Loading the questionnaires (2024, 2025, 2026) and the milepost catalogue…")
        questionnaires.seed_questionnaires()
        self.stdout.write("Creating submissions: approved 2024 and 2025, the open 2026 cycle in progress…")
        submissions.seed_submissions(answer_targets=answer_targets)
        # Figures last: they are computed from the submissions seeded above.
        self.stdout.write("Computing and publishing the figures…")
        publish_demo_figures()
        return logins

    def _print_logins(self, logins):
        self.stdout.write(
            self.style.SUCCESS("Demo ready. Log in at http://127.0.0.1:8000/accounts/login/ with:")
        )
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {people.DEMO_PASSWORD}   ({login.role})")
        self.stdout.write(
            "Staff accounts ask for a two-factor code: add the key "
            f"{people.demo_totp_secret()} to an authenticator app, or run "
            "`.venv/bin/python manage.py demo_totp_code reviewer@coalition.example`."
        )
