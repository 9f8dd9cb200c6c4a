"""Links of the paginated staff pages: the current filters stay in the URL, only the page changes."""

from django import template

register = template.Library()

PAGE_KEYS = ("page", "before", "after")


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """`?<current query>` with `changes` applied (None removes a key) and any other page cursor dropped."""
    query = context["request"].GET.copy()
    for key in PAGE_KEYS:
        query.pop(key, None)
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode() if query else "?"
