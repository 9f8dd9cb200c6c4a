from django.urls import path

from .views import accounts, organizations, staff, survey

app_name = "surveys"

survey_prefix = "orgs/<slug:org_slug>/survey/<int:year>/"

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
    path("review/", staff.review_queue, name="review-queue"),
]
