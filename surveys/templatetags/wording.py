"""Small wording filters, so pages never say "(0 minutes ago)" or "1 answers"."""

import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(moment: datetime.datetime | None) -> str:
    """'just now' under a minute, else '5 minutes ago', '2 days, 3 hours ago'."""
    if moment is None:
        return ""
    if timezone.now() - moment < datetime.timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"
