"""Non-trivial reads of the surveys app."""

from django.db.models import Count, Q

from .models import Invitation, Membership, Organization, Submission, SurveyCycle, User


def organization_overview(*, organization: Organization) -> dict:
    """What an organisation's home page shows: its team and its submissions, newest cycle first."""
    team = Membership.objects.filter(organization=organization).select_related("user").order_by("user__email")
    submissions = (
        Submission.objects.filter(organization=organization).select_related("cycle").order_by("-cycle__year")
    )
    return {"organization": organization, "team": list(team), "submissions": list(submissions)}


def staff_overview() -> dict:
    """Counts for the administrators' overview page."""
    organizations = Organization.objects.aggregate(
        active=Count("id", filter=Q(is_active=True)), total=Count("id")
    )
    return {
        "organizations": organizations,
        "members": User.objects.filter(memberships__isnull=False).distinct().count(),
        "staff": User.objects.exclude(staff_role="").count(),
        "pending_invitations": Invitation.objects.pending().select_related("organization", "invited_by")[:20],
        "pending_invitation_count": Invitation.objects.pending().count(),
        "cycles": SurveyCycle.objects.annotate(
            submission_count=Count("submissions"),
            approved_count=Count("submissions", filter=Q(submissions__status=Submission.Status.APPROVED)),
        ),
    }
