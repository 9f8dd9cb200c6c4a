from django import forms


class PublishForm(forms.Form):
    # The preview's fingerprint: publishing is refused if the figures changed after the page was opened.
    figures = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Public note",
        help_text="Shown on the year's public pages and in the API. Required when the year is already "
        "published: say why it is republished (it goes in the corrections log).",
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
        help_text="Only needed when the respondents differ from the current release by fewer than the "
        "minimum count: explain why publishing is still safe.",
    )

    def __init__(self, *args, needs_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_override:
            del self.fields["override_reason"]
