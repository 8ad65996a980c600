"""The site's URLs with the provenance pages mounted at /staff/data/, as ``oversight/urls.py``
should mount them (used by tests until it does)."""

from django.urls import include, path

from oversight.urls import urlpatterns as site

urlpatterns = [path("staff/data/", include("oversight.data.urls")), *site]
