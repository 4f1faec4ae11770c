from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "nexus.mentorship"
    label = "mentorship"
    verbose_name = "Mentorship"

    def ready(self) -> None:
        from nexus.mentorship import gates  # noqa: F401  (registers knowledge's review gate)
