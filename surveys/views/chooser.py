"""The staff organisation search behind the organisation inputs (surveys/forms/fields.py)."""

from django.http import JsonResponse

from .. import selectors_staff
from ..permissions import reviewer_required


@reviewer_required
def organization_search(request):
    results = selectors_staff.organization_search(query=request.GET.get("q", "")[:100])
    return JsonResponse({"results": results})
