from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "nexus.mentorship"
    label = "mentorship"
    verbose_name = "Mentorship"
