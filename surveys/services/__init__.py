"""Every write the surveys app makes, as plain functions named `<thing>_<verb>` (see STYLE.md).

- accounts: organisations, memberships, invitations, staff accounts, second factors
- questionnaires: loading and copying a year's questionnaire, the milepost catalogue
- answers: starting a submission (carry-forward), saving sections and mileposts, proposals
- workflow: the review transitions (submit, return, approve, reopen), comments, proposal decisions
- imports / exports: the CSV import of responses, the raw-answers and audit-log exports
- import_previews: the browser import's uploaded file between its preview and its confirmation
- reminders: the deadline reminders sent by Celery beat
"""
