from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "oversight.plans"
    label = "plans"
