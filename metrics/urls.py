from django.urls import path

from surveys.models import Area

from . import views
from .views import staff as staff_views

app_name = "metrics"

urlpatterns = [
    path("", views.overview, name="overview"),
    # The public dashboard and open data (dashboard issue): published releases only, no login.
    *(path(f"{area}/", views.area_page, {"area": area}, name=area) for area in Area.values),
    path("trends/", views.trends, name="trends"),
    path("methodology/", views.methodology, name="methodology"),
    path("open-data/", views.open_data, name="open-data"),
    path("data/mileposts-by-area.csv", views.mileposts_csv, name="mileposts-csv"),
    path("data/trends/<slug:group>.csv", views.trend_csv, name="trend-csv"),
    path("data/<year:year>/<slug:group>.csv", views.group_csv, name="group-csv"),
    path("api/v1/indicators/", views.indicators_json, name="api-indicators"),
    path("api/v1/indicators.csv", views.indicators_csv, name="api-indicators-csv"),
    path("api/v1/years/", views.years, name="api-years"),
    path("api/v1/openapi.json", views.openapi, name="api-openapi"),
    path("healthz", views.healthz, name="healthz"),
    # A member's own answers beside the published figures (login; own organisation only).
    path("benchmark/<slug:org_slug>/", views.member_benchmark, name="member-benchmark"),
    # Administrators: figures by year, recompute, publish preview and publish (indicators issue).
    path("staff/figures/", staff_views.staff_years, name="staff-years"),
    path("staff/figures/<year:year>/recompute/", staff_views.staff_recompute, name="staff-recompute"),
    path(
        "staff/figures/<year:year>/publish/", staff_views.staff_publish_preview, name="staff-publish-preview"
    ),
]
