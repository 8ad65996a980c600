"""The site's URLs plus a minimal view, served by the web benchmark only (never in production).

The minimal view goes through the same server, workers and middleware as every page but reads
no database and renders no template: the reference each page's latency is divided by.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from oversight.urls import urlpatterns as site_urlpatterns

MINIMAL_PATH = "benchmark/minimal/"
MINIMAL_BODY = "<!DOCTYPE html><html lang=\"en\"><title>Minimal</title><p>Minimal view</p></html>"


def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse(MINIMAL_BODY)


urlpatterns = [path(MINIMAL_PATH, minimal, name="benchmark-minimal"), *site_urlpatterns]
