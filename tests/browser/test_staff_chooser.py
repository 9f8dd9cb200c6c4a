"""An administrator invites a person by typing part of an organisation's name and picking a suggestion."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from surveys.models import Invitation, Organization
from tests.factories import UserFactory

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_organisation_input_suggests_names_as_you_type(page, live_server):
    Organization.objects.bulk_create(
        [Organization(name=f"Member {n:04}", slug=f"member-{n:04}") for n in range(500)]
        + [Organization(name="Harbour Messaging", slug="harbour-messaging")]
    )
    administrator = UserFactory(staff_role="administrator", email="ada@coalition.example")
    device = TOTPDevice.objects.create(user=administrator, name="phone", confirmed=True)
    log_in(page, administrator.email)
    page.goto("/staff/invitations/new/")
    page.get_by_label("Six-digit code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/staff/invitations/new/")

    page.get_by_label("Organization").press_sequentially("harb")
    suggestions = page.locator("datalist option")
    suggestions.first.wait_for(state="attached")
    assert suggestions.evaluate_all("options => options.map(o => o.value)") == ["Harbour Messaging"]

    page.get_by_label("Organization").fill("Harbour Messaging")
    page.get_by_label("E-mail address").fill("new.person@harbour.example")
    page.get_by_role("button", name="Send the invitation").click()
    assert page.get_by_text(
        "Invitation sent to new.person@harbour.example for Harbour Messaging."
    ).is_visible()
    assert Invitation.objects.get().organization.name == "Harbour Messaging"
