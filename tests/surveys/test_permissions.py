"""Who may see what (surveys/permissions.py): members reach only their own active organisations; staff reach
staff pages only after their second factor, and are sent to set it up or enter it with the page they asked for."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from surveys.models import User
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

AUDIT_WITH_FILTERS = "/staff/audit/?kind=comment&organization=3"


def test_a_member_of_a_deactivated_organisation_cannot_open_it(client):
    organization = OrganizationFactory(name="Gone Co", is_active=False)
    client.force_login(MembershipFactory(organization=organization, role="lead").user)

    response = client.get(reverse("surveys:organization-detail", kwargs={"org_slug": organization.slug}))

    assert response.status_code == 404


def test_someone_elses_organisation_is_not_found_and_the_message_says_so(lead_a, org_b):
    from django.http import Http404

    from surveys.permissions import membership_for

    with pytest.raises(Http404) as refused:
        membership_for(lead_a, org_b.slug)
    assert str(refused.value) == "No such organisation."


def test_a_member_of_an_active_organisation_opens_it(client):
    organization = OrganizationFactory(name="Here Co")
    client.force_login(MembershipFactory(organization=organization, role="lead").user)

    response = client.get(reverse("surveys:organization-detail", kwargs={"org_slug": organization.slug}))

    assert response.status_code == 200


def _administrator(**device):
    user = UserFactory(staff_role=User.StaffRole.ADMINISTRATOR, is_staff=True)
    if device:
        TOTPDevice.objects.create(user=user, name="phone", **device)
    return user


@pytest.mark.parametrize(
    "device,page",
    [
        ({}, "two-factor-setup"),
        ({"confirmed": False}, "two-factor-setup"),  # a device never confirmed does not count
        ({"confirmed": True}, "two-factor-verify"),
    ],
    ids=["no-device", "unconfirmed-device", "confirmed-device"],
)
def test_staff_without_their_second_factor_are_sent_to_set_it_up_or_enter_it(client, device, page):
    client.force_login(_administrator(**device))

    response = client.get(AUDIT_WITH_FILTERS)

    assert response.status_code == 302
    assert response["Location"] == reverse(page) + "?next=" + quote(AUDIT_WITH_FILTERS, safe="")


def test_a_member_asking_for_a_staff_page_is_refused_not_sent_to_a_second_factor(client, lead_a):
    client.force_login(lead_a)

    assert client.get(AUDIT_WITH_FILTERS).status_code == 403


def test_an_organisations_home_lists_only_its_own_team_and_submissions_newest_first(
    django_assert_num_queries,
):
    from surveys.selectors import organization_overview
    from tests.factories import (
        MembershipFactory,
        OrganizationFactory,
        SubmissionFactory,
        SurveyCycleFactory,
        UserFactory,
    )

    mine, theirs = OrganizationFactory(name="Mine"), OrganizationFactory(name="Theirs")
    zoe = MembershipFactory(organization=mine, user=UserFactory(email="zoe@mine.test"))
    adam = MembershipFactory(organization=mine, user=UserFactory(email="adam@mine.test"))
    MembershipFactory(organization=theirs, user=UserFactory(email="bob@theirs.test"))
    older = SubmissionFactory(organization=mine, cycle=SurveyCycleFactory(year=2024))
    newer = SubmissionFactory(organization=mine, cycle=SurveyCycleFactory(year=2025))
    SubmissionFactory(organization=theirs, cycle=SurveyCycleFactory(year=2025))

    overview = organization_overview(organization=mine)

    assert overview == {"organization": mine, "team": [adam, zoe], "submissions": [newer, older]}
    with django_assert_num_queries(0):  # the page shows each member's e-mail and each submission's year
        assert [m.user.email for m in overview["team"]] == ["adam@mine.test", "zoe@mine.test"]
        assert [s.cycle.year for s in overview["submissions"]] == [2025, 2024]
