"""Forms of the staff pages: they validate input, the services do the work."""

from crispy_forms.helper import FormHelper
from django import forms

from ..models import AuditEvent, Submission, SurveyCycle
from ..selectors_staff import NOT_STARTED
from .fields import OrganizationChoiceField, UserEmailField


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *Submission.Status.choices], required=False)
    year = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Survey year")
    organization = OrganizationChoiceField(required=False, label="Organisation", help_text="")
    q = forms.CharField(required=False, label="Search organisations", max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = SurveyCycle.objects.order_by("-year").values_list("year", flat=True)
        self.fields["year"].choices = [("", "Any year"), *[(y, str(y)) for y in years]]


class TransitionForm(forms.Form):
    """Return, approve or reopen; `expected_status` is what the reviewer saw, to detect a race."""

    expected_status = forms.ChoiceField(choices=Submission.Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note (optional)", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )

    @classmethod
    def for_review_page(cls, action: str, submission: Submission, unsent: dict | None) -> "TransitionForm":
        """The `action` form of the review page (ids `approve-note`...), with the note if it was not saved."""
        note = unsent["text"] if unsent and unsent["action"] == action else ""
        return cls(auto_id=f"{action}-%s", initial={"expected_status": submission.status, "note": note})


class ReturnForm(TransitionForm):
    note = forms.CharField(
        label="What should the member change?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={"required": "Say what the member should change before returning the submission."},
    )


class ReopenForm(TransitionForm):
    note = forms.CharField(
        label="Why is it reopened?",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={
            "required": "Write why the submission is reopened; the reason is kept in the history."
        },
    )


class CommentForm(forms.Form):
    question = forms.IntegerField(required=False, widget=forms.HiddenInput)
    milepost = forms.IntegerField(required=False, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={"required": "Write a comment before saving it."},
    )

    def __init__(self, *args, target: str = "", target_id: int | None = None, subject: str = "", **kwargs):
        """On the review page: a comment on the whole submission, or (`target` "question" or "milepost") on
        one of its questions or mileposts, labelled with its `subject` for screen readers."""
        kwargs.setdefault("auto_id", f"comment-{target}-{target_id}-%s" if target else "comment-general-%s")
        if target:
            kwargs.setdefault("initial", {target: target_id})
        super().__init__(*args, **kwargs)
        if subject:
            self.fields["body"].label = f"Comment on {subject}"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> has the token
        self.helper.label_class = "visually-hidden"


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply to this comment",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={"required": "Write a reply before sending it."},
    )


class ProposalDecisionForm(forms.Form):
    """Accept or reject a proposed milepost; the page's buttons send `decision`, the form shows the rest."""

    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    title = forms.CharField(required=False, max_length=200, label="Title in the catalogue (if accepted)")
    note = forms.CharField(
        required=False,
        label="Note to the member (required to reject)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    @classmethod
    def for_proposal(cls, proposal, unsent: dict | None) -> "ProposalDecisionForm":
        """One pending proposal's form on the review page, with what the reviewer typed if not saved."""
        typed = unsent if unsent and unsent.get("in_form") and unsent.get("proposal") == proposal.pk else {}
        return cls(
            auto_id=f"p-%s-{proposal.pk}",
            initial={"title": typed.get("title") or proposal.title, "note": typed.get("text", "")},
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why the proposal is rejected; the member will read it.")
        return cleaned


class ParticipationFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Any status"), (NOT_STARTED, "Not started"), *Submission.Status.choices],
        required=False,
    )
    q = forms.CharField(required=False, label="Search organisations", max_length=100)


class AuditFilterForm(forms.Form):
    organization = OrganizationChoiceField(required=False, label="Organisation", help_text="")
    actor = UserEmailField(required=False, label="User (e-mail address)")
    kind = forms.ChoiceField(choices=[("", "Any event"), *AuditEvent.Kind.choices], required=False)
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_from") and cleaned.get("date_to") and cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_to", "The end date is before the start date; swap them.")
        return cleaned

    def description(self) -> str:
        """The filters in words, e.g. for an export's name: "Alpha Social, from 1 Jan 2026"."""
        data = self.cleaned_data
        parts = [
            data["organization"].name if data.get("organization") else "",
            data["actor"].email if data.get("actor") else "",
            AuditEvent.Kind(data["kind"]).label if data.get("kind") else "",
            f"from {data['date_from']:%-d %b %Y}" if data.get("date_from") else "",
            f"to {data['date_to']:%-d %b %Y}" if data.get("date_to") else "",
        ]
        return ", ".join(part for part in parts if part) or "Every event"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "UTF-8 with the header organization,year,question,value; one row per answer. "
            "“organization” is the organisation's name as Milepost shows it (not its web address)."
        ),
    )
    create_organizations = forms.BooleanField(
        required=False, label="Create organisations that do not exist yet"
    )
    replace = forms.BooleanField(
        required=False,
        label="Remove answers and mileposts the file does not mention",
        help_text="Off: the file's answers are added to what each organisation has. On: the file replaces it.",
    )
    approve = forms.BooleanField(
        required=False,
        label="Approve the imported submissions",
        help_text="Each submission must then answer every required question.",
    )

    MAX_BYTES = 50 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 50 MB; split it, or use the import command.")
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
