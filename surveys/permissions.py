"""Who may see what: the one place where surveys' views check access.

Members reach only their own organisations (anything else is a 404, so ids cannot be probed); coalition
staff reach staff pages only after passing two-factor authentication.
"""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from .models import Membership


def membership_for(user, organization_slug: str) -> Membership:
    """The user's membership of the organisation, or 404 when they are not a member."""
    membership = (
        Membership.objects.select_related("organization")
        .filter(user=user, organization__slug=organization_slug, organization__is_active=True)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation.")
    return membership


def member_required(view):
    """Views taking `org_slug`: sets `request.membership` and `request.organization`, else 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, org_slug, **kwargs):
        request.membership = membership_for(request.user, org_slug)
        request.organization = request.membership.organization
        request.session["acting_organization"] = request.organization.slug
        return view(request, *args, **kwargs)

    return wrapper


def _staff_required(has_role):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not has_role(user):
                raise PermissionDenied("This page is for coalition staff.")
            if not user.is_verified():
                return redirect_to_second_factor(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


reviewer_required = _staff_required(lambda user: user.is_reviewer)
administrator_required = _staff_required(lambda user: user.is_administrator)


def redirect_to_second_factor(request):
    from django_otp import devices_for_user

    # devices_for_user lists confirmed devices only: an unfinished setup leads back to the setup page.
    target = "two-factor-verify" if any(devices_for_user(request.user)) else "two-factor-setup"
    # Encoded, so a page's own query string (e.g. the audit log's filters) survives the round trip.
    return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
