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


def submission_answer_values(*, submission: Submission) -> tuple[list, dict[str, object]]:
    """The cycle's questions in order and the submission's answers as plain values by question code."""
    from .conditions import answer_value
    from .models import Answer, Question

    questions = list(
        Question.objects.filter(cycle_id=submission.cycle_id)
        .select_related("section", "condition_question")
        .order_by("section__position", "position")
    )
    by_id = {question.id: question for question in questions}
    answers = Answer.objects.filter(submission=submission).prefetch_related("options")
    values = {by_id[a.question_id].code: answer_value(a, by_id[a.question_id]) for a in answers}
    return questions, values


def submission_missing_required(*, submission: Submission) -> list:
    """Required questions that are shown (their conditions are met) but not answered, in order."""
    from .conditions import is_answered, visible_codes

    questions, values = submission_answer_values(submission=submission)
    visible = visible_codes(questions, values)
    return [q for q in questions if q.required and q.code in visible and not is_answered(values.get(q.code))]
