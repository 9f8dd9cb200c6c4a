from django import forms


class PublishForm(forms.Form):
    # The preview's fingerprint: publishing is refused if the figures changed after the page was opened.
    figures = forms.CharField(widget=forms.HiddenInput)
    # The fingerprint of the public note last previewed: a republication publishes only a previewed note.
    previewed_public_note = forms.CharField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        required=False,
        label="Staff note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For staff only: why this release is made. Never shown to the public.",
    )
    public_note = forms.CharField(
        required=False,
        label="Public note for the corrections log",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the year is already published. The corrections log shows it beside the "
        "figures that changed, and the year's public pages and API show it with the figures. Say what was "
        "corrected in general terms; never name or hint at a member.",
    )
    interim = forms.BooleanField(
        required=False,
        label="Publish as interim figures",
        help_text="Needed while the year's survey is still open: the figures are labelled “interim” on every "
        "page, chart, CSV and in the API, and not compared with other years.",
    )
    override_reason = forms.CharField(
        required=False,
        label="Differencing override reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only needed when comparing this year's releases could single out fewer than the minimum "
        "count of members: explain why publishing is still safe. Kept in the staff record.",
    )

    def __init__(self, *args, needs_override: bool = False, republication: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.republication = republication
        if not needs_override:
            del self.fields["override_reason"]
        if not republication:
            del self.fields["public_note"]

    def clean(self):
        cleaned = super().clean()
        if self.republication and not cleaned.get("public_note", "").strip():
            self.add_error(
                "public_note", "Write the public note: the corrections log shows it with the changes."
            )
        return cleaned
