from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from surveys.demo.people import DEMO_TOTP_KEY_HEX


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo staff account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("This command only works in development (DJANGO_DEBUG=true).")
        device = TOTPDevice.objects.filter(user__email=email, key=DEMO_TOTP_KEY_HEX, confirmed=True).first()
        if device is None:
            raise CommandError(f"{email} has no demo authenticator. Run `manage.py seed_demo` first.")
        self.stdout.write(f"{totp(device.bin_key):06d}")
