from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import selectors
from ..permissions import member_required
from ..services.answers import carry_forward_preview, edit_refusal


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
    carried_from, carried = None, {}
    if cycle and submission is None and cycle.is_open:
        # What opening the survey will fill in, so the progress shown is what the member will find.
        carried_from, carried = carry_forward_preview(organization=request.organization, cycle=cycle)
    state = (
        selectors.submission_survey(cycle=cycle, submission=submission, carried=carried) if cycle else None
    )
    context.update(
        membership=request.membership,
        cycle=cycle,
        submission=submission,
        state=state,
        carried_from=carried_from,
        carried_count=len(carried),
        resume_section=selectors.submission_resume_section(state=state, user=request.user) if state else None,
        refusal=edit_refusal(submission) if submission else None,
        return_state=selectors.submission_return_state(submission=submission) if submission else None,
        mileposts=(
            list(
                submission.mileposts.select_related("milepost").order_by("milepost__area", "milepost__title")
            )
            if submission
            else []
        ),
        recent_changes=selectors.submission_recent_changes(submission=submission) if submission else [],
        earlier=[s for s in submissions if cycle and s.cycle.year < cycle.year],
    )
    return render(request, "surveys/organization_detail.html", context)
