"""Panel reports in the staff area, mounted at /staff/reports/ before the staff app's own
URLs (``/staff/reports/draft/`` and its questions belong to the staff app)."""

from django.urls import path

from oversight.reports import staff_views as views

app_name = "staff-reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.build, name="build"),
    path("builds/<int:pk>/", views.job, name="job"),
    path("drafts/<int:pk>/", views.draft, name="draft"),
    path("drafts/<int:pk>/report.<str:fmt>", views.draft_file, name="draft-file"),
    path("drafts/<int:pk>/publish/", views.publish, name="publish"),
    path("published/<int:pk>/report.<str:fmt>", views.published_file, name="published-file"),
    path("questions/<int:pk>/answer/", views.question_answer, name="question-answer"),
]
