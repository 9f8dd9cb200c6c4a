from django.shortcuts import render

from . import selectors


def overview(request):
    """The public home page: the latest published figures."""
    return render(request, "metrics/overview.html", selectors.public_overview())
