"""Deadline reminders: e-mailed to organisations that have not submitted, each one at most once."""

import datetime

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..models import Membership, Organization, ReminderSent, Submission, SurveyCycle

REMINDER_DAYS = (14, 7, 1)
# Submitted or approved organisations have nothing left to do before the deadline.
DONE_STATUSES = (Submission.Status.SUBMITTED, Submission.Status.APPROVED)


def reminder_due(*, cycle: SurveyCycle, today: datetime.date) -> int | None:
    """The reminder (days before the close) due today, or None.

    The most urgent threshold not yet passed: if the beat missed the 14-day run, the 14-day reminder still
    goes out on day 10, and the 7-day one on day 7.
    """
    days_left = (cycle.closes_on - today).days
    if today < cycle.opens_on or days_left < 0:
        return None
    due = [days for days in REMINDER_DAYS if days >= days_left]
    return min(due) if due else None


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Send the reminders due today for every open cycle; returns how many organisations were reminded.

    Insert-first: the ReminderSent row is created (unique per cycle, organisation and threshold) before the
    e-mail is queued, in the same transaction, so two runs at once cannot both send the same reminder.
    """
    today = today or timezone.localdate()
    sent = 0
    for cycle in SurveyCycle.objects.filter(opens_on__lte=today, closes_on__gte=today):
        days = reminder_due(cycle=cycle, today=today)
        if days is not None:
            sent += _remind(cycle=cycle, days=days)
    return sent


def _remind(*, cycle: SurveyCycle, days: int) -> int:
    done = Submission.objects.filter(cycle=cycle, status__in=DONE_STATUSES).values("organization_id")
    already = ReminderSent.objects.filter(cycle=cycle, days_before=days).values("organization_id")
    organizations = Organization.objects.filter(is_active=True).exclude(pk__in=done).exclude(pk__in=already)
    url = settings.SITE_URL.rstrip("/") + reverse("surveys:organization-list")
    recipients_by_org: dict[int, list[str]] = {}
    for organization_id, email in Membership.objects.filter(
        organization__in=organizations, user__is_active=True
    ).values_list("organization_id", "user__email"):
        recipients_by_org.setdefault(organization_id, []).append(email)
    count = 0
    for organization in organizations:
        recipients = recipients_by_org.get(organization.pk)
        if not recipients:
            continue  # nobody to tell yet: not recorded, so the reminder goes out once someone joins
        try:
            with transaction.atomic():
                ReminderSent.objects.create(cycle=cycle, organization=organization, days_before=days)
                body = render_to_string(
                    "emails/reminder.txt",
                    {"organization": organization, "cycle": cycle, "days": days, "url": url},
                )
                subject = (
                    f"{'1 day' if days == 1 else f'{days} days'} left to answer the {cycle.year} survey "
                    f"for {organization.name}"
                )
                messages = [(subject, body, None, [email]) for email in recipients]
                transaction.on_commit(lambda m=messages: send_mass_mail(m, fail_silently=False))
        except IntegrityError:
            continue  # another run recorded (and sent) this reminder first
        count += 1
    return count
