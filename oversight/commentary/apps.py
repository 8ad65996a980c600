from django.apps import AppConfig


class CommentaryConfig(AppConfig):
    name = "oversight.commentary"
    label = "commentary"
