"""Provenance pages, to be mounted at /staff/data/ (``path("staff/data/",
include("oversight.data.urls"))`` in ``oversight/urls.py``)."""

from django.urls import path

from oversight.data import views

app_name = "data"
urlpatterns = [
    path("batches/", views.batches, name="batches"),
    path("batches.csv", views.batches_csv, name="batches-csv"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/rollback/", views.rollback, name="rollback"),
    path("ons/", views.ons, name="ons"),
    path("workforce/", views.workforce, name="workforce"),
]
