"""Signals the surveys app sends so that other apps can react without surveys importing them.

`submission_approval_changed` is sent after commit whenever a submission enters or leaves the approved
state (approve, reopen); metrics recomputes that year's indicators in response.
"""

from django.dispatch import Signal

# Sent with: year (int), submission_ids (list[int]).
submission_approval_changed = Signal()
