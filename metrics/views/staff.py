"""Administrators' figures pages: years and their state, recompute, publish preview and publish."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from surveys.permissions import administrator_required

from .. import staff_selectors
from ..forms import PublishForm
from ..services import PublishError, indicators_recompute, release_check, release_preview, release_publish
from ..services.publishing import preview_fingerprint


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
    rows = release_preview(year=year)
    releases = staff_selectors.staff_releases(year=year)
    if not rows and not releases:
        raise Http404("No figures for this year.")
    check = release_check(year=year, override_reason=request.POST.get("override_reason", ""))
    fingerprint = preview_fingerprint(rows)
    form = PublishForm(
        request.POST or None, needs_override=check.needs_override, initial={"figures": fingerprint}
    )
    if request.method == "POST" and form.is_valid() and form.cleaned_data["figures"] != fingerprint:
        # A recompute ran after this preview was opened: show the new figures, keep what was typed.
        data = request.POST.copy()
        data["figures"] = fingerprint
        form = PublishForm(data, needs_override=check.needs_override)
        form.is_valid()
        form.add_error(
            None,
            "The figures changed after you opened this preview (a recompute ran). Nothing was published: "
            "check the figures below, then publish again.",
        )
    elif request.method == "POST" and form.is_valid():
        try:
            release = release_publish(
                year=year,
                published_by=request.user,
                note=form.cleaned_data["note"],
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except PublishError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{year} is published as release {release.number}.")
            return redirect("metrics:staff-years")
    return render(
        request,
        "metrics/staff_publish_preview.html",
        {
            "year": year,
            "rows": rows,
            "changed_count": sum(row.changed for row in rows),
            "check": check,
            "form": form,
            "releases": releases,
        },
    )
