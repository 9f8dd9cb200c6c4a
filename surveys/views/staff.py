from django.contrib import messages
from django.shortcuts import redirect, render

from .. import selectors
from ..forms.accounts import InvitationCreateForm
from ..permissions import administrator_required
from ..services import accounts as account_services


@administrator_required
def staff_overview(request):
    return render(request, "surveys/staff_overview.html", selectors.staff_overview())


@administrator_required
def invitation_create(request):
    form = InvitationCreateForm(
        request.POST or None, initial={"organization": request.GET.get("organization")}
    )
    if request.method == "POST" and form.is_valid():
        invitation, _ = account_services.invitation_create(
            organization=form.cleaned_data["organization"],
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
        )
        messages.success(request, f"Invitation sent to {invitation.email} for {invitation.organization}.")
        return redirect("surveys:staff-overview")
    return render(request, "surveys/invitation_create.html", {"form": form})
