from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "nexus.payments"
    label = "payments"
    verbose_name = "Payments"
