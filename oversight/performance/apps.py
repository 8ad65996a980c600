from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "oversight.performance"
    label = "performance"
