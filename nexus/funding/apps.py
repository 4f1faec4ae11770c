from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "nexus.funding"
    label = "funding"
    verbose_name = "Bounties & sponsorships"

    def ready(self) -> None:
        # Registers the "bounty" and "sponsorship" payment purposes with payments.
        from nexus.funding import purposes  # noqa: F401
