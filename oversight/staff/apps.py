from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "oversight.staff"
    label = "staff"
