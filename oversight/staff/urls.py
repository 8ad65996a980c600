"""URLs of the staff area (``/staff/``). Returns from partners are at ``/staff/returns/``
(the returns app)."""

from django.urls import path

from oversight.accounts import views as accounts
from oversight.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", accounts.sign_in, name="login"),
    path("logout/", accounts.sign_out, name="logout"),
    path("users/", accounts.users, name="users"),
    path("users/new/", accounts.user_add, name="user-add"),
    path("panel/", views.panel, name="panel"),
    path("measures/", views.measures, name="measures"),
    path("measures/<str:code>/commentary/", views.commentary, name="commentary"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_job, name="import-job"),
    path("reports/draft/", views.draft_report, name="draft-report"),
    path("reports/draft/questions/new/", views.question_add, name="question-add"),
]
