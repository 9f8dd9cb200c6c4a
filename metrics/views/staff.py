"""Administrators' figures pages: years and their state, recompute, publish preview and publish."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from surveys.permissions import administrator_required

from .. import staff_selectors
from ..forms import PublishForm
from ..services import (
    PublishError,
    correction_public_note_check,
    indicators_recompute,
    release_interim_needed,
    release_publish,
    release_review,
    release_warnings,
)
from ..services.publishing import preview_fingerprint, public_note_fingerprint


@administrator_required
def staff_years(request):
    return render(request, "metrics/staff_years.html", {"years": staff_selectors.staff_years()})


@administrator_required
@require_POST
def staff_recompute(request, year: int):
    if not staff_selectors.staff_year_exists(year=year):
        raise Http404("There is no survey or figures for that year.")
    report = indicators_recompute(year=year)
    messages.success(request, report.summary() + " Preview the figures to publish them.")
    return redirect("metrics:staff-years")


@administrator_required
def staff_publish_preview(request, year: int):
    review = release_review(year=year, override_reason=request.POST.get("override_reason", ""))
    rows, check = review.rows, review.check
    releases = staff_selectors.staff_releases(year=year)
    if not rows and not releases:
        raise Http404("No figures for this year.")
    fingerprint = preview_fingerprint(rows)
    options = {"needs_override": check.needs_override, "republication": check.previous is not None}
    initial = {"figures": fingerprint, "interim": release_interim_needed(year=year)}
    form = PublishForm(request.POST or None, initial=initial, **options)
    public_entry = None
    if request.method == "POST" and form.is_valid():
        public_note = form.cleaned_data.get("public_note", "").strip()
        if form.cleaned_data["figures"] != fingerprint:
            # A recompute ran after this preview was opened: show the new figures, keep what was typed.
            form = _rebound(request, options, figures=fingerprint)
            form.add_error(
                None,
                "The figures changed after you opened this preview (a recompute ran). Nothing was published: "
                "check the figures below, then publish again.",
            )
        elif request.POST.get("action") == "preview-public-entry":
            problems = correction_public_note_check(note=public_note)
            form = _rebound(request, options, previewed_public_note=public_note_fingerprint(public_note))
            for problem in problems:
                form.add_error("public_note", problem)
            public_entry = {"note": public_note, "changes": [row for row in rows if row.changed]}
        elif form.republication and form.cleaned_data["previewed_public_note"] != public_note_fingerprint(
            public_note
        ):
            form.add_error(
                "public_note",
                "Preview the public entry first: it shows exactly what the corrections log will say.",
            )
        else:
            try:
                release = release_publish(
                    year=year,
                    published_by=request.user,
                    note=form.cleaned_data["note"],
                    public_note=public_note if form.republication else None,
                    override_reason=form.cleaned_data.get("override_reason", ""),
                    interim=form.cleaned_data["interim"],
                )
            except PublishError as error:
                form.add_error(None, str(error))
            else:
                kind = " (interim figures)" if release.is_interim else ""
                messages.success(request, f"{year} is published as release {release.number}{kind}.")
                return redirect("metrics:staff-years")
    return render(
        request,
        "metrics/staff_publish_preview.html",
        {
            "year": year,
            "rows": rows,
            "review": review,
            "changed_count": sum(row.changed for row in rows),
            "check": check,
            "warnings": release_warnings(year=year, respondents=check.respondents),
            "form": form,
            "releases": releases,
            "public_entry": public_entry,
        },
    )


def _rebound(request, options: dict, **changes) -> PublishForm:
    """The form as posted, with hidden fields replaced (nothing typed is lost)."""
    data = request.POST.copy()
    for name, value in changes.items():
        data[name] = value
    form = PublishForm(data, **options)
    form.is_valid()
    return form
