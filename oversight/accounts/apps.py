from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "oversight.accounts"
    label = "accounts"

    def ready(self) -> None:
        from oversight.accounts import signals  # noqa: F401  (connects the receivers)
