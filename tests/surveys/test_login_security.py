"""Logging in: lock-out per (account, address), addresses behind our proxy, e-mail in any case, session
limits, and staff backup codes."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken

from coalition.middleware import LAST_SEEN_AT, LOGGED_IN_AT
from surveys.models import User

from ..conftest import PASSWORD, login_staff
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _small_failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def _login(client, email, password=PASSWORD, address="10.0.0.1", **headers):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def _fail_until_locked(client, email, **where):
    statuses = [_login(client, email, password="wrong", **where).status_code for _ in range(LIMIT)]
    assert statuses == [200] * (LIMIT - 1) + [429]  # the form again, until the last failure locks


def test_wrong_passwords_lock_that_account_from_that_address_only(client):
    alice = UserFactory(email="alice@example.org")
    bob = UserFactory(email="bob@example.org")

    _fail_until_locked(client, alice.email, address="10.0.0.1")

    assert _login(client, alice.email, address="10.0.0.1").status_code == 429  # even the right password
    client.logout()
    # Someone else at the same address (an office, or everyone when only the proxy's address is seen).
    assert _login(client, bob.email, address="10.0.0.1").status_code == 302
    client.logout()
    # Alice herself, from elsewhere.
    assert _login(client, alice.email, address="10.0.0.2").status_code == 302


def test_failures_for_an_unknown_address_lock_nobody_else(client):
    alice = UserFactory(email="alice@example.org")
    _fail_until_locked(client, "nobody@nowhere.example", address="10.0.0.1")
    assert _login(client, alice.email, address="10.0.0.1").status_code == 302


def test_the_account_is_the_same_whatever_the_case_of_the_address(client):
    alice = UserFactory(email="alice@example.org")
    for typed in ["Alice@Example.org", "ALICE@EXAMPLE.ORG", " alice@example.org"]:
        _login(client, typed, password="wrong")
    assert _login(client, alice.email).status_code == 429


def test_login_accepts_the_address_in_any_case(client):
    lead = UserFactory(email="lead@aurorasocial.example")
    response = _login(client, "Lead@AuroraSocial.example")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(lead.pk)


def test_an_address_saved_in_capitals_is_stored_lower_case():
    user = UserFactory(email="Mixed@Example.ORG")
    user.refresh_from_db()
    assert user.email == "mixed@example.org"
    assert User.objects.get_by_natural_key("MIXED@example.org") == user


def test_the_database_refuses_two_accounts_differing_only_by_case():
    from django.db import IntegrityError, transaction

    UserFactory(email="alice@example.org")
    other = UserFactory(email="other@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        # A bulk update skips save(): the constraint itself must refuse.
        User.objects.filter(pk=other.pk).update(email="Alice@Example.org")


def test_behind_a_trusted_proxy_each_visitor_is_locked_separately(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    alice = UserFactory(email="alice@example.org")
    proxy = "172.18.0.5"

    _fail_until_locked(client, alice.email, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert _login(client, alice.email, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    # The visitor cannot choose their address: only the entry our proxy appended counts.
    spoofed = "203.0.113.9, 198.51.100.7"
    assert _login(client, alice.email, address=proxy, HTTP_X_FORWARDED_FOR=spoofed).status_code == 429
    client.logout()
    assert _login(client, alice.email, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    alice = UserFactory(email="alice@example.org")
    for n in range(LIMIT):
        _login(client, alice.email, password="wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert _login(client, alice.email, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_the_lock_out_page_says_how_long_to_wait_and_what_else_to_do(client, settings):
    alice = UserFactory(email="alice@example.org")
    _fail_until_locked(client, alice.email)
    response = _login(client, alice.email)
    assert response.status_code == 429
    text = response.text
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"paused for {minutes} minutes after {LIMIT} wrong passwords" in text
    assert reverse("password_reset") in text
    assert "tell the coalition staff" in text


# --- Session limits -------------------------------------------------------------------------------------


def _age_session(client, *, idle_seconds: int, since_login_seconds: int | None = None):
    session = client.session
    now = int(time.time())
    session[LAST_SEEN_AT] = now - idle_seconds
    session[LOGGED_IN_AT] = now - (since_login_seconds if since_login_seconds is not None else idle_seconds)
    session.save()


def test_a_member_stays_logged_in_for_hours_without_activity(client, lead_a, settings):
    client.force_login(lead_a)
    _age_session(client, idle_seconds=settings.SESSION_IDLE_MEMBER_MINUTES * 60 - 120)
    assert client.get(reverse("profile")).status_code == 200


def test_a_member_idle_past_the_limit_is_logged_out_with_a_reason(client, lead_a, settings):
    client.force_login(lead_a)
    _age_session(client, idle_seconds=settings.SESSION_IDLE_MEMBER_MINUTES * 60 + 60)
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/accounts/profile/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "without activity" in page.text


def test_a_survey_save_after_the_idle_limit_keeps_what_was_typed(
    client, contributor_a, org_a, open_cycle, settings
):
    from surveys.views.survey import KEPT_MESSAGE

    from .test_survey_views import form_data, section_url

    url = section_url(org_a, "profile")
    client.force_login(contributor_a)
    data = form_data(client.get(url))
    _age_session(client, idle_seconds=settings.SESSION_IDLE_MEMBER_MINUTES * 60 + 60)

    response = client.post(url, {**data, "trust_safety_staff": "77"})

    assert response["Location"].startswith(reverse("login"))
    _login(client, contributor_a.email)
    html = client.get(url).text
    assert KEPT_MESSAGE in html and 'value="77"' in html


def test_staff_are_logged_out_after_half_an_hour_idle(client, reviewer, settings):
    assert settings.SESSION_IDLE_STAFF_MINUTES == 30
    login_staff(client, reviewer)
    _age_session(client, idle_seconds=31 * 60)
    response = client.get(reverse("surveys:review-queue"))
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_staff_active_within_half_an_hour_stay_logged_in(client, reviewer):
    login_staff(client, reviewer)
    _age_session(client, idle_seconds=29 * 60)
    assert client.get(reverse("surveys:review-queue")).status_code == 200


def test_no_session_outlives_its_absolute_lifetime_however_active(client, lead_a, settings):
    assert settings.SESSION_ABSOLUTE_HOURS == 12
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    client.force_login(lead_a)
    _age_session(client, idle_seconds=10, since_login_seconds=12 * 60 * 60 + 60)
    response = client.get(reverse("profile"))
    assert response["Location"].startswith(reverse("login"))
    assert "at most 12 hours" in client.get(response["Location"]).text


def test_the_limits_come_from_the_environment(settings, client, lead_a):
    settings.SESSION_IDLE_MEMBER_MINUTES = 5
    client.force_login(lead_a)
    _age_session(client, idle_seconds=6 * 60)
    assert client.get(reverse("profile")).status_code == 302


# --- Backup codes ---------------------------------------------------------------------------------------


def _set_up_authenticator(client, user):
    client.force_login(user)
    client.get(reverse("two-factor-setup"))
    device = user.totpdevice_set.get(confirmed=False)
    code = f"{totp(device.bin_key):06d}"
    return client.post(reverse("two-factor-setup"), {"token": code})


def _codes(response) -> list[str]:
    block = re.search(r'data-testid="backup-codes">(.*?)</ul>', response.text, re.S).group(1)
    return re.findall(r"<li[^>]*>([a-z2-7]{8})</li>", block)


def _use_code(client, code):
    return client.post(reverse("two-factor-backup"), {"code": code})


def test_setting_up_the_authenticator_shows_ten_backup_codes_once(client, reviewer):
    response = _set_up_authenticator(client, reviewer)
    codes = _codes(response)
    assert len(codes) == len(set(codes)) == 10
    assert "no-store" in response["Cache-Control"]
    assert sorted(
        StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True)
    ) == sorted(codes)
    # The codes page is never shown again: the management page only counts them.
    page = client.get(reverse("backup-codes"))
    assert "You have <strong>10</strong> unused backup codes" in page.text
    assert not any(code in page.text for code in codes)


def test_a_backup_code_passes_the_second_factor_once(client, reviewer):
    codes = _codes(_set_up_authenticator(client, reviewer))
    client.logout()

    client.force_login(reviewer)
    assert client.get(reverse("surveys:review-queue"))["Location"].startswith(reverse("two-factor-verify"))
    verify_page = client.get(reverse("two-factor-verify"))
    assert reverse("two-factor-backup") in verify_page.text

    response = _use_code(client, codes[0].upper())
    assert response.status_code == 302
    assert client.get(reverse("surveys:review-queue")).status_code == 200
    client.logout()

    client.force_login(reviewer)
    refused = _use_code(client, codes[0])
    assert refused.status_code == 200
    assert "not one of your unused backup codes" in refused.text
    assert client.get(reverse("surveys:review-queue")).status_code == 302
    assert _use_code(client, codes[1]).status_code == 302


def test_new_backup_codes_replace_the_old_ones(client, reviewer):
    old = _codes(_set_up_authenticator(client, reviewer))
    new = _codes(client.post(reverse("backup-codes")))
    assert len(new) == 10 and not set(new) & set(old)
    client.logout()

    client.force_login(reviewer)
    assert _use_code(client, old[2]).status_code == 200  # refused
    assert _use_code(client, new[2]).status_code == 302


def test_a_password_alone_cannot_make_backup_codes(client, reviewer):
    _set_up_authenticator(client, reviewer)
    client.logout()
    client.force_login(reviewer)  # password passed, second factor not yet
    response = client.post(reverse("backup-codes"))
    assert response["Location"].startswith(reverse("two-factor-verify"))
    assert StaticToken.objects.filter(device__user=reviewer).count() == 10
