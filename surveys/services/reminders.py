"""Deadline reminders: e-mailed to organisations that have not submitted, each one at most once."""

import datetime
from dataclasses import dataclass

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


@dataclass
class Recipient:
    email: str
    name: str
    is_lead: bool


def _waiting(*, cycle: SurveyCycle, days: int) -> list[Organization]:
    """Active organisations that have not submitted and have not had the `days`-before reminder."""
    done = Submission.objects.filter(cycle=cycle, status__in=DONE_STATUSES).values("organization_id")
    already = ReminderSent.objects.filter(cycle=cycle, days_before=days).values("organization_id")
    return list(
        Organization.objects.filter(is_active=True)
        .exclude(pk__in=done)
        .exclude(pk__in=already)
        .order_by("name")
    )


def reminder_recipients(*, cycle: SurveyCycle, days: int) -> list[tuple[Organization, list[Recipient]]]:
    """Who the `days`-before reminder of `cycle` would go to now: each organisation and its people.

    Active organisations that have not submitted and have not had this reminder yet; an organisation with
    nobody to tell is left out (it gets the reminder once someone joins). Three queries.
    """
    organizations = _waiting(cycle=cycle, days=days)
    people: dict[int, list[Recipient]] = {}
    for membership in (
        Membership.objects.filter(organization__in=organizations, user__is_active=True)
        .select_related("user")
        .order_by("-role", "user__email")
    ):
        people.setdefault(membership.organization_id, []).append(
            Recipient(
                email=membership.user.email,
                name=membership.user.display_name,
                is_lead=membership.can_submit,
            )
        )
    return [
        (organization, people[organization.pk]) for organization in organizations if organization.pk in people
    ]


def _remind(*, cycle: SurveyCycle, days: int) -> int:
    url = settings.SITE_URL.rstrip("/") + reverse("surveys:organization-list")
    subject_days = "1 day" if days == 1 else f"{days} days"
    count = 0
    for organization, recipients in reminder_recipients(cycle=cycle, days=days):
        leads = [recipient.name for recipient in recipients if recipient.is_lead]
        try:
            with transaction.atomic():
                ReminderSent.objects.create(cycle=cycle, organization=organization, days_before=days)
                subject = f"{subject_days} left to answer the {cycle.year} survey for {organization.name}"
                # A lead submits; a contributor is told who their lead is (a lead is never told to ask one).
                messages = [
                    (
                        subject,
                        render_to_string(
                            "emails/reminder.txt",
                            {
                                "organization": organization,
                                "cycle": cycle,
                                "days": days,
                                "url": url,
                                "recipient": recipient,
                                "leads": leads,
                            },
                        ),
                        None,
                        [recipient.email],
                    )
                    for recipient in recipients
                ]
                transaction.on_commit(lambda m=messages: send_mass_mail(m, fail_silently=False))
        except IntegrityError:
            continue  # another run recorded (and sent) this reminder first
        count += 1
    return count


@dataclass
class PlannedReminder:
    """One threshold of a cycle's reminders as the staff reminders page shows it."""

    days: int
    on: datetime.date | None  # None for a reminder that will not go out
    status: str  # "sent", "due" (today), "upcoming" or "skipped" (a later reminder replaced it)
    sent: list[ReminderSent]
    recipients: list[tuple[Organization, list[Recipient]]]
    nobody_to_tell: int = 0  # organisations that have not submitted but have no active person in Milepost

    @property
    def people_count(self) -> int:
        return sum(len(people) for _, people in self.recipients)


def reminders_plan(*, today: datetime.date | None = None) -> list[tuple[SurveyCycle, list[PlannedReminder]]]:
    """A read for the staff page: each open or upcoming cycle's reminders, sent or still to send, and to whom.

    For a reminder still to send, the recipients are who would get it if it went out now.
    """
    today = today or timezone.localdate()
    plan = []
    for cycle in SurveyCycle.objects.filter(closes_on__gte=today).order_by("year"):
        due = reminder_due(cycle=cycle, today=today)
        sent_rows = list(
            ReminderSent.objects.filter(cycle=cycle)
            .select_related("organization")
            .order_by("organization__name")
        )
        reminders = []
        for days in REMINDER_DAYS:
            sent = [row for row in sent_rows if row.days_before == days]
            on = _first_day_due(cycle, days, start=today + datetime.timedelta(days=1))
            if days == due:
                status, on = "due", today
            elif on is not None:
                status = "upcoming"
            elif sent:
                status, on = "sent", timezone.localdate(sent[0].sent_at)
            else:
                status = "skipped"
            pending = status in ("due", "upcoming")
            recipients = reminder_recipients(cycle=cycle, days=days) if pending else []
            waiting = len(_waiting(cycle=cycle, days=days)) if pending else 0
            reminders.append(
                PlannedReminder(
                    days=days,
                    on=on,
                    status=status,
                    sent=sent,
                    recipients=recipients,
                    nobody_to_tell=waiting - len(recipients),
                )
            )
        plan.append((cycle, reminders))
    return plan


def _first_day_due(cycle: SurveyCycle, days: int, *, start: datetime.date) -> datetime.date | None:
    """The first day from `start` on which `reminders_send` would send the `days`-before reminder."""
    day = max(start, cycle.opens_on)
    while day <= cycle.closes_on:
        if reminder_due(cycle=cycle, today=day) == days:
            return day
        day += datetime.timedelta(days=1)
    return None
