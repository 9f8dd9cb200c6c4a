from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import selectors
from ..permissions import member_required
from ..services.answers import edit_refusal


@login_required
def organization_list(request):
    """A person who belongs to several organisations picks the one they are acting for."""
    memberships = request.user.memberships.select_related("organization").filter(organization__is_active=True)
    return render(request, "surveys/organization_list.html", {"memberships": memberships})


@member_required
def organization_detail(request):
    """The organisation's home: this year's survey and its progress, recent edits, earlier years, the team."""
    context = selectors.organization_overview(organization=request.organization)
    cycle = selectors.current_cycle()
    submissions = context["submissions"]
    submission = next((s for s in submissions if cycle and s.cycle_id == cycle.pk), None)
    context.update(
        membership=request.membership,
        cycle=cycle,
        submission=submission,
        state=selectors.submission_survey(cycle=cycle, submission=submission) if cycle else None,
        refusal=edit_refusal(submission) if submission else None,
        recent_changes=selectors.submission_recent_changes(submission=submission) if submission else [],
        earlier=[s for s in submissions if cycle and s.cycle.year < cycle.year],
    )
    return render(request, "surveys/organization_detail.html", context)
