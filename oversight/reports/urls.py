"""Published Panel reports on the public site, mounted at /reports/.

Only ``/reports/published/…`` is defined here; ``/reports/quarterly/`` (the live draft of the
public figures) belongs to the portal.
"""

from django.urls import path

from oversight.reports import views

app_name = "reports"
urlpatterns = [
    path("published/", views.published_list, name="published"),
    path("published/<int:pk>/", views.published_detail, name="published-detail"),
    path("published/<int:pk>/report.<str:fmt>", views.published_file, name="published-file"),
]
