from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "nexus.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from nexus.payments import checkout_policy  # noqa: F401  (widens the CSP's form-action)
        from nexus.payments.sandbox import embedded  # noqa: F401  (registers a serve companion)
