from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "nexus.accounts"
    label = "accounts"

    def ready(self) -> None:
        from nexus.accounts import follows  # noqa: F401  (registers what can be followed)
