from django.apps import AppConfig


class DataConfig(AppConfig):
    name = "oversight.data"
    label = "data"
    verbose_name = "Data and imports"
