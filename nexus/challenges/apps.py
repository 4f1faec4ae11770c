from django.apps import AppConfig


class ChallengesConfig(AppConfig):
    name = "nexus.challenges"
    label = "challenges"
    verbose_name = "Challenges & solutions"

    def ready(self) -> None:
        # Registers its digest section and what can be followed.
        from nexus.challenges import digest, follows  # noqa: F401
