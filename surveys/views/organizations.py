from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .. import selectors
from ..permissions import member_required


@login_required
def organization_list(request):
    """A person who belongs to several organisations picks the one they are acting for."""
    memberships = request.user.memberships.select_related("organization").filter(organization__is_active=True)
    return render(request, "surveys/organization_list.html", {"memberships": memberships})


@member_required
def organization_detail(request):
    context = selectors.organization_overview(organization=request.organization)
    context["membership"] = request.membership
    return render(request, "surveys/organization_detail.html", context)
