from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "nexus.challenges"
    label = "challenges"
    verbose_name = "Challenges & solutions"

    def ready(self) -> None:
        from nexus.challenges import digest  # noqa: F401  (registers its digest section)
