def navigation(request):
    """The organisations a member can act for, for the navigation's organisation switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(user.memberships.select_related("organization").filter(organization__is_active=True))
    acting_slug = request.session.get("acting_organization")
    acting = next((m for m in memberships if m.organization.slug == acting_slug), None)
    return {
        "nav_memberships": memberships,
        "nav_acting_membership": acting or (memberships[0] if memberships else None),
    }
