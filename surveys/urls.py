from django.urls import path

from .views import accounts, organizations, staff

app_name = "surveys"

urlpatterns = [
    path("home/", accounts.home, name="home"),
    path("orgs/", organizations.organization_list, name="organization-list"),
    path("orgs/<slug:org_slug>/", organizations.organization_detail, name="organization-detail"),
    path("staff/", staff.staff_overview, name="staff-overview"),
    path("staff/invitations/new/", staff.invitation_create, name="invitation-create"),
    path("review/", staff.review_queue, name="review-queue"),
]
