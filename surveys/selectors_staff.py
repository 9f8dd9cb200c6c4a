"""Reads behind the staff lists that grow with the coalition: participation, the audit log, the organisation
chooser and export jobs.

Each page reads one page of rows and counts with aggregates, so its queries and its size stay the same from
50 to 10,000 member organisations and a million audit events.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import AuditEvent, ExportJob, Organization, Question, Submission, SurveyCycle

Status = Submission.Status

# --- Organisation chooser -------------------------------------------------------------------------------


def organization_search(*, query: str, limit: int = 10, active_only: bool = True) -> list[dict]:
    """Organisations whose name contains `query`, names starting with it first; at most `limit`."""
    organizations = Organization.objects.all()
    if active_only:
        organizations = organizations.filter(is_active=True)
    query = query.strip()
    if query:
        organizations = organizations.filter(name__icontains=query)
    rows = organizations.order_by("name").values("name", "slug")[: limit * 5]
    starts = query.lower()
    ordered = sorted(rows, key=lambda row: (not row["name"].lower().startswith(starts), row["name"].lower()))
    return ordered[:limit]


# --- Participation --------------------------------------------------------------------------------------

TOTAL_KEYS = (
    "organizations",
    "without_people",
    "not_started",
    "draft",
    "submitted",
    "returned",
    "approved",
    "reopened",
)
NOT_STARTED = "not_started"
PARTICIPATION_PAGE_SIZE = 100


def participation_totals(*, cycle: SurveyCycle) -> dict[str, int]:
    """Active organisations per status in `cycle`, how many have not started, and how many have nobody who
    could fill the survey in (no active member account), from three aggregates."""
    active = Organization.objects.filter(is_active=True)
    organizations = active.count()
    with_people = active.filter(memberships__user__is_active=True).distinct().count()
    totals = dict.fromkeys(TOTAL_KEYS, 0)
    for status, count in (
        Submission.objects.filter(cycle=cycle, organization__is_active=True)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    ):
        totals[status] = count
    totals["organizations"] = organizations
    totals["without_people"] = organizations - with_people
    totals[NOT_STARTED] = organizations - sum(totals[s] for s in Status.values)
    return totals


def participation(
    *, cycle: SurveyCycle, status: str = "", search: str = "", page: int | str | None = 1
) -> dict:
    """One page of active organisations with status, progress and last activity in `cycle`, and totals.

    Filters by status (a submission status or "not_started") and by part of the name. 7 queries.
    """
    in_cycle = Submission.objects.filter(cycle=cycle, organization=OuterRef("pk"))
    organizations = Organization.objects.filter(is_active=True).only("id", "name", "slug")
    if search.strip():
        organizations = organizations.filter(name__icontains=search.strip())
    if status == NOT_STARTED:
        organizations = organizations.filter(~Exists(in_cycle))
    elif status:
        organizations = organizations.filter(Exists(in_cycle.filter(status=status)))
    paginated = Paginator(organizations.order_by("name", "id"), PARTICIPATION_PAGE_SIZE).get_page(page)
    ids = [organization.id for organization in paginated.object_list]

    question_count = Question.objects.filter(cycle=cycle).count()
    submissions = {
        s.organization_id: s
        for s in Submission.objects.filter(cycle=cycle, organization_id__in=ids)
        .order_by()
        .annotate(
            answered=Count("answers", filter=Q(answers__is_visible=True), distinct=True),
            last_answer_at=Max("answers__updated_at"),
        )
    }
    last_events = dict(
        AuditEvent.objects.filter(submission_id__in=[s.pk for s in submissions.values()])
        .order_by()
        .values_list("organization_id")
        .annotate(last=Max("created_at"))
        .values_list("organization_id", "last")
    )
    rows = []
    for organization in paginated.object_list:
        submission = submissions.get(organization.id)
        if submission is None:
            rows.append({"organization": organization, "submission": None, "status": NOT_STARTED})
            continue
        moments = [
            m
            for m in (submission.updated_at, submission.last_answer_at, last_events.get(organization.id))
            if m
        ]
        answered = min(submission.answered, question_count)
        rows.append(
            {
                "organization": organization,
                "submission": submission,
                "status": submission.status,
                "last_activity": max(moments) if moments else None,
                "answered": answered,
                "progress": round(100 * answered / question_count) if question_count else 0,
            }
        )
    return {
        "cycle": cycle,
        "page": paginated,
        "rows": rows,
        "totals": participation_totals(cycle=cycle),
        "question_count": question_count,
        "days_left": (cycle.closes_on - timezone.localdate()).days,
    }


# --- Audit log ------------------------------------------------------------------------------------------

AUDIT_PAGE_SIZE = 100


def audit_events(
    *,
    organization: Organization | None = None,
    actor=None,
    date_from: date | None = None,
    date_to: date | None = None,
    kind: str = "",
) -> QuerySet:
    """The audit log, newest first, filtered; dates are inclusive local days."""
    events = AuditEvent.objects.select_related("organization", "actor", "submission__cycle")
    if organization is not None:
        events = events.filter(organization=organization)
    if actor is not None:
        events = events.filter(actor=actor)
    if kind:
        events = events.filter(kind=kind)
    tz = timezone.get_current_timezone()
    if date_from:
        events = events.filter(created_at__gte=datetime.combine(date_from, datetime.min.time(), tzinfo=tz))
    if date_to:
        events = events.filter(created_at__lte=datetime.combine(date_to, datetime.max.time(), tzinfo=tz))
    return events.order_by("-created_at", "-id")


def _older_than(events: QuerySet, created_at, pk) -> QuerySet:
    return events.filter(created_at__lte=created_at).exclude(created_at=created_at, id__gte=pk)


def _newer_than(events: QuerySet, created_at, pk) -> QuerySet:
    return events.filter(created_at__gte=created_at).exclude(created_at=created_at, id__lte=pk)


@dataclass
class AuditPage:
    """One page of the audit log and the cursors (event ids) of its neighbours; None when there is none."""

    events: list
    newer: int | None
    older: int | None
    is_first: bool


def audit_page(
    events: QuerySet, *, before: int | None = None, after: int | None = None, size: int = AUDIT_PAGE_SIZE
) -> AuditPage:
    """The page of `events` (newest first) just older than event `before`, or just newer than `after`.

    Keyset pagination: the database seeks to the cursor in the (created_at, id) index instead of counting
    past every newer event, so the last page costs what the first does. 1–2 queries.
    """
    cursor = before or after
    anchor = AuditEvent.objects.filter(pk=cursor).values_list("created_at", "id").first() if cursor else None
    if anchor and after:
        rows = list(_newer_than(events, *anchor).order_by("created_at", "id")[: size + 1])
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        return AuditPage(
            events=rows,
            newer=rows[0].pk if has_newer and rows else None,
            older=rows[-1].pk if rows else None,
            is_first=not has_newer,
        )
    if anchor:
        events = _older_than(events, *anchor)
    rows = list(events[: size + 1])
    has_older = len(rows) > size
    rows = rows[:size]
    return AuditPage(
        events=rows,
        newer=rows[0].pk if anchor and rows else None,
        older=rows[-1].pk if has_older else None,
        is_first=anchor is None,
    )


def audit_events_iter(events: QuerySet, *, rows_per_query: int = 5_000) -> Iterator:
    """Every event of `events`, newest first, read `rows_per_query` at a time along the keyset.

    `events` may be a values_list() whose first two columns are id and created_at.
    """
    anchor = None
    while True:
        batch = list((_older_than(events, *anchor) if anchor else events)[:rows_per_query])
        yield from batch
        if len(batch) < rows_per_query:
            return
        last = batch[-1]
        anchor = (last.created_at, last.pk) if isinstance(last, AuditEvent) else (last[1], last[0])


def audit_value_display(value) -> str:
    """An audit event's old or new value in words: lists joined, yes/no, "key: value" pairs."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(audit_value_display(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {audit_value_display(item)}" for key, item in value.items())
    return str(value)


# --- Export jobs ----------------------------------------------------------------------------------------


def export_jobs_recent(*, user, limit: int = 5) -> list[ExportJob]:
    """The user's latest exports that have not expired yet."""
    return list(
        ExportJob.objects.filter(requested_by=user, expires_at__gt=timezone.now()).order_by("-created_at")[
            :limit
        ]
    )
