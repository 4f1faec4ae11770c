from django.apps import AppConfig


class CspConfig(AppConfig):
    name = "nexus.csp"
    label = "csp"
    verbose_name = "Content Security Policy"
