"""Public pages: no sign-in, approved and public content only."""

from django.urls import path

from oversight.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("measures/<str:code>/", views.measure, name="measure"),
    path("measures/<str:code>/monthly.csv", views.measure_csv, name="measure-csv"),
    path("plan/versions/", views.plan_versions, name="plan-versions"),
    path("plan/versions/<int:pk>/", views.plan_version, name="plan-version"),
    path("areas/", views.area_index, name="areas"),
    path("areas/<slug:kind>/<str:code>/", views.area, name="area"),
    path("areas/<slug:kind>/<str:code>/crime.csv", views.area_csv, name="area-csv"),
    path("reports/quarterly/", views.quarterly_report, name="quarterly-report"),
    path("data/", views.data_sources, name="data"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
