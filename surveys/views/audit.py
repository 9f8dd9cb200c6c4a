"""The audit log for administrators: filtered, newest first, a page at a time from a cursor in the URL."""

from django.shortcuts import render

from .. import selectors_staff
from ..forms.review import AuditFilterForm
from ..permissions import administrator_required


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@administrator_required
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    form.is_valid()
    # Fields typed correctly still filter when another one is wrong (its error shows beside it).
    filters = getattr(form, "cleaned_data", {})
    events = selectors_staff.audit_events(
        organization=filters.get("organization"),
        actor=filters.get("actor"),
        kind=filters.get("kind", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = selectors_staff.audit_page(
        events, before=_cursor(request.GET.get("before")), after=_cursor(request.GET.get("after"))
    )
    for event in page.events:
        event.old_display = selectors_staff.audit_value_display(event.old_value)
        event.new_display = selectors_staff.audit_value_display(event.new_value)
    return render(
        request,
        "surveys/audit_log.html",
        {
            "form": form,
            "page": page,
            "filters": [(name, request.GET[name]) for name in form.fields if request.GET.get(name)],
            "exports": selectors_staff.export_jobs_recent(user=request.user),
        },
    )
