"""The review page renders the forms its views validate with: each field's label and maximum length come from
the form (surveys/forms/review.py), not from a copy typed into the template."""

import re

import pytest
from django import forms
from django.urls import reverse

from surveys.forms.review import CommentForm, ProposalDecisionForm, ReplyForm, ReturnForm
from surveys.models import MilepostProposal, Question, Submission
from surveys.services import workflow
from tests.factories import SubmissionFactory, answer_create, review_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(org_a, lead_a):
    submission = SubmissionFactory(organization=org_a, cycle=review_questionnaire(2026))
    answer_create(submission, "image_hashing", ["photodna"])
    answer_create(submission, "supplemental_reports", True)
    answer_create(submission, "authority_reporting", "api_only")
    workflow.submission_submit(submission=submission, actor=lead_a)
    return submission


def _field(html: str, field_id: str) -> tuple[str, str]:
    """(label text, the input or textarea tag) of the field with this id."""
    label = re.search(rf'<label[^>]*for="{re.escape(field_id)}"[^>]*>(.*?)</label>', html, re.S)
    tag = re.search(rf'<(?:input|textarea)[^>]*id="{re.escape(field_id)}"[^>]*>', html)
    assert label and tag, f"no field {field_id}"
    return re.sub(r"<[^>]+>|\*", "", label.group(1)).strip(), tag.group(0)


def _page(client, submission) -> str:
    return client.get(reverse("surveys:review-submission", args=[submission.pk])).content.decode()


def test_the_review_page_shows_each_forms_label_and_maximum_length(reviewer_client, submitted):
    MilepostProposal.objects.create(
        submission=submitted, area="response", title="Survivor support", description="."
    )
    html = _page(reviewer_client, submitted)
    question = Question.objects.get(cycle=submitted.cycle, code="image_hashing")
    proposal = MilepostProposal.objects.get()
    expected = {
        "approve-note": ("Note (optional)", "5000"),
        "return-note": ("What should the member change?", "5000"),
        "comment-general-body": ("Comment", "5000"),
        f"comment-question-{question.pk}-body": ("Comment on image_hashing", "5000"),
        f"p-title-{proposal.pk}": ("Title in the catalogue (if accepted)", "200"),
        f"p-note-{proposal.pk}": ("Note to the member (required to reject)", "2000"),
    }
    for field_id, (label, max_length) in expected.items():
        shown_label, tag = _field(html, field_id)
        assert shown_label == label, field_id
        assert f'maxlength="{max_length}"' in tag, field_id
    assert "required" in _field(html, "return-note")[1]
    assert "required" not in _field(html, "approve-note")[1]


def test_the_reopen_form_shows_its_label_and_maximum_length(admin_client, submitted, reviewer):
    workflow.submission_approve(submission=submitted, reviewer=reviewer)
    label, tag = _field(_page(admin_client, submitted), "reopen-note")
    assert label == "Why is it reopened?" and 'maxlength="5000"' in tag


def test_a_members_reply_form_shows_its_label_and_maximum_length(client, submitted, reviewer, lead_a):
    comment = workflow.comment_add(submission=submitted, author=reviewer, body="Really?")
    workflow.submission_return(submission=submitted, reviewer=reviewer, note="See the comment.")
    client.force_login(lead_a)
    html = client.get(
        reverse("surveys:member-comments", args=[submitted.organization.slug, submitted.pk])
    ).content.decode()
    label, tag = _field(html, f"reply-{comment.pk}-body")
    assert label == "Reply to this comment" and 'maxlength="5000"' in tag


@pytest.mark.parametrize(
    "form_class,field,field_id",
    [
        (ReturnForm, "note", "return-note"),
        (CommentForm, "body", "comment-general-body"),
        (ProposalDecisionForm, "title", "p-title-{proposal}"),
        (ProposalDecisionForm, "note", "p-note-{proposal}"),
    ],
)
def test_a_change_to_the_form_shows_on_the_page(
    monkeypatch, reviewer_client, submitted, form_class, field, field_id
):
    proposal = MilepostProposal.objects.create(
        submission=submitted, area="response", title="Survivor support", description="."
    )
    planted = forms.CharField(label="Planted label", max_length=1234, required=False)
    monkeypatch.setitem(form_class.base_fields, field, planted)
    label, tag = _field(_page(reviewer_client, submitted), field_id.format(proposal=proposal.pk))
    assert label == "Planted label" and 'maxlength="1234"' in tag


def test_a_change_to_the_reply_form_shows_on_the_members_page(
    monkeypatch, client, submitted, reviewer, lead_a
):
    comment = workflow.comment_add(submission=submitted, author=reviewer, body="Really?")
    workflow.submission_return(submission=submitted, reviewer=reviewer, note="See the comment.")
    monkeypatch.setitem(
        ReplyForm.base_fields, "body", forms.CharField(label="Planted label", max_length=1234)
    )
    client.force_login(lead_a)
    html = client.get(
        reverse("surveys:member-comments", args=[submitted.organization.slug, submitted.pk])
    ).content.decode()
    label, tag = _field(html, f"reply-{comment.pk}-body")
    assert label == "Planted label" and 'maxlength="1234"' in tag


def test_a_note_that_was_not_saved_comes_back_in_its_form(reviewer_client, submitted):
    response = reviewer_client.post(
        reverse("surveys:review-return", args=[submitted.pk]),
        {"expected_status": Submission.Status.RETURNED, "note": "Check the hashing answer."},
        follow=True,
    )
    html = response.content.decode()
    returned = re.search(r'<textarea[^>]*id="return-note"[^>]*>(.*?)</textarea>', html, re.S)
    approved = re.search(r'<textarea[^>]*id="approve-note"[^>]*>(.*?)</textarea>', html, re.S)
    assert returned.group(1).strip() == "Check the hashing answer."
    assert approved.group(1).strip() == ""
