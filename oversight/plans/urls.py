"""Staff pages for the plan, mounted at ``/staff/plans/`` (before the staff area's own URLs)."""

from django.urls import path

from oversight.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("plan.yaml", views.download, name="download"),
    path("changes/new/", views.change_new, name="change-new"),
    path("changes/<int:pk>/", views.change, name="change"),
    path("changes/<int:pk>/add-measure/", views.measure_add, name="measure-add"),
    path("changes/<int:pk>/measures/<str:code>/", views.measure_edit, name="measure-edit"),
    path("changes/<int:pk>/measures/<str:code>/remove/", views.measure_remove,
         name="measure-remove"),
    path("changes/<int:pk>/themes/<int:number>/", views.theme_edit, name="theme-edit"),
    path("changes/<int:pk>/priorities/<slug:key>/", views.priority_edit, name="priority-edit"),
    path("changes/<int:pk>/outcomes/<slug:key>/", views.outcome_edit, name="outcome-edit"),
]
