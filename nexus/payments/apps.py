from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "nexus.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from nexus.payments.sandbox import embedded  # noqa: F401  (registers a serve companion)
