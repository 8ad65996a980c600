"""Every URL of the site. Each app owns its own ``urls.py``; this file only mounts them."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("staff/returns/", include("oversight.returns.urls")),
    path("staff/data/", include("oversight.data.urls")),
    path("staff/reports/", include("oversight.reports.staff_urls")),
    path("staff/plans/", include("oversight.plans.urls")),
    path("staff/", include("oversight.staff.urls")),
    path("reports/", include("oversight.reports.urls")),
    path("", include("oversight.portal.urls")),
]
