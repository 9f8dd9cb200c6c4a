"""Every write the surveys app makes, as plain functions named `<thing>_<verb>` (see STYLE.md).

- accounts: invitations, memberships, staff accounts
- answers: saving answers and mileposts, carry-forward (the member's survey)
- workflow: the review transitions (submit, return, approve, reopen) and comments
"""
