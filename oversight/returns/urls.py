"""URLs of the returns app, mounted at /staff/returns/."""

from django.urls import path

from oversight.returns import views

app_name = "returns"
urlpatterns = [
    path("", views.index, name="index"),
    path("late/", views.late, name="late"),
    path("values/", views.values, name="values"),
    path("new/", views.setup, name="setup"),
    path("<slug:slug>/", views.template_detail, name="template"),
    path("<slug:slug>/change/", views.setup, name="change"),
    path(
        "<slug:slug>/<str:period_slug>/template.<str:extension>",
        views.download,
        name="download",
    ),
    path("<slug:slug>/<str:period_slug>/upload/", views.upload, name="upload"),
    path("submissions/<int:pk>/", views.submission, name="submission"),
    path("submissions/<int:pk>/confirm/", views.confirm, name="confirm"),
]
