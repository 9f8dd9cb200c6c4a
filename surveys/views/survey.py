"""The member's survey: a page per section, mileposts, review and submit, CSV download.

Every view takes the organisation from the URL through `member_required` and finds the submission by that
organisation, so another organisation's survey is a 404.
"""

import csv
from dataclasses import dataclass, field
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_POST

from .. import selectors
from ..answer_types import answer_type
from ..conditions import display_value
from ..forms.survey import MilepostProposalForm, MilepostsForm, SectionForm
from ..models import Milepost, Submission, SurveyCycle
from ..permissions import member_required
from ..services import answers as answer_services
from ..services.exports import spreadsheet_safe
from ..services.workflow import TransitionError

STASH_KEY = "survey_unsaved_post"
KEPT_MESSAGE = "We kept the answers you typed — check them and save."


def keep_post_when_logged_out(view):
    """A save posted after the session expired is kept in the session and shown again after logging in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not request.user.is_authenticated:
            data = {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}
            request.session[STASH_KEY] = {"path": request.path, "data": data}
            return redirect_to_login(request.path)
        return view(request, *args, **kwargs)

    return wrapper


def _take_stash(request):
    stash = request.session.get(STASH_KEY)
    if not stash or stash.get("path") != request.path:
        return None
    del request.session[STASH_KEY]
    return MultiValueDict(stash["data"])


def _cycle_and_submission(request, year: int) -> tuple[SurveyCycle, Submission | None]:
    cycle = get_object_or_404(SurveyCycle, year=year)
    submission = (
        Submission.objects.select_related("cycle", "organization")
        .filter(organization=request.organization, cycle=cycle)
        .first()
    )
    return cycle, submission


def _started(request, year: int) -> tuple[SurveyCycle, Submission | None, str | None]:
    """The cycle, the organisation's submission (started now while the survey is open) and why it is read-only."""
    cycle, submission = _cycle_and_submission(request, year)
    if submission is None and cycle.is_open:
        submission = answer_services.submission_start(
            organization=request.organization, cycle=cycle, actor=request.user
        )
    if submission is None:
        if cycle.status == SurveyCycle.Status.UPCOMING:
            return cycle, None, f"The {cycle.year} survey has not opened yet."
        return cycle, None, f"Your organisation did not take part in the {cycle.year} survey."
    return cycle, submission, answer_services.edit_refusal(submission)


def _section_url(request, year, code, anchor=""):
    url = reverse(
        "surveys:survey-section",
        kwargs={"org_slug": request.organization.slug, "year": year, "section_code": code},
    )
    return f"{url}#{anchor}" if anchor else url


def _next_url(request, state, section):
    codes = [s.section.code for s in state.sections]
    index = codes.index(section.code)
    if index + 1 < len(codes):
        return _section_url(request, state.cycle.year, codes[index + 1])
    return reverse(
        "surveys:survey-mileposts", kwargs={"org_slug": request.organization.slug, "year": state.cycle.year}
    )


def _section_form(state, section, data=None):
    questions = [item.question for item in state.section(section.code).items]
    return SectionForm(data, questions=questions, answers=state.answers)


@dataclass
class _SectionPage:
    """What the section page shows besides the state: the form (None when read-only) and what went wrong."""

    form: SectionForm | None
    refusal: str | None = None
    conflicts: list = field(default_factory=list)
    unsaved: list = field(default_factory=list)


@keep_post_when_logged_out
@member_required
def survey_section(request, year: int, section_code: str):
    """One section's questions; Save keeps every valid answer and re-shows the invalid ones as typed."""
    cycle, submission, refusal = _started(request, year)
    state = selectors.submission_survey(cycle=cycle, submission=submission)
    if state.section(section_code) is None:
        raise Http404("No such section.")
    section = state.section(section_code).section
    if refusal:
        page = _SectionPage(form=None, refusal=refusal)
        if request.method == "POST":
            # E.g. the lead submitted, or the survey closed, while this person was typing.
            page.unsaved = _unsaved_answers(request, state.section(section_code))
            messages.error(request, f"Your answers were not saved. {refusal}")
        else:
            messages.info(request, refusal)
    elif request.method == "POST":
        page = _section_save(request, state, section)
        if page is None:
            messages.success(request, f"Saved “{section.title}”.")
            if "continue" in request.POST:
                return redirect(_next_url(request, state, section))
            return redirect(_section_url(request, year, section_code))
        state = selectors.submission_survey(cycle=cycle, submission=submission)
        if page.form is not None:
            page.form = SectionForm.redisplayed(
                request.POST,
                set(page.form.errors) | {conflict.question.code for conflict in page.conflicts},
                questions=[item.question for item in state.section(section_code).items],
                answers=state.answers,
            )
    else:
        stashed = _take_stash(request)
        page = _SectionPage(form=_section_form(state, section, stashed))
        if stashed is not None:
            page.form.is_valid()
            messages.info(request, KEPT_MESSAGE)
    return render(request, "surveys/survey_section.html", _section_context(request, state, section, page))


def _section_save(request, state, section) -> _SectionPage | None:
    """Save what was posted; None when everything was saved, else what the page must show again."""
    form = _section_form(state, section, request.POST)
    form.is_valid()
    versions, base_values = form.seen()
    data = form.plain_values()
    for code in list(data):
        # "Keep theirs" on a conflict: leave the colleague's answer as it is.
        if request.POST.get(f"resolve-{code}") == "theirs":
            del data[code]
    try:
        result = answer_services.section_save(
            submission=state.submission,
            section=section,
            actor=request.user,
            data=data,
            base_versions=versions,
            base_values=base_values,
            confirm_carried="confirm" in request.POST,
        )
    except answer_services.SaveError as error:
        # Refused meanwhile (the lead submitted, the survey closed): show what was typed, to copy.
        messages.error(request, f"Your answers were not saved. {error}")
        return _SectionPage(
            form=None, refusal=str(error), unsaved=_unsaved_answers(request, state.section(section.code))
        )
    if not form.errors and not result.conflicts:
        return None
    if result.saved:
        messages.success(request, f"Saved {len(result.saved)} answer{'s' if len(result.saved) != 1 else ''}.")
    if form.errors:
        messages.error(
            request, "Some answers could not be saved yet: correct the ones marked below and save again."
        )
    if result.conflicts:
        messages.warning(
            request,
            "A colleague changed some of the same answers while you were editing. "
            "Choose which answer to keep below, then save again.",
        )
    return _SectionPage(form=form, conflicts=result.conflicts)


def _section_context(request, state, section, page: _SectionPage) -> dict:
    submission = state.submission
    section_state = state.section(section.code)
    items = page.form.items(page.conflicts) if page.form else None
    visibility = {item.question.code: item.visible for item in section_state.items}
    for item in items or []:
        item.visible = visibility[item.question.code]
    comments = selectors.submission_comments_by_question(submission=submission) if submission else {}
    for item in [*(items or []), *section_state.items]:
        item.comments = comments.get(item.question.id, [])
    for conflict in page.conflicts:
        conflict.mine_display = display_value(conflict.question, conflict.mine) or "(no answer)"
        conflict.theirs_display = display_value(conflict.question, conflict.theirs) or "(no answer)"
    return {
        "organization": request.organization,
        "membership": request.membership,
        "cycle": state.cycle,
        "submission": submission,
        "state": state,
        "section": section,
        "section_state": section_state,
        "form": page.form,
        "items": items,
        "has_carried": any(item.carried for item in items or []),
        "refusal": page.refusal,
        "unsaved": page.unsaved,
        "comment_count": sum(len(thread) for thread in comments.values()),
        "comments_here": sum(len(item.comments) for item in section_state.items),
    }


def _unsaved_answers(request, section_state) -> list[tuple[str, str]]:
    """(question, what was typed) for a save that could not be made, so the person can copy it."""
    typed = []
    for item in section_state.items:
        question = item.question
        raw = [v for v in request.POST.getlist(question.code) if v.strip()]
        if not raw:
            continue
        typed.append((question.text, display_value(question, answer_type(question).from_typed(raw))))
    return typed


def _catalogue(cycle):
    return list(
        Milepost.objects.filter(is_active=True, introduced_year__lte=cycle.year).order_by("area", "title")
    )


def _save_valid_mileposts(request, form, *, submission, saved: dict[str, str]) -> None:
    """Keep the valid entries of a form with invalid ones; the page then names and links each invalid one."""
    kept = form.valid_advanced(saved=saved)
    if kept != saved:
        answer_services.mileposts_save(submission=submission, actor=request.user, advanced=kept)
    titles = "; ".join(f"“{m.title}”" for m in form.invalid_mileposts())
    messages.error(
        request,
        f"Saved the other mileposts ({len(kept)} advanced). Not saved yet: {titles}. Describe what you did "
        "for each milepost you ticked (the list at the top links to it), then save again.",
    )


@keep_post_when_logged_out
@member_required
def survey_mileposts(request, year: int):
    """Pick the mileposts advanced this year, describe each, and propose ones missing from the catalogue."""
    cycle, submission, refusal = _started(request, year)
    catalogue = _catalogue(cycle)
    chosen = {}
    proposals = []
    if submission is not None:
        chosen = {
            item.milepost.code: item.description for item in submission.mileposts.select_related("milepost")
        }
        proposals = list(submission.milepost_proposals.order_by("created_at"))
    initial = {f"advanced_{code}": True for code in chosen} | {
        f"description_{c}": d for c, d in chosen.items()
    }
    form = MilepostsForm(initial=initial, mileposts=catalogue)
    proposal_form = MilepostProposalForm()
    if refusal:
        messages.info(request, refusal)
    elif request.method == "POST":
        try:
            if request.POST.get("action") == "propose":
                proposal_form = MilepostProposalForm(request.POST)
                if proposal_form.is_valid():
                    answer_services.milepost_propose(
                        submission=submission, actor=request.user, **proposal_form.cleaned_data
                    )
                    messages.success(request, "Thank you: the coalition will review your proposed milepost.")
                    return redirect(request.path)
            else:
                form = MilepostsForm(request.POST, mileposts=catalogue)
                if form.is_valid():
                    answer_services.mileposts_save(
                        submission=submission, actor=request.user, advanced=form.advanced()
                    )
                    messages.success(request, f"Saved your mileposts ({len(form.advanced())} advanced).")
                    if "continue" in request.POST:
                        return redirect(
                            "surveys:survey-review", org_slug=request.organization.slug, year=year
                        )
                    return redirect(request.path)
                _save_valid_mileposts(request, form, submission=submission, saved=chosen)
        except answer_services.SaveError as error:
            messages.error(request, str(error))
    else:
        stashed = _take_stash(request)
        if stashed is not None:
            form = MilepostsForm(stashed, mileposts=catalogue)
            form.is_valid()
            messages.info(request, KEPT_MESSAGE)
    state = selectors.submission_survey(cycle=cycle, submission=submission)
    return render(
        request,
        "surveys/survey_mileposts.html",
        {
            "organization": request.organization,
            "cycle": cycle,
            "submission": submission,
            "state": state,
            "form": form,
            "proposal_form": proposal_form,
            "proposals": proposals,
            "chosen": chosen,
            "refusal": refusal,
        },
    )


def _review_context(request, year):
    cycle, submission = _cycle_and_submission(request, year)
    if submission is None:
        raise Http404("Your organisation has not started this survey.")
    return cycle, submission, selectors.submission_survey(cycle=cycle, submission=submission)


@member_required
def survey_review(request, year: int):
    """All answers and mileposts; missing required answers link to their question; a lead submits here.

    Like a section, opening it while the survey is open starts the survey (carrying last year forward).
    """
    cycle, submission, refusal = _started(request, year)
    if submission is None:
        raise Http404(refusal)
    state = selectors.submission_survey(cycle=cycle, submission=submission)
    missing = state.missing
    can_submit = request.membership.can_submit and not refusal and not missing
    return render(
        request,
        "surveys/survey_review.html",
        {
            "organization": request.organization,
            "membership": request.membership,
            "cycle": cycle,
            "submission": submission,
            "state": state,
            "missing": missing,
            "refusal": refusal,
            "can_submit": can_submit,
            "unconfirmed": [] if refusal else answer_services.carried_unconfirmed(submission=submission),
            "return_state": selectors.submission_return_state(submission=submission),
            "mileposts": list(
                submission.mileposts.select_related("milepost").order_by("milepost__area", "milepost__title")
            ),
            "proposals": list(submission.milepost_proposals.order_by("created_at")),
        },
    )


@member_required
@require_POST
def survey_submit(request, year: int):
    """A lead submits the survey for review, confirming answers still carried from last year if any."""
    cycle, submission = _cycle_and_submission(request, year)
    if submission is None:
        raise Http404("Your organisation has not started this survey.")
    try:
        answer_services.submission_submit_checked(
            submission=submission,
            actor=request.user,
            note=request.POST.get("note", ""),
            carried_confirmed=request.POST.get("confirm_carried") == "yes",
        )
    except TransitionError as error:
        messages.error(request, str(error))
        url = reverse("surveys:survey-review", kwargs={"org_slug": request.organization.slug, "year": year})
        return redirect(url + "#h-submit")
    messages.success(
        request,
        f"Thank you: your {cycle.year} survey is submitted. The coalition will review it; "
        "it is read-only until then.",
    )
    return redirect("surveys:organization-detail", org_slug=request.organization.slug)


@member_required
def survey_csv(request, year: int):
    """The organisation's own submission as a CSV file: one row per question, then one per milepost."""
    cycle, submission, state = _review_context(request, year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"milepost-{request.organization.slug}-{cycle.year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(
        ["section", "question_code", "question", "answer", "shown", "provenance", "updated_by", "updated_at"]
    )
    for section in state.sections:
        for item in section.items:
            answer = item.answer
            writer.writerow(
                [
                    spreadsheet_safe(cell)
                    for cell in (
                        section.section.title,
                        item.question.code,
                        item.question.text,
                        item.display,
                        "yes" if item.visible else "no",
                        answer.get_provenance_display() if answer else "",
                        answer.updated_by.display_name if answer and answer.updated_by else "",
                        timezone.localtime(answer.updated_at).isoformat(timespec="minutes") if answer else "",
                    )
                ]
            )
    for item in submission.mileposts.select_related("milepost", "updated_by"):
        writer.writerow(
            [
                spreadsheet_safe(cell)
                for cell in (
                    "Mileposts",
                    item.milepost.code,
                    item.milepost.title,
                    item.description,
                    "yes",
                    item.get_provenance_display(),
                    item.updated_by.display_name if item.updated_by else "",
                    timezone.localtime(item.updated_at).isoformat(timespec="minutes"),
                )
            ]
        )
    return response
