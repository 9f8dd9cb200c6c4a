"""Participation: every active organisation's progress in a cycle, a page at a time, for reviewers."""

from django.http import Http404
from django.shortcuts import render

from .. import selectors, selectors_staff
from ..forms.review import ParticipationFilterForm
from ..models import SurveyCycle
from ..permissions import reviewer_required


@reviewer_required
def participation(request):
    cycles = list(SurveyCycle.objects.order_by("-year"))
    year = request.GET.get("year")
    cycle = next((c for c in cycles if str(c.year) == year), None) if year else selectors.current_cycle()
    if cycle is None and year:
        raise Http404("There is no survey for that year. Choose a year from the list.")
    form = ParticipationFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    if cycle is None:
        return render(request, "surveys/participation.html", {"cycle": None, "cycles": cycles, "form": form})
    context = selectors_staff.participation(
        cycle=cycle,
        status=filters.get("status", ""),
        search=filters.get("q", ""),
        page=request.GET.get("page"),
    )
    context.update({"cycles": cycles, "form": form})
    return render(request, "surveys/participation.html", context)
