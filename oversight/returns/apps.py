from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "oversight.returns"
    label = "returns"
