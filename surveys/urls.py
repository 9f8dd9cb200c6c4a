from django.urls import path

from .views import (
    accounts,
    audit,
    chooser,
    exports,
    imports,
    organizations,
    participation,
    reminders,
    review,
    staff,
    survey,
)

app_name = "surveys"

survey_prefix = "orgs/<slug:org_slug>/survey/<year:year>/"

urlpatterns = [
    path("home/", accounts.home, name="home"),
    path("orgs/", organizations.organization_list, name="organization-list"),
    path("orgs/<slug:org_slug>/", organizations.organization_detail, name="organization-detail"),
    # The fixed names come before the section pattern, which would match them too.
    path(survey_prefix + "mileposts/", survey.survey_mileposts, name="survey-mileposts"),
    path(survey_prefix + "review/", survey.survey_review, name="survey-review"),
    path(survey_prefix + "submit/", survey.survey_submit, name="survey-submit"),
    path(survey_prefix + "csv/", survey.survey_csv, name="survey-csv"),
    path(survey_prefix + "<slug:section_code>/", survey.survey_section, name="survey-section"),
    path("staff/", staff.staff_overview, name="staff-overview"),
    path("staff/invitations/new/", staff.invitation_create, name="invitation-create"),
    path("staff/invitations/<int:invitation_id>/resend/", staff.invitation_resend, name="invitation-resend"),
    path("staff/invitations/<int:invitation_id>/revoke/", staff.invitation_revoke, name="invitation-revoke"),
    # Review: surveys/views/review.py; participation, audit log, exports and import: their own modules.
    path("review/", review.review_queue, name="review-queue"),
    path("review/<int:submission_id>/", review.review_submission, name="review-submission"),
    path("review/<int:submission_id>/comments/", review.review_comment, name="review-comment"),
    path("review/<int:submission_id>/return/", review.review_return, name="review-return"),
    path("review/<int:submission_id>/approve/", review.review_approve, name="review-approve"),
    path("review/<int:submission_id>/reopen/", review.review_reopen, name="review-reopen"),
    path("review/proposals/<int:proposal_id>/decide/", review.proposal_decide, name="proposal-decide"),
    path("staff/participation/", participation.participation, name="participation"),
    path("staff/reminders/", reminders.reminder_list, name="reminders"),
    path("staff/reminders/send/", reminders.reminder_send, name="reminders-send"),
    path("staff/audit/", audit.audit_log, name="audit-log"),
    path("staff/audit/export/", exports.audit_export, name="audit-export"),
    path("staff/answers/<year:year>.csv", exports.answers_export, name="answers-export"),
    path("staff/exports/<uuid:job_id>/", exports.export_detail, name="export-detail"),
    path("staff/exports/<uuid:job_id>/download/", exports.export_download, name="export-download"),
    path("staff/organizations/search/", chooser.organization_search, name="organization-search"),
    path("staff/import/", imports.import_upload, name="import-upload"),
    path("staff/import/confirm/", imports.import_confirm, name="import-confirm"),
    path("staff/import/problems/<str:token>.csv", imports.import_problems, name="import-problems"),
    path("staff/import/template-<year:year>.csv", imports.import_template, name="import-template"),
    path("staff/import/codebook-<year:year>.csv", imports.import_codebook, name="import-codebook"),
    path(
        "orgs/<slug:org_slug>/submissions/<int:submission_id>/comments/",
        review.member_comments,
        name="member-comments",
    ),
    path(
        "orgs/<slug:org_slug>/comments/<int:comment_id>/reply/",
        review.member_comment_reply,
        name="member-comment-reply",
    ),
]
