"""Staff review pages (queue, review, comments, transitions, proposals); plus the
member's page for reading and answering review comments. Participation, the audit log and the exports have
their own modules (participation.py, audit.py, exports.py), and so has the browser import (imports.py).

Thin views: read input, check access (surveys.permissions), call one service or selector, message, redirect.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .. import selectors, selectors_review
from ..forms.review import (
    CommentForm,
    ProposalDecisionForm,
    QueueFilterForm,
    ReopenForm,
    ReplyForm,
    ReturnForm,
    TransitionForm,
)
from ..models import Milepost, MilepostProposal, Question, ReviewComment, Submission
from ..permissions import administrator_required, member_required, reviewer_required
from ..services import workflow

# --- Queue and review page ------------------------------------------------------------------------------


@reviewer_required
def review_queue(request):
    form = QueueFilterForm(request.GET or {"status": Submission.Status.SUBMITTED})
    form.is_valid()
    # Fields typed correctly still filter when another one is wrong (its error shows beside it).
    filters = getattr(form, "cleaned_data", {})
    submissions = selectors_review.review_queue(
        status=filters.get("status", ""),
        year=filters.get("year"),
        organization=filters.get("organization"),
        search=filters.get("q", ""),
    )
    page = Paginator(submissions, 100).get_page(request.GET.get("page"))
    counts = selectors_review.review_counts(year=filters.get("year"))
    return render(
        request,
        "surveys/review_queue.html",
        {
            "form": form,
            "page": page,
            "counts": [(status, label, counts[status]) for status, label in Submission.Status.choices],
            "proposals": selectors_review.pending_proposals()[:50],
        },
    )


@reviewer_required
def review_submission(request, submission_id: int):
    try:
        context = selectors_review.submission_review(submission_id=submission_id)
    except Submission.DoesNotExist as error:
        raise Http404("No such submission.") from error
    submission = context["submission"]
    allowed = workflow.ALLOWED_TRANSITIONS.get(submission.status, set())
    unsent = request.session.pop(UNSENT_KEY, None)
    if unsent and unsent.get("submission") != submission.pk:
        unsent = None
    if unsent and unsent["action"] == "proposal":
        # Back in its form if the proposal is still open; otherwise only the warning shows what was typed.
        unsent["in_form"] = any(
            p.pk == unsent.get("proposal") and p.status == MilepostProposal.Status.PENDING
            for p in context.get("proposals", [])
        )
    context.update(
        {
            "unsent": unsent,
            "can_return": Submission.Status.RETURNED in allowed,
            "can_approve": Submission.Status.APPROVED in allowed,
            "can_reopen": Submission.Status.REOPENED in allowed and request.user.is_administrator,
            "can_comment": submission.status != Submission.Status.APPROVED,
            "return_form": ReturnForm.for_review_page("return", submission, unsent),
            "approve_form": TransitionForm.for_review_page("approve", submission, unsent),
            "reopen_form": ReopenForm.for_review_page("reopen", submission, unsent),
            "proposals_with_forms": [
                (
                    p,
                    ProposalDecisionForm.for_proposal(p, unsent)
                    if p.status == MilepostProposal.Status.PENDING
                    else None,
                )
                for p in context.get("proposals", [])
            ],
        }
    )
    return render(request, "surveys/review_submission.html", context)


UNSENT_KEY = "review_unsent"


def _keep_unsent(request, submission_id: int, action: str, text: str, **fields) -> None:
    """A note or comment that could not be saved is shown again on the review page, so it is not lost.

    `fields` holds whatever else the reviewer typed in the same form (a proposal's edited title, say).
    """
    if text.strip() or any(str(value).strip() for value in fields.values()):
        request.session[UNSENT_KEY] = {"submission": submission_id, "action": action, "text": text, **fields}


def _back(submission_id: int, anchor: str = ""):
    response = redirect("surveys:review-submission", submission_id=submission_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@reviewer_required
@require_POST
def review_comment(request, submission_id: int):
    submission = get_object_or_404(Submission, pk=submission_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        _keep_unsent(request, submission_id, "comment", request.POST.get("body", ""))
        return _back(submission_id)
    data = form.cleaned_data
    try:
        if data.get("parent"):
            parent = get_object_or_404(ReviewComment, pk=data["parent"], submission=submission)
            workflow.comment_reply(comment=parent, author=request.user, body=data["body"])
        else:
            question = (
                get_object_or_404(Question, pk=data["question"], cycle_id=submission.cycle_id)
                if data.get("question")
                else None
            )
            milepost = get_object_or_404(Milepost, pk=data["milepost"]) if data.get("milepost") else None
            workflow.comment_add(
                submission=submission,
                author=request.user,
                body=data["body"],
                question=question,
                milepost=milepost,
            )
    except workflow.CommentError as error:
        messages.error(request, str(error))
        _keep_unsent(request, submission_id, "comment", data["body"])
        return _back(submission_id)
    messages.success(request, "Comment saved. The member sees it when you return the submission.")
    anchor = f"q-{data['question']}" if data.get("question") else ""
    return _back(submission_id, anchor)


def _transition(request, submission_id: int, form_class, action, name: str):
    submission = get_object_or_404(Submission, pk=submission_id)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        _keep_unsent(request, submission_id, name, request.POST.get("note", ""))
        return _back(submission_id)
    try:
        message = action(submission, form.cleaned_data)
    except workflow.TransitionError as error:
        messages.error(request, str(error))
        _keep_unsent(request, submission_id, name, form.cleaned_data.get("note", ""))
        return _back(submission_id)
    messages.success(request, message)
    return _back(submission_id)


@reviewer_required
@require_POST
def review_return(request, submission_id: int):
    def action(submission, data):
        workflow.submission_return(
            submission=submission,
            reviewer=request.user,
            note=data["note"],
            expected_status=data["expected_status"],
        )
        return f"Returned to {submission.organization}. Its people have been e-mailed."

    return _transition(request, submission_id, ReturnForm, action, "return")


@reviewer_required
@require_POST
def review_approve(request, submission_id: int):
    def action(submission, data):
        workflow.submission_approve(
            submission=submission,
            reviewer=request.user,
            note=data.get("note", ""),
            expected_status=data["expected_status"],
        )
        return f"Approved {submission.organization}'s {submission.cycle.year} submission; its comments are resolved."

    return _transition(request, submission_id, TransitionForm, action, "approve")


@administrator_required
@require_POST
def review_reopen(request, submission_id: int):
    def action(submission, data):
        workflow.submission_reopen(
            submission=submission,
            administrator=request.user,
            reason=data["note"],
            expected_status=data["expected_status"],
        )
        return f"Reopened {submission.organization}'s {submission.cycle.year} submission."

    return _transition(request, submission_id, ReopenForm, action, "reopen")


@reviewer_required
@require_POST
def proposal_decide(request, proposal_id: int):
    proposal = get_object_or_404(MilepostProposal.objects.select_related("submission"), pk=proposal_id)
    form = ProposalDecisionForm(request.POST)

    def keep_typed():
        typed_title = request.POST.get("title", "")
        _keep_unsent(
            request,
            proposal.submission_id,
            "proposal",
            request.POST.get("note", ""),
            proposal=proposal.pk,
            title=typed_title if typed_title != proposal.title else "",
        )

    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        keep_typed()
        return _back(proposal.submission_id, "proposals")
    data = form.cleaned_data
    try:
        if data["decision"] == "accept":
            milepost = workflow.proposal_accept(
                proposal=proposal,
                reviewer=request.user,
                title=data.get("title", ""),
                note=data.get("note", ""),
            )
            messages.success(
                request, f"“{milepost.title}” joins the milepost catalogue from {milepost.introduced_year}."
            )
        else:
            workflow.proposal_reject(proposal=proposal, reviewer=request.user, note=data["note"])
            messages.success(request, "Proposal rejected; the member can read your note.")
    except workflow.ProposalError as error:
        messages.error(request, str(error))
        keep_typed()
    return _back(proposal.submission_id, "proposals")


# --- Members: review comments on their own submission ---------------------------------------------------


def _member_submission(request, submission_id: int) -> Submission:
    return get_object_or_404(
        Submission.objects.select_related("cycle", "organization"),
        pk=submission_id,
        organization=request.organization,
    )


@member_required
def member_comments(request, submission_id: int):
    submission = _member_submission(request, submission_id)
    comments = selectors.submission_comments(submission=submission)
    return_state = selectors.submission_return_state(submission=submission)
    groups: dict = {}
    for comment in comments:
        if comment.question_id:
            title = f"Question: {comment.question.text}"
        elif comment.milepost_id:
            title = f"Milepost: {comment.milepost.title}"
        else:
            title = "Your submission as a whole"
        groups.setdefault(title, []).append(comment)
    return render(
        request,
        "surveys/review_member_comments.html",
        {
            "submission": submission,
            "organization": request.organization,
            "comments": comments,
            "groups": [{"title": title, "comments": items} for title, items in groups.items()],
            # Only a returned survey has comments to address, and one is addressed once answered or replied to.
            "open_count": len(return_state.to_address) if return_state else 0,
            "return_state": return_state,
        },
    )


@member_required
@require_POST
def member_comment_reply(request, comment_id: int):
    comment = get_object_or_404(
        ReviewComment.objects.select_related("submission"),
        pk=comment_id,
        submission__organization=request.organization,
    )
    visible = {c.pk for c in selectors.submission_comments(submission=comment.submission)}
    if (comment.parent_id or comment.pk) not in visible:
        raise Http404("No such comment.")
    form = ReplyForm(request.POST)
    next_url = request.POST.get("next", "")
    if form.is_valid():
        try:
            workflow.comment_reply(comment=comment, author=request.user, body=form.cleaned_data["body"])
            messages.success(request, "Reply sent to the coalition's reviewers.")
        except workflow.CommentError as error:
            # Show the reply again so it is not lost (e.g. the reviewer approved while it was being written).
            messages.error(
                request,
                f"{error} Your reply was not sent; copy it if you need it: “{form.cleaned_data['body']}”",
            )
    else:
        messages.error(request, "Write a reply before sending it.")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect(
        "surveys:member-comments", org_slug=request.organization.slug, submission_id=comment.submission_id
    )
